//! A Prometheus-compatible metrics source: SLO window counts computed from the backend's own
//! `rate()`, so every burn rate equals what Prometheus returns for the equivalent PromQL.
//!
//! Submodules: `selector` (the selector form ondeck parses), `plan` (the query plan and its
//! documentation), `api` (HTTP and JSON), `assemble` (answers back to SLOs).
//!
//! Each refresh fills `counts` per window, the 1h burn-rate `trend` (see `trend`) and the
//! per-service latency and error trends of the debug pane (see `services`).

pub mod api;
pub mod assemble;
pub mod client;
pub mod plan;
pub mod selector;
pub mod services;
pub mod trend;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use tokio::sync::Semaphore;

use super::{MetricsSource, SourceError};
use crate::config::{Config, SloConfig, SourceConfig, SourceKind};
use crate::model::MetricsSnapshot;
use crate::slo::Window;
use api::Answer;
pub use assemble::SloIssue;
use assemble::{Answers, Values, assemble};
use client::{Api, Auth, ClientOptions};
pub use plan::QueryPlan;
use plan::{Query, ShapeKind};
use services::{SERVICE_STEP_SECONDS, ServiceQuery, service_queries, services_start};
use trend::{
    TREND_STEP_SECONDS, TrendAnswers, TrendQuery, TrendValues, trend, trend_queries, trend_start,
};

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
    trend_queries: Vec<TrendQuery>,
    service_queries: Vec<ServiceQuery>,
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
        let api = Api::new(url, client_options(source)?)
            .map_err(|e| SourceError::Rejected(format!("source `{}`: {e}", source.name)))?;
        let plan = QueryPlan::build(&slos, extra_windows);
        let queries = plan.queries();
        let trend_queries = trend_queries(&plan);
        let service_queries = service_queries(&plan);
        Ok(Self {
            inner: Arc::new(Inner {
                name: source.name.clone(),
                api,
                plan,
                queries,
                trend_queries,
                service_queries,
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

    /// Runs every query of the plan at `at`, the trend's and the service trends' range
    /// queries ending at `at`, and assembles counts and trends. Fails only when every instant
    /// query failed; otherwise failed queries become [`SloIssue`]s and leave their SLOs'
    /// windows empty ("no data"), and failed range queries become warnings.
    pub async fn fetch(&self, at: DateTime<Utc>) -> Result<Fetched, SourceError> {
        let inner = &self.inner;
        let time = format!("{:.3}", at.timestamp_millis() as f64 / 1000.0);
        let (trend_from, services_from) = (trend_start(at), services_start(at));
        let (trend_start_text, services_start_text) =
            (format!("{trend_from:.3}"), format!("{services_from:.3}"));
        let (trend_step, service_step) = (
            TREND_STEP_SECONDS.to_string(),
            SERVICE_STEP_SECONDS.to_string(),
        );
        let (time, trend_step, service_step) = (&time, &trend_step, &service_step);
        let (trend_start_text, services_start_text) = (&trend_start_text, &services_start_text);
        let instants = inner.queries.iter().map(|query| async move {
            let answer = self.limited(inner.api.instant(&query.promql, time)).await;
            (query, answer)
        });
        let trends = inner.trend_queries.iter().map(|query| async move {
            let range = inner
                .api
                .range(&query.promql, trend_start_text, time, trend_step);
            (query, self.limited(range).await)
        });
        let service_runs = inner.service_queries.iter().map(|query| async move {
            let range = inner
                .api
                .range(&query.promql, services_start_text, time, service_step);
            (query, self.limited(range).await)
        });
        let (instants, trends, service_answers) = futures_util::future::join3(
            join_all(instants),
            join_all(trends),
            join_all(service_runs),
        )
        .await;
        let mut warnings: Vec<String> = Vec::new();
        let answers = self.collect_instants(instants, &mut warnings)?;
        let mut trend_answers = TrendAnswers::with_capacity(trends.len());
        for (query, result) in trends {
            match result {
                Ok(answer) => {
                    let kind = &inner.plan.shapes[query.shape].kind;
                    let values = TrendValues::from_range(kind, &answer, trend_from);
                    trend_answers.insert(query.shape, values);
                }
                Err(e) => warn_once(&mut warnings, format!("trend query failed: {e}")),
            }
        }
        let mut services = BTreeMap::new();
        for (query, result) in service_answers {
            match result {
                Ok(answer) => services::fill(&mut services, query, &answer),
                Err(e) => warn_once(&mut warnings, format!("service trend query failed: {e}")),
            }
        }
        let (mut slos, issues) = assemble(&inner.plan, &answers);
        for (observation, planned) in slos.iter_mut().zip(&inner.plan.slos) {
            observation.trend = trend(planned, &trend_answers);
        }
        Ok(Fetched {
            snapshot: MetricsSnapshot {
                at,
                slos,
                services: services.into_values().collect(),
            },
            issues,
            warnings,
        })
    }

    /// Runs one request under the source's concurrency limit, counting it.
    async fn limited<T>(&self, request: impl Future<Output = T>) -> T {
        // The semaphore is never closed, so acquiring cannot fail.
        let _permit = self.inner.limit.acquire().await.ok();
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        request.await
    }

    /// The instant answers by shape and window; the first error when every query failed.
    fn collect_instants(
        &self,
        results: Vec<(&Query, Result<Answer, SourceError>)>,
        warnings: &mut Vec<String>,
    ) -> Result<Answers, SourceError> {
        let mut answers: Answers = HashMap::with_capacity(results.len());
        let mut first_error = None;
        let mut any_ok = results.is_empty();
        for (query, result) in results {
            let kind = &self.inner.plan.shapes[query.shape].kind;
            let entry = match result.and_then(|answer| one_series(kind, answer)) {
                Ok(answer) => {
                    any_ok = true;
                    for w in &answer.warnings {
                        warn_once(warnings, w.clone());
                    }
                    Ok(Values::from_answer(kind, &answer))
                }
                Err(e) => {
                    first_error.get_or_insert_with(|| e.clone());
                    Err(e)
                }
            };
            answers.insert((query.shape, query.window), entry);
        }
        match (any_ok, first_error) {
            (false, Some(e)) => Err(e),
            _ => Ok(answers),
        }
    }
}

fn warn_once(warnings: &mut Vec<String>, warning: String) {
    if !warnings.contains(&warning) {
        warnings.push(warning);
    }
}

/// The HTTP client's options: secrets and the CA file are read now, when the source starts.
/// Errors name the source and where the secret comes from, never the secret.
fn client_options(source: &SourceConfig) -> Result<ClientOptions, SourceError> {
    let rejected =
        |e: &dyn std::fmt::Display| SourceError::Rejected(format!("source `{}`: {e}", source.name));
    let auth = match (&source.token, &source.http.basic_auth) {
        (Some(token), _) => Auth::Bearer(token.resolve().map_err(|e| rejected(&e))?),
        (None, Some(basic)) => Auth::Basic {
            username: basic.username.clone(),
            password: basic.password.resolve().map_err(|e| rejected(&e))?,
        },
        (None, None) => Auth::None,
    };
    let ca_pem = match &source.http.ca_file {
        Some(path) => Some(
            std::fs::read(path)
                .map_err(|e| rejected(&format!("cannot read CA file {}: {e}", path.display())))?,
        ),
        None => None,
    };
    Ok(ClientOptions {
        timeout: source.timeout,
        auth,
        headers: source.http.headers.clone(),
        ca_pem,
    })
}

/// A templated query stands for one number; several series would be summed by nobody, so
/// they are an error against the SLO rather than a silently picked first value.
fn one_series(kind: &ShapeKind, answer: Answer) -> Result<Answer, SourceError> {
    match kind {
        ShapeKind::Templated { .. } if answer.samples.len() > 1 => {
            Err(SourceError::Malformed(format!(
                "the query answered {} series; an SLI query must answer one (wrap it in sum(...))",
                answer.samples.len()
            )))
        }
        _ => Ok(answer),
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
