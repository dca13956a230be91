//! `ondeck changes` and the handoff's changes, run as the built binary the way scripts run
//! them, over `command` change sources: the README's JSON line comes back field for field,
//! newest first, filtered by service and window; hostile text arrives escaped; a failing
//! source is named and exits 1; a config without a change source exits 2 saying what to add.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

/// The built binary with its config, state and log dirs in `home`.
fn ondeck(home: &Path, config: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ondeck"));
    cmd.env_remove("ONDECK_CONFIG")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .arg("--config")
        .arg(config);
    cmd
}

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-changes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the ondeck binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The README's example of a line a command change source prints.
fn readme_line() -> Value {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = &readme[readme.find("### Changes").unwrap()..];
    let start = section.find("```json\n").unwrap() + "```json\n".len();
    let end = start + section[start..].find("```").unwrap();
    serde_json::from_str(section[start..end].trim()).unwrap()
}

fn rfc3339(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A config whose `command` sources print the files given, one source per file.
fn config(home: &Path, sources: &[(&str, &str)]) -> PathBuf {
    let mut text = String::new();
    for (name, command) in sources {
        text.push_str(&format!(
            "[[source]]\nname = \"{name}\"\nkind = \"command\"\ncommand = '''{command}'''\ntimeout = \"20s\"\n\n"
        ));
    }
    let path = home.join("ondeck.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn write_lines(path: &Path, lines: &[Value]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(path, text).unwrap();
}

#[test]
fn changes_lists_every_source_newest_first_filtered_by_service_and_window() {
    let home = temp_home("list");
    let now = Utc::now();
    // The README's line, ten minutes ago; an older config change on inventory; one from
    // three hours ago, outside the default two hours.
    let mut readme = readme_line();
    readme["time"] = json!(rfc3339(now - Duration::minutes(10)));
    let config_change = json!({
        "time": rfc3339(now - Duration::minutes(40)),
        "service": "inventory",
        "kind": "config",
        "summary": "reservation cache TTL 60s → 30s",
    });
    let old = json!({
        "time": rfc3339(now - Duration::hours(3)),
        "service": "checkout",
        "kind": "rollback",
        "summary": "back to 1.41",
        "from": "1.42",
        "to": "1.41",
    });
    write_lines(&home.join("argo.jsonl"), &[readme.clone(), old]);
    write_lines(&home.join("flags.jsonl"), &[config_change]);
    let config = config(
        &home,
        &[
            (
                "argo",
                &format!("cat {}", home.join("argo.jsonl").display()),
            ),
            (
                "flags",
                &format!("cat {}", home.join("flags.jsonl").display()),
            ),
        ],
    );

    let out = run(ondeck(&home, &config).args(["changes", "--format", "json"]));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = json["changes"].as_array().unwrap();
    assert_eq!(
        changes.len(),
        2,
        "the 3h-old rollback is outside 2h: {json:#}"
    );
    // The README's line comes back as written, with the source that read it.
    let mut expected = readme.clone();
    expected["source"] = json!("argo");
    assert_eq!(changes[0], expected);
    assert_eq!(changes[1]["service"], "inventory");
    assert_eq!(changes[1]["kind"], "config");
    assert_eq!(changes[1]["from"], Value::Null);
    let statuses: Vec<(&str, &str)> = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(statuses, [("argo", "fresh"), ("flags", "fresh")]);

    // A longer window brings the rollback; a service keeps only its own.
    let out = run(ondeck(&home, &config).args([
        "changes",
        "--since",
        "4h",
        "--service",
        "checkout",
        "--format",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["deploy", "rollback"]);

    // Text: a header, then one row a change, newest first.
    let out = run(ondeck(&home, &config).args(["changes"]));
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("changes since "), "{text}");
    assert!(lines[1].starts_with("TIME (UTC)"), "{text}");
    assert!(
        lines[2].contains("checkout") && lines[2].contains("1.42 → 1.43"),
        "{text}"
    );
    assert!(
        lines[2].contains("ci-bot") && lines[2].contains("argo"),
        "{text}"
    );
    assert!(
        lines[3].contains("inventory") && lines[3].contains("config"),
        "{text}"
    );
    assert_eq!(lines.len(), 4, "{text}");
}

#[test]
fn hostile_text_arrives_escaped_and_a_failing_source_is_named_with_exit_1() {
    let home = temp_home("hostile");
    let now = Utc::now();
    let hostile = json!({
        "time": rfc3339(now - Duration::minutes(5)),
        "service": "checkout\u{1b}]52;c;cm0gLXJmIH4=\u{7}",
        "kind": "deploy",
        "summary": "ok\u{202e}gnp.exe",
        "author": "evil\r\nsource x failed: forged",
    });
    write_lines(&home.join("evil.jsonl"), &[hostile]);
    let config = config(
        &home,
        &[
            (
                "evil",
                &format!("cat {}", home.join("evil.jsonl").display()),
            ),
            ("broken", "echo 'cannot reach helm' >&2; exit 3"),
        ],
    );

    let out = run(ondeck(&home, &config).args(["changes"]));
    assert_eq!(out.status.code(), Some(1), "a failed source exits 1");
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(text.contains("checkout\\e]52;c;cm0gLXJmIH4=\\a"), "{text}");
    assert!(text.contains("ok\\u{202e}gnp.exe"), "{text}");
    let failures: Vec<&str> = text.lines().filter(|l| l.starts_with("source ")).collect();
    assert_eq!(failures.len(), 1, "the author cannot forge a line: {text}");
    assert!(failures[0].starts_with("source broken failed: "), "{text}");
    assert!(failures[0].contains("cannot reach helm"), "{text}");

    // JSON escapes what a terminal would act on, and says which source failed.
    let out = run(ondeck(&home, &config).args(["changes", "--format", "json"]));
    assert_eq!(out.status.code(), Some(1));
    let raw = stdout(&out);
    assert!(
        !raw.contains('\u{1b}') && !raw.contains('\u{202e}'),
        "{raw:?}"
    );
    let json: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        json["changes"][0]["service"], "checkout\u{1b}]52;c;cm0gLXJmIH4=\u{7}",
        "JSON keeps the text exact, escaped as JSON"
    );
    let broken = &json["sources"][1];
    assert_eq!(broken["name"], "broken");
    assert_eq!(broken["status"], "failed");
    assert!(
        broken["error"]
            .as_str()
            .unwrap()
            .contains("cannot reach helm"),
        "{broken}"
    );
}

#[test]
fn without_a_change_source_changes_exits_2_saying_what_to_add() {
    let home = temp_home("none");
    let path = home.join("ondeck.toml");
    std::fs::write(
        &path,
        "[[source]]\nname = \"am\"\nkind = \"alertmanager\"\nurl = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    let out = run(ondeck(&home, &path).args(["changes"]));
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(
        text.starts_with("no change source is configured: add change queries"),
        "{text}"
    );
}

#[test]
fn the_handoff_lists_the_shifts_changes_oldest_first() {
    let home = temp_home("handoff");
    let now = Utc::now();
    let lines = [
        json!({"time": rfc3339(now - Duration::hours(5)), "service": "checkout",
               "kind": "deploy", "summary": "synced", "from": "1.42", "to": "1.43",
               "author": "ci-bot"}),
        json!({"time": rfc3339(now - Duration::hours(1)), "service": "checkout",
               "kind": "rollback", "summary": "back to 1.42 | bad pipe"}),
        json!({"time": rfc3339(now - Duration::hours(30)), "service": "search",
               "kind": "deploy", "summary": "before the shift"}),
    ];
    write_lines(&home.join("c.jsonl"), &lines);
    let config = config(
        &home,
        &[("argo", &format!("cat {}", home.join("c.jsonl").display()))],
    );
    let out = run(ondeck(&home, &config).args(["handoff", "--since", "12h"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    let section = &text[text
        .find("## Changes during the shift (2)")
        .unwrap_or_else(|| panic!("{text}"))..];
    let rows: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| time"))
        .collect();
    assert_eq!(rows.len(), 2, "{section}");
    assert!(
        rows[0].contains("| deploy |") && rows[0].contains("ci-bot"),
        "{section}"
    );
    assert!(rows[1].contains("| rollback |"), "{section}");
    // A pipe in outside text cannot split the Markdown table's cells.
    assert!(rows[1].contains("back to 1.42 \\| bad pipe"), "{section}");
    assert!(!section.contains("before the shift"), "{section}");
}
