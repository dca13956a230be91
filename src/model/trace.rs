//! Distributed traces in one shape, whatever the tracing backend.

use chrono::{DateTime, Utc};

/// A trace as search results list it.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSummary {
    /// Hex trace id.
    pub trace_id: String,
    /// Service of the root span.
    pub root_service: String,
    /// Operation of the root span.
    pub root_operation: String,
    /// When the trace started.
    pub start: DateTime<Utc>,
    /// End-to-end duration in microseconds.
    pub duration_us: u64,
    /// Number of spans.
    pub span_count: usize,
    /// Whether any span failed.
    pub error: bool,
}

/// One span of a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// Hex span id.
    pub span_id: String,
    /// Parent span id; `None` for a root (or an orphan whose parent was not reported).
    pub parent_id: Option<String>,
    /// Service that emitted the span.
    pub service: String,
    /// Operation name.
    pub operation: String,
    /// Start relative to the trace start, in microseconds.
    pub start_offset_us: u64,
    /// Duration in microseconds.
    pub duration_us: u64,
    /// Whether the span failed.
    pub error: bool,
    /// Attributes or tags, in backend order.
    pub attributes: Vec<(String, String)>,
    /// Events (OTLP) or logs (Jaeger), in time order.
    pub events: Vec<SpanEvent>,
}

/// Something that happened during a span: an OTLP event or a Jaeger log.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanEvent {
    /// When, relative to the trace start, in microseconds.
    pub offset_us: u64,
    /// Event name (`exception`, a log message, …).
    pub name: String,
    /// Its attributes or log fields.
    pub attributes: Vec<(String, String)>,
}

/// One edge of a service dependency graph: `parent` calls `child`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The calling service.
    pub parent: String,
    /// The called service.
    pub child: String,
    /// How many calls were seen.
    pub calls: u64,
}

/// A whole trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Its summary.
    pub summary: TraceSummary,
    /// Spans in backend order (not necessarily parents first).
    pub spans: Vec<Span>,
}

/// Which traces the debug pane lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TraceKind {
    /// The slowest recent traces.
    Slow,
    /// Recent traces with a failed span.
    Errors,
}

/// A trace search for one service.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TraceSearch {
    /// Service to search.
    pub service: String,
    /// Slow or failing.
    pub kind: TraceKind,
    /// How many to return at most.
    pub limit: usize,
    /// Only this operation (span name).
    pub operation: Option<String>,
    /// Only traces with these tags / attributes, e.g. `("http.status_code", "500")`.
    pub tags: Vec<(String, String)>,
    /// Only traces at least this long, in microseconds. Slow searches set it.
    pub min_duration_us: Option<u64>,
    /// Search window; `None` means the last hour before `at`.
    pub range: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl TraceSearch {
    /// A search for `service`'s `kind` traces over the last hour, at most `limit`.
    pub fn new(service: &str, kind: TraceKind, limit: usize) -> Self {
        Self {
            service: service.to_string(),
            kind,
            limit,
            operation: None,
            tags: Vec::new(),
            min_duration_us: None,
            range: None,
        }
    }
}
