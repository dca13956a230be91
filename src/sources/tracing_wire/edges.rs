//! Service dependency edges implied by traces: every span whose parent ran in another
//! service is one call from the parent's service to the span's. Tempo has no dependency
//! API, so its graph is derived from recent traces this way.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

use crate::model::{Dependency, Trace};

/// The `parent → child` service edges across `traces`, with the number of cross-service
/// calls seen, busiest first (then by name, so the order is stable).
pub fn service_edges(traces: &[Trace]) -> Vec<Dependency> {
    let mut calls: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for trace in traces {
        let service_of: HashMap<&str, &str> = trace
            .spans
            .iter()
            .map(|s| (s.span_id.as_str(), s.service.as_str()))
            .collect();
        for span in &trace.spans {
            let Some(parent) = span.parent_id.as_deref() else {
                continue;
            };
            if let Some(&from) = service_of.get(parent)
                && from != span.service
            {
                *calls.entry((from, span.service.as_str())).or_default() += 1;
            }
        }
    }
    let mut edges: Vec<Dependency> = calls
        .into_iter()
        .map(|((parent, child), calls)| Dependency {
            parent: parent.to_string(),
            child: child.to_string(),
            calls,
        })
        .collect();
    edges.sort_by_key(|e| Reverse(e.calls));
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::tracing_wire::{WireSpan, assemble};

    fn span(id: &str, parent: Option<&str>, service: &str) -> WireSpan {
        WireSpan {
            span_id: id.into(),
            parent_id: parent.map(str::to_string),
            service: service.into(),
            operation: "op".into(),
            start_us: 1,
            duration_us: 1,
            error: false,
            attributes: Vec::new(),
            events: Vec::new(),
        }
    }

    #[test]
    fn only_calls_across_services_count() {
        let one = assemble(
            "t1",
            vec![
                span("a", None, "frontend"),
                span("b", Some("a"), "frontend"),
                span("c", Some("b"), "checkout"),
                span("d", Some("c"), "redis"),
                span("e", Some("c"), "redis"),
            ],
        )
        .unwrap();
        let two = assemble(
            "t2",
            vec![
                span("a", None, "frontend"),
                span("c", Some("a"), "checkout"),
            ],
        )
        .unwrap();
        let edges = service_edges(&[one, two]);
        let got: Vec<_> = edges
            .iter()
            .map(|e| (e.parent.as_str(), e.child.as_str(), e.calls))
            .collect();
        assert_eq!(got, [("checkout", "redis", 2), ("frontend", "checkout", 2)]);
    }
}
