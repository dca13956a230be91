//! The pure Alertmanager mapping against fixtures written from the API v2 OpenAPI shapes
//! (`gettableAlerts`, `gettableSilences`).

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;

use super::group::{group_alerts, group_id};
use super::mapping::{map_incidents, map_silences, parse_incidents, urgency_of};
use super::wire::{Alert, GettableSilence, parse_alerts, parse_silence_id, parse_silences};
use super::writes::{Target, Writer, noted};
use crate::model::{Incident, IncidentStatus, Urgency};
use crate::sources::SourceError;

const ALERTS: &str = include_str!("../../../tests/fixtures/alertmanager/alerts.json");
const SILENCES: &str = include_str!("../../../tests/fixtures/alertmanager/silences.json");

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, h, m, 0).unwrap()
}

fn default_group_by() -> Vec<String> {
    vec!["alertname".into(), "service".into()]
}

fn fixture() -> (Vec<Alert>, Vec<GettableSilence>) {
    (
        parse_alerts(ALERTS.as_bytes()).unwrap(),
        parse_silences(SILENCES.as_bytes()).unwrap(),
    )
}

fn incidents() -> Vec<Incident> {
    let (alerts, silences) = fixture();
    map_incidents("am", &alerts, &silences, &default_group_by())
}

fn by_alertname<'a>(incidents: &'a [Incident], name: &str) -> &'a Incident {
    incidents
        .iter()
        .find(|i| i.labels.get("alertname").map(String::as_str) == Some(name))
        .unwrap_or_else(|| panic!("no incident for {name} in {incidents:#?}"))
}

fn writer(user: &str) -> Writer {
    Writer {
        user: user.into(),
        silence_duration: Duration::hours(1),
        group_by: default_group_by(),
    }
}

#[test]
fn alerts_sharing_alertname_and_service_are_one_incident() {
    let incidents = incidents();
    assert_eq!(incidents.len(), 5, "{incidents:#?}");
    let checkout = by_alertname(&incidents, "HighErrorRate");
    assert_eq!(
        checkout.title,
        "checkout is failing more than 2% of requests (2 alerts)"
    );
    assert_eq!(checkout.service, "checkout");
    assert_eq!(checkout.source, "am");
    assert_eq!(checkout.severity.as_deref(), Some("critical"));
    assert_eq!(checkout.urgency, Urgency::High);
    assert_eq!(checkout.status, IncidentStatus::Triggered);
    assert!(!checkout.suppressed);
    assert_eq!(checkout.created_at, at(2, 50), "the earliest startsAt");
    assert_eq!(
        checkout.description.as_deref(),
        Some("5xx share over 5m is 4.1% (objective 99.9%)")
    );
    let runbook = "https://runbooks.example.com/checkout/high-error-rate";
    assert_eq!(checkout.runbook.as_deref(), Some(runbook));
    let links: Vec<(&str, &str)> = checkout
        .links
        .iter()
        .map(|l| (l.label.as_str(), l.url.as_str()))
        .collect();
    assert_eq!(
        links,
        [
            (
                "alert rule",
                "http://prometheus.example.com/graph?g0.expr=job%3Acheckout_errors%3Aratio5m+%3E+0.02"
            ),
            ("runbook", runbook),
        ],
        "the shared generator URL appears once"
    );
    let labels: Vec<&str> = checkout.labels.keys().map(String::as_str).collect();
    assert_eq!(
        labels,
        ["alertname", "service", "severity", "team"],
        "group labels plus the labels every alert shares, not the per-instance ones"
    );
}

#[test]
fn incident_ids_are_short_shell_safe_and_the_same_every_run() {
    let incidents = incidents();
    for incident in &incidents {
        assert_eq!(incident.id.len(), 12, "{}", incident.id);
        assert!(incident.id.chars().all(|c| c.is_ascii_hexdigit()));
    }
    let checkout = by_alertname(&incidents, "HighErrorRate");
    let key = [
        ("alertname".to_string(), "HighErrorRate".to_string()),
        ("service".to_string(), "checkout".to_string()),
    ];
    assert_eq!(checkout.id, group_id(&key));
    // Pinned (worked out independently in Python): scripts keep ids across ondeck
    // upgrades, so the hash must never change.
    assert_eq!(checkout.id, "e2c3a7f7be80");
    let ids: std::collections::BTreeSet<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids.len(), incidents.len(), "distinct groups, distinct ids");
}

#[test]
fn ids_tell_apart_values_that_concatenate_alike() {
    let key = |a: &str, b: &str| {
        [
            ("x".to_string(), a.to_string()),
            ("y".to_string(), b.to_string()),
        ]
    };
    assert_ne!(group_id(&key("a", "bc")), group_id(&key("ab", "c")));
    assert_ne!(
        group_id(&[("service".to_string(), "web".to_string())]),
        group_id(&[("job".to_string(), "web".to_string())])
    );
}

#[test]
fn an_alert_silenced_everywhere_is_acknowledged_by_the_silence_author() {
    let incidents = incidents();
    let disk = by_alertname(&incidents, "DiskFilling");
    assert_eq!(disk.status, IncidentStatus::Acknowledged);
    assert_eq!(disk.acknowledged_by.as_deref(), Some("alice"));
    assert_eq!(disk.acknowledged_at, Some(at(2, 10)));
    assert!(disk.suppressed);
    assert_eq!(disk.service, "node", "falls back to the job label");
    assert_eq!(disk.title, "Disk /var on db-3 fills within 4 hours");
    assert_eq!(
        disk.runbook.as_deref(),
        Some("disk-full"),
        "the runbook label"
    );
    assert!(disk.links.is_empty(), "an empty generatorURL is no link");
    assert_eq!(disk.urgency, Urgency::Low);
    assert!(
        !disk.labels.contains_key("service"),
        "a missing group label is not shown"
    );
}

#[test]
fn inhibited_or_partly_silenced_groups_still_page() {
    let incidents = incidents();
    let latency = by_alertname(&incidents, "LatencyHigh");
    assert_eq!(latency.status, IncidentStatus::Triggered);
    assert!(
        latency.suppressed,
        "inhibited: nobody is paged, but nobody took it"
    );
    assert_eq!(latency.acknowledged_by, None);
    assert_eq!(latency.title, "LatencyHigh", "alertname without a summary");
    assert_eq!(latency.urgency, Urgency::High);

    let queue = by_alertname(&incidents, "QueueBacklog");
    assert_eq!(queue.status, IncidentStatus::Triggered);
    assert!(!queue.suppressed, "one of its two alerts still notifies");
    assert_eq!(queue.acknowledged_by, None);
    assert_eq!(queue.title, "QueueBacklog (2 alerts)");

    let cert = by_alertname(&incidents, "CertExpiry");
    assert_eq!(
        cert.status,
        IncidentStatus::Triggered,
        "unprocessed counts as active"
    );
    assert!(!cert.suppressed);
    assert_eq!(cert.urgency, Urgency::Low);
    assert_eq!(cert.service, "payments");
    assert_eq!(
        cert.description.as_deref(),
        Some("the TLS certificate of payments.example.com expires in 12 days")
    );
}

#[test]
fn group_by_is_configurable() {
    let (alerts, silences) = fixture();
    let incidents = map_incidents("am", &alerts, &silences, &["service".to_string()]);
    let payments = incidents.iter().find(|i| i.service == "payments").unwrap();
    assert_eq!(
        payments.title, "QueueBacklog (3 alerts)",
        "named after its oldest alert"
    );
    assert_eq!(
        payments.labels.get("service").map(String::as_str),
        Some("payments")
    );
    assert!(
        !payments.labels.contains_key("alertname"),
        "not shared by all three"
    );
    assert_eq!(payments.created_at, at(2, 30));
}

#[test]
fn severity_words_set_urgency() {
    for word in ["critical", "page", "error", "high", "CRITICAL", "Page"] {
        assert_eq!(urgency_of(Some(word)), Urgency::High, "{word}");
    }
    for word in ["warning", "info", "low", "p1", ""] {
        assert_eq!(urgency_of(Some(word)), Urgency::Low, "{word}");
    }
    assert_eq!(urgency_of(None), Urgency::Low);
}

#[test]
fn active_silences_list_soonest_to_end_first_with_what_they_silence() {
    let (alerts, silences) = fixture();
    let listed = map_silences("am", &silences, &alerts);
    let summary: Vec<(&str, usize)> = listed
        .iter()
        .map(|s| (s.created_by.as_str(), s.matching_alerts))
        .collect();
    assert_eq!(
        summary,
        [("bob", 1), ("alice", 1), ("dave", 0)],
        "expired and pending silences are left out; dave's matches nothing firing"
    );
    let alice = &listed[1];
    assert_eq!(alice.source, "am");
    assert_eq!(alice.comment, "db-3 cleanup running, see CHG-4411");
    assert_eq!((alice.starts_at, alice.ends_at), (at(2, 10), at(4, 10)));
    let matchers: Vec<String> = alice.matchers.iter().map(|m| m.display()).collect();
    assert_eq!(
        matchers,
        ["alertname=\"DiskFilling\"", "instance=~\"db-[0-9]+:9100\""]
    );
}

#[test]
fn acknowledge_silences_exactly_the_group_labels() {
    let (alerts, _) = fixture();
    let groups = group_alerts(&alerts, &default_group_by());
    let disk = groups.iter().find(|g| g.key[0].1 == "DiskFilling").unwrap();
    let silence = writer("sam").ack_silence(disk.matchers(), None, at(3, 12));
    assert_eq!(
        serde_json::to_value(&silence).unwrap(),
        json!({
            "matchers": [
                {"name": "alertname", "value": "DiskFilling", "isRegex": false, "isEqual": true},
                {"name": "service", "value": "", "isRegex": false, "isEqual": true}
            ],
            "startsAt": "2026-11-21T03:12:00.000Z",
            "endsAt": "2026-11-21T04:12:00.000Z",
            "createdBy": "sam",
            "comment": "acknowledged in ondeck by sam"
        }),
        "an absent label is matched as empty, so the silence does not spread to other services"
    );
    let with_note =
        writer("sam").ack_silence(disk.matchers(), Some("  looking at db-3 \n"), at(3, 12));
    assert_eq!(with_note.comment, "looking at db-3");
}

#[test]
fn only_this_users_covering_silence_counts_as_already_acknowledged() {
    let (alerts, mut silences) = fixture();
    let groups = group_alerts(&alerts, &default_group_by());
    let find = |name: &str| groups.iter().find(|g| g.key[0].1 == name).unwrap();
    let disk = find("DiskFilling");
    assert_eq!(
        writer("alice")
            .own_silence(&Target::of_group(disk), &silences)
            .map(|s| s.id.as_str()),
        Some("5b0a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d")
    );
    assert!(
        writer("bob")
            .own_silence(&Target::of_group(disk), &silences)
            .is_none()
    );

    // bob's silence covers only q1, not the whole QueueBacklog group.
    let queue = find("QueueBacklog");
    assert!(
        writer("bob")
            .own_silence(&Target::of_group(queue), &silences)
            .is_none()
    );

    // A silence made a moment ago, before Alertmanager marks the alerts, still counts.
    let mut fresh = silences[1].clone();
    fresh.id = "fresh".into();
    fresh.created_by = "sam".into();
    fresh.matchers = writer("sam")
        .ack_silence(queue.matchers(), None, at(3, 12))
        .matchers;
    silences.push(fresh);
    assert_eq!(
        writer("sam")
            .own_silence(&Target::of_group(queue), &silences)
            .map(|s| s.id.as_str()),
        Some("fresh")
    );
}

#[test]
fn notes_append_to_the_comment_once() {
    let (_, silences) = fixture();
    let update = noted(&silences[0], "freed 40 GB").unwrap();
    assert_eq!(update.id.as_deref(), Some(silences[0].id.as_str()));
    assert_eq!(
        update.comment,
        "db-3 cleanup running, see CHG-4411\nfreed 40 GB"
    );
    assert_eq!(
        update.starts_at, silences[0].starts_at,
        "unchanged, so updated in place"
    );
    assert_eq!(update.matchers, silences[0].matchers);
    let mut sent = silences[0].clone();
    sent.comment = update.comment;
    assert_eq!(
        noted(&sent, "freed 40 GB"),
        None,
        "a retried note is not added twice"
    );
}

#[test]
fn garbage_is_malformed_never_a_panic() {
    let inputs: [&[u8]; 7] = [
        b"",
        b"<html>502 Bad Gateway</html>",
        b"{}",
        b"[{\"labels\":{}}]",
        b"[{\"startsAt\":\"yesterday\",\"status\":{\"state\":\"active\"}}]",
        b"[{\"startsAt\":\"2026-11-21T03:00:00Z\",\"status\":{\"state\":\"sleeping\"}}]",
        &[0xff, 0xfe, 0x00, 0x5b],
    ];
    for input in inputs {
        assert!(
            matches!(parse_alerts(input), Err(SourceError::Malformed(_))),
            "{input:?}"
        );
        assert!(matches!(
            parse_silences(input),
            Err(SourceError::Malformed(_))
        ));
        assert!(matches!(
            parse_silence_id(input),
            Err(SourceError::Malformed(_))
        ));
        assert!(parse_incidents("am", &default_group_by(), input, None).is_err());
    }
    assert_eq!(
        parse_silence_id(br#"{"silenceID":"81209f0b-84ca-464a-839a-13b4378e4d54"}"#),
        Ok("81209f0b-84ca-464a-839a-13b4378e4d54".to_string())
    );
}

#[test]
fn incidents_parse_without_the_silence_list() {
    let incidents = parse_incidents("am", &default_group_by(), ALERTS.as_bytes(), None).unwrap();
    let disk = by_alertname(&incidents, "DiskFilling");
    assert_eq!(
        disk.status,
        IncidentStatus::Acknowledged,
        "alert status alone says so"
    );
    assert_eq!(disk.acknowledged_by, None, "who needs the silence list");
}

#[test]
fn silence_matchers_follow_alertmanager_semantics() {
    use super::group::Selector;
    use super::wire::Matcher;
    let labels: std::collections::BTreeMap<String, String> =
        [("service".to_string(), "checkout".to_string())].into();
    let matcher = |name: &str, value: &str, is_regex, is_equal| Matcher {
        name: name.into(),
        value: value.into(),
        is_regex,
        is_equal,
    };
    let matches = |m: Matcher| Selector::new(&[m]).matches(&labels);
    assert!(matches(matcher("service", "check.*", true, true)));
    assert!(
        !matches(matcher("service", "check", true, true)),
        "anchored"
    );
    assert!(matches(matcher("service", "search|web", true, false)));
    assert!(
        matches(matcher("team", "", false, true)),
        "missing reads as empty"
    );
    assert!(!matches(matcher("service", "", false, true)));
    assert!(
        !matches(matcher("service", "(", true, true)),
        "a broken pattern matches nothing"
    );
}
