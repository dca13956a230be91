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
                label,
                values,
                group,
                func,
            } => {
                let selector = batched_selector(metric, others, label, values);
                let by = std::iter::once(label).chain(group).cloned();
                let by: Vec<String> = by.collect();
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
    /// The labels whose values key a sample of this shape's answers: the batch label, then
    /// the `group_by` labels.
    pub fn key_labels(&self) -> Vec<&str> {
        match self {
            ShapeKind::Batched { label, group, .. } => std::iter::once(label)
                .chain(group)
                .map(String::as_str)
                .collect(),
            ShapeKind::Single { group, .. } => group.iter().map(String::as_str).collect(),
            ShapeKind::Templated { .. } => Vec::new(),
        }
    }
}

/// `metric{others…, label=~"v1|v2"}` (or `label="v"` for one value): the selector of a
/// batched shape, narrowed to the label values asked for.
pub fn batched_selector(
    metric: &str,
    others: &[Matcher],
    label: &str,
    values: &BTreeSet<String>,
) -> Selector {
    let mut matchers = others.to_vec();
    let narrow = if values.len() == 1 {
        values.iter().next().map(|v| Matcher::exact(label, v))
    } else {
        let alternatives: Vec<String> = values.iter().map(|v| regex_escape(v)).collect();
        let mut m = Matcher::exact(label, &alternatives.join("|"));
        m.op = "=~";
        m.value = None;
        Some(m)
    };
    matchers.extend(narrow);
    Selector {
        metric: metric.to_string(),
        matchers,
    }
}
