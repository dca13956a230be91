//! Silences made, extended and expired by hand, checked on a real Alertmanager: through the
//! built binary (`ondeck silence add|list|extend|expire`, the same outbox and delivery as the
//! cockpit's `S` view and `:silence` line), and through the source with writes delivered
//! twice, as a retry after a lost answer or a restart delivers them.

#[path = "support/alertmanager.rs"]
mod am;
#[path = "support/headless.rs"]
mod headless;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use am::Alertmanager;
use crossterm::event::KeyCode;
use headless::Headless;
use ondeck::model::{SilenceMatcher, SilenceWrite};
use ondeck::outbox::{OutboxEntry, Write, WriteKind};
use ondeck::sources::Clock;
use ondeck::sources::IncidentSource;
use ondeck::sources::alertmanager::AlertmanagerSource;
use ondeck::state::{Overlay, SilencePreview};

fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-amsil-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary with `args` on an Alertmanager source at `url`, isolated in `home`.
fn ondeck(home: &Path, url: &str, args: &[&str]) -> Output {
    let config = home.join("ondeck.toml");
    let text = format!(
        "user = \"sam\"\n[[source]]\nname = \"am\"\nkind = \"alertmanager\"\nurl = \"{url}\"\ntimeout = \"2s\"\n"
    );
    std::fs::write(&config, text).unwrap();
    Command::new(env!("CARGO_BIN_EXE_ondeck"))
        .env_remove("ONDECK_CONFIG")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .arg("--config")
        .arg(&config)
        .args(args)
        .output()
        .expect("the ondeck binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn fire_disks(am: &Alertmanager) {
    am.fire(&[
        (
            json!({"alertname": "DiskFull", "service": "checkout", "severity": "page"}),
            json!({}),
            5,
        ),
        (
            json!({"alertname": "DiskFull", "service": "search", "severity": "page"}),
            json!({}),
            5,
        ),
        (
            json!({"alertname": "HighLatency", "service": "checkout", "severity": "page"}),
            json!({}),
            5,
        ),
    ])
    .await;
    am.wait_until("DiskFull", "active").await;
    am.wait_until("HighLatency", "active").await;
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

fn close(a: DateTime<Utc>, b: DateTime<Utc>, within: chrono::Duration) -> bool {
    (a - b).abs() <= within
}

#[tokio::test]
async fn add_previews_then_creates_exactly_the_silence_asked_for() {
    let am = Alertmanager::start();
    fire_disks(&am).await;
    let home = home("add");
    let before = Utc::now();
    let out = ondeck(
        &home,
        &am.url,
        &[
            "silence",
            "add",
            "service=checkout",
            r#"alertname=~"Disk.*""#,
            "--duration",
            "2h",
            "--comment",
            "disk swap on db-1",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("would silence 1 alert(s) firing now on am"),
        "{text}"
    );
    assert!(
        text.contains(r#"alertname="DiskFull""#) && text.contains(r#"service="checkout""#),
        "{text}"
    );
    assert!(
        !text.contains("search"),
        "the preview names only what it hides: {text}"
    );

    let active = am.active_silences().await;
    assert_eq!(active.len(), 1, "{active:#?}");
    let silence = &active[0];
    assert_eq!(silence["createdBy"], "sam");
    assert_eq!(silence["comment"], "disk swap on db-1");
    let mut matchers = silence["matchers"].as_array().unwrap().clone();
    matchers.sort_by_key(|m| m["name"].as_str().unwrap().to_string());
    assert_eq!(matchers[0]["name"], "alertname");
    assert_eq!(matchers[0]["value"], "Disk.*");
    assert_eq!(matchers[0]["isRegex"], true);
    assert_eq!(matchers[1]["name"], "service");
    assert_eq!(matchers[1]["isRegex"], false);
    let ends = time(&silence["endsAt"]);
    assert!(
        close(
            ends,
            before + chrono::Duration::hours(2),
            chrono::Duration::seconds(30)
        ),
        "{ends}"
    );

    // The server applies it to exactly the alert the preview named.
    am.wait_for(
        &json!({"alertname": "DiskFull", "service": "checkout"}),
        "suppressed",
    )
    .await;
    am.wait_for(
        &json!({"alertname": "DiskFull", "service": "search"}),
        "active",
    )
    .await;
    am.wait_for(&json!({"alertname": "HighLatency"}), "active")
        .await;

    // Listed for scripts, with what it silences.
    let out = ondeck(&home, &am.url, &["silence", "list", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["id"], silence["id"]);
    assert_eq!(listed[0]["matching_alerts"], 1);
}

#[tokio::test]
async fn a_dry_run_previews_and_creates_nothing() {
    let am = Alertmanager::start();
    fire_disks(&am).await;
    let home = home("dry");
    let out = ondeck(
        &home,
        &am.url,
        &[
            "silence",
            "add",
            "alertname=DiskFull",
            "--duration",
            "1h",
            "--comment",
            "why",
            "--dry-run",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("would silence 2 alert(s)"),
        "{}",
        stdout(&out)
    );
    assert!(am.silences().await.is_empty());
}

#[tokio::test]
async fn words_alertmanager_would_refuse_are_refused_before_anything_is_queued() {
    let am = Alertmanager::start();
    let home = home("refuse");
    for (args, says) in [
        (vec!["alertname=~.*"], "would match every alert"),
        (vec!["service"], "is not a matcher"),
        (vec![r#"alertname=~"(""#], "does not compile"),
    ] {
        let mut all = vec!["silence", "add"];
        all.extend(args);
        all.extend(["--duration", "1h", "--comment", "why"]);
        let out = ondeck(&home, &am.url, &all);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{all:?}: {}", stderr(&out));
    }
    let out = ondeck(
        &home,
        &am.url,
        &[
            "silence",
            "add",
            "a=b",
            "--duration",
            "90d",
            "--comment",
            "why",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("at most 30d"), "{}", stderr(&out));
    assert!(am.silences().await.is_empty());
    let outbox = home.join("state/ondeck/outbox.jsonl");
    let queued = std::fs::read_to_string(&outbox).unwrap_or_default();
    assert!(queued.is_empty(), "nothing queued: {queued}");
}

#[tokio::test]
async fn extend_moves_the_end_of_the_same_silence_and_expire_ends_it() {
    let am = Alertmanager::start();
    fire_disks(&am).await;
    let id = am
        .silence(
            json!([{"name": "alertname", "value": "DiskFull", "isRegex": false}]),
            "kim",
        )
        .await;
    let end = time(&am.active_silences().await[0]["endsAt"]);
    let home = home("extend");

    let out = ondeck(&home, &am.url, &["silence", "extend", &id, "--by", "1h"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("extended silence"),
        "{}",
        stdout(&out)
    );
    let active = am.active_silences().await;
    assert_eq!(
        active.len(),
        1,
        "extended in place, not replaced: {active:#?}"
    );
    assert_eq!(active[0]["id"], id.as_str());
    assert_eq!(active[0]["createdBy"], "kim", "the author stays");
    let new_end = time(&active[0]["endsAt"]);
    assert!(
        close(
            new_end,
            end + chrono::Duration::hours(1),
            chrono::Duration::seconds(1)
        ),
        "{end} → {new_end}"
    );

    let out = ondeck(&home, &am.url, &["silence", "expire", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(am.active_silences().await.is_empty());
    am.wait_until("DiskFull", "active").await;
    // Expiring what is already expired is done, not an error (a retry after a lost answer).
    let out = ondeck(&home, &am.url, &["silence", "expire", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    // An expired silence cannot be extended: said, nothing queued.
    let out = ondeck(&home, &am.url, &["silence", "extend", &id, "--by", "1h"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("has no active silence"),
        "{}",
        stderr(&out)
    );
}

fn source(url: &str) -> AlertmanagerSource {
    let config = am::source_config(url, Duration::from_secs(3600));
    AlertmanagerSource::new(&config, "sam").unwrap()
}

fn entry(kind: WriteKind, incident: &str, silence: SilenceWrite) -> OutboxEntry {
    OutboxEntry {
        id: "1".into(),
        queued_at: Utc::now(),
        user: "sam".into(),
        source: "am".into(),
        incident: incident.into(),
        kind,
        note: None,
        target: None,
        labels: Default::default(),
        silence: Some(Box::new(silence)),
        reroute: None,
    }
}

#[tokio::test]
async fn a_write_delivered_twice_makes_one_silence_and_extends_once() {
    let am = Alertmanager::start();
    fire_disks(&am).await;
    let source = source(&am.url);
    let ends_at = Utc::now() + chrono::Duration::hours(2);
    let add = entry(
        WriteKind::SilenceAdd,
        "",
        SilenceWrite {
            matchers: vec![SilenceMatcher {
                name: "service".into(),
                value: "search".into(),
                is_regex: false,
                is_equal: true,
            }],
            ends_at: Some(ends_at),
            comment: "reindexing".into(),
        },
    );
    source.deliver(Write::new(&add)).await.unwrap();
    // The answer was lost; the outbox sends it again, in doubt.
    let retry = Write {
        entry: &add,
        in_doubt: true,
    };
    source.deliver(retry).await.unwrap();
    let active = am.active_silences().await;
    assert_eq!(active.len(), 1, "one silence, not two: {active:#?}");
    let id = active[0]["id"].as_str().unwrap().to_string();

    let until = ends_at + chrono::Duration::hours(1);
    let extend = entry(
        WriteKind::SilenceExtend,
        &id,
        SilenceWrite {
            matchers: vec![],
            ends_at: Some(until),
            comment: String::new(),
        },
    );
    source.deliver(Write::new(&extend)).await.unwrap();
    source
        .deliver(Write {
            entry: &extend,
            in_doubt: true,
        })
        .await
        .unwrap();
    let active = am.active_silences().await;
    assert_eq!(active.len(), 1, "{active:#?}");
    assert!(
        close(
            time(&active[0]["endsAt"]),
            until,
            chrono::Duration::seconds(1)
        ),
        "set, not stretched twice"
    );

    // Expired by hand since: a late retry of the create does not bring it back.
    let expire = entry(
        WriteKind::SilenceExpire,
        &id,
        SilenceWrite {
            matchers: vec![],
            ends_at: None,
            comment: String::new(),
        },
    );
    source.deliver(Write::new(&expire)).await.unwrap();
    source
        .deliver(Write {
            entry: &add,
            in_doubt: true,
        })
        .await
        .unwrap();
    assert!(
        am.active_silences().await.is_empty(),
        "{:#?}",
        am.silences().await
    );
}

#[tokio::test]
async fn a_silence_confirmed_while_alertmanager_is_down_is_created_once_when_it_is_back() {
    let mut am = Alertmanager::start();
    let home = home("outage");
    am.stop();
    let out = ondeck(
        &home,
        &am.url,
        &[
            "silence",
            "add",
            "service=checkout",
            "--duration",
            "1h",
            "--comment",
            "deploy",
            "--wait",
            "1s",
        ],
    );
    assert_eq!(out.status.code(), Some(75), "kept owed: {}", stderr(&out));
    assert!(stderr(&out).contains("cannot preview"), "{}", stderr(&out));
    assert!(stderr(&out).contains("queued"), "{}", stderr(&out));

    am.restart();
    let out = ondeck(&home, &am.url, &["outbox"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let out = ondeck(&home, &am.url, &["outbox"]);
    assert!(stdout(&out).contains("nothing owed"), "{}", stdout(&out));
    let active = am.active_silences().await;
    assert_eq!(active.len(), 1, "{active:#?}");
    assert_eq!(active[0]["comment"], "deploy");
    // The audit log has it.
    let out = ondeck(&home, &am.url, &["audit"]);
    assert!(stdout(&out).contains("silence"), "{}", stdout(&out));
}

/// The cockpit on a real Alertmanager, on the system clock (silences live in real time).
async fn cockpit(am: &Alertmanager, name: &str) -> Headless {
    let mut config = ondeck::config::Config::demo();
    config.user = "sam".into();
    config.sources = vec![am::source_config(&am.url, Duration::from_secs(3600))];
    Headless::with_config_at(&config, name, false, Clock::System).await
}

#[tokio::test]
async fn the_cockpit_silences_a_group_with_a_preview_and_expires_it_from_the_silences_view() {
    let am = Alertmanager::start();
    fire_disks(&am).await;
    let mut h = cockpit(&am, "amsil-cockpit").await;
    h.press(KeyCode::Char('2')).await;
    // Select the DiskFull group of checkout.
    for _ in 0..3 {
        let selected = h.app.state.selected_incident().map(|i| i.labels.clone());
        if selected.is_some_and(|l| {
            l.get("alertname").map(String::as_str) == Some("DiskFull")
                && l.get("service").map(String::as_str) == Some("checkout")
        }) {
            break;
        }
        h.press(KeyCode::Down).await;
    }
    h.press(KeyCode::Char('s')).await;
    let Some(Overlay::Silence(dialog)) = &h.app.state.overlay else {
        panic!("no dialog: {:?}", h.app.state.flash)
    };
    assert!(
        dialog.matchers.value.contains(r#"alertname="DiskFull""#),
        "{}",
        dialog.matchers.value
    );
    let SilencePreview::Ready { alerts, .. } = &dialog.preview else {
        panic!("Alertmanager answered the preview: {:?}", dialog.preview)
    };
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["service"], "checkout");
    h.type_text("swapping the disk").await;
    h.press(KeyCode::Enter).await;
    assert!(h.app.state.overlay.is_none());
    let flash = h
        .app
        .state
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.ends_with(": done"), "{flash}");
    let active = am.active_silences().await;
    assert_eq!(active.len(), 1, "{active:#?}");
    assert_eq!(active[0]["comment"], "swapping the disk");
    assert_eq!(active[0]["createdBy"], "sam");
    am.wait_for(
        &json!({"alertname": "DiskFull", "service": "checkout"}),
        "suppressed",
    )
    .await;
    // The write is in the audit log.
    assert!(
        h.audit()
            .iter()
            .any(|e| format!("{e:?}").contains("silence")),
        "{:?}",
        h.audit()
    );

    // Read back (the delivery asked for a refresh), then expired from the S view.
    h.press(KeyCode::Char('S')).await;
    assert!(h.app.state.show_silences, "{:?}", h.app.state.flash);
    h.press(KeyCode::Char('x')).await;
    assert!(matches!(h.app.state.overlay, Some(Overlay::Silence(_))));
    h.press(KeyCode::Char('y')).await;
    assert!(am.active_silences().await.is_empty());
    am.wait_for(
        &json!({"alertname": "DiskFull", "service": "checkout"}),
        "active",
    )
    .await;
}
