//! Every line of the docs is true. Each command in README.md's `sh` blocks runs, in order,
//! in a home of its own (the cockpit ones in a real terminal), against real servers where a
//! command names one; each `toml` block of README.md and the example config load and measure
//! what Prometheus itself says; the keys in the README's table are bound; the action list in
//! config.example.toml is the one the keymap accepts.
//!
//! What a command line cannot say, the test supplies and says here: the documented hosts
//! (`prometheus.internal:9090`, `alertmanager.internal:9093`, `api.pagerduty.com`) are
//! pointed at real servers (a PagerDuty stub) on 127.0.0.1.

#[path = "support/alertmanager.rs"]
mod alertmanager;
#[path = "support/example.rs"]
mod example;
#[path = "support/pagerduty.rs"]
mod pagerduty;
#[path = "support/prometheus.rs"]
mod prometheus;
#[path = "support/pty.rs"]
mod pty;
#[path = "support/vt.rs"]
mod vt;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use alertmanager::Alertmanager;
use prometheus::{END, assert_same, prometheus_says};

const README: &str = include_str!("../README.md");
const EXAMPLE: &str = include_str!("../config.example.toml");
/// The token the README exports.
const PAGERDUTY_TOKEN: &str = "u+your-rest-api-key";

/// Lines of each fenced block in `language`; a line ending in `\` continues on the next.
fn blocks(markdown: &str, language: &str) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    let mut pending = String::new();
    for line in markdown.lines() {
        match &mut current {
            None if line.trim() == format!("```{language}") => current = Some(Vec::new()),
            None => {}
            Some(lines) if line.trim() == "```" => {
                blocks.push(std::mem::take(lines));
                current = None;
            }
            Some(lines) => match line.strip_suffix('\\') {
                Some(start) => pending.push_str(start),
                None => {
                    pending.push_str(line);
                    lines.push(std::mem::take(&mut pending));
                }
            },
        }
    }
    blocks
}

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-docs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Where the documented hosts really are in this test.
struct Hosts {
    prometheus: String,
    alertmanager: String,
    pagerduty: String,
}

impl Hosts {
    fn point(&self, text: &str) -> String {
        text.replace("https://prometheus.internal:9090", &self.prometheus)
            .replace("http://prometheus.internal:9090", &self.prometheus)
            .replace("http://alertmanager.internal:9093", &self.alertmanager)
            .replace("https://api.pagerduty.com", &self.pagerduty)
    }
}

/// What a documented line is, to this test.
enum Line {
    /// `export NAME=VALUE`.
    Export(String, String),
    /// The cockpit itself (`ondeck`, `cargo run --release`): run in a terminal.
    Cockpit,
    /// An `ondeck` command, as the shell would run it.
    Ondeck(String),
    /// A line the test does not run, and why.
    Elsewhere(&'static str),
}

fn classify(line: &str) -> Line {
    let command = line.split(" #").next().unwrap_or(line).trim();
    if let Some(assignment) = command.strip_prefix("export ") {
        let (name, value) = assignment.split_once('=').expect("export NAME=VALUE");
        return Line::Export(name.into(), value.into());
    }
    if command == "ondeck" || command == "cargo run --release" {
        return Line::Cockpit;
    }
    if let Some(rest) = command.strip_prefix("cargo run --release -- ") {
        return Line::Ondeck(format!("ondeck {rest}"));
    }
    if command.starts_with("ondeck ") {
        return Line::Ondeck(command.to_string());
    }
    match command {
        "scripts/install-test-deps && cargo test" => {
            Line::Elsewhere("CI runs it; it runs this test")
        }
        "cargo install --locked --path ." => Line::Elsewhere("a release build; checked below"),
        c if c.starts_with("cargo bench") || c.starts_with("scripts/bench") => {
            Line::Elsewhere("a benchmark: it measures, nothing here times it")
        }
        other => panic!("README.md runs {other:?}, which this test does not know how to run"),
    }
}

/// How many lines of each kind ran.
#[derive(Default)]
struct Ran {
    commands: usize,
    cockpits: usize,
    elsewhere: Vec<String>,
}

/// Runs one `sh` block's lines in order in `home`, exported variables carried along.
fn run_block(lines: &[String], home: &Path, hosts: &Hosts, ran: &mut Ran) {
    let bin = home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let _ = std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ondeck"), bin.join("ondeck"));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut exported: Vec<(String, String)> = Vec::new();
    for line in lines {
        match classify(line) {
            Line::Export(name, value) => exported.push((name, value)),
            Line::Elsewhere(why) => ran.elsewhere.push(format!("{line}: {why}")),
            Line::Cockpit => {
                ran.cockpits += 1;
                let mut command = Command::new(env!("CARGO_BIN_EXE_ondeck"));
                command.envs(exported.iter().cloned());
                let mut session = pty::Session::start_with(home, command);
                session.shows("SLOs");
                session.keys("q");
                assert!(
                    session.exit_status().success(),
                    "`{line}` did not quit cleanly"
                );
            }
            Line::Ondeck(command) => {
                let output = Command::new("sh")
                    .arg("-c")
                    .arg(hosts.point(&command))
                    .current_dir(env!("CARGO_MANIFEST_DIR"))
                    .env_remove("ONDECK_CONFIG")
                    .env("PATH", &path)
                    .env("HOME", home)
                    .env("XDG_CONFIG_HOME", home.join("config"))
                    .env("XDG_STATE_HOME", home.join("state"))
                    .envs(exported.iter().cloned())
                    .output()
                    .unwrap();
                assert!(
                    output.status.success(),
                    "README.md: `{line}` exited {:?}\nstdout:\n{}\nstderr:\n{}",
                    output.status.code(),
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
                assert!(
                    !output.stdout.is_empty(),
                    "README.md: `{line}` printed nothing"
                );
                ran.commands += 1;
                if command.starts_with("ondeck init") {
                    let written =
                        std::fs::read_to_string(home.join("config/ondeck/config.toml")).unwrap();
                    assert!(
                        written.contains("\n[[slo]]\n"),
                        "init proposed no SLO that measures:\n{written}"
                    );
                }
            }
        }
    }
}

/// Every command of every `sh` block of the README runs and succeeds, in order; `ondeck
/// init` against a real Prometheus (history up to now), a real Alertmanager and a PagerDuty
/// stub; the cockpit lines in a real terminal.
#[tokio::test(flavor = "multi_thread")]
async fn every_readme_command_runs() {
    let now = chrono::Utc::now().timestamp();
    let prom = tokio::task::spawn_blocking(move || {
        prometheus::start_with_rules_ending("groups: []\n", now)
    })
    .await
    .unwrap();
    let am = Alertmanager::start();
    let pd = pagerduty::accepting_only(PAGERDUTY_TOKEN).await;
    let hosts = Hosts {
        prometheus: prom.url.clone(),
        alertmanager: am.url.clone(),
        pagerduty: pd.uri(),
    };
    let sh = blocks(README, "sh");
    assert!(sh.len() >= 6, "only {} sh blocks found", sh.len());
    let handle = tokio::task::spawn_blocking(move || {
        let mut ran = Ran::default();
        for (n, block) in sh.iter().enumerate() {
            let home = temp_home(&format!("block{n}"));
            run_block(block, &home, &hosts, &mut ran);
            let _ = std::fs::remove_dir_all(&home);
        }
        ran
    });
    let ran = handle.await.unwrap();
    assert!(ran.commands >= 15, "only {} commands ran", ran.commands);
    assert!(ran.cockpits >= 3, "only {} cockpit runs", ran.cockpits);
    // What is not run here is run elsewhere, for the reason given.
    assert!(ran.elsewhere.len() <= 4, "{:#?}", ran.elsewhere);
    // The install line can work: the package builds a binary named ondeck from a lock file.
    let manifest: toml::Table = toml::from_str(include_str!("../Cargo.toml")).unwrap();
    assert_eq!(manifest["package"]["name"].as_str(), Some("ondeck"));
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("Cargo.lock")
            .exists()
    );
}

/// A config as a user would copy it, its hosts pointed at the real servers: it loads, and
/// every SLO it defines measures (no error, a number) at the history's end; a bad/total SLO
/// equals Prometheus's own ratio.
async fn measures(text: &str, hosts: &Hosts, name: &str) {
    let home = temp_home(name);
    let file = home.join("config.toml");
    std::fs::write(&file, hosts.point(text)).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ondeck"))
            .env("HOME", &home)
            .env("XDG_STATE_HOME", home.join("state"))
            .env("PAGERDUTY_TOKEN", PAGERDUTY_TOKEN)
            .env("PROM_TOKEN", "prom-token")
            .args(["--config", file.to_str().unwrap(), "--at", &END.to_string()])
            .args(args)
            .output()
            .unwrap()
    };
    let checked = run(&["check-config"]);
    assert!(
        checked.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let snapshot = run(&["snapshot", "--format", "json"]);
    let json: Value = serde_json::from_slice(&snapshot.stdout)
        .unwrap_or_else(|e| panic!("{name}: {e}: {}", String::from_utf8_lossy(&snapshot.stderr)));
    let config = ondeck::config::parse(&hosts.point(text), &file).unwrap();
    let measured: Vec<&Value> = json["slos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"] == "prom")
        .collect();
    assert!(
        !config.slos.is_empty() && !measured.is_empty(),
        "{name}: no SLO measured:\n{json}"
    );
    for slo in &measured {
        assert!(
            slo["error"].is_null(),
            "{name}: {}: {}",
            slo["id"],
            slo["error"]
        );
        assert!(slo["sli"].is_number(), "{name}: {} has no SLI", slo["id"]);
    }
    for slo in &config.slos {
        let ondeck::config::SloSliConfig::BadRatio { bad, total } = &slo.sli else {
            continue;
        };
        let id = format!("{}/{}", slo.service, slo.name);
        let Some(shown) = measured.iter().find(|s| s["id"] == id.as_str()) else {
            continue; // a grouped SLO shows one row per group
        };
        let window = slo.window.to_string();
        assert_same(
            &format!("{name}: {id}"),
            shown["sli"].as_f64(),
            prometheus_says(&format!(
                "1 - sum(rate({bad}[{window}])) / sum(rate({total}[{window}]))"
            ))
            .await,
        );
    }
    let _ = std::fs::remove_dir_all(&home);
}

/// Every `toml` block of the README, and config.example.toml with every setting
/// uncommented, measure against the real Prometheus what Prometheus itself says.
#[tokio::test(flavor = "multi_thread")]
async fn every_documented_config_measures_what_prometheus_says() {
    let prom = prometheus::server();
    let am = Alertmanager::start();
    let pd = pagerduty::accepting_only(PAGERDUTY_TOKEN).await;
    let hosts = Hosts {
        prometheus: prom.url.clone(),
        alertmanager: am.url.clone(),
        pagerduty: pd.uri(),
    };
    let toml_blocks = blocks(README, "toml");
    assert!(
        toml_blocks.len() >= 2,
        "only {} toml blocks",
        toml_blocks.len()
    );
    for (n, block) in toml_blocks.iter().enumerate() {
        measures(&block.join("\n"), &hosts, &format!("README toml block {n}")).await;
    }
    // The example, uncommented, keeps the SLOs and the Prometheus source they name.
    let example = example::uncomment_settings(EXAMPLE);
    let only_prometheus = keep_tables(&example, |table| {
        table.starts_with("[[slo]]")
            || (table.starts_with("[[source]]") && table.contains("name = \"prom\""))
    });
    measures(&only_prometheus, &hosts, "config.example.toml").await;
}

/// The top-level settings of `text` and those of its `[…]` tables `keep` accepts.
fn keep_tables(text: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut out = String::new();
    let mut table = String::new();
    let mut top = true;
    for line in text.lines() {
        if line.starts_with('[') {
            if !top && keep(&table) {
                out.push_str(&table);
            }
            top = false;
            table.clear();
        }
        if top {
            // Top-level settings name files that do not exist here; the tables are the point.
            continue;
        }
        table.push_str(line);
        table.push('\n');
    }
    if keep(&table) {
        out.push_str(&table);
    }
    out
}

/// config.example.toml's action list is exactly the actions a key can be bound to, and its
/// context list the keymap's contexts.
#[test]
fn the_example_lists_every_bindable_action_and_context() {
    let listed: String = EXAMPLE
        .split("# Actions: ")
        .nth(1)
        .and_then(|rest| rest.split(".\n").next())
        .expect("config.example.toml has an Actions: list")
        .replace("\n# ", " ");
    let listed: Vec<&str> = listed.split(", ").map(str::trim).collect();
    let names = ondeck::action::bindable_names();
    assert_eq!(
        listed,
        names,
        "write this in config.example.toml:\n# Actions: {}.",
        names.join(", ")
    );
    let contexts = EXAMPLE
        .split("Contexts: ")
        .nth(1)
        .and_then(|rest| rest.split(".\n").next())
        .expect("config.example.toml lists the contexts")
        .replace("\n# ", " ");
    let contexts: Vec<&str> = contexts.split(", ").map(str::trim).collect();
    assert_eq!(contexts, ondeck::config::CONTEXTS.to_vec());
}

/// Every key the README's key table names is bound in the default keymap.
#[test]
fn every_key_in_the_readme_table_is_bound() {
    let keymap: toml::Table =
        toml::from_str(include_str!("../src/config/default_keymap.toml")).unwrap();
    let bound: Vec<String> = keymap
        .values()
        .filter_map(toml::Value::as_table)
        .flat_map(|t| t.keys().cloned())
        .collect();
    let table = README
        .split("## Keys")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").nth(2))
        .expect("the README has a key table");
    let mut checked = 0;
    for row in table.lines().skip(2) {
        let keys = row.split('|').nth(1).unwrap_or_default();
        for key in keys.split('`').skip(1).step_by(2) {
            let name = match key {
                "↑" => "up".to_string(),
                "↓" => "down".to_string(),
                "←" => "left".to_string(),
                "→" => "right".to_string(),
                "PgUp" => "pageup".to_string(),
                "PgDn" => "pagedown".to_string(),
                k if k.chars().count() == 1 => k.to_string(),
                k => k.to_lowercase(),
            };
            assert!(
                bound.contains(&name),
                "README.md's key table shows `{key}`, which no context binds"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 30,
        "only {checked} keys read from the README's table"
    );
}
