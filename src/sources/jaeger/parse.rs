//! Jaeger answers to ondeck's model, with no IO, so fuzzing can feed them any bytes. An
//! answer whose `errors` field is set is an error carrying Jaeger's own message.

use std::cmp::Reverse;

use serde::de::DeserializeOwned;

use super::wire::{Edge, Envelope, JaegerTrace, WireError};
use crate::model::{Dependency, Trace, TraceKind, TraceSummary};
use crate::sources::SourceError;
use crate::sources::tracing_wire::rank;

fn envelope<T: DeserializeOwned>(body: &[u8]) -> Result<Envelope<T>, SourceError> {
    serde_json::from_slice(body)
        .map_err(|e| SourceError::Malformed(format!("not a Jaeger query API answer: {e}")))
}

/// Jaeger's `errors` as one error: HTTP-like codes keep their status (so a 5xx is retried),
/// anything else is a rejection. `None` when there are none.
fn reported(errors: Option<&[WireError]>) -> Option<SourceError> {
    let errors = errors.filter(|e| !e.is_empty())?;
    let message = errors
        .iter()
        .map(|e| e.msg.trim())
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let message = if message.is_empty() {
        "Jaeger reported an error without a message".to_string()
    } else {
        message.chars().take(300).collect()
    };
    let code = errors[0].code;
    Some(match u16::try_from(code) {
        Ok(status) if (400..600).contains(&status) => SourceError::Http { status, message },
        _ => SourceError::Rejected(message),
    })
}

/// The error a non-2xx reply means: Jaeger's own `errors` message when the body has one.
pub fn parse_error(status: u16, body: &[u8]) -> Option<SourceError> {
    let envelope: Envelope<serde_json::Value> = serde_json::from_slice(body).ok()?;
    match reported(envelope.errors.as_deref())? {
        SourceError::Rejected(message) | SourceError::Http { message, .. } => {
            Some(SourceError::Http { status, message })
        }
        other => Some(other),
    }
}

fn data<T: DeserializeOwned>(body: &[u8]) -> Result<Option<T>, SourceError> {
    let envelope = envelope::<T>(body)?;
    if let Some(error) = reported(envelope.errors.as_deref()) {
        return Err(error);
    }
    Ok(envelope.data)
}

/// Every trace of a `/api/traces` (search) or `/api/traces/{id}` answer.
pub fn parse_traces(body: &[u8]) -> Result<Vec<Trace>, SourceError> {
    data::<Vec<JaegerTrace>>(body)?
        .unwrap_or_default()
        .into_iter()
        .map(JaegerTrace::into_trace)
        .collect()
}

/// The one trace of a `/api/traces/{id}` answer.
pub fn parse_trace(body: &[u8]) -> Result<Trace, SourceError> {
    parse_traces(body)?
        .into_iter()
        .next()
        .ok_or_else(|| SourceError::Rejected("trace not found".to_string()))
}

/// A search answer as the debug pane lists it: slowest first for [`TraceKind::Slow`],
/// failing traces newest first for [`TraceKind::Errors`], at most `limit`.
pub fn parse_search(
    body: &[u8],
    kind: TraceKind,
    limit: usize,
) -> Result<Vec<TraceSummary>, SourceError> {
    let summaries = parse_traces(body)?.into_iter().map(|t| t.summary).collect();
    Ok(rank(summaries, kind, limit))
}

/// The edges of a `/api/dependencies` answer, busiest first.
pub fn parse_dependencies(body: &[u8]) -> Result<Vec<Dependency>, SourceError> {
    let mut edges: Vec<Dependency> = data::<Vec<Edge>>(body)?
        .unwrap_or_default()
        .into_iter()
        .filter(|e| !e.parent.is_empty() && !e.child.is_empty())
        .map(|e| Dependency {
            parent: e.parent,
            child: e.child,
            calls: e.call_count,
        })
        .collect();
    edges.sort_by_key(|e| Reverse(e.calls));
    Ok(edges)
}

/// The names of a `/api/services` or `/api/services/{s}/operations` answer, sorted.
pub fn parse_names(body: &[u8]) -> Result<Vec<String>, SourceError> {
    let mut names = data::<Vec<String>>(body)?.unwrap_or_default();
    names.sort();
    names.dedup();
    Ok(names)
}
