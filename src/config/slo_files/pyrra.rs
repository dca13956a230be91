//! Pyrra `apiVersion: pyrra.dev/v1alpha1`, `kind: ServiceLevelObjective`: a `target`
//! percentage over a `window`, with a `ratio` (errors and total counters), `latency`
//! (a histogram bucket and count) or `bool_gauge` (a 0/1 gauge such as `probe_success`)
//! indicator, optionally split by `grouping` labels.
//!
//! Pyrra has no service: the SLO's service is its Kubernetes namespace (`default` when the
//! document has none, as Kubernetes does). A latency indicator whose bucket and count are
//! one histogram (`x_bucket{…,le="0.05"}`, `x_count{…}`, same filters) is a latency SLI, so a
//! bucket bound that does not exist is reported; one whose filters differ is measured as
//! the ratio written. A bool gauge's good share is `sum_over_time / count_over_time`, as
//! Pyrra computes it. `alerting` and rule-output settings only shape Pyrra's rules.

use serde_yaml_ng::Value;

use super::Draft;
use super::fields::{Ctx, Node, Problem};
use crate::config::slo_expr::check_counter;
use crate::config::validate::percent_to_fraction;
use crate::config::{SloConfig, SloSliConfig};
use crate::slo::Window;
use crate::sources::prometheus::selector::Selector;

/// The SLO of one Pyrra document.
pub(super) fn read(doc: &Value, ctx: &mut Ctx<'_>) -> Result<Draft, Problem> {
    let root = Node::root(doc);
    root.warn_unknown(&["apiVersion", "kind", "metadata", "spec", "status"], ctx);
    let metadata = root.required("metadata", ctx)?;
    let name = metadata.required_str("name", ctx)?;
    let service = metadata
        .str("namespace", ctx)?
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "default".to_string());
    let spec = root.required("spec", ctx)?;
    spec.warn_unknown(
        &[
            "description",
            "target",
            "window",
            "indicator",
            "alerting",
            "partial_response_strategy",
            "performanceOverAccuracy",
            "ruleOutput",
        ],
        ctx,
    );
    let Some(target) = spec.f64("target", ctx)? else {
        return Err(ctx.error(&spec.at("target"), "is required"));
    };
    if !(target > 0.0 && target < 100.0) {
        return Err(ctx.error(
            &spec.at("target"),
            format!("target {target} must be a percentage above 0 and below 100, e.g. \"99.9\""),
        ));
    }
    let window_text = spec.required_str("window", ctx)?;
    let window: Window =
        window_text
            .parse()
            .map_err(|e: crate::slo::window::WindowParseError| {
                ctx.error(&spec.at("window"), e.to_string())
            })?;
    let indicator = spec.required("indicator", ctx)?;
    indicator.warn_unknown(&["ratio", "latency", "latencyNative", "bool_gauge"], ctx);
    let (sli, grouping) = if let Some(ratio) = indicator.field("ratio") {
        ratio.warn_unknown(&["errors", "total", "grouping"], ctx);
        let errors = metric(&ratio, "errors", ctx)?;
        let total = metric(&ratio, "total", ctx)?;
        (
            SloSliConfig::BadRatio { bad: errors, total },
            ratio.strings("grouping", ctx)?,
        )
    } else if let Some(latency) = indicator.field("latency") {
        latency.warn_unknown(&["success", "total", "grouping"], ctx);
        let success = metric(&latency, "success", ctx)?;
        let total = metric(&latency, "total", ctx)?;
        (
            latency_sli(success, total),
            latency.strings("grouping", ctx)?,
        )
    } else if let Some(gauge) = indicator.field("bool_gauge") {
        gauge.warn_unknown(&["metric", "grouping"], ctx);
        let metric = gauge.required_str("metric", ctx)?.trim().to_string();
        if Selector::parse(&metric).is_none() {
            return Err(ctx.error(
                &gauge.at("metric"),
                format!("`{metric}` must be a selector of a 0/1 gauge, e.g. probe_success{{job=\"blackbox\"}}"),
            ));
        }
        (
            SloSliConfig::BoolGauge { metric },
            gauge.strings("grouping", ctx)?,
        )
    } else if indicator.field("latencyNative").is_some() {
        return Err(ctx.error(
            &indicator.at("latencyNative"),
            "native histograms are not read by ondeck: use a latency indicator on a classic histogram",
        ));
    } else {
        return Err(ctx.error(
            indicator.path(),
            "needs one of ratio, latency or bool_gauge",
        ));
    };
    let sli = if grouping.is_empty() {
        sli
    } else {
        SloSliConfig::Grouped {
            labels: grouping,
            sli: Box::new(sli),
        }
    };
    Ok(Draft::new(SloConfig {
        name,
        service,
        objective: percent_to_fraction(target),
        window,
        period: None,
        source: None,
        sli,
    }))
}

/// `<parent>.<key>.metric`, a counter selector.
fn metric(parent: &Node<'_>, key: &str, ctx: &mut Ctx<'_>) -> Result<String, Problem> {
    let node = parent.required(key, ctx)?;
    node.warn_unknown(&["metric"], ctx);
    let text = node.required_str("metric", ctx)?.trim().to_string();
    check_counter(&text).map_err(|e| ctx.error(&node.at("metric"), e))?;
    Ok(text)
}

/// A latency SLI when `success` is `<h>_bucket{…,le="v"}` and `total` is `<h>_count{…}` with
/// the same other filters; else the ratio as written.
fn latency_sli(success: String, total: String) -> SloSliConfig {
    let histogram = (|| {
        let bucket = Selector::parse(&success)?;
        let count = Selector::parse(&total)?;
        let name = bucket.metric.strip_suffix("_bucket")?;
        if count.metric.strip_suffix("_count")? != name {
            return None;
        }
        let le = bucket
            .matchers
            .iter()
            .find(|m| m.label == "le" && m.op == "=")?;
        let threshold: f64 = le.value.as_deref()?.parse().ok()?;
        let mut others: Vec<_> = bucket
            .matchers
            .iter()
            .filter(|m| m.label != "le")
            .cloned()
            .collect();
        let mut counted = count.matchers.clone();
        others.sort();
        counted.sort();
        (others == counted && threshold.is_finite() && threshold > 0.0).then(|| {
            let base = Selector {
                metric: name.to_string(),
                matchers: count.matchers.clone(),
            };
            SloSliConfig::Latency {
                metric: base.render(),
                threshold,
            }
        })
    })();
    histogram.unwrap_or(SloSliConfig::GoodRatio {
        good: success,
        total,
    })
}
