//! Turns the answers of one refresh back into per-SLO window counts, following the plan:
//! batched answers are matched by their key labels, failed queries become issues against
//! exactly the SLOs that needed them.

use std::collections::{BTreeMap, HashMap};

use super::api::Answer;
use super::group::{group_spec, groups_of, lookup_key, sample_key};
use super::plan::{Numerator, QueryPlan, SeriesRef, ShapeKind};
use crate::model::SloObservation;
use crate::slo::{Counts, Window};
use crate::sources::SourceError;

/// The values of one shape over one window, by sample key (see `group::sample_key`): the
/// key labels' values and the `group_by` labels' values; the empty key for a single query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Values {
    by_key: HashMap<Vec<String>, f64>,
}

impl Values {
    /// Picks the samples a shape asked for out of an answer (see `ShapeKind::asks_for`).
    /// Without key labels the first sample is the value.
    pub fn from_answer(kind: &ShapeKind, answer: &Answer) -> Self {
        let mut by_key = HashMap::with_capacity(answer.samples.len());
        for sample in &answer.samples {
            let key = sample_key(kind, &sample.labels);
            if kind.asks_for(&key) {
                by_key.entry(key).or_insert(sample.value);
            }
        }
        Self { by_key }
    }

    /// The sample keyed `key`.
    pub fn get(&self, key: &[String]) -> Option<f64> {
        self.by_key.get(key).copied()
    }

    /// Every sample key answered.
    pub fn keys(&self) -> impl Iterator<Item = &Vec<String>> {
        self.by_key.keys()
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
    /// What went wrong.
    pub error: Cause,
}

/// What kept an SLO's windows empty.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// A query failed.
    Query(SourceError),
    /// The SLO cannot be measured as defined (an unplannable SLI, a threshold that is not a
    /// bucket bound); the message says why.
    Definition(String),
    /// The total's query answered, but no series matches it: the text is the total as
    /// written.
    NoSeries(String),
}

/// Where one observation comes from: the planned SLO and, for a grouped SLO, the group's
/// label values (empty otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Index into [`QueryPlan::slos`].
    pub slo: usize,
    /// The `group_by` label values.
    pub group: Vec<String>,
    /// For a latency SLO whose bucket answered nothing where its count answered: the
    /// shortest such window. Its threshold is not a bucket bound (see `latency`).
    pub missing_bucket: Option<Window>,
}

/// Counts per window for every planned SLO, plus the issues that left windows empty.
pub fn assemble(plan: &QueryPlan, answers: &Answers) -> (Vec<SloObservation>, Vec<SloIssue>) {
    let (observations, issues, _) = assemble_groups(plan, answers);
    (observations, issues)
}

/// Like [`assemble`], also saying which planned SLO and group each observation is: a grouped
/// SLO yields one observation per group seen, in label-value order.
pub fn assemble_groups(
    plan: &QueryPlan,
    answers: &Answers,
) -> (Vec<SloObservation>, Vec<SloIssue>, Vec<Origin>) {
    let mut observations = Vec::with_capacity(plan.slos.len());
    let mut origins = Vec::with_capacity(plan.slos.len());
    let mut issues: Vec<SloIssue> = Vec::new();
    for (index, slo) in plan.slos.iter().enumerate() {
        let mut groups = groups_of(slo, answers);
        if groups.is_empty() {
            // No group answered (yet): the definition itself carries the issues.
            groups.push(Vec::new());
        }
        for group in groups {
            let spec = group_spec(slo, &group);
            let mut counts = BTreeMap::new();
            let mut missing_bucket = None;
            if let Some(problem) = &slo.problem {
                issues.push(SloIssue {
                    slo_id: spec.id.clone(),
                    windows: slo.windows.clone(),
                    error: Cause::Definition(problem.clone()),
                });
            }
            if let (Some(num), Some(total)) = (&slo.num, &slo.total) {
                let keys = (lookup_key(num, &group), lookup_key(total, &group));
                for &window in &slo.windows {
                    match window_counts(answers, (num, total), &keys, window) {
                        Answered::Values(num, total)
                            if num.is_none() && total.is_some() && slo.histogram.is_some() =>
                        {
                            missing_bucket.get_or_insert(window);
                        }
                        Answered::Values(num, Some(total)) => {
                            counts.extend(
                                self::counts(slo.numerator, num, Some(total)).map(|c| (window, c)),
                            );
                        }
                        Answered::Values(_, None) => {
                            note(
                                &mut issues,
                                &spec.id,
                                window,
                                Cause::NoSeries(slo.total_text.clone()),
                            );
                        }
                        Answered::NotAsked => {}
                        Answered::Failed(error) => {
                            note(&mut issues, &spec.id, window, Cause::Query(error));
                        }
                    }
                }
            }
            if missing_bucket.is_some() {
                // Every number of an SLO whose bucket does not exist would be wrong.
                counts.clear();
            }
            let messages = issues
                .iter()
                .filter(|i| i.slo_id == spec.id)
                .map(SloIssue::message)
                .collect();
            observations.push(SloObservation {
                spec,
                counts,
                trend: Vec::new(),
                issues: messages,
            });
            origins.push(Origin {
                slo: index,
                group,
                missing_bucket,
            });
        }
    }
    (observations, issues, origins)
}

impl SloIssue {
    /// The issue in a responder's words: the error, and the windows it left without numbers.
    pub fn message(&self) -> String {
        let windows: Vec<String> = self.windows.iter().map(Window::to_string).collect();
        let windows = windows.join(", ");
        match &self.error {
            Cause::Query(error) => format!("query error ({windows}): {error}"),
            Cause::Definition(message) => message.clone(),
            Cause::NoSeries(query) => format!("no series match {query} ({windows})"),
        }
    }
}

/// What one window's answers hold for one SLO.
enum Answered {
    /// Both queries answered: the numerator's and the total's sample, if any.
    Values(Option<f64>, Option<f64>),
    /// A query was not sent this refresh (the window reads a recording rule).
    NotAsked,
    /// A query failed.
    Failed(SourceError),
}

/// One window's samples for an SLO's numerator and total.
fn window_counts(
    answers: &Answers,
    (num, total): (&SeriesRef, &SeriesRef),
    (num_key, total_key): &(Vec<String>, Vec<String>),
    window: Window,
) -> Answered {
    let lookup = |r: &SeriesRef, key: &[String]| match answers.get(&(r.shape, window)) {
        Some(Ok(values)) => Ok(Some(values.get(key))),
        Some(Err(e)) => Err(e.clone()),
        None => Ok(None),
    };
    match (lookup(num, num_key), lookup(total, total_key)) {
        (Err(e), _) | (_, Err(e)) => Answered::Failed(e),
        (Ok(Some(num)), Ok(Some(total))) => Answered::Values(num, total),
        _ => Answered::NotAsked,
    }
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

fn note(issues: &mut Vec<SloIssue>, slo_id: &str, window: Window, error: Cause) {
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
