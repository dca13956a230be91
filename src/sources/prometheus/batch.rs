//! Which selectors share one query. Selectors of one *pattern* — the same metric, range
//! function and `group_by` labels, the same other matchers verbatim (`code=~"5.."`), and
//! exact matchers on the same labels — differ only in the values of those exact matchers.
//! Once every SLO is read, each pattern is keyed by the labels that tell its selectors apart:
//! the label carrying each SLO's service (when one does, for every selector of the pattern;
//! a label named `service` wins a tie), then every other label whose value differs between
//! them. Labels with one value for the whole pattern stay plain matchers. So a thousand SLOs
//! written one per service and route share one query per window:
//!
//! ```text
//! sum by (service, route) (rate(http_requests_total{code=~"5..",service=~"a|b",route=~"/a/x|/b/y"}[1h]))
//! ```
//!
//! and each takes the sample whose key labels hold its values. Narrowing each label to the
//! values asked for may also select a combination no SLO watches (`a`'s `/b/y` when both
//! exist); its sample is summed apart by the `by` clause and left unread, so every number
//! stays the one the SLO's own query would give.

use std::collections::HashMap;

use super::plan::RangeFn;
use super::selector::{Matcher, Selector};

/// Selectors that can share one query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// The metric name.
    pub metric: String,
    /// Every matcher but the exact ones with a known value, sorted.
    pub loose: Vec<Matcher>,
    /// The labels matched exactly, sorted.
    pub exact: Vec<String>,
    /// `group_by` labels summed by besides the key labels.
    pub group: Vec<String>,
    /// The range function.
    pub func: RangeFn,
}

impl Pattern {
    /// The pattern of `selector` and the values of its exact matchers (in [`Pattern::exact`]
    /// order); `None` when it has no exact matcher, or two on one label.
    pub fn of(selector: &Selector, group: &[String], func: RangeFn) -> Option<(Self, Vec<String>)> {
        let mut exact: Vec<(String, String)> = Vec::new();
        let mut loose = Vec::new();
        for m in &selector.matchers {
            match (m.op, &m.value) {
                ("=", Some(value)) => exact.push((m.label.clone(), value.clone())),
                _ => loose.push(m.clone()),
            }
        }
        exact.sort();
        if exact.is_empty() || exact.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        loose.sort();
        let (labels, values) = exact.into_iter().unzip();
        let pattern = Self {
            metric: selector.metric.clone(),
            loose,
            exact: labels,
            group: group.to_vec(),
            func,
        };
        Some((pattern, values))
    }
}

/// How one pattern's selectors are told apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keying {
    /// Positions in [`Pattern::exact`] of the key labels, the service's first.
    pub labels: Vec<usize>,
    /// Whether the first key label carries each SLO's service.
    pub by_service: bool,
}

/// The keying of a pattern whose selectors have these exact `values`, each with its SLO's
/// service; `None` when nothing tells them apart (one selector, no label carrying its
/// service): it is queried as written.
pub fn keying(exact: &[String], members: &[(&[String], &str)]) -> Option<Keying> {
    let first = members.first()?.0;
    let carries = |i: usize| {
        members
            .iter()
            .all(|(values, service)| values[i] == *service)
    };
    let service = exact
        .iter()
        .position(|l| l == "service")
        .filter(|&i| carries(i))
        .or_else(|| (0..exact.len()).find(|&i| carries(i)));
    let varying = (0..exact.len())
        .filter(|&i| Some(i) != service)
        .filter(|&i| members.iter().any(|(values, _)| values[i] != first[i]));
    let labels: Vec<usize> = service.into_iter().chain(varying).collect();
    (!labels.is_empty()).then_some(Keying {
        labels,
        by_service: service.is_some(),
    })
}

/// Every pattern's keying, from each selector's pattern, exact values and service.
pub fn keyings<'a>(
    members: impl Iterator<Item = (&'a Pattern, &'a [String], &'a str)>,
) -> HashMap<&'a Pattern, Option<Keying>> {
    let mut by_pattern: HashMap<&Pattern, Vec<(&[String], &str)>> = HashMap::new();
    for (pattern, values, service) in members {
        by_pattern
            .entry(pattern)
            .or_default()
            .push((values, service));
    }
    by_pattern
        .into_iter()
        .map(|(pattern, members)| (pattern, keying(&pattern.exact, &members)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_service_label_leads_and_every_label_that_differs_follows() {
        let exact = labels(&["job", "route", "service"]);
        let a = labels(&["api", "/a/x", "a"]);
        let b = labels(&["api", "/b/y", "b"]);
        let keyed = keying(&exact, &[(&a, "a"), (&b, "b")]).unwrap();
        assert_eq!(
            keyed.labels,
            [2, 1],
            "service, then route; job is the same for both"
        );
        assert!(keyed.by_service);
        // One service's routes: the service still leads, so its trends can be summed by it.
        let c = labels(&["api", "/a/y", "a"]);
        let keyed = keying(&exact, &[(&a, "a"), (&c, "a")]).unwrap();
        assert_eq!(keyed.labels, [2, 1]);
        // No label carries the SLOs' service: the labels that differ key them alone.
        let keyed = keying(&exact, &[(&a, "shop"), (&b, "shop")]).unwrap();
        assert_eq!(keyed.labels, [1, 2]);
        assert!(!keyed.by_service);
        assert_eq!(
            keying(&exact, &[(&a, "shop")]),
            None,
            "nothing to tell apart"
        );
    }

    #[test]
    fn a_pattern_needs_an_exact_matcher_on_distinct_labels() {
        let sel = |text: &str| Selector::parse(text).unwrap();
        let (pattern, values) = Pattern::of(
            &sel(r#"m{service="a",code=~"5..",route="/x"}"#),
            &[],
            RangeFn::Rate,
        )
        .unwrap();
        assert_eq!(pattern.exact, ["route", "service"]);
        assert_eq!(values, ["/x", "a"]);
        assert_eq!(pattern.loose.len(), 1);
        assert!(Pattern::of(&sel(r#"m{code=~"5.."}"#), &[], RangeFn::Rate).is_none());
        assert!(Pattern::of(&sel(r#"m{a="x",a="y"}"#), &[], RangeFn::Rate).is_none());
    }
}
