//! The pure Alerta mapping against fixtures written from Alerta's documented API answers.

use chrono::{TimeZone, Utc};

use super::api::segment;
use super::map::{parse_alert, parse_alerts, status_of, urgency_of};
use crate::model::{IncidentStatus, Link, Urgency};
use crate::sources::SourceError;

const ALERTS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/alerta/alerts.json"
));
const ALERT: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/alerta/alert.json"
));
const ERROR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/alerta/error.json"
));

fn at(h: u32, m: u32, s: u32, ms: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2017, 1, 1, h, m, s).unwrap() + chrono::Duration::milliseconds(ms)
}

#[test]
fn an_open_critical_alert_maps_to_a_high_urgency_triggered_incident() {
    let page = parse_alerts(ALERTS, "alerta-prod").unwrap();
    let site = &page.incidents[0];
    assert_eq!(site.id, "0099bae5-9683-48a1-a49d-f566fe143770");
    assert_eq!(site.source, "alerta-prod");
    assert_eq!(site.title, "Site is down.");
    assert_eq!(site.service, "example.com", "the first service wins");
    assert_eq!(site.status, IncidentStatus::Triggered);
    assert_eq!(site.severity.as_deref(), Some("critical"));
    assert_eq!(site.urgency, Urgency::High);
    assert_eq!(site.created_at, at(12, 1, 21, 48));
    assert_eq!(site.acknowledged_at, None);
    assert_eq!(site.acknowledged_by, None);
    assert_eq!(
        site.runbook.as_deref(),
        Some("https://runbooks.example.com/http-server-error")
    );
    assert_eq!(
        site.description.as_deref(),
        Some("Internal Server Error (500)")
    );
    assert_eq!(
        site.links,
        vec![
            Link {
                label: "Alerta".into(),
                url: "http://localhost:8080/alert/0099bae5-9683-48a1-a49d-f566fe143770".into(),
            },
            Link {
                label: "more info".into(),
                url: "http://prometheus.example.com:9090/graph?g0.expr=up".into(),
            },
        ]
    );
}

#[test]
fn tags_attributes_and_alerta_fields_become_labels() {
    let page = parse_alerts(ALERTS, "alerta").unwrap();
    let labels = &page.incidents[0].labels;
    let get = |k: &str| labels.get(k).map(String::as_str);
    assert_eq!(get("team"), Some("web"), "k=v tags are split");
    assert_eq!(
        get("tag"),
        Some("dc2,linux"),
        "plain tags are kept under `tag`"
    );
    assert_eq!(get("region"), Some("US"));
    assert_eq!(get("ip"), Some("127.0.0.1"));
    assert_eq!(get("environment"), Some("Production"));
    assert_eq!(get("group"), Some("Web"));
    assert_eq!(get("resource"), Some("web02"));
    assert_eq!(get("event"), Some("HttpServerError"));
    assert_eq!(
        get("alertname"),
        Some("HttpServerError"),
        "runbooks written for Prometheus alerts match on alertname"
    );
    let disk = &page.incidents[1].labels;
    assert_eq!(
        disk.get("retries").map(String::as_str),
        Some("3"),
        "numeric attributes read as text"
    );
}

#[test]
fn an_acked_alert_takes_who_and_when_from_the_ack_in_its_history_not_a_later_note() {
    let page = parse_alerts(ALERTS, "alerta").unwrap();
    let disk = &page.incidents[1];
    assert_eq!(disk.status, IncidentStatus::Acknowledged);
    assert_eq!(disk.acknowledged_by.as_deref(), Some("alice@example.com"));
    assert_eq!(disk.acknowledged_at, Some(at(12, 7, 27, 455)));
    assert_eq!(disk.urgency, Urgency::High, "major wakes someone");
    assert_eq!(disk.runbook.as_deref(), Some("disk-full"));
}

#[test]
fn an_alert_without_text_or_service_is_named_after_its_event_and_resource() {
    let page = parse_alerts(ALERTS, "alerta").unwrap();
    let disk = &page.incidents[1];
    assert_eq!(disk.title, "DiskFull on db01");
    assert_eq!(
        disk.service, "db01",
        "an empty service list falls back to the resource"
    );
}

#[test]
fn a_warning_is_low_urgency() {
    let page = parse_alerts(ALERTS, "alerta").unwrap();
    let queue = &page.incidents[2];
    assert_eq!(queue.title, "Queue backlog above 1000 messages");
    assert_eq!(queue.service, "billing");
    assert_eq!(queue.urgency, Urgency::Low);
    assert!(queue.links.iter().all(|l| l.label != "more info"));
}

#[test]
fn an_unreadable_alert_is_skipped_and_named_while_the_rest_show() {
    let page = parse_alerts(ALERTS, "alerta").unwrap();
    assert_eq!(page.incidents.len(), 3);
    assert!(page.more, "the fixture is page 1 of 2");
    assert_eq!(page.skipped.len(), 1);
    assert!(
        page.skipped[0].contains("deadbeef-0000-4000-8000-000000000000")
            && page.skipped[0].contains("createTime"),
        "{:?}",
        page.skipped
    );
}

#[test]
fn a_single_alert_answer_maps_and_a_closed_alert_is_resolved_at_its_close() {
    let alert = parse_alert(ALERT, "alerta").unwrap();
    assert_eq!(alert.id, "1711c57e-5c6a-4c39-881b-9d8d174feafe");
    assert_eq!(alert.status, IncidentStatus::Resolved);
    assert_eq!(alert.resolved_at, Some(at(11, 45, 0, 0)));
    assert_eq!(alert.urgency, Urgency::Low, "a closed alert is `normal`");
}

#[test]
fn alerta_statuses_map_to_the_three_incident_states() {
    assert_eq!(status_of("open"), (IncidentStatus::Triggered, false));
    assert_eq!(status_of("assign"), (IncidentStatus::Triggered, false));
    assert_eq!(status_of("ack"), (IncidentStatus::Acknowledged, false));
    assert_eq!(status_of("shelved"), (IncidentStatus::Acknowledged, false));
    assert_eq!(status_of("closed"), (IncidentStatus::Resolved, false));
    assert_eq!(status_of("expired"), (IncidentStatus::Resolved, false));
    assert_eq!(status_of("blackout"), (IncidentStatus::Triggered, true));
    assert_eq!(
        status_of("something new"),
        (IncidentStatus::Triggered, false)
    );
    for high in ["security", "critical", "major"] {
        assert_eq!(urgency_of(high), Urgency::High, "{high}");
    }
    for low in ["minor", "warning", "informational", "debug", "unknown"] {
        assert_eq!(urgency_of(low), Urgency::Low, "{low}");
    }
}

#[test]
fn an_error_envelope_surfaces_alertas_message() {
    let err = parse_alerts(ERROR, "alerta").unwrap_err();
    assert_eq!(err, SourceError::Rejected("Alerta: not found".into()));
    assert!(!err.is_transient());
    assert!(matches!(
        parse_alert(ERROR, "alerta"),
        Err(SourceError::Rejected(m)) if m.contains("not found")
    ));
}

#[test]
fn garbage_is_malformed_never_a_panic() {
    let inputs: [&[u8]; 7] = [
        b"",
        b"<html>502 Bad Gateway</html>",
        b"[]",
        b"{\"status\":\"ok\"}",
        b"{\"alerts\":{}}",
        b"{\"alerts\":[1,\"x\",null,{\"id\":7}]}",
        &ALERTS[..ALERTS.len() / 2],
    ];
    for input in inputs {
        match parse_alerts(input, "alerta") {
            Err(SourceError::Malformed(_)) => {}
            Ok(page) => assert!(page.incidents.is_empty(), "{page:?}"),
            Err(other) => panic!("{other:?}"),
        }
        assert!(parse_alert(input, "alerta").is_err());
    }
    let odd = parse_alerts(b"{\"alerts\":[1,{\"id\":7}]}", "alerta").unwrap();
    assert_eq!(odd.skipped.len(), 2);
}

#[test]
fn alert_ids_stay_one_path_segment() {
    assert_eq!(
        segment("1711c57e-5c6a-4c39-881b-9d8d174feafe").unwrap(),
        "1711c57e-5c6a-4c39-881b-9d8d174feafe"
    );
    assert_eq!(segment("a/../b?c#d").unwrap(), "a%2F..%2Fb%3Fc%23d");
    assert!(segment("..").is_err());
    assert!(segment("").is_err());
}
