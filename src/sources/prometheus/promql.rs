//! The PromQL text of a planned shape: one query per window, batched shapes narrowed to the
//! label values their SLOs asked for.

use std::collections::BTreeSet;

use super::plan::ShapeKind;
use super::selector::{Matcher, Selector, regex_escape};
use crate::config::WINDOW_PLACEHOLDER;
use crate::slo::Window;

impl ShapeKind {
    /// The PromQL for one window.
    pub fn promql(&self, window: Window) -> String {
        match self {
            ShapeKind::Batched {
                metric,
                others,
                labels,
                values,
                group,
                func,
                ..
            } => {
                let selector = batched_selector(metric, others, labels, values);
                let by: Vec<String> = labels.iter().chain(group).cloned().collect();
                format!(
                    "sum by ({}) ({}({}[{window}]))",
                    by.join(", "),
                    func.name(),
                    selector.render()
                )
            }
            ShapeKind::Single { expr, group, func } if group.is_empty() => {
                format!("sum({}({expr}[{window}]))", func.name())
            }
            ShapeKind::Single { expr, group, func } => {
                format!(
                    "sum by ({}) ({}({expr}[{window}]))",
                    group.join(", "),
                    func.name()
                )
            }
            ShapeKind::Templated { template } => {
                template.replace(WINDOW_PLACEHOLDER, &window.to_string())
            }
        }
    }
}

impl ShapeKind {
    /// The labels whose values key a sample of this shape's answers: the key labels, then
    /// the `group_by` labels.
    pub fn key_labels(&self) -> Vec<&str> {
        match self {
            ShapeKind::Batched { labels, group, .. } => {
                labels.iter().chain(group).map(String::as_str).collect()
            }
            ShapeKind::Single { group, .. } => group.iter().map(String::as_str).collect(),
            ShapeKind::Templated { .. } => Vec::new(),
        }
    }

    /// Whether a sample keyed `key` (see `group::sample_key`) is one an SLO asked for. A
    /// batched selector narrows each key label to its values on its own, so it may also
    /// match a combination no SLO watches (service `a` on `b`'s route); such a sample is
    /// summed apart by the `by` clause and dropped here, which keeps what is stored bounded
    /// by the config (times the groups of a `group_by`), whatever the backend answers.
    pub fn asks_for(&self, key: &[String]) -> bool {
        match self {
            ShapeKind::Batched { labels, values, .. } => key
                .get(..labels.len())
                .is_some_and(|prefix| values.contains(prefix)),
            ShapeKind::Single { .. } | ShapeKind::Templated { .. } => true,
        }
    }
}

/// `metric{others…, label=~"v1|v2", …}` (or `label="v"` for one value): the selector of a
/// batched shape, each key label narrowed to the values its tuples ask for.
pub fn batched_selector(
    metric: &str,
    others: &[Matcher],
    labels: &[String],
    values: &BTreeSet<Vec<String>>,
) -> Selector {
    let mut matchers = others.to_vec();
    for (i, label) in labels.iter().enumerate() {
        let asked: BTreeSet<&str> = values
            .iter()
            .filter_map(|t| t.get(i))
            .map(String::as_str)
            .collect();
        let narrow = if asked.len() == 1 {
            asked.iter().next().map(|v| Matcher::exact(label, v))
        } else {
            let alternatives: Vec<String> = asked.iter().map(|v| regex_escape(v)).collect();
            let mut m = Matcher::exact(label, &alternatives.join("|"));
            m.op = "=~";
            m.value = None;
            Some(m)
        };
        matchers.extend(narrow);
    }
    Selector {
        metric: metric.to_string(),
        matchers,
    }
}
