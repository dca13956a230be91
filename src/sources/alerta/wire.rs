//! Alerta's JSON as it arrives on the wire (API 9.x, documented at docs.alerta.io).
//!
//! Every field is optional or defaulted, so an alert missing an unimportant field still maps;
//! [`super::map`] decides which absences matter.

use serde::Deserialize;
use serde_json::{Map, Value};

/// The envelope of `GET /alerts`.
#[derive(Debug, Deserialize)]
pub(super) struct AlertsBody {
    /// `ok`, or `error` with a `message`.
    pub status: Option<String>,
    /// Why the request failed, when `status` is `error`.
    pub message: Option<String>,
    /// The alerts of this page, kept raw so one odd alert does not sink the page.
    #[serde(default)]
    pub alerts: Option<Vec<Value>>,
    /// Whether a further page exists.
    #[serde(default)]
    pub more: Option<bool>,
    /// The page this answer is (1-based), as the server counted it.
    #[serde(default)]
    pub page: Option<u32>,
    /// How many pages the server has at its page size.
    #[serde(default)]
    pub pages: Option<u32>,
}

/// The envelope of `GET /alert/{id}`.
#[derive(Debug, Deserialize)]
pub(super) struct AlertBody {
    /// `ok`, or `error` with a `message`.
    pub status: Option<String>,
    /// Why the request failed, when `status` is `error`.
    pub message: Option<String>,
    /// The alert.
    pub alert: Option<Value>,
}

/// One alert.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct WireAlert {
    pub id: Option<String>,
    pub resource: Option<String>,
    pub event: Option<String>,
    pub environment: Option<String>,
    pub severity: Option<String>,
    pub status: Option<String>,
    pub service: Option<Vec<String>>,
    pub group: Option<String>,
    pub value: Option<Value>,
    pub text: Option<String>,
    pub tags: Option<Vec<String>>,
    pub attributes: Option<Map<String, Value>>,
    pub origin: Option<String>,
    pub href: Option<String>,
    pub create_time: Option<String>,
    pub receive_time: Option<String>,
    pub history: Option<Vec<WireHistory>>,
}

/// One entry of an alert's history (severity or status change, action, note).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct WireHistory {
    /// The status after the change (`ack` after an acknowledgement).
    pub status: Option<String>,
    /// `ack`, `unack`, `close`, `note`, … in 9.x; `status`/`severity` in older servers.
    #[serde(rename = "type")]
    pub change_type: Option<String>,
    /// When it happened.
    pub update_time: Option<String>,
    /// Who did it (the login behind the API key); absent from older servers.
    pub user: Option<String>,
}
