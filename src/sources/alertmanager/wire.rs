//! The Alertmanager API v2 JSON shapes ondeck reads and writes (`gettableAlerts`,
//! `gettableSilences`, `postableSilence`), and the pure parsers of its answers.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize, Serializer};

use crate::sources::SourceError;

/// One alert as `GET /api/v2/alerts` lists it (`gettableAlert`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Identifying labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Descriptive annotations (`summary`, `description`, `runbook_url`).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// When the alert started firing.
    pub starts_at: DateTime<Utc>,
    /// The link back to the rule that fired it, if the sender gave one.
    #[serde(default, rename = "generatorURL")]
    pub generator_url: Option<String>,
    /// Alertmanager's hash of the labels.
    #[serde(default)]
    pub fingerprint: String,
    /// Whether it notifies, and what keeps it quiet.
    pub status: AlertStatus,
}

impl Alert {
    /// Neither silenced nor inhibited: somebody is being paged for it.
    pub fn is_active(&self) -> bool {
        self.status.state != AlertState::Suppressed
    }

    /// Silenced by at least one silence.
    pub fn is_silenced(&self) -> bool {
        !self.status.silenced_by.is_empty()
    }
}

/// The `status` object of an alert (`alertStatus`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertStatus {
    /// `active`, `suppressed` or `unprocessed`.
    pub state: AlertState,
    /// Ids of the silences that silence it.
    #[serde(default)]
    pub silenced_by: Vec<String>,
    /// Fingerprints of the alerts that inhibit it.
    #[serde(default)]
    pub inhibited_by: Vec<String>,
}

/// Alertmanager's view of one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// Not yet routed; it will notify, so ondeck treats it as active.
    Unprocessed,
    /// Notifying.
    Active,
    /// Silenced or inhibited.
    Suppressed,
}

/// One label matcher of a silence (`matcher`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Matcher {
    /// Label name.
    pub name: String,
    /// Value, or a regular expression when `is_regex`.
    pub value: String,
    /// Whether `value` is a regular expression.
    pub is_regex: bool,
    /// `=`/`=~` rather than `!=`/`!~`; Alertmanager treats a missing field as `true`.
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

/// One silence as `GET /api/v2/silences` lists it (`gettableSilence`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GettableSilence {
    /// Silence id.
    pub id: String,
    /// `active`, `pending` or `expired`.
    pub status: SilenceStatus,
    /// What it matches.
    pub matchers: Vec<Matcher>,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
    /// Who made it.
    #[serde(default)]
    pub created_by: String,
    /// Why.
    #[serde(default)]
    pub comment: String,
}

impl GettableSilence {
    /// In force now (not pending, not expired).
    pub fn is_active(&self) -> bool {
        self.status.state == SilenceState::Active
    }
}

/// The `status` object of a silence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct SilenceStatus {
    /// Where the silence is in its life.
    pub state: SilenceState,
}

/// Where a silence is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SilenceState {
    /// Starts in the future.
    Pending,
    /// In force.
    Active,
    /// Over (ended or expired by hand).
    Expired,
}

/// The body of `POST /api/v2/silences` (`postableSilence`): without `id` it creates a
/// silence, with the id of an active one it updates it in place.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableSilence {
    /// The silence to update, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What it matches.
    pub matchers: Vec<Matcher>,
    /// When it starts.
    #[serde(serialize_with = "millis")]
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    #[serde(serialize_with = "millis")]
    pub ends_at: DateTime<Utc>,
    /// Who makes it.
    pub created_by: String,
    /// Why.
    pub comment: String,
}

/// Alertmanager writes times with milliseconds; writing them back the same way keeps an
/// update's `startsAt` equal to the stored one, so the silence is updated, not replaced.
fn millis<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
}

#[derive(Deserialize)]
struct PostSilenceAnswer {
    #[serde(rename = "silenceID")]
    silence_id: String,
}

fn malformed(what: &str, e: &serde_json::Error) -> SourceError {
    SourceError::Malformed(format!("Alertmanager {what}: {e}"))
}

/// Parses the body of `GET /api/v2/alerts`.
pub fn parse_alerts(body: &[u8]) -> Result<Vec<Alert>, SourceError> {
    serde_json::from_slice(body).map_err(|e| malformed("alerts", &e))
}

/// Parses the body of `GET /api/v2/silences` (every silence, expired ones included).
pub fn parse_silences(body: &[u8]) -> Result<Vec<GettableSilence>, SourceError> {
    serde_json::from_slice(body).map_err(|e| malformed("silences", &e))
}

/// Parses the answer to `POST /api/v2/silences`: the id of the silence created or updated.
pub fn parse_silence_id(body: &[u8]) -> Result<String, SourceError> {
    serde_json::from_slice::<PostSilenceAnswer>(body)
        .map(|answer| answer.silence_id)
        .map_err(|e| malformed("silence answer", &e))
}
