//! The Opsgenie mapping against bodies shaped like the vendor's Swagger schemas.

use chrono::{DateTime, Utc};

use super::api::segment;
use super::parse::{
    parse_accepted, parse_alert, parse_alerts, parse_next_on_calls, parse_on_calls,
    parse_request_status,
};
use crate::model::{IncidentStatus, Urgency};
use crate::sources::SourceError;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

const LIST: &str = r#"{"data":[
 {"id":"70413a06-38d6-4c85-92b8-5ebc900d42e2","tinyId":"1791","alias":"event_573",
  "message":"Our servers are in danger","status":"open","acknowledged":true,"isSeen":true,
  "tags":["OverwriteQuietHours","service:checkout","team=payments"],"snoozed":false,"count":79,
  "lastOccurredAt":"2017-04-12T11:22:44.087Z","createdAt":"2017-03-21T20:32:52.353Z",
  "updatedAt":"2017-04-12T11:22:44.087Z","source":"Isengard","owner":"morpheus@opsgenie.com",
  "priority":"P1","responders":[{"type":"team","id":"8418d193-2dab-4490-b331-8c02cdd196b7"}],
  "integration":{"id":"4513b7ea-3b91-438f-b7e4-e3e54af9147c","name":"Nebuchadnezzar","type":"API"},
  "report":{"ackTime":15702,"closeTime":60503,"acknowledgedBy":"agent_smith@opsgenie.com","closedBy":"neo@opsgenie.com"}},
 {"id":"8418d193-2dab-4490-b331-8c02cdd196b7","tinyId":"1792","message":"Disk almost full",
  "status":"closed","acknowledged":false,"tags":[],"snoozed":true,
  "createdAt":"2017-03-22T10:00:00Z","priority":"P4","report":{"closeTime":1000}}
],"paging":{"first":"https://api.opsgenie.com/v2/alerts?limit=100&offset=0"},"took":0.605,"requestId":"9ae63dd7-ed00-4c81-86f0-c4ffd33142c9"}"#;

#[test]
fn an_acknowledged_p1_alert_is_a_high_urgency_page_held_by_its_acknowledger() {
    let alerts = parse_alerts(LIST.as_bytes(), "og").unwrap();
    let alert = &alerts[0];
    assert_eq!(alert.id, "70413a06-38d6-4c85-92b8-5ebc900d42e2");
    assert_eq!(alert.title, "Our servers are in danger");
    assert_eq!(alert.service, "checkout");
    assert_eq!(alert.status, IncidentStatus::Acknowledged);
    assert_eq!(alert.urgency, Urgency::High);
    assert_eq!(alert.severity.as_deref(), Some("P1"));
    assert_eq!(
        alert.acknowledged_by.as_deref(),
        Some("agent_smith@opsgenie.com")
    );
    assert_eq!(alert.acknowledged_at, Some(at("2017-03-21T20:33:08.055Z")));
    assert_eq!(alert.assignees, vec!["morpheus@opsgenie.com".to_string()]);
    assert_eq!(alert.labels["team"], "payments");
    assert_eq!(alert.labels["tags"], "OverwriteQuietHours");
    assert_eq!(alert.labels["tiny_id"], "1791");
    assert_eq!(alert.labels["count"], "79");
    assert_eq!(alert.resolved_at, None);
}

#[test]
fn a_closed_low_priority_alert_is_resolved_and_a_snoozed_one_is_suppressed() {
    let alerts = parse_alerts(LIST.as_bytes(), "og").unwrap();
    let alert = &alerts[1];
    assert_eq!(alert.status, IncidentStatus::Resolved);
    assert_eq!(alert.urgency, Urgency::Low);
    assert_eq!(alert.resolved_at, Some(at("2017-03-22T10:00:01Z")));
    assert!(alert.suppressed);
    assert_eq!(alert.service, "unknown");
}

#[test]
fn a_single_alert_takes_its_service_from_details_or_entity() {
    let body = br#"{"data":{"id":"a1","message":"m","createdAt":"2024-01-01T00:00:00Z",
      "entity":"db-1","details":{"region":"eu-west-1","service":"orders"},"description":"long text"},
      "took":0.1,"requestId":"r"}"#;
    let alert = parse_alert(body, "og").unwrap();
    assert_eq!(alert.service, "orders");
    assert_eq!(alert.labels["region"], "eu-west-1");
    assert_eq!(alert.description.as_deref(), Some("long text"));
    let body = br#"{"data":{"id":"a1","createdAt":"2024-01-01T00:00:00Z","entity":"db-1"}}"#;
    assert_eq!(parse_alert(body, "og").unwrap().service, "db-1");
}

#[test]
fn an_acknowledger_opsgenie_does_not_name_is_absent_not_the_owner() {
    let body = br#"{"data":{"id":"a1","message":"m","createdAt":"2024-01-01T00:00:00Z",
      "status":"open","acknowledged":true,"owner":"ann@example.com","report":{"ackTime":60000}}}"#;
    let alert = parse_alert(body, "og").unwrap();
    assert_eq!(alert.status, IncidentStatus::Acknowledged);
    assert_eq!(alert.acknowledged_by, None);
    assert_eq!(alert.assignees, vec!["ann@example.com".to_string()]);
    assert_eq!(alert.acknowledged_at, Some(at("2024-01-01T00:01:00Z")));
}

#[test]
fn request_status_says_whether_the_action_happened() {
    let done = br#"{"data":{"success":true,"action":"Acknowledge","processedAt":"2017-05-24T14:24:20.844Z",
      "integrationId":"c9cec2cb-e782-4ebb-bc1d-1b2fa703cf03","isSuccess":true,"status":"Alert acknowledged",
      "alertId":"8743a1f4-8f2c-4e0f-a5d6-fa5e15b2e2a1","alias":"event_573"},"took":0.022,"requestId":"ec7e1d8e"}"#;
    let status = parse_request_status(done).unwrap();
    assert!(status.is_success);
    assert_eq!(status.status, "Alert acknowledged");
    let failed = br#"{"data":{"isSuccess":false,"status":"Alert does not exist","action":"Close"},"took":0.01,"requestId":"x"}"#;
    assert!(!parse_request_status(failed).unwrap().is_success);
    assert_eq!(
        parse_accepted(
            br#"{"result":"Request will be processed","took":0.302,"requestId":"43a29c5c"}"#
        )
        .unwrap(),
        "43a29c5c"
    );
}

#[test]
fn on_call_names_come_flat_or_as_participants() {
    let flat = br#"{"data":{"_parent":{"id":"d875e654","name":"Primary","enabled":true},
      "onCallRecipients":["john@opsgenie.com","john@opsgenie.com"]},"took":0.1,"requestId":"r"}"#;
    assert_eq!(
        parse_on_calls(flat).unwrap(),
        vec!["john@opsgenie.com".to_string()]
    );
    let next = br#"{"data":{"_parent":{"name":"Primary"},
      "exactNextOnCallRecipients":[{"id":"u1","name":"jane@opsgenie.com","type":"user"},
        {"id":"t1","name":"ops_team","type":"team"}],
      "nextOnCallRecipients":["other@opsgenie.com"]},"took":0.1,"requestId":"r"}"#;
    assert_eq!(
        parse_next_on_calls(next).unwrap(),
        vec!["jane@opsgenie.com".to_string()]
    );
    let empty = br#"{"data":{"_parent":{"name":"Primary"}},"took":0.1,"requestId":"r"}"#;
    assert!(parse_next_on_calls(empty).unwrap().is_empty());
}

#[test]
fn garbage_is_malformed_never_a_panic() {
    for body in [&b""[..], b"{", b"[]", b"{\"data\":3}", &[0xff, 0xfe, 0x00]] {
        assert!(matches!(
            parse_alerts(body, "og"),
            Err(SourceError::Malformed(_))
        ));
        assert!(parse_alert(body, "og").is_err());
        assert!(parse_accepted(body).is_err());
        assert!(parse_request_status(body).is_err());
        assert!(parse_on_calls(body).is_err());
        assert!(parse_next_on_calls(body).is_err());
    }
}

#[test]
fn schedule_names_cannot_escape_their_path_segment() {
    assert_eq!(segment("Ops Primary/2"), "Ops%20Primary%2F2");
}
