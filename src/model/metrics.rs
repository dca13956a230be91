//! What a metrics source reports for one refresh.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::slo::{Counts, SloSpec, Window};

/// One SLO's event counts per window at the evaluation instant.
#[derive(Debug, Clone, PartialEq)]
pub struct SloObservation {
    /// The SLO measured.
    pub spec: SloSpec,
    /// Bad and total events per window; must include the SLO's period for budget figures.
    /// A window absent here is "no data".
    pub counts: BTreeMap<Window, Counts>,
    /// Recent burn rate (1h) samples, oldest first, for the trend sparkline.
    pub trend: Vec<f64>,
    /// Why some windows have no numbers (a rejected query, an SLI that cannot be queried),
    /// one message each; empty when every query for this SLO succeeded.
    pub issues: Vec<String>,
}

/// Latency and error trends of one service, oldest sample first, `step` apart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceMetrics {
    /// The service.
    pub service: String,
    /// Seconds between samples.
    pub step_seconds: u64,
    /// Median latency in seconds.
    pub p50: Vec<f64>,
    /// 95th percentile latency in seconds.
    pub p95: Vec<f64>,
    /// 99th percentile latency in seconds.
    pub p99: Vec<f64>,
    /// Share of requests that failed.
    pub error_rate: Vec<f64>,
}

/// Everything one metrics source reports for one evaluation instant.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsSnapshot {
    /// The instant of this refresh: every number refers to it, except the windows in
    /// `evaluated`.
    pub at: DateTime<Utc>,
    /// Windows whose counts were evaluated at an earlier refresh, with that instant: a source
    /// re-evaluates long windows less often than short ones (see
    /// `sources::prometheus::cadence`). Empty when every window is as of `at`.
    pub evaluated: BTreeMap<Window, DateTime<Utc>>,
    /// One entry per SLO the source measures.
    pub slos: Vec<SloObservation>,
    /// Trends per service for the debug pane.
    pub services: Vec<ServiceMetrics>,
}
