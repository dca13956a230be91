//! Sloth's `prometheus/v1` spec: one service, a list of SLOs whose SLI is either
//! `events` (`error_query` and `total_query`) or `raw` (`error_ratio_query`), each a whole
//! PromQL query with `{{.window}}` where the rate window goes.
//!
//! ondeck sends those queries as written, once per window, the window substituted
//! (`5m`, `1h`, `30d`…): they are neither batched nor wrapped, because they already are
//! rates. The period is ondeck's default (30d), as it is Sloth's. `labels` and
//! `description` only label Sloth's generated rules and are ignored; `alerting` is not
//! honoured (ondeck alerts by its own `[[tier]]`s) and `sli.plugin` cannot be measured:
//! both get a warning, and a plugin SLO is skipped.

use serde_yaml_ng::Value;

use super::fields::{Ctx, Node};
use crate::config::model::DEFAULT_WINDOW;
use crate::config::validate::percent_to_fraction;
use crate::config::{ConfigError, SloConfig, SloSliConfig, WINDOW_PLACEHOLDER};

/// Whether a document is a Sloth spec.
pub(super) fn is_sloth(doc: &Value) -> bool {
    doc.get("version").and_then(Value::as_str) == Some("prometheus/v1")
}

/// The SLOs of one Sloth spec.
pub(super) fn read(doc: &Value, ctx: &mut Ctx<'_>) -> Result<Vec<SloConfig>, ConfigError> {
    let root = Node::root(doc);
    root.warn_unknown(&["version", "service", "labels", "slos"], ctx);
    let service = root.required_str("service", ctx)?;
    let mut out = Vec::new();
    for slo in root.items("slos", ctx)? {
        slo.warn_unknown(
            &[
                "name",
                "objective",
                "description",
                "labels",
                "sli",
                "alerting",
            ],
            ctx,
        );
        slo.warn_ignored(
            "alerting",
            "ondeck pages and tickets by its own [[tier]]s",
            ctx,
        );
        let name = slo.required_str("name", ctx)?;
        let Some(objective) = slo.f64("objective", ctx)? else {
            return Err(ctx.error(&format!("{}.objective", slo.path()), "is required"));
        };
        let Some(sli) = slo.field("sli") else {
            return Err(ctx.error(&format!("{}.sli", slo.path()), "is required"));
        };
        sli.warn_unknown(&["events", "raw", "plugin"], ctx);
        if sli.field("plugin").is_some() {
            ctx.warn(
                &format!("{}.plugin", sli.path()),
                format!("not supported: SLO `{service}/{name}` is skipped (plugin SLIs need Sloth to expand them)"),
            );
            continue;
        }
        let sli = match (sli.field("events"), sli.field("raw")) {
            (Some(events), None) => {
                events.warn_unknown(&["error_query", "total_query"], ctx);
                SloSliConfig::ErrorEvents {
                    errors: template(&events, "error_query", ctx)?,
                    total: template(&events, "total_query", ctx)?,
                }
            }
            (None, Some(raw)) => {
                raw.warn_unknown(&["error_ratio_query"], ctx);
                SloSliConfig::ErrorRatio {
                    ratio: template(&raw, "error_ratio_query", ctx)?,
                }
            }
            _ => {
                return Err(ctx.error(
                    sli.path(),
                    "needs exactly one of `events` (error_query and total_query) or `raw` (error_ratio_query)",
                ));
            }
        };
        out.push(SloConfig {
            name,
            service: service.clone(),
            objective: percent_to_fraction(objective),
            window: DEFAULT_WINDOW,
            source: None,
            sli,
        });
    }
    Ok(out)
}

/// A query with its `{{ .window }}` placeholder in the one spelling the planner substitutes.
fn template(node: &Node<'_>, key: &str, ctx: &Ctx<'_>) -> Result<String, ConfigError> {
    let query = node.required_str(key, ctx)?;
    normalize_window(query.trim()).ok_or_else(|| {
        ctx.error(
            &format!("{}.{key}", node.path()),
            "must use {{.window}} as its rate window, e.g. rate(http_requests_total[{{.window}}])",
        )
    })
}

/// Rewrites every `{{.window}}` as Go templates accept it (`{{ .window }}`, `{{- .window -}}`)
/// to [`WINDOW_PLACEHOLDER`]; `None` when there is none.
fn normalize_window(query: &str) -> Option<String> {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    let mut found = false;
    while let Some(open) = rest.find("{{") {
        let inside = &rest[open + 2..];
        let Some(close) = inside.find("}}") else {
            break;
        };
        let action = inside[..close].trim_matches(|c: char| c == '-' || c.is_whitespace());
        out.push_str(&rest[..open]);
        if action == ".window" {
            out.push_str(WINDOW_PLACEHOLDER);
            found = true;
        } else {
            out.push_str(&rest[open..open + 2 + close + 2]);
        }
        rest = &inside[close + 2..];
    }
    out.push_str(rest);
    found.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_placeholders_are_read_in_every_go_template_spelling() {
        assert_eq!(
            normalize_window("sum(rate(x[{{ .window }}])) / sum(rate(y[{{-.window-}}]))")
                .as_deref(),
            Some("sum(rate(x[{{.window}}])) / sum(rate(y[{{.window}}]))")
        );
        assert_eq!(normalize_window("sum(rate(x[5m]))"), None);
        assert_eq!(
            normalize_window("x{a=\"{{.other}}\"}[{{.window}}]").as_deref(),
            Some("x{a=\"{{.other}}\"}[{{.window}}]")
        );
    }
}
