//! The built binary when something is wrong, as scripts, cron jobs and pipelines meet it: a
//! bad config reads the same in every command and exits 2; other failures are one line and
//! exit 1; no backtrace or colour codes ever; output into a pipe whose reader left ends
//! quietly; a missing secret is caught by `check-config` and does not stop a run.

use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The built binary with config, state and log dirs isolated in `home`. A backtrace is asked
/// for, so a test would see one if any path still printed it.
fn ondeck(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ondeck"));
    cmd.env_remove("ONDECK_CONFIG")
        .env_remove("NO_COLOR")
        .env("RUST_BACKTRACE", "1")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(Stdio::null());
    cmd
}

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-fail-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the ondeck binary runs")
}

/// What no failure may print: a backtrace, a panic, an eyre report's sections, colour codes.
fn assert_clean(what: &str, stderr: &str) {
    for noise in [
        "\u{1b}[",
        "panicked",
        "Backtrace",
        "backtrace",
        "Location:",
        "stack backtrace",
        "Error:",
    ] {
        assert!(!stderr.contains(noise), "{what}: {noise:?} in {stderr:?}");
    }
}

/// Every subcommand that reads the config, with what it needs besides.
const READS_CONFIG: [&[&str]; 10] = [
    &[],
    &["snapshot"],
    &["snapshot", "--format", "json"],
    &["incidents"],
    &["incidents", "--format", "json"],
    &["ack", "X-1"],
    &["resolve", "X-1"],
    &["unack", "X-1"],
    &["outbox"],
    &["handoff"],
];

#[test]
fn every_command_reports_a_bad_config_as_check_config_does_and_exits_2() {
    let home = temp_home("bad-config");
    let file = home.join("ondeck.toml");
    std::fs::write(
        &file,
        "[[source]]\nname = \"prom\"\nkind = \"prometeus\"\nurl = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    let check = run(ondeck(&home).arg("check-config").arg(&file));
    assert_eq!(check.status.code(), Some(2));
    let expected = String::from_utf8(check.stderr).unwrap();
    assert!(
        expected.starts_with(&format!(
            "{}:3:8: source[0].kind: unknown variant",
            file.display()
        )),
        "{expected}"
    );
    assert_eq!(expected.lines().count(), 1, "{expected}");

    for args in READS_CONFIG {
        let out = run(ondeck(&home).arg("--config").arg(&file).args(args));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr, expected, "{args:?} reads as check-config");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_clean(&format!("{args:?}"), &stderr);
    }
}

#[test]
fn a_missing_config_file_is_one_line_and_exit_2() {
    let home = temp_home("missing");
    for args in READS_CONFIG {
        let out = run(ondeck(&home)
            .args(["--config", "/nonexistent/ondeck.toml"])
            .args(args));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            stderr.trim_end(),
            "/nonexistent/ondeck.toml: cannot read the config file: No such file or directory (os error 2)",
            "{args:?}"
        );
        assert_clean(&format!("{args:?}"), &stderr);
    }
}

#[test]
fn an_unknown_theme_on_the_command_line_exits_2_in_one_line() {
    let home = temp_home("theme");
    let out = run(ondeck(&home).args(["--theme", "neon", "snapshot"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("ondeck: theme: "), "{stderr}");
    assert!(stderr.contains("neon"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_clean("--theme", &stderr);
}

#[test]
fn a_state_dir_that_cannot_be_used_is_one_line_and_exit_1() {
    let home = temp_home("state");
    // A file where the state directory should be: the outbox cannot be opened.
    let blocked = home.join("blocked");
    std::fs::write(&blocked, "not a directory").unwrap();
    for args in [
        &["snapshot"][..],
        &["incidents"],
        &["outbox"],
        &["ack", "X-1"],
    ] {
        let out = run(ondeck(&home).env("XDG_STATE_HOME", &blocked).args(args));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("ondeck: cannot open the outbox in the state directory: "),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert_clean(&format!("{args:?}"), &stderr);
    }
}

/// A pipe whose reader has already gone: every write to it fails with EPIPE.
fn closed_pipe() -> OwnedFd {
    let mut fds = [0; 2];
    // SAFETY: `pipe` fills both descriptors on success; each is owned exactly once below.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    write
}

/// The id of an open incident of the demo, as `ondeck incidents` lists it.
fn demo_incident(home: &Path) -> String {
    let out = run(ondeck(home).args(["incidents", "--format", "json"]));
    let json: Value = serde_json::from_slice(&out.stdout).expect("incidents JSON");
    json["incidents"][0]["id"].as_str().unwrap().to_string()
}

#[test]
fn every_command_that_prints_exits_quietly_when_its_reader_has_gone() {
    let home = temp_home("pipe");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = root.join("tests/fixtures/config/valid/demo.toml");
    let runbooks = root.join("assets/runbooks");
    let audit = home.join("state/ondeck/audit.jsonl");
    std::fs::create_dir_all(audit.parent().unwrap()).unwrap();
    let line = r#"{"time":"2026-11-21T03:12:00Z","user":"a","source":"demo","incident":"D-1","action":"ack","note":null,"outcome":"ok"}"#;
    std::fs::write(&audit, format!("{line}\n")).unwrap();
    let incident = demo_incident(&home);
    let commands: Vec<Vec<String>> = vec![
        vec!["--version".into()],
        vec!["--help".into()],
        vec!["check-config".into(), config.display().to_string()],
        vec!["snapshot".into()],
        vec!["snapshot".into(), "--format".into(), "json".into()],
        vec!["incidents".into()],
        vec!["incidents".into(), "--format".into(), "json".into()],
        vec!["outbox".into()],
        vec!["handoff".into()],
        vec!["audit".into()],
        vec![
            "runbook".into(),
            "check".into(),
            runbooks.display().to_string(),
        ],
        vec!["ack".into(), incident],
    ];
    for args in commands {
        let out = ondeck(&home)
            .args(&args)
            .stdout(Stdio::from(closed_pipe()))
            .stderr(Stdio::piped())
            .output()
            .expect("the ondeck binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 141)),
            "{args:?}: {:?} (signal {:?}): {stderr}",
            out.status.code(),
            out.status.signal()
        );
        assert_clean(&format!("{args:?}"), &stderr);
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

/// Demo metrics and incidents beside a Prometheus whose token variable is unset and a
/// PagerDuty whose token file is missing.
fn config_with_missing_secrets(home: &Path) -> PathBuf {
    let file = home.join("ondeck.toml");
    std::fs::write(
        &file,
        r#"[[source]]
name = "demo"
kind = "demo"

[[source]]
name = "prom"
kind = "prometheus"
url = "http://127.0.0.1:9"
token_env = "ONDECK_TEST_UNSET_PROM_TOKEN"

[[source]]
name = "pd"
kind = "pagerduty"
from_email = "oncall@example.com"
token_file = "secrets/pd.token"
"#,
    )
    .unwrap();
    file
}

#[test]
fn check_config_reports_each_secret_a_run_cannot_read_at_its_field() {
    let home = temp_home("secrets-check");
    let file = config_with_missing_secrets(&home);
    let out = run(ondeck(&home)
        .env_remove("ONDECK_TEST_UNSET_PROM_TOKEN")
        .arg("check-config")
        .arg(&file));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "no `ok` for a config a run cannot use"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert_eq!(
        lines[0],
        format!(
            "{}:9:13: source[1].token_env: ONDECK_TEST_UNSET_PROM_TOKEN is not set in the \
             environment: source `prom` cannot start without it",
            file.display()
        )
    );
    assert!(
        lines[1].starts_with(&format!(
            "{}:15:14: source[2].token_file: cannot read {}: ",
            file.display(),
            home.join("secrets/pd.token").display()
        )),
        "{stderr}"
    );
    assert_clean("check-config", &stderr);

    // With both secrets there, it passes — and shows neither.
    std::fs::create_dir_all(home.join("secrets")).unwrap();
    std::fs::write(home.join("secrets/pd.token"), "pd-s3cret-value\n").unwrap();
    let out = run(ondeck(&home)
        .env("ONDECK_TEST_UNSET_PROM_TOKEN", "prom-s3cret-value")
        .arg("check-config")
        .arg(&file));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains(": ok"), "{all}");
    assert!(!all.contains("s3cret"), "{all}");
}

#[test]
fn a_run_with_a_missing_secret_shows_that_source_failed_and_the_rest_working() {
    let home = temp_home("secrets-run");
    let file = config_with_missing_secrets(&home);
    let out = run(ondeck(&home)
        .env_remove("ONDECK_TEST_UNSET_PROM_TOKEN")
        .args(["snapshot", "--format", "json", "--config"])
        .arg(&file));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a source failed: {stderr}");
    assert_clean("snapshot", &stderr);
    let json: Value = serde_json::from_slice(&out.stdout).expect("the snapshot is still printed");
    let source = |name: &str| {
        json["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {json}"))
            .clone()
    };
    assert_eq!(source("demo")["status"], "fresh");
    assert_eq!(source("prom")["status"], "failed");
    assert_eq!(
        source("prom")["error"],
        "metrics: ONDECK_TEST_UNSET_PROM_TOKEN is not set in the environment"
    );
    assert_eq!(source("pd")["status"], "failed");
    let pd = source("pd")["error"].as_str().unwrap().to_string();
    assert!(
        pd.starts_with(&format!(
            "incidents: cannot read {}: ",
            home.join("secrets/pd.token").display()
        )),
        "{pd}"
    );
    let slos = json["slos"].as_array().unwrap();
    assert!(slos.len() >= 10, "the demo's SLOs are all there");
    assert!(
        slos.iter()
            .all(|s| s["source"] == "demo" && s["fresh"] == true)
    );
    assert!(!json["incidents"].as_array().unwrap().is_empty());
}
