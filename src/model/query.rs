//! Answers to questions the responder asks a metrics source directly: a `:promql` query's
//! series, and the exemplars (trace ids) attached to a service's latency histogram.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

/// One series of a query's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct QuerySeries {
    /// The series' labels (empty for a scalar or `sum(…)` without `by`).
    pub labels: BTreeMap<String, String>,
    /// `(unix seconds, value)`, oldest first; one point for an instant query.
    pub points: Vec<(f64, f64)>,
}

impl QuerySeries {
    /// The labels as PromQL writes them: `{service="checkout", code="500"}`, or `{}`.
    pub fn label_text(&self) -> String {
        let pairs: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect();
        format!("{{{}}}", pairs.join(", "))
    }

    /// The newest value, if the series has any point.
    pub fn last(&self) -> Option<f64> {
        self.points.last().map(|&(_, v)| v)
    }
}

/// A metrics source's answer to one ad-hoc query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryAnswer {
    /// One entry per series, in the order the source returned them.
    pub series: Vec<QuerySeries>,
    /// Warnings the source attached (partial data and the like).
    pub warnings: Vec<String>,
}

/// A sample a histogram bucket kept with the trace that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    /// Hex trace id.
    pub trace_id: String,
    /// The observed value (for a latency histogram, seconds).
    pub value: f64,
    /// When it was observed.
    pub at: DateTime<Utc>,
    /// The series it belongs to (bucket labels).
    pub series: BTreeMap<String, String>,
}
