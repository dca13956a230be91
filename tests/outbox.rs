//! Writes that cannot be delivered yet are kept and retried, never dropped: the built binary
//! against a PagerDuty stub that is down, comes back, answers garbage; ondeck killed with a
//! write owed and started again. The stub counts what reaches it, so "exactly once" is checked
//! on the wire.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-outbox-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("config/ondeck")).unwrap();
    dir
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn write_config(home: &Path, port: u16) {
    let config = format!(
        r#"user = "sam"

[[source]]
name = "pd"
kind = "pagerduty"
url = "http://127.0.0.1:{port}"
token_env = "ONDECK_TEST_PD_TOKEN"
from_email = "sam@example.com"
timeout = "1s"
"#
    );
    std::fs::write(home.join("config/ondeck/config.toml"), config).unwrap();
}

fn ondeck(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ondeck"));
    cmd.env_remove("ONDECK_CONFIG")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("ONDECK_TEST_PD_TOKEN", "pd-secret-token-123");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("the ondeck binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("pd-secret-token-123"),
        "token leaked: {stderr}"
    );
    out
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A PagerDuty stub on `port` that takes status changes for any incident.
async fn pagerduty_on(port: u16) -> MockServer {
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
    let server = MockServer::builder().listener(listener).start().await;
    // An acknowledge first reads the incident (a late resend must never reopen a resolved
    // page): every incident here is still triggered.
    // A write whose earlier attempt may have gone through looks at the notes first.
    Mock::given(method("GET"))
        .and(path_regex("^/incidents/[A-Z0-9]+/notes$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"notes": []})))
        .mount(&server)
        .await;
    let triggered = include_str!("fixtures/pagerduty/incident_triggered.json");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(triggered, "application/json"))
        .mount(&server)
        .await;
    let note = include_str!("fixtures/pagerduty/note_created.json");
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(note, "application/json"))
        .mount(&server)
        .await;
    let body = serde_json::json!({"incident": {"id": "PABC123", "type": "incident", "status": "acknowledged"}});
    Mock::given(method("PUT"))
        .and(header("From", "sam@example.com"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

async fn puts_to(server: &MockServer, incident: &str) -> usize {
    let wanted = format!("/incidents/{incident}");
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == "PUT" && r.url.path() == wanted)
        .count()
}

#[tokio::test]
async fn an_ack_while_the_backend_is_down_is_queued_then_delivered_exactly_once() {
    let home = temp_home("down");
    let port = free_port();
    write_config(&home, port);

    // Down: the write is kept, the exit code says "try again later".
    let out = run(ondeck(&home).args(["ack", "PABC123", "--note", "on it", "--wait", "1s"]));
    assert_eq!(out.status.code(), Some(75), "{}", text(&out));
    assert!(text(&out).contains("queued"), "{}", text(&out));
    let outbox = std::fs::read_to_string(home.join("state/ondeck/outbox.jsonl")).unwrap();
    assert!(
        outbox.contains("PABC123") && outbox.contains("on it"),
        "{outbox}"
    );

    // Killed mid-retry with a second write owed.
    let mut child = ondeck(&home)
        .args(["resolve", "PDEF456", "--wait", "60s"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap();
    let _ = child.wait();

    // Back: the next run resends both, each once.
    let server = pagerduty_on(port).await;
    let out = run(ondeck(&home).arg("outbox"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(puts_to(&server, "PABC123").await, 1);
    assert_eq!(puts_to(&server, "PDEF456").await, 1);
    let ack = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.method.as_str() == "PUT" && r.url.path() == "/incidents/PABC123")
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&ack.body).unwrap();
    assert_eq!(body["incident"]["status"], "acknowledged");
    let notes: Vec<serde_json::Value> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(notes.len(), 1, "the note goes once, with the ack");
    assert_eq!(notes[0]["note"]["content"], "on it");

    // Nothing is owed any more: another run sends nothing.
    let out = run(ondeck(&home).arg("outbox"));
    assert!(text(&out).contains("nothing owed"), "{}", text(&out));
    assert_eq!(puts_to(&server, "PABC123").await, 1);
    assert_eq!(puts_to(&server, "PDEF456").await, 1);

    // The audit log tells the story: queued, then delivered.
    let audit = std::fs::read_to_string(home.join("state/ondeck/audit.jsonl")).unwrap();
    let outcomes: Vec<String> = audit
        .lines()
        .filter(|l| l.contains("PABC123"))
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(outcomes.len(), 2, "{audit}");
    assert!(outcomes[0].starts_with("queued: "), "{outcomes:?}");
    assert_eq!(outcomes[1], "ok");
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn a_refusal_is_a_clear_error_and_is_not_retried() {
    let home = temp_home("garbage");
    let port = free_port();
    write_config(&home, port);
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let server = MockServer::builder().listener(listener).start().await;
    let triggered = include_str!("fixtures/pagerduty/incident_triggered.json");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(triggered, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/incidents/PGARB"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_string("{\"error\": {\"message\": \"Access Denied\", \"code\": 2010}}"),
        )
        .mount(&server)
        .await;
    let out = run(ondeck(&home).args(["ack", "PGARB", "--wait", "5s"]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("Access Denied"), "{}", text(&out));
    // Refused for good: sent once, not owed.
    assert_eq!(puts_to(&server, "PGARB").await, 1);
    let out = run(ondeck(&home).arg("outbox"));
    assert!(text(&out).contains("nothing owed"), "{}", text(&out));
    assert_eq!(puts_to(&server, "PGARB").await, 1);
    let _ = std::fs::remove_dir_all(&home);
}
