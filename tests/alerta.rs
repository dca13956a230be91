//! ondeck's Alerta source against a real Alerta 9.1 on PostgreSQL: list, acknowledge (checked
//! on the server itself and in the next poll), acknowledge twice, un-acknowledge, close, notes,
//! a wrong API key and an unknown alert. Paging and the exact requests are checked against a
//! stub shaped like Alerta's answers. Needs PostgreSQL and the Alerta venv
//! (scripts/install-test-deps); without them these tests fail, they never skip.

#[path = "support/paging.rs"]
mod paging;
#[path = "support/alerta.rs"]
mod support;

use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::config::SecretRef;
use ondeck::model::{Incident, IncidentAction, IncidentStatus, Urgency};
use ondeck::sources::alerta::AlertaSource;
use ondeck::sources::{IncidentSource, SourceError};

fn source() -> AlertaSource {
    AlertaSource::new(&support::admin_source(), "alice").unwrap()
}

/// A fresh alert on a resource of its own, so tests running side by side never collide.
async fn new_alert(resource: &str, severity: &str) -> String {
    support::post_alert(json!({
        "resource": resource,
        "event": "HttpServerError",
        "environment": "Production",
        "severity": severity,
        "service": ["checkout"],
        "group": "Web",
        "text": format!("5xx on {resource}"),
        "tags": ["team=payments", "noisy"],
        "attributes": {"runbookUrl": "https://runbooks.example.com/5xx", "region": "eu-west-1"},
        "origin": "ondeck-tests"
    }))
    .await
}

/// [`new_alert`] on a resource named at run time.
async fn new_alert_on(resource: String, severity: &str) -> String {
    new_alert(&resource, severity).await
}

async fn polled(id: &str) -> Option<Incident> {
    let snapshot = source().poll_incidents().await.unwrap();
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
    snapshot.incidents.into_iter().find(|i| i.id == id)
}

fn history_texts(alert: &serde_json::Value) -> Vec<(String, String)> {
    alert["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["type"].as_str().unwrap_or_default().to_string(),
                h["text"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn open_alerts_are_listed_with_their_alerta_fields() {
    let major = new_alert("web-list-1", "major").await;
    let minor = support::post_alert(json!({
        "resource": "db-list-1",
        "event": "DiskFilling",
        "environment": "Production",
        "severity": "minor",
        "service": ["storage"],
    }))
    .await;

    let page = polled(&major).await.expect("the major alert is listed");
    assert_eq!(page.source, "alerta");
    assert_eq!(page.title, "5xx on web-list-1");
    assert_eq!(page.service, "checkout");
    assert_eq!(page.status, IncidentStatus::Triggered);
    assert_eq!(page.severity.as_deref(), Some("major"));
    assert_eq!(page.urgency, Urgency::High);
    assert_eq!(
        page.runbook.as_deref(),
        Some("https://runbooks.example.com/5xx")
    );
    assert_eq!(
        page.labels.get("team").map(String::as_str),
        Some("payments")
    );
    assert_eq!(page.labels.get("tag").map(String::as_str), Some("noisy"));
    assert_eq!(
        page.labels.get("region").map(String::as_str),
        Some("eu-west-1")
    );
    assert_eq!(
        page.labels.get("environment").map(String::as_str),
        Some("Production")
    );
    assert_eq!(
        page.labels.get("resource").map(String::as_str),
        Some("web-list-1")
    );
    let server_side = support::alerta_says(&major).await;
    assert_eq!(
        page.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        server_side["createTime"].as_str().unwrap()
    );
    assert!(
        page.links
            .iter()
            .any(|l| l.url == server_side["href"].as_str().unwrap())
    );

    let quiet = polled(&minor).await.expect("the minor alert is listed");
    assert_eq!(quiet.title, "DiskFilling on db-list-1");
    assert_eq!(quiet.urgency, Urgency::Low);
}

#[tokio::test]
async fn ack_changes_the_status_on_the_server_and_in_the_next_poll() {
    let id = new_alert("web-ack-1", "critical").await;
    source()
        .apply(&id, IncidentAction::Acknowledge, Some("looking at the LB"))
        .await
        .unwrap();

    let alert = support::alerta_says(&id).await;
    assert_eq!(alert["status"], "ack");
    assert!(history_texts(&alert).contains(&("ack".into(), "looking at the LB".into())));

    let incident = polled(&id).await.expect("acked alerts are still listed");
    assert_eq!(incident.status, IncidentStatus::Acknowledged);
    assert_eq!(incident.acknowledged_by.as_deref(), Some(support::KEY_USER));
    assert!(incident.acknowledged_at.is_some());
}

#[tokio::test]
async fn acking_twice_succeeds_and_acks_once() {
    let id = new_alert("web-ack-2", "major").await;
    let ondeck = source();
    ondeck
        .apply(&id, IncidentAction::Acknowledge, None)
        .await
        .unwrap();
    ondeck
        .apply(&id, IncidentAction::Acknowledge, None)
        .await
        .expect("acking an acked alert is success");

    let alert = support::alerta_says(&id).await;
    assert_eq!(alert["status"], "ack");
    let acks: Vec<_> = history_texts(&alert)
        .into_iter()
        .filter(|(kind, _)| kind == "ack")
        .collect();
    assert_eq!(
        acks,
        vec![(
            "ack".to_string(),
            "acknowledged in ondeck by alice".to_string()
        )],
        "one ack, its text naming the ondeck user"
    );
}

#[tokio::test]
async fn unack_gives_the_alert_back() {
    let id = new_alert("web-unack-1", "major").await;
    let ondeck = source();
    ondeck
        .apply(&id, IncidentAction::Acknowledge, None)
        .await
        .unwrap();
    ondeck
        .apply(
            &id,
            IncidentAction::Unacknowledge,
            Some("not mine after all"),
        )
        .await
        .unwrap();
    assert_eq!(support::alerta_says(&id).await["status"], "open");
    assert_eq!(polled(&id).await.unwrap().status, IncidentStatus::Triggered);
    ondeck
        .apply(&id, IncidentAction::Unacknowledge, None)
        .await
        .expect("un-acking an open alert is success");
}

#[tokio::test]
async fn close_resolves_on_the_server_and_leaves_the_list() {
    let id = new_alert("web-close-1", "critical").await;
    let ondeck = source();
    ondeck
        .apply(&id, IncidentAction::Resolve, Some("rolled back"))
        .await
        .unwrap();
    let alert = support::alerta_says(&id).await;
    assert_eq!(alert["status"], "closed");
    assert!(history_texts(&alert).contains(&("close".into(), "rolled back".into())));
    assert!(polled(&id).await.is_none(), "closed alerts are not polled");

    ondeck
        .apply(&id, IncidentAction::Resolve, None)
        .await
        .expect("closing a closed alert is success");
    let err = ondeck
        .apply(&id, IncidentAction::Acknowledge, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SourceError::Rejected(m) if m.contains("closed")),
        "{err:?}"
    );
    assert!(
        !err.is_transient(),
        "acking a closed alert is never retried"
    );
}

#[tokio::test]
async fn a_note_lands_on_the_alert() {
    let id = new_alert("web-note-1", "warning").await;
    source()
        .add_note(&id, "step 2 done: drained web-note-1")
        .await
        .unwrap();
    let notes = support::notes_of(&id).await;
    assert!(
        notes
            .iter()
            .any(|n| n["text"] == "step 2 done: drained web-note-1"),
        "{notes:?}"
    );
}

#[tokio::test]
async fn a_wrong_api_key_is_a_clear_401_without_the_key() {
    let wrong = "wrong-key-7b1e0c55d3a94f26";
    let key = SecretRef::File(support::key_file("wrong.key", wrong));
    let config = support::source_config(&support::server().url, Some(key));
    let ondeck = AlertaSource::new(&config, "alice").unwrap();
    let err = ondeck.poll_incidents().await.unwrap_err();
    let SourceError::Http { status, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 401);
    assert!(
        message.contains("API key") && message.contains("token"),
        "{message}"
    );
    assert!(!err.to_string().contains(wrong), "{err}");
    assert!(!err.is_transient());

    let id = new_alert("web-key-1", "major").await;
    let err = ondeck
        .apply(&id, IncidentAction::Acknowledge, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SourceError::Http { status: 401, .. }),
        "{err:?}"
    );
    assert!(!err.to_string().contains(wrong));
    assert_eq!(support::alerta_says(&id).await["status"], "open");

    let keyless = AlertaSource::new(
        &support::source_config(&support::server().url, None),
        "alice",
    )
    .unwrap();
    let err = keyless.fetch_incidents().await.unwrap_err();
    assert!(
        matches!(&err, SourceError::Http { status: 401, message } if message.contains("set a token")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unknown_alert_is_rejected_not_retried() {
    let ondeck = source();
    let missing = "00000000-0000-4000-8000-000000000000";
    for action in [IncidentAction::Acknowledge, IncidentAction::Resolve] {
        let err = ondeck.apply(missing, action, None).await.unwrap_err();
        assert_eq!(err, SourceError::Rejected(format!("no alert {missing}")));
        assert!(!err.is_transient());
    }
    let err = ondeck.add_note(missing, "hello").await.unwrap_err();
    assert!(!err.is_transient(), "{err:?}");
}

#[tokio::test]
async fn history_gives_each_alerts_first_ack_and_close_as_alerta_recorded_them() {
    let since = chrono::Utc::now() - chrono::Duration::days(30);
    let handled = new_alert("web-history-1", "critical").await;
    let waiting = new_alert("web-history-2", "major").await;
    let ondeck = source();
    for action in [
        IncidentAction::Acknowledge,
        IncidentAction::Unacknowledge,
        IncidentAction::Acknowledge,
        IncidentAction::Resolve,
    ] {
        ondeck.apply(&handled, action, None).await.unwrap();
    }
    let until = chrono::Utc::now();
    let report = ondeck
        .with_page_size(3)
        .history(since, until)
        .await
        .unwrap();
    let ondeck::model::HistoryReport::Recorded(history) = report else {
        panic!("{report:?}")
    };
    let past = |id: &str| {
        history
            .incidents
            .iter()
            .find(|i| i.id == id)
            .unwrap_or_else(|| panic!("{id} is in the history"))
            .clone()
    };
    // Alerta's own record of the same alert: its first `ack` and its `close`.
    let alert = support::alerta_says(&handled).await;
    let times = |kind: &str| -> Vec<chrono::DateTime<chrono::Utc>> {
        alert["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["type"] == kind)
            .map(|h| h["updateTime"].as_str().unwrap().parse().unwrap())
            .collect()
    };
    let handled = past(&handled);
    assert_eq!(handled.acknowledged_at, times("ack").into_iter().min());
    assert_eq!(handled.resolved_at, times("close").into_iter().max());
    assert_eq!(
        handled.created_at,
        alert["createTime"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    let waiting = past(&waiting);
    assert_eq!((waiting.acknowledged_at, waiting.resolved_at), (None, None));
}

// ---- Stubbed Alerta: the exact requests, paging, server errors ----

fn stub_alert(id: &str, status: &str) -> serde_json::Value {
    json!({
        "id": id, "resource": "web01", "event": "HttpServerError", "environment": "Production",
        "severity": "major", "status": status, "service": ["example.com"], "group": "Web",
        "text": "Site is down.", "tags": [], "attributes": {},
        "href": format!("http://localhost:8080/alert/{id}"),
        "createTime": "2017-01-01T12:00:01.662Z", "history": []
    })
}

/// A source at a stub; its key file lives beside the test binary's other temp files, so the
/// stub tests do not need the real server.
fn stub_source(url: &str) -> AlertaSource {
    let key = std::env::temp_dir().join(format!("ondeck-alerta-stub-{}.key", std::process::id()));
    std::fs::write(&key, "stub-key-1").unwrap();
    let config = support::source_config(url, Some(SecretRef::File(key.clone())));
    let source = AlertaSource::new(&config, "alice").unwrap();
    let _ = std::fs::remove_file(key);
    source
}

#[tokio::test]
async fn every_page_is_read_while_alerta_says_there_is_more() {
    let stub = MockServer::start().await;
    for (page, more, id) in [("1", true, "a-1"), ("2", false, "a-2")] {
        Mock::given(method("GET"))
            .and(path("/alerts"))
            .and(query_param("status", "open"))
            .and(query_param("status", "ack"))
            .and(query_param("show-history", "true"))
            .and(query_param("page-size", "100"))
            .and(query_param("page", page))
            .and(header("authorization", "Key stub-key-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "status": "ok", "alerts": [stub_alert(id, "open")], "more": more,
                "page": page.parse::<u32>().unwrap(), "pageSize": 100, "pages": 2, "total": 2
            })))
            .expect(1)
            .mount(&stub)
            .await;
    }
    let ids: Vec<String> = stub_source(&stub.uri())
        .fetch_incidents()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, ["a-1", "a-2"]);
}

#[tokio::test]
async fn a_server_with_smaller_pages_than_asked_is_read_to_its_last_page() {
    let stub = MockServer::start().await;
    let alerts: Vec<serde_json::Value> = (0..5)
        .map(|n| stub_alert(&format!("a-{n}"), "open"))
        .collect();
    Mock::given(method("GET"))
        .and(path("/alerts"))
        .respond_with(paging::AlertaPages { alerts, cap: 2 })
        .mount(&stub)
        .await;
    let snapshot = stub_source(&stub.uri()).poll_incidents().await.unwrap();
    let ids: Vec<&str> = snapshot.incidents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["a-0", "a-1", "a-2", "a-3", "a-4"]);
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
    let pages: Vec<String> = stub
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter_map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(pages, ["1", "2", "3"], "no request past the last page");
}

#[tokio::test]
async fn a_real_alerta_paged_two_at_a_time_lists_every_open_alert_once() {
    let mine: Vec<String> = futures_util::future::join_all(
        (0..5).map(|n| new_alert_on(format!("web-paging-{n}"), "major")),
    )
    .await;
    let snapshot = source().with_page_size(2).poll_incidents().await.unwrap();
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
    let listed: Vec<&str> = snapshot.incidents.iter().map(|i| i.id.as_str()).collect();
    for id in &mine {
        assert_eq!(
            listed.iter().filter(|l| *l == id).count(),
            1,
            "{id} is listed exactly once"
        );
    }
    // Five alerts at two a page is three pages at least: the last one was reached.
    assert!(listed.len() >= 5, "{listed:?}");
}

#[tokio::test]
async fn an_action_is_a_put_with_alertas_verb_and_the_note() {
    let stub = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/alert/a%2F1/action"))
        .and(header("authorization", "Key stub-key-1"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"action": "close", "text": "fixed"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "ok"})))
        .expect(1)
        .mount(&stub)
        .await;
    Mock::given(method("PUT"))
        .and(path("/alert/a%2F1/note"))
        .and(body_json(json!({"text": "step 1 done"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"status": "ok"})))
        .expect(1)
        .mount(&stub)
        .await;
    let ondeck = stub_source(&stub.uri());
    ondeck
        .apply("a/1", IncidentAction::Resolve, Some("fixed"))
        .await
        .unwrap();
    ondeck.add_note("a/1", "step 1 done").await.unwrap();
}

#[tokio::test]
async fn a_server_error_is_transient_and_names_alertas_message() {
    let stub = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({
            "status": "error", "message": "database is restarting", "code": 503, "errors": null
        })))
        .mount(&stub)
        .await;
    let err = stub_source(&stub.uri())
        .apply("a-1", IncidentAction::Acknowledge, None)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SourceError::Http {
            status: 503,
            message: "database is restarting".into()
        }
    );
    assert!(err.is_transient(), "the outbox retries it");
}
