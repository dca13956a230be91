//! Tempo as a tracing source. (Skeleton: the API mapping is being written.)

use chrono::{DateTime, Utc};

use crate::config::SourceConfig;
use crate::model::{Trace, TraceSearch, TraceSummary};
use crate::sources::{SourceError, TraceSource};

/// A configured Tempo source.
#[derive(Clone)]
pub struct TempoSource {
    name: String,
}

impl TempoSource {
    /// Builds the client from the source's config.
    pub fn new(source: &SourceConfig) -> Result<Self, SourceError> {
        Ok(Self {
            name: source.name.clone(),
        })
    }
}

impl TraceSource for TempoSource {
    async fn search_traces(
        &self,
        _search: &TraceSearch,
        _at: DateTime<Utc>,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        Err(SourceError::Rejected(format!(
            "{}: not implemented yet",
            self.name
        )))
    }

    async fn fetch_trace(&self, _trace_id: &str) -> Result<Trace, SourceError> {
        Err(SourceError::Rejected(format!(
            "{}: not implemented yet",
            self.name
        )))
    }
}
