//! The burn-rate trend behind each SLO's sparkline: the 1h burn rate at [`TREND_POINTS`]
//! instants [`TREND_STEP_SECONDS`] apart (24 hours), the newest at the evaluation instant.
//!
//! One `query_range` per shape sends the same PromQL as the shape's 1h instant query —
//! batched `sum by (service)` queries included — so the trend costs one request per shape,
//! not one per SLO, and each point equals Prometheus's instant answer at that instant.
//! An instant without data is drawn as 0; a failed range query leaves its SLOs' trends
//! empty rather than flat.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::api::RangeAnswer;
use super::assemble::counts;
use super::plan::{PlannedSlo, QueryPlan, SeriesRef, ShapeKind};
use crate::slo::Window;
use crate::slo::math::burn_rate;

/// Points per trend: 48, one every 30 minutes over 24 hours.
pub const TREND_POINTS: usize = 48;
/// Seconds between trend points.
pub const TREND_STEP_SECONDS: i64 = 30 * 60;
/// The rate window of every trend point.
pub const TREND_WINDOW: Window = Window::hours(1);

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

/// The first instant of the trend ending at `at`, in unix seconds (milliseconds kept).
pub fn trend_start(at: DateTime<Utc>) -> f64 {
    let span = TREND_STEP_SECONDS * (TREND_POINTS as i64 - 1);
    at.timestamp_millis() as f64 / 1000.0 - span as f64
}

/// One shape's values at each trend instant.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrendValues {
    by_key: HashMap<String, Vec<Option<f64>>>,
    single: Vec<Option<f64>>,
}

impl TrendValues {
    /// Places the answer's points on the trend's instants, starting at `start`.
    pub fn from_range(kind: &ShapeKind, answer: &RangeAnswer, start: f64) -> Self {
        let place = |points: &[(f64, f64)]| {
            let mut slots = vec![None; TREND_POINTS];
            for &(t, v) in points {
                let index = ((t - start) / TREND_STEP_SECONDS as f64).round();
                if index >= 0.0 && (index as usize) < TREND_POINTS {
                    slots[index as usize] = Some(v);
                }
            }
            slots
        };
        match kind {
            ShapeKind::Batched { label, .. } => Self {
                by_key: answer
                    .series
                    .iter()
                    .filter_map(|s| s.labels.get(label).map(|v| (v.clone(), place(&s.points))))
                    .collect(),
                single: Vec::new(),
            },
            ShapeKind::Single { .. } | ShapeKind::Templated { .. } => Self {
                by_key: HashMap::new(),
                single: answer
                    .series
                    .first()
                    .map_or_else(|| vec![None; TREND_POINTS], |s| place(&s.points)),
            },
        }
    }

    fn get(&self, key: Option<&str>, index: usize) -> Option<f64> {
        let slots = match key {
            Some(key) => self.by_key.get(key)?,
            None => &self.single,
        };
        slots.get(index).copied().flatten()
    }
}

/// Range answers of one refresh, by shape index; a failed query has no entry.
pub type TrendAnswers = HashMap<usize, TrendValues>;

/// The trend of one planned SLO, oldest first; empty when a query it needs failed.
pub fn trend(slo: &PlannedSlo, answers: &TrendAnswers) -> Vec<f64> {
    let (Some(num), Some(total)) = (&slo.num, &slo.total) else {
        return Vec::new();
    };
    let values = |r: &SeriesRef| answers.get(&r.shape);
    let (Some(num_values), Some(total_values)) = (values(num), values(total)) else {
        return Vec::new();
    };
    (0..TREND_POINTS)
        .map(|i| {
            let num = num_values.get(num.key.as_deref(), i);
            let total = total_values.get(total.key.as_deref(), i);
            counts(slo.numerator, num, total)
                .and_then(|c| burn_rate(c, slo.spec.objective))
                .unwrap_or(0.0)
        })
        .collect()
}
