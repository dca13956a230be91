//! The Alertmanager incident source against a real Alertmanager (API v2): alerts grouped into
//! incidents, acknowledge as a silence checked on the server itself, un-acknowledge, resolve
//! refused, notes in the silence comment, and what a dead or garbled server looks like.
//! Needs `prometheus-alertmanager` (scripts/install-test-deps); without it these tests fail,
//! they never skip. Stubs (wiremock) only stand in for answers a real server never gives.

#[path = "support/alertmanager.rs"]
mod support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::model::{Incident, IncidentAction, IncidentSnapshot, IncidentStatus, Urgency};
use ondeck::outbox::{OutboxEntry, Write, WriteKind};
use ondeck::sources::alertmanager::AlertmanagerSource;
use ondeck::sources::{IncidentSource, SourceError};
use support::{Alertmanager, source_config};

const USER: &str = "sam";
const SILENCE: Duration = Duration::from_secs(15 * 60);

fn source(url: &str) -> AlertmanagerSource {
    AlertmanagerSource::new(&source_config(url, SILENCE), USER).unwrap()
}

/// Two `HighErrorRate` alerts of `checkout` and one `DiskFilling` alert without a service.
async fn fire_fleet(am: &Alertmanager) {
    am.fire(&[
        (
            json!({"alertname": "HighErrorRate", "service": "checkout", "severity": "critical", "instance": "a"}),
            json!({"summary": "checkout errors above 2%", "description": "5xx share is 4%",
                   "runbook_url": "https://runbooks.test/checkout-errors"}),
            20,
        ),
        (
            json!({"alertname": "HighErrorRate", "service": "checkout", "severity": "critical", "instance": "b"}),
            json!({"summary": "checkout errors above 2%"}),
            5,
        ),
        (
            json!({"alertname": "DiskFilling", "job": "node", "severity": "warning", "runbook": "disk-full"}),
            json!({}),
            60,
        ),
    ])
    .await;
}

async fn poll(source: &AlertmanagerSource) -> IncidentSnapshot {
    source.poll_incidents().await.unwrap()
}

fn named<'a>(snapshot: &'a IncidentSnapshot, alertname: &str) -> &'a Incident {
    snapshot
        .incidents
        .iter()
        .find(|i| i.labels.get("alertname").map(String::as_str) == Some(alertname))
        .unwrap_or_else(|| panic!("no {alertname} incident in {:#?}", snapshot.incidents))
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn firing_alerts_become_one_incident_per_alertname_and_service() {
    let am = Alertmanager::start();
    fire_fleet(&am).await;
    let snapshot = poll(&source(&am.url)).await;
    assert_eq!(snapshot.incidents.len(), 2, "{:#?}", snapshot.incidents);
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);

    let checkout = named(&snapshot, "HighErrorRate");
    assert_eq!(checkout.title, "checkout errors above 2% (2 alerts)");
    assert_eq!(checkout.service, "checkout");
    assert_eq!(checkout.status, IncidentStatus::Triggered);
    assert_eq!(checkout.urgency, Urgency::High);
    assert_eq!(checkout.severity.as_deref(), Some("critical"));
    assert_eq!(checkout.description.as_deref(), Some("5xx share is 4%"));
    assert_eq!(
        checkout.runbook.as_deref(),
        Some("https://runbooks.test/checkout-errors")
    );
    assert!(!checkout.suppressed);
    let age = Utc::now() - checkout.created_at;
    assert!(
        (19..=21).contains(&age.num_minutes()),
        "created when the oldest alert started: {age}"
    );
    let urls: Vec<&str> = checkout.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "http://prometheus.test/graph?g0.expr=up",
            "https://runbooks.test/checkout-errors"
        ]
    );
    assert_eq!(checkout.id.len(), 12);

    let disk = named(&snapshot, "DiskFilling");
    assert_eq!(disk.title, "DiskFilling");
    assert_eq!(disk.service, "node", "no service label: the job");
    assert_eq!(disk.urgency, Urgency::Low);
    assert_eq!(disk.runbook.as_deref(), Some("disk-full"));

    let again = poll(&source(&am.url)).await;
    assert_eq!(
        named(&again, "HighErrorRate").id,
        checkout.id,
        "ids stay the same from poll to poll and source to source"
    );
}

#[tokio::test]
async fn acknowledge_creates_a_silence_the_server_applies() {
    let am = Alertmanager::start();
    fire_fleet(&am).await;
    let source = source(&am.url);
    let id = named(&poll(&source).await, "HighErrorRate").id.clone();

    source
        .apply(
            &id,
            IncidentAction::Acknowledge,
            Some("on it, rolling back"),
        )
        .await
        .unwrap();
    let silences = am.active_silences().await;
    assert_eq!(silences.len(), 1, "{silences:#?}");
    let silence = &silences[0];
    assert_eq!(
        silence["matchers"],
        json!([
            {"name": "alertname", "value": "HighErrorRate", "isRegex": false, "isEqual": true},
            {"name": "service", "value": "checkout", "isRegex": false, "isEqual": true}
        ])
    );
    assert_eq!(silence["createdBy"], USER);
    assert_eq!(silence["comment"], "on it, rolling back");
    let length = time(&silence["endsAt"]) - time(&silence["startsAt"]);
    assert!(
        (length - chrono::Duration::minutes(15)).num_seconds().abs() <= 5,
        "lasts the configured 15 minutes: {length}"
    );
    assert!(
        (time(&silence["startsAt"]) - Utc::now())
            .num_seconds()
            .abs()
            <= 5
    );

    am.wait_until("HighErrorRate", "suppressed").await;
    am.wait_until("DiskFilling", "active").await;
    let snapshot = poll(&source).await;
    let checkout = named(&snapshot, "HighErrorRate");
    assert_eq!(checkout.status, IncidentStatus::Acknowledged);
    assert_eq!(checkout.acknowledged_by.as_deref(), Some(USER));
    assert_eq!(
        checkout.acknowledged_at,
        Some(time(&silence["startsAt"])),
        "acknowledged when the silence started"
    );
    assert!(checkout.suppressed);
    assert_eq!(
        named(&snapshot, "DiskFilling").status,
        IncidentStatus::Triggered
    );
    assert_eq!(snapshot.silences.len(), 1);
    assert_eq!(snapshot.silences[0].matching_alerts, 2);
    assert_eq!(snapshot.silences[0].created_by, USER);
}

#[tokio::test]
async fn an_alert_without_a_group_label_is_silenced_without_silencing_its_neighbours() {
    let am = Alertmanager::start();
    fire_fleet(&am).await;
    am.fire(&[(
        json!({"alertname": "DiskFilling", "service": "db", "severity": "warning"}),
        json!({}),
        1,
    )])
    .await;
    let source = source(&am.url);
    let snapshot = poll(&source).await;
    let unowned = snapshot
        .incidents
        .iter()
        .find(|i| {
            i.labels.get("alertname").map(String::as_str) == Some("DiskFilling")
                && i.service == "node"
        })
        .unwrap();
    source
        .apply(&unowned.id, IncidentAction::Acknowledge, None)
        .await
        .unwrap();
    let silences = am.active_silences().await;
    assert_eq!(silences[0]["comment"], "acknowledged in ondeck by sam");
    assert_eq!(
        silences[0]["matchers"][1]["value"], "",
        "service must be absent"
    );
    // The alert without a service label goes quiet; the same alert name on `db` still pages.
    am.wait_for(
        &json!({"alertname": "DiskFilling", "service": null}),
        "suppressed",
    )
    .await;
    am.wait_for(
        &json!({"alertname": "DiskFilling", "service": "db"}),
        "active",
    )
    .await;
}

#[tokio::test]
async fn acknowledging_twice_makes_one_silence() {
    let am = Alertmanager::start();
    fire_fleet(&am).await;
    let source = source(&am.url);
    let id = named(&poll(&source).await, "HighErrorRate").id.clone();

    // The retry comes before Alertmanager has marked the alerts silenced…
    source
        .apply(&id, IncidentAction::Acknowledge, None)
        .await
        .unwrap();
    source
        .apply(&id, IncidentAction::Acknowledge, None)
        .await
        .unwrap();
    am.wait_until("HighErrorRate", "suppressed").await;
    // …and after.
    source
        .apply(&id, IncidentAction::Acknowledge, None)
        .await
        .unwrap();
    assert_eq!(am.silences().await.len(), 1, "{:#?}", am.silences().await);
}

#[tokio::test]
async fn unacknowledge_expires_the_silence_and_the_incident_pages_again() {
    let am = Alertmanager::start();
    fire_fleet(&am).await;
    let source = source(&am.url);
    let id = named(&poll(&source).await, "HighErrorRate").id.clone();
    source
        .apply(&id, IncidentAction::Acknowledge, None)
        .await
        .unwrap();
    am.wait_until("HighErrorRate", "suppressed").await;

    source
        .apply(&id, IncidentAction::Unacknowledge, None)
        .await
        .unwrap();
    let silences = am.silences().await;
    assert_eq!(silences.len(), 1);
    assert_eq!(silences[0]["status"]["state"], "expired", "{silences:#?}");
    am.wait_until("HighErrorRate", "active").await;
    let snapshot = poll(&source).await;
    let checkout = named(&snapshot, "HighErrorRate");
    assert_eq!(checkout.status, IncidentStatus::Triggered);
    assert!(!checkout.suppressed);
    assert_eq!(checkout.acknowledged_by, None);
    assert!(
        snapshot.silences.is_empty(),
        "expired silences are not listed"
    );

    source
        .apply(&id, IncidentAction::Unacknowledge, None)
        .await
        .expect("un-acknowledging an un-acknowledged incident is success");
}

#[tokio::test]
async fn resolve_is_refused_with_the_reason() {
    let am = Alertmanager::start();
    fire_fleet(&am).await;
    let source = source(&am.url);
    let id = named(&poll(&source).await, "HighErrorRate").id.clone();
    let error = source
        .apply(&id, IncidentAction::Resolve, None)
        .await
        .unwrap_err();
    let SourceError::Rejected(why) = &error else {
        panic!("expected a rejection, got {error:?}");
    };
    assert!(why.contains("stops firing"), "{why}");
    assert!(why.contains("`a`"), "{why}");
    assert!(!error.is_transient(), "the outbox must not retry it");
    assert!(am.silences().await.is_empty());
}

#[tokio::test]
async fn notes_land_in_the_silence_comment() {
    let am = Alertmanager::start();
    fire_fleet(&am).await;
    let source = source(&am.url);
    let id = named(&poll(&source).await, "HighErrorRate").id.clone();

    let early = source.add_note(&id, "step 1 done").await.unwrap_err();
    assert!(
        matches!(&early, SourceError::Rejected(why) if why.contains("acknowledge first")),
        "{early:?}"
    );
    source
        .apply(&id, IncidentAction::Acknowledge, Some("on it"))
        .await
        .unwrap();
    let before = am.active_silences().await;
    source.add_note(&id, "step 1 done").await.unwrap();
    source.add_note(&id, "step 1 done").await.unwrap();
    let after = am.silences().await;
    assert_eq!(after.len(), 1, "updated in place, not replaced: {after:#?}");
    assert_eq!(after[0]["id"], before[0]["id"]);
    assert_eq!(after[0]["status"]["state"], "active");
    assert_eq!(
        after[0]["comment"], "on it\nstep 1 done",
        "a retried note is added once"
    );
}

/// A write queued without the group's labels (by `ondeck ack` while Alertmanager was down)
/// meets a group that is not listed: Alertmanager may just have restarted, so it is retried —
/// until the silence it asks for would have run out, and then refused in words.
#[tokio::test]
async fn a_group_not_listed_is_retried_until_its_silence_would_have_ended() {
    let am = Alertmanager::start();
    fire_fleet(&am).await;
    let mut entry = OutboxEntry {
        id: "1".into(),
        queued_at: Utc::now(),
        user: USER.into(),
        source: "am".into(),
        incident: "000000000000".into(),
        kind: WriteKind::Acknowledge,
        note: None,
        target: None,
        labels: Default::default(),
        silence: None,
        reroute: None,
    };
    let error = source(&am.url)
        .deliver(Write::new(&entry))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, SourceError::Absent(m) if m.contains("not listed now")),
        "{error:?}"
    );
    assert!(error.is_transient(), "the outbox retries it");

    entry.queued_at = Utc::now() - chrono::Duration::from_std(SILENCE).unwrap();
    let error = source(&am.url)
        .deliver(Write::new(&entry))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, SourceError::Rejected(m) if m.contains("longer than the silence would have lasted")),
        "{error:?}"
    );
    assert!(am.silences().await.is_empty(), "nothing was silenced");
}

#[tokio::test]
async fn inhibited_alerts_are_suppressed_but_still_unacknowledged() {
    let am = Alertmanager::start();
    am.fire(&[
        (json!({"alertname": "ClusterDown", "service": "k8s", "severity": "critical", "inhibitor": "yes"}), json!({}), 3),
        (json!({"alertname": "PodCrash", "service": "k8s", "severity": "critical", "inhibited": "yes"}), json!({}), 2),
    ])
    .await;
    am.wait_until("PodCrash", "suppressed").await;
    let snapshot = poll(&source(&am.url)).await;
    let pod = named(&snapshot, "PodCrash");
    assert!(pod.suppressed);
    assert_eq!(pod.status, IncidentStatus::Triggered);
    assert!(!named(&snapshot, "ClusterDown").suppressed);
}

#[tokio::test]
async fn silences_that_match_nothing_firing_are_flagged() {
    let am = Alertmanager::start();
    fire_fleet(&am).await;
    am.silence(
        json!([{"name": "alertname", "value": "Gone", "isRegex": false, "isEqual": true}]),
        "alice",
    )
    .await;
    am.silence(
        json!([{"name": "severity", "value": "crit.*", "isRegex": true, "isEqual": true}]),
        "bob",
    )
    .await;
    am.wait_until("HighErrorRate", "suppressed").await;
    let snapshot = poll(&source(&am.url)).await;
    let counts: Vec<(&str, usize)> = snapshot
        .silences
        .iter()
        .map(|s| (s.created_by.as_str(), s.matching_alerts))
        .collect();
    assert!(counts.contains(&("alice", 0)), "{counts:?}");
    assert!(counts.contains(&("bob", 2)), "{counts:?}");
    assert_eq!(
        named(&snapshot, "HighErrorRate").acknowledged_by.as_deref(),
        Some("bob"),
        "a silence made in Alertmanager's UI acknowledges too"
    );
}

#[tokio::test]
async fn a_stopped_server_is_unreachable_and_worth_retrying() {
    let mut am = Alertmanager::start();
    fire_fleet(&am).await;
    let source = source(&am.url);
    let id = named(&poll(&source).await, "HighErrorRate").id.clone();
    am.stop();
    let error = source.poll_incidents().await.unwrap_err();
    assert!(matches!(error, SourceError::Unreachable(_)), "{error:?}");
    assert!(error.is_transient());
    let error = source
        .apply(&id, IncidentAction::Acknowledge, None)
        .await
        .unwrap_err();
    assert!(
        error.is_transient(),
        "the outbox retries the ack: {error:?}"
    );
}

#[tokio::test]
async fn a_garbled_answer_is_malformed_and_not_retried() {
    let stub = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/alerts"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>proxy login</html>"))
        .mount(&stub)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/silences"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&stub)
        .await;
    let source = source(&stub.uri());
    let error = source.poll_incidents().await.unwrap_err();
    assert!(matches!(error, SourceError::Malformed(_)), "{error:?}");
    assert!(!error.is_transient());
    let error = source
        .apply("e2c3a7f7be80", IncidentAction::Acknowledge, None)
        .await
        .unwrap_err();
    assert!(matches!(error, SourceError::Malformed(_)), "{error:?}");
}

#[tokio::test]
async fn errors_from_the_server_keep_their_status_and_the_token_is_sent() {
    let stub = MockServer::start().await;
    let alerts = r#"[{"labels":{"alertname":"Up","service":"web"},"annotations":{},
        "startsAt":"2026-11-21T03:00:00.000Z","endsAt":"2026-11-21T04:00:00.000Z",
        "fingerprint":"01","receivers":[{"name":"x"}],"updatedAt":"2026-11-21T03:00:00.000Z",
        "status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}]"#;
    Mock::given(method("GET"))
        .and(path("/api/v2/alerts"))
        .and(query_param("active", "true"))
        .and(query_param("silenced", "true"))
        .and(query_param("inhibited", "true"))
        .and(header("authorization", "Bearer am-token"))
        .respond_with(ResponseTemplate::new(200).set_body_string(alerts))
        .mount(&stub)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/silences"))
        .respond_with(ResponseTemplate::new(503).set_body_string("overloaded"))
        .up_to_n_times(2)
        .mount(&stub)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/silences"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&stub)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/silences"))
        .respond_with(
            ResponseTemplate::new(400).set_body_string("\"silence invalid: bad matcher\""),
        )
        .mount(&stub)
        .await;
    let dir = std::env::temp_dir().join(format!("ondeck-am-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("token"), "am-token\n").unwrap();
    let mut config = source_config(&stub.uri(), SILENCE);
    config.token = Some(ondeck::config::SecretRef::File(dir.join("token")));
    let source = AlertmanagerSource::new(&config, USER).unwrap();

    let snapshot = source.poll_incidents().await.unwrap();
    assert_eq!(snapshot.incidents.len(), 1, "alerts still show");
    assert_eq!(snapshot.warnings.len(), 1);
    assert!(
        snapshot.warnings[0].contains("503"),
        "{:?}",
        snapshot.warnings
    );

    // Without the silence list an acknowledge cannot check for its earlier silence: retry.
    let id = snapshot.incidents[0].id.clone();
    let error = source
        .apply(&id, IncidentAction::Acknowledge, None)
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error:?}");

    // A 4xx is the server refusing this silence: retrying cannot help.
    let error = source
        .apply(&id, IncidentAction::Acknowledge, Some("looking"))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        SourceError::Http {
            status: 400,
            message: "\"silence invalid: bad matcher\"".into()
        }
    );
    assert!(!error.is_transient());
    let requests = stub.received_requests().await.unwrap();
    let posted: Vec<&wiremock::Request> = requests
        .iter()
        .filter(|r| r.method == wiremock::http::Method::POST)
        .collect();
    assert_eq!(
        posted.len(),
        1,
        "no silence posted without the silence list"
    );
    assert_eq!(
        posted[0].headers.get("authorization").unwrap(),
        "Bearer am-token"
    );
    let body: Value = serde_json::from_slice(&posted[0].body).unwrap();
    assert_eq!(
        body["matchers"],
        json!([
            {"name": "alertname", "value": "Up", "isRegex": false, "isEqual": true},
            {"name": "service", "value": "web", "isRegex": false, "isEqual": true}
        ])
    );
    assert_eq!(body["createdBy"], USER);
    assert_eq!(body["comment"], "looking");
    assert!(body.get("id").is_none(), "a new silence, not an update");
    let _ = std::fs::remove_dir_all(&dir);
}
