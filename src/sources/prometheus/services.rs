//! Per-service trends for the debug pane: p50, p95 and p99 latency and the error rate over
//! the last hour, one point a minute, each a 5-minute rate — from the same metrics the SLOs
//! read, batched like the plan.
//!
//! Latency comes from the histogram of each service's first latency SLO whose bucket
//! selector is batched: one `histogram_quantile(q, sum by (le, <label>) (rate(…_bucket[5m])))`
//! range query per quantile and histogram, for all its services at once. The error rate
//! comes from each service's first availability SLO whose two sides are batched: one range
//! query per pair of shapes, `sum by (label) (rate(bad)) / sum by (label) (rate(total))` (or
//! `1 - good / total`). SLOs that are not batched (expressions, Sloth queries) give no
//! service trend. Instants without traffic are left out of a trend rather than drawn as 0.
//! The instants are whole minutes ([`grid`]), so each refresh only fetches the newest.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::api::RangeAnswer;
use super::plan::{Numerator, PlannedSlo, QueryPlan, ShapeKind, batched_selector};
use super::selector::Matcher;
use super::trend::TrendGrid;
use crate::model::ServiceMetrics;
use crate::slo::{SliKind, Window};

/// Seconds between service trend points.
pub const SERVICE_STEP_SECONDS: u64 = 60;
/// Points per service trend: the last hour.
pub const SERVICE_POINTS: u64 = 60;
/// The rate window of each point.
pub const SERVICE_RATE: Window = Window::minutes(5);
/// The latency quantiles drawn, in [`ServiceMetrics`] order (p50, p95, p99).
pub const QUANTILES: [f64; 3] = [0.5, 0.95, 0.99];

/// What one service range query fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fills {
    /// The latency quantile `QUANTILES[i]`.
    Quantile(usize),
    /// The error rate.
    ErrorRate,
}

/// One range request for service trends.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceQuery {
    /// The PromQL.
    pub promql: String,
    /// The label whose value is the service.
    pub label: String,
    /// Which trend its series fill.
    pub fills: Fills,
}

/// The instants of the service trends at `at`: the last hour's whole minutes, so a later
/// refresh lands on the same instants and only asks for the minutes that appeared since
/// (the answers are cached like the SLO trend's, see `trend_cache`).
pub fn grid(at: DateTime<Utc>) -> TrendGrid {
    let step = SERVICE_STEP_SECONDS as i64;
    TrendGrid {
        step,
        end: at.timestamp().div_euclid(step) * step,
        points: SERVICE_POINTS as usize,
    }
}

/// A histogram: metric, matchers other than `le` and the key labels, and the key labels but
/// `le` (the service's first).
type HistogramKey = (String, Vec<Matcher>, Vec<String>);

/// The service trend requests of a refresh.
pub fn service_queries(plan: &QueryPlan) -> Vec<ServiceQuery> {
    let mut latency_done: BTreeSet<&str> = BTreeSet::new();
    let mut errors_done: BTreeSet<&str> = BTreeSet::new();
    let mut histograms: BTreeMap<HistogramKey, BTreeSet<Vec<String>>> = BTreeMap::new();
    let mut ratios: BTreeSet<(usize, usize, bool)> = BTreeSet::new();
    for slo in &plan.slos {
        let service = slo.spec.service.as_str();
        let Some((num, total)) = batched(plan, slo) else {
            continue;
        };
        match slo.spec.sli {
            SliKind::Latency { .. } if latency_done.insert(service) => {
                if let (
                    ShapeKind::Batched {
                        metric,
                        others,
                        labels,
                        ..
                    },
                    Some(side),
                ) = (&plan.shapes[num].kind, &slo.num)
                {
                    let others = others.iter().filter(|m| m.label != "le").cloned();
                    let keep = |(l, _): &(&String, &String)| *l != "le";
                    let (labels, tuple): (Vec<String>, Vec<String>) = labels
                        .iter()
                        .zip(&side.key)
                        .filter(keep)
                        .map(|(l, v)| (l.clone(), v.clone()))
                        .unzip();
                    let key = (metric.clone(), others.collect(), labels);
                    histograms.entry(key).or_default().insert(tuple);
                }
            }
            SliKind::Availability if errors_done.insert(service) => {
                ratios.insert((num, total, slo.numerator == Numerator::Good));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for ((metric, others, labels), tuples) in &histograms {
        let label = &labels[0];
        let selector = batched_selector(metric, others, labels, tuples).render();
        for (i, q) in QUANTILES.iter().enumerate() {
            out.push(ServiceQuery {
                promql: format!(
                    "histogram_quantile({q}, sum by (le, {label}) (rate({selector}[{SERVICE_RATE}])))"
                ),
                label: label.clone(),
                fills: Fills::Quantile(i),
            });
        }
    }
    for &(num, total, good) in &ratios {
        let (Some((label, num)), Some((_, total))) = (
            by_service(&plan.shapes[num].kind),
            by_service(&plan.shapes[total].kind),
        ) else {
            continue;
        };
        let ratio = format!("{num} / {total}");
        out.push(ServiceQuery {
            promql: if good {
                format!("1 - ({ratio})")
            } else {
                ratio
            },
            label: label.to_string(),
            fills: Fills::ErrorRate,
        });
    }
    out
}

/// A batched shape's rate over [`SERVICE_RATE`] summed by its service label alone, so grouped
/// SLOs' shapes give one series per service too; `None` for other shapes.
fn by_service(kind: &ShapeKind) -> Option<(&str, String)> {
    let ShapeKind::Batched {
        metric,
        others,
        labels,
        values,
        func,
        by_service: true,
        ..
    } = kind
    else {
        return None;
    };
    let label = &labels[0];
    let selector = batched_selector(metric, others, labels, values).render();
    let promql = format!(
        "sum by ({label}) ({}({selector}[{SERVICE_RATE}]))",
        func.name()
    );
    Some((label.as_str(), promql))
}

/// The numerator and total shapes of an SLO when both are batched by the same label.
fn batched(plan: &QueryPlan, slo: &PlannedSlo) -> Option<(usize, usize)> {
    let (num, total) = (slo.num.as_ref()?, slo.total.as_ref()?);
    let label = |shape: usize| match &plan.shapes[shape].kind {
        ShapeKind::Batched {
            labels,
            by_service: true,
            ..
        } => labels.first().map(String::as_str),
        _ => None,
    };
    let same = label(num.shape)? == label(total.shape)?;
    same.then_some((num.shape, total.shape))
}

/// Fills `services` (by service name) from one answer: each series' finite points, in time
/// order. The first query to fill a trend of a service wins.
pub fn fill(
    services: &mut BTreeMap<String, ServiceMetrics>,
    query: &ServiceQuery,
    answer: &RangeAnswer,
) {
    for series in &answer.series {
        let Some(service) = series.labels.get(&query.label) else {
            continue;
        };
        let entry = services
            .entry(service.clone())
            .or_insert_with(|| ServiceMetrics {
                service: service.clone(),
                step_seconds: SERVICE_STEP_SECONDS,
                ..ServiceMetrics::default()
            });
        let trend = match query.fills {
            Fills::Quantile(0) => &mut entry.p50,
            Fills::Quantile(1) => &mut entry.p95,
            Fills::Quantile(_) => &mut entry.p99,
            Fills::ErrorRate => &mut entry.error_rate,
        };
        if trend.is_empty() {
            trend.extend(
                series
                    .points
                    .iter()
                    .map(|&(_, v)| v)
                    .filter(|v| v.is_finite()),
            );
        }
    }
}
