//! A Prometheus-compatible metrics source: SLO window counts computed from the backend's own
//! `rate()`, so every burn rate equals what Prometheus returns for the equivalent PromQL.
//!
//! Submodules: `selector` (the selector form ondeck parses), `plan` (the query plan and its
//! documentation), `api` (HTTP and JSON), `assemble` (answers back to SLOs).
//!
//! Each refresh (see `refresh`) fills `counts` for the windows that are due (see `cadence`;
//! the others keep their last values, see `carry`), the 1h burn-rate `trend` (see `trend`,
//! cached between refreshes by `trend_cache`) and the per-service latency and error trends
//! of the debug pane (see `services`).

pub mod api;
pub mod assemble;
pub mod batch;
mod breaker;
pub mod cadence;
mod carry;
pub mod client;
mod dated;
pub mod explore;
mod feed;
pub mod group;
pub mod latency;
pub mod plan;
mod promql;
mod refresh;
pub mod rulefile;
pub mod rules;
pub mod selector;
pub mod services;
pub mod trend;
pub mod trend_cache;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Semaphore;

use super::SourceError;
use crate::config::{RecordingRules, SloConfig, SourceConfig};
use crate::model::MetricsSnapshot;
use crate::slo::Window;
use api::Answer;
use assemble::{Answers, Values};
pub use assemble::{Cause, SloIssue};
use breaker::Breaker;
use carry::Memory;
use client::{Api, options_for};
pub use feed::slos_for;
pub use plan::QueryPlan;
use plan::{Query, ShapeKind};
use services::{ServiceQuery, service_queries};
pub use trend::TrendWidth;
use trend::{TrendQuery, trend_queries};
use trend_cache::{RangeRequest, TrendCache};

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
    recording_rules: RecordingRules,
    limit: Semaphore,
    requests: AtomicU64,
    trend_width: TrendWidth,
    // Shared by all clones through `inner`; each locked only between awaits.
    trend_cache: Mutex<TrendCache>,
    service_cache: Mutex<TrendCache>,
    memory: Mutex<Memory>,
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
    /// The PromQL of every instant query this refresh sent, in order: the recording-rule
    /// probe and values first, then the raw queries still needed.
    pub sent: Vec<String>,
    /// The trend's `query_range` requests this refresh sent, in plan order; a trend the
    /// cache already held sends none.
    pub trend_requests: Vec<RangeRequest>,
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
        let api = Api::new(
            url,
            options_for(source, crate::sources::http::scheme::BEARER)?,
        )
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
                recording_rules: source.recording_rules,
                limit: Semaphore::new(MAX_CONCURRENT_QUERIES),
                requests: AtomicU64::new(0),
                trend_width: TrendWidth::default(),
                trend_cache: Mutex::new(TrendCache::default()),
                service_cache: Mutex::new(TrendCache::default()),
                memory: Mutex::new(Memory::default()),
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

    /// The width of the trend column this source fetches for; set it from the pane's width
    /// and the next refresh picks the step (and refetches the trends) to match.
    pub fn trend_width(&self) -> TrendWidth {
        self.inner.trend_width.clone()
    }

    /// Runs one request under the source's concurrency limit, counting it.
    async fn limited<T>(&self, request: impl Future<Output = T>) -> T {
        // The semaphore is never closed, so acquiring cannot fail.
        let _permit = self.inner.limit.acquire().await.ok();
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        request.await
    }

    /// Runs one request of a refresh under the concurrency limit, unless `breaker` already
    /// knows the server is down; the request's outcome may trip it.
    async fn guarded<T>(
        &self,
        breaker: &Breaker,
        request: impl Future<Output = Result<T, SourceError>>,
    ) -> Result<T, SourceError> {
        // The semaphore is never closed, so acquiring cannot fail.
        let _permit = self.inner.limit.acquire().await.ok();
        if let Some(error) = breaker.tripped() {
            return Err(error.clone());
        }
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let outcome = request.await;
        breaker.record(&outcome);
        outcome
    }

    fn trend_cache(&self) -> MutexGuard<'_, TrendCache> {
        lock(&self.inner.trend_cache)
    }

    fn service_cache(&self) -> MutexGuard<'_, TrendCache> {
        lock(&self.inner.service_cache)
    }

    fn memory(&self) -> MutexGuard<'_, Memory> {
        lock(&self.inner.memory)
    }

    /// The instant answers by shape and window, and the first error when every query
    /// failed.
    fn collect_instants(
        &self,
        results: Vec<(usize, Window, Result<Answer, SourceError>)>,
        warnings: &mut Vec<String>,
    ) -> (Answers, Option<SourceError>) {
        let mut answers: Answers = HashMap::with_capacity(results.len());
        let mut first_error = None;
        let mut any_ok = results.is_empty();
        for (shape, window, result) in results {
            let kind = &self.inner.plan.shapes[shape].kind;
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
            answers.insert((shape, window), entry);
        }
        (answers, first_error.filter(|_| !any_ok))
    }
}

/// Locks one of the source's caches. None holds an invariant a panicking holder could break
/// halfway: the worst is a refresh that refetches.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn warn_once(warnings: &mut Vec<String>, warning: String) {
    if !warnings.contains(&warning) {
        warnings.push(warning);
    }
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
