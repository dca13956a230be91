//! IO only: the backends ondeck polls, behind three traits (metrics, incidents, traces),
//! and the log sources it asks on demand (`logs`).
//!
//! Each configured source runs in its own poller task and sends owned [`SourceUpdate`]s over
//! the app channel. Commands (acknowledge, trace search) run as spawned tasks on a clone of
//! the backend handle. The built-in demo implements the same traits as real backends.

pub mod alerta;
pub mod alertmanager;
pub mod changes;
pub mod clock;
pub mod demo;
pub mod elasticsearch;
pub mod error;
pub mod explore;
pub mod history;
pub mod http;
pub mod jaeger;
pub mod journal;
pub mod logs;
pub mod loki;
pub mod opsgenie;
pub mod pagerduty;
pub mod paging;
pub mod poller;
pub mod prometheus;
pub mod registry;
pub mod tempo;
pub mod tracing_wire;
pub mod unstarted;

use std::future::Future;

use chrono::{DateTime, Utc};

pub use clock::Clock;
pub use error::SourceError;
pub use registry::{Backends, IncidentBackend, MetricsBackend, SourceMeta, TraceBackend};
pub use unstarted::Unstarted;

use crate::model::{
    Dependency, Exemplar, HistoryReport, Incident, IncidentAction, IncidentSnapshot,
    MetricsSnapshot, QueryAnswer, ServiceMetrics, Trace, TraceSearch, TraceSummary,
};
use crate::outbox::Write;
use crate::slo::Window;

/// Which kind of data a poller fetches from a source. One source (the demo) may feed several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Feed {
    /// SLO counts and service trends.
    Metrics,
    /// Pages and alerts.
    Incidents,
    /// Deploys, rollbacks, config and flag changes, scaling.
    Changes,
}

impl Feed {
    /// Lower-case name for the status bar and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Feed::Metrics => "metrics",
            Feed::Incidents => "incidents",
            Feed::Changes => "changes",
        }
    }
}

/// What one poll of one feed produced.
#[derive(Debug, Clone, PartialEq)]
pub enum SourcePayload {
    /// A metrics snapshot.
    Metrics(MetricsSnapshot),
    /// A metrics snapshot already made into rows off the loop's task (see
    /// [`crate::app::spawn_pollers_preparing`]).
    SloRows(Box<crate::state::SloRows>),
    /// Every incident the source currently reports, with who is on call and active
    /// silences where the backend has them.
    Incidents(IncidentSnapshot),
    /// The changes the source lists in the window it read.
    Changes(crate::model::ChangeSnapshot),
}

/// The result of one poll, sent from a poller to the app.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceUpdate {
    /// Configured source name.
    pub source: String,
    /// Which feed of that source.
    pub feed: Feed,
    /// When the poll finished (wall clock).
    pub at: DateTime<Utc>,
    /// The data, or why there is none.
    pub outcome: Result<SourcePayload, SourceError>,
    /// When the poller will try again after a failure.
    pub retry_at: Option<DateTime<Utc>>,
}

/// A source of SLO counts and service trends (Prometheus, the demo, …).
pub trait MetricsSource: Send + Sync + 'static {
    /// Counts for every SLO and trends for every service, evaluated at `at`.
    fn fetch_metrics(
        &self,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<MetricsSnapshot, SourceError>> + Send;

    /// Runs a PromQL query typed by the responder: an instant query at `at`, or (with
    /// `range`) a range query over the `range` before `at`. Sources without PromQL reject it.
    fn query(
        &self,
        promql: &str,
        range: Option<Window>,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<QueryAnswer, SourceError>> + Send {
        let _ = (promql, range, at);
        async {
            Err(SourceError::Rejected(
                "this source does not run PromQL".into(),
            ))
        }
    }

    /// Exemplars of `service`'s latency histogram between `start` and `end`: trace ids of
    /// real requests. Sources without exemplars answer none.
    fn exemplars(
        &self,
        service: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Exemplar>, SourceError>> + Send {
        let _ = (service, start, end);
        async { Ok(Vec::new()) }
    }

    /// `service`'s latency and error trends over the `range` before `at` (the debug pane's
    /// longer ranges; every poll already brings the last hour). `None`: the source has no
    /// trends for that service.
    fn service_trends(
        &self,
        service: &str,
        range: Window,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<ServiceMetrics>, SourceError>> + Send {
        let _ = (service, range, at);
        async {
            Err(SourceError::Rejected(
                "this source has trends for the last hour only".into(),
            ))
        }
    }
}

/// A source of incidents that can be acknowledged and resolved (PagerDuty, the demo, …).
pub trait IncidentSource: Send + Sync + 'static {
    /// Every incident the source lists now.
    fn fetch_incidents(&self) -> impl Future<Output = Result<Vec<Incident>, SourceError>> + Send;

    /// One poll: the incidents, plus who is on call and active silences for backends that
    /// have them (those override this). A failure of those extras belongs in
    /// [`IncidentSnapshot::warnings`], not in the result, so pages still show.
    fn poll_incidents(&self) -> impl Future<Output = Result<IncidentSnapshot, SourceError>> + Send {
        async { self.fetch_incidents().await.map(IncidentSnapshot::of) }
    }

    /// Every incident opened between `since` and `until`, whatever its status now, with when
    /// it was first acknowledged and when it resolved: the record MTTA and MTTR are measured
    /// over. Read on a slower cadence than the poll ([`history::HistoryCache`]). Sources that
    /// keep no such record say so, and why.
    fn history(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<HistoryReport, SourceError>> + Send {
        let _ = (since, until);
        async {
            Ok(HistoryReport::Unavailable(
                "this source keeps no incident history".into(),
            ))
        }
    }

    /// Delivers an action. Idempotent: acknowledging an acknowledged incident succeeds.
    fn apply(
        &self,
        incident_id: &str,
        action: IncidentAction,
        note: Option<&str>,
    ) -> impl Future<Output = Result<(), SourceError>> + Send;

    /// Delivers a write from the outbox: by default the status change (with its note) or
    /// the note alone. Backends override it where a write needs what the outbox kept (an
    /// Alertmanager group's labels) or where part of it is not idempotent and `in_doubt`
    /// must be checked first (notes).
    fn deliver(&self, write: Write<'_>) -> impl Future<Output = Result<(), SourceError>> + Send {
        async move {
            let incident = write.entry.incident.as_str();
            match write.action() {
                Some(action) => self.apply(incident, action, write.note()).await,
                None => {
                    self.add_note(incident, write.note().unwrap_or_default())
                        .await
                }
            }
        }
    }

    /// Adds a note to the incident's timeline (runbook progress with `post_notes`). Sources
    /// without notes reject it, which the cockpit reports without retrying.
    fn add_note(
        &self,
        incident_id: &str,
        text: &str,
    ) -> impl Future<Output = Result<(), SourceError>> + Send {
        let _ = (incident_id, text);
        async {
            Err(SourceError::Rejected(
                "this source does not take notes".into(),
            ))
        }
    }
}

/// A source of distributed traces (Jaeger, Tempo, the demo).
pub trait TraceSource: Send + Sync + 'static {
    /// Recent traces for a service, slowest or failing first.
    fn search_traces(
        &self,
        search: &TraceSearch,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<TraceSummary>, SourceError>> + Send;

    /// One whole trace.
    fn fetch_trace(
        &self,
        trace_id: &str,
    ) -> impl Future<Output = Result<Trace, SourceError>> + Send;

    /// The service dependency graph around `at` (edges touching any service). Backends
    /// without one reject it.
    fn dependencies(
        &self,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Dependency>, SourceError>> + Send {
        let _ = at;
        async {
            Err(SourceError::Rejected(
                "this tracing source has no dependency graph".into(),
            ))
        }
    }
}
