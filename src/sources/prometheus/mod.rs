//! A Prometheus-compatible metrics source: SLO window counts computed from the backend's own
//! `rate()`, so every burn rate equals what Prometheus returns for the equivalent PromQL.
//!
//! Submodules: `selector` (the selector form ondeck parses), `plan` (the query plan and its
//! documentation), `api` (HTTP and JSON), `assemble` (answers back to SLOs).
//!
//! Each refresh fills `counts` per window, the 1h burn-rate `trend` (see `trend`, cached
//! between refreshes by `trend_cache`) and the per-service latency and error trends of the
//! debug pane (see `services`).

pub mod api;
pub mod assemble;
mod breaker;
pub mod client;
mod dated;
pub mod explore;
mod feed;
pub mod group;
pub mod latency;
pub mod plan;
mod promql;
pub mod rulefile;
pub mod rules;
pub mod selector;
pub mod services;
pub mod trend;
pub mod trend_cache;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use tokio::sync::Semaphore;

use super::SourceError;
use crate::config::{RecordingRules, SloConfig, SourceConfig};
use crate::model::MetricsSnapshot;
use crate::slo::Window;
use api::{Answer, RangeAnswer};
use assemble::{Answers, Values, assemble_groups};
pub use assemble::{Cause, SloIssue};
use breaker::Breaker;
use client::{Api, options_for};
pub use feed::slos_for;
pub use plan::QueryPlan;
use plan::{Query, ShapeKind};
use rules::{Coverage, PROBE};
use services::{SERVICE_STEP_SECONDS, ServiceQuery, service_queries, services_start};
pub use trend::TrendWidth;
use trend::{TrendAnswers, TrendGrid, TrendQuery, TrendValues, trend, trend_queries};
use trend_cache::{Plan, RangeRequest, TrendCache};

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
    // Shared by all clones through `inner`; locked only between awaits.
    trend_cache: Mutex<TrendCache>,
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

    /// Runs every query of the plan at `at`, the trend's range queries for the instants not
    /// cached yet, the service trends' range queries ending at `at`, and assembles counts
    /// and trends. Fails only when every instant query failed; otherwise failed queries
    /// become [`SloIssue`]s and leave their SLOs' windows empty ("no data"), and failed
    /// range queries become warnings.
    pub async fn fetch(&self, at: DateTime<Utc>) -> Result<Fetched, SourceError> {
        let inner = &self.inner;
        // Dated periods (calendar months…) add their windows at this instant.
        let dated = inner.plan.has_dated().then(|| inner.plan.at(at));
        let plan = dated.as_ref().unwrap_or(&inner.plan);
        let dated_queries = dated.as_ref().map(QueryPlan::queries);
        let queries = dated_queries.as_deref().unwrap_or(&inner.queries);
        let time = format!("{:.3}", at.timestamp_millis() as f64 / 1000.0);
        let services_start_text = format!("{:.3}", services_start(at));
        let service_step = SERVICE_STEP_SECONDS.to_string();
        let (time, service_step, services_start_text) =
            (&time, &service_step, &services_start_text);
        let grid = TrendGrid::at(at, inner.trend_width.step_seconds());
        let trend_plans = self.plan_trends(grid);
        let trend_requests = trend_plans
            .iter()
            .filter_map(|(_, plan)| match plan {
                Plan::Fetch(request) => Some(*request),
                Plan::Cached(_) => None,
            })
            .collect();
        let mut warnings: Vec<String> = Vec::new();
        let breaker = &Breaker::default();
        let coverage = self.probe_rules(plan, breaker, time, &mut warnings).await;
        let rules_query = coverage.values_query(plan);
        let needed: Vec<&Query> = queries
            .iter()
            .filter(|q| coverage.needs(plan, q.shape, q.window))
            .collect();
        let mut sent: Vec<String> = Vec::with_capacity(needed.len() + 2);
        if inner.recording_rules == RecordingRules::Auto && self.may_use_rules() {
            sent.push(PROBE.to_string());
        }
        sent.extend(rules_query.iter().cloned());
        sent.extend(needed.iter().map(|q| q.promql.clone()));
        let rules_answer = async {
            match &rules_query {
                Some(promql) => Some(self.guarded(breaker, inner.api.instant(promql, time)).await),
                None => None,
            }
        };
        let instants = needed.into_iter().map(|query| async move {
            let answer = self
                .guarded(breaker, inner.api.instant(&query.promql, time))
                .await;
            (query, answer)
        });
        let trends = trend_plans.into_iter().map(|(query, plan)| async move {
            (query, self.trend_range(breaker, query, grid, plan).await)
        });
        let service_runs = inner.service_queries.iter().map(|query| async move {
            let range = inner
                .api
                .range(&query.promql, services_start_text, time, service_step);
            (query, self.guarded(breaker, range).await)
        });
        let (instants, trends, service_answers, rules_answer) = futures_util::future::join4(
            join_all(instants),
            join_all(trends),
            join_all(service_runs),
            rules_answer,
        )
        .await;
        let all_raw_failed = self.collect_instants(instants, &mut warnings);
        let answers = match (all_raw_failed, &rules_answer) {
            // Rules answered: the SLOs they cover have numbers even if every raw query failed.
            (Err(_), Some(Ok(_))) => Answers::new(),
            (result, _) => result?,
        };
        let mut trend_answers = TrendAnswers::with_capacity(trends.len());
        for (query, result) in trends {
            match result {
                Ok(answer) => {
                    let kind = &inner.plan.shapes[query.shape].kind;
                    let values = TrendValues::from_range(kind, &answer, grid);
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
        let (mut slos, mut issues, origins) = assemble_groups(plan, &answers);
        if let Some(answer) = &rules_answer {
            coverage.apply(plan, answer, &mut slos, &origins, &mut issues);
        }
        self.explain_missing_buckets(plan, breaker, time, &mut slos, &origins, &mut issues)
            .await;
        for (observation, origin) in slos.iter_mut().zip(&origins) {
            let planned = &inner.plan.slos[origin.slo];
            observation.trend = trend(planned, &origin.group, &trend_answers);
        }
        Ok(Fetched {
            snapshot: MetricsSnapshot {
                at,
                slos,
                services: services.into_values().collect(),
            },
            issues,
            warnings,
            sent,
            trend_requests,
        })
    }

    /// For every latency SLO whose bucket answered nothing where its count answered, one
    /// query for the bounds the histogram has (once per histogram), and an error on the SLO
    /// listing them in place of its numbers.
    async fn explain_missing_buckets(
        &self,
        plan: &QueryPlan,
        breaker: &Breaker,
        time: &str,
        slos: &mut [crate::model::SloObservation],
        origins: &[assemble::Origin],
        issues: &mut Vec<SloIssue>,
    ) {
        let mut asked: HashMap<String, Result<Answer, String>> = HashMap::new();
        for (observation, origin) in slos.iter_mut().zip(origins) {
            let (Some(window), Some(histogram)) =
                (origin.missing_bucket, &plan.slos[origin.slo].histogram)
            else {
                continue;
            };
            let promql = histogram.bounds_query(window);
            if !asked.contains_key(&promql) {
                let answer = self.guarded(breaker, self.inner.api.instant(&promql, time));
                let answer = answer.await.map_err(|e| e.to_string());
                asked.insert(promql.clone(), answer);
            }
            let answer = asked.get(&promql).map(|a| a.as_ref().map_err(Clone::clone));
            let message = match answer {
                Some(answer) => histogram.not_a_bound(answer),
                None => continue,
            };
            observation.counts.clear();
            observation.issues.push(message.clone());
            issues.push(SloIssue {
                slo_id: observation.spec.id.clone(),
                windows: plan.slos[origin.slo].windows.clone(),
                error: assemble::Cause::Definition(message),
            });
        }
    }

    fn trend_cache(&self) -> MutexGuard<'_, TrendCache> {
        // The cache holds no invariant a panicking holder could break halfway.
        self.inner
            .trend_cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// What each trend query needs on `grid`, forgetting trends of another step.
    fn plan_trends(&self, grid: TrendGrid) -> Vec<(&TrendQuery, Plan)> {
        let mut cache = self.trend_cache();
        cache.keep_step(grid.step);
        self.inner
            .trend_queries
            .iter()
            .map(|query| (query, cache.plan(&query.promql, grid)))
            .collect()
    }

    /// The trend query's series on `grid`: from the cache, or fetched and merged into it.
    async fn trend_range(
        &self,
        breaker: &Breaker,
        query: &TrendQuery,
        grid: TrendGrid,
        plan: Plan,
    ) -> Result<RangeAnswer, SourceError> {
        let request = match plan {
            Plan::Cached(answer) => return Ok(answer),
            Plan::Fetch(request) => request,
        };
        let [start, end, step] = [request.start, request.end, request.step].map(|n| n.to_string());
        let range = self.inner.api.range(&query.promql, &start, &end, &step);
        let answer = self.guarded(breaker, range).await;
        self.trend_cache()
            .merge(&query.promql, grid, request, answer)
    }

    /// Whether any planned SLO could read a recording rule (grouped and unplannable ones
    /// cannot), so a plan without such SLOs never sends the probe.
    fn may_use_rules(&self) -> bool {
        let plan = &self.inner.plan;
        plan.slos
            .iter()
            .any(|s| s.group_by.is_empty() && s.problem.is_none())
    }

    /// Sends the recording-rule probe (in `auto` mode) and says which SLO windows read rules.
    /// A failed probe is a warning: the refresh falls back to raw queries.
    async fn probe_rules(
        &self,
        plan: &QueryPlan,
        breaker: &Breaker,
        time: &str,
        warnings: &mut Vec<String>,
    ) -> Coverage {
        let inner = &self.inner;
        if inner.recording_rules == RecordingRules::Never || !self.may_use_rules() {
            return Coverage::default();
        }
        match self.guarded(breaker, inner.api.instant(PROBE, time)).await {
            Ok(answer) => Coverage::from_probe(plan, &answer),
            Err(e) => {
                warn_once(warnings, format!("recording rule probe failed: {e}"));
                Coverage::default()
            }
        }
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
