//! Jaeger's query-API JSON (the `/api/…` endpoints the Jaeger UI uses) as serde types, and
//! their mapping to wire spans: processes name services, references name parents, typed tag
//! values become text, logs become events.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use crate::model::Trace;
use crate::sources::SourceError;
use crate::sources::tracing_wire::{WireEvent, WireSpan, assemble, normalize_id};

/// Every query-API answer: `{data, total, limit, offset, errors}`.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope<T> {
    pub(super) data: Option<T>,
    pub(super) errors: Option<Vec<WireError>>,
}

/// One entry of `errors`.
#[derive(Debug, Deserialize)]
pub(super) struct WireError {
    #[serde(default)]
    pub(super) code: i64,
    #[serde(default)]
    pub(super) msg: String,
}

/// A trace: spans plus the processes (services) they reference by id.
#[derive(Debug, Deserialize)]
pub(super) struct JaegerTrace {
    #[serde(rename = "traceID")]
    trace_id: String,
    spans: Option<Vec<JaegerSpan>>,
    processes: Option<HashMap<String, Process>>,
}

#[derive(Debug, Deserialize)]
struct JaegerSpan {
    #[serde(rename = "spanID")]
    span_id: String,
    #[serde(rename = "operationName", default)]
    operation_name: String,
    references: Option<Vec<Reference>>,
    #[serde(rename = "startTime")]
    start_time: u64,
    #[serde(default)]
    duration: u64,
    tags: Option<Vec<KeyValue>>,
    logs: Option<Vec<Log>>,
    #[serde(rename = "processID", default)]
    process_id: String,
    /// Older answers embed the process in each span instead of the `processes` map.
    process: Option<Process>,
}

#[derive(Debug, Deserialize)]
struct Reference {
    #[serde(rename = "refType", default)]
    ref_type: String,
    #[serde(rename = "spanID", default)]
    span_id: String,
}

#[derive(Debug, Deserialize)]
struct Process {
    #[serde(rename = "serviceName", default)]
    service_name: String,
}

#[derive(Debug, Deserialize)]
struct KeyValue {
    #[serde(default)]
    key: String,
    #[serde(default)]
    value: Value,
}

#[derive(Debug, Deserialize)]
struct Log {
    #[serde(default)]
    timestamp: u64,
    fields: Option<Vec<KeyValue>>,
}

/// A dependency edge of `/api/dependencies`.
#[derive(Debug, Deserialize)]
pub(super) struct Edge {
    #[serde(default)]
    pub(super) parent: String,
    #[serde(default)]
    pub(super) child: String,
    #[serde(rename = "callCount", default)]
    pub(super) call_count: u64,
}

/// A typed tag value as text: strings as they are, booleans and numbers as JSON writes them
/// (binary values already arrive as base64 text).
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn pairs(list: Option<Vec<KeyValue>>) -> Vec<(String, String)> {
    list.unwrap_or_default()
        .into_iter()
        .map(|kv| {
            let value = text(&kv.value);
            (kv.key, value)
        })
        .collect()
}

/// Whether tags mark a failure: `error=true` (bool or text), or OpenTelemetry's
/// `otel.status_code=ERROR` as Jaeger stores it.
fn failed(tags: &[(String, String)]) -> bool {
    tags.iter().any(|(key, value)| match key.as_str() {
        "error" => value.eq_ignore_ascii_case("true"),
        "otel.status_code" => value.eq_ignore_ascii_case("error"),
        _ => false,
    })
}

/// A log as an event: named by its `event` field (else `message`, else "log").
fn event(log: Log) -> WireEvent {
    let attributes = pairs(log.fields);
    let name = ["event", "message"]
        .iter()
        .find_map(|k| attributes.iter().find(|(key, _)| key == k))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "log".to_string());
    WireEvent {
        at_us: log.timestamp,
        name,
        attributes,
    }
}

impl JaegerTrace {
    /// The trace in ondeck's model. The parent is the first `CHILD_OF` reference, else the
    /// first `FOLLOWS_FROM` one.
    pub(super) fn into_trace(self) -> Result<Trace, SourceError> {
        let id = |raw: &str, what: &str| {
            normalize_id(raw).ok_or_else(|| {
                SourceError::Malformed(format!(
                    "{what} `{}` is not hex",
                    raw.chars().take(40).collect::<String>()
                ))
            })
        };
        let trace_id = id(&self.trace_id, "trace id")?;
        let processes = self.processes.unwrap_or_default();
        let mut spans = Vec::new();
        for span in self.spans.unwrap_or_default() {
            let references = span.references.unwrap_or_default();
            let parent = ["CHILD_OF", "FOLLOWS_FROM"].iter().find_map(|kind| {
                references
                    .iter()
                    .find(|r| r.ref_type.eq_ignore_ascii_case(kind))
            });
            let parent_id = match parent {
                Some(r) => Some(id(&r.span_id, "parent span id")?),
                None => None,
            };
            let service = processes
                .get(&span.process_id)
                .or(span.process.as_ref())
                .map(|p| p.service_name.clone())
                .unwrap_or_else(|| "unknown".to_string());
            let attributes = pairs(span.tags);
            spans.push(WireSpan {
                span_id: id(&span.span_id, "span id")?,
                parent_id,
                service,
                operation: span.operation_name,
                start_us: span.start_time,
                duration_us: span.duration,
                error: failed(&attributes),
                attributes,
                events: span
                    .logs
                    .unwrap_or_default()
                    .into_iter()
                    .map(event)
                    .collect(),
            });
        }
        assemble(&trace_id, spans)
    }
}
