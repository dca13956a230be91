//! The query plan: which PromQL one refresh sends, and how each answer maps back to SLOs.
//!
//! **Counters become rates.** Every SLI is a ratio of two counter expressions (good or bad
//! events over all events). For each window `w` ondeck sends `sum(rate(<expr>[w]))` for both
//! and divides the two. It always uses `rate`, never `increase`: `increase` is `rate × w`, with
//! the same extrapolation at the window edges, so the ratio of two `increase`s equals the
//! ratio of two `rate`s — and `rate` is what hand-written SLO PromQL and recording rules
//! (Sloth, Pyrra) use, so ondeck's numbers match them bit for bit.
//!
//! **Latency SLIs** read a histogram: good = `<metric>_bucket{le="<threshold>",…}`, total =
//! `<metric>_count{…}`, with the label filters written in `metric` (`latency{service="a"}`,
//! with or without the `_bucket` suffix). The threshold must be one of the histogram's
//! bucket bounds; a whole number matches both spellings clients write (`le=~"1|1\.0"`).
//! A bucket answer missing where the count has a series means the threshold is not a
//! bound: the SLO then gets no numbers and an error listing the bounds (see `latency`).
//!
//! **Batching by shape.** Plain selectors `metric{l="v",…}` that differ only in the values of
//! their exact matchers share a *shape* (see `batch`): the metric, the labels that tell them
//! apart (the one carrying the SLO's service first — `service="checkout"`, or `job=`, `app=`…
//! — then any other whose value differs, such as `route`), and every other matcher verbatim
//! (regex matchers such as `code=~"5.."` included). All SLOs of one shape share ONE query
//! per window:
//!
//! ```text
//! sum by (service) (rate(http_requests_total{code=~"5..",service=~"checkout|search"}[1h]))
//! ```
//!
//! and each SLO takes the sample whose key labels hold its own values. The `=~` lists of the
//! values asked for keep Prometheus from summing series nobody watches. Anything else
//! (functions, operators, a lone selector without a matcher on its service) is its own shape
//! and is sent as `sum(rate(<expr>[w]))`; identical expressions are still sent once. A
//! refresh therefore costs (windows × distinct shapes) requests, not (SLOs × windows × 2),
//! plus one `query_range` per shape for the 24-hour trend (see `trend`).
//!
//! **Gauges.** A 0/1 gauge SLI (Pyrra `bool_gauge`) is planned like a ratio of two
//! selectors, with `sum_over_time` (good samples) and `count_over_time` (all samples) in
//! place of `rate`; it batches the same way.
//!
//! **Templated queries** (Sloth's `events` and `raw` SLIs) are whole queries with
//! `{{.window}}` where the window goes. They cannot be batched — their shape is opaque — so
//! each distinct query is sent once per window with the window substituted, unwrapped: an
//! `events` SLO costs two requests per window, a `raw` one request (its value is the error
//! ratio, so it stands for both sides of the ratio). Such a query must answer one series.
//!
//! **Grouped SLOs** (`group_by = ["route"]`) add their labels to the `by` clause —
//! `sum by (service, route) (…)`, or `sum by (route) (…)` for an expression — and are their
//! own shapes, since their answers carry more series. Each group seen in the total's answers
//! (any window) becomes one SLO, `service/name{route="/cart"}`, whose values are the samples
//! with its key label values and its group's label values (see `group`). Sloth queries
//! cannot be grouped: their answers must be one series.
//!
//! **Windows.** Every SLO is evaluated over [`STANDARD_WINDOWS`], its own period (for the
//! SLI and budget remaining) and any extra window the alert tiers use. A shape is queried
//! over the union of the windows of the SLOs that use it. A period that depends on the date
//! (a calendar month, a rolling quarter) adds its window at each evaluation (see `dated`).
//!
//! **Missing answers.** A successful query without a sample for an SLO means zero events for
//! its good/bad side (no 5xx series exists yet) but "no series match …" for its total, an
//! issue naming the query; a failed query leaves the SLO's counts for that window missing
//! ("no data") and is reported against it.

use std::collections::{BTreeSet, HashMap};

use super::batch::{self, Keying, Pattern};
use super::latency::{self, Histogram};
pub use super::promql::batched_selector;
use super::selector::{Matcher, Selector};
use crate::config::{SloConfig, SloSliConfig};
use crate::slo::{Period, STANDARD_WINDOWS, SloSpec, Window};

/// Which side of the ratio the SLO's first expression counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numerator {
    /// Good events (`good` ratio SLIs and latency buckets).
    Good,
    /// Bad events.
    Bad,
    /// The error ratio itself (Sloth `raw`); the total side is the same series.
    ErrorRatio,
}

/// Where one expression's value is found in the answers: a shape and, for batched shapes,
/// the values of its key labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRef {
    /// Index into [`QueryPlan::shapes`].
    pub shape: usize,
    /// The key label values to pick from a `sum by` answer; empty for a single query.
    pub key: Vec<String>,
}

/// One SLO as planned.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedSlo {
    /// The SLO.
    pub spec: SloSpec,
    /// What the numerator counts.
    pub numerator: Numerator,
    /// Good or bad events, `None` when the SLI could not be planned.
    pub num: Option<SeriesRef>,
    /// All events, `None` when the SLI could not be planned.
    pub total: Option<SeriesRef>,
    /// Windows evaluated for it, shortest first.
    pub windows: Vec<Window>,
    /// Why it cannot be queried, if it cannot.
    pub problem: Option<String>,
    /// `group_by` labels: the SLO stands for one SLO per value of these labels (see `group`).
    pub group_by: Vec<String>,
    /// The total as written, for "no series match …".
    pub total_text: String,
    /// For a latency SLI, the histogram and threshold, so a threshold that is not a bucket
    /// bound is reported with the bounds that exist.
    pub histogram: Option<Histogram>,
    /// A period whose bounds depend on the date: its window is added at each evaluation
    /// (see `dated`).
    pub period: Option<Period>,
}

/// A group of expressions answered by one query per window.
#[derive(Debug, Clone, PartialEq)]
pub enum ShapeKind {
    /// `sum by (labels…) (rate(metric{others…, label=~"v1|v2", …}[w]))`.
    Batched {
        /// Metric name.
        metric: String,
        /// Every matcher except the key labels', sorted.
        others: Vec<Matcher>,
        /// The key labels: the one carrying each SLO's service first when `by_service`.
        labels: Vec<String>,
        /// The key label values asked for, one tuple per expression, in `labels` order.
        values: BTreeSet<Vec<String>>,
        /// Whether `labels[0]` carries each SLO's service.
        by_service: bool,
        /// `group_by` labels summed by besides the key labels.
        group: Vec<String>,
        /// The range function applied (`rate`, or `sum_over_time`/`count_over_time` for a
        /// 0/1 gauge).
        func: RangeFn,
    },
    /// `sum(rate(<expr>[w]))`, or `sum by (<group>) (…)`.
    Single {
        /// The expression as written.
        expr: String,
        /// `group_by` labels summed by.
        group: Vec<String>,
        /// The range function applied.
        func: RangeFn,
    },
    /// A whole query with the window substituted for `{{.window}}` (Sloth SLIs), sent as
    /// written: it already is a rate or ratio, so it is neither wrapped nor batched.
    Templated {
        /// The query with [`crate::config::WINDOW_PLACEHOLDER`].
        template: String,
    },
}

/// The function a shape applies over each window before summing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum RangeFn {
    /// `rate`: counters.
    #[default]
    Rate,
    /// `sum_over_time`: the good samples of a 0/1 gauge.
    SumOverTime,
    /// `count_over_time`: all samples of a gauge.
    CountOverTime,
}

impl RangeFn {
    /// The PromQL function name.
    pub fn name(self) -> &'static str {
        match self {
            RangeFn::Rate => "rate",
            RangeFn::SumOverTime => "sum_over_time",
            RangeFn::CountOverTime => "count_over_time",
        }
    }
}

/// One shape and the windows it is queried over.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// What is queried.
    pub kind: ShapeKind,
    /// Windows needed by the SLOs using it.
    pub windows: BTreeSet<Window>,
}

/// One HTTP request of a refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Index into [`QueryPlan::shapes`].
    pub shape: usize,
    /// The rate window.
    pub window: Window,
    /// The PromQL sent.
    pub promql: String,
}

/// Every query one refresh sends, and how the answers map back to SLOs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryPlan {
    /// Distinct shapes, in first-use order.
    pub shapes: Vec<Shape>,
    /// One entry per SLO, in config order.
    pub slos: Vec<PlannedSlo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ShapeKey {
    Batched(Pattern),
    Single(String, Vec<String>, RangeFn),
    Templated(String),
}

/// An SLI expression before interning: parsed when it is a plain selector.
enum Expr {
    Selector(Selector, RangeFn),
    Text(String),
    Template(String),
}

impl Expr {
    fn from_text(text: &str) -> Self {
        Selector::parse(text).map_or_else(
            || Expr::Text(text.trim().to_string()),
            |s| Expr::Selector(s, RangeFn::Rate),
        )
    }
}

impl QueryPlan {
    /// Plans `slos`, each over the standard windows, its period and `extra_windows`.
    pub fn build(slos: &[SloConfig], extra_windows: &[Window]) -> Self {
        let mut plan = Self::default();
        // Every expression is read before any is interned: a shape's key labels depend on
        // all the selectors that share it.
        let mut pending: Vec<(usize, [Pending; 2], BTreeSet<Window>)> = Vec::new();
        for slo in slos {
            // A dated period's window is only known at the evaluation instant.
            let own = slo.period.is_none().then_some(slo.window);
            let windows: BTreeSet<Window> = STANDARD_WINDOWS
                .iter()
                .chain(extra_windows)
                .copied()
                .chain(own)
                .collect();
            let (sli, group_by) = slo.sli.ungrouped();
            let histogram = match sli {
                SloSliConfig::Latency { metric, threshold } => {
                    latency::histogram(metric, *threshold).ok()
                }
                _ => None,
            };
            let total_text = total_text(sli);
            let (numerator, exprs) = match sli {
                SloSliConfig::GoodRatio { good, total } => (
                    Numerator::Good,
                    Ok((Expr::from_text(good), Expr::from_text(total))),
                ),
                SloSliConfig::BadRatio { bad, total } => (
                    Numerator::Bad,
                    Ok((Expr::from_text(bad), Expr::from_text(total))),
                ),
                SloSliConfig::Latency { metric, threshold } => (
                    Numerator::Good,
                    latency::exprs(metric, *threshold).map(|(bucket, count)| {
                        (
                            Expr::Selector(bucket, RangeFn::Rate),
                            Expr::Selector(count, RangeFn::Rate),
                        )
                    }),
                ),
                SloSliConfig::BoolGauge { metric } => (
                    Numerator::Good,
                    Selector::parse(metric)
                        .map(|s| {
                            (
                                Expr::Selector(s.clone(), RangeFn::SumOverTime),
                                Expr::Selector(s, RangeFn::CountOverTime),
                            )
                        })
                        .ok_or_else(|| format!("bool gauge `{metric}` must be a selector")),
                ),
                SloSliConfig::ErrorEvents { errors, total } => (
                    Numerator::Bad,
                    Ok((
                        Expr::Template(errors.clone()),
                        Expr::Template(total.clone()),
                    )),
                ),
                SloSliConfig::ErrorRatio { ratio } => (
                    Numerator::ErrorRatio,
                    Ok((Expr::Template(ratio.clone()), Expr::Template(ratio.clone()))),
                ),
                SloSliConfig::Grouped { .. } => (
                    Numerator::Good,
                    Err("group_by cannot be nested".to_string()),
                ),
            };
            let exprs = exprs.and_then(|pair| match (&pair.0, group_by.is_empty()) {
                (Expr::Template(_), false) => Err(
                    "group_by needs counter queries (good, bad, total or a histogram), not Sloth queries"
                        .to_string(),
                ),
                _ => Ok(pair),
            });
            let mut planned = PlannedSlo {
                spec: slo.spec(),
                numerator,
                num: None,
                total: None,
                windows: windows.iter().copied().collect(),
                problem: None,
                group_by: group_by.to_vec(),
                total_text,
                histogram,
                period: slo.period.clone(),
            };
            match exprs {
                Ok((num, total)) => {
                    let pend = |e| Pending::of(e, group_by);
                    pending.push((plan.slos.len(), [pend(num), pend(total)], windows));
                }
                Err(problem) => planned.problem = Some(problem),
            }
            plan.slos.push(planned);
        }
        let keyings = batch::keyings(pending.iter().flat_map(|(slo, sides, _)| {
            let service = slos[*slo].service.as_str();
            sides.iter().filter_map(move |side| match side {
                Pending::Batchable(_, pattern, values) => {
                    Some((pattern, values.as_slice(), service))
                }
                Pending::Other(_) => None,
            })
        }));
        let mut index: HashMap<ShapeKey, usize> = HashMap::new();
        let mut refs = Vec::with_capacity(pending.len());
        for (slo, sides, windows) in &pending {
            let group = plan.slos[*slo].group_by.clone();
            let group = group.as_slice();
            let [num, total] = sides.each_ref().map(|side| {
                let keying = match side {
                    Pending::Batchable(_, pattern, _) => keyings.get(pattern).cloned().flatten(),
                    Pending::Other(_) => None,
                };
                plan.intern(&mut index, side, keying, group, windows)
            });
            refs.push((*slo, num, total));
        }
        for (slo, num, total) in refs {
            plan.slos[slo].num = Some(num);
            plan.slos[slo].total = Some(total);
        }
        plan
    }

    fn intern(
        &mut self,
        index: &mut HashMap<ShapeKey, usize>,
        side: &Pending,
        keying: Option<Keying>,
        group: &[String],
        windows: &BTreeSet<Window>,
    ) -> SeriesRef {
        let (key, kind, value) = match (side, keying) {
            (Pending::Batchable(_, pattern, values), Some(keying)) => {
                batched(pattern, values, &keying)
            }
            (Pending::Batchable(sel, pattern, _), None) => {
                single(sel.render(), group, pattern.func)
            }
            (Pending::Other(Expr::Selector(sel, func)), _) => single(sel.render(), group, *func),
            (Pending::Other(Expr::Text(expr)), _) => single(expr.clone(), group, RangeFn::Rate),
            (Pending::Other(Expr::Template(template)), _) => (
                ShapeKey::Templated(template.clone()),
                ShapeKind::Templated {
                    template: template.clone(),
                },
                Vec::new(),
            ),
        };
        let shape = *index.entry(key).or_insert_with(|| {
            self.shapes.push(Shape {
                kind,
                windows: BTreeSet::new(),
            });
            self.shapes.len() - 1
        });
        let entry = &mut self.shapes[shape];
        entry.windows.extend(windows.iter().copied());
        if let ShapeKind::Batched { values, .. } = &mut entry.kind {
            values.insert(value.clone());
        }
        SeriesRef { shape, key: value }
    }

    /// Every request of one refresh: one per shape and window.
    pub fn queries(&self) -> Vec<Query> {
        let mut out = Vec::with_capacity(self.request_count());
        for (n, shape) in self.shapes.iter().enumerate() {
            for &window in &shape.windows {
                out.push(Query {
                    shape: n,
                    window,
                    promql: shape.kind.promql(window),
                });
            }
        }
        out
    }

    /// How many HTTP requests one refresh sends.
    pub fn request_count(&self) -> usize {
        self.shapes.iter().map(|s| s.windows.len()).sum()
    }
}

fn single(expr: String, group: &[String], func: RangeFn) -> (ShapeKey, ShapeKind, Vec<String>) {
    let key = ShapeKey::Single(expr.clone(), group.to_vec(), func);
    let kind = ShapeKind::Single {
        expr,
        group: group.to_vec(),
        func,
    };
    (key, kind, Vec::new())
}

/// The batched shape of a selector of `pattern` with these exact `values`, and its key.
fn batched(
    pattern: &Pattern,
    values: &[String],
    keying: &Keying,
) -> (ShapeKey, ShapeKind, Vec<String>) {
    let mut others = pattern.loose.clone();
    others.extend(
        (0..pattern.exact.len())
            .filter(|i| !keying.labels.contains(i))
            .map(|i| Matcher::exact(&pattern.exact[i], &values[i])),
    );
    others.sort();
    let kind = ShapeKind::Batched {
        metric: pattern.metric.clone(),
        others,
        labels: keying
            .labels
            .iter()
            .map(|&i| pattern.exact[i].clone())
            .collect(),
        values: BTreeSet::new(),
        by_service: keying.by_service,
        group: pattern.group.clone(),
        func: pattern.func,
    };
    let key = keying.labels.iter().map(|&i| values[i].clone()).collect();
    (ShapeKey::Batched(pattern.clone()), kind, key)
}

/// One side of an SLO, read but not interned yet.
enum Pending {
    /// A selector that may share a shape: itself, its pattern and its exact values.
    Batchable(Selector, Pattern, Vec<String>),
    /// Anything else.
    Other(Expr),
}

impl Pending {
    fn of(expr: Expr, group: &[String]) -> Self {
        match expr {
            Expr::Selector(sel, func) => match Pattern::of(&sel, group, func) {
                Some((pattern, values)) => Pending::Batchable(sel, pattern, values),
                None => Pending::Other(Expr::Selector(sel, func)),
            },
            other => Pending::Other(other),
        }
    }
}

/// The total of an SLI as its author wrote it (a latency SLI's `_count` selector).
fn total_text(sli: &SloSliConfig) -> String {
    match sli {
        SloSliConfig::GoodRatio { total, .. }
        | SloSliConfig::BadRatio { total, .. }
        | SloSliConfig::ErrorEvents { total, .. } => total.trim().to_string(),
        SloSliConfig::ErrorRatio { ratio } => ratio.trim().to_string(),
        SloSliConfig::Latency { metric, threshold } => latency::exprs(metric, *threshold)
            .map_or_else(|_| metric.clone(), |(_, count)| count.render()),
        SloSliConfig::BoolGauge { metric } => metric.trim().to_string(),
        SloSliConfig::Grouped { sli, .. } => total_text(sli),
    }
}
