//! A configured source that could not be set up — its token variable is unset, its token or
//! CA file unreadable. It stands in for the real backend under the same name and answers
//! every call with why, so the source shows as failed with the variable or file named while
//! every other source keeps working, and a write owed to it stays owed (the error is
//! transient) for a run that has the secret.

use chrono::{DateTime, Utc};

use super::{IncidentSource, MetricsSource, SourceError, TraceSource};
use crate::model::{
    Dependency, Exemplar, Incident, IncidentAction, MetricsSnapshot, QueryAnswer, ServiceMetrics,
    Trace, TraceSearch, TraceSummary,
};
use crate::slo::Window;

/// A source that could not start, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unstarted {
    why: String,
}

impl Unstarted {
    /// Stands in for a backend whose construction failed with `error`.
    pub fn new(error: &SourceError) -> Self {
        let why = match error {
            SourceError::NotStarted(why) => why.clone(),
            other => other.to_string(),
        };
        Self { why }
    }

    /// What every call answers.
    pub fn error(&self) -> SourceError {
        SourceError::NotStarted(self.why.clone())
    }
}

impl MetricsSource for Unstarted {
    async fn fetch_metrics(&self, _at: DateTime<Utc>) -> Result<MetricsSnapshot, SourceError> {
        Err(self.error())
    }

    async fn query(
        &self,
        _promql: &str,
        _range: Option<Window>,
        _at: DateTime<Utc>,
    ) -> Result<QueryAnswer, SourceError> {
        Err(self.error())
    }

    async fn exemplars(
        &self,
        _service: &str,
        _start: DateTime<Utc>,
        _end: DateTime<Utc>,
    ) -> Result<Vec<Exemplar>, SourceError> {
        Err(self.error())
    }

    async fn service_trends(
        &self,
        _service: &str,
        _range: Window,
        _at: DateTime<Utc>,
    ) -> Result<Option<ServiceMetrics>, SourceError> {
        Err(self.error())
    }
}

impl IncidentSource for Unstarted {
    async fn fetch_incidents(&self) -> Result<Vec<Incident>, SourceError> {
        Err(self.error())
    }

    async fn apply(
        &self,
        _incident_id: &str,
        _action: IncidentAction,
        _note: Option<&str>,
    ) -> Result<(), SourceError> {
        Err(self.error())
    }

    async fn add_note(&self, _incident_id: &str, _text: &str) -> Result<(), SourceError> {
        Err(self.error())
    }
}

impl TraceSource for Unstarted {
    async fn search_traces(
        &self,
        _search: &TraceSearch,
        _at: DateTime<Utc>,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        Err(self.error())
    }

    async fn fetch_trace(&self, _trace_id: &str) -> Result<Trace, SourceError> {
        Err(self.error())
    }

    async fn dependencies(&self, _at: DateTime<Utc>) -> Result<Vec<Dependency>, SourceError> {
        Err(self.error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_call_says_why_and_an_owed_write_stays_owed() {
        let missing = SourceError::NotStarted("PD_TOKEN is not set in the environment".into());
        let source = Unstarted::new(&missing);
        let error = source.fetch_incidents().await.unwrap_err();
        assert_eq!(error.to_string(), "PD_TOKEN is not set in the environment");
        let write = source
            .apply("PD-1", IncidentAction::Acknowledge, None)
            .await
            .unwrap_err();
        assert!(write.is_transient(), "a write to it is kept, not refused");
        let other = Unstarted::new(&SourceError::Rejected("bad CA".into()));
        assert_eq!(other.error().to_string(), "rejected: bad CA");
    }
}
