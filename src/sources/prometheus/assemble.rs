//! Turns the answers of one refresh back into per-SLO window counts, following the plan:
//! batched answers are matched by their batch label, failed queries become issues against
//! exactly the SLOs that needed them.

use std::collections::{BTreeMap, HashMap};

use super::api::Answer;
use super::plan::{Numerator, QueryPlan, SeriesRef, ShapeKind};
use crate::model::SloObservation;
use crate::slo::{Counts, Window};
use crate::sources::SourceError;

/// The values of one shape over one window.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Values {
    /// Batch label value → sample, for batched shapes.
    by_key: HashMap<String, f64>,
    /// The sample of a single query.
    single: Option<f64>,
}

impl Values {
    /// Picks the samples a shape asked for out of an answer.
    pub fn from_answer(kind: &ShapeKind, answer: &Answer) -> Self {
        match kind {
            ShapeKind::Batched { label, .. } => Self {
                by_key: answer
                    .samples
                    .iter()
                    .filter_map(|s| s.labels.get(label).map(|v| (v.clone(), s.value)))
                    .collect(),
                single: None,
            },
            ShapeKind::Single { .. } | ShapeKind::Templated { .. } => Self {
                by_key: HashMap::new(),
                single: answer.samples.first().map(|s| s.value),
            },
        }
    }

    fn get(&self, key: Option<&str>) -> Option<f64> {
        match key {
            Some(key) => self.by_key.get(key).copied(),
            None => self.single,
        }
    }
}

/// Answers of one refresh, by shape index and window.
pub type Answers = HashMap<(usize, Window), Result<Values, SourceError>>;

/// Why one SLO lacks numbers for some windows.
#[derive(Debug, Clone, PartialEq)]
pub struct SloIssue {
    /// The SLO's id (`service/name`).
    pub slo_id: String,
    /// The windows without numbers because of this error, shortest first.
    pub windows: Vec<Window>,
    /// What went wrong: the query's error, or why the SLO cannot be queried at all.
    pub error: SourceError,
}

/// Counts per window for every planned SLO, plus the issues that left windows empty.
pub fn assemble(plan: &QueryPlan, answers: &Answers) -> (Vec<SloObservation>, Vec<SloIssue>) {
    let mut observations = Vec::with_capacity(plan.slos.len());
    let mut issues: Vec<SloIssue> = Vec::new();
    for slo in &plan.slos {
        let mut counts = BTreeMap::new();
        if let Some(problem) = &slo.problem {
            issues.push(SloIssue {
                slo_id: slo.spec.id.clone(),
                windows: slo.windows.clone(),
                error: SourceError::Rejected(problem.clone()),
            });
        }
        if let (Some(num), Some(total)) = (&slo.num, &slo.total) {
            for &window in &slo.windows {
                match window_counts(answers, slo.numerator, num, total, window) {
                    Ok(Some(c)) => {
                        counts.insert(window, c);
                    }
                    Ok(None) => {}
                    Err(error) => note(&mut issues, &slo.spec.id, window, error),
                }
            }
        }
        let messages = issues
            .iter()
            .filter(|i| i.slo_id == slo.spec.id)
            .map(SloIssue::message)
            .collect();
        observations.push(SloObservation {
            spec: slo.spec.clone(),
            counts,
            trend: Vec::new(),
            issues: messages,
        });
    }
    (observations, issues)
}

impl SloIssue {
    /// The issue in a responder's words: the error, and the windows it left without numbers.
    pub fn message(&self) -> String {
        let windows: Vec<String> = self.windows.iter().map(Window::to_string).collect();
        format!("query error ({}): {}", windows.join(", "), self.error)
    }
}

/// One window's counts: `None` when there is no traffic data; a missing numerator sample in
/// a successful answer is zero events (no series of that kind exists yet).
fn window_counts(
    answers: &Answers,
    numerator: Numerator,
    num: &SeriesRef,
    total: &SeriesRef,
    window: Window,
) -> Result<Option<Counts>, SourceError> {
    let lookup = |r: &SeriesRef| match answers.get(&(r.shape, window)) {
        Some(Ok(values)) => Ok(values.get(r.key.as_deref())),
        Some(Err(e)) => Err(e.clone()),
        None => Ok(None),
    };
    Ok(counts(numerator, lookup(num)?, lookup(total)?))
}

/// Counts from the numerator's and the total's values: `None` without a finite total; a
/// missing numerator is zero events.
pub fn counts(numerator: Numerator, num: Option<f64>, total: Option<f64>) -> Option<Counts> {
    let total = total.filter(|t| t.is_finite())?;
    let num = num.unwrap_or(0.0);
    if !num.is_finite() {
        return None;
    }
    Some(match numerator {
        Numerator::Good => Counts::from_good(num, total),
        Numerator::Bad => Counts { bad: num, total },
        // A ratio of 1 event keeps burn rate and SLI exactly the ratio Prometheus computed.
        Numerator::ErrorRatio => Counts {
            bad: num,
            total: 1.0,
        },
    })
}

fn note(issues: &mut Vec<SloIssue>, slo_id: &str, window: Window, error: SourceError) {
    match issues
        .iter_mut()
        .find(|i| i.slo_id == slo_id && i.error == error)
    {
        Some(issue) => issue.windows.push(window),
        None => issues.push(SloIssue {
            slo_id: slo_id.to_string(),
            windows: vec![window],
            error,
        }),
    }
}
