//! The pure mapping from Alerta's JSON to ondeck's [`Incident`]: no IO, never panics, so
//! fuzz targets and unit tests can feed it arbitrary bytes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::wire::{AlertBody, AlertsBody, WireAlert, WireHistory};
use crate::model::{Incident, IncidentStatus, Link, Urgency};
use crate::sources::SourceError;

/// One page of `GET /alerts`, mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertPage {
    /// The alerts that mapped, in the server's order.
    pub incidents: Vec<Incident>,
    /// Whether Alerta has a further page: its `more`, else its `page` < `pages`, else
    /// whether this page held anything (only an empty page proves the end).
    pub more: bool,
    /// The page number the server says this is, if it says.
    pub page: Option<u32>,
    /// Alerts left out because they could not be understood, each as "alert <id>: why".
    pub skipped: Vec<String>,
}

/// Maps one page of `GET /alerts` for the source named `source`. A body that is not Alerta's
/// envelope, or that reports `"status": "error"`, is an error; a single alert that cannot be
/// understood is left out and named in [`AlertPage::skipped`], so one odd alert never hides
/// the others.
pub fn parse_alerts(body: &[u8], source: &str) -> Result<AlertPage, SourceError> {
    let envelope: AlertsBody = serde_json::from_slice(body)
        .map_err(|e| SourceError::Malformed(format!("Alerta alert list: {e}")))?;
    reject_error_status(envelope.status.as_deref(), envelope.message.as_deref())?;
    let Some(alerts) = envelope.alerts else {
        return Err(SourceError::Malformed(
            "Alerta alert list has no `alerts` field".into(),
        ));
    };
    let more = envelope
        .more
        .or_else(|| Some(envelope.page? < envelope.pages?))
        .unwrap_or(!alerts.is_empty());
    let mut page = AlertPage {
        incidents: Vec::with_capacity(alerts.len()),
        more,
        page: envelope.page,
        skipped: Vec::new(),
    };
    for (index, raw) in alerts.into_iter().enumerate() {
        let id = raw
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{}", index + 1), str::to_string);
        match map_value(raw, source) {
            Ok(incident) => page.incidents.push(incident),
            Err(why) => page.skipped.push(format!("alert {id}: {why}")),
        }
    }
    Ok(page)
}

/// Maps the answer of `GET /alert/{id}` for the source named `source`.
pub fn parse_alert(body: &[u8], source: &str) -> Result<Incident, SourceError> {
    let envelope: AlertBody = serde_json::from_slice(body)
        .map_err(|e| SourceError::Malformed(format!("Alerta alert: {e}")))?;
    reject_error_status(envelope.status.as_deref(), envelope.message.as_deref())?;
    let raw = envelope
        .alert
        .ok_or_else(|| SourceError::Malformed("Alerta answer has no `alert` field".into()))?;
    map_value(raw, source).map_err(|why| SourceError::Malformed(format!("Alerta alert: {why}")))
}

/// Where an Alerta status puts an incident, and whether Alerta is suppressing it. Unknown
/// statuses count as triggered: better a page too many than a page hidden.
pub fn status_of(alerta_status: &str) -> (IncidentStatus, bool) {
    match alerta_status {
        "ack" | "shelved" => (IncidentStatus::Acknowledged, false),
        "closed" | "expired" => (IncidentStatus::Resolved, false),
        "blackout" => (IncidentStatus::Triggered, true),
        _ => (IncidentStatus::Triggered, false),
    }
}

/// High for the severities that wake someone (`security`, `critical`, `major`), else low.
pub fn urgency_of(severity: &str) -> Urgency {
    match severity {
        "security" | "critical" | "major" => Urgency::High,
        _ => Urgency::Low,
    }
}

pub(super) fn reject_error_status(
    status: Option<&str>,
    message: Option<&str>,
) -> Result<(), SourceError> {
    if status == Some("error") {
        let message = message.unwrap_or("no reason given");
        return Err(SourceError::Rejected(format!("Alerta: {message}")));
    }
    Ok(())
}

fn map_value(raw: Value, source: &str) -> Result<Incident, String> {
    let alert: WireAlert = serde_json::from_value(raw).map_err(|e| e.to_string())?;
    map_alert(alert, source)
}

pub(super) fn non_empty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

pub(super) fn timestamp(text: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text?.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn map_alert(alert: WireAlert, source: &str) -> Result<Incident, String> {
    let id = non_empty(alert.id.as_deref()).ok_or("no id")?;
    let created = timestamp(alert.create_time.as_deref())
        .or_else(|| timestamp(alert.receive_time.as_deref()))
        .ok_or("no valid createTime")?;
    let resource = non_empty(alert.resource.as_deref()).unwrap_or("unknown resource");
    let event = non_empty(alert.event.as_deref()).unwrap_or("alert");
    let title = non_empty(alert.text.as_deref())
        .map_or_else(|| format!("{event} on {resource}"), str::to_string);
    let service = alert
        .service
        .iter()
        .flatten()
        .find_map(|s| non_empty(Some(s.as_str())))
        .unwrap_or(resource);
    let mut incident = Incident::new(source, id, &title, service, created);

    let severity = non_empty(alert.severity.as_deref()).map(str::to_ascii_lowercase);
    incident.urgency = severity.as_deref().map_or(Urgency::Low, urgency_of);
    incident.severity = severity;
    let (status, suppressed) = status_of(non_empty(alert.status.as_deref()).unwrap_or("open"));
    incident.status = status;
    incident.suppressed = suppressed;

    let history = alert.history.as_deref().unwrap_or_default();
    match status {
        IncidentStatus::Acknowledged => {
            if let Some(entry) = last_change_to(history, &["ack", "shelved"]) {
                incident.acknowledged_at = timestamp(entry.update_time.as_deref());
                incident.acknowledged_by = non_empty(entry.user.as_deref()).map(str::to_string);
            }
        }
        IncidentStatus::Resolved => {
            incident.resolved_at = last_change_to(history, &["closed", "expired"])
                .and_then(|entry| timestamp(entry.update_time.as_deref()));
        }
        IncidentStatus::Triggered => {}
    }

    let attributes = alert.attributes.unwrap_or_default();
    incident.description = attribute(&attributes, "description")
        .or_else(|| value_text(alert.value.as_ref()))
        .filter(|d| *d != title);
    incident.runbook = ["runbookUrl", "runbook", "runbook_url"]
        .iter()
        .find_map(|key| attribute(&attributes, key));
    if let Some(href) = non_empty(alert.href.as_deref()) {
        incident.links.push(Link {
            label: "Alerta".into(),
            url: href.to_string(),
        });
    }
    if let Some(url) = attribute(&attributes, "moreInfo").and_then(|m| link_target(&m)) {
        incident.links.push(Link {
            label: "more info".into(),
            url,
        });
    }
    // Attributes are Alerta's annotations (its Prometheus webhook stores them there); they
    // stay among the labels too, which runbooks have always matched on.
    incident.annotations = attributes
        .iter()
        .filter_map(|(key, value)| Some((key.clone(), value_text(Some(value))?)))
        .collect();
    incident.labels = labels(
        alert.tags.as_deref().unwrap_or_default(),
        &attributes,
        [
            ("environment", alert.environment.as_deref()),
            ("group", alert.group.as_deref()),
            ("resource", alert.resource.as_deref()),
            ("event", alert.event.as_deref()),
            ("origin", alert.origin.as_deref()),
        ],
    );
    Ok(incident)
}

/// The newest history entry that moved the alert into one of `statuses`. Notes also carry
/// the status at the time, so only real transitions count.
pub(super) fn last_change_to<'a>(
    history: &'a [WireHistory],
    statuses: &[&str],
) -> Option<&'a WireHistory> {
    history
        .iter()
        .filter(|entry| entry.change_type.as_deref() != Some("note"))
        .filter(|entry| {
            entry
                .status
                .as_deref()
                .is_some_and(|status| statuses.contains(&status))
        })
        .max_by_key(|entry| timestamp(entry.update_time.as_deref()))
}

/// A scalar attribute as text; objects, arrays, null and blank strings give nothing.
fn attribute(attributes: &Map<String, Value>, key: &str) -> Option<String> {
    value_text(attributes.get(key))
}

fn value_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => non_empty(Some(text)).map(str::to_string),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// `moreInfo` is a plain URL, or (from Alerta's own Prometheus and Stackdriver webhooks) an
/// HTML anchor whose `href` is the URL.
fn link_target(more_info: &str) -> Option<String> {
    if let Some(start) = more_info.find("href=\"") {
        let rest = &more_info[start + "href=\"".len()..];
        let end = rest.find('"')?;
        return non_empty(Some(&rest[..end])).map(str::to_string);
    }
    let text = more_info.trim();
    (text.starts_with("http://") || text.starts_with("https://")).then(|| text.to_string())
}

/// Tags (`k=v` split at the first `=`, plain tags gathered comma-separated under `tag`),
/// then scalar attributes, then Alerta's own fields, each later source winning a clash.
/// `alertname` falls back to the event, so runbooks written for Prometheus alerts match
/// alerts that reached Alerta through Alertmanager's webhook.
fn labels<'a>(
    tags: &[String],
    attributes: &Map<String, Value>,
    fields: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut plain = Vec::new();
    for tag in tags {
        match tag.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                labels.insert(key.trim().to_string(), value.trim().to_string());
            }
            _ => {
                if let Some(tag) = non_empty(Some(tag)) {
                    plain.push(tag);
                }
            }
        }
    }
    if !plain.is_empty() {
        labels.insert("tag".to_string(), plain.join(","));
    }
    for (key, value) in attributes {
        if let Some(text) = value_text(Some(value)) {
            labels.insert(key.clone(), text);
        }
    }
    for (key, value) in fields {
        if let Some(value) = non_empty(value) {
            labels.insert(key.to_string(), value.to_string());
        }
    }
    if !labels.contains_key("alertname")
        && let Some(event) = labels.get("event").cloned()
    {
        labels.insert("alertname".to_string(), event);
    }
    labels
}
