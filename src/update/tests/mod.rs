//! Behaviour of `update` as a responder relies on it. The fixtures here serve the
//! submodules too.

mod ingest;
mod silence;
mod writes;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::update;
use crate::action::Action;
use crate::command::Command;
use crate::event::CommandResult;
use crate::model::{
    Incident, IncidentAction, IncidentStatus, MetricsSnapshot, SloObservation, TraceKind,
    TraceSummary, Urgency,
};
use crate::outbox::{Delivery, DeliveryState, OutboxEntry, WriteKind, WriteRequest};
use crate::slo::{Counts, SliKind, SloSpec, Window, default_tiers};
use crate::sources::{Feed, SourceError, SourcePayload, SourceUpdate};
use crate::state::{
    Freshness, Health, IncidentKey, Load, OncallFocus, Overlay, Pane, PendingState, SourceStatus,
    State,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap()
}

fn state() -> State {
    let mut s = State::new(t0(), default_tiers());
    let refresh = std::time::Duration::from_secs(5);
    s.sources
        .push(SourceStatus::new("demo", "demo", Feed::Metrics, refresh));
    s.sources
        .push(SourceStatus::new("demo", "demo", Feed::Incidents, refresh));
    s
}

fn observation(service: &str, bad_hour: f64, bad_month: f64) -> SloObservation {
    let spec = SloSpec::new(
        service,
        "availability",
        0.999,
        Window::days(30),
        SliKind::Availability,
    );
    let mut counts = BTreeMap::new();
    counts.insert(
        Window::minutes(5),
        Counts {
            bad: bad_hour / 12.0,
            total: 1_000.0,
        },
    );
    counts.insert(
        Window::hours(1),
        Counts {
            bad: bad_hour,
            total: 12_000.0,
        },
    );
    counts.insert(
        Window::days(30),
        Counts {
            bad: bad_month,
            total: 1_000_000.0,
        },
    );
    SloObservation {
        spec,
        counts,
        trend: vec![1.0, 2.0],
        issues: Vec::new(),
    }
}

fn metrics_update(at: DateTime<Utc>) -> SourceUpdate {
    SourceUpdate {
        source: "demo".into(),
        feed: Feed::Metrics,
        at,
        outcome: Ok(SourcePayload::Metrics(MetricsSnapshot {
            at,
            evaluated: Default::default(),
            // search is healthy, checkout burns 25x in the last hour with 60% budget spent.
            slos: vec![
                observation("search", 6.0, 100.0),
                observation("checkout", 300.0, 600.0),
            ],
            services: vec![],
        })),
        retry_at: None,
    }
}

fn incident(id: &str, urgency: Urgency, status: IncidentStatus, minutes_ago: i64) -> Incident {
    let created_at = t0() - Duration::minutes(minutes_ago);
    Incident {
        status,
        urgency,
        acknowledged_by: (status == IncidentStatus::Acknowledged).then(|| "sam".to_string()),
        assignees: vec!["sam".into()],
        labels: BTreeMap::from([("alertname".to_string(), format!("Alert{id}"))]),
        ..Incident::new(
            "demo",
            id,
            &format!("incident {id}"),
            "checkout",
            created_at,
        )
    }
}

fn incidents_update(incidents: Vec<Incident>) -> Action {
    Action::Ingest(Box::new(SourceUpdate {
        source: "demo".into(),
        feed: Feed::Incidents,
        at: t0(),
        outcome: Ok(SourcePayload::Incidents(
            crate::model::IncidentSnapshot::of(incidents),
        )),
        retry_at: None,
    }))
}

fn oncall_with_pages() -> State {
    let mut s = state();
    update(
        &mut s,
        incidents_update(vec![
            incident("LOW-1", Urgency::Low, IncidentStatus::Triggered, 50),
            incident("HIGH-2", Urgency::High, IncidentStatus::Triggered, 5),
            incident("HIGH-1", Urgency::High, IncidentStatus::Acknowledged, 90),
        ]),
    );
    update(&mut s, Action::ShowOncall);
    s
}

fn selected_id(s: &State) -> Option<&str> {
    s.selected_slo.as_ref().map(|k| k.id.as_str())
}

#[test]
fn panes_cycle_with_tab_and_jump_with_numbers() {
    let mut s = state();
    assert_eq!(s.pane, Pane::Executive);
    update(&mut s, Action::NextPane);
    assert_eq!(s.pane, Pane::Oncall);
    update(&mut s, Action::NextPane);
    update(&mut s, Action::NextPane);
    assert_eq!(s.pane, Pane::Executive);
    update(&mut s, Action::PrevPane);
    assert_eq!(s.pane, Pane::Debug);
    update(&mut s, Action::ShowOncall);
    assert_eq!(s.pane, Pane::Oncall);
}

#[test]
fn slos_are_ordered_most_at_risk_first_and_selection_follows_the_slo() {
    let mut s = state();
    update(&mut s, Action::Ingest(Box::new(metrics_update(t0()))));
    assert_eq!(s.slos[0].report.spec.service, "checkout");
    assert!(s.slos[0].report.worst_firing().is_some());
    assert_eq!(selected_id(&s), Some("checkout/availability"));
    update(&mut s, Action::Down);
    assert_eq!(selected_id(&s), Some("search/availability"));
    update(&mut s, Action::Down);
    assert_eq!(selected_id(&s), Some("search/availability"));
    update(&mut s, Action::Top);
    assert_eq!(s.selected_slo_index(), 0);
}

#[test]
fn a_failing_source_keeps_its_last_good_numbers() {
    let mut s = state();
    update(&mut s, Action::Ingest(Box::new(metrics_update(t0()))));
    let later = t0() + Duration::seconds(30);
    update(
        &mut s,
        Action::Ingest(Box::new(SourceUpdate {
            source: "demo".into(),
            feed: Feed::Metrics,
            at: later,
            outcome: Err(SourceError::Timeout(10_000)),
            retry_at: Some(later + Duration::seconds(20)),
        })),
    );
    update(&mut s, Action::Tick(later));
    assert_eq!(s.slos.len(), 2, "last good data stays on screen");
    let old = Freshness::Old {
        age_secs: 30,
        failed: true,
    };
    for row in &s.slos {
        assert_eq!(
            s.freshness_of(row),
            old,
            "and every row of it is marked old"
        );
    }
    assert_eq!(
        s.feed_freshness(Feed::Metrics),
        old,
        "so are the counts over it"
    );
    match s.sources[0].health(s.now) {
        Health::Failed {
            error,
            last_ok_age_secs,
            retry_in_secs,
        } => {
            assert_eq!(error, "timed out after 10000 ms");
            assert_eq!(last_ok_age_secs, Some(30));
            assert_eq!(retry_in_secs, Some(20));
        }
        other => panic!("expected failed, got {other:?}"),
    }
    update(&mut s, Action::Ingest(Box::new(metrics_update(later))));
    assert_eq!(s.sources[0].health(later), Health::Fresh { age_secs: 0 });
    assert!(s.slos.iter().all(|row| s.freshness_of(row).is_current()));
}

#[test]
fn a_source_silent_for_three_intervals_is_stale() {
    let mut s = state();
    update(&mut s, Action::Ingest(Box::new(metrics_update(t0()))));
    assert_eq!(
        s.sources[0].health(t0() + Duration::seconds(15)),
        Health::Fresh { age_secs: 15 }
    );
    assert_eq!(
        s.sources[0].health(t0() + Duration::seconds(16)),
        Health::Stale { age_secs: 16 }
    );
    // Nothing failed, but the ticking clock alone makes the rows old.
    update(&mut s, Action::Tick(t0() + Duration::seconds(16)));
    let late = Freshness::Old {
        age_secs: 16,
        failed: false,
    };
    assert!(s.slos.iter().all(|row| s.freshness_of(row) == late));
}

#[test]
fn incidents_sort_by_urgency_then_status_then_age() {
    let s = oncall_with_pages();
    let order: Vec<&str> = s.open_incidents().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(order, ["HIGH-2", "HIGH-1", "LOW-1"]);
}

fn summary(id: &str) -> TraceSummary {
    TraceSummary {
        trace_id: id.into(),
        root_service: "checkout".into(),
        root_operation: "POST /checkout".into(),
        start: t0(),
        duration_us: 1_800_000,
        span_count: 12,
        error: false,
    }
}

#[test]
fn opening_an_slo_searches_its_service_and_shows_the_slowest_trace() {
    let mut s = state();
    update(&mut s, Action::Ingest(Box::new(metrics_update(t0()))));
    let commands = update(&mut s, Action::Open);
    assert_eq!(s.pane, Pane::Debug);
    assert_eq!(s.debug.service.as_deref(), Some("checkout"));
    let searches = commands
        .iter()
        .filter(|c| matches!(c, Command::SearchTraces(_)))
        .count();
    assert_eq!(searches, 2, "slow and failing traces");
    assert_eq!(s.debug.slow, Load::Loading);

    let found = CommandResult::Traces {
        service: "checkout".into(),
        kind: TraceKind::Slow,
        outcome: Ok(vec![summary("aa"), summary("bb")]),
    };
    let commands = update(&mut s, Action::Completed(Box::new(found)));
    assert_eq!(
        commands,
        vec![Command::FetchTrace {
            trace_id: "aa".into()
        }]
    );

    // A result for a trace nobody asked for any more is dropped.
    let stale = CommandResult::Trace {
        trace_id: "zz".into(),
        outcome: Err(SourceError::Rejected("gone".into())),
    };
    update(&mut s, Action::Completed(Box::new(stale)));
    assert_eq!(s.debug.trace, Load::Loading);

    // Searches for a service no longer in view are dropped too.
    let other = CommandResult::Traces {
        service: "search".into(),
        kind: TraceKind::Errors,
        outcome: Ok(vec![summary("cc")]),
    };
    update(&mut s, Action::Completed(Box::new(other)));
    assert_eq!(s.debug.errors, Load::Loading);
}

#[test]
fn flash_messages_fade() {
    let mut s = oncall_with_pages();
    s.readonly = true;
    update(&mut s, Action::Acknowledge);
    update(&mut s, Action::Tick(t0() + Duration::seconds(7)));
    assert!(s.flash.is_some());
    update(&mut s, Action::Tick(t0() + Duration::seconds(8)));
    assert!(s.flash.is_none());
}

#[test]
fn the_first_page_is_pinned_so_a_resort_never_moves_the_cursor() {
    let mut s = oncall_with_pages();
    // Nothing was chosen by hand: the cursor is on the first row, by key.
    assert_eq!(
        s.selected_incident.as_ref().map(|k| k.id.as_str()),
        Some("HIGH-2")
    );
    let mut acked = incident("HIGH-2", Urgency::High, IncidentStatus::Acknowledged, 5);
    acked.acknowledged_by = Some("you".into());
    update(
        &mut s,
        incidents_update(vec![
            incident("LOW-1", Urgency::Low, IncidentStatus::Triggered, 50),
            acked,
            incident("HIGH-1", Urgency::High, IncidentStatus::Acknowledged, 90),
        ]),
    );
    assert_eq!(
        s.selected_incident().unwrap().id,
        "HIGH-2",
        "still on the acked page"
    );
    // Once it resolves, the cursor moves to the first open page.
    update(
        &mut s,
        incidents_update(vec![incident(
            "LOW-1",
            Urgency::Low,
            IncidentStatus::Triggered,
            50,
        )]),
    );
    assert_eq!(s.selected_incident().unwrap().id, "LOW-1");
}

#[test]
fn help_scrolls_within_its_length_and_reopens_at_the_top() {
    let mut s = state();
    s.help_len = 12;
    update(&mut s, Action::ToggleHelp);
    update(&mut s, Action::PageDown);
    assert_eq!(s.help_scroll, 10);
    update(&mut s, Action::PageDown);
    assert_eq!(s.help_scroll, 11, "never past the last line");
    update(&mut s, Action::Up);
    assert_eq!(s.help_scroll, 10);
    update(&mut s, Action::ToggleHelp);
    update(&mut s, Action::ToggleHelp);
    assert_eq!(s.help_scroll, 0);
    assert_eq!(
        s.selected_slo_index(),
        0,
        "scrolling help moves no selection"
    );
}

#[test]
fn the_same_slo_id_from_two_sources_stays_two_rows_and_the_cursor_keeps_its_source() {
    let mut s = state();
    update(&mut s, Action::Ingest(Box::new(metrics_update(t0()))));
    let mut other = metrics_update(t0());
    other.source = "prom".into();
    update(&mut s, Action::Ingest(Box::new(other)));
    assert_eq!(s.slos.len(), 4);
    // Walk until the cursor sits on prom's checkout/availability.
    while s
        .selected_slo_row()
        .map(|r| (r.source.as_str(), r.report.spec.id.as_str()))
        != Some(("prom", "checkout/availability"))
    {
        let before = s.selected_slo_index();
        update(&mut s, Action::Down);
        assert_ne!(before, s.selected_slo_index(), "prom's row is reachable");
    }
    // A fresh demo snapshot re-sorts the table; the cursor stays on prom's row.
    update(&mut s, Action::Ingest(Box::new(metrics_update(t0()))));
    let row = s.selected_slo_row().unwrap();
    assert_eq!(
        (row.source.as_str(), row.report.spec.id.as_str()),
        ("prom", "checkout/availability")
    );
}
