//! PagerDuty against an HTTP stub serving the vendor's published examples
//! (tests/fixtures/pagerduty, from the REST v2 OpenAPI reference): what ondeck sends —
//! method, path, query, headers, body — and how it reads every answer, errors included.

#[path = "support/pagerduty.rs"]
mod support;

use chrono::{TimeZone, Utc};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::model::{IncidentAction, IncidentStatus, Urgency};
use ondeck::sources::pagerduty::ACCEPT;
use ondeck::sources::{IncidentSource, SourceError};
use support::{AUTH, FROM, TOKEN, json_reply, list, secret_free, source, source_at};

/// The incident lookup an acknowledge starts with.
async fn current(server: &MockServer, id: &str, fixture_name: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/incidents/{id}")))
        .and(header("authorization", AUTH))
        .and(header("accept", ACCEPT))
        .respond_with(json_reply(200, fixture_name))
        .mount(server)
        .await;
}

/// `PUT /incidents/{id}` with exactly the documented body and every required header.
fn put_status(id: &str, status: &str) -> wiremock::MockBuilder {
    Mock::given(method("PUT"))
        .and(path(format!("/incidents/{id}")))
        .and(header("authorization", AUTH))
        .and(header("accept", ACCEPT))
        .and(header("from", FROM))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "incident": { "type": "incident_reference", "status": status }
        })))
}

fn post_note(id: &str, content: &str) -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path(format!("/incidents/{id}/notes")))
        .and(header("authorization", AUTH))
        .and(header("accept", ACCEPT))
        .and(header("from", FROM))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({ "note": { "content": content } })))
}

#[tokio::test]
async fn every_page_is_read_until_more_is_false() {
    let server = MockServer::start().await;
    list("0")
        .and(query_param("date_range", "all"))
        .and(query_param_is_missing("user_ids[]"))
        .respond_with(json_reply(200, "incidents_page1.json"))
        .expect(1)
        .mount(&server)
        .await;
    list("100")
        .respond_with(json_reply(200, "incidents_page2.json"))
        .expect(1)
        .mount(&server)
        .await;
    let incidents = source(&server, "").fetch_incidents().await.unwrap();

    assert_eq!(incidents.len(), 2);
    let fire = &incidents[0];
    assert_eq!((fire.id.as_str(), fire.source.as_str()), ("PT4KHLK", "pd"));
    assert_eq!(fire.title, "The server is on fire.");
    assert_eq!(fire.service, "My Mail Service");
    assert_eq!(fire.status, IncidentStatus::Triggered);
    assert_eq!(fire.urgency, Urgency::High);
    assert_eq!(fire.assignees, vec!["Earline Greenholt".to_string()]);
    assert_eq!(fire.severity.as_deref(), Some("P2"));
    assert_eq!(
        fire.escalates_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 21, 3, 20, 0).unwrap())
    );
    assert_eq!(
        fire.links[0].url,
        "https://subdomain.pagerduty.com/incidents/PT4KHLK"
    );
    let disk = &incidents[1];
    assert_eq!(disk.status, IncidentStatus::Acknowledged);
    assert_eq!(disk.urgency, Urgency::Low);
    assert_eq!(disk.acknowledged_by.as_deref(), Some("Bo Chief"));
    assert_eq!(disk.escalates_at, None);
}

#[tokio::test]
async fn filters_go_in_the_query_and_the_users_id_is_looked_up_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(query_param("query", FROM))
        .and(header("authorization", AUTH))
        .and(header("accept", ACCEPT))
        .respond_with(json_reply(200, "users.json"))
        .expect(1)
        .mount(&server)
        .await;
    list("0")
        .and(query_param("service_ids[]", "PIJ90N7"))
        .and(query_param("service_ids[]", "PSVCDB1"))
        .and(query_param("team_ids[]", "PQ9K7I8"))
        .and(query_param("user_ids[]", "PXPGF42"))
        .respond_with(json_reply(200, "incidents_page2.json"))
        .expect(2)
        .mount(&server)
        .await;
    let pd = source(
        &server,
        "services = [\"PIJ90N7\", \"PSVCDB1\"]\nteams = [\"PQ9K7I8\"]\nassigned_to_me = true",
    );
    assert_eq!(pd.fetch_incidents().await.unwrap().len(), 1);
    assert_eq!(
        pd.clone().poll_incidents().await.unwrap().incidents.len(),
        1
    );
}

#[tokio::test]
async fn a_poll_shows_who_holds_the_pager_and_each_incidents_level() {
    let server = MockServer::start().await;
    list("0")
        .respond_with(json_reply(200, "incidents_page1.json"))
        .mount(&server)
        .await;
    list("100")
        .respond_with(json_reply(200, "incidents_page2.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/oncalls"))
        .and(query_param("schedule_ids[]", "PI7DH85"))
        .and(query_param("since", "2026-11-21T03:12:45Z"))
        .and(query_param("until", "2026-11-28T03:12:45Z"))
        .and(header("authorization", AUTH))
        .and(header("accept", ACCEPT))
        .respond_with(json_reply(200, "oncalls_schedules.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/oncalls"))
        .and(query_param("escalation_policy_ids[]", "PT20YPA"))
        .and(query_param_is_missing("schedule_ids[]"))
        .respond_with(json_reply(200, "oncalls_policies.json"))
        .expect(1)
        .mount(&server)
        .await;
    let pd = source(
        &server,
        "schedules = [\"PI7DH85\"]\nescalation_policies = [\"PT20YPA\"]",
    );
    let snapshot = pd.poll_incidents().await.unwrap();

    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
    let schedule = snapshot
        .oncall
        .iter()
        .find(|r| r.schedule == "Daily Engineering Rotation")
        .unwrap();
    assert_eq!(schedule.now.as_deref(), Some("Earline Greenholt"));
    assert_eq!(
        schedule.now_until,
        Some(Utc.with_ymd_and_hms(2026, 11, 21, 15, 0, 0).unwrap())
    );
    assert_eq!(schedule.next.as_deref(), Some("Tim Wright"));
    assert_eq!(schedule.next_from, schedule.now_until);
    let second = snapshot
        .oncall
        .iter()
        .find(|r| r.schedule == "Engineering Escalation Policy" && r.level == Some(2))
        .unwrap();
    assert_eq!(second.now.as_deref(), Some("Bo Chief"));
    // PKX7F3Q is held by the level-2 responder: it has escalated once.
    let levels: Vec<(&str, Option<u32>)> = snapshot
        .incidents
        .iter()
        .map(|i| (i.id.as_str(), i.escalation_level))
        .collect();
    assert_eq!(levels, vec![("PT4KHLK", Some(1)), ("PKX7F3Q", Some(2))]);
}

#[tokio::test]
async fn an_on_call_failure_is_a_warning_and_the_pages_still_show() {
    let server = MockServer::start().await;
    list("0")
        .respond_with(json_reply(200, "incidents_page2.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/oncalls"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "error": { "message": "Access Denied", "code": 2010 }
        })))
        .mount(&server)
        .await;
    let snapshot = source(&server, "schedules = [\"PI7DH85\"]")
        .poll_incidents()
        .await
        .unwrap();
    assert_eq!(snapshot.incidents.len(), 1);
    assert!(snapshot.oncall.is_empty());
    assert_eq!(snapshot.warnings.len(), 1);
    assert!(
        snapshot.warnings[0].contains("HTTP 403: Access Denied"),
        "{:?}",
        snapshot.warnings
    );
    assert!(!snapshot.warnings[0].contains(TOKEN));
}

#[tokio::test]
async fn acknowledge_puts_the_status_then_adds_the_note_as_the_from_user() {
    let server = MockServer::start().await;
    current(&server, "PT4KHLK", "incident_triggered.json").await;
    put_status("PT4KHLK", "acknowledged")
        .respond_with(json_reply(200, "incident_updated.json"))
        .expect(1)
        .mount(&server)
        .await;
    post_note("PT4KHLK", "looking at the mail queue")
        .respond_with(json_reply(201, "note_created.json"))
        .expect(1)
        .mount(&server)
        .await;
    source(&server, "")
        .apply(
            "PT4KHLK",
            IncidentAction::Acknowledge,
            Some("looking at the mail queue"),
        )
        .await
        .unwrap();
    let order: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        order,
        [
            "GET /incidents/PT4KHLK",
            "PUT /incidents/PT4KHLK",
            "POST /incidents/PT4KHLK/notes"
        ]
    );
}

#[tokio::test]
async fn resolve_without_a_note_sends_only_the_status() {
    let server = MockServer::start().await;
    put_status("PT4KHLK", "resolved")
        .respond_with(json_reply(200, "incident_updated.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/incidents/PT4KHLK/notes"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    source(&server, "")
        .apply("PT4KHLK", IncidentAction::Resolve, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn acknowledging_twice_succeeds_twice() {
    let server = MockServer::start().await;
    current(&server, "PT4KHLK", "incident_acknowledged.json").await;
    put_status("PT4KHLK", "acknowledged")
        .respond_with(json_reply(200, "incident_updated.json"))
        .expect(2)
        .mount(&server)
        .await;
    let pd = source(&server, "");
    pd.apply("PT4KHLK", IncidentAction::Acknowledge, None)
        .await
        .unwrap();
    pd.apply("PT4KHLK", IncidentAction::Acknowledge, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_late_acknowledge_never_reopens_a_resolved_incident() {
    let server = MockServer::start().await;
    current(&server, "PT4KHLK", "incident_resolved.json").await;
    Mock::given(method("PUT"))
        .respond_with(json_reply(200, "incident_updated.json"))
        .expect(0)
        .mount(&server)
        .await;
    source(&server, "")
        .apply("PT4KHLK", IncidentAction::Acknowledge, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn resolving_a_resolved_incident_is_success() {
    let server = MockServer::start().await;
    put_status("PT4KHLK", "resolved")
        .respond_with(json_reply(400, "error_invalid_input.json"))
        .expect(1)
        .mount(&server)
        .await;
    current(&server, "PT4KHLK", "incident_resolved.json").await;
    source(&server, "")
        .apply("PT4KHLK", IncidentAction::Resolve, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_refused_transition_on_an_open_incident_is_an_error_not_retried() {
    let server = MockServer::start().await;
    put_status("PT4KHLK", "resolved")
        .respond_with(json_reply(400, "error_invalid_input.json"))
        .mount(&server)
        .await;
    current(&server, "PT4KHLK", "incident_triggered.json").await;
    let error = secret_free(
        source(&server, "")
            .apply("PT4KHLK", IncidentAction::Resolve, None)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        error,
        SourceError::Http {
            status: 400,
            message: "Invalid Input Provided".into()
        }
    );
    assert!(!error.is_transient());
}

#[tokio::test]
async fn unacknowledge_is_refused_in_words_without_a_request() {
    let server = MockServer::start().await;
    let error = source(&server, "")
        .apply("PT4KHLK", IncidentAction::Unacknowledge, None)
        .await
        .unwrap_err();
    assert!(matches!(&error, SourceError::Rejected(m) if m.contains("no un-acknowledge")));
    assert!(!error.is_transient());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn add_note_posts_the_text() {
    let server = MockServer::start().await;
    post_note("PT4KHLK", "step 2 done: queue drained")
        .respond_with(json_reply(201, "note_created.json"))
        .expect(1)
        .mount(&server)
        .await;
    source(&server, "")
        .add_note("PT4KHLK", "step 2 done: queue drained")
        .await
        .unwrap();
}

#[tokio::test]
async fn rate_limits_carry_retry_after_and_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .respond_with(json_reply(429, "error_rate_limited.json").insert_header("retry-after", "30"))
        .mount(&server)
        .await;
    let error = secret_free(source(&server, "").fetch_incidents().await.unwrap_err());
    assert_eq!(error, SourceError::RateLimited(Some(30)));
    assert!(error.is_transient());
}

#[tokio::test]
async fn server_errors_are_retried() {
    let server = MockServer::start().await;
    put_status("PT4KHLK", "resolved")
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream unavailable"))
        .mount(&server)
        .await;
    let error = secret_free(
        source(&server, "")
            .apply("PT4KHLK", IncidentAction::Resolve, None)
            .await
            .unwrap_err(),
    );
    assert!(matches!(error, SourceError::Http { status: 503, .. }));
    assert!(error.is_transient());
}

#[tokio::test]
async fn an_unknown_incident_is_rejected_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/incidents/NOPE"))
        .respond_with(json_reply(404, "error_not_found.json"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/incidents/NOPE"))
        .respond_with(json_reply(404, "error_not_found.json"))
        .mount(&server)
        .await;
    let pd = source(&server, "");
    for action in [IncidentAction::Acknowledge, IncidentAction::Resolve] {
        let error = secret_free(pd.apply("NOPE", action, None).await.unwrap_err());
        assert_eq!(
            error,
            SourceError::Rejected("PagerDuty has no incident NOPE".into())
        );
        assert!(!error.is_transient());
    }
}

#[tokio::test]
async fn a_malformed_answer_is_reported_as_such() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"incidents\": [{\"id\": "))
        .mount(&server)
        .await;
    let error = secret_free(source(&server, "").fetch_incidents().await.unwrap_err());
    assert!(matches!(error, SourceError::Malformed(_)), "{error}");
    assert!(!error.is_transient());
}

#[tokio::test]
async fn a_dead_server_is_unreachable_and_retried() {
    // A port nobody listens on (wiremock's servers are pooled and outlive `drop`).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let pd = source_at(&url, "");
    let error = secret_free(
        pd.apply("PT4KHLK", IncidentAction::Resolve, None)
            .await
            .unwrap_err(),
    );
    assert!(error.is_transient(), "{error}");
}
