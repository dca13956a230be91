//! One write owed to a backend, as the outbox keeps it: what to do, to which incident, on
//! which backend (so another config's run cannot send it somewhere else), and what the
//! backend needs to act later even when the incident is momentarily not listed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{IncidentAction, SilenceWrite};

/// What a queued write does to the incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WriteKind {
    /// Take the page.
    Acknowledge,
    /// Close it.
    Resolve,
    /// Give it back.
    Unacknowledge,
    /// Add a note to its timeline.
    Note,
    /// Create an Alertmanager silence (`incident` is empty; the outbox entry's `silence`
    /// says what it matches, until when, and why).
    #[serde(rename = "silence_add")]
    SilenceAdd,
    /// Move an Alertmanager silence's end later (`incident` is the silence id).
    #[serde(rename = "silence_extend")]
    SilenceExtend,
    /// Expire an Alertmanager silence now (`incident` is the silence id).
    #[serde(rename = "silence_expire")]
    SilenceExpire,
    /// Escalate the incident to a level of its escalation policy (PagerDuty).
    Escalate,
    /// Hand the incident to someone else (PagerDuty).
    Reassign,
    /// Quiet an acknowledged incident until a time (PagerDuty).
    Snooze,
}

/// What an escalate, reassign or snooze carries, fixed when confirmed (absolute, so a late
/// or repeated delivery does exactly what was confirmed).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reroute {
    /// Escalate: the level to escalate to (1 = first responder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    /// Reassign: the new assignee, by email or backend user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Snooze: until when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

impl WriteKind {
    /// The status change, for the three that are one.
    pub fn incident_action(self) -> Option<IncidentAction> {
        match self {
            WriteKind::Acknowledge => Some(IncidentAction::Acknowledge),
            WriteKind::Resolve => Some(IncidentAction::Resolve),
            WriteKind::Unacknowledge => Some(IncidentAction::Unacknowledge),
            WriteKind::Note
            | WriteKind::Escalate
            | WriteKind::Reassign
            | WriteKind::Snooze
            | WriteKind::SilenceAdd
            | WriteKind::SilenceExtend
            | WriteKind::SilenceExpire => None,
        }
    }

    /// Whether the write acts on a silence rather than an incident.
    pub fn is_silence(self) -> bool {
        matches!(
            self,
            WriteKind::SilenceAdd | WriteKind::SilenceExtend | WriteKind::SilenceExpire
        )
    }

    /// The verb, as the audit log and messages write it.
    pub fn verb(self) -> &'static str {
        match self {
            WriteKind::Note => "note",
            WriteKind::SilenceAdd => "silence",
            WriteKind::SilenceExtend => "extend silence",
            WriteKind::SilenceExpire => "expire silence",
            WriteKind::Escalate => "escalate",
            WriteKind::Reassign => "reassign",
            WriteKind::Snooze => "snooze",
            _ => self.incident_action().map_or("write", IncidentAction::verb),
        }
    }
}

impl From<IncidentAction> for WriteKind {
    fn from(action: IncidentAction) -> Self {
        match action {
            IncidentAction::Acknowledge => WriteKind::Acknowledge,
            IncidentAction::Resolve => WriteKind::Resolve,
            IncidentAction::Unacknowledge => WriteKind::Unacknowledge,
        }
    }
}

/// The backend a write was queued for: a source of the same name in another config (or a
/// later edit of this one) that points elsewhere must not receive it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    /// Backend kind (`alertmanager`, `pagerduty`, …).
    pub kind: String,
    /// Base URL, without a trailing slash; `None` for backends without one (the demo).
    pub url: Option<String>,
}

impl Target {
    /// A target, its URL normalised so `http://am:9093/` and `http://am:9093` are one.
    pub fn new(kind: &str, url: Option<&str>) -> Self {
        Self {
            kind: kind.to_string(),
            url: url.map(|u| u.trim_end_matches('/').to_string()),
        }
    }

    /// `alertmanager http://127.0.0.1:9093`, for messages.
    pub fn describe(&self) -> String {
        match &self.url {
            Some(url) => format!("{} {url}", self.kind),
            None => self.kind.clone(),
        }
    }
}

/// One write owed to a backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Unique id of the write.
    pub id: String,
    /// When the responder asked for it.
    pub queued_at: DateTime<Utc>,
    /// Who asked.
    pub user: String,
    /// Source of the incident.
    pub source: String,
    /// Incident id within the source.
    pub incident: String,
    /// What to do.
    pub kind: WriteKind,
    /// The responder's note (the whole text for [`WriteKind::Note`]).
    pub note: Option<String>,
    /// The backend it was queued for (absent in logs written before targets were recorded:
    /// then any source of that name may deliver it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// The incident's labels when the write was queued: Alertmanager silences the group's
    /// labels even while Alertmanager, just restarted, does not list the alerts yet.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// For silence writes: what the silence matches, until when, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence: Option<Box<SilenceWrite>>,
    /// For escalate, reassign and snooze: to which level, to whom, until when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reroute: Option<Box<Reroute>>,
}

impl OutboxEntry {
    /// `acknowledge PABC123 on pd`, `silence service="checkout" on am`, for messages.
    pub fn describe(&self) -> String {
        match (self.kind, &self.silence) {
            (WriteKind::SilenceAdd, Some(silence)) => format!(
                "silence {} on {}",
                crate::model::silence::display_matchers(&silence.matchers),
                self.source
            ),
            _ => format!("{} {} on {}", self.kind.verb(), self.incident, self.source),
        }
    }
}

/// A write as a backend receives it: the entry plus what the outbox knows of earlier
/// attempts.
#[derive(Debug, Clone, Copy)]
pub struct Write<'a> {
    /// The write.
    pub entry: &'a OutboxEntry,
    /// An earlier attempt may have reached the backend (its answer was lost, it timed out,
    /// or ondeck died waiting): parts that are not idempotent (notes) check first.
    pub in_doubt: bool,
}

impl<'a> Write<'a> {
    /// A first attempt at `entry`.
    pub fn new(entry: &'a OutboxEntry) -> Self {
        Self {
            entry,
            in_doubt: false,
        }
    }

    /// The status change, if the write is one.
    pub fn action(&self) -> Option<IncidentAction> {
        self.entry.kind.incident_action()
    }

    /// The note, trimmed, if there is one.
    pub fn note(&self) -> Option<&str> {
        self.entry
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
    }
}
