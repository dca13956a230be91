//! Owned data that sources produce and state keeps: metric observations, incidents, traces.
//! Every backend maps its wire format into these types, so panes never know where data
//! came from.

pub mod change;
pub mod history;
pub mod incident;
pub mod metrics;
pub mod oncall;
pub mod query;
pub mod trace;

pub use change::{Change, ChangeKind, ChangeSnapshot};
pub use history::{HistoryReport, HistoryUpdate, IncidentHistory, PastIncident};
pub use incident::{Incident, IncidentAction, IncidentStatus, Link, Urgency};
pub use metrics::{MetricsSnapshot, ServiceMetrics, SloObservation};
pub use oncall::{IncidentSnapshot, OnCall, Silence, SilenceMatcher};
pub use query::{Exemplar, QueryAnswer, QuerySeries};
pub use trace::{Dependency, Span, SpanEvent, Trace, TraceKind, TraceSearch, TraceSummary};
