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
//! **Batching by shape.** An expression that is a plain selector `metric{l="v",…}` and has an
//! exact matcher whose value is the SLO's service (`service="checkout"`, or `job=`, `app=`…;
//! a label named `service` wins a tie) is reduced to its *shape*: the metric, that label's
//! name, and every other matcher verbatim (regex matchers such as `code=~"5.."` included).
//! All SLOs of one shape share ONE query per window:
//!
//! ```text
//! sum by (service) (rate(http_requests_total{code=~"5..",service=~"checkout|search"}[1h]))
//! ```
//!
//! and each SLO takes the sample whose `service` label is its own value. The `=~` list of the
//! services asked for keeps Prometheus from summing series nobody watches. Anything else
//! (functions, operators, selectors without a matcher on the service) is its own shape and is
//! sent as `sum(rate(<expr>[w]))`; identical expressions are still sent once. A refresh
//! therefore costs (windows × distinct shapes) requests, not (SLOs × windows × 2), plus one
//! `query_range` per shape for the 24-hour trend (see `trend`).
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
//! with its batch label value and its group's label values (see `group`). Sloth queries
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
/// the value of the batch label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRef {
    /// Index into [`QueryPlan::shapes`].
    pub shape: usize,
    /// The batch label value to pick from a `sum by` answer; `None` for a single query.
    pub key: Option<String>,
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
    /// `sum by (label) (rate(metric{others…, label=~"v1|v2"}[w]))`.
    Batched {
        /// Metric name.
        metric: String,
        /// Every matcher except the batch label, sorted.
        others: Vec<Matcher>,
        /// The batch label.
        label: String,
        /// The label values asked for.
        values: BTreeSet<String>,
        /// `group_by` labels summed by besides the batch label.
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
    Batched(String, Vec<Matcher>, String, Vec<String>, RangeFn),
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
        let mut index: HashMap<ShapeKey, usize> = HashMap::new();
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
                    let mut intern =
                        |e| plan.intern(&mut index, e, &slo.service, group_by, &windows);
                    planned.num = Some(intern(num));
                    planned.total = Some(intern(total));
                }
                Err(problem) => planned.problem = Some(problem),
            }
            plan.slos.push(planned);
        }
        plan
    }

    fn intern(
        &mut self,
        index: &mut HashMap<ShapeKey, usize>,
        expr: Expr,
        service: &str,
        group: &[String],
        windows: &BTreeSet<Window>,
    ) -> SeriesRef {
        let (key, kind, value) = match expr {
            Expr::Selector(sel, func) => match batch_label(&sel, service) {
                Some(at) => {
                    let mut others = sel.matchers.clone();
                    let batch = others.remove(at);
                    others.sort();
                    let key = ShapeKey::Batched(
                        sel.metric.clone(),
                        others.clone(),
                        batch.label.clone(),
                        group.to_vec(),
                        func,
                    );
                    let kind = ShapeKind::Batched {
                        metric: sel.metric,
                        others,
                        label: batch.label,
                        values: BTreeSet::new(),
                        group: group.to_vec(),
                        func,
                    };
                    (key, kind, Some(service.to_string()))
                }
                None => single(sel.render(), group, func),
            },
            Expr::Text(expr) => single(expr, group, RangeFn::Rate),
            Expr::Template(template) => (
                ShapeKey::Templated(template.clone()),
                ShapeKind::Templated { template },
                None,
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
        if let (ShapeKind::Batched { values, .. }, Some(v)) = (&mut entry.kind, &value) {
            values.insert(v.clone());
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

fn single(expr: String, group: &[String], func: RangeFn) -> (ShapeKey, ShapeKind, Option<String>) {
    let key = ShapeKey::Single(expr.clone(), group.to_vec(), func);
    let kind = ShapeKind::Single {
        expr,
        group: group.to_vec(),
        func,
    };
    (key, kind, None)
}

/// The exact matcher carrying the SLO's service, preferring a label named `service`.
fn batch_label(sel: &Selector, service: &str) -> Option<usize> {
    let carries = |m: &Matcher| m.op == "=" && m.value.as_deref() == Some(service);
    sel.matchers
        .iter()
        .position(|m| carries(m) && m.label == "service")
        .or_else(|| sel.matchers.iter().position(carries))
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
