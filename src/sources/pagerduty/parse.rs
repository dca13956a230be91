//! PagerDuty answers → the incident model. Pure functions over bytes, so fuzz targets can
//! feed them anything: they return [`SourceError::Malformed`] and never panic.

use serde::de::DeserializeOwned;

use super::wire::{IncidentList, IncidentOne, Pagination, UserList, WireIncident};
use crate::model::{Incident, IncidentStatus, Link, Urgency};
use crate::sources::SourceError;

/// One page of `GET /incidents`, mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentPage {
    /// The incidents on this page, in the order PagerDuty listed them.
    pub incidents: Vec<Incident>,
    /// Whether PagerDuty has more pages (`more`).
    pub more: bool,
    /// The page size PagerDuty says it used, which may be smaller than asked.
    pub limit: Option<usize>,
    /// The offset PagerDuty says this page starts at.
    pub offset: Option<usize>,
    /// For each incident (same index): its escalation policy id and assignee ids, which
    /// the model does not keep but the escalation level is read from.
    pub(crate) holders: Vec<Holder>,
}

/// Who holds an incident, by PagerDuty ids.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Holder {
    pub policy: Option<String>,
    pub users: Vec<String>,
}

/// Parses a `GET /incidents` page for the source named `source`.
pub fn parse_incidents(body: &[u8], source: &str) -> Result<IncidentPage, SourceError> {
    let list: IncidentList = decode(body, "incident list")?;
    let holders = list.incidents.iter().map(holder).collect();
    let incidents = list
        .incidents
        .into_iter()
        .map(|wire| to_incident(wire, source))
        .collect();
    Ok(IncidentPage {
        incidents,
        more: list.paging.more,
        limit: list.paging.limit,
        offset: list.paging.offset,
        holders,
    })
}

/// Parses a `GET /incidents/{id}` answer: the incident as it stands.
pub fn parse_incident(body: &[u8], source: &str) -> Result<Incident, SourceError> {
    let one: IncidentOne = decode(body, "incident")?;
    Ok(to_incident(one.incident, source))
}

/// The id of the user whose email is `email` (case-insensitive) in a `GET /users?query=`
/// answer, if one matches exactly.
pub fn parse_user_id(body: &[u8], email: &str) -> Result<Option<String>, SourceError> {
    user_page(body, email).map(|(id, _, _)| id)
}

/// [`parse_user_id`] with the page's pagination and size, so a lookup can read on when the match is
/// on a later page.
pub(crate) fn user_page(
    body: &[u8],
    email: &str,
) -> Result<(Option<String>, Pagination, usize), SourceError> {
    let list: UserList = decode(body, "user list")?;
    let returned = list.users.len();
    let id = list
        .users
        .into_iter()
        .find(|u| {
            u.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .map(|u| u.id);
    Ok((id, list.paging, returned))
}

/// Deserializes JSON, naming what was expected when it fails.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, SourceError> {
    serde_json::from_slice(body)
        .map_err(|e| SourceError::Malformed(format!("PagerDuty {what}: {e}")))
}

fn holder(wire: &WireIncident) -> Holder {
    Holder {
        policy: wire.escalation_policy.as_ref().and_then(|p| p.id.clone()),
        users: wire
            .assignments
            .iter()
            .filter_map(|a| a.assignee.id.clone())
            .collect(),
    }
}

fn to_incident(wire: WireIncident, source: &str) -> Incident {
    let title = wire
        .title
        .clone()
        .or_else(|| wire.summary.clone())
        .unwrap_or_else(|| wire.id.clone());
    let service = wire
        .service
        .as_ref()
        .and_then(|s| s.summary.clone().or_else(|| s.id.clone()))
        .unwrap_or_else(|| "unknown".to_string());
    let mut incident = Incident::new(source, &wire.id, &title, &service, wire.created_at);
    incident.status = match wire.status.as_str() {
        "acknowledged" => IncidentStatus::Acknowledged,
        "resolved" => IncidentStatus::Resolved,
        _ => IncidentStatus::Triggered,
    };
    incident.urgency = match wire.urgency.as_deref() {
        Some("low") => Urgency::Low,
        _ => Urgency::High,
    };
    incident.assignees = wire
        .assignments
        .iter()
        .filter_map(|a| name(&a.assignee))
        .collect();
    // The earliest acknowledgement is the one time-to-acknowledge is measured by.
    if let Some(first) = wire.acknowledgements.iter().min_by_key(|a| a.at) {
        incident.acknowledged_at = Some(first.at);
        incident.acknowledged_by = name(&first.acknowledger);
    }
    incident.resolved_at = wire.resolved_at;
    if incident.status == IncidentStatus::Triggered {
        incident.escalates_at = wire
            .pending_actions
            .iter()
            .filter(|a| a.kind == "escalate")
            .map(|a| a.at)
            .min();
    }
    incident.severity = wire.priority.as_ref().and_then(name);
    labels(&wire, &mut incident);
    if let Some(url) = wire.html_url.filter(|u| !u.is_empty()) {
        incident.links.push(Link {
            label: "PagerDuty".to_string(),
            url,
        });
    }
    if let Some(url) = wire
        .conference_bridge
        .and_then(|b| b.conference_url)
        .filter(|u| !u.is_empty())
    {
        incident.links.push(Link {
            label: "Conference bridge".to_string(),
            url,
        });
    }
    incident.description = match wire.body.and_then(|b| b.details) {
        Some(serde_json::Value::String(text)) if !text.is_empty() => Some(text),
        _ => None,
    };
    incident
}

/// `incident_number`, `incident_key`, escalation policy and teams as labels.
fn labels(wire: &WireIncident, incident: &mut Incident) {
    let labels = &mut incident.labels;
    if let Some(number) = wire.incident_number {
        labels.insert("incident_number".into(), number.to_string());
    }
    if let Some(key) = wire.incident_key.as_ref().filter(|k| !k.is_empty()) {
        labels.insert("incident_key".into(), key.clone());
    }
    if let Some(policy) = wire.escalation_policy.as_ref().and_then(name) {
        labels.insert("escalation_policy".into(), policy);
    }
    let teams: Vec<String> = wire.teams.iter().filter_map(name).collect();
    if !teams.is_empty() {
        labels.insert("teams".into(), teams.join(", "));
    }
    if let Some(serde_json::Value::Object(details)) =
        wire.body.as_ref().and_then(|b| b.details.as_ref())
    {
        for (key, value) in details {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => value.to_string(),
                _ => continue,
            };
            labels.insert(format!("details.{key}"), text);
        }
    }
}

/// A reference's display name: its summary, else its id.
pub(crate) fn name(reference: &super::wire::Reference) -> Option<String> {
    reference
        .summary
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| reference.id.clone())
}
