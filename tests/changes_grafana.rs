//! Grafana annotations as changes against a stub written from Grafana's HTTP API reference
//! (`GET /api/annotations?from=&to=&tags=&limit=&type=`, epoch milliseconds, newest first,
//! a service account token as `Bearer`): pages by time as far as the server has annotations
//! — answers smaller than asked do not end the list — and a server error fails the read.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::config::parse;
use ondeck::model::ChangeKind;
use ondeck::sources::changes::grafana::GrafanaChanges;

const TOKEN_ENV: &str = "ONDECK_TEST_GRAFANA_TOKEN";
const TOKEN: &str = "glsa_test_9cVq2";

fn until() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 45).unwrap()
}

/// One annotation as Grafana's "Find Annotations" example shapes it.
fn annotation(id: i64, minutes_ago: i64, text: &str, tags: &[&str]) -> Value {
    let time = (until() - chrono::Duration::minutes(minutes_ago)).timestamp_millis();
    json!({
        "id": id,
        "alertId": 0,
        "dashboardId": 468,
        "dashboardUID": "uGlb_lG7z",
        "panelId": 2,
        "userId": 1,
        "newState": "",
        "prevState": "",
        "created": time,
        "updated": time,
        "time": time,
        "timeEnd": time,
        "text": text,
        "tags": tags,
        "login": "ci-bot",
        "email": "ci-bot@example.com",
        "avatarUrl": "/avatar/46d229b033af06a191ff2267bca9ae56",
        "data": {}
    })
}

fn source(server: &MockServer) -> GrafanaChanges {
    // SAFETY: every test sets the same value, so concurrent writers cannot disagree.
    unsafe { std::env::set_var(TOKEN_ENV, TOKEN) };
    let text = format!(
        r#"[[source]]
name = "grafana"
kind = "grafana"
url = "{}"
token_env = "{TOKEN_ENV}"
tags = ["deploy", "prod"]
"#,
        server.uri()
    );
    let config = parse(&text, Path::new("ondeck.toml")).unwrap_or_else(|e| panic!("{e}"));
    GrafanaChanges::new(&config.sources[0]).unwrap()
}

fn page(to: i64) -> wiremock::MockBuilder {
    let from = (until() - chrono::Duration::hours(24)).timestamp_millis();
    Mock::given(method("GET"))
        .and(path("/api/annotations"))
        .and(query_param("from", from.to_string()))
        .and(query_param("to", to.to_string()))
        .and(query_param("type", "annotation"))
        .and(query_param("limit", "100"))
        .and(query_param("tags", "deploy"))
        .and(query_param("tags", "prod"))
        .and(header("authorization", format!("Bearer {TOKEN}")))
}

fn ms(minutes_ago: i64) -> i64 {
    (until() - chrono::Duration::minutes(minutes_ago)).timestamp_millis()
}

#[tokio::test]
async fn annotations_are_read_back_in_time_until_the_server_has_no_more() {
    let server = MockServer::start().await;
    // Three of the 100 asked for: not the end, only what this server answers at once.
    page(until().timestamp_millis())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            annotation(
                31,
                5,
                "Rollback checkout to 1.42",
                &[
                    "deploy",
                    "prod",
                    "rollback",
                    "service:checkout",
                    "version:1.42",
                    "from:1.43"
                ]
            ),
            annotation(
                30,
                30,
                "Deploy checkout 1.43",
                &[
                    "deploy",
                    "prod",
                    "service:checkout",
                    "version:1.43",
                    "from:1.42"
                ]
            ),
            annotation(29, 45, "Deploy of something unnamed", &["deploy", "prod"]),
        ])))
        .expect(1)
        .mount(&server)
        .await;
    // Ending at the oldest seen: it comes again (same millisecond) with the older ones.
    page(ms(45))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            annotation(29, 45, "Deploy of something unnamed", &["deploy", "prod"]),
            annotation(
                12,
                300,
                "inventory pool size 50 → 80",
                &["deploy", "prod", "config", "service:inventory"]
            ),
        ])))
        .expect(1)
        .mount(&server)
        .await;
    page(ms(300))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([annotation(
            12,
            300,
            "inventory pool size 50 → 80",
            &["deploy", "prod", "config", "service:inventory"]
        )])))
        .expect(1)
        .mount(&server)
        .await;
    let snapshot = source(&server)
        .fetch(until() - chrono::Duration::hours(24), until())
        .await
        .unwrap();
    let got: Vec<_> = snapshot
        .changes
        .iter()
        .map(|c| (c.id.as_str(), c.service.as_str(), c.kind, c.what()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "31",
                "checkout",
                ChangeKind::Rollback,
                "1.43 → 1.42".to_string()
            ),
            (
                "30",
                "checkout",
                ChangeKind::Deploy,
                "1.42 → 1.43".to_string()
            ),
            (
                "12",
                "inventory",
                ChangeKind::Config,
                "inventory pool size 50 → 80".to_string()
            ),
        ]
    );
    assert_eq!(snapshot.changes[0].author.as_deref(), Some("ci-bot"));
    assert!(
        snapshot.changes[0]
            .link
            .as_deref()
            .is_some_and(|l| l.starts_with(&format!("{}/d/uGlb_lG7z?", server.uri()))),
        "{:?}",
        snapshot.changes[0].link
    );
    assert_eq!(
        snapshot.warnings,
        vec!["1 annotations without a `service:` tag naming their service left out"]
    );
}

#[tokio::test]
async fn a_server_error_fails_the_read_without_showing_the_token() {
    let server = MockServer::start().await;
    page(until().timestamp_millis())
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"message": "database is locked"})),
        )
        .mount(&server)
        .await;
    let error = source(&server)
        .fetch(until() - chrono::Duration::hours(24), until())
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "HTTP 500: database is locked");
    assert!(!format!("{error:?}").contains(TOKEN));
}
