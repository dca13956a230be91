//! The incident feed: the opening state, the schedule over time, and responder actions.

use std::collections::BTreeMap;

use super::*;
use crate::model::{IncidentStatus, Urgency};
use crate::sources::IncidentSource;

#[tokio::test]
async fn the_start_shows_open_pages_and_a_month_of_history() {
    let list = demo(SEED).fetch_incidents().await.unwrap();
    let open: Vec<&Incident> = list.iter().filter(|i| i.is_open()).collect();
    assert!((4..=6).contains(&open.len()), "{open:?}");
    let has = |status, urgency| {
        open.iter()
            .any(|i| i.status == status && i.urgency == urgency)
    };
    assert!(has(IncidentStatus::Triggered, Urgency::High));
    assert!(open.iter().any(|i| i.urgency == Urgency::Low));
    assert!(open.iter().any(|i| i.status == IncidentStatus::Acknowledged
        && i.acknowledged_by.as_deref().is_some_and(|b| b != "you")));
    let resolved: Vec<&Incident> = list.iter().filter(|i| !i.is_open()).collect();
    assert!((15..=20).contains(&resolved.len()), "{}", resolved.len());
    for i in &resolved {
        let resolve = i.resolved_at.unwrap_or_default() - i.created_at;
        assert!(
            resolve >= TimeDelta::minutes(10) && resolve <= TimeDelta::hours(4),
            "{i:?}"
        );
        assert!(start() - i.resolved_at.unwrap_or_default() <= TimeDelta::days(30));
        if let Some(acked) = i.acknowledged_at {
            let ack = acked - i.created_at;
            assert!(
                ack >= TimeDelta::minutes(1) && ack <= TimeDelta::minutes(15),
                "{i:?}"
            );
        }
    }
    assert!(
        resolved
            .iter()
            .filter(|i| i.acknowledged_at.is_some())
            .count()
            >= 10
    );
    let runbooks = [
        "high-error-rate",
        "latency-burn",
        "disk-full",
        "cert-expiry",
        "dependency-outage",
    ];
    assert!(
        list.iter()
            .all(|i| runbooks.contains(&i.runbook.as_deref().unwrap_or("")))
    );
    assert!(
        list.iter()
            .all(|i| i.source == "demo" && i.id.starts_with("DEMO-"))
    );
}

#[test]
fn the_checkout_burn_opens_a_page_that_escalates() {
    let source = demo(SEED);
    let page = |now| {
        incidents_at(&source, now)
            .into_iter()
            .find(|i| i.title == "checkout availability burning budget at 30x (page)")
    };
    assert!(page(secs(0)).is_none());
    let opened = page(secs(60)).unwrap();
    assert_eq!(
        (opened.status, opened.urgency),
        (IncidentStatus::Triggered, Urgency::High)
    );
    assert_eq!(opened.escalation_level, Some(1));
    let labels: BTreeMap<&str, &str> = opened
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for key in ["alertname", "service", "severity", "env", "region", "slo"] {
        assert!(labels.contains_key(key), "{key}");
    }
    assert_eq!(
        (labels["service"], labels["slo"]),
        ("checkout", "checkout/availability")
    );
    assert!(
        opened
            .links
            .iter()
            .any(|l| l.url == "https://grafana.example.com/d/checkout")
    );
    assert_eq!(opened.runbook.as_deref(), Some("high-error-rate"));
    let later = page(secs(11 * 60)).unwrap();
    assert_eq!(later.status, IncidentStatus::Triggered);
    assert!(later.escalation_level >= Some(3), "{later:?}");
    assert_ne!(later.assignees, opened.assignees);
}

#[test]
fn teammates_acknowledge_and_new_pages_open_in_the_first_quarter_hour() {
    let source = demo(SEED);
    let before = incidents_at(&source, secs(0));
    let after = incidents_at(&source, secs(15 * 60));
    let acked_by_teammate = after.iter().any(|i| {
        i.acknowledged_at.is_some_and(|a| a > start())
            && i.acknowledged_by.as_deref().is_some_and(|b| b != "you")
    });
    assert!(acked_by_teammate);
    let known: Vec<&str> = before.iter().map(|i| i.id.as_str()).collect();
    let new = after
        .iter()
        .filter(|i| !known.contains(&i.id.as_str()) && !i.title.contains("checkout availability"))
        .count();
    assert!(new >= 1);
}

#[test]
fn responder_actions_are_idempotent_and_outlive_the_schedule() {
    let source = demo(SEED);
    let now = secs(60);
    let page = incidents_at(&source, now)
        .into_iter()
        .find(|i| i.status == IncidentStatus::Triggered && i.urgency == Urgency::High)
        .unwrap();
    apply_at(&source, &page.id, IncidentAction::Acknowledge, now).unwrap();
    apply_at(&source, &page.id, IncidentAction::Acknowledge, secs(90)).unwrap();
    // Hours later the schedule would have handed it to a teammate and closed it; it is yours.
    let held = incidents_at(&source, secs(3 * 3600))
        .into_iter()
        .find(|i| i.id == page.id)
        .unwrap();
    assert_eq!(held.status, IncidentStatus::Acknowledged);
    assert_eq!(held.acknowledged_by.as_deref(), Some("you"));
    assert_eq!(held.acknowledged_at, Some(now));
    apply_at(&source, &page.id, IncidentAction::Resolve, secs(4000)).unwrap();
    apply_at(&source, &page.id, IncidentAction::Resolve, secs(4100)).unwrap();
    let closed = incidents_at(&source, secs(5000));
    let closed = closed.iter().find(|i| i.id == page.id).unwrap();
    assert_eq!(closed.status, IncidentStatus::Resolved);
    assert_eq!(closed.resolved_at, Some(secs(4000)));
    match apply_at(&source, &page.id, IncidentAction::Acknowledge, secs(5000)) {
        Err(SourceError::Rejected(why)) => assert!(why.contains("already resolved"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        apply_at(&source, "DEMO-1", IncidentAction::Acknowledge, now),
        Err(SourceError::Rejected(_))
    ));
    assert!(matches!(
        apply_at(&source, "nonsense", IncidentAction::Resolve, now),
        Err(SourceError::Rejected(_))
    ));
}

#[tokio::test]
async fn apply_through_the_trait_acts_at_the_clock() {
    let source = demo(SEED);
    let list = source.fetch_incidents().await.unwrap();
    let target = list
        .iter()
        .find(|i| i.status == IncidentStatus::Triggered)
        .unwrap();
    source
        .apply(&target.id, IncidentAction::Acknowledge, Some("on it"))
        .await
        .unwrap();
    let again = source.fetch_incidents().await.unwrap();
    let now = again.iter().find(|i| i.id == target.id).unwrap();
    assert_eq!(now.status, IncidentStatus::Acknowledged);
    assert_eq!(
        (now.acknowledged_by.as_deref(), now.acknowledged_at),
        (Some("you"), Some(start()))
    );
}
