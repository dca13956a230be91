//! The source as the pollers see it: which SLOs it measures, and the [`MetricsSource`]
//! trait over [`PrometheusSource::fetch`] and the debug pane's queries.

use chrono::{DateTime, Utc};

use super::PrometheusSource;
use crate::config::{Config, SloConfig, SourceConfig, SourceKind};
use crate::model::MetricsSnapshot;
use crate::slo::Window;
use crate::sources::{MetricsSource, SourceError};

/// The SLOs a source measures: those whose `source` names it. A loaded config gives every
/// SLO its source (see `config::slo_source`); an SLO without one (built by hand, as tests
/// do) is measured when this is the only Prometheus source.
pub fn slos_for(source: &SourceConfig, config: &Config) -> Vec<SloConfig> {
    let only = config
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Prometheus)
        .count()
        == 1;
    config
        .slos
        .iter()
        .filter(|slo| match &slo.source {
            Some(name) => *name == source.name,
            None => only,
        })
        .cloned()
        .collect()
}

impl MetricsSource for PrometheusSource {
    async fn fetch_metrics(&self, at: DateTime<Utc>) -> Result<MetricsSnapshot, SourceError> {
        let fetched = self.fetch(at).await?;
        let source = &self.inner.name;
        for issue in &fetched.issues {
            tracing::warn!(%source, slo = %issue.slo_id, error = %issue.message(), "SLO has no numbers");
        }
        for warning in &fetched.warnings {
            tracing::warn!(%source, %warning, "Prometheus warning");
        }
        Ok(fetched.snapshot)
    }

    async fn query(
        &self,
        promql: &str,
        range: Option<Window>,
        at: DateTime<Utc>,
    ) -> Result<crate::model::QueryAnswer, SourceError> {
        self.run_query(promql, range, at).await
    }

    async fn exemplars(
        &self,
        service: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<crate::model::Exemplar>, SourceError> {
        self.latency_exemplars(service, start, end).await
    }

    async fn service_trends(
        &self,
        service: &str,
        range: Window,
        at: DateTime<Utc>,
    ) -> Result<Option<crate::model::ServiceMetrics>, SourceError> {
        self.trends_over(service, range, at).await
    }
}
