//! OpenSLO v1 `kind: SLO` with an inline `ratioMetric` indicator whose `good` or `bad` and
//! `total` come from a Prometheus `metricSource` query.
//!
//! The queries are counters (`counter: true`, OpenSLO's meaning): ondeck treats them exactly
//! like `good`/`bad`/`total` in a `[[slo]]` (`sum(rate(<query>[w]))`, batched by service
//! when they are plain selectors). The period is the first `timeWindow`'s `duration`; each
//! of `objectives[]` (`target` 0–1 or `targetPercent`) is one SLO, named after the SLO and,
//! when there are several, the objective. What ondeck cannot honour gets a warning naming
//! the field: references to other documents (`indicatorRef`, `metricSourceRef`), threshold
//! and raw metrics, non-Prometheus sources, calendar windows, time-slice budgeting and alert
//! policies. SLOs that cannot be measured at all are skipped.

use serde_yaml_ng::Value;

use super::fields::{Ctx, Node};
use crate::config::validate::percent_to_fraction;
use crate::config::{ConfigError, SloConfig, SloSliConfig};
use crate::slo::Window;

/// Whether a document is OpenSLO (any version or kind).
pub(super) fn is_openslo(doc: &Value) -> bool {
    doc.get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("openslo/"))
}

/// The SLOs of one OpenSLO document; other kinds and versions are skipped with a warning.
pub(super) fn read(doc: &Value, ctx: &mut Ctx<'_>) -> Result<Vec<SloConfig>, ConfigError> {
    let root = Node::root(doc);
    let version = root.str("apiVersion", ctx)?.unwrap_or_default();
    let kind = root.str("kind", ctx)?.unwrap_or_default();
    if version != "openslo/v1" {
        ctx.warn(
            "apiVersion",
            format!("`{version}` is not supported (only openslo/v1): skipped"),
        );
        return Ok(Vec::new());
    }
    if kind != "SLO" {
        ctx.warn(
            "kind",
            format!("`{kind}` documents are not used by ondeck: skipped"),
        );
        return Ok(Vec::new());
    }
    root.warn_unknown(&["apiVersion", "kind", "metadata", "spec"], ctx);
    let Some(metadata) = root.field("metadata") else {
        return Err(ctx.error("metadata.name", "is required"));
    };
    let name = metadata.required_str("name", ctx)?;
    let Some(spec) = root.field("spec") else {
        return Err(ctx.error("spec", "is required"));
    };
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
    spec.warn_ignored(
        "alertPolicies",
        "ondeck pages and tickets by its own [[tier]]s",
        ctx,
    );
    let service = spec.required_str("service", ctx)?;
    if let Some(method) = spec.str("budgetingMethod", ctx)?
        && method != "Occurrences"
    {
        ctx.warn(
            "spec.budgetingMethod",
            format!("`{method}` is not supported: the budget is counted in occurrences"),
        );
    }
    let window = time_window(&spec, ctx)?;
    let Some((numerator, total)) = indicator(&spec, ctx)? else {
        return Ok(Vec::new());
    };
    let objectives = spec.items("objectives", ctx)?;
    if objectives.is_empty() {
        return Err(ctx.error(
            "spec.objectives",
            "needs at least one objective with a target",
        ));
    }
    let several = objectives.len() > 1;
    let mut out = Vec::with_capacity(objectives.len());
    for (i, objective) in objectives.iter().enumerate() {
        objective.warn_unknown(&["displayName", "target", "targetPercent"], ctx);
        let target = match (
            objective.f64("target", ctx)?,
            objective.f64("targetPercent", ctx)?,
        ) {
            (Some(fraction), None) => fraction,
            (None, Some(percent)) => percent_to_fraction(percent),
            _ => {
                return Err(ctx.error(
                    objective.path(),
                    "needs exactly one of `target` (e.g. 0.999) or `targetPercent` (e.g. 99.9)",
                ));
            }
        };
        if !(target > 0.0 && target < 1.0) {
            return Err(ctx.error(
                &format!("{}.target", objective.path()),
                format!("target {target} must be above 0 and below 1, e.g. 0.999"),
            ));
        }
        let slo_name = match (several, objective.str("displayName", ctx)?) {
            (false, _) => name.clone(),
            (true, Some(label)) => format!("{name}-{label}"),
            (true, None) => format!("{name}-{i}"),
        };
        let sli = match &numerator {
            Side::Good(good) => SloSliConfig::GoodRatio {
                good: good.clone(),
                total: total.clone(),
            },
            Side::Bad(bad) => SloSliConfig::BadRatio {
                bad: bad.clone(),
                total: total.clone(),
            },
        };
        out.push(SloConfig {
            name: slo_name,
            service: service.clone(),
            objective: target,
            window,
            source: None,
            sli,
        });
    }
    Ok(out)
}

/// Which side of the ratio the SLO counts.
enum Side {
    Good(String),
    Bad(String),
}

/// The period: the first `timeWindow`'s duration (default 30d).
fn time_window(spec: &Node<'_>, ctx: &mut Ctx<'_>) -> Result<Window, ConfigError> {
    let windows = spec.items("timeWindow", ctx)?;
    let Some(first) = windows.first() else {
        return Ok(crate::config::model::DEFAULT_WINDOW);
    };
    first.warn_unknown(&["duration", "isRolling", "calendar"], ctx);
    if windows.len() > 1 {
        ctx.warn("spec.timeWindow", "only the first time window is used");
    }
    if first.get("isRolling").and_then(Value::as_bool) == Some(false)
        || first.field("calendar").is_some()
    {
        ctx.warn(
            first.path(),
            "calendar windows are not supported: measured as a rolling window",
        );
    }
    let duration = first.required_str("duration", ctx)?;
    duration
        .parse::<Window>()
        .map_err(|e| ctx.error(&format!("{}.duration", first.path()), e.to_string()))
}

/// The ratio's numerator and total queries; `None` (with a warning) when the indicator is
/// of a kind ondeck cannot measure.
fn indicator(spec: &Node<'_>, ctx: &mut Ctx<'_>) -> Result<Option<(Side, String)>, ConfigError> {
    if spec.field("indicatorRef").is_some() {
        ctx.warn(
            "spec.indicatorRef",
            "not supported: write the indicator inline; SLO skipped",
        );
        return Ok(None);
    }
    let Some(indicator) = spec.field("indicator") else {
        return Err(ctx.error("spec.indicator", "is required"));
    };
    indicator.warn_unknown(&["metadata", "spec"], ctx);
    let Some(ispec) = indicator.field("spec") else {
        return Err(ctx.error("spec.indicator.spec", "is required"));
    };
    ispec.warn_unknown(&["ratioMetric", "thresholdMetric"], ctx);
    let Some(ratio) = ispec.field("ratioMetric") else {
        ctx.warn(
            ispec.path(),
            "only ratioMetric indicators are supported: SLO skipped",
        );
        return Ok(None);
    };
    ratio.warn_unknown(&["counter", "good", "bad", "total", "raw", "rawType"], ctx);
    if ratio.get("counter").and_then(Value::as_bool) == Some(false) {
        ctx.warn(
            &format!("{}.counter", ratio.path()),
            "only counter queries are supported: SLO skipped",
        );
        return Ok(None);
    }
    if ratio.field("raw").is_some() {
        ctx.warn(
            &format!("{}.raw", ratio.path()),
            "raw ratio metrics are not supported: SLO skipped",
        );
        return Ok(None);
    }
    let side = match (ratio.field("good"), ratio.field("bad")) {
        (Some(good), None) => query(&good, ctx)?.map(Side::Good),
        (None, Some(bad)) => query(&bad, ctx)?.map(Side::Bad),
        _ => {
            return Err(ctx.error(
                ratio.path(),
                "needs exactly one of `good` or `bad`, and `total`",
            ));
        }
    };
    let Some(total) = ratio.field("total") else {
        return Err(ctx.error(&format!("{}.total", ratio.path()), "is required"));
    };
    let total = query(&total, ctx)?;
    Ok(side.zip(total))
}

/// The Prometheus query of one side; `None` (with a warning) for other metric sources.
fn query(side: &Node<'_>, ctx: &mut Ctx<'_>) -> Result<Option<String>, ConfigError> {
    side.warn_unknown(&["metricSource"], ctx);
    let Some(source) = side.field("metricSource") else {
        return Err(ctx.error(&format!("{}.metricSource", side.path()), "is required"));
    };
    source.warn_unknown(&["type", "spec", "metricSourceRef"], ctx);
    source.warn_ignored(
        "metricSourceRef",
        "queries go to ondeck's Prometheus source",
        ctx,
    );
    let kind = source.str("type", ctx)?.unwrap_or_default();
    if !kind.eq_ignore_ascii_case("prometheus") {
        ctx.warn(
            &format!("{}.type", source.path()),
            format!("`{kind}` is not supported (only Prometheus): SLO skipped"),
        );
        return Ok(None);
    }
    let Some(spec) = source.field("spec") else {
        return Err(ctx.error(&format!("{}.spec.query", source.path()), "is required"));
    };
    spec.warn_unknown(&["query"], ctx);
    Ok(Some(spec.required_str("query", ctx)?.trim().to_string()))
}
