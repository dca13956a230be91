//! One refresh of a Prometheus source: the windows that are due (see `cadence`), read from
//! recording rules where they exist and from raw queries otherwise; the trend's newest
//! instants and the service trends' newest minutes (both cached on aligned grids); then the
//! answers assembled into observations, and the windows not evaluated this time carried from
//! the last refresh with their own evaluation instants (see `carry`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use futures_util::future::join_all;

use super::api::{Answer, RangeAnswer};
use super::assemble::{self, assemble_groups};
use super::breaker::Breaker;
use super::client::off_task;
use super::plan::{Query, QueryPlan};
use super::rules::{self, Coverage};
use std::sync::MutexGuard;

use super::TrendCache;
use super::services;
use super::trend::{TrendAnswers, TrendGrid, TrendQuery, TrendValues, trend};
use super::trend_cache::{Plan, RangeRequest};
use super::{Fetched, PrometheusSource, SloIssue, warn_once};
use crate::config::RecordingRules;
use crate::model::{MetricsSnapshot, ServiceMetrics, SloObservation};
use crate::slo::Window;
use crate::sources::SourceError;

/// Every answer of a refresh, owned, for [`PrometheusSource::assemble`].
struct Gathered {
    /// Instant answers by shape and window.
    instants: Vec<(usize, Window, Result<Answer, SourceError>)>,
    /// Trend range answers by shape.
    trends: Vec<(usize, Result<RangeAnswer, SourceError>)>,
    /// Service trend answers by index into the source's service queries.
    services: Vec<(usize, Result<RangeAnswer, SourceError>)>,
    rules: Option<Result<Answer, SourceError>>,
    coverage: Coverage,
    grid: TrendGrid,
    warnings: Vec<String>,
}

/// A refresh's observations before the windows it did not evaluate are carried in.
struct Assembled {
    slos: Vec<SloObservation>,
    issues: Vec<SloIssue>,
    origins: Vec<assemble::Origin>,
    services: BTreeMap<String, ServiceMetrics>,
    warnings: Vec<String>,
}

/// What the counting part of a refresh brought back.
struct Counted<'a> {
    rules: Option<Result<Answer, SourceError>>,
    coverage: Coverage,
    instants: Vec<(&'a Query, Result<Answer, SourceError>)>,
}

impl PrometheusSource {
    /// Evaluates the windows due at `at` (every window on the first refresh, and whenever
    /// `at` is not later than the last refresh's instant), the trend's range queries for the
    /// instants not cached yet and the service trends' newest minutes, and assembles counts
    /// and trends; the other windows keep the counts of their last evaluation, whose instant
    /// the snapshot gives ([`MetricsSnapshot::evaluated`]). Fails only when every instant
    /// query failed; otherwise failed queries become [`SloIssue`]s (the windows keep their
    /// older counts, if any), and failed range queries become warnings.
    pub async fn fetch(&self, at: DateTime<Utc>) -> Result<Fetched, SourceError> {
        let inner = &self.inner;
        // Dated periods (calendar months…) add their windows at this instant.
        let dated = inner.plan.has_dated().then(|| inner.plan.at(at));
        let plan = dated.as_ref().unwrap_or(&inner.plan);
        let dated_queries = dated.as_ref().map(QueryPlan::queries);
        let queries = dated_queries.as_deref().unwrap_or(&inner.queries);
        let windows: BTreeSet<Window> = plan
            .slos
            .iter()
            .flat_map(|s| s.windows.iter().copied())
            .collect();
        let due: BTreeSet<Window> = {
            let memory = self.memory();
            windows
                .iter()
                .copied()
                .filter(|&w| memory.schedule.due(w, at))
                .collect()
        };
        let time = format!("{:.3}", at.timestamp_millis() as f64 / 1000.0);
        let time = &time;
        let grid = TrendGrid::at(at, inner.trend_width.step_seconds());
        let trend_plans = self.plan_trends(grid);
        let trend_requests = trend_plans
            .iter()
            .filter_map(|(_, plan)| match plan {
                Plan::Fetch(request) => Some(*request),
                Plan::Cached(_) => None,
            })
            .collect();
        let service_grid = services::grid(at);
        let service_plans = self.plan_services(service_grid);
        let mut warnings: Vec<String> = Vec::new();
        let breaker = &Breaker::default();
        let rules_query = (inner.recording_rules == RecordingRules::Auto)
            .then(|| rules::values_query(plan, &due))
            .flatten();
        let counted = async {
            let rules = match &rules_query {
                Some(promql) => Some(self.guarded(breaker, inner.api.instant(promql, time)).await),
                None => None,
            };
            let coverage = match &rules {
                Some(Ok(answer)) => Coverage::from_values(plan, answer, &due),
                _ => Coverage::default(),
            };
            let raw = coverage.needed(plan);
            let mut needed: Vec<&Query> = queries
                .iter()
                .filter(|q| due.contains(&q.window) && raw.contains(&(q.shape, q.window)))
                .collect();
            // Shortest windows first: they are the cheapest and fill the most columns.
            needed.sort_by_key(|q| q.window);
            let instants = join_all(needed.into_iter().map(|query| async move {
                let answer = self
                    .guarded(breaker, inner.api.instant(&query.promql, time))
                    .await;
                (query, answer)
            }))
            .await;
            Counted {
                rules,
                coverage,
                instants,
            }
        };
        let trends = join_all(trend_plans.into_iter().map(|(query, plan)| async move {
            (
                query,
                self.cached_range(breaker, &query.promql, grid, plan, Self::trend_cache)
                    .await,
            )
        }));
        let service_runs = join_all(service_plans.into_iter().map(|(index, plan)| async move {
            let query = &inner.service_queries[index];
            (
                index,
                self.cached_range(
                    breaker,
                    &query.promql,
                    service_grid,
                    plan,
                    Self::service_cache,
                )
                .await,
            )
        }));
        let (counted, trends, service_answers) =
            futures_util::future::join3(counted, trends, service_runs).await;
        let Counted {
            rules,
            coverage,
            instants,
        } = counted;
        let mut sent: Vec<String> = rules_query.into_iter().collect();
        sent.extend(instants.iter().map(|(q, _)| q.promql.clone()));
        if let Some(Err(e)) = &rules {
            warn_once(&mut warnings, format!("recording rule query failed: {e}"));
        }
        let fresh = fresh_windows(&due, &instants);
        let gathered = Gathered {
            instants: instants
                .into_iter()
                .map(|(q, answer)| (q.shape, q.window, answer))
                .collect(),
            trends: trends
                .into_iter()
                .map(|(q, answer)| (q.shape, answer))
                .collect(),
            services: service_answers,
            rules,
            coverage,
            grid,
            warnings,
        };
        // Thousands of SLOs take milliseconds to assemble: off the task, whose thread the
        // cockpit's loop shares.
        let this = self.clone();
        let dated_plan = dated.clone();
        let assembled = off_task(move || this.assemble(dated_plan.as_ref(), gathered)).await?;
        let Assembled {
            mut slos,
            mut issues,
            origins,
            services,
            warnings,
        } = assembled;
        self.explain_missing_buckets(plan, breaker, time, &mut slos, &origins, &mut issues)
            .await;
        let this = self.clone();
        let (slos, evaluated) = off_task(move || {
            let mut slos = slos;
            let mut memory = this.memory();
            memory.carry(&mut slos, &fresh, &windows, at);
            let evaluated: BTreeMap<Window, DateTime<Utc>> = windows
                .iter()
                .filter_map(|&w| memory.schedule.evaluated(w).map(|t| (w, t)))
                .filter(|&(_, t)| t != at)
                .collect();
            Ok((slos, evaluated))
        })
        .await?;
        Ok(Fetched {
            snapshot: MetricsSnapshot {
                at,
                evaluated,
                slos,
                services: services.into_values().collect(),
            },
            issues,
            warnings,
            sent,
            trend_requests,
        })
    }

    /// Turns the answers of a refresh into observations with their trends, and the service
    /// trends; fails when every raw query failed and no rule answered.
    fn assemble(
        &self,
        dated: Option<&QueryPlan>,
        gathered: Gathered,
    ) -> Result<Assembled, SourceError> {
        let inner = &self.inner;
        let plan = dated.unwrap_or(&inner.plan);
        let Gathered {
            instants,
            trends,
            services: service_answers,
            rules,
            coverage,
            grid,
            mut warnings,
        } = gathered;
        let (answers, all_raw_failed) = self.collect_instants(instants, &mut warnings);
        // Rules that cover an SLO give it numbers even if every raw query failed; the raw
        // failures stay in the answers and become issues of the SLOs they leave empty. An
        // answer with no rule in it covers nothing: the source then failed.
        if let Some(error) = all_raw_failed
            && (coverage.is_empty() || !matches!(rules, Some(Ok(_))))
        {
            return Err(error);
        }
        let mut trend_answers = TrendAnswers::with_capacity(trends.len());
        for (shape, result) in trends {
            match result {
                Ok(answer) => {
                    let kind = &inner.plan.shapes[shape].kind;
                    trend_answers.insert(shape, TrendValues::from_range(kind, &answer, grid));
                }
                Err(e) => warn_once(&mut warnings, format!("trend query failed: {e}")),
            }
        }
        let mut services = BTreeMap::new();
        for (index, result) in service_answers {
            match result {
                Ok(answer) => services::fill(&mut services, &inner.service_queries[index], &answer),
                Err(e) => warn_once(&mut warnings, format!("service trend query failed: {e}")),
            }
        }
        let (mut slos, issues, origins) = assemble_groups(plan, &answers);
        if let Some(Ok(answer)) = &rules {
            coverage.apply(plan, answer, &mut slos, &origins);
        }
        for (observation, origin) in slos.iter_mut().zip(&origins) {
            let planned = &inner.plan.slos[origin.slo];
            observation.trend = trend(planned, &origin.group, &trend_answers);
        }
        Ok(Assembled {
            slos,
            issues,
            origins,
            services,
            warnings,
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
        slos: &mut [SloObservation],
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

    /// What each service trend query (by index) needs on `grid`.
    fn plan_services(&self, grid: TrendGrid) -> Vec<(usize, Plan)> {
        let mut cache = self.service_cache();
        self.inner
            .service_queries
            .iter()
            .enumerate()
            .map(|(index, query)| (index, cache.plan(&query.promql, grid)))
            .collect()
    }

    /// A trend or service trend query's series on `grid`: from `cache`, or fetched and
    /// merged into it. The cache is taken only after the fetch, never across it.
    async fn cached_range(
        &self,
        breaker: &Breaker,
        promql: &str,
        grid: TrendGrid,
        plan: Plan,
        cache: fn(&Self) -> MutexGuard<'_, TrendCache>,
    ) -> Result<RangeAnswer, SourceError> {
        let request = match plan {
            Plan::Cached(answer) => return Ok(answer),
            Plan::Fetch(request) => request,
        };
        let answer = self.range(breaker, promql, request).await;
        cache(self).merge(promql, grid, request, answer)
    }

    async fn range(
        &self,
        breaker: &Breaker,
        promql: &str,
        request: RangeRequest,
    ) -> Result<RangeAnswer, SourceError> {
        let [start, end, step] = [request.start, request.end, request.step].map(|n| n.to_string());
        let range = self.inner.api.range(promql, &start, &end, &step);
        self.guarded(breaker, range).await
    }
}

/// The due windows every raw query answered: their values are all as of this refresh.
fn fresh_windows(
    due: &BTreeSet<Window>,
    instants: &[(&Query, Result<Answer, SourceError>)],
) -> BTreeSet<Window> {
    let failed: BTreeSet<Window> = instants
        .iter()
        .filter(|(_, answer)| answer.is_err())
        .map(|(q, _)| q.window)
        .collect();
    due.difference(&failed).copied().collect()
}
