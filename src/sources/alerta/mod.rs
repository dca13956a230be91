//! Alerta as an incident source: open and acknowledged alerts become incidents; acknowledge,
//! un-acknowledge and resolve become Alerta's `ack`, `unack` and `close` actions; notes go to
//! the alert's notes. Authenticates with an API key (`Authorization: Key …`).
//!
//! Who acknowledged an alert, and when, comes from the alert history that the list request
//! asks for (`show-history=true`); nothing else is fetched per alert. Alerta records the
//! login behind the API key there, so the action text also names the ondeck user.

mod api;
pub mod map;
mod wire;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

pub use map::{AlertPage, parse_alert, parse_alerts};

use self::api::{Api, WriteOutcome};
use crate::config::SourceConfig;
use crate::model::{Incident, IncidentAction, IncidentSnapshot};
use crate::outbox::Write;
use crate::sources::http::{options_for, scheme};
use crate::sources::{IncidentSource, SourceError};

/// Pages read per poll at most (10,000 alerts); a larger backlog is cut with a warning
/// rather than hammering the server every refresh.
const MAX_PAGES: u32 = 100;

/// A configured Alerta source.
#[derive(Clone)]
pub struct AlertaSource {
    name: String,
    user: String,
    api: Api,
}

impl AlertaSource {
    /// Builds the client from the source's config; `user` is who acts (the config's `user`).
    /// The token, if any, is sent as an Alerta API key.
    pub fn new(source: &SourceConfig, user: &str) -> Result<Self, SourceError> {
        let url = source
            .url
            .as_deref()
            .ok_or_else(|| SourceError::Rejected(format!("source `{}` has no url", source.name)))?;
        let options = options_for(source, scheme::ALERTA)?;
        Ok(Self {
            name: source.name.clone(),
            user: user.to_string(),
            api: Api::new(url, options, &source.name)?,
        })
    }

    /// Every open and acknowledged alert across all pages, plus warnings for alerts left out.
    async fn collect(&self) -> Result<IncidentSnapshot, SourceError> {
        let mut snapshot = IncidentSnapshot::default();
        let mut seen = HashSet::new();
        let mut page = 1;
        while let Some(found) = self.api.alerts_page(page).await? {
            // Alerts move between pages while we read; keep each id once.
            for incident in found.incidents {
                if seen.insert(incident.id.clone()) {
                    snapshot.incidents.push(incident);
                }
            }
            snapshot.warnings.extend(found.skipped);
            if !found.more {
                break;
            }
            if page == MAX_PAGES {
                snapshot.warnings.push(format!(
                    "showing the first {} alerts of `{}`; more are open",
                    snapshot.incidents.len(),
                    self.name
                ));
                break;
            }
            page += 1;
        }
        Ok(snapshot)
    }

    /// After Alerta refused a transition (409): done if the alert already is where the
    /// action would put it (acking an acked alert), else rejected with Alerta's reason.
    async fn settle(
        &self,
        incident_id: &str,
        action: IncidentAction,
        reason: &str,
    ) -> Result<(), SourceError> {
        let now = self.api.alert(incident_id).await?;
        if now.status == action.resulting_status() {
            return Ok(());
        }
        Err(SourceError::Rejected(format!(
            "cannot {} alert {incident_id}: {reason} (it is {})",
            action.verb(),
            now.status.as_str()
        )))
    }
}

/// Alerta's name for an action.
fn alerta_action(action: IncidentAction) -> &'static str {
    match action {
        IncidentAction::Acknowledge => "ack",
        IncidentAction::Unacknowledge => "unack",
        IncidentAction::Resolve => "close",
    }
}

impl IncidentSource for AlertaSource {
    async fn fetch_incidents(&self) -> Result<Vec<Incident>, SourceError> {
        self.collect().await.map(|snapshot| snapshot.incidents)
    }

    async fn poll_incidents(&self) -> Result<IncidentSnapshot, SourceError> {
        self.collect().await
    }

    async fn apply(
        &self,
        incident_id: &str,
        action: IncidentAction,
        note: Option<&str>,
    ) -> Result<(), SourceError> {
        let text = note.map(str::trim).filter(|n| !n.is_empty()).map_or_else(
            || format!("{} in ondeck by {}", action.past(), self.user),
            str::to_string,
        );
        match self
            .api
            .action(incident_id, alerta_action(action), &text)
            .await?
        {
            WriteOutcome::Done => Ok(()),
            WriteOutcome::Conflict(reason) => self.settle(incident_id, action, &reason).await,
        }
    }

    async fn add_note(&self, incident_id: &str, text: &str) -> Result<(), SourceError> {
        match self.api.note(incident_id, text).await? {
            WriteOutcome::Done => Ok(()),
            WriteOutcome::Conflict(reason) => Err(SourceError::Rejected(format!(
                "cannot add a note to alert {incident_id}: {reason}"
            ))),
        }
    }

    /// A write in doubt (an earlier attempt may have gone through) first looks whether the
    /// alert already stands where it would put it, or already carries the note: an action's
    /// text and a note each land in Alerta's history once.
    async fn deliver(&self, write: Write<'_>) -> Result<(), SourceError> {
        let id = write.entry.incident.as_str();
        match write.action() {
            Some(action) => {
                if write.in_doubt && self.api.alert(id).await?.status == action.resulting_status() {
                    return Ok(());
                }
                self.apply(id, action, write.note()).await
            }
            None => {
                let text = write.note().unwrap_or_default();
                if write.in_doubt && self.api.note_texts(id).await?.iter().any(|n| n == text) {
                    return Ok(());
                }
                self.add_note(id, text).await
            }
        }
    }
}
