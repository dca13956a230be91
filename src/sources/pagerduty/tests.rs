//! The PagerDuty mapping against bodies shaped like the vendor's API reference examples.

use chrono::{DateTime, TimeZone, Utc};

use super::api::segment;
use super::oncall::{GroupBy, apply_levels, parse_oncalls, rows};
use super::parse::{parse_incident, parse_incidents, parse_user_id};
use crate::model::{IncidentStatus, Urgency};
use crate::sources::SourceError;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// The `updateIncident` response example of the API reference, trimmed to what is read.
const UPDATED: &str = r#"{"incident":{"id":"PT4KHLK","type":"incident",
 "summary":"[#1234] The server is on fire.","html_url":"https://subdomain.pagerduty.com/incidents/PT4KHLK",
 "incident_number":1234,"created_at":"2015-10-06T21:30:42Z","status":"acknowledged",
 "title":"The server is on fire.","urgency":"high",
 "pending_actions":[{"type":"unacknowledge","at":"2015-11-10T01:02:52Z"},{"type":"resolve","at":"2015-11-10T04:31:52Z"}],
 "incident_key":"baf7cf21b1da41b4b0221008339ff357",
 "service":{"id":"PIJ90N7","type":"service_reference","summary":"My Mail Service"},
 "priority":{"id":"P53ZZH5","type":"priority_reference","summary":"P2"},
 "assignments":[{"at":"2015-11-10T00:31:52Z","assignee":{"id":"PXPGF42","type":"user_reference","summary":"Earline Greenholt"}}],
 "acknowledgements":[{"at":"2015-11-10T00:32:52Z","acknowledger":{"id":"PXPGF42","type":"user_reference","summary":"Earline Greenholt"}}],
 "escalation_policy":{"id":"PT20YPA","type":"escalation_policy_reference","summary":"Another Escalation Policy"},
 "teams":[{"id":"PQ9K7I8","type":"team_reference","summary":"Engineering"}],
 "conference_bridge":{"conference_number":"+1-415-555-1212,,,,1234#","conference_url":"https://example.com/acb-123"}}}"#;

#[test]
fn an_acknowledged_incident_names_who_took_it_and_where_it_lives() {
    let incident = parse_incident(UPDATED.as_bytes(), "pd").unwrap();
    assert_eq!(incident.id, "PT4KHLK");
    assert_eq!(incident.source, "pd");
    assert_eq!(incident.title, "The server is on fire.");
    assert_eq!(incident.service, "My Mail Service");
    assert_eq!(incident.status, IncidentStatus::Acknowledged);
    assert_eq!(incident.urgency, Urgency::High);
    assert_eq!(incident.assignees, vec!["Earline Greenholt".to_string()]);
    assert_eq!(
        incident.acknowledged_by.as_deref(),
        Some("Earline Greenholt")
    );
    assert_eq!(incident.acknowledged_at, Some(at("2015-11-10T00:32:52Z")));
    assert_eq!(incident.severity.as_deref(), Some("P2"));
    assert_eq!(
        incident.labels["incident_key"],
        "baf7cf21b1da41b4b0221008339ff357"
    );
    assert_eq!(incident.labels["incident_number"], "1234");
    assert_eq!(incident.labels["teams"], "Engineering");
    assert_eq!(
        incident.links[0].url,
        "https://subdomain.pagerduty.com/incidents/PT4KHLK"
    );
    assert_eq!(incident.links[1].url, "https://example.com/acb-123");
    // Only a triggered page escalates.
    assert_eq!(incident.escalates_at, None);
}

#[test]
fn a_triggered_page_escalates_at_its_pending_escalation() {
    let body = r#"{"incidents":[{"id":"Q1","created_at":"2024-05-01T10:00:00Z","status":"triggered",
      "urgency":"low","title":"disk full",
      "pending_actions":[{"type":"escalate","at":"2024-05-01T10:30:00Z"},{"type":"resolve","at":"2024-05-02T10:00:00Z"}]}],
      "limit":100,"offset":0,"more":true}"#;
    let page = parse_incidents(body.as_bytes(), "pd").unwrap();
    assert!(page.more);
    let incident = &page.incidents[0];
    assert_eq!(incident.status, IncidentStatus::Triggered);
    assert_eq!(incident.urgency, Urgency::Low);
    assert_eq!(incident.escalates_at, Some(at("2024-05-01T10:30:00Z")));
    assert_eq!(incident.service, "unknown");
}

#[test]
fn garbage_is_malformed_never_a_panic() {
    for body in [
        &b""[..],
        b"{",
        b"[]",
        b"{\"incidents\":7}",
        &[0xff, 0xfe, 0x00],
    ] {
        assert!(matches!(
            parse_incidents(body, "pd"),
            Err(SourceError::Malformed(_))
        ));
        assert!(parse_oncalls(body).is_err());
        assert!(parse_user_id(body, "a@b").is_err());
    }
}

#[test]
fn the_user_lookup_matches_the_email_exactly() {
    let body = br#"{"users":[{"id":"P1","email":"alice.smith@example.com"},{"id":"P2","email":"Alice@Example.com"}],"more":false}"#;
    assert_eq!(
        parse_user_id(body, "alice@example.com").unwrap().as_deref(),
        Some("P2")
    );
    assert_eq!(parse_user_id(body, "bob@example.com").unwrap(), None);
}

/// Three shifts of one schedule at level 1: Tim now (in two back-to-back entries), then Ann.
const SHIFTS: &str = r#"{"oncalls":[
 {"user":{"id":"PT23IWX","type":"user_reference","summary":"Tim Wright"},
  "schedule":{"id":"PI7DH85","type":"schedule_reference","summary":"Daily Engineering Rotation"},
  "escalation_policy":{"id":"PT20YPA","type":"escalation_policy_reference","summary":"Engineering Escalation Policy"},
  "escalation_level":1,"start":"2024-05-01T00:00:00Z","end":"2024-05-01T12:00:00Z"},
 {"user":{"id":"PANN","type":"user_reference","summary":"Ann Lee"},
  "schedule":{"id":"PI7DH85","type":"schedule_reference","summary":"Daily Engineering Rotation"},
  "escalation_policy":{"id":"PT20YPA","type":"escalation_policy_reference","summary":"Engineering Escalation Policy"},
  "escalation_level":1,"start":"2024-05-02T00:00:00Z","end":"2024-05-03T00:00:00Z"},
 {"user":{"id":"PT23IWX","type":"user_reference","summary":"Tim Wright"},
  "schedule":{"id":"PI7DH85","type":"schedule_reference","summary":"Daily Engineering Rotation"},
  "escalation_policy":{"id":"PT20YPA","type":"escalation_policy_reference","summary":"Engineering Escalation Policy"},
  "escalation_level":1,"start":"2024-05-01T12:00:00Z","end":"2024-05-02T00:00:00Z"},
 {"user":{"id":"PBOSS","type":"user_reference","summary":"Bo Boss"},
  "escalation_policy":{"id":"PT20YPA","type":"escalation_policy_reference","summary":"Engineering Escalation Policy"},
  "escalation_level":2,"start":null,"end":null}
],"limit":25,"offset":0,"more":false,"total":null}"#;

#[test]
fn on_call_rows_show_the_holder_until_the_next_different_person() {
    let now = Utc.with_ymd_and_hms(2024, 5, 1, 9, 0, 0).unwrap();
    let page = parse_oncalls(SHIFTS.as_bytes()).unwrap();
    let by_schedule = rows("pd", &page.entries, GroupBy::Schedule, now);
    assert_eq!(
        by_schedule.len(),
        1,
        "the permanent level-2 entry has no schedule"
    );
    let row = &by_schedule[0];
    assert_eq!(row.schedule, "Daily Engineering Rotation");
    assert_eq!(row.level, Some(1));
    assert_eq!(row.now.as_deref(), Some("Tim Wright"));
    assert_eq!(row.now_until, Some(at("2024-05-02T00:00:00Z")));
    assert_eq!(row.next.as_deref(), Some("Ann Lee"));
    assert_eq!(row.next_from, Some(at("2024-05-02T00:00:00Z")));

    let by_policy = rows("pd", &page.entries, GroupBy::Policy, now);
    assert_eq!(by_policy.len(), 2);
    assert_eq!(by_policy[1].level, Some(2));
    assert_eq!(by_policy[1].now.as_deref(), Some("Bo Boss"));
    assert_eq!(
        by_policy[1].now_until, None,
        "a permanent on-call never ends"
    );
    assert_eq!(by_policy[1].next, None);
}

#[test]
fn an_incident_held_by_the_level_two_responder_is_at_level_two() {
    let now = Utc.with_ymd_and_hms(2024, 5, 1, 9, 0, 0).unwrap();
    let body = r#"{"incidents":[
      {"id":"A","created_at":"2024-05-01T08:00:00Z","status":"triggered",
       "escalation_policy":{"id":"PT20YPA","type":"escalation_policy_reference"},
       "assignments":[{"at":"2024-05-01T08:30:00Z","assignee":{"id":"PBOSS","type":"user_reference","summary":"Bo Boss"}}]},
      {"id":"B","created_at":"2024-05-01T08:00:00Z","status":"triggered",
       "escalation_policy":{"id":"OTHER","type":"escalation_policy_reference"},
       "assignments":[{"at":"2024-05-01T08:30:00Z","assignee":{"id":"PBOSS","type":"user_reference"}}]}],
      "more":false}"#;
    let mut page = parse_incidents(body.as_bytes(), "pd").unwrap();
    let shifts = parse_oncalls(SHIFTS.as_bytes()).unwrap();
    apply_levels(&mut page.incidents, &page.holders, &shifts.entries, now);
    assert_eq!(page.incidents[0].escalation_level, Some(2));
    assert_eq!(
        page.incidents[1].escalation_level, None,
        "another policy's on-call says nothing: the level is unknown, not 1"
    );
}

#[test]
fn ids_cannot_escape_their_path_segment() {
    assert_eq!(segment("PT4KHLK"), "PT4KHLK");
    assert_eq!(segment("../users?x=1"), "..%2Fusers%3Fx%3D1");
}
