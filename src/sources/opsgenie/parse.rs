//! Opsgenie answers → the incident model. Pure functions over bytes, so fuzz targets can
//! feed them anything: they return [`SourceError::Malformed`] and never panic.

use chrono::TimeDelta;
use serde::de::DeserializeOwned;

use super::wire::{
    Accepted, AlertList, AlertOne, NextOnCallAnswer, OnCallAnswer, StatusAnswer, Who, WireAlert,
};
use crate::model::{Incident, IncidentStatus, PastIncident, Urgency};
use crate::sources::SourceError;

/// What Opsgenie says became of an accepted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestStatus {
    /// Whether the action was carried out.
    pub is_success: bool,
    /// Opsgenie's words for the outcome, e.g. "Alert acknowledged" or "Alert does not exist".
    pub status: String,
}

/// One page of `GET /v2/alerts`, mapped by the caller's choice of mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertPage<T> {
    /// The alerts of this page, in the server's order.
    pub items: Vec<T>,
    /// Where the next page is (`paging.next`), `None` on the last page.
    pub next: Option<String>,
    /// Whether the answer had a `paging` object at all (a proxy may strip it).
    pub paged: bool,
}

/// Parses a `GET /v2/alerts` page for the source named `source`.
pub fn parse_alerts(body: &[u8], source: &str) -> Result<Vec<Incident>, SourceError> {
    parse_alert_page(body, source).map(|page| page.items)
}

/// Parses a `GET /v2/alerts` page with its link to the next page.
pub fn parse_alert_page(body: &[u8], source: &str) -> Result<AlertPage<Incident>, SourceError> {
    page_of(body, |alert| to_incident(alert, source))
}

/// Parses a `GET /v2/alerts` page as history: when each alert opened, was first
/// acknowledged and closed (`report.ackTime` and `closeTime`, milliseconds after
/// `createdAt`), whatever its status now.
pub fn parse_history_page(body: &[u8]) -> Result<AlertPage<PastIncident>, SourceError> {
    page_of(body, |alert| {
        let report = alert.report.unwrap_or_default();
        let after = |ms: Option<i64>| {
            ms.and_then(TimeDelta::try_milliseconds)
                .and_then(|d| alert.created_at.checked_add_signed(d))
        };
        let closed = alert.status.as_deref() == Some("closed");
        PastIncident {
            id: alert.id,
            created_at: alert.created_at,
            acknowledged_at: after(report.ack_time),
            // A reopened alert may keep the close time of its earlier life.
            resolved_at: after(report.close_time).filter(|_| closed),
        }
    })
}

fn page_of<T>(body: &[u8], map: impl Fn(WireAlert) -> T) -> Result<AlertPage<T>, SourceError> {
    let list: AlertList = decode(body, "alert list")?;
    Ok(AlertPage {
        items: list.data.into_iter().map(map).collect(),
        paged: list.paging.is_some(),
        next: list
            .paging
            .and_then(|p| p.next)
            .filter(|n| !n.trim().is_empty()),
    })
}

/// Parses a `GET /v2/alerts/{id}` answer: the alert as it stands.
pub fn parse_alert(body: &[u8], source: &str) -> Result<Incident, SourceError> {
    let one: AlertOne = decode(body, "alert")?;
    Ok(to_incident(one.data, source))
}

/// The `requestId` of a `202 Accepted` answer to an alert action.
pub fn parse_accepted(body: &[u8]) -> Result<String, SourceError> {
    let accepted: Accepted = decode(body, "accepted request")?;
    Ok(accepted.request_id)
}

/// Parses a `GET /v2/alerts/requests/{requestId}` answer.
pub fn parse_request_status(body: &[u8]) -> Result<RequestStatus, SourceError> {
    let answer: StatusAnswer = decode(body, "request status")?;
    let data = answer.data;
    let status = data
        .status
        .filter(|s| !s.is_empty())
        .or(data.action)
        .unwrap_or_else(|| "no status given".to_string());
    Ok(RequestStatus {
        is_success: data.is_success,
        status,
    })
}

/// Who is on call now, from a schedule's `on-calls` answer.
pub fn parse_on_calls(body: &[u8]) -> Result<Vec<String>, SourceError> {
    let answer: OnCallAnswer = decode(body, "on-call answer")?;
    let data = answer.data;
    Ok(people(&[
        data.on_call_recipients,
        data.on_call_participants,
    ]))
}

/// Who is on call next, from a schedule's `next-on-calls` answer: the exact next
/// recipients when given, else the next ones.
pub fn parse_next_on_calls(body: &[u8]) -> Result<Vec<String>, SourceError> {
    let answer: NextOnCallAnswer = decode(body, "next on-call answer")?;
    let data = answer.data;
    Ok(people(&[
        data.exact_next_on_call_recipients,
        data.exact_next_on_call_participants,
        data.next_on_call_recipients,
        data.next_on_call_participants,
    ]))
}

/// The people of the first list that names anyone, each once.
fn people(lists: &[Vec<Who>]) -> Vec<String> {
    for list in lists {
        let mut names: Vec<String> = Vec::new();
        for name in list.iter().filter_map(Who::person) {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        if !names.is_empty() {
            return names;
        }
    }
    Vec::new()
}

fn decode<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, SourceError> {
    serde_json::from_slice(body)
        .map_err(|e| SourceError::Malformed(format!("Opsgenie {what}: {e}")))
}

fn to_incident(alert: WireAlert, source: &str) -> Incident {
    let title = alert
        .message
        .clone()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| alert.id.clone());
    let service = service(&alert).unwrap_or_else(|| "unknown".to_string());
    let mut incident = Incident::new(source, &alert.id, &title, &service, alert.created_at);
    let report = alert.report.unwrap_or_default();
    let after = |ms: Option<i64>| {
        ms.and_then(TimeDelta::try_milliseconds)
            .and_then(|d| alert.created_at.checked_add_signed(d))
    };
    incident.status = if alert.status.as_deref() == Some("closed") {
        IncidentStatus::Resolved
    } else if alert.acknowledged {
        IncidentStatus::Acknowledged
    } else {
        IncidentStatus::Triggered
    };
    incident.urgency = match alert.priority.as_deref() {
        Some("P1" | "P2") => Urgency::High,
        _ => Urgency::Low,
    };
    incident.severity = alert.priority.filter(|p| !p.is_empty());
    let owner = alert.owner.filter(|o| !o.is_empty());
    if alert.acknowledged {
        // Not the owner when Opsgenie does not say: the owner need not be who acknowledged.
        incident.acknowledged_by = report.acknowledged_by.filter(|a| !a.is_empty());
        incident.acknowledged_at = after(report.ack_time);
    }
    if incident.status == IncidentStatus::Resolved {
        incident.resolved_at = after(report.close_time);
    }
    incident.assignees = owner.into_iter().collect();
    incident.suppressed = alert.snoozed;
    incident.description = alert.description.filter(|d| !d.is_empty());
    let labels = &mut incident.labels;
    let mut plain = Vec::new();
    for tag in &alert.tags {
        match tag.split_once([':', '=']) {
            Some((key, value)) if !key.is_empty() => {
                labels.insert(key.to_string(), value.to_string());
            }
            _ => plain.push(tag.as_str()),
        }
    }
    if !plain.is_empty() {
        labels.insert("tags".into(), plain.join(", "));
    }
    for (key, value) in &alert.details {
        if let Some(text) = scalar(value) {
            labels.insert(key.clone(), text);
        }
    }
    if let Some(tiny) = alert.tiny_id.filter(|t| !t.is_empty()) {
        labels.insert("tiny_id".into(), tiny);
    }
    if let Some(alias) = alert.alias.filter(|a| !a.is_empty()) {
        labels.insert("alias".into(), alias);
    }
    if let Some(count) = alert.count.filter(|c| *c > 1) {
        labels.insert("count".into(), count.to_string());
    }
    incident
}

/// The service an alert is about: a `service:<name>` tag, else a `service` detail, else
/// the alert's entity.
fn service(alert: &WireAlert) -> Option<String> {
    let tagged = alert.tags.iter().find_map(|tag| {
        tag.split_once([':', '='])
            .filter(|(key, _)| key.eq_ignore_ascii_case("service"))
            .map(|(_, value)| value.trim().to_string())
    });
    tagged
        .or_else(|| alert.details.get("service").and_then(scalar))
        .or_else(|| alert.entity.clone())
        .filter(|s| !s.is_empty())
}

fn scalar(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(_) | serde_json::Value::Bool(_) => Some(value.to_string()),
        _ => None,
    }
}
