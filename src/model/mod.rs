//! Owned data that sources produce and state keeps: metric observations, incidents, traces,
//! log lines.
//! Every backend maps its wire format into these types, so panes never know where data
//! came from.

pub mod change;
pub mod history;
pub mod incident;
pub mod log;
pub mod metrics;
pub mod oncall;
pub mod query;
pub mod silence;
pub mod trace;

pub use change::{Change, ChangeKind, ChangeSnapshot};
pub use history::{HistoryReport, HistoryUpdate, IncidentHistory, PastIncident};
pub use incident::{Incident, IncidentAction, IncidentStatus, Link, Urgency};
pub use log::{LogBatch, LogLevel, LogLine, LogQuery, LogTarget, contains_ignoring_case};
pub use metrics::{MetricsSnapshot, ServiceMetrics, SloObservation};
pub use oncall::{IncidentSnapshot, OnCall, Silence, SilenceMatcher};
pub use query::{Exemplar, QueryAnswer, QuerySeries};
pub use silence::{SilenceSpec, SilenceTextError, SilenceWrite};
pub use trace::{Dependency, Span, SpanEvent, Trace, TraceKind, TraceSearch, TraceSummary};
