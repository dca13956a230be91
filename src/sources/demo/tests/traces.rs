//! The trace source: search results per service and whole traces that hold together.

use super::*;
use crate::model::{Span, Trace, TraceKind, TraceSearch};
use crate::sources::TraceSource;

#[tokio::test]
async fn every_service_has_slow_and_failing_traces_that_hold_together() {
    let source = demo(SEED);
    let services = [
        "gateway",
        "checkout",
        "payments",
        "search",
        "inventory",
        "auth",
        "notifications",
    ];
    for at in [secs(0), secs(20 * 60 + 13)] {
        for service in services {
            for kind in [TraceKind::Slow, TraceKind::Errors] {
                let search = TraceSearch::new(service, kind, 12);
                let found = source.search_traces(&search, at).await.unwrap();
                assert!(!found.is_empty(), "{service} {kind:?}");
                assert!(found.len() <= 12);
                for pair in found.windows(2) {
                    match kind {
                        TraceKind::Slow => assert!(pair[0].duration_us >= pair[1].duration_us),
                        TraceKind::Errors => assert!(pair[0].start >= pair[1].start),
                    }
                }
                for summary in &found {
                    assert!(summary.start <= at && at - summary.start <= TimeDelta::minutes(15));
                    if kind == TraceKind::Errors {
                        assert!(summary.error);
                    }
                    let trace = source.fetch_trace(&summary.trace_id).await.unwrap();
                    assert_eq!(&trace.summary, summary);
                    check_trace(&trace, service);
                }
            }
        }
    }
    assert!(matches!(
        source.fetch_trace("0123").await,
        Err(SourceError::Rejected(_))
    ));
    let forged = format!("{:032x}", 12_345u128);
    assert!(matches!(
        source.fetch_trace(&forged).await,
        Err(SourceError::Rejected(_))
    ));
}

fn check_trace(trace: &Trace, service: &str) {
    let s = &trace.summary;
    let hex = |id: &str, len: usize| {
        id.len() == len
            && id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    };
    assert!(hex(&s.trace_id, 32));
    assert!(
        (8..=40).contains(&trace.spans.len()),
        "{}",
        trace.spans.len()
    );
    assert_eq!(s.span_count, trace.spans.len());
    assert_eq!(s.error, trace.spans.iter().any(|x| x.error));
    assert!(trace.spans.iter().any(|x| x.service == service));
    let by_id: HashMap<&str, &Span> = trace
        .spans
        .iter()
        .map(|x| (x.span_id.as_str(), x))
        .collect();
    assert_eq!(by_id.len(), trace.spans.len(), "span ids are unique");
    let roots: Vec<_> = trace
        .spans
        .iter()
        .filter(|x| x.parent_id.is_none())
        .collect();
    assert_eq!(roots.len(), 1);
    assert_eq!(
        (roots[0].start_offset_us, roots[0].duration_us),
        (0, s.duration_us)
    );
    assert_eq!(
        (roots[0].service.as_str(), roots[0].operation.as_str()),
        (s.root_service.as_str(), s.root_operation.as_str())
    );
    for span in &trace.spans {
        assert!(hex(&span.span_id, 16));
        let mut depth = 1;
        let mut at = span;
        while let Some(parent) = at.parent_id.as_deref() {
            let p = by_id[parent];
            assert!(at.start_offset_us >= p.start_offset_us);
            assert!(at.start_offset_us + at.duration_us <= p.start_offset_us + p.duration_us);
            // A failure propagates all the way up.
            assert!(!at.error || p.error);
            at = p;
            depth += 1;
        }
        assert!(depth <= 5);
    }
}

#[tokio::test]
async fn slow_traces_have_one_dominant_span_and_the_burn_shows_in_checkout_errors() {
    let source = demo(SEED);
    let search = |kind| TraceSearch::new("checkout", kind, 5);
    let slow = source
        .search_traces(&search(TraceKind::Slow), secs(600))
        .await
        .unwrap();
    let slowest = source.fetch_trace(&slow[0].trace_id).await.unwrap();
    assert!(slowest.summary.duration_us > 900_000);
    let longest_leaf = slowest
        .spans
        .iter()
        .filter(|s| {
            !slowest
                .spans
                .iter()
                .any(|c| c.parent_id.as_deref() == Some(s.span_id.as_str()))
        })
        .map(|s| s.duration_us)
        .max()
        .unwrap_or(0);
    assert!(longest_leaf * 2 > slowest.summary.duration_us);
    let failing = source
        .search_traces(&search(TraceKind::Errors), secs(600))
        .await
        .unwrap();
    assert_eq!(failing.len(), 5);
    let mut blamed = 0;
    for summary in &failing {
        let trace = source.fetch_trace(&summary.trace_id).await.unwrap();
        let root = trace.spans.iter().find(|s| s.parent_id.is_none()).unwrap();
        assert!(
            root.attributes
                .iter()
                .any(|(k, v)| k == "http.status_code" && v.starts_with('5'))
        );
        blamed += usize::from(
            trace
                .spans
                .iter()
                .any(|s| s.error && s.service == "checkout-redis"),
        );
    }
    assert!(blamed >= 3, "{blamed}");
}

#[tokio::test]
async fn the_service_graph_comes_from_the_traces() {
    let source = demo(SEED);
    let edges = source.dependencies(secs(10 * 60)).await.unwrap();
    let calls = |parent: &str, child: &str| {
        edges
            .iter()
            .find(|e| e.parent == parent && e.child == child)
            .map_or(0, |e| e.calls)
    };
    assert!(calls("gateway", "checkout") > 0);
    assert!(calls("checkout", "payments") > 0);
    assert!(edges.iter().all(|e| e.parent != e.child && e.calls > 0));
    assert_eq!(
        calls("payments", "gateway"),
        0,
        "nobody calls the gateway back"
    );
}

#[tokio::test]
async fn a_search_covers_the_range_it_names() {
    let source = demo(SEED);
    let at = secs(60 * 60);
    let mut search = TraceSearch::new("checkout", TraceKind::Slow, 50);
    search.range = Some((at - TimeDelta::minutes(45), at - TimeDelta::minutes(30)));
    let found = source.search_traces(&search, at).await.unwrap();
    assert!(!found.is_empty());
    for summary in &found {
        assert!(summary.start > at - TimeDelta::minutes(45));
        assert!(summary.start <= at - TimeDelta::minutes(30));
    }
}
