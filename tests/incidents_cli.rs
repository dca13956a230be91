//! `ondeck incidents`, `ack`, `audit` and `handoff` as scripts use them, on the built-in demo:
//! the same outbox and audit log as the cockpit, and a shift report built from both.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-incidents-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ondeck(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ondeck"))
        .env_remove("ONDECK_CONFIG")
        .env("HOME", home)
        .env("USER", "sam")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .args(args)
        .output()
        .expect("the ondeck binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn incidents_lists_open_pages_as_json_with_their_source() {
    let home = home("list");
    let out = ondeck(&home, &["incidents", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let incidents = json["incidents"].as_array().unwrap();
    assert!(!incidents.is_empty());
    for incident in incidents {
        assert_eq!(incident["source"], "demo");
        assert!(["triggered", "acknowledged"].contains(&incident["status"].as_str().unwrap()));
        // Only a triggered page can be about to escalate.
        if !incident["escalates_at"].is_null() {
            assert_eq!(incident["status"], "triggered");
        }
    }
    assert_eq!(json["sources"][0]["status"], "fresh");
}

#[test]
fn ack_from_a_script_is_delivered_audited_and_in_the_handoff() {
    let home = home("ack");
    let list: Value =
        serde_json::from_slice(&ondeck(&home, &["incidents", "--format", "json"]).stdout).unwrap();
    let page = list["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "triggered")
        .expect("the demo has a triggered page")["id"]
        .as_str()
        .unwrap()
        .to_string();

    let out = ondeck(&home, &["ack", &page, "--note", "looking at it"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout(&out).trim(), format!("acknowledged {page} on demo"));

    // The next command — another process — sees it acknowledged by this responder, as a
    // real backend would show it: the demo keeps actions in the state dir.
    let after: Value =
        serde_json::from_slice(&ondeck(&home, &["incidents", "--format", "json"]).stdout).unwrap();
    let acked = after["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == page.as_str())
        .unwrap_or_else(|| panic!("{page} is gone: {after}"));
    assert_eq!(acked["status"], "acknowledged", "{acked}");
    assert_eq!(acked["acknowledged_by"], "you", "{acked}");

    // An id no source lists is refused with the reason, exit 1, and audited too.
    let out = ondeck(&home, &["ack", "DEMO-0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no incident DEMO-0"));

    let audit = stdout(&ondeck(&home, &["audit"]));
    let lines: Vec<&str> = audit.lines().collect();
    assert_eq!(lines.len(), 2, "{audit}");
    assert!(
        lines[0].contains(&format!("demo/{page}")) && lines[0].contains(" ok  — looking at it"),
        "{audit}"
    );
    assert!(lines[1].contains("failed: rejected"), "{audit}");

    // Nothing is left owed in the outbox.
    assert!(stdout(&ondeck(&home, &["outbox"])).contains("nothing owed"));

    let report = stdout(&ondeck(&home, &["handoff", "--since", "8h"]));
    assert!(report.starts_with("# On-call handoff: "), "{report}");
    for heading in [
        "## Still open",
        "## Pages received",
        "## Acknowledged, resolved and notes (2)",
        "## Runbook steps run (0)",
        "## SLOs that burned budget (1d burn rate",
    ] {
        assert!(report.contains(heading), "missing {heading}:\n{report}");
    }
    assert!(
        report.contains(&format!(
            "sam `{page}` acknowledge on demo: ok — looking at it"
        )),
        "{report}"
    );
    // Every duration form the config takes works here, as --help promises: 1d, 1w.
    for since in ["1d", "1w", "90m"] {
        let longer = stdout(&ondeck(&home, &["handoff", "--since", since]));
        assert!(
            longer.contains("## Acknowledged, resolved and notes (2)"),
            "--since {since}:\n{longer}"
        );
    }
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn readonly_refuses_scripted_writes() {
    let home = home("readonly");
    let out = ondeck(&home, &["--readonly", "ack", "DEMO-1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("read-only: not sending acknowledge for DEMO-1")
    );
    assert!(!home.join("state/ondeck/audit.jsonl").exists());
}
