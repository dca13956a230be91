//! Tempo's `/api/search` answer to trace summaries, with no IO.
//!
//! Tempo does not report a trace's span count in search results; `span_count` is the number
//! of spans that matched the query (the `matched` of each span set).

use serde::Deserialize;
use serde_json::Value;

use super::any_value::any_value_text;
use crate::model::{TraceKind, TraceSummary};
use crate::sources::SourceError;
use crate::sources::tracing_wire::{micros_to_time, trace_id_for_path};

#[derive(Debug, Deserialize)]
struct Answer {
    traces: Option<Vec<Found>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Found {
    #[serde(rename = "traceID")]
    trace_id: String,
    #[serde(default)]
    root_service_name: String,
    #[serde(default)]
    root_trace_name: String,
    start_time_unix_nano: Option<Value>,
    duration_ms: Option<u64>,
    span_set: Option<SpanSet>,
    span_sets: Option<Vec<SpanSet>>,
}

#[derive(Debug, Deserialize)]
struct SpanSet {
    spans: Option<Vec<MatchedSpan>>,
    #[serde(default)]
    matched: u64,
}

#[derive(Debug, Deserialize)]
struct MatchedSpan {
    attributes: Option<Vec<Attribute>>,
}

#[derive(Debug, Deserialize)]
struct Attribute {
    #[serde(default)]
    key: String,
    #[serde(default)]
    value: Value,
}

impl SpanSet {
    fn has_error(&self) -> bool {
        self.spans.iter().flatten().any(|span| {
            span.attributes
                .iter()
                .flatten()
                .any(|a| a.key == "status" && any_value_text(&a.value) == "error")
        })
    }
}

fn summary(found: Found, kind: TraceKind) -> Result<TraceSummary, SourceError> {
    let bad = |what: &str| SourceError::Malformed(format!("search result {what}"));
    let trace_id = trace_id_for_path(&found.trace_id, 32).map_err(|_| bad("has no hex traceID"))?;
    let nanos = match &found.start_time_unix_nano {
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(v) => v.as_u64(),
        None => None,
    }
    .ok_or_else(|| bad("has no startTimeUnixNano"))?;
    let start = micros_to_time(nanos / 1_000).ok_or_else(|| bad("starts at an impossible time"))?;
    // Newer Tempo lists every span set in `spanSets`; `spanSet` is its first (or only) one.
    let sets: Vec<&SpanSet> = match (&found.span_sets, &found.span_set) {
        (Some(sets), _) if !sets.is_empty() => sets.iter().collect(),
        (_, Some(set)) => vec![set],
        _ => Vec::new(),
    };
    let matched: u64 = sets.iter().map(|s| s.matched).sum();
    Ok(TraceSummary {
        trace_id,
        root_service: found.root_service_name,
        root_operation: found.root_trace_name,
        start,
        duration_us: found.duration_ms.unwrap_or(0).saturating_mul(1_000),
        span_count: usize::try_from(matched).unwrap_or(usize::MAX),
        // An error search matches failing spans only, whether or not Tempo echoes `status`.
        error: kind == TraceKind::Errors || sets.iter().any(|s| s.has_error()),
    })
}

/// The traces of a `/api/search` answer to a `kind` search, in Tempo's order, trace ids as
/// 32 lowercase hex digits (Tempo drops leading zeros here).
pub fn parse_search(body: &[u8], kind: TraceKind) -> Result<Vec<TraceSummary>, SourceError> {
    let answer: Answer = serde_json::from_slice(body)
        .map_err(|e| SourceError::Malformed(format!("not a Tempo search answer: {e}")))?;
    answer
        .traces
        .unwrap_or_default()
        .into_iter()
        .map(|found| summary(found, kind))
        .collect()
}
