//! PagerDuty REST API v2 bodies as the vendor's OpenAPI describes them, only the fields ondeck
//! reads. Every field the schema does not mark required is optional here, so an account
//! without a feature (priorities, teams, conference bridges) still parses.

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// Any `*_reference` object: `{id, type, summary, self, html_url}` (id and summary read).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Reference {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
}

/// The `Pagination` fields of every list answer: the `limit` and `offset` the server used
/// (which may differ from what was asked) and `more`. `total` is `null` unless asked for,
/// and ondeck never needs it.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub(crate) struct Pagination {
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub offset: Option<usize>,
    #[serde(default)]
    pub more: bool,
}

/// `GET /incidents`: a page of incidents.
#[derive(Debug, Deserialize)]
pub(crate) struct IncidentList {
    pub incidents: Vec<WireIncident>,
    #[serde(flatten)]
    pub paging: Pagination,
}

/// `GET /incidents/{id}`: one incident.
#[derive(Debug, Deserialize)]
pub(crate) struct IncidentOne {
    pub incident: WireIncident,
}

/// One incident of the `Incident` schema.
#[derive(Debug, Deserialize)]
pub(crate) struct WireIncident {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub incident_number: Option<u64>,
    pub created_at: DateTime<Utc>,
    pub status: String,
    #[serde(default)]
    pub urgency: Option<String>,
    #[serde(default)]
    pub incident_key: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub service: Option<Reference>,
    #[serde(default)]
    pub escalation_policy: Option<Reference>,
    #[serde(default)]
    pub teams: Vec<Reference>,
    #[serde(default)]
    pub priority: Option<Reference>,
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    #[serde(default)]
    pub acknowledgements: Vec<Acknowledgement>,
    #[serde(default)]
    pub pending_actions: Vec<PendingAction>,
    #[serde(default)]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub conference_bridge: Option<ConferenceBridge>,
    #[serde(default)]
    pub body: Option<IncidentBody>,
}

/// `assignments[]`: who holds the incident.
#[derive(Debug, Deserialize)]
pub(crate) struct Assignment {
    pub assignee: Reference,
}

/// `acknowledgements[]`: who took it and when.
#[derive(Debug, Deserialize)]
pub(crate) struct Acknowledgement {
    pub at: DateTime<Utc>,
    pub acknowledger: Reference,
}

/// `pending_actions[]`: a change PagerDuty will make by itself (`escalate`, `resolve`, …).
#[derive(Debug, Deserialize)]
pub(crate) struct PendingAction {
    #[serde(rename = "type")]
    pub kind: String,
    pub at: DateTime<Utc>,
}

/// `conference_bridge`.
#[derive(Debug, Deserialize)]
pub(crate) struct ConferenceBridge {
    #[serde(default)]
    pub conference_url: Option<String>,
}

/// `body` (with `include[]=body`): free-form details.
#[derive(Debug, Deserialize)]
pub(crate) struct IncidentBody {
    #[serde(default)]
    pub details: Option<serde_json::Value>,
}

/// `GET /oncalls`: a page of on-call entries.
#[derive(Debug, Deserialize)]
pub(crate) struct OncallList {
    pub oncalls: Vec<WireOncall>,
    #[serde(flatten)]
    pub paging: Pagination,
}

/// One entry of the `Oncall` schema. `start`/`end` are null for permanent on-calls.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireOncall {
    #[serde(default)]
    pub user: Option<Reference>,
    #[serde(default)]
    pub schedule: Option<Reference>,
    #[serde(default)]
    pub escalation_policy: Option<Reference>,
    #[serde(default)]
    pub escalation_level: Option<u32>,
    #[serde(default)]
    pub start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
}

/// `GET /users?query=…` (not in the API subset ondeck ships; the shape is PagerDuty's
/// documented user list: `{users: [{id, email, name}], more}`).
#[derive(Debug, Deserialize)]
pub(crate) struct UserList {
    pub users: Vec<WireUser>,
    #[serde(flatten)]
    pub paging: Pagination,
}

/// One user of a user list.
#[derive(Debug, Deserialize)]
pub(crate) struct WireUser {
    pub id: String,
    #[serde(default)]
    pub email: Option<String>,
}

/// `GET /incidents/{id}/log_entries`: a page of log entries.
#[derive(Debug, Deserialize)]
pub(crate) struct LogEntryList {
    pub log_entries: Vec<WireLogEntry>,
    #[serde(flatten)]
    pub paging: Pagination,
}

/// One log entry, only its kind and time (`acknowledge_log_entry`, …).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireLogEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: DateTime<Utc>,
}
