//! Sloth recording rules in place of raw queries (`use_recording_rules = "auto"`).
//!
//! Sloth records each SLO's error ratio per window as `slo:sli_error:ratio_rate<w>` (5m, 30m,
//! 1h, 2h, 6h, 1d, 3d, and the period as `…ratio_rate30d`) with `sloth_service` and
//! `sloth_slo` labels. A refresh first sends ONE instant query for the rule series of the
//! windows it evaluates ([`values_query`]), for every SLO that could read them; its answer is
//! both the probe and the values. An SLO whose service and name match exactly one rule series
//! for a window — so the value is unambiguous — reads that window from the rule; grouped
//! SLOs never do (rules are not grouped). A raw query is then only sent when some SLO still
//! needs it for that window. A rule's value is the error ratio, so it counts as Sloth `raw`
//! SLIs do (bad = ratio of total = 1).
//!
//! The sparkline still reads the raw range query: a rule has no samples from before
//! Prometheus started evaluating it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::api::Answer;
use super::assemble::{Origin, counts};
use super::plan::{Numerator, PlannedSlo, QueryPlan};
use super::selector::regex_escape;
use crate::model::SloObservation;
use crate::slo::Window;

/// The metric name prefix of Sloth's error-ratio rules; the window follows (`…rate5m`).
pub const RULE_PREFIX: &str = "slo:sli_error:ratio_rate";

/// The rule series name for `window`: `slo:sli_error:ratio_rate1h`.
pub fn rule_name(window: Window) -> String {
    format!("{RULE_PREFIX}{window}")
}

/// Which windows of which planned SLOs one refresh reads from rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    by_slo: BTreeMap<usize, BTreeSet<Window>>,
}

type RuleKey = (String, String, String);

fn rule_key(labels: &BTreeMap<String, String>) -> Option<RuleKey> {
    Some((
        labels.get("__name__")?.clone(),
        labels.get("sloth_service")?.clone(),
        labels.get("sloth_slo")?.clone(),
    ))
}

impl Coverage {
    /// The windows of `due` each SLO reads from rules, given the answer to
    /// [`values_query`]: those with exactly one rule series.
    pub fn from_values(plan: &QueryPlan, answer: &Answer, due: &BTreeSet<Window>) -> Self {
        let mut seen: HashMap<RuleKey, usize> = HashMap::new();
        for key in answer.samples.iter().filter_map(|s| rule_key(&s.labels)) {
            *seen.entry(key).or_default() += 1;
        }
        let mut by_slo = BTreeMap::new();
        for (index, slo) in plan.slos.iter().enumerate() {
            if !reads_rules(slo) {
                continue;
            }
            let (service, name) = (&slo.spec.service, &slo.spec.name);
            let windows: BTreeSet<Window> = slo
                .windows
                .iter()
                .copied()
                .filter(|w| due.contains(w))
                .filter(|&w| seen.get(&(rule_name(w), service.clone(), name.clone())) == Some(&1))
                .collect();
            if !windows.is_empty() {
                by_slo.insert(index, windows);
            }
        }
        Self { by_slo }
    }

    /// Whether no SLO window reads a rule.
    pub fn is_empty(&self) -> bool {
        self.by_slo.is_empty()
    }

    /// Whether planned SLO `slo` reads `window` from its rule.
    pub fn covers(&self, slo: usize, window: Window) -> bool {
        self.by_slo.get(&slo).is_some_and(|w| w.contains(&window))
    }

    /// The raw queries, by shape and window, still needed by an SLO that does not read that
    /// window from a rule.
    pub fn needed(&self, plan: &QueryPlan) -> HashSet<(usize, Window)> {
        let mut needed = HashSet::new();
        for (index, slo) in plan.slos.iter().enumerate() {
            for side in [&slo.num, &slo.total].into_iter().flatten() {
                for &window in &slo.windows {
                    if !self.covers(index, window) {
                        needed.insert((side.shape, window));
                    }
                }
            }
        }
        needed
    }

    /// Puts the rule values into the observations of the SLOs that read them: a NaN value is
    /// "no data".
    pub fn apply(
        &self,
        plan: &QueryPlan,
        answer: &Answer,
        observations: &mut [SloObservation],
        origins: &[Origin],
    ) {
        let values: HashMap<RuleKey, f64> = answer
            .samples
            .iter()
            .filter_map(|s| rule_key(&s.labels).map(|k| (k, s.value)))
            .collect();
        for (observation, origin) in observations.iter_mut().zip(origins) {
            let Some(windows) = self.by_slo.get(&origin.slo) else {
                continue;
            };
            if !origin.group.is_empty() {
                continue;
            }
            let spec = &plan.slos[origin.slo].spec;
            for &window in windows {
                let key = (rule_name(window), spec.service.clone(), spec.name.clone());
                let ratio = values.get(&key).copied();
                match counts(Numerator::ErrorRatio, ratio, ratio) {
                    Some(c) => observation.counts.insert(window, c),
                    None => observation.counts.remove(&window),
                };
            }
        }
    }
}

/// Whether `slo` could read rules: ungrouped and plannable.
pub fn reads_rules(slo: &PlannedSlo) -> bool {
    slo.group_by.is_empty() && slo.problem.is_none()
}

/// The one query for the rule series of the `due` windows of every SLO that could read
/// rules; `None` when none could. Its answer says which exist (see [`Coverage::from_values`])
/// and holds their values.
pub fn values_query(plan: &QueryPlan, due: &BTreeSet<Window>) -> Option<String> {
    let mut names = BTreeSet::new();
    let mut services = BTreeSet::new();
    let mut slos = BTreeSet::new();
    for slo in plan.slos.iter().filter(|s| reads_rules(s)) {
        let mut windows = slo.windows.iter().filter(|w| due.contains(w)).peekable();
        if windows.peek().is_none() {
            continue;
        }
        names.extend(windows.map(|&w| regex_escape(&rule_name(w))));
        services.insert(regex_escape(&slo.spec.service));
        slos.insert(regex_escape(&slo.spec.name));
    }
    if names.is_empty() {
        return None;
    }
    let join = |set: BTreeSet<String>| set.into_iter().collect::<Vec<_>>().join("|");
    Some(format!(
        r#"{{__name__=~"{}",sloth_service=~"{}",sloth_slo=~"{}"}}"#,
        join(names),
        join(services),
        join(slos)
    ))
}
