//! The debug state as the pane reads it: list rows in order, and folds that hide exactly a
//! subtree.

use chrono::{TimeZone, Utc};

use super::*;
use crate::model::{Span, TraceSummary};

fn summary(id: &str) -> TraceSummary {
    TraceSummary {
        trace_id: id.to_string(),
        root_service: "checkout".to_string(),
        root_operation: "POST /checkout".to_string(),
        start: Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap(),
        duration_us: 1_000,
        span_count: 3,
        error: false,
    }
}

fn span(id: &str, parent: Option<&str>, start: u64) -> Span {
    Span {
        span_id: id.to_string(),
        parent_id: parent.map(str::to_string),
        service: "svc".to_string(),
        operation: id.to_string(),
        start_offset_us: start,
        duration_us: 10,
        error: false,
        attributes: vec![],
        events: vec![],
    }
}

fn trace() -> Trace {
    Trace {
        summary: summary("t1"),
        spans: vec![
            span("root", None, 0),
            span("a", Some("root"), 1),
            span("a1", Some("a"), 2),
            span("a2", Some("a"), 3),
            span("b", Some("root"), 5),
        ],
    }
}

#[test]
fn the_list_is_slow_then_failing_then_exemplar_traces() {
    let debug = DebugState {
        slow: Load::Ready(vec![summary("s1"), summary("s2")]),
        errors: Load::Ready(vec![summary("e1")]),
        exemplars: Load::Ready(vec![Exemplar {
            trace_id: "x1".to_string(),
            value: 0.8,
            at: Utc.with_ymd_and_hms(2026, 11, 21, 3, 1, 0).unwrap(),
            series: Default::default(),
        }]),
        selected_trace: 3,
        ..DebugState::default()
    };
    let ids: Vec<(&str, ListedKind)> = debug
        .listed()
        .iter()
        .map(|l| (l.trace_id, l.kind))
        .collect();
    assert_eq!(
        ids,
        [
            ("s1", ListedKind::Slow),
            ("s2", ListedKind::Slow),
            ("e1", ListedKind::Error),
            ("x1", ListedKind::Exemplar)
        ]
    );
    assert_eq!(debug.selected_listed_id().as_deref(), Some("x1"));
    // A selection left past the end of a shorter list picks the last row, not nothing.
    let shorter = DebugState {
        selected_trace: 9,
        ..debug
    };
    assert_eq!(shorter.selected_listed_id().as_deref(), Some("x1"));
}

#[test]
fn folding_hides_exactly_the_subtree_and_unfolding_brings_it_back() {
    let mut debug = DebugState::default();
    debug.show_trace(trace());
    assert_eq!(debug.waterfall.len(), 5);
    assert!(debug.waterfall.fold(1), "a has children");
    let shown: Vec<usize> = (0..debug.waterfall.len())
        .filter_map(|p| debug.waterfall.row_at(p))
        .map(|r| r.span_index)
        .collect();
    assert_eq!(shown, [0, 1, 4], "a1 and a2 hidden, b still shown");
    assert!(!debug.waterfall.fold(1), "already folded");
    assert!(!debug.waterfall.fold(2), "b is a leaf");
    assert_eq!(debug.waterfall.position_of(4), Some(2));
    assert_eq!(debug.waterfall.position_of(2), None);
    assert!(debug.waterfall.unfold(1));
    assert_eq!(debug.waterfall.len(), 5);
}

#[test]
fn a_hand_built_state_is_laid_out_on_demand() {
    let debug = DebugState {
        trace: Load::Ready(trace()),
        selected_span: 4,
        ..DebugState::default()
    };
    let (_, view) = debug.waterfall_view().unwrap();
    assert!(matches!(view, Cow::Owned(_)));
    let (row, span) = debug.selected_row().unwrap();
    assert_eq!(span.span_id, "b");
    assert_eq!(row.depth, 1);
}

#[test]
fn searches_cover_the_investigation_or_the_last_hour() {
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap();
    let mut debug = DebugState::default();
    assert_eq!(debug.search_window(now), (now - Duration::hours(1), now));
    let since = now - Duration::minutes(40);
    debug.investigation = Some(Investigation {
        label: "incident PD-1".to_string(),
        since,
    });
    assert_eq!(debug.search_window(now), (since, now));
}
