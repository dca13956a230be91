//! Pages and alerts from every incident system, in one shape.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an incident is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentStatus {
    /// Paging, nobody has taken it.
    Triggered,
    /// Someone holds it.
    Acknowledged,
    /// Over.
    Resolved,
}

impl IncidentStatus {
    /// Lower-case name as the JSON output writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Triggered => "triggered",
            IncidentStatus::Acknowledged => "acknowledged",
            IncidentStatus::Resolved => "resolved",
        }
    }
}

/// How urgently a human is needed. Ordered so `High` sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    /// Wake someone up.
    High,
    /// Working hours.
    Low,
}

impl Urgency {
    /// Lower-case name as the JSON output writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::High => "high",
            Urgency::Low => "low",
        }
    }
}

/// A link shown with an incident (dashboard, backend page, runbook URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// What the link is.
    pub label: String,
    /// Where it goes.
    pub url: String,
}

/// One page, alert or incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Backend id, unique within its source.
    pub id: String,
    /// Name of the configured source it came from.
    pub source: String,
    /// One-line summary.
    pub title: String,
    /// Affected service.
    pub service: String,
    /// Triggered, acknowledged or resolved.
    pub status: IncidentStatus,
    /// High or low.
    pub urgency: Urgency,
    /// When it opened.
    pub created_at: DateTime<Utc>,
    /// When someone acknowledged it, if they did.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When it resolved, if it did.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// Who holds it now (PagerDuty may assign several people).
    pub assignees: Vec<String>,
    /// Escalation level, 1 for the first responder, when the backend has one and ondeck
    /// knows it (Alertmanager, Alerta and Opsgenie have none; PagerDuty's is known when the
    /// holder's on-call shift is read).
    pub escalation_level: Option<u32>,
    /// When a triggered page escalates to the next level, if the backend says.
    pub escalates_at: Option<DateTime<Utc>>,
    /// The backend's own severity word (`critical`, `P1`, `major`), when it has one.
    pub severity: Option<String>,
    /// Longer text (`description` annotation, incident body), if any.
    pub description: Option<String>,
    /// Alertmanager: silenced or inhibited, so nobody is being paged for it.
    pub suppressed: bool,
    /// Labels or tags from the backend: what identifies the alert (`alertname`, `service`).
    pub labels: BTreeMap<String, String>,
    /// Annotations from the backend: what describes it (`summary`, `runbook_url`), where the
    /// backend keeps them apart from labels (Alertmanager).
    pub annotations: BTreeMap<String, String>,
    /// Related links.
    pub links: Vec<Link>,
    /// Runbook id or URL, if the alert names one.
    pub runbook: Option<String>,
}

impl Incident {
    /// Still needs attention (triggered or acknowledged).
    pub fn is_open(&self) -> bool {
        self.status != IncidentStatus::Resolved
    }

    /// The first assignee, the one the on-call pane shows.
    pub fn assignee(&self) -> Option<&str> {
        self.assignees.first().map(String::as_str)
    }

    /// A new triggered incident with everything optional left empty: backends fill in the
    /// rest, so adding a field to the model does not touch every mapper.
    pub fn new(
        source: &str,
        id: &str,
        title: &str,
        service: &str,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: id.to_string(),
            source: source.to_string(),
            title: title.to_string(),
            service: service.to_string(),
            status: IncidentStatus::Triggered,
            urgency: Urgency::High,
            created_at,
            acknowledged_at: None,
            resolved_at: None,
            acknowledged_by: None,
            assignees: Vec::new(),
            escalation_level: None,
            escalates_at: None,
            severity: None,
            description: None,
            suppressed: false,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            links: Vec::new(),
            runbook: None,
        }
    }
}

/// A change a responder asks of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentAction {
    /// Take it: stop escalation.
    Acknowledge,
    /// Close it.
    Resolve,
    /// Give it back: it pages again (Alertmanager: expire the silence).
    Unacknowledge,
}

impl IncidentAction {
    /// The verb as a responder reads it.
    pub fn verb(self) -> &'static str {
        match self {
            IncidentAction::Acknowledge => "acknowledge",
            IncidentAction::Resolve => "resolve",
            IncidentAction::Unacknowledge => "unacknowledge",
        }
    }

    /// The past participle for "acknowledged DEMO-3 on demo".
    pub fn past(self) -> &'static str {
        match self {
            IncidentAction::Acknowledge => "acknowledged",
            IncidentAction::Resolve => "resolved",
            IncidentAction::Unacknowledge => "un-acknowledged",
        }
    }

    /// The verb in its "-ing" form for "acknowledging…" on the row.
    pub fn progressive(self) -> &'static str {
        match self {
            IncidentAction::Acknowledge => "acking",
            IncidentAction::Resolve => "resolving",
            IncidentAction::Unacknowledge => "un-acking",
        }
    }

    /// The status the incident has once the action is delivered.
    pub fn resulting_status(self) -> IncidentStatus {
        match self {
            IncidentAction::Acknowledge => IncidentStatus::Acknowledged,
            IncidentAction::Resolve => IncidentStatus::Resolved,
            IncidentAction::Unacknowledge => IncidentStatus::Triggered,
        }
    }
}
