//! OpenSLO v1 `kind: SLO`: its indicator (inline, or an `indicatorRef` to a `kind: SLI`
//! document), its time window, budgeting method and objectives. Each objective is one SLO,
//! named after the SLO and, when there are several, the objective.
//!
//! **Time windows.** `duration` takes every OpenSLO unit (`m h d w M Q Y`). A rolling window
//! in minutes to weeks is a fixed window; in months, quarters or years it is the last that
//! many calendar months before the evaluation instant. A `calendar` window (`startTime` and
//! `timeZone`) is measured from the start of the current period in that time zone: the SLI
//! and budget cover the elapsed part, the tiers' factors use the period's length.
//!
//! **Data sources.** A `metricSourceRef` names a `kind: DataSource`, which ondeck maps to the
//! configured `[[source]]` of the same name; queries go to it. `alertPolicies` only decide
//! how OpenSLO tools alert: ondeck's tiers decide how it pages, so they are read past.

mod indicator;
pub(super) mod registry;

use serde_yaml_ng::Value;

use super::Draft;
use super::fields::{Ctx, Node, Problem};
use crate::config::model::DEFAULT_WINDOW;
use crate::config::validate::percent_to_fraction;
use crate::slo::{Period, Span, Window};
use indicator::{Budgeting, Objective};
pub(super) use registry::{Place, Registry};

/// The SLOs of one `kind: SLO` document.
pub(super) fn read(
    doc: &Value,
    registry: &Registry,
    ctx: &mut Ctx<'_>,
) -> Result<Vec<Draft>, Problem> {
    let root = Node::root(doc);
    root.warn_unknown(&["apiVersion", "kind", "metadata", "spec"], ctx);
    let metadata = root.required("metadata", ctx)?;
    let name = metadata.required_str("name", ctx)?;
    let spec = root.required("spec", ctx)?;
    spec.warn_unknown(
        &[
            "description",
            "service",
            "indicator",
            "indicatorRef",
            "timeWindow",
            "budgetingMethod",
            "objectives",
            "alertPolicies",
        ],
        ctx,
    );
    let service = spec.required_str("service", ctx)?;
    let budgeting = match spec.str("budgetingMethod", ctx)?.as_deref() {
        Some("Occurrences") => Budgeting::Occurrences,
        Some("Timeslices") => Budgeting::Timeslices,
        Some("RatioTimeslices") => Budgeting::RatioTimeslices,
        None => {
            ctx.warn(
                &spec.at("budgetingMethod"),
                "is not set: the budget is counted in occurrences",
            );
            Budgeting::Occurrences
        }
        Some(other) => {
            return Err(ctx.error(
                &spec.at("budgetingMethod"),
                format!("`{other}` is not one of Occurrences, Timeslices, RatioTimeslices"),
            ));
        }
    };
    let (window, period) = time_window(&spec, ctx)?;
    let indicator_doc;
    let indicator = match (spec.field("indicator"), spec.str("indicatorRef", ctx)?) {
        (Some(inline), None) => {
            inline.warn_unknown(&["metadata", "spec"], ctx);
            inline.required("spec", ctx)?
        }
        (None, Some(reference)) => {
            let Some((doc, _)) = registry.slis.get(&reference) else {
                let known: Vec<&str> = registry.slis.keys().map(String::as_str).collect();
                return Err(ctx.error(
                    &spec.at("indicatorRef"),
                    format!(
                        "no kind: SLI document is named `{reference}` in the SLO files{}",
                        if known.is_empty() {
                            String::new()
                        } else {
                            format!(" (SLIs: {})", known.join(", "))
                        }
                    ),
                ));
            };
            indicator_doc = doc.clone();
            let sli = Node::root(&indicator_doc);
            sli.required("spec", ctx).map_err(|p| Problem {
                field: spec.at("indicatorRef"),
                message: format!("SLI `{reference}`: {}: {}", p.field, p.message),
            })?
        }
        _ => {
            return Err(ctx.error(
                &spec.at("indicator"),
                "needs exactly one of indicator or indicatorRef",
            ));
        }
    };
    let objectives = spec.items("objectives", ctx)?;
    if objectives.is_empty() {
        return Err(ctx.error(
            &spec.at("objectives"),
            "needs at least one objective with a target",
        ));
    }
    let several = objectives.len() > 1;
    let mut out = Vec::with_capacity(objectives.len());
    for (i, item) in objectives.iter().enumerate() {
        let (target, objective) = objective(item, budgeting, ctx)?;
        let mut draft = indicator::build(&indicator, budgeting, &objective, registry, ctx)?;
        let slo_name = match (several, item.str("displayName", ctx)?) {
            (false, _) => name.clone(),
            (true, Some(label)) => format!("{name}-{label}"),
            (true, None) => format!("{name}-{i}"),
        };
        draft.slo.name = slo_name;
        draft.slo.service = service.clone();
        draft.slo.objective = target;
        draft.slo.window = window;
        draft.slo.period = period.clone();
        out.push(draft);
    }
    Ok(out)
}

/// One objective: its target as a fraction, and what it adds to the indicator.
fn objective(
    item: &Node<'_>,
    budgeting: Budgeting,
    ctx: &mut Ctx<'_>,
) -> Result<(f64, Objective), Problem> {
    item.warn_unknown(
        &[
            "displayName",
            "op",
            "value",
            "target",
            "targetPercent",
            "timeSliceTarget",
            "timeSliceWindow",
            "indicator",
            "indicatorRef",
            "compositeWeight",
        ],
        ctx,
    );
    if item.field("indicator").is_some() || item.field("indicatorRef").is_some() {
        return Err(ctx.error(
            item.path(),
            "composite SLOs (an indicator per objective) are not measured by ondeck: write one SLO per indicator",
        ));
    }
    let target = match (item.f64("target", ctx)?, item.f64("targetPercent", ctx)?) {
        (Some(fraction), None) => fraction,
        (None, Some(percent)) => percent_to_fraction(percent),
        _ => {
            return Err(ctx.error(
                item.path(),
                "needs exactly one of `target` (e.g. 0.999) or `targetPercent` (e.g. 99.9)",
            ));
        }
    };
    if !(target > 0.0 && target < 1.0) {
        return Err(ctx.error(
            &item.at("target"),
            format!("target {target} must be above 0 and below 1, e.g. 0.999"),
        ));
    }
    let op = match item.str("op", ctx)?.as_deref() {
        None => None,
        Some("lt") => Some("<"),
        Some("lte") => Some("<="),
        Some("gt") => Some(">"),
        Some("gte") => Some(">="),
        Some(other) => {
            return Err(ctx.error(
                &item.at("op"),
                format!("`{other}` is not one of lt, lte, gt, gte"),
            ));
        }
    };
    let threshold = match (op, item.f64("value", ctx)?) {
        (Some(op), Some(value)) => Some((op, value)),
        _ => None,
    };
    let slice = match item.get("timeSliceWindow") {
        None | Some(Value::Null) => None,
        // A bare number is minutes, as OpenSLO says.
        Some(Value::Number(n)) => n.as_u64().map(Window::minutes),
        Some(_) => {
            let text = item.required_str("timeSliceWindow", ctx)?;
            let span: Span = text.parse().map_err(|e: crate::slo::calendar::SpanError| {
                ctx.error(&item.at("timeSliceWindow"), e.to_string())
            })?;
            Some(span.fixed().ok_or_else(|| {
                ctx.error(
                    &item.at("timeSliceWindow"),
                    format!("a time slice of {span} has no fixed length: use minutes, hours, days or weeks"),
                )
            })?)
        }
    };
    let slice_target = item.f64("timeSliceTarget", ctx)?;
    if let Some(t) = slice_target
        && !(t > 0.0 && t <= 1.0)
    {
        return Err(ctx.error(
            &item.at("timeSliceTarget"),
            format!("{t} must be above 0 and at most 1"),
        ));
    }
    if budgeting == Budgeting::Occurrences && slice.is_some() {
        ctx.warn(
            &item.at("timeSliceWindow"),
            "is only used with Timeslices or RatioTimeslices budgeting: ignored",
        );
    }
    Ok((
        target,
        Objective {
            threshold,
            slice,
            slice_target,
        },
    ))
}

/// The period: `timeWindow[0]` (30d rolling when there is none).
fn time_window(spec: &Node<'_>, ctx: &mut Ctx<'_>) -> Result<(Window, Option<Period>), Problem> {
    let windows = spec.items("timeWindow", ctx)?;
    let Some(first) = windows.first() else {
        ctx.warn(
            &spec.at("timeWindow"),
            "is not set: measured over a rolling 30d",
        );
        return Ok((DEFAULT_WINDOW, None));
    };
    if windows.len() > 1 {
        return Err(ctx.error(
            &spec.at("timeWindow"),
            "OpenSLO allows exactly one time window",
        ));
    }
    first.warn_unknown(&["duration", "isRolling", "calendar"], ctx);
    let text = first.required_str("duration", ctx)?;
    let span: Span = text.parse().map_err(|e: crate::slo::calendar::SpanError| {
        ctx.error(&first.at("duration"), e.to_string())
    })?;
    let calendar = first.field("calendar");
    let rolling = first.bool("isRolling", ctx)?.unwrap_or(calendar.is_none());
    match (rolling, calendar) {
        (true, Some(_)) => Err(ctx.error(
            &first.at("isRolling"),
            "a rolling window has no calendar: remove calendar, or set isRolling: false",
        )),
        (true, None) => Ok(match span.fixed() {
            Some(window) => (window, None),
            None => (span.shortest(), Some(Period::Rolling(span))),
        }),
        (false, None) => Err(ctx.error(
            &first.at("calendar"),
            "a window that is not rolling needs calendar: startTime and timeZone",
        )),
        (false, Some(calendar)) => {
            calendar.warn_unknown(&["startTime", "timeZone"], ctx);
            let start_text = calendar.required_str("startTime", ctx)?;
            let start = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| chrono::NaiveDateTime::parse_from_str(start_text.trim(), f).ok())
                .ok_or_else(|| {
                    ctx.error(
                        &calendar.at("startTime"),
                        format!("`{start_text}` is not a date and time like 2022-01-01 12:00:00"),
                    )
                })?;
            let zone_text = calendar.required_str("timeZone", ctx)?;
            let zone: chrono_tz::Tz = zone_text.trim().parse().map_err(|_| {
                ctx.error(
                    &calendar.at("timeZone"),
                    format!("`{zone_text}` is not an IANA time zone like America/New_York or UTC"),
                )
            })?;
            Ok((
                span.shortest(),
                Some(Period::Calendar { span, start, zone }),
            ))
        }
    }
}
