//! Tempo's trace-by-id answers (OTLP JSON) to ondeck's model, with no IO.
//!
//! Shapes accepted: v2 (`/api/v2/traces/{id}`: `{"trace":{…},"status":…}`) and v1
//! (`/api/traces/{id}`: the trace itself), each holding `batches` (older Tempo) or
//! `resourceSpans`, with `scopeSpans` or the older `instrumentationLibrarySpans`. Ids are hex
//! or base64, times are strings or numbers of nanoseconds, status codes numbers or names.

use serde::Deserialize;
use serde_json::Value;

use super::any_value::any_value_text;
use crate::model::Trace;
use crate::sources::SourceError;
use crate::sources::tracing_wire::{WireEvent, WireSpan, assemble, is_null_id, normalize_id};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    trace: Option<Batches>,
    #[serde(flatten)]
    inline: Batches,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Batches {
    batches: Option<Vec<ResourceSpans>>,
    resource_spans: Option<Vec<ResourceSpans>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceSpans {
    resource: Option<Attributes>,
    scope_spans: Option<Vec<ScopeSpans>>,
    instrumentation_library_spans: Option<Vec<ScopeSpans>>,
}

#[derive(Debug, Deserialize)]
struct Attributes {
    attributes: Option<Vec<KeyValue>>,
}

#[derive(Debug, Deserialize)]
struct ScopeSpans {
    spans: Option<Vec<OtlpSpan>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OtlpSpan {
    trace_id: Option<String>,
    #[serde(default)]
    span_id: String,
    parent_span_id: Option<String>,
    #[serde(default)]
    name: String,
    kind: Option<Value>,
    start_time_unix_nano: Option<Value>,
    end_time_unix_nano: Option<Value>,
    attributes: Option<Vec<KeyValue>>,
    events: Option<Vec<Event>>,
    status: Option<Status>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    time_unix_nano: Option<Value>,
    #[serde(default)]
    name: String,
    attributes: Option<Vec<KeyValue>>,
}

#[derive(Debug, Deserialize)]
struct Status {
    code: Option<Value>,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct KeyValue {
    #[serde(default)]
    key: String,
    #[serde(default)]
    value: Value,
}

fn malformed(what: String) -> SourceError {
    SourceError::Malformed(what)
}

/// Nanoseconds since the epoch (a string or a number) as microseconds.
fn micros(value: Option<&Value>, what: &str) -> Result<u64, SourceError> {
    let nanos = match value {
        None | Some(Value::Null) => Some(0),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(v) => v.as_u64(),
    };
    nanos
        .map(|n| n / 1_000)
        .ok_or_else(|| malformed(format!("{what} is not a count of nanoseconds")))
}

fn id(raw: &str, what: &str) -> Result<String, SourceError> {
    normalize_id(raw).ok_or_else(|| {
        malformed(format!(
            "{what} `{}` is neither hex nor base64",
            raw.chars().take(40).collect::<String>()
        ))
    })
}

fn pairs(list: Option<Vec<KeyValue>>) -> Vec<(String, String)> {
    list.unwrap_or_default()
        .into_iter()
        .map(|kv| {
            let value = any_value_text(&kv.value);
            (kv.key, value)
        })
        .collect()
}

/// `STATUS_CODE_ERROR` or `2` (the enum's number) is a failure.
fn status_error(code: Option<&Value>) -> bool {
    match code {
        Some(Value::Number(n)) => n.as_u64() == Some(2),
        Some(Value::String(s)) => s.to_ascii_uppercase().ends_with("ERROR") || s == "2",
        _ => false,
    }
}

/// `SPAN_KIND_SERVER` or `2` as the lower-case kind Jaeger would tag (`server`).
fn kind_name(kind: Option<&Value>) -> Option<String> {
    const NAMES: [&str; 6] = ["", "internal", "server", "client", "producer", "consumer"];
    let name = match kind? {
        Value::Number(n) => NAMES.get(usize::try_from(n.as_u64()?).ok()?)?.to_string(),
        Value::String(s) => s
            .strip_prefix("SPAN_KIND_")
            .unwrap_or(s)
            .to_ascii_lowercase(),
        _ => return None,
    };
    (!name.is_empty() && name != "unspecified").then_some(name)
}

fn span(raw: OtlpSpan, service: &str) -> Result<WireSpan, SourceError> {
    let start_us = micros(raw.start_time_unix_nano.as_ref(), "startTimeUnixNano")?;
    let end_us = micros(raw.end_time_unix_nano.as_ref(), "endTimeUnixNano")?;
    // Roots have an empty parent id, or (from some writers) all zero bytes.
    let parent_id = match raw.parent_span_id.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => Some(id(p, "parentSpanId")?).filter(|h| !is_null_id(h)),
        _ => None,
    };
    let mut attributes = pairs(raw.attributes);
    let mut error = attributes
        .iter()
        .any(|(k, v)| k == "error" && v.eq_ignore_ascii_case("true"));
    if let Some(kind) = kind_name(raw.kind.as_ref()) {
        attributes.push(("span.kind".to_string(), kind));
    }
    if let Some(status) = raw.status {
        error |= status_error(status.code.as_ref());
        if let Some(message) = status.message.filter(|m| !m.is_empty()) {
            attributes.push(("otel.status_description".to_string(), message));
        }
    }
    let mut events = Vec::new();
    for event in raw.events.unwrap_or_default() {
        events.push(WireEvent {
            at_us: micros(event.time_unix_nano.as_ref(), "timeUnixNano")?,
            name: event.name,
            attributes: pairs(event.attributes),
        });
    }
    Ok(WireSpan {
        span_id: id(&raw.span_id, "spanId")?,
        parent_id,
        service: service.to_string(),
        operation: raw.name,
        start_us,
        duration_us: end_us.saturating_sub(start_us),
        error,
        attributes,
        events,
    })
}

/// The trace in a Tempo trace-by-id answer (v1 or v2, see the module doc). The trace id is
/// the spans' own (normalised to lowercase hex), else `requested_id`. A trace with no spans
/// is rejected as not found.
pub fn parse_trace(body: &[u8], requested_id: &str) -> Result<Trace, SourceError> {
    let answer: Answer = serde_json::from_slice(body)
        .map_err(|e| malformed(format!("not an OTLP JSON trace: {e}")))?;
    let batches = answer.trace.unwrap_or(answer.inline);
    let mut trace_id = None;
    let mut spans = Vec::new();
    for resource in batches
        .resource_spans
        .into_iter()
        .chain(batches.batches)
        .flatten()
    {
        let attributes = pairs(resource.resource.and_then(|r| r.attributes));
        let service = attributes
            .iter()
            .find(|(k, _)| k == "service.name")
            .map(|(_, v)| v.as_str())
            .unwrap_or("unknown");
        let scopes = resource
            .scope_spans
            .into_iter()
            .chain(resource.instrumentation_library_spans)
            .flatten();
        for raw in scopes.flat_map(|s| s.spans.unwrap_or_default()) {
            if trace_id.is_none()
                && let Some(raw_id) = raw.trace_id.as_deref().filter(|t| !t.is_empty())
            {
                trace_id = Some(id(raw_id, "traceId")?);
            }
            spans.push(span(raw, service)?);
        }
    }
    let trace_id = trace_id.unwrap_or_else(|| requested_id.to_ascii_lowercase());
    assemble(&trace_id, spans)
}
