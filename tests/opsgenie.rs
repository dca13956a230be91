//! Opsgenie against an HTTP stub serving bodies written from the vendor's Swagger schemas
//! (tests/fixtures/opsgenie): what ondeck sends — method, path, query, headers, body — and
//! how it reads every answer, including the 202 + request-status dance of every action.

#[path = "support/opsgenie.rs"]
mod support;

use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::model::{IncidentAction, IncidentStatus, Urgency};
use ondeck::sources::{IncidentSource, SourceError};
use support::{ALERT, AUTH, REQUEST, fixture, json_reply, list, secret_free, source};

/// `POST /v2/alerts/{ALERT}/{verb}?identifierType=id` with exactly `body`, answered 202.
async fn action(server: &MockServer, verb: &str, body: Value) {
    Mock::given(method("POST"))
        .and(path(format!("/v2/alerts/{ALERT}/{verb}")))
        .and(query_param("identifierType", "id"))
        .and(header("authorization", AUTH))
        .and(header("content-type", "application/json"))
        .and(body_json(body))
        .respond_with(json_reply(202, "accepted.json"))
        .expect(1)
        .mount(server)
        .await;
}

async fn request_status(server: &MockServer, fixture_name: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/v2/alerts/requests/{REQUEST}")))
        .and(header("authorization", AUTH))
        .respond_with(json_reply(200, fixture_name))
        .mount(server)
        .await;
}

async fn alert_now(server: &MockServer, fixture_name: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/v2/alerts/{ALERT}")))
        .and(query_param("identifierType", "id"))
        .and(header("authorization", AUTH))
        .respond_with(json_reply(200, fixture_name))
        .mount(server)
        .await;
}

/// A full page: the fixture's first alert a hundred times under distinct ids, linking the
/// next page as Opsgenie does.
fn full_page(server: &MockServer) -> String {
    let mut page: Value = serde_json::from_str(&fixture("alerts_page.json")).unwrap();
    let template = page["data"][0].clone();
    page["data"] = (0..100)
        .map(|n| {
            let mut alert = template.clone();
            alert["id"] = json!(format!("full-{n}"));
            alert
        })
        .collect();
    page["paging"]["next"] = json!(format!(
        "{}/v2/alerts?query=status%3Aopen&limit=100&offset=100&sort=createdAt&order=desc",
        server.uri()
    ));
    page.to_string()
}

#[tokio::test]
async fn alerts_are_read_page_by_page_while_a_next_page_is_linked() {
    let server = MockServer::start().await;
    list("0")
        .respond_with(ResponseTemplate::new(200).set_body_string(full_page(&server)))
        .expect(1)
        .mount(&server)
        .await;
    list("100")
        .respond_with(json_reply(200, "alerts_page.json"))
        .expect(1)
        .mount(&server)
        .await;
    let alerts = source(&server, "").fetch_incidents().await.unwrap();
    assert_eq!(alerts.len(), 102);
    let checkout = &alerts[100];
    assert_eq!(checkout.source, "og");
    assert_eq!(checkout.title, "Checkout latency above SLO");
    assert_eq!(checkout.service, "checkout");
    assert_eq!(checkout.status, IncidentStatus::Acknowledged);
    assert_eq!(checkout.urgency, Urgency::High);
    assert_eq!(checkout.acknowledged_by.as_deref(), Some("ann@example.com"));
    assert_eq!(checkout.labels["tiny_id"], "1791");
    let disk = &alerts[101];
    assert_eq!(disk.status, IncidentStatus::Triggered);
    assert_eq!(disk.urgency, Urgency::Low);
    assert_eq!(disk.severity.as_deref(), Some("P3"));
    assert!(disk.assignees.is_empty());
}

#[tokio::test]
async fn a_poll_shows_who_is_on_call_now_and_next() {
    let server = MockServer::start().await;
    list("0")
        .respond_with(json_reply(200, "alerts_page.json"))
        .mount(&server)
        .await;
    for (what, fixture_name) in [
        ("on-calls", "on_calls_flat.json"),
        ("next-on-calls", "next_on_calls_flat.json"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/v2/schedules/Ops%20Primary/{what}")))
            .and(query_param("scheduleIdentifierType", "name"))
            .and(query_param("flat", "true"))
            .and(header("authorization", AUTH))
            .respond_with(json_reply(200, fixture_name))
            .expect(1)
            .mount(&server)
            .await;
    }
    let snapshot = source(&server, "schedules = [\"Ops Primary\"]")
        .poll_incidents()
        .await
        .unwrap();
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
    assert_eq!(snapshot.incidents.len(), 2);
    let row = &snapshot.oncall[0];
    assert_eq!(row.schedule, "Ops Primary");
    assert_eq!(row.now.as_deref(), Some("earline@example.com"));
    assert_eq!(row.next.as_deref(), Some("tim@example.com"));
}

#[tokio::test]
async fn an_on_call_failure_is_a_warning_and_the_alerts_still_show() {
    let server = MockServer::start().await;
    list("0")
        .respond_with(json_reply(200, "alerts_page.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/schedules/Nope/on-calls"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "message": "Schedule with identifier [Nope] does not exist", "took": 0.01, "requestId": "x"
        })))
        .mount(&server)
        .await;
    let snapshot = source(&server, "schedules = [\"Nope\"]")
        .poll_incidents()
        .await
        .unwrap();
    assert_eq!(snapshot.incidents.len(), 2);
    assert!(snapshot.oncall.is_empty());
    assert!(
        snapshot.warnings[0].contains("does not exist"),
        "{:?}",
        snapshot.warnings
    );
}

#[tokio::test]
async fn acknowledge_carries_user_source_and_note_and_waits_for_processing() {
    let server = MockServer::start().await;
    action(
        &server,
        "acknowledge",
        json!({"user": "earline", "source": "ondeck", "note": "on it"}),
    )
    .await;
    // Not processed yet on the first ask.
    Mock::given(method("GET"))
        .and(path(format!("/v2/alerts/requests/{REQUEST}")))
        .respond_with(json_reply(404, "request_not_processed.json"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    request_status(&server, "request_success.json").await;
    source(&server, "")
        .apply(ALERT, IncidentAction::Acknowledge, Some("on it"))
        .await
        .unwrap();
    let asks = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().starts_with("/v2/alerts/requests/"))
        .count();
    assert_eq!(asks, 2);
}

#[tokio::test]
async fn close_and_unacknowledge_send_no_note_when_none_is_given() {
    let server = MockServer::start().await;
    action(
        &server,
        "close",
        json!({"user": "earline", "source": "ondeck"}),
    )
    .await;
    action(
        &server,
        "unacknowledge",
        json!({"user": "earline", "source": "ondeck"}),
    )
    .await;
    request_status(&server, "request_success.json").await;
    let og = source(&server, "");
    og.apply(ALERT, IncidentAction::Resolve, None)
        .await
        .unwrap();
    og.apply(ALERT, IncidentAction::Unacknowledge, Some("  "))
        .await
        .unwrap();
}

#[tokio::test]
async fn notes_go_through_the_same_request_check() {
    let server = MockServer::start().await;
    action(
        &server,
        "notes",
        json!({"user": "earline", "source": "ondeck", "note": "step 2 done"}),
    )
    .await;
    request_status(&server, "request_success.json").await;
    source(&server, "")
        .add_note(ALERT, "step 2 done")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_failed_request_is_rejected_with_opsgenies_words() {
    let server = MockServer::start().await;
    action(
        &server,
        "close",
        json!({"user": "earline", "source": "ondeck"}),
    )
    .await;
    request_status(&server, "request_failed.json").await;
    alert_now(&server, "alert_open.json").await;
    let error = secret_free(
        source(&server, "")
            .apply(ALERT, IncidentAction::Resolve, None)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        error,
        SourceError::Rejected(format!(
            "Opsgenie did not close alert {ALERT}: Alert could not be closed: insufficient access rights"
        ))
    );
    assert!(!error.is_transient());
}

#[tokio::test]
async fn a_refused_repeat_is_success_when_the_alert_is_already_there() {
    let server = MockServer::start().await;
    action(
        &server,
        "acknowledge",
        json!({"user": "earline", "source": "ondeck"}),
    )
    .await;
    request_status(&server, "request_failed.json").await;
    alert_now(&server, "alert_acknowledged.json").await;
    source(&server, "")
        .apply(ALERT, IncidentAction::Acknowledge, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_request_never_processed_is_a_timeout_that_is_retried() {
    let server = MockServer::start().await;
    action(
        &server,
        "acknowledge",
        json!({"user": "earline", "source": "ondeck"}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/alerts/requests/{REQUEST}")))
        .respond_with(json_reply(404, "request_not_processed.json"))
        .expect(3)
        .mount(&server)
        .await;
    let error = source(&server, "")
        .apply(ALERT, IncidentAction::Acknowledge, None)
        .await
        .unwrap_err();
    assert!(matches!(error, SourceError::Timeout(_)), "{error}");
    assert!(error.is_transient());
}

#[tokio::test]
async fn rate_limits_carry_retry_after_and_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json_reply(429, "error_rate_limited.json").insert_header("retry-after", "12"))
        .mount(&server)
        .await;
    let error = secret_free(
        source(&server, "")
            .apply(ALERT, IncidentAction::Acknowledge, None)
            .await
            .unwrap_err(),
    );
    assert_eq!(error, SourceError::RateLimited(Some(12)));
    assert!(error.is_transient());
}

#[tokio::test]
async fn server_errors_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;
    let error = secret_free(source(&server, "").fetch_incidents().await.unwrap_err());
    assert!(matches!(error, SourceError::Http { status: 502, .. }));
    assert!(error.is_transient());
}

#[tokio::test]
async fn an_unknown_alert_is_rejected_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/alerts/NOPE/close"))
        .respond_with(json_reply(404, "error_not_found.json"))
        .mount(&server)
        .await;
    let error = secret_free(
        source(&server, "")
            .apply("NOPE", IncidentAction::Resolve, None)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        error,
        SourceError::Rejected("Opsgenie has no alert NOPE".into())
    );
    assert!(!error.is_transient());
}

#[tokio::test]
async fn a_malformed_answer_is_reported_as_such() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"data\": [{\"id\": 3}]}"))
        .mount(&server)
        .await;
    let error = secret_free(source(&server, "").fetch_incidents().await.unwrap_err());
    assert!(matches!(error, SourceError::Malformed(_)), "{error}");
    assert!(!error.is_transient());
}
