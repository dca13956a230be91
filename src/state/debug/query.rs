//! The `:promql` view: the expression, whether it is an instant or a range query, the
//! answer, and the series selected for the chart.

use chrono::{DateTime, Utc};

use super::Load;
use crate::model::QueryAnswer;
use crate::slo::Window;

/// One `:promql` query and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryView {
    /// The PromQL as typed.
    pub expr: String,
    /// `None` for an instant query; else how far back the range query reaches.
    pub range: Option<Window>,
    /// When it was asked (the instant, or the range's end).
    pub at: DateTime<Utc>,
    /// The answer.
    pub answer: Load<QueryAnswer>,
    /// The series the chart shows (and the table highlights).
    pub selected: usize,
}

impl QueryView {
    /// A query asked at `at`, waiting for its answer.
    pub fn asked(expr: &str, range: Option<Window>, at: DateTime<Utc>) -> Self {
        Self {
            expr: expr.to_string(),
            range,
            at,
            answer: Load::Loading,
            selected: 0,
        }
    }

    /// How many series the answer has.
    pub fn series_count(&self) -> usize {
        self.answer.ready().map_or(0, |a| a.series.len())
    }
}
