//! How samples are keyed and grouped SLOs named: a sample's key is the values of its shape's
//! key labels (a batched shape's own, then the `group_by` labels), and each group of a
//! grouped SLO is shown as `name{route="/cart"}`.

use std::collections::{BTreeMap, BTreeSet};

use super::assemble::Answers;
use super::plan::{PlannedSlo, SeriesRef, ShapeKind};
use super::selector::quote;
use crate::slo::SloSpec;

/// The values of `kind`'s key labels in `labels`; a missing label is the empty value, as
/// PromQL treats it.
pub fn sample_key(kind: &ShapeKind, labels: &BTreeMap<String, String>) -> Vec<String> {
    kind.key_labels()
        .into_iter()
        .map(|l| labels.get(l).cloned().unwrap_or_default())
        .collect()
}

/// The full key of one side of an SLO for one group: its key label values, then the group's.
pub fn lookup_key(series: &SeriesRef, group: &[String]) -> Vec<String> {
    series
        .key
        .iter()
        .cloned()
        .chain(group.iter().cloned())
        .collect()
}

/// The groups of a planned SLO: `[[]]` (the SLO itself) without `group_by`, else every group
/// its total has a sample for in any window answered. Series carrying none of the labels
/// (other services' series summed into one `{}` group) are left out.
pub fn groups_of(slo: &PlannedSlo, answers: &Answers) -> Vec<Vec<String>> {
    if slo.group_by.is_empty() {
        return vec![Vec::new()];
    }
    let Some(total) = &slo.total else {
        return Vec::new();
    };
    let prefix = total.key.as_slice();
    let mut groups = BTreeSet::new();
    for &window in &slo.windows {
        if let Some(Ok(values)) = answers.get(&(total.shape, window)) {
            groups.extend(
                values
                    .keys()
                    .filter(|k| k.starts_with(prefix))
                    .map(|k| k[prefix.len()..].to_vec())
                    .filter(|g| g.iter().any(|v| !v.is_empty())),
            );
        }
    }
    groups.into_iter().collect()
}

/// The spec of one group: the name carries the group's labels, so the id is
/// `service/name{route="/cart"}`. The SLO itself for an empty group.
pub fn group_spec(slo: &PlannedSlo, group: &[String]) -> SloSpec {
    if group.is_empty() {
        return slo.spec.clone();
    }
    let labels: Vec<String> = slo
        .group_by
        .iter()
        .zip(group)
        .map(|(l, v)| format!("{l}={}", quote(v)))
        .collect();
    let name = format!("{}{{{}}}", slo.spec.name, labels.join(","));
    let mut spec = slo.spec.clone();
    spec.id = format!("{}/{name}", spec.service);
    spec.name = name;
    spec
}
