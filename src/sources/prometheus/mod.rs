//! A Prometheus-compatible metrics source: SLO window counts computed from the backend's own
//! `rate()`, so every burn rate equals what Prometheus returns for the equivalent PromQL.
//!
//! Submodules: `selector` (the selector form ondeck parses), `plan` (the query plan and its
//! documentation), `api` (HTTP and JSON), `assemble` (answers back to SLOs).
//!
//! Phase 1 fills `counts` per window; `trend` and the per-service trends stay empty.

pub mod api;
pub mod assemble;
pub mod plan;
pub mod selector;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;

use super::{MetricsSource, SourceError};
use crate::config::{Config, SloConfig, SourceConfig, SourceKind};
use crate::model::MetricsSnapshot;
use crate::slo::Window;
use api::Api;
pub use assemble::SloIssue;
use assemble::{Answers, Values, assemble};
use plan::Query;
pub use plan::QueryPlan;

/// How many queries one source has in flight at once, so a refresh of many shapes does not
/// hit the backend with a burst of concurrent queries.
pub const MAX_CONCURRENT_QUERIES: usize = 4;

/// A Prometheus, Thanos Query, Mimir or VictoriaMetrics source. Clones share one HTTP client,
/// one plan and one concurrency limit.
#[derive(Clone)]
pub struct PrometheusSource {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    api: Api,
    plan: QueryPlan,
    queries: Vec<Query>,
    limit: Semaphore,
    requests: AtomicU64,
}

/// One refresh: the snapshot, plus what kept some SLO windows empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// Counts per SLO and window at the evaluation instant.
    pub snapshot: MetricsSnapshot,
    /// Query errors, each against the SLOs it belongs to.
    pub issues: Vec<SloIssue>,
    /// Warnings the backend attached to its answers, without duplicates.
    pub warnings: Vec<String>,
}

/// The SLOs a source measures: those whose `source` names it, plus those that name no source
/// when it is the only Prometheus source in the config.
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

impl PrometheusSource {
    /// A source for `slos`, evaluated over the standard windows and each SLO's period. The
    /// token is read now; a missing URL or token is an error naming the source, never the
    /// token.
    pub fn new(source: &SourceConfig, slos: Vec<SloConfig>) -> Result<Self, SourceError> {
        Self::with_windows(source, slos, &[])
    }

    /// Like [`PrometheusSource::new`], also evaluating `extra_windows` (the windows of custom
    /// alert tiers).
    pub fn with_windows(
        source: &SourceConfig,
        slos: Vec<SloConfig>,
        extra_windows: &[Window],
    ) -> Result<Self, SourceError> {
        let url = source.url.as_deref().ok_or_else(|| {
            SourceError::Rejected(format!("source `{}` needs a url", source.name))
        })?;
        let token = source
            .token
            .as_ref()
            .map(|r| r.resolve())
            .transpose()
            .map_err(|e| SourceError::Rejected(format!("source `{}`: {e}", source.name)))?;
        let api = Api::new(url, source.timeout, token.as_ref().map(|t| t.expose()))?;
        let plan = QueryPlan::build(&slos, extra_windows);
        let queries = plan.queries();
        Ok(Self {
            inner: Arc::new(Inner {
                name: source.name.clone(),
                api,
                plan,
                queries,
                limit: Semaphore::new(MAX_CONCURRENT_QUERIES),
                requests: AtomicU64::new(0),
            }),
        })
    }

    /// The query plan every refresh follows.
    pub fn plan(&self) -> &QueryPlan {
        &self.inner.plan
    }

    /// HTTP requests sent since the source was created (all clones together).
    pub fn requests_sent(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// Runs every query of the plan at `at` and assembles the counts. Fails only when every
    /// query failed; otherwise failed queries become [`SloIssue`]s and leave their SLOs'
    /// windows empty ("no data").
    pub async fn fetch(&self, at: DateTime<Utc>) -> Result<Fetched, SourceError> {
        let inner = &self.inner;
        let time = format!("{}.{:03}", at.timestamp(), at.timestamp_subsec_millis());
        let runs = inner.queries.iter().map(|query| {
            let time = &time;
            async move {
                // The semaphore is never closed, so acquiring cannot fail.
                let _permit = inner.limit.acquire().await.ok();
                inner.requests.fetch_add(1, Ordering::Relaxed);
                (query, inner.api.instant(&query.promql, time).await)
            }
        });
        let results = futures_util::future::join_all(runs).await;
        let mut answers: Answers = HashMap::with_capacity(results.len());
        let mut warnings: Vec<String> = Vec::new();
        let mut first_error = None;
        let mut any_ok = results.is_empty();
        for (query, result) in results {
            let entry = match result {
                Ok(answer) => {
                    any_ok = true;
                    for w in &answer.warnings {
                        if !warnings.contains(w) {
                            warnings.push(w.clone());
                        }
                    }
                    let kind = &inner.plan.shapes[query.shape].kind;
                    Ok(Values::from_answer(kind, &answer))
                }
                Err(e) => {
                    first_error.get_or_insert_with(|| e.clone());
                    Err(e)
                }
            };
            answers.insert((query.shape, query.window), entry);
        }
        if let (false, Some(e)) = (any_ok, first_error) {
            return Err(e);
        }
        let (slos, issues) = assemble(&inner.plan, &answers);
        Ok(Fetched {
            snapshot: MetricsSnapshot {
                at,
                slos,
                services: Vec::new(),
            },
            issues,
            warnings,
        })
    }
}

impl MetricsSource for PrometheusSource {
    async fn fetch_metrics(&self, at: DateTime<Utc>) -> Result<MetricsSnapshot, SourceError> {
        let fetched = self.fetch(at).await?;
        let source = &self.inner.name;
        for issue in &fetched.issues {
            tracing::warn!(%source, slo = %issue.slo_id, error = %issue.error, "SLO query failed");
        }
        for warning in &fetched.warnings {
            tracing::warn!(%source, %warning, "Prometheus warning");
        }
        Ok(fetched.snapshot)
    }
}
