//! The configured backends, dispatched by enum so pollers and commands stay generic without
//! boxing futures. Adding a backend kind means one variant per trait it implements.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::alerta::AlertaSource;
use super::alertmanager::AlertmanagerSource;
use super::demo::DemoSource;
use super::jaeger::JaegerSource;
use super::opsgenie::OpsgenieSource;
use super::pagerduty::PagerdutySource;
use super::prometheus::PrometheusSource;
use super::tempo::TempoSource;
use super::unstarted::Unstarted;
use super::{Clock, IncidentSource, MetricsSource, SourceError, TraceSource};
use crate::model::{
    Dependency, Exemplar, HistoryReport, Incident, IncidentAction, IncidentSnapshot,
    MetricsSnapshot, QueryAnswer, ServiceMetrics, Trace, TraceSearch, TraceSummary,
};
use crate::outbox::Write;
use crate::slo::Window;

/// How a configured source is named and polled.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceMeta {
    /// Configured name, unique.
    pub name: String,
    /// Backend kind as written in the config (`demo`, `prometheus`, …).
    pub kind: String,
    /// Time between polls.
    pub refresh: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Base URL, for backends that have one: the outbox records it with every write, so a
    /// source of the same name pointing elsewhere never receives it.
    pub url: Option<String>,
}

/// A metrics backend.
#[derive(Clone)]
pub enum MetricsBackend {
    /// The built-in demo fleet.
    Demo(DemoSource),
    /// A Prometheus-compatible server.
    Prometheus(PrometheusSource),
    /// A configured source that could not start.
    Unstarted(Unstarted),
}

/// An incident backend.
#[derive(Clone)]
pub enum IncidentBackend {
    /// The built-in demo fleet.
    Demo(DemoSource),
    /// Prometheus Alertmanager (API v2).
    Alertmanager(AlertmanagerSource),
    /// Alerta.
    Alerta(AlertaSource),
    /// PagerDuty (REST API v2).
    Pagerduty(PagerdutySource),
    /// Opsgenie.
    Opsgenie(OpsgenieSource),
    /// A configured source that could not start.
    Unstarted(Unstarted),
}

/// A tracing backend.
#[derive(Clone)]
pub enum TraceBackend {
    /// The built-in demo fleet.
    Demo(DemoSource),
    /// Jaeger's query API.
    Jaeger(JaegerSource),
    /// Grafana Tempo.
    Tempo(TempoSource),
    /// A configured source that could not start.
    Unstarted(Unstarted),
}

/// Calls the same method on whichever incident backend `$backend` is.
macro_rules! each_incident_backend {
    ($backend:expr, $source:ident => $call:expr) => {
        match $backend {
            IncidentBackend::Demo($source) => $call,
            IncidentBackend::Alertmanager($source) => $call,
            IncidentBackend::Alerta($source) => $call,
            IncidentBackend::Pagerduty($source) => $call,
            IncidentBackend::Opsgenie($source) => $call,
            IncidentBackend::Unstarted($source) => $call,
        }
    };
}

/// Calls the same method on whichever tracing backend `$backend` is.
macro_rules! each_trace_backend {
    ($backend:expr, $source:ident => $call:expr) => {
        match $backend {
            TraceBackend::Demo($source) => $call,
            TraceBackend::Jaeger($source) => $call,
            TraceBackend::Tempo($source) => $call,
            TraceBackend::Unstarted($source) => $call,
        }
    };
}

impl MetricsSource for MetricsBackend {
    async fn fetch_metrics(&self, at: DateTime<Utc>) -> Result<MetricsSnapshot, SourceError> {
        match self {
            MetricsBackend::Demo(demo) => demo.fetch_metrics(at).await,
            MetricsBackend::Prometheus(prom) => prom.fetch_metrics(at).await,
            MetricsBackend::Unstarted(none) => none.fetch_metrics(at).await,
        }
    }

    async fn query(
        &self,
        promql: &str,
        range: Option<Window>,
        at: DateTime<Utc>,
    ) -> Result<QueryAnswer, SourceError> {
        match self {
            MetricsBackend::Demo(demo) => demo.query(promql, range, at).await,
            MetricsBackend::Prometheus(prom) => prom.query(promql, range, at).await,
            MetricsBackend::Unstarted(none) => none.query(promql, range, at).await,
        }
    }

    async fn exemplars(
        &self,
        service: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<Exemplar>, SourceError> {
        match self {
            MetricsBackend::Demo(demo) => demo.exemplars(service, start, end).await,
            MetricsBackend::Prometheus(prom) => prom.exemplars(service, start, end).await,
            MetricsBackend::Unstarted(none) => none.exemplars(service, start, end).await,
        }
    }

    async fn service_trends(
        &self,
        service: &str,
        range: Window,
        at: DateTime<Utc>,
    ) -> Result<Option<ServiceMetrics>, SourceError> {
        match self {
            MetricsBackend::Demo(demo) => demo.service_trends(service, range, at).await,
            MetricsBackend::Prometheus(prom) => prom.service_trends(service, range, at).await,
            MetricsBackend::Unstarted(none) => none.service_trends(service, range, at).await,
        }
    }
}

impl IncidentSource for IncidentBackend {
    async fn fetch_incidents(&self) -> Result<Vec<Incident>, SourceError> {
        each_incident_backend!(self, s => s.fetch_incidents().await)
    }

    async fn poll_incidents(&self) -> Result<IncidentSnapshot, SourceError> {
        each_incident_backend!(self, s => s.poll_incidents().await)
    }

    async fn history(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<HistoryReport, SourceError> {
        each_incident_backend!(self, s => s.history(since, until).await)
    }

    async fn apply(
        &self,
        incident_id: &str,
        action: IncidentAction,
        note: Option<&str>,
    ) -> Result<(), SourceError> {
        each_incident_backend!(self, s => s.apply(incident_id, action, note).await)
    }

    async fn add_note(&self, incident_id: &str, text: &str) -> Result<(), SourceError> {
        each_incident_backend!(self, s => s.add_note(incident_id, text).await)
    }

    async fn deliver(&self, write: Write<'_>) -> Result<(), SourceError> {
        each_incident_backend!(self, s => s.deliver(write).await)
    }
}

impl TraceSource for TraceBackend {
    async fn search_traces(
        &self,
        search: &TraceSearch,
        at: DateTime<Utc>,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        each_trace_backend!(self, s => s.search_traces(search, at).await)
    }

    async fn fetch_trace(&self, trace_id: &str) -> Result<Trace, SourceError> {
        each_trace_backend!(self, s => s.fetch_trace(trace_id).await)
    }

    async fn dependencies(&self, at: DateTime<Utc>) -> Result<Vec<Dependency>, SourceError> {
        each_trace_backend!(self, s => s.dependencies(at).await)
    }
}

/// Every configured backend, by the feeds it provides.
#[derive(Clone, Default)]
pub struct Backends {
    /// Metrics feeds.
    pub metrics: Vec<(SourceMeta, MetricsBackend)>,
    /// Incident feeds.
    pub incidents: Vec<(SourceMeta, IncidentBackend)>,
    /// Tracing backends (queried on demand, not polled).
    pub traces: Vec<(SourceMeta, TraceBackend)>,
}

impl Backends {
    /// Registers a demo fleet that feeds metrics, incidents and traces under one name.
    pub fn add_demo(&mut self, meta: SourceMeta, seed: u64, clock: Clock) {
        let demo = DemoSource::new(&meta.name, seed, clock);
        self.metrics
            .push((meta.clone(), MetricsBackend::Demo(demo.clone())));
        self.incidents
            .push((meta.clone(), IncidentBackend::Demo(demo.clone())));
        self.traces.push((meta, TraceBackend::Demo(demo)));
    }

    /// Keeps every demo source's responder actions in the state dir `dir`, so `ondeck ack`
    /// and the next `ondeck incidents` agree as they would on a real backend.
    pub fn keep_demo_actions_in(&self, dir: &std::path::Path) {
        for (_, backend) in &self.incidents {
            if let IncidentBackend::Demo(demo) = backend {
                demo.keep_actions_in(dir);
            }
        }
    }

    /// Asks every metrics source for `points` trend samples (a Prometheus source then picks its
    /// range step from it). Sources without trend queries ignore it.
    pub fn set_trend_points(&self, points: usize) {
        for (_, backend) in &self.metrics {
            match backend {
                MetricsBackend::Prometheus(prom) => prom.trend_width().set(points),
                MetricsBackend::Demo(_) | MetricsBackend::Unstarted(_) => {}
            }
        }
    }

    /// The incident backend registered under `source`.
    pub fn incident_backend(&self, source: &str) -> Option<&IncidentBackend> {
        self.incidents
            .iter()
            .find(|(meta, _)| meta.name == source)
            .map(|(_, backend)| backend)
    }

    /// The first tracing backend, which the debug pane searches.
    pub fn trace_backend(&self) -> Option<&TraceBackend> {
        self.traces.first().map(|(_, backend)| backend)
    }
}
