//! Escalate, reassign and snooze against a PagerDuty stub written from the REST API v2
//! reference (`PUT /incidents/{id}` with `escalation_level` or `assignments`, `POST
//! /incidents/{id}/snooze`): the method, path, body and headers of each write; the server's
//! freedoms (a 5xx or 429 to retry, a 404, a user search that answers in short pages); and
//! a target that is absolute, so a repeated delivery asks for the same thing again.

#[path = "support/pagerduty.rs"]
mod support;

use chrono::Utc;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::outbox::{OutboxEntry, Reroute, Write, WriteKind};
use ondeck::sources::pagerduty::ACCEPT;
use ondeck::sources::{IncidentSource, SourceError};
use support::{AUTH, FROM, json_reply, secret_free, source};

fn entry(kind: WriteKind, reroute: Reroute) -> OutboxEntry {
    OutboxEntry {
        id: "1".into(),
        queued_at: Utc::now(),
        user: "earline".into(),
        source: "pd".into(),
        incident: "PT4KHLK".into(),
        kind,
        note: None,
        target: None,
        labels: Default::default(),
        silence: None,
        reroute: Some(Box::new(reroute)),
    }
}

fn put_incident() -> wiremock::MockBuilder {
    Mock::given(method("PUT"))
        .and(path("/incidents/PT4KHLK"))
        .and(header("authorization", AUTH))
        .and(header("accept", ACCEPT))
        .and(header("from", FROM))
        .and(header("content-type", "application/json"))
}

#[tokio::test]
async fn escalate_sets_the_level_and_a_repeat_sets_the_same_level() {
    let server = MockServer::start().await;
    put_incident()
        .and(body_json(json!({
            "incident": { "type": "incident_reference", "escalation_level": 2 }
        })))
        .respond_with(json_reply(200, "incident_updated.json"))
        .expect(2)
        .mount(&server)
        .await;
    let pd = source(&server, "");
    let write = entry(
        WriteKind::Escalate,
        Reroute {
            level: Some(2),
            ..Reroute::default()
        },
    );
    pd.deliver(Write::new(&write)).await.unwrap();
    pd.deliver(Write {
        entry: &write,
        in_doubt: true,
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn reassign_by_email_looks_the_user_up_through_short_pages() {
    let server = MockServer::start().await;
    // The first page holds fewer users than its limit and says there is more (as the docs
    // allow): the user is on the page at the next offset.
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(query_param("query", "dana@example.com"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "users": [{"id": "PAAAAAA", "type": "user", "email": "dan@example.com", "name": "Dan"}],
            "limit": 25, "offset": 0, "more": true, "total": null
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(query_param("query", "dana@example.com"))
        .and(query_param("offset", "25"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "users": [{"id": "PDANA42", "type": "user", "email": "dana@example.com", "name": "Dana"}],
            "limit": 25, "offset": 25, "more": false, "total": null
        })))
        .mount(&server)
        .await;
    put_incident()
        .and(body_json(json!({
            "incident": {
                "type": "incident_reference",
                "assignments": [{ "assignee": { "id": "PDANA42", "type": "user_reference" } }]
            }
        })))
        .respond_with(json_reply(200, "incident_updated.json"))
        .expect(1)
        .mount(&server)
        .await;
    let pd = source(&server, "");
    let write = entry(
        WriteKind::Reassign,
        Reroute {
            assignee: Some("dana@example.com".into()),
            ..Reroute::default()
        },
    );
    pd.deliver(Write::new(&write)).await.unwrap();
}

#[tokio::test]
async fn snooze_posts_the_seconds_left_until_the_confirmed_end() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/incidents/PT4KHLK/snooze"))
        .and(header("authorization", AUTH))
        .and(header("from", FROM))
        .respond_with(json_reply(201, "incident_updated.json"))
        .expect(1)
        .mount(&server)
        .await;
    let pd = source(&server, "");
    let until = Utc::now() + chrono::Duration::hours(2);
    let write = entry(
        WriteKind::Snooze,
        Reroute {
            until: Some(until),
            ..Reroute::default()
        },
    );
    pd.deliver(Write::new(&write)).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    let seconds = body["duration"].as_i64().unwrap();
    assert!((7_170..=7_200).contains(&seconds), "{body}");

    // A snooze whose end has passed (the backend was down all along) is not sent at all.
    let late = entry(
        WriteKind::Snooze,
        Reroute {
            until: Some(Utc::now() - chrono::Duration::minutes(1)),
            ..Reroute::default()
        },
    );
    let error = pd.deliver(Write::new(&late)).await.unwrap_err();
    assert!(
        matches!(&error, SourceError::Rejected(m) if m.contains("would have ended")),
        "{error:?}"
    );
}

#[tokio::test]
async fn server_trouble_is_retried_and_refusals_keep_pagerdutys_reason() {
    let server = MockServer::start().await;
    put_incident()
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    put_incident()
        .respond_with(json_reply(400, "error_invalid_input.json"))
        .mount(&server)
        .await;
    let pd = source(&server, "");
    let write = entry(
        WriteKind::Escalate,
        Reroute {
            level: Some(9),
            ..Reroute::default()
        },
    );
    let error = secret_free(pd.deliver(Write::new(&write)).await.unwrap_err());
    assert!(error.is_transient(), "a 503 is retried: {error:?}");
    let error = secret_free(pd.deliver(Write::new(&write)).await.unwrap_err());
    assert!(!error.is_transient(), "{error:?}");
    assert!(error.to_string().contains("Invalid Input"), "{error}");

    let missing = MockServer::start().await;
    put_incident()
        .respond_with(json_reply(404, "error_not_found.json"))
        .mount(&missing)
        .await;
    let error = source(&missing, "")
        .deliver(Write::new(&write))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        SourceError::Rejected("PagerDuty has no incident PT4KHLK".into())
    );
}

/// Runs the binary on `config` (TOML) in a home of its own.
fn ondeck(name: &str, config: &str, args: &[&str]) -> std::process::Output {
    let home = std::env::temp_dir().join(format!("ondeck-reroute-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let file = home.join("ondeck.toml");
    std::fs::write(&file, config).unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_ondeck"))
        .env_remove("ONDECK_CONFIG")
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env(support::TOKEN_ENV, support::TOKEN)
        .arg("--config")
        .arg(&file)
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_command_line_escalates_through_the_outbox() {
    let server = MockServer::start().await;
    put_incident()
        .and(body_json(json!({
            "incident": { "type": "incident_reference", "escalation_level": 3 }
        })))
        .respond_with(json_reply(200, "incident_updated.json"))
        .expect(1)
        .mount(&server)
        .await;
    let config = format!(
        "[[source]]\nname = \"pd\"\nkind = \"pagerduty\"\nurl = \"{}\"\ntoken_env = \"{}\"\nfrom_email = \"{FROM}\"\n",
        server.uri(),
        support::TOKEN_ENV
    );
    let out = ondeck(
        "escalate",
        &config,
        &["escalate", "PT4KHLK", "--level", "3"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), "escalated PT4KHLK on pd to level 3");
}

#[test]
fn backends_without_escalation_refuse_in_words_before_queuing() {
    let config =
        "[[source]]\nname = \"am\"\nkind = \"alertmanager\"\nurl = \"http://127.0.0.1:9\"\n";
    for args in [
        vec!["escalate", "3f9c0a1b2c3d", "--level", "2"],
        vec!["snooze", "3f9c0a1b2c3d", "--for", "1h"],
    ] {
        let out = ondeck("refuse", config, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("Alertmanager has no escalation"),
            "{stderr}"
        );
    }
}
