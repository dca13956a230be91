//! Sloth specs in both forms: `version: prometheus/v1` (snake_case fields) and the
//! Kubernetes resource `apiVersion: sloth.slok.dev/v1`, `kind: PrometheusServiceLevel`
//! (the same spec under `spec`, camelCase fields). One service, a list of SLOs whose SLI is
//! `events` (error and total queries) or `raw` (an error-ratio query), each a whole PromQL
//! query with `{{.window}}` where the rate window goes.
//!
//! ondeck sends those queries as written, once per window, the window substituted: they are
//! neither batched nor wrapped, because they already are rates. The period is Sloth's 30d
//! (an `AlertWindows` file gives the tiers of other periods). `labels`, `description`,
//! `alerting` and SLO `plugins` only shape the rules Sloth generates, so ondeck reads past
//! them without a word; an SLI `plugin` is code Sloth runs to build the query, which ondeck
//! cannot measure: that SLO is skipped with the reason.

use super::Draft;
use super::fields::{Ctx, Node, Problem};
use super::template::normalize_window;
use crate::config::model::DEFAULT_WINDOW;
use crate::config::validate::percent_to_fraction;
use crate::config::{SloConfig, SloSliConfig};

/// The field names of one form.
struct Names {
    error_query: &'static str,
    total_query: &'static str,
    error_ratio_query: &'static str,
    plugins: &'static str,
}

const PLAIN: Names = Names {
    error_query: "error_query",
    total_query: "total_query",
    error_ratio_query: "error_ratio_query",
    plugins: "slo_plugins",
};

const KUBERNETES: Names = Names {
    error_query: "errorQuery",
    total_query: "totalQuery",
    error_ratio_query: "errorRatioQuery",
    plugins: "sloPlugins",
};

/// One SLO of a spec: loaded, or the problem that skips it with the SLO's id.
pub(super) type Read = Result<Draft, (Problem, String)>;

/// The SLOs of one Sloth spec, each loaded or the problem that skips it (with the SLO's
/// name); an error for the whole document when it has no service.
pub(super) fn read(
    doc: &serde_yaml_ng::Value,
    kubernetes: bool,
    ctx: &mut Ctx<'_>,
) -> Result<Vec<Read>, Problem> {
    let root = Node::root(doc);
    let (spec, names) = if kubernetes {
        root.warn_unknown(&["apiVersion", "kind", "metadata", "spec", "status"], ctx);
        (root.required("spec", ctx)?, &KUBERNETES)
    } else {
        (root.clone(), &PLAIN)
    };
    let mut known = vec!["service", "labels", "slos", names.plugins];
    if !kubernetes {
        known.push("version");
    }
    spec.warn_unknown(&known, ctx);
    let service = spec.required_str("service", ctx)?;
    let mut out = Vec::new();
    for slo in spec.items("slos", ctx)? {
        let name = slo.str("name", ctx).ok().flatten().unwrap_or_default();
        let id = format!("{service}/{name}");
        out.push(read_slo(&slo, &service, names, ctx).map_err(|p| (p, id)));
    }
    Ok(out)
}

fn read_slo(
    slo: &Node<'_>,
    service: &str,
    names: &Names,
    ctx: &mut Ctx<'_>,
) -> Result<Draft, Problem> {
    slo.warn_unknown(
        &[
            "name",
            "objective",
            "description",
            "labels",
            "sli",
            "alerting",
            "plugins",
        ],
        ctx,
    );
    let name = slo.required_str("name", ctx)?;
    let Some(objective) = slo.f64("objective", ctx)? else {
        return Err(ctx.error(&slo.at("objective"), "is required"));
    };
    if !(objective > 0.0 && objective < 100.0) {
        return Err(ctx.error(
            &slo.at("objective"),
            format!("objective {objective} must be a percentage above 0 and below 100, e.g. 99.9"),
        ));
    }
    let sli = slo.required("sli", ctx)?;
    sli.warn_unknown(&["events", "raw", "plugin"], ctx);
    if let Some(plugin) = sli.field("plugin") {
        let id = plugin.str("id", ctx)?.unwrap_or_default();
        return Err(ctx.error(
            plugin.path(),
            format!(
                "SLI plugin `{id}` builds its query in Sloth's plugin code, which ondeck cannot run: write the SLI as events (error and total queries) or raw"
            ),
        ));
    }
    let sli = match (sli.field("events"), sli.field("raw")) {
        (Some(events), None) => {
            events.warn_unknown(&[names.error_query, names.total_query], ctx);
            SloSliConfig::ErrorEvents {
                errors: template(&events, names.error_query, ctx)?,
                total: template(&events, names.total_query, ctx)?,
            }
        }
        (None, Some(raw)) => {
            raw.warn_unknown(&[names.error_ratio_query], ctx);
            SloSliConfig::ErrorRatio {
                ratio: template(&raw, names.error_ratio_query, ctx)?,
            }
        }
        _ => {
            return Err(ctx.error(
                sli.path(),
                "needs exactly one of `events` (error and total queries) or `raw` (an error ratio query)",
            ));
        }
    };
    Ok(Draft::new(SloConfig {
        name,
        service: service.to_string(),
        objective: percent_to_fraction(objective),
        window: DEFAULT_WINDOW,
        period: None,
        source: None,
        sli,
    }))
}

/// A query with its `{{ .window }}` placeholder in the one spelling the planner substitutes.
fn template(node: &Node<'_>, key: &str, ctx: &Ctx<'_>) -> Result<String, Problem> {
    let query = node.required_str(key, ctx)?;
    normalize_window(query.trim()).ok_or_else(|| {
        ctx.error(
            &node.at(key),
            "must use {{.window}} as its rate window, e.g. sum(rate(http_requests_total[{{.window}}]))",
        )
    })
}
