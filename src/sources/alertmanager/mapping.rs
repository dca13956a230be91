//! Alertmanager alerts and silences → ondeck's incident model. Pure: no IO, so the poller,
//! the unit tests and fuzz targets share it.

use std::collections::BTreeMap;

use super::group::{AlertGroup, Selector, group_alerts};
use super::wire::{Alert, GettableSilence, parse_alerts, parse_silences};
use crate::model::{Incident, IncidentStatus, Link, Silence, SilenceMatcher, Urgency};
use crate::sources::SourceError;

/// Severity words that wake someone up; anything else is working-hours work.
const HIGH_SEVERITIES: [&str; 4] = ["critical", "page", "error", "high"];

/// Whether a `severity` label value calls for a human now.
pub fn urgency_of(severity: Option<&str>) -> Urgency {
    match severity {
        Some(word) if HIGH_SEVERITIES.iter().any(|h| h.eq_ignore_ascii_case(word)) => Urgency::High,
        _ => Urgency::Low,
    }
}

/// Parses both poll answers and maps them into incidents, grouped by `group_by`.
/// `silences_body` is optional: without it acknowledgements carry no name or time.
pub fn parse_incidents(
    source: &str,
    group_by: &[String],
    alerts_body: &[u8],
    silences_body: Option<&[u8]>,
) -> Result<Vec<Incident>, SourceError> {
    let alerts = parse_alerts(alerts_body)?;
    let silences = match silences_body {
        Some(body) => parse_silences(body)?,
        None => Vec::new(),
    };
    Ok(map_incidents(source, &alerts, &silences, group_by))
}

/// One incident per group of alerts; `silences` name who acknowledged and when.
pub fn map_incidents(
    source: &str,
    alerts: &[Alert],
    silences: &[GettableSilence],
    group_by: &[String],
) -> Vec<Incident> {
    group_alerts(alerts, group_by)
        .iter()
        .filter_map(|group| incident_of(source, group, silences))
        .collect()
}

/// The incident for one group (`None` only for a group without alerts, which grouping
/// never produces).
pub fn incident_of(
    source: &str,
    group: &AlertGroup<'_>,
    silences: &[GettableSilence],
) -> Option<Incident> {
    let alerts = &group.alerts;
    let annotation = |key: &str| {
        alerts
            .iter()
            .find_map(|a| a.annotations.get(key).filter(|v| !v.is_empty()))
            .cloned()
    };
    let label = |key: &str| {
        alerts
            .iter()
            .find_map(|a| a.labels.get(key).filter(|v| !v.is_empty()))
            .cloned()
    };
    let base = annotation("summary")
        .or_else(|| label("alertname"))
        .unwrap_or_else(|| "alert".to_string());
    let title = match alerts.len() {
        1 => base,
        n => format!("{base} ({n} alerts)"),
    };
    let service = label("service")
        .or_else(|| label("job"))
        .unwrap_or_else(|| "-".to_string());
    let created_at = alerts.iter().map(|a| a.starts_at).min()?;
    let mut incident = Incident::new(source, &group.id, &title, &service, created_at);

    incident.severity = severity(alerts);
    incident.urgency = urgency_of(incident.severity.as_deref());
    incident.description = annotation("description");
    let runbook_url = annotation("runbook_url");
    incident.runbook = runbook_url.clone().or_else(|| label("runbook"));
    incident.labels = labels(group);
    incident.annotations = annotations(alerts);
    incident.links = links(alerts, runbook_url);

    let any_active = alerts.iter().any(|a| a.is_active());
    incident.suppressed = !any_active;
    if !any_active && alerts.iter().all(|a| a.is_silenced()) {
        incident.status = IncidentStatus::Acknowledged;
        let holder = silences
            .iter()
            .filter(|s| {
                s.is_active() && alerts.iter().any(|a| a.status.silenced_by.contains(&s.id))
            })
            .min_by_key(|s| s.starts_at);
        if let Some(silence) = holder {
            incident.acknowledged_by = Some(silence.created_by.clone());
            incident.acknowledged_at = Some(silence.starts_at);
        }
    }
    Some(incident)
}

/// The most urgent `severity` label of the group, else the first one present.
fn severity(alerts: &[&Alert]) -> Option<String> {
    let severities = alerts.iter().filter_map(|a| a.labels.get("severity"));
    let mut fallback = None;
    for word in severities {
        if urgency_of(Some(word)) == Urgency::High {
            return Some(word.clone());
        }
        fallback = fallback.or(Some(word));
    }
    fallback.cloned()
}

/// The group labels that have a value, plus every label all alerts share.
fn labels(group: &AlertGroup<'_>) -> BTreeMap<String, String> {
    let mut labels: BTreeMap<String, String> = group
        .key
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .cloned()
        .collect();
    if let Some((first, rest)) = group.alerts.split_first() {
        for (name, value) in &first.labels {
            if rest.iter().all(|a| a.labels.get(name) == Some(value)) {
                labels.insert(name.clone(), value.clone());
            }
        }
    }
    labels
}

/// The annotations every alert of the group carries with the same value (`runbook_url`,
/// usually `summary`); one that differs between alerts describes no single incident.
fn annotations(alerts: &[&Alert]) -> BTreeMap<String, String> {
    let Some((first, rest)) = alerts.split_first() else {
        return BTreeMap::new();
    };
    first
        .annotations
        .iter()
        .filter(|(name, value)| {
            rest.iter()
                .all(|a| a.annotations.get(*name) == Some(*value))
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// Each distinct generator URL, then the runbook URL.
fn links(alerts: &[&Alert], runbook_url: Option<String>) -> Vec<Link> {
    let mut links: Vec<Link> = Vec::new();
    let generators = alerts
        .iter()
        .filter_map(|a| a.generator_url.as_ref())
        .filter(|url| !url.is_empty());
    for url in generators {
        if !links.iter().any(|l| &l.url == url) {
            links.push(Link {
                label: "alert rule".to_string(),
                url: url.clone(),
            });
        }
    }
    if let Some(url) = runbook_url {
        links.push(Link {
            label: "runbook".to_string(),
            url,
        });
    }
    links
}

/// The active silences, soonest to end first, each with how many firing alerts it silences.
pub fn map_silences(source: &str, silences: &[GettableSilence], alerts: &[Alert]) -> Vec<Silence> {
    let mut active: Vec<Silence> = silences
        .iter()
        .filter(|s| s.is_active())
        .map(|s| {
            let selector = Selector::new(&s.matchers);
            Silence {
                source: source.to_string(),
                id: s.id.clone(),
                matchers: s
                    .matchers
                    .iter()
                    .map(|m| SilenceMatcher {
                        name: m.name.clone(),
                        value: m.value.clone(),
                        is_regex: m.is_regex,
                        is_equal: m.is_equal,
                    })
                    .collect(),
                created_by: s.created_by.clone(),
                comment: s.comment.clone(),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                matching_alerts: alerts.iter().filter(|a| selector.silences(s, a)).count(),
            }
        })
        .collect();
    active.sort_by(|a, b| (a.ends_at, &a.id).cmp(&(b.ends_at, &b.id)));
    active
}
