//! The built-in demo fleet (placeholder until the simulation lands).

use chrono::{DateTime, Utc};

use super::{Clock, IncidentSource, MetricsSource, SourceError, TraceSource};
use crate::model::{Incident, IncidentAction, MetricsSnapshot, Trace, TraceSearch, TraceSummary};

/// A simulated fleet.
#[derive(Clone)]
pub struct DemoSource {
    name: String,
    _seed: u64,
    _clock: Clock,
}

impl DemoSource {
    /// A demo fleet named `name`.
    pub fn new(name: &str, seed: u64, clock: Clock) -> Self {
        Self {
            name: name.to_string(),
            _seed: seed,
            _clock: clock,
        }
    }
}

impl MetricsSource for DemoSource {
    async fn fetch_metrics(&self, at: DateTime<Utc>) -> Result<MetricsSnapshot, SourceError> {
        Ok(MetricsSnapshot {
            at,
            slos: vec![],
            services: vec![],
        })
    }
}

impl IncidentSource for DemoSource {
    async fn fetch_incidents(&self) -> Result<Vec<Incident>, SourceError> {
        let _ = &self.name;
        Ok(vec![])
    }
    async fn apply(
        &self,
        _id: &str,
        _a: IncidentAction,
        _n: Option<&str>,
    ) -> Result<(), SourceError> {
        Ok(())
    }
}

impl TraceSource for DemoSource {
    async fn search_traces(
        &self,
        _s: &TraceSearch,
        _at: DateTime<Utc>,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        Ok(vec![])
    }
    async fn fetch_trace(&self, id: &str) -> Result<Trace, SourceError> {
        Err(SourceError::Rejected(format!("no trace {id}")))
    }
}
