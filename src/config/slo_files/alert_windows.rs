//! Sloth `AlertWindows` (`apiVersion: sloth.slok.dev/v1`): the multiwindow multi-burn-rate
//! tiers of SLOs with one period — exactly ondeck's tier table. `page.quick`, `page.slow`,
//! `ticket.quick` and `ticket.slow` each give a short window, a long window and the percent
//! of the period's budget that fires the tier; they become four tiers (`errorBudgetPercent:
//! 2` is `budget_share = 0.02`) used by every SLO whose period is `sloPeriod`.

use serde_yaml_ng::Value;

use super::fields::{Ctx, Node, Problem};
use crate::slo::{Severity, TierSpec, Window};

/// The period and its four tiers.
pub(super) fn read(doc: &Value, ctx: &mut Ctx<'_>) -> Result<(Window, Vec<TierSpec>), Problem> {
    let root = Node::root(doc);
    root.warn_unknown(&["apiVersion", "kind", "metadata", "spec"], ctx);
    let spec = root.required("spec", ctx)?;
    spec.warn_unknown(&["sloPeriod", "page", "ticket"], ctx);
    let period = window(&spec, "sloPeriod", ctx)?;
    let mut tiers = Vec::with_capacity(4);
    for (key, severity) in [("page", Severity::Page), ("ticket", Severity::Ticket)] {
        let group = spec.required(key, ctx)?;
        group.warn_unknown(&["quick", "slow"], ctx);
        for speed in ["quick", "slow"] {
            let tier = group.required(speed, ctx)?;
            tier.warn_unknown(&["errorBudgetPercent", "shortWindow", "longWindow"], ctx);
            let short = window(&tier, "shortWindow", ctx)?;
            let long = window(&tier, "longWindow", ctx)?;
            let Some(percent) = tier.f64("errorBudgetPercent", ctx)? else {
                return Err(ctx.error(&tier.at("errorBudgetPercent"), "is required"));
            };
            if !(percent > 0.0 && percent <= 100.0) {
                return Err(ctx.error(
                    &tier.at("errorBudgetPercent"),
                    format!("{percent} must be a percentage of the budget above 0 and at most 100"),
                ));
            }
            if short >= long {
                return Err(ctx.error(
                    &tier.at("shortWindow"),
                    format!("short window {short} must be shorter than the long window {long}"),
                ));
            }
            if long >= period {
                return Err(ctx.error(
                    &tier.at("longWindow"),
                    format!("long window {long} must be shorter than sloPeriod {period}"),
                ));
            }
            tiers.push(TierSpec {
                severity,
                long_window: long,
                short_window: short,
                budget_share: percent / 100.0,
            });
        }
    }
    Ok((period, tiers))
}

fn window(node: &Node<'_>, key: &str, ctx: &Ctx<'_>) -> Result<Window, Problem> {
    node.required_str(key, ctx)?
        .parse::<Window>()
        .map_err(|e| ctx.error(&node.at(key), e.to_string()))
}
