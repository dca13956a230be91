//! The burn-rate trend behind each SLO's sparkline: the 1h burn rate at instants one step
//! apart over the last 24 hours, as many as the trend column shows ([`TrendWidth`]). The
//! instants are multiples of the step, so a later refresh lands on the same instants and
//! only has to ask for the newest ones (see `trend_cache`).
//!
//! One `query_range` per shape sends the same PromQL as the shape's 1h instant query —
//! batched `sum by (service)` queries included — so the trend costs one request per shape,
//! not one per SLO, and each point equals Prometheus's instant answer at that instant.
//! An instant without data is drawn as 0; a failed range query leaves its SLOs' trends
//! empty rather than flat.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};

use super::api::RangeAnswer;
use super::assemble::counts;
use super::group::{lookup_key, sample_key};
use super::plan::{PlannedSlo, QueryPlan, SeriesRef, ShapeKind};
use crate::slo::Window;
use crate::slo::math::burn_rate;

/// The span every trend covers.
pub const TREND_SPAN_SECONDS: i64 = 24 * 3600;
/// The rate window of every trend point.
pub const TREND_WINDOW: Window = Window::hours(1);

/// How many points the trend column shows, shared between the source (which picks the step
/// from it) and whoever knows the pane's width. Clones share one value.
#[derive(Debug, Clone)]
pub struct TrendWidth(Arc<AtomicUsize>);

impl TrendWidth {
    /// Points when nobody has said otherwise: one every 30 minutes.
    pub const DEFAULT: usize = 48;
    /// The fewest points a trend has.
    pub const MIN: usize = 8;
    /// The most points a trend has (one every 6 minutes).
    pub const MAX: usize = 240;

    /// A width of `points`, clamped to [`TrendWidth::MIN`]..=[`TrendWidth::MAX`].
    pub fn new(points: usize) -> Self {
        Self(Arc::new(AtomicUsize::new(
            points.clamp(Self::MIN, Self::MAX),
        )))
    }

    /// The points wanted now.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    /// Asks for `points` (clamped) from the next refresh on; every clone sees it.
    pub fn set(&self, points: usize) {
        self.0
            .store(points.clamp(Self::MIN, Self::MAX), Ordering::Relaxed);
    }

    /// The step for the current width: 24 hours over the points, rounded up to a whole
    /// minute.
    pub fn step_seconds(&self) -> i64 {
        step_for(self.get())
    }
}

impl Default for TrendWidth {
    fn default() -> Self {
        Self::new(Self::DEFAULT)
    }
}

/// 24 hours over `points` (at least 1), rounded up to a whole minute, in seconds.
pub fn step_for(points: usize) -> i64 {
    let points = i64::try_from(points.max(1)).unwrap_or(i64::MAX);
    let minutes = (TREND_SPAN_SECONDS / 60 + points - 1) / points;
    minutes.max(1) * 60
}

/// The instants of one trend: `points` multiples of `step`, the newest at `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendGrid {
    /// Seconds between points.
    pub step: i64,
    /// The newest instant: the evaluation instant rounded down to a multiple of `step`.
    pub end: i64,
    /// How many instants fit in 24 hours at this step.
    pub points: usize,
}

impl TrendGrid {
    /// The grid of a refresh at `at` with `step` seconds between points.
    pub fn at(at: DateTime<Utc>, step: i64) -> Self {
        let step = step.max(1);
        let points = usize::try_from(TREND_SPAN_SECONDS / step)
            .unwrap_or(1)
            .max(1);
        Self {
            step,
            end: at.timestamp().div_euclid(step) * step,
            points,
        }
    }

    /// The oldest instant, in unix seconds.
    pub fn start(&self) -> i64 {
        self.end - (self.points as i64 - 1) * self.step
    }
}

/// One range request of a refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendQuery {
    /// Index into [`QueryPlan::shapes`].
    pub shape: usize,
    /// The PromQL, as the shape's 1h instant query.
    pub promql: String,
}

/// The range requests of a refresh: one per shape evaluated over [`TREND_WINDOW`].
pub fn trend_queries(plan: &QueryPlan) -> Vec<TrendQuery> {
    plan.shapes
        .iter()
        .enumerate()
        .filter(|(_, shape)| shape.windows.contains(&TREND_WINDOW))
        .map(|(shape, s)| TrendQuery {
            shape,
            promql: s.kind.promql(TREND_WINDOW),
        })
        .collect()
}

/// One shape's values at each trend instant, by sample key (see `group::sample_key`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrendValues {
    by_key: HashMap<Vec<String>, Vec<Option<f64>>>,
    points: usize,
}

impl TrendValues {
    /// Places the answer's points on the instants of `grid`; points between or outside its
    /// instants, and series no SLO asked for (see `ShapeKind::asks_for`), are left out.
    pub fn from_range(kind: &ShapeKind, answer: &RangeAnswer, grid: TrendGrid) -> Self {
        let (start, step) = (grid.start() as f64, grid.step as f64);
        let place = |points: &[(f64, f64)]| {
            let mut slots = vec![None; grid.points];
            for &(t, v) in points {
                let index = ((t - start) / step).round();
                if index >= 0.0 && (index as usize) < grid.points {
                    slots[index as usize] = Some(v);
                }
            }
            slots
        };
        let mut by_key = HashMap::with_capacity(answer.series.len());
        for series in &answer.series {
            let key = sample_key(kind, &series.labels);
            if kind.asks_for(&key) {
                by_key.entry(key).or_insert_with(|| place(&series.points));
            }
        }
        Self {
            by_key,
            points: grid.points,
        }
    }

    fn get(&self, key: &[String], index: usize) -> Option<f64> {
        self.by_key.get(key)?.get(index).copied().flatten()
    }
}

/// Range answers of one refresh, by shape index; a failed query has no entry.
pub type TrendAnswers = HashMap<usize, TrendValues>;

/// The trend of one planned SLO (of one of its groups), oldest first; empty when a query it
/// needs failed.
pub fn trend(slo: &PlannedSlo, group: &[String], answers: &TrendAnswers) -> Vec<f64> {
    let (Some(num), Some(total)) = (&slo.num, &slo.total) else {
        return Vec::new();
    };
    let values = |r: &SeriesRef| answers.get(&r.shape);
    let (Some(num_values), Some(total_values)) = (values(num), values(total)) else {
        return Vec::new();
    };
    let (num_key, total_key) = (lookup_key(num, group), lookup_key(total, group));
    (0..num_values.points.min(total_values.points))
        .map(|i| {
            let num = num_values.get(&num_key, i);
            let total = total_values.get(&total_key, i);
            counts(slo.numerator, num, total)
                .and_then(|c| burn_rate(c, slo.spec.objective))
                .unwrap_or(0.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_step_spreads_a_day_over_the_points_in_whole_minutes() {
        assert_eq!(TrendWidth::default().step_seconds(), 1800);
        assert_eq!(step_for(240), 360);
        assert_eq!(step_for(100), 900, "14.4 minutes round up to 15");
        let width = TrendWidth::new(3);
        assert_eq!(width.get(), TrendWidth::MIN);
        width.clone().set(10_000);
        assert_eq!(width.get(), TrendWidth::MAX, "clones share the width");
    }

    #[test]
    fn the_grid_ends_on_the_last_whole_step_and_stays_within_a_day() {
        let at = Utc.timestamp_opt(86_400 * 1000 + 1799, 0).unwrap();
        let grid = TrendGrid::at(at, step_for(100));
        assert_eq!(grid.end, 86_400 * 1000 + 900);
        assert_eq!(grid.points, 96);
        assert!(grid.start() > at.timestamp() - TREND_SPAN_SECONDS);
    }
}
