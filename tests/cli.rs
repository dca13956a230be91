//! The built binary, run as scripts and cron jobs run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A command for the built binary with config, state and log dirs isolated in `home`, so the
/// developer's own config never leaks into a test.
fn ondeck(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ondeck"));
    cmd.env_remove("ONDECK_CONFIG")
        .env_remove("NO_COLOR")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"));
    cmd
}

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the ondeck binary runs")
}

fn is_number_or_null(v: &Value) -> bool {
    v.is_null() || v.as_f64().is_some_and(f64::is_finite)
}

#[test]
fn snapshot_json_without_config_shows_the_demo_fleet() {
    let home = temp_home("snapshot");
    let out = run(ondeck(&home).args(["snapshot", "--format", "json"]));
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    // Windows are written shortest first (serde_json's Value re-sorts them, so read the text).
    let text = String::from_utf8_lossy(&out.stdout);
    let rates_at = text.find("\"burn_rates\"").unwrap();
    let order: Vec<usize> = [
        "\"5m\"", "\"30m\"", "\"1h\"", "\"2h\"", "\"6h\"", "\"1d\"", "\"3d\"",
    ]
    .iter()
    .map(|w| rates_at + text[rates_at..].find(w).unwrap())
    .collect();
    assert!(
        order.windows(2).all(|p| p[0] < p[1]),
        "burn_rates in window order"
    );

    let generated = json["generated_at"].as_str().unwrap();
    chrono::DateTime::parse_from_rfc3339(generated).expect("generated_at is RFC 3339");

    let sources = json["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0]["name"], "demo");
    assert_eq!(sources[0]["kind"], "demo");
    assert_eq!(sources[0]["status"], "fresh");
    assert!(sources[0]["error"].is_null());

    let slos = json["slos"].as_array().unwrap();
    assert!(
        slos.len() >= 10,
        "the demo has at least 10 SLOs, got {}",
        slos.len()
    );
    let services: std::collections::BTreeSet<&str> = slos
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert!(services.len() >= 6, "at least 6 services: {services:?}");
    for slo in slos {
        let objective = slo["objective"].as_f64().unwrap();
        assert!((0.99..=0.9999).contains(&objective), "{objective}");
        assert_eq!(slo["window"], "30d");
        for field in [
            "sli",
            "error_budget_remaining",
            "time_to_exhaustion_seconds",
        ] {
            assert!(is_number_or_null(&slo[field]), "{field} = {}", slo[field]);
        }
        let rates = slo["burn_rates"].as_object().unwrap();
        let windows: std::collections::BTreeSet<&str> = rates.keys().map(String::as_str).collect();
        let expected = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];
        assert_eq!(windows, expected.into_iter().collect());
        assert!(rates.values().all(is_number_or_null));
        let alerts = slo["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), 4);
        let first = &alerts[0];
        assert_eq!(first["severity"], "page");
        assert_eq!(first["long_window"], "1h");
        assert_eq!(first["short_window"], "5m");
        assert_eq!(first["factor"].as_f64(), Some(14.4));
        assert!(first["firing"].is_boolean());
    }

    let incidents = json["incidents"].as_array().unwrap();
    assert!(!incidents.is_empty(), "the demo starts with open incidents");
    for incident in incidents {
        for field in ["id", "source", "title", "service"] {
            assert!(incident[field].is_string(), "{field}");
        }
        let status = incident["status"].as_str().unwrap();
        assert!(
            ["triggered", "acknowledged"].contains(&status),
            "open only: {status}"
        );
        assert!(["high", "low"].contains(&incident["urgency"].as_str().unwrap()));
        chrono::DateTime::parse_from_rfc3339(incident["created_at"].as_str().unwrap()).unwrap();
        assert!(incident["assignee"].is_string() || incident["assignee"].is_null());
        assert!(incident["runbook"].is_string() || incident["runbook"].is_null());
    }
}

#[test]
fn snapshot_text_names_every_slo() {
    let home = temp_home("text");
    let out = run(ondeck(&home).args(["snapshot"]));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("source demo [demo]: fresh"), "{text}");
    assert!(text.contains("checkout"), "{text}");
}

#[test]
fn check_config_rejects_a_bad_file_with_exit_2_and_names_the_field() {
    let home = temp_home("check-bad");
    let file = home.join("config.toml");
    std::fs::write(
        &file,
        "[[source]]\nname = \"demo\"\nkind = \"demo\"\n\n[[slo]]\nname = \"a\"\nservice = \"s\"\nobjective = 100\nsource = \"demo\"\ngood = \"up\"\ntotal = \"up\"\n",
    )
    .unwrap();
    let out = run(ondeck(&home).arg("check-config").arg(&file));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("{}:8:", file.display())),
        "{stderr}"
    );
    assert!(stderr.contains("slo[0].objective"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn check_config_accepts_the_example_config() {
    let home = temp_home("check-example");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let out = run(ondeck(&home).arg("check-config").arg(&example));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains(": ok"));
}

/// With no file, check-config says the demo runs (not "ok" for a file that does not
/// exist), and it prints the theme and read-only mode the same flags give a run.
#[test]
fn check_config_without_a_file_says_the_demo_and_honours_the_flags() {
    let home = temp_home("check-none");
    let out = run(ondeck(&home).args(["check-config", "--theme", "light", "--readonly"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("no config at "), "{text}");
    assert!(text.contains(": the demo"), "{text}");
    assert!(!text.contains(": ok"), "{text}");
    assert!(text.contains("theme:    light"), "{text}");
    assert!(text.contains("readonly: yes"), "{text}");
    assert!(text.contains("demo             demo"), "{text}");

    // --at makes a run read-only, so check-config says so too.
    let at = run(ondeck(&home).args(["--at", "1735689600", "check-config"]));
    assert!(
        String::from_utf8(at.stdout)
            .unwrap()
            .contains("readonly: yes")
    );

    // A theme the run would refuse is refused here, with the choices.
    let bad = run(ondeck(&home).args(["check-config", "--theme", "nope"]));
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("built-in themes are"));
}

#[test]
fn a_missing_explicit_config_is_an_error_not_the_demo() {
    let home = temp_home("missing");
    let out = run(ondeck(&home).args(["--config", "/nonexistent/ondeck.toml", "snapshot"]));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/ondeck.toml"));
}

#[test]
fn version_prints_the_paths_in_use() {
    let home = temp_home("version");
    let out = run(ondeck(&home).arg("--version"));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!("ondeck {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    let config = home.join("config").join("ondeck").join("config.toml");
    assert!(
        text.contains(&format!("config: {}", config.display())),
        "{text}"
    );
    assert!(
        text.contains("state:  ") && text.contains("log:    "),
        "{text}"
    );
    assert!(text.contains("ondeck.log"), "{text}");

    let explicit = run(ondeck(&home)
        .env("ONDECK_CONFIG", "/etc/ondeck.toml")
        .arg("--version"));
    assert!(
        String::from_utf8(explicit.stdout)
            .unwrap()
            .contains("config: /etc/ondeck.toml")
    );
}

#[test]
fn runbook_check_passes_the_shipped_runbooks_and_points_at_broken_lines() {
    let home = temp_home("runbook-check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = root.join("assets/runbooks");
    let out = run(ondeck(&home).args(["runbook", "check"]).arg(&shipped));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(stdout.lines().filter(|l| l.contains(": ok (")).count(), 5);

    let broken = root.join("tests/fixtures/runbooks");
    let out = run(ondeck(&home).args(["runbook", "check"]).arg(&broken));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let fence = broken.join("unterminated_fence.md");
    assert!(
        stdout.contains(&format!(
            "{}:10: unterminated code fence opened at line 10",
            fence.display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{}:5: no steps",
            broken.join("no_steps.md").display()
        )),
        "{stdout}"
    );
}

#[test]
fn audit_prints_the_log_in_the_state_dir_oldest_first() {
    let home = temp_home("audit");
    let out = run(ondeck(&home).arg("audit"));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("no entries yet"));

    let dir = home.join("state/ondeck");
    std::fs::create_dir_all(&dir).unwrap();
    let entry = |time: &str, action: &str, outcome: &str| {
        serde_json::json!({
            "time": time, "user": "alice", "source": "demo", "incident": "DEMO-7",
            "action": action, "note": "runbook disk-full step 1", "outcome": outcome,
        })
        .to_string()
    };
    let log = [
        entry("2026-11-21T03:12:00Z", "step_executed", "exit 0 in 0.1s"),
        entry("2026-11-21T03:13:00Z", "resolve", "ok"),
    ]
    .join("\n");
    std::fs::write(dir.join("audit.jsonl"), log + "\n").unwrap();
    let out = run(ondeck(&home).arg("audit"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with("2026-11-21 03:12:00  alice"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("step_executed") && lines[0].contains("demo/DEMO-7"));
    assert!(lines[0].contains("exit 0 in 0.1s  — runbook disk-full step 1"));
    assert!(
        lines[1].contains("resolve") && lines[1].contains("demo/DEMO-7  ok"),
        "{}",
        lines[1]
    );
}
