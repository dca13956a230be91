//! Placing wire spans on their trace's timeline: offsets from the earliest span start
//! (clock-skewed children may start before their parents, so nothing is assumed about
//! order), orphans whose parent was never reported become roots, parent cycles are cut,
//! and the summary (root, duration, error) is derived from the spans.

use std::collections::HashMap;

use crate::model::{Span, SpanEvent, Trace, TraceSummary};
use crate::sources::SourceError;

use super::units::micros_to_time;

/// A span as read from the wire, with absolute times, before it is placed on the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct WireSpan {
    /// Lowercase hex span id.
    pub span_id: String,
    /// Lowercase hex parent span id, if the wire named one.
    pub parent_id: Option<String>,
    /// Emitting service.
    pub service: String,
    /// Operation (span name).
    pub operation: String,
    /// Start in epoch microseconds.
    pub start_us: u64,
    /// Duration in microseconds.
    pub duration_us: u64,
    /// Whether the span failed.
    pub error: bool,
    /// Attributes or tags as text, in wire order.
    pub attributes: Vec<(String, String)>,
    /// Events or logs, in wire order.
    pub events: Vec<WireEvent>,
}

/// An event or log of a [`WireSpan`], with its absolute time.
#[derive(Debug, Clone, PartialEq)]
pub struct WireEvent {
    /// When, in epoch microseconds.
    pub at_us: u64,
    /// Event name.
    pub name: String,
    /// Its attributes or fields as text.
    pub attributes: Vec<(String, String)>,
}

/// The trace `trace_id` made of `spans`: offsets relative to the earliest start, orphans as
/// roots, events in time order, and a summary whose root is the earliest span that never had
/// a parent (else the earliest orphan). A trace without spans is rejected as not found.
pub fn assemble(trace_id: &str, spans: Vec<WireSpan>) -> Result<Trace, SourceError> {
    let Some(start_us) = spans.iter().map(|s| s.start_us).min() else {
        return Err(SourceError::Rejected(format!(
            "trace {trace_id} holds no spans (not found or expired)"
        )));
    };
    let end_us = spans
        .iter()
        .map(|s| s.start_us.saturating_add(s.duration_us))
        .max()
        .unwrap_or(start_us);
    let start = micros_to_time(start_us).ok_or_else(|| {
        SourceError::Malformed(format!("trace {trace_id} starts at an impossible time"))
    })?;
    let parents = resolve_parents(&spans);

    let mut root: Option<(bool, u64, usize)> = None;
    for (i, span) in spans.iter().enumerate() {
        if parents[i].is_none() {
            // True roots sort before orphans, then the earliest start wins.
            let key = (span.parent_id.is_some(), span.start_us, i);
            if root.is_none_or(|best| key < best) {
                root = Some(key);
            }
        }
    }
    let root = root.map(|(_, _, i)| &spans[i]);
    let summary = TraceSummary {
        trace_id: trace_id.to_string(),
        root_service: root.map(|s| s.service.clone()).unwrap_or_default(),
        root_operation: root.map(|s| s.operation.clone()).unwrap_or_default(),
        start,
        duration_us: end_us - start_us,
        span_count: spans.len(),
        error: spans.iter().any(|s| s.error),
    };
    let spans = spans
        .into_iter()
        .zip(parents)
        .map(|(span, parent_id)| place(span, parent_id, start_us))
        .collect();
    Ok(Trace { summary, spans })
}

fn place(span: WireSpan, parent_id: Option<String>, trace_start_us: u64) -> Span {
    let mut events: Vec<SpanEvent> = span
        .events
        .into_iter()
        .map(|e| SpanEvent {
            offset_us: e.at_us.saturating_sub(trace_start_us),
            name: e.name,
            attributes: e.attributes,
        })
        .collect();
    events.sort_by_key(|e| e.offset_us);
    Span {
        span_id: span.span_id,
        parent_id,
        service: span.service,
        operation: span.operation,
        start_offset_us: span.start_us.saturating_sub(trace_start_us),
        duration_us: span.duration_us,
        error: span.error,
        attributes: span.attributes,
        events,
    }
}

/// Each span's parent when that parent is in the trace; `None` for roots, orphans, spans
/// that name themselves, and the span where a parent cycle closes, so walking up from any
/// span always ends at a root.
fn resolve_parents(spans: &[WireSpan]) -> Vec<Option<String>> {
    let index: HashMap<&str, usize> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.span_id.as_str(), i))
        .collect();
    let mut parent: Vec<Option<usize>> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let p = *index.get(s.parent_id.as_deref()?)?;
            (p != i).then_some(p)
        })
        .collect();

    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut mark = vec![Mark::New; spans.len()];
    let mut path = Vec::new();
    for first in 0..spans.len() {
        let mut at = first;
        while mark[at] == Mark::New {
            mark[at] = Mark::OnPath;
            path.push(at);
            match parent[at] {
                Some(p) if mark[p] == Mark::OnPath => {
                    parent[at] = None;
                    break;
                }
                Some(p) => at = p,
                None => break,
            }
        }
        for i in path.drain(..) {
            mark[i] = Mark::Done;
        }
    }
    parent
        .into_iter()
        .map(|p| p.map(|p| spans[p].span_id.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: &str, parent: Option<&str>, start_us: u64, duration_us: u64) -> WireSpan {
        WireSpan {
            span_id: id.to_string(),
            parent_id: parent.map(str::to_string),
            service: format!("svc-{id}"),
            operation: format!("op-{id}"),
            start_us,
            duration_us,
            error: false,
            attributes: Vec::new(),
            events: Vec::new(),
        }
    }

    #[test]
    fn a_skewed_child_sets_the_trace_start_and_nothing_underflows() {
        let spans = vec![
            span("a", None, 1_000_100, 500),
            // The child's host clock runs 300 µs behind.
            span("b", Some("a"), 1_000_000, 200),
        ];
        let trace = assemble("t1", spans).unwrap();
        assert_eq!(trace.spans[0].start_offset_us, 100);
        assert_eq!(trace.spans[1].start_offset_us, 0);
        assert_eq!(trace.summary.duration_us, 600);
        assert_eq!(trace.summary.root_operation, "op-a");
    }

    #[test]
    fn orphans_become_roots_but_a_true_root_is_the_summary_root() {
        let spans = vec![
            span("o", Some("missing"), 10, 5),
            span("r", None, 20, 50),
            span("c", Some("r"), 25, 5),
        ];
        let trace = assemble("t", spans).unwrap();
        assert_eq!(trace.spans[0].parent_id, None);
        assert_eq!(trace.spans[2].parent_id.as_deref(), Some("r"));
        assert_eq!(trace.summary.root_service, "svc-r");
        assert_eq!(trace.summary.span_count, 3);
    }

    #[test]
    fn parent_cycles_are_cut_so_every_span_reaches_a_root() {
        let spans = vec![
            span("a", Some("b"), 0, 1),
            span("b", Some("a"), 0, 1),
            span("s", Some("s"), 0, 1),
        ];
        let trace = assemble("t", spans).unwrap();
        let roots = trace.spans.iter().filter(|s| s.parent_id.is_none()).count();
        assert_eq!(roots, 2, "{:?}", trace.spans);
    }

    #[test]
    fn an_empty_trace_is_rejected_not_a_panic() {
        assert!(matches!(
            assemble("t", Vec::new()),
            Err(SourceError::Rejected(_))
        ));
    }

    #[test]
    fn events_are_placed_in_time_order_even_before_the_trace_start() {
        let mut s = span("a", None, 100, 10);
        s.events = vec![
            WireEvent {
                at_us: 105,
                name: "late".into(),
                attributes: Vec::new(),
            },
            WireEvent {
                at_us: 50,
                name: "skewed".into(),
                attributes: Vec::new(),
            },
        ];
        let trace = assemble("t", vec![s]).unwrap();
        let names: Vec<_> = trace.spans[0]
            .events
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(names, ["skewed", "late"]);
        assert_eq!(trace.spans[0].events[0].offset_us, 0);
    }
}
