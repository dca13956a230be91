//! Opsgenie Alert API and Who-Is-On-Call API bodies as the vendor's Swagger describes them,
//! only the fields ondeck reads, each optional unless the schema requires it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// `GET /v2/alerts`: `ListAlertsResponse`.
#[derive(Debug, Deserialize)]
pub(crate) struct AlertList {
    pub data: Vec<WireAlert>,
    #[serde(default)]
    pub paging: Option<PageDetails>,
}

/// `PageDetails`: links to other pages of the same list. `next` is absent on the last page.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PageDetails {
    #[serde(default)]
    pub next: Option<String>,
}

/// `GET /v2/alerts/{id}`: `GetAlertResponse`.
#[derive(Debug, Deserialize)]
pub(crate) struct AlertOne {
    pub data: WireAlert,
}

/// `BaseAlert` (list) and `Alert` (single, adds `entity`, `description`, `details`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireAlert {
    pub id: String,
    #[serde(default)]
    pub tiny_id: Option<String>,
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub acknowledged: bool,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub snoozed: bool,
    #[serde(default)]
    pub count: Option<u64>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub report: Option<Report>,
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub details: BTreeMap<String, serde_json::Value>,
}

/// `AlertReport`: times are milliseconds after `createdAt`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Report {
    #[serde(default)]
    pub ack_time: Option<i64>,
    #[serde(default)]
    pub close_time: Option<i64>,
    #[serde(default)]
    pub acknowledged_by: Option<String>,
}

/// The `202 Accepted` answer to an alert action: `SuccessResponse`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Accepted {
    pub request_id: String,
}

/// `GET /v2/alerts/requests/{requestId}`: `GetRequestStatusResponse`.
#[derive(Debug, Deserialize)]
pub(crate) struct StatusAnswer {
    pub data: StatusData,
}

/// `AlertRequestStatus`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatusData {
    #[serde(default)]
    pub is_success: bool,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
}

/// `GET /v2/schedules/{id}/on-calls`: `GetOnCallResponse`.
#[derive(Debug, Deserialize)]
pub(crate) struct OnCallAnswer {
    pub data: OnCallData,
}

/// `OnCall` (the combined flat and nested model).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OnCallData {
    #[serde(default)]
    pub on_call_recipients: Vec<Who>,
    #[serde(default)]
    pub on_call_participants: Vec<Who>,
}

/// `GET /v2/schedules/{id}/next-on-calls`: `GetNextOnCallResponse`.
#[derive(Debug, Deserialize)]
pub(crate) struct NextOnCallAnswer {
    pub data: NextOnCallData,
}

/// `NextOnCall` (the combined flat and nested model).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NextOnCallData {
    #[serde(default)]
    pub exact_next_on_call_recipients: Vec<Who>,
    #[serde(default)]
    pub next_on_call_recipients: Vec<Who>,
    #[serde(default)]
    pub exact_next_on_call_participants: Vec<Who>,
    #[serde(default)]
    pub next_on_call_participants: Vec<Who>,
}

/// A person on call: a user name (`flat=true`) or a `Participant` object.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Who {
    Name(String),
    Participant {
        #[serde(default)]
        name: Option<String>,
        #[serde(default, rename = "type")]
        kind: Option<String>,
    },
}

impl Who {
    /// The user's name; teams, schedules and escalations in a nested answer are not people.
    pub(crate) fn person(&self) -> Option<&str> {
        match self {
            Who::Name(name) => Some(name.as_str()),
            Who::Participant { name, kind } => match kind.as_deref() {
                None | Some("user") => name.as_deref(),
                Some(_) => None,
            },
        }
        .filter(|n| !n.is_empty())
    }
}
