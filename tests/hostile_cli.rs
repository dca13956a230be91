//! Every subcommand of the built binary against hostile backends — a real Alertmanager and a
//! real Alerta fed poisoned alerts, PagerDuty, Opsgenie and Prometheus stubs whose every
//! string starts with OSC 52, CSI, C1, BEL, DEL and bidi sequences, and a PagerDuty that
//! refuses writes with a poisoned error — writes none of them raw on stdout or stderr: text
//! shows them escaped (`\e]52;…`), one item a line, and JSON carries the text exactly as
//! received, escaped as JSON. Needs the real servers (scripts/install-test-deps); without
//! them these tests fail, they never skip.

#[path = "support/alerta.rs"]
#[allow(dead_code)]
mod alerta;
#[path = "support/alertmanager.rs"]
mod alertmanager;
#[path = "support/hostile/mod.rs"]
mod hostile;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use hostile::{HOSTILE, SHOWN, assert_inert, hostile};

fn ondeck(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ondeck"))
        .args(args)
        .env_remove("ONDECK_CONFIG")
        .env_remove("NO_COLOR")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env(hostile::TOKEN_ENV, "hostile-test-token")
        .output()
        .expect("the ondeck binary runs")
}

/// Runs `args`; panics unless both streams are inert. Returns stdout and stderr as text.
fn inert_run(home: &Path, args: &[&str]) -> (String, String, Option<i32>) {
    let out = ondeck(home, args);
    let what = format!("`ondeck {}`", args.join(" ").escape_debug());
    assert_inert(&out.stdout, &format!("{what} (stdout)"));
    assert_inert(&out.stderr, &format!("{what} (stderr)"));
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code(),
    )
}

fn assert_shows(text: &str, shown: &str, what: &str) {
    assert!(
        text.contains(shown),
        "{what} does not show {shown:?}:\n{text}"
    );
}

/// Every string in `value`, with where it is.
fn strings(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) => out.push((at.to_string(), s.clone())),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                strings(v, &format!("{at}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                strings(v, &format!("{at}.{k}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_subcommand_lets_a_backend_act_on_the_terminal() {
    let (urls, _am, _stubs) = hostile::backends("jaeger").await;
    let home = hostile::temp_home("cli");
    std::fs::write(
        home.join("config/ondeck/config.toml"),
        hostile::config_text(&urls),
    )
    .unwrap();

    // JSON carries what the backends said, byte for byte, escaped as JSON.
    let (json, _, _) = inert_run(&home, &["incidents", "--format", "json"]);
    let value: Value = serde_json::from_str(&json).unwrap();
    let incidents = value["incidents"].as_array().unwrap();
    assert!(incidents.len() >= 4, "{json}");
    for incident in incidents {
        let title = incident["title"].as_str().unwrap();
        assert!(
            title.starts_with(HOSTILE),
            "the title as received: {title:?}"
        );
    }
    assert!(
        json.contains("\\u001b]52;c;") && json.contains("\\u202e"),
        "{json}"
    );
    let oncall = value["oncall"].as_array().unwrap().len();
    let pd_id = incidents
        .iter()
        .find(|i| i["source"] == "pd")
        .and_then(|i| i["id"].as_str())
        .unwrap()
        .to_string();
    let am_id = incidents
        .iter()
        .find(|i| i["source"] == "am")
        .and_then(|i| i["id"].as_str())
        .unwrap()
        .to_string();
    assert!(pd_id.starts_with(HOSTILE), "{pd_id:?}");

    // Text: escaped, and one incident a line, whatever line breaks the titles hold.
    let (text, _, _) = inert_run(&home, &["incidents"]);
    assert_shows(&text, SHOWN, "`ondeck incidents`");
    assert_eq!(
        text.lines().count(),
        1 + incidents.len() + oncall,
        "one line each for the header, every incident and every on-call:\n{text}"
    );

    let (json, _, _) = inert_run(&home, &["snapshot", "--format", "json"]);
    let snapshot: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(snapshot["slos"][0]["name"], hostile("availability"));
    let mut all = Vec::new();
    strings(&snapshot, "snapshot", &mut all);
    assert!(
        all.iter().filter(|(_, s)| s.starts_with(HOSTILE)).count() >= 10,
        "{all:#?}"
    );
    let (text, _, _) = inert_run(&home, &["snapshot", "--format", "text"]);
    assert_shows(&text, SHOWN, "`ondeck snapshot --format text`");

    // A write PagerDuty refuses with a poisoned error: queued, the reason quoted inert.
    let note = hostile("on it\nreally");
    let (_, err, code) = inert_run(
        &home,
        &[
            "ack", &pd_id, "--source", "pd", "--note", &note, "--wait", "1s",
        ],
    );
    assert_eq!(code, Some(75), "{err}");
    assert_shows(&err, SHOWN, "the queued ack");
    // The server's own words, escaped: not `]52;c;…` with the ESC silently dropped.
    assert_shows(&err, &format!("HTTP 500: {SHOWN}"), "the server's refusal");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    let (out, err, code) = inert_run(
        &home,
        &[
            "ack", &am_id, "--source", "am", "--note", &note, "--wait", "10s",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");

    let (text, _, _) = inert_run(&home, &["outbox"]);
    assert_shows(&text, SHOWN, "`ondeck outbox`");
    assert!(
        text.lines()
            .all(|l| l.starts_with("still owed") || l.starts_with("resent")),
        "one write a line:\n{text}"
    );
    let (text, _, _) = inert_run(&home, &["audit"]);
    assert_shows(&text, SHOWN, "`ondeck audit`");
    let (text, _, _) = inert_run(&home, &["handoff", "--since", "8h"]);
    // Markdown-escaped too: `\` and `]` would be markup in the chat it is pasted into.
    assert_shows(&text, "\\\\e\\]52;c;", "`ondeck handoff`");

    let (text, _, code) = inert_run(&home, &["check-config"]);
    assert_eq!(code, Some(0), "{text}");
    assert_shows(&text, SHOWN, "`ondeck check-config`");

    // Errors that quote the file or the command line.
    let (_, err, code) = inert_run(&home, &["ack", "x", "--source", &hostile("pd")]);
    assert_eq!(code, Some(1));
    assert_shows(&err, SHOWN, "an unknown source");
    let bad = home.join("bad.toml");
    let kind = toml::Value::String(hostile("prometheus")).to_string();
    std::fs::write(&bad, format!("[[source]]\nname = \"x\"\nkind = {kind}\n")).unwrap();
    let (_, err, code) = inert_run(&home, &["check-config", bad.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert_shows(&err, "bad.toml", "the config error");
}

#[test]
fn runbook_check_reports_hostile_runbooks_inert() {
    let home = hostile::temp_home("runbooks");
    let dir = home.join("runbooks");
    std::fs::create_dir_all(&dir).unwrap();
    let title = serde_json::to_string(&hostile("Checkout\ndown")).unwrap();
    std::fs::write(
        dir.join("checkout.md"),
        format!(
            "---\nid: checkout\ntitle: {title}\nmatch:\n  - alertname = \"X\"\n---\n\n1. Look\n   ```sh\n   echo ok\n   ```\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("broken.md"),
        format!(
            "---\nid: broken\ntitle: t\nmatch:\n  - {}\n---\n\n1. Do\n",
            hostile("nonsense")
        ),
    )
    .unwrap();
    let (text, _, code) = inert_run(&home, &["runbook", "check", dir.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{text}");
    assert_eq!(text.lines().count(), 2, "one file a line:\n{text}");
    assert_shows(&text, SHOWN, "`ondeck runbook check`");
}

#[test]
fn config_files_with_escapes_in_names_are_refused_inert() {
    let home = hostile::temp_home("names");
    let quoted = |text: &str| toml::Value::String(hostile(text)).to_string();
    let cases = [
        ("theme", format!("theme = {}\n", quoted("dark"))),
        (
            "theme role",
            format!("[theme_overrides]\n{} = 240\n", quoted("text_muted")),
        ),
        (
            "key",
            format!("[keys.global]\n{} = \"quit\"\n", quoted("x")),
        ),
        ("action", format!("[keys.global]\nx = {}\n", quoted("quit"))),
        (
            "context",
            format!("[keys.{}]\nx = \"quit\"\n", quoted("global")),
        ),
    ];
    for (what, text) in cases {
        let path = home.join("config.toml");
        std::fs::write(&path, text).unwrap();
        let (out, err, code) = inert_run(&home, &["check-config", path.to_str().unwrap()]);
        assert_eq!(
            code,
            Some(2),
            "a {what} with escapes is refused: {out}{err}"
        );
        assert!(
            err.contains("config.toml"),
            "the {what} error names the file: {err}"
        );
    }
}
