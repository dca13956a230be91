//! A command as a change source, run for real with `sh -c`: JSON lines on its stdout are
//! changes, other lines are named in a warning, it runs with the clean environment runbook
//! steps get (what `env` names passes, nothing else of ondeck's does) and the window as
//! `ONDECK_SINCE`/`ONDECK_UNTIL`, a failure says why with its stderr, and one that hangs is
//! killed at the source's timeout.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use ondeck::config::parse;
use ondeck::model::ChangeKind;
use ondeck::sources::SourceError;
use ondeck::sources::changes::command::CommandChanges;

fn window() -> (DateTime<Utc>, DateTime<Utc>) {
    let until = Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 45).unwrap();
    (until - chrono::Duration::hours(2), until)
}

fn source(command: &str, extra: &str) -> CommandChanges {
    let text = format!(
        "[[source]]\nname = \"helm\"\nkind = \"command\"\ncommand = '''{command}'''\n{extra}\n"
    );
    let config = parse(&text, Path::new("ondeck.toml")).unwrap_or_else(|e| panic!("{e}"));
    CommandChanges::new(&config.sources[0])
}

#[tokio::test]
async fn json_lines_are_changes_in_a_clean_environment_and_other_lines_are_named() {
    // SAFETY: these names are used by this test only.
    unsafe {
        std::env::set_var("ONDECK_TEST_CHANGES_SECRET", "hunter2");
        std::env::set_var("ONDECK_TEST_CHANGES_CONTEXT", "prod-eu");
    }
    let command = r#"
printf '%s\n' "{\"time\":\"$ONDECK_UNTIL\",\"service\":\"checkout\",\"kind\":\"deploy\",\"summary\":\"helm upgrade in ${ONDECK_TEST_CHANGES_CONTEXT:-nowhere}\",\"from\":\"41\",\"to\":\"42\",\"author\":\"ci-bot\"}"
echo "REVISION  UPDATED  STATUS"
printf '%s\n' "{\"time\":\"$ONDECK_SINCE\",\"service\":\"checkout\",\"kind\":\"rollback\",\"summary\":\"secret=${ONDECK_TEST_CHANGES_SECRET:-none}\"}"
printf '%s\n' '{"time":"2020-01-01T00:00:00Z","service":"checkout","kind":"deploy","summary":"long ago"}'
printf '%s\n' '{"time":1,"service":"checkout","kind":"release","summary":"x"}'
"#;
    let source = source(
        command,
        "env = [\"ONDECK_TEST_CHANGES_CONTEXT\"]\ntimeout = \"10s\"",
    );
    let (since, until) = window();
    let snapshot = source.fetch(since, until).await.unwrap();
    let got: Vec<_> = snapshot
        .changes
        .iter()
        .map(|c| (c.at, c.kind, c.summary.as_str(), c.what()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                until,
                ChangeKind::Deploy,
                "helm upgrade in prod-eu",
                "41 → 42".to_string()
            ),
            (
                since,
                ChangeKind::Rollback,
                "secret=none",
                "secret=none".to_string()
            ),
        ],
        "what env names passes; nothing else of ondeck's environment does"
    );
    assert_eq!(snapshot.changes[0].source, "helm");
    assert_eq!(snapshot.warnings.len(), 1, "{:?}", snapshot.warnings);
    let warning = &snapshot.warnings[0];
    assert!(
        warning.starts_with("2 output lines are not changes: line 2: "),
        "{warning}"
    );
    assert!(
        warning.contains("line 5: kind `release` is not deploy, rollback"),
        "{warning}"
    );
}

#[tokio::test]
async fn a_failing_command_says_why_and_a_hanging_one_is_killed_at_the_timeout() {
    let (since, until) = window();
    let failing = source("echo 'Error: release: not found' >&2; exit 1", "");
    let error = failing.fetch(since, until).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "unreachable: the command failed, exit 1: Error: release: not found"
    );
    let pid_file = std::env::temp_dir().join(format!("ondeck-changes-hang-{}", std::process::id()));
    let _ = std::fs::remove_file(&pid_file);
    let hanging = source(
        &format!("sleep 30 & echo $! > {}; wait", pid_file.display()),
        "timeout = \"1s\"",
    );
    let error = hanging.fetch(since, until).await.unwrap_err();
    assert_eq!(error, SourceError::Timeout(1000));
    // Its whole process group went with it: the sleep it started is gone too.
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let alive = std::process::Command::new("kill")
        .args(["-0", pid.trim()])
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(!alive, "the command's child outlived its timeout");
    let _ = std::fs::remove_file(&pid_file);
}
