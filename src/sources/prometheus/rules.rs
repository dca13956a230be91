//! Sloth recording rules in place of raw queries (`use_recording_rules = "auto"`).
//!
//! Sloth records each SLO's error ratio per window as `slo:sli_error:ratio_rate<w>` (5m, 30m,
//! 1h, 2h, 6h, 1d, 3d, and the period as `…ratio_rate30d`) with `sloth_service` and
//! `sloth_slo` labels. Each refresh first sends one probe, [`PROBE`], at the evaluation
//! instant. An SLO whose service and name match a rule series for one of its windows — exactly
//! one series, so the value is unambiguous — reads that window from the rule; grouped SLOs
//! never do (rules are not grouped). All rule values come back from ONE more instant query,
//! and a raw query is only sent when some SLO still needs it for that window. A rule's value
//! is the error ratio, so it counts as Sloth `raw` SLIs do (bad = ratio of total = 1).
//!
//! The sparkline still reads the raw range query: a rule has no samples from before
//! Prometheus started evaluating it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::api::Answer;
use super::assemble::{Cause, Origin, SloIssue, counts};
use super::plan::{Numerator, QueryPlan};
use super::selector::regex_escape;
use crate::model::SloObservation;
use crate::slo::Window;
use crate::sources::SourceError;

/// The metric name prefix of Sloth's error-ratio rules; the window follows (`…rate5m`).
pub const RULE_PREFIX: &str = "slo:sli_error:ratio_rate";

/// The probe sent once per refresh: which rule series exist, and how many per SLO and window.
pub const PROBE: &str =
    r#"count by (sloth_service, sloth_slo, __name__) ({__name__=~"slo:sli_error:ratio_rate.*"})"#;

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
    /// The windows each SLO can read from rules, given the probe's answer.
    pub fn from_probe(plan: &QueryPlan, probe: &Answer) -> Self {
        let available: HashSet<RuleKey> = probe
            .samples
            .iter()
            .filter(|s| s.value == 1.0)
            .filter_map(|s| rule_key(&s.labels))
            .collect();
        let mut by_slo = BTreeMap::new();
        for (index, slo) in plan.slos.iter().enumerate() {
            if !slo.group_by.is_empty() || slo.problem.is_some() {
                continue;
            }
            let (service, name) = (&slo.spec.service, &slo.spec.name);
            let windows: BTreeSet<Window> = slo
                .windows
                .iter()
                .copied()
                .filter(|&w| available.contains(&(rule_name(w), service.clone(), name.clone())))
                .collect();
            if !windows.is_empty() {
                by_slo.insert(index, windows);
            }
        }
        Self { by_slo }
    }

    /// Whether planned SLO `slo` reads `window` from its rule.
    pub fn covers(&self, slo: usize, window: Window) -> bool {
        self.by_slo.get(&slo).is_some_and(|w| w.contains(&window))
    }

    /// Whether the raw query of `shape` over `window` is still needed by an SLO that does not
    /// read that window from a rule.
    pub fn needs(&self, plan: &QueryPlan, shape: usize, window: Window) -> bool {
        plan.slos.iter().enumerate().any(|(index, slo)| {
            let uses = [&slo.num, &slo.total]
                .into_iter()
                .flatten()
                .any(|r| r.shape == shape);
            uses && slo.windows.contains(&window) && !self.covers(index, window)
        })
    }

    /// The one query returning every rule value needed, `None` when no SLO reads a rule.
    pub fn values_query(&self, plan: &QueryPlan) -> Option<String> {
        if self.by_slo.is_empty() {
            return None;
        }
        let mut names = BTreeSet::new();
        let mut services = BTreeSet::new();
        let mut slos = BTreeSet::new();
        for (&index, windows) in &self.by_slo {
            let spec = &plan.slos[index].spec;
            names.extend(windows.iter().map(|&w| regex_escape(&rule_name(w))));
            services.insert(regex_escape(&spec.service));
            slos.insert(regex_escape(&spec.name));
        }
        let join = |set: BTreeSet<String>| set.into_iter().collect::<Vec<_>>().join("|");
        Some(format!(
            r#"{{__name__=~"{}",sloth_service=~"{}",sloth_slo=~"{}"}}"#,
            join(names),
            join(services),
            join(slos)
        ))
    }

    /// Puts the rule values into the observations of the SLOs that read them: a missing or
    /// NaN value is "no data"; a failed query empties those windows and is reported against
    /// each SLO.
    pub fn apply(
        &self,
        plan: &QueryPlan,
        answer: &Result<Answer, SourceError>,
        observations: &mut [SloObservation],
        origins: &[Origin],
        issues: &mut Vec<SloIssue>,
    ) {
        let values: HashMap<RuleKey, f64> = match answer {
            Ok(answer) => answer
                .samples
                .iter()
                .filter_map(|s| rule_key(&s.labels).map(|k| (k, s.value)))
                .collect(),
            Err(_) => HashMap::new(),
        };
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
            if let Err(error) = answer {
                let issue = SloIssue {
                    slo_id: spec.id.clone(),
                    windows: windows.iter().copied().collect(),
                    error: Cause::Query(error.clone()),
                };
                observation.issues.push(issue.message());
                issues.push(issue);
            }
        }
    }
}
