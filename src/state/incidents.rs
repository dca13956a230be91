//! Incidents across sources: the on-call ordering and pending writes.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use crate::model::{Incident, IncidentAction, IncidentStatus};

use super::State;

/// Identifies an incident across sources.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IncidentKey {
    /// Source name.
    pub source: String,
    /// Id within the source.
    pub id: String,
}

impl IncidentKey {
    /// The key of an incident.
    pub fn of(incident: &Incident) -> Self {
        Self {
            source: incident.source.clone(),
            id: incident.id.clone(),
        }
    }
}

/// Which list of the on-call pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OncallFocus {
    /// Pages and incidents.
    Incidents,
    /// Firing burn-rate tiers.
    Alerts,
}

/// Where a write stands.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingState {
    /// Confirmed, and being written to the outbox: nothing is shown until it is on disk,
    /// but a second dialog for the same incident is not opened meanwhile.
    Recording,
    /// On disk, and on its way (or next in line).
    Sending,
    /// In the outbox after a transient failure; retried until delivered.
    Queued {
        /// Attempts made so far.
        attempts: u32,
        /// Why the last attempt failed.
        error: String,
        /// When the next attempt starts.
        retry_at: DateTime<Utc>,
    },
    /// Owed to a backend this config does not have (queued by another config's run): kept
    /// in the outbox for a run that has it.
    OwedElsewhere(String),
    /// Refused for good; shown with the reason until the user retries or the incident changes.
    Failed(String),
}

impl PendingState {
    /// Whether the write is still owed (sending, queued, or owed elsewhere): another write
    /// must wait.
    pub fn is_owed(&self) -> bool {
        !matches!(self, PendingState::Failed(_))
    }
}

/// A write sent for an incident that the backend has not yet confirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingAction {
    /// What was asked.
    pub action: IncidentAction,
    /// Where it stands.
    pub state: PendingState,
}

/// On-call order: high urgency first, then triggered before acknowledged, then oldest first
/// (the page that has waited longest is the one to take), then by key for stability.
pub fn oncall_order(a: &Incident, b: &Incident) -> Ordering {
    a.urgency
        .cmp(&b.urgency)
        .then(a.status.cmp(&b.status))
        .then(a.created_at.cmp(&b.created_at))
        .then_with(|| (&a.source, &a.id).cmp(&(&b.source, &b.id)))
}

impl State {
    /// Every incident from every source.
    pub fn all_incidents(&self) -> impl Iterator<Item = &Incident> + Clone {
        self.incidents.values().flatten()
    }

    /// Open incidents in on-call order.
    pub fn open_incidents(&self) -> Vec<&Incident> {
        let mut open: Vec<&Incident> = self.all_incidents().filter(|i| i.is_open()).collect();
        open.sort_by(|a, b| oncall_order(a, b));
        open
    }

    /// Index of the selected incident within [`State::open_incidents`].
    pub fn selected_incident_index(&self, open: &[&Incident]) -> usize {
        self.selected_incident
            .as_ref()
            .and_then(|key| open.iter().position(|i| &IncidentKey::of(i) == key))
            .unwrap_or(0)
    }

    /// The selected open incident.
    pub fn selected_incident(&self) -> Option<&Incident> {
        let open = self.open_incidents();
        open.get(self.selected_incident_index(&open)).copied()
    }

    /// Open incidents by urgency: (high, low), and how many of each are unacknowledged.
    pub fn open_counts(&self) -> OpenCounts {
        let mut counts = OpenCounts::default();
        for incident in self.all_incidents().filter(|i| i.is_open()) {
            let triggered = incident.status == IncidentStatus::Triggered;
            match incident.urgency {
                crate::model::Urgency::High => {
                    counts.high += 1;
                    counts.high_triggered += usize::from(triggered);
                }
                crate::model::Urgency::Low => {
                    counts.low += 1;
                    counts.low_triggered += usize::from(triggered);
                }
            }
        }
        counts
    }
}

/// Open incidents by urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpenCounts {
    /// Open high-urgency incidents.
    pub high: usize,
    /// Of which nobody has acknowledged.
    pub high_triggered: usize,
    /// Open low-urgency incidents.
    pub low: usize,
    /// Of which nobody has acknowledged.
    pub low_triggered: usize,
}
