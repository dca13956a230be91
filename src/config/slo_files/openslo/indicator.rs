//! An OpenSLO indicator (`ratioMetric` or `thresholdMetric`) as the PromQL ondeck sends, for
//! each budgeting method.
//!
//! **Occurrences.** Counter ratios (`counter: true`) of plain selectors are ordinary
//! `good`/`bad` + `total` SLIs, batched and wrapped in `sum(rate(…[w]))`; queries written
//! with Sloth's `{{.window}}` are sent as written. Gauge ratios (`counter: false`, OpenSLO's
//! default) sum the samples over the window (`sum(sum_over_time(…[w]))`). A `raw` ratio is
//! averaged over the window. A `thresholdMetric` counts the share of minutes whose value
//! meets the objective's `op` and `value`: `avg_over_time((q > bool v)[w:1m])`.
//!
//! **Timeslices.** The window is cut into slices of `timeSliceWindow` (PromQL subquery steps,
//! aligned as Prometheus aligns them); a slice is good when its good ratio is at least
//! `timeSliceTarget`, and the SLI is the share of good slices:
//! `avg_over_time((<slice ratio> >= bool t)[w:slice])`. **RatioTimeslices** average the
//! slices' ratios instead. Slices without traffic count neither way. Both become error-ratio
//! queries with `{{.window}}`, sent once per window like Sloth's `raw` SLIs.

use super::super::Draft;
use super::super::fields::{Ctx, Node, Problem};
use super::super::template::normalize_window;
use super::registry::Registry;
use crate::config::slo_expr::check_counter;
use crate::config::{SloSliConfig, WINDOW_PLACEHOLDER};
use crate::slo::Window;
use crate::sources::prometheus::selector::Selector;

/// How the error budget is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Budgeting {
    /// Good events over all events.
    Occurrences,
    /// Good time slices over all time slices.
    Timeslices,
    /// The average of the time slices' good ratios.
    RatioTimeslices,
}

/// What one objective adds to the indicator.
pub(super) struct Objective {
    /// `op` and `value` (threshold metrics): the PromQL comparison and the number.
    pub(super) threshold: Option<(&'static str, f64)>,
    /// `timeSliceWindow` (time-slice budgeting).
    pub(super) slice: Option<Window>,
    /// `timeSliceTarget` (Timeslices).
    pub(super) slice_target: Option<f64>,
}

/// The resolution at which a gauge expression or a threshold metric is sampled.
const GAUGE_STEP: Window = Window::minutes(1);

/// One side's query and the data source it names.
struct Query {
    text: String,
    field: String,
    source_ref: Option<String>,
}

impl Query {
    fn templated(&self) -> bool {
        self.text.contains(WINDOW_PLACEHOLDER)
    }

    /// The query over the window `w` (text such as `5m` or the placeholder).
    fn at(&self, w: &str) -> String {
        self.text.replace(WINDOW_PLACEHOLDER, w)
    }
}

/// The SLI of `indicator` (an SLI's `spec`) under `budgeting` and `objective`, and the data
/// source its queries name.
pub(super) fn build(
    indicator: &Node<'_>,
    budgeting: Budgeting,
    objective: &Objective,
    registry: &Registry,
    ctx: &mut Ctx<'_>,
) -> Result<Draft, Problem> {
    indicator.warn_unknown(&["description", "ratioMetric", "thresholdMetric"], ctx);
    let (sli, queries) = match (
        indicator.field("ratioMetric"),
        indicator.field("thresholdMetric"),
    ) {
        (Some(ratio), None) => ratio_sli(&ratio, budgeting, objective, registry, ctx)?,
        (None, Some(threshold)) => threshold_sli(&threshold, budgeting, objective, registry, ctx)?,
        _ => {
            return Err(ctx.error(
                indicator.path(),
                "needs exactly one of ratioMetric or thresholdMetric",
            ));
        }
    };
    let mut draft = Draft::sli_only(sli);
    let mut refs = queries
        .iter()
        .filter_map(|q| q.source_ref.as_ref().map(|r| (q, r)));
    if let Some((first, name)) = refs.next() {
        if let Some((other, _)) = refs.find(|(_, other)| *other != name) {
            return Err(ctx.error(
                &other.field,
                format!(
                    "names another data source than {} (`{name}`): one SLO is measured by one source",
                    first.field
                ),
            ));
        }
        draft.source_ref = Some((first.field.clone(), name.clone()));
    }
    Ok(draft)
}

fn ratio_sli(
    ratio: &Node<'_>,
    budgeting: Budgeting,
    objective: &Objective,
    registry: &Registry,
    ctx: &mut Ctx<'_>,
) -> Result<(SloSliConfig, Vec<Query>), Problem> {
    ratio.warn_unknown(&["counter", "good", "bad", "total", "raw", "rawType"], ctx);
    if let Some(raw) = ratio.field("raw") {
        let raw = query(&raw, registry, ctx)?;
        let success = match ratio.str("rawType", ctx)?.as_deref() {
            Some("success") => true,
            Some("failure") => false,
            _ => {
                return Err(ctx.error(
                    &ratio.at("rawType"),
                    "must be success or failure: it says what the raw ratio counts",
                ));
            }
        };
        let good_in = |w: &str, step: Window| {
            let value = windowed(&raw, w, step, "avg_over_time");
            if success {
                value
            } else {
                format!("1 - {value}")
            }
        };
        let sli = error_ratio(budgeting, objective, ratio, ctx, &good_in, || {
            let value = windowed(&raw, WINDOW_PLACEHOLDER, GAUGE_STEP, "avg_over_time");
            if success {
                format!("1 - {value}")
            } else {
                value
            }
        })?;
        return Ok((sli, vec![raw]));
    }
    let counter = match ratio.bool("counter", ctx)? {
        Some(counter) => counter,
        None => {
            ctx.warn(
                &ratio.at("counter"),
                "is not set: the queries are read as gauges (OpenSLO's default); write counter: true for counters",
            );
            false
        }
    };
    let (numerator, good) = match (ratio.field("good"), ratio.field("bad")) {
        (Some(good), None) => (query(&good, registry, ctx)?, true),
        (None, Some(bad)) => (query(&bad, registry, ctx)?, false),
        _ => {
            return Err(ctx.error(
                ratio.path(),
                "needs exactly one of good or bad, and total (or raw and rawType)",
            ));
        }
    };
    let total = query(&ratio.required("total", ctx)?, registry, ctx)?;
    let templated = numerator.templated() || total.templated();
    if counter && !templated {
        for q in [&numerator, &total] {
            check_counter(&q.text).map_err(|e| ctx.error(&q.field, e))?;
        }
    }
    // The numerator's and the total's rate (or sum) over `w`, as PromQL.
    let side = |q: &Query, w: &str| {
        if q.templated() {
            format!("({})", q.at(w))
        } else if counter {
            format!("sum(rate({}[{w}]))", q.text)
        } else {
            format!("sum({})", windowed(q, w, GAUGE_STEP, "sum_over_time"))
        }
    };
    let sli = if budgeting == Budgeting::Occurrences && counter && !templated {
        if good {
            SloSliConfig::GoodRatio {
                good: numerator.text.clone(),
                total: total.text.clone(),
            }
        } else {
            SloSliConfig::BadRatio {
                bad: numerator.text.clone(),
                total: total.text.clone(),
            }
        }
    } else if budgeting == Budgeting::Occurrences {
        let (num, all) = (
            side(&numerator, WINDOW_PLACEHOLDER),
            side(&total, WINDOW_PLACEHOLDER),
        );
        SloSliConfig::ErrorEvents {
            errors: if good { format!("{all} - {num}") } else { num },
            total: all,
        }
    } else {
        let good_in = |w: &str, _: Window| {
            let ratio = format!("{} / ({} > 0)", side(&numerator, w), side(&total, w));
            if good { ratio } else { format!("1 - {ratio}") }
        };
        error_ratio(budgeting, objective, ratio, ctx, &good_in, String::new)?
    };
    Ok((sli, vec![numerator, total]))
}

fn threshold_sli(
    threshold: &Node<'_>,
    budgeting: Budgeting,
    objective: &Objective,
    registry: &Registry,
    ctx: &mut Ctx<'_>,
) -> Result<(SloSliConfig, Vec<Query>), Problem> {
    let metric = query(threshold, registry, ctx)?;
    let Some((op, value)) = objective.threshold else {
        return Err(ctx.error(
            threshold.path(),
            "a thresholdMetric needs op (lt, lte, gt or gte) and value in each objective",
        ));
    };
    let q = metric.text.trim();
    // The share of samples, one per step, whose value meets the threshold.
    let good_in = |w: &str, step: Window| {
        let step = step.min(GAUGE_STEP);
        format!("avg_over_time(({q} {op} bool {value})[{w}:{step}])")
    };
    let sli = error_ratio(budgeting, objective, threshold, ctx, &good_in, || {
        format!("1 - {}", good_in(WINDOW_PLACEHOLDER, GAUGE_STEP))
    })?;
    Ok((sli, vec![metric]))
}

/// The error ratio over `{{.window}}` for `budgeting`: `occurrences()` for Occurrences,
/// else the time-slice form of the good ratio `good_in(slice window, step)`.
fn error_ratio(
    budgeting: Budgeting,
    objective: &Objective,
    node: &Node<'_>,
    ctx: &Ctx<'_>,
    good_in: &dyn Fn(&str, Window) -> String,
    occurrences: impl FnOnce() -> String,
) -> Result<SloSliConfig, Problem> {
    let ratio = match budgeting {
        Budgeting::Occurrences => occurrences(),
        Budgeting::Timeslices | Budgeting::RatioTimeslices => {
            let Some(slice) = objective.slice else {
                return Err(ctx.error(
                    node.path(),
                    "time-slice budgeting needs timeSliceWindow in each objective, e.g. 1m",
                ));
            };
            let per_slice = good_in(&slice.to_string(), slice);
            let counted = if budgeting == Budgeting::Timeslices {
                let Some(target) = objective.slice_target else {
                    return Err(ctx.error(
                        node.path(),
                        "Timeslices budgeting needs timeSliceTarget in each objective, e.g. 0.95",
                    ));
                };
                format!("({per_slice}) >= bool {target}")
            } else {
                per_slice
            };
            format!("1 - avg_over_time(({counted})[{WINDOW_PLACEHOLDER}:{slice}])")
        }
    };
    Ok(SloSliConfig::ErrorRatio { ratio })
}

/// A gauge `q` aggregated over `w` by `function` (`avg_over_time`, `sum_over_time`): as a
/// range selector when it is one, a subquery at `step` when it is an expression, and as
/// written when it carries its own `{{.window}}`.
fn windowed(q: &Query, w: &str, step: Window, function: &str) -> String {
    if q.templated() {
        format!("({})", q.at(w))
    } else if Selector::parse(&q.text).is_some() {
        format!("{function}({}[{w}])", q.text)
    } else {
        format!("{function}(({})[{w}:{step}])", q.text)
    }
}

/// A side's `metricSource`: its Prometheus query and the data source it names.
fn query(side: &Node<'_>, registry: &Registry, ctx: &mut Ctx<'_>) -> Result<Query, Problem> {
    side.warn_unknown(&["metricSource"], ctx);
    let source = side.required("metricSource", ctx)?;
    source.warn_unknown(&["type", "spec", "metricSourceRef"], ctx);
    let source_ref = source.str("metricSourceRef", ctx)?;
    let kind = match (source.str("type", ctx)?, &source_ref) {
        (Some(kind), _) => kind,
        (None, Some(name)) => registry
            .data_source_type(name)
            .unwrap_or_else(|| "Prometheus".to_string()),
        (None, None) => {
            return Err(ctx.error(
                &source.at("type"),
                "is required without a metricSourceRef: ondeck reads type: Prometheus",
            ));
        }
    };
    if !kind.eq_ignore_ascii_case("prometheus") {
        return Err(ctx.error(
            &source.at("type"),
            format!("`{kind}` metric sources are not read: ondeck measures SLOs with Prometheus-compatible sources (type: Prometheus)"),
        ));
    }
    if let Some(name) = &source_ref
        && let Some(data_kind) = registry.data_source_type(name)
        && !data_kind.eq_ignore_ascii_case("prometheus")
    {
        return Err(ctx.error(
            &source.at("metricSourceRef"),
            format!("DataSource `{name}` is of type `{data_kind}`: ondeck measures SLOs with Prometheus-compatible sources"),
        ));
    }
    let spec = source.required("spec", ctx)?;
    spec.warn_unknown(&["query"], ctx);
    let text = spec.required_str("query", ctx)?;
    let text = normalize_window(text.trim()).unwrap_or_else(|| text.trim().to_string());
    Ok(Query {
        text,
        field: spec.at("query"),
        source_ref,
    })
}
