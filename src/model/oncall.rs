//! Who holds the pager, and the silences that keep alerts quiet, as incident backends report them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{HistoryUpdate, Incident};

/// Who is on call for one schedule or escalation policy, now and next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnCall {
    /// Source it came from.
    pub source: String,
    /// Schedule or escalation policy name.
    pub schedule: String,
    /// Escalation level the shift covers (1 = first responder), when the backend says.
    pub level: Option<u32>,
    /// Who holds it now.
    pub now: Option<String>,
    /// When the current shift ends.
    pub now_until: Option<DateTime<Utc>>,
    /// Who takes over next.
    pub next: Option<String>,
    /// When the next shift starts.
    pub next_from: Option<DateTime<Utc>>,
}

/// One label matcher of an Alertmanager silence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SilenceMatcher {
    /// Label name.
    pub name: String,
    /// Value or regular expression.
    pub value: String,
    /// `=~` / `!~` rather than `=` / `!=`.
    pub is_regex: bool,
    /// `=` / `=~` rather than `!=` / `!~`.
    pub is_equal: bool,
}

impl SilenceMatcher {
    /// `name="value"`, `name=~"a|b"`, `name!="x"` as amtool writes them.
    pub fn display(&self) -> String {
        let op = match (self.is_equal, self.is_regex) {
            (true, false) => "=",
            (true, true) => "=~",
            (false, false) => "!=",
            (false, true) => "!~",
        };
        format!("{}{op}{:?}", self.name, self.value)
    }
}

/// An active Alertmanager silence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Silence {
    /// Source it came from.
    pub source: String,
    /// Silence id.
    pub id: String,
    /// What it matches.
    pub matchers: Vec<SilenceMatcher>,
    /// Who made it.
    pub created_by: String,
    /// Why.
    pub comment: String,
    /// When it started.
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
    /// How many alerts firing now it silences (0 flags a silence that matches nothing).
    pub matching_alerts: usize,
}

/// Everything one poll of an incident source produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IncidentSnapshot {
    /// Every incident the source lists (open, and for some backends recently resolved).
    pub incidents: Vec<Incident>,
    /// Who is on call for the configured schedules (PagerDuty, Opsgenie).
    pub oncall: Vec<OnCall>,
    /// Active silences (Alertmanager).
    pub silences: Vec<Silence>,
    /// Parts of the poll that failed while the incidents still came through
    /// (e.g. "on-call: HTTP 403 …"), shown with the source.
    pub warnings: Vec<String>,
    /// A read of the source's incident history (MTTA/MTTR) that finished since the last
    /// poll; `None` when none did (history is read on a slower cadence).
    pub history: Option<HistoryUpdate>,
}

impl IncidentSnapshot {
    /// A snapshot of incidents alone.
    pub fn of(incidents: Vec<Incident>) -> Self {
        Self {
            incidents,
            ..Self::default()
        }
    }
}
