//! Alerts grouped into incidents: one group per distinct tuple of the `group_by` label values,
//! named by a short id that is the same on every poll and every run, and the label matching
//! that decides which silences cover a group.

use std::collections::BTreeMap;

use regex::Regex;

use super::wire::{Alert, GettableSilence, Matcher};

/// The alerts that share one tuple of `group_by` label values: one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertGroup<'a> {
    /// The incident id ([`group_id`] of `key`).
    pub id: String,
    /// The `group_by` labels in configured order with this group's values; a label the
    /// alerts lack has the value `""`, as Alertmanager matches it.
    pub key: Vec<(String, String)>,
    /// The alerts, oldest first.
    pub alerts: Vec<&'a Alert>,
}

impl AlertGroup<'_> {
    /// Equality matchers on the group labels: a silence with these silences exactly this
    /// group (an empty value matches alerts without the label).
    pub fn matchers(&self) -> Vec<Matcher> {
        self.key
            .iter()
            .map(|(name, value)| Matcher {
                name: name.clone(),
                value: value.clone(),
                is_regex: false,
                is_equal: true,
            })
            .collect()
    }

    /// Whether `silence` silences every alert of the group: Alertmanager says so in the
    /// alert's `silencedBy`, or (for a silence made a moment ago, before Alertmanager has
    /// re-evaluated the alert) its matchers match the alert's labels.
    pub fn covered_by(&self, silence: &GettableSilence) -> bool {
        if !silence.is_active() {
            return false;
        }
        let selector = Selector::new(&silence.matchers);
        self.alerts
            .iter()
            .all(|alert| selector.silences(silence, alert))
    }

    /// Whether `silence` silences at least one alert of the group.
    pub fn touched_by(&self, silence: &GettableSilence) -> bool {
        if !silence.is_active() {
            return false;
        }
        let selector = Selector::new(&silence.matchers);
        self.alerts
            .iter()
            .any(|alert| selector.silences(silence, alert))
    }
}

/// Groups `alerts` by the values of the `group_by` labels. Groups come in order of their
/// label values, so the incident list does not reshuffle between polls.
pub fn group_alerts<'a>(alerts: &'a [Alert], group_by: &[String]) -> Vec<AlertGroup<'a>> {
    let mut groups: BTreeMap<Vec<String>, Vec<&'a Alert>> = BTreeMap::new();
    for alert in alerts {
        let values = group_by
            .iter()
            .map(|name| alert.labels.get(name).cloned().unwrap_or_default())
            .collect();
        groups.entry(values).or_default().push(alert);
    }
    groups
        .into_iter()
        .map(|(values, mut alerts)| {
            alerts
                .sort_by(|a, b| (a.starts_at, &a.fingerprint).cmp(&(b.starts_at, &b.fingerprint)));
            let key: Vec<(String, String)> = group_by.iter().cloned().zip(values).collect();
            AlertGroup {
                id: group_id(&key),
                key,
                alerts,
            }
        })
        .collect()
}

/// A 12-hex-digit id for a group's labels: FNV-1a (64 bit) of the names and values, so it is
/// stable across polls, restarts and builds (std's hasher is randomly seeded) and safe to
/// type in a shell (`ondeck ack 3f9c0a…`).
pub fn group_id(key: &[(String, String)]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    // 0xff never occurs in UTF-8, so it separates fields unambiguously.
    for (name, value) in key {
        for byte in name
            .bytes()
            .chain([0xff])
            .chain(value.bytes())
            .chain([0xff])
        {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{:012x}", hash >> 16)
}

/// A silence's matchers compiled once, to test against many alerts.
pub struct Selector {
    terms: Vec<Term>,
}

struct Term {
    name: String,
    pattern: Pattern,
    is_equal: bool,
}

enum Pattern {
    Literal(String),
    /// `None` for a pattern Go accepts but this engine does not: it matches nothing rather
    /// than guessing.
    Regex(Option<Regex>),
}

impl Selector {
    /// Compiles `matchers`; regular expressions are anchored at both ends, as Alertmanager
    /// anchors them.
    pub fn new(matchers: &[Matcher]) -> Self {
        let terms = matchers
            .iter()
            .map(|m| Term {
                name: m.name.clone(),
                pattern: if m.is_regex {
                    Pattern::Regex(Regex::new(&format!("^(?:{})$", m.value)).ok())
                } else {
                    Pattern::Literal(m.value.clone())
                },
                is_equal: m.is_equal,
            })
            .collect();
        Self { terms }
    }

    /// Whether every matcher matches `labels`; a missing label reads as `""`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.terms.iter().all(|term| {
            let value = labels.get(&term.name).map_or("", String::as_str);
            let equal = match &term.pattern {
                Pattern::Literal(literal) => value == literal,
                Pattern::Regex(Some(re)) => re.is_match(value),
                Pattern::Regex(None) => return false,
            };
            equal == term.is_equal
        })
    }

    /// Whether `silence` (whose matchers these are) silences `alert`: Alertmanager says so
    /// in `silencedBy`, or, for a silence made a moment ago that Alertmanager has not applied
    /// yet, its matchers match the alert's labels.
    pub fn silences(&self, silence: &GettableSilence, alert: &Alert) -> bool {
        alert.status.silenced_by.contains(&silence.id) || self.matches(&alert.labels)
    }
}
