//! Alerta as an incident source: open and acknowledged alerts become incidents; acknowledge,
//! un-acknowledge and resolve become Alerta's `ack`, `unack` and `close` actions; notes go to
//! the alert's notes. Authenticates with an API key (`Authorization: Key …`).
//!
//! Who acknowledged an alert, and when, comes from the alert history that the list request
//! asks for (`show-history=true`); nothing else is fetched per alert. Alerta records the
//! login behind the API key there, so the action text also names the ondeck user.

mod api;
pub mod history;
pub mod map;
mod wire;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use chrono::{DateTime, Utc};

pub use map::{AlertPage, parse_alert, parse_alerts};

use self::api::{Api, WriteOutcome};
use crate::config::SourceConfig;
use crate::model::{HistoryReport, Incident, IncidentAction, IncidentHistory, IncidentSnapshot};
use crate::outbox::Write;
use crate::sources::http::{options_for, scheme};
use crate::sources::paging::Budget;
use crate::sources::{IncidentSource, SourceError};

/// Alerts read per poll at most; a larger backlog is cut with a warning rather than
/// hammering the server every refresh. Alerta keeps informational alerts open too, so its
/// lists run longer than a pager's.
const MAX_ALERTS: usize = 10_000;
/// Requests per poll at most: [`MAX_ALERTS`] at the page size ondeck asks for, with room for
/// a server that uses a smaller one.
const MAX_REQUESTS: usize = 200;

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

    /// The same source asking for `size` alerts per page (tests page a real server with a
    /// handful of alerts).
    pub fn with_page_size(mut self, size: u32) -> Self {
        self.api.page_size = size.max(1);
        self
    }

    /// Every open and acknowledged alert across all pages, plus warnings for alerts left out
    /// and for a listing the cap cut short.
    async fn collect(&self) -> Result<IncidentSnapshot, SourceError> {
        let mut snapshot = IncidentSnapshot::default();
        let mut seen = HashSet::new();
        let mut budget = Budget::new(MAX_ALERTS, MAX_REQUESTS);
        let mut page = 1;
        loop {
            if budget.full(snapshot.incidents.len()) || !budget.take_request() {
                let cut = budget.cut_short(snapshot.incidents.len(), "open alerts");
                snapshot.warnings.push(cut);
                break;
            }
            let Some(found) = self.api.alerts_page(page).await? else {
                break;
            };
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
            // The page the server says it sent, not the one asked for, is what follows on.
            page = found.page.unwrap_or(page).max(page) + 1;
        }
        Ok(snapshot)
    }

    /// Every alert of the window with when it was first acknowledged and closed.
    async fn read_history(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<IncidentHistory, SourceError> {
        let mut history = IncidentHistory::new(since, until);
        let mut seen = HashSet::new();
        let mut budget = Budget::new(MAX_ALERTS, MAX_REQUESTS);
        let mut notes = Vec::new();
        let mut cut_histories = 0;
        let mut skipped = 0;
        let mut page = 1;
        loop {
            if budget.full(history.incidents.len()) || !budget.take_request() {
                notes.push(budget.cut_short(history.incidents.len(), "alerts of the window"));
                break;
            }
            let Some(found) = self.api.history_page(since, page).await? else {
                break;
            };
            for incident in found.incidents {
                if seen.insert(incident.id.clone()) {
                    history.incidents.push(incident);
                }
            }
            cut_histories += found.cut_histories;
            skipped += found.skipped.len();
            if !found.more {
                break;
            }
            page = found.page.unwrap_or(page).max(page) + 1;
        }
        if cut_histories > 0 {
            notes.push(format!(
                "MTTA leaves out {cut_histories} alerts whose history is longer than Alerta keeps"
            ));
        }
        if skipped > 0 {
            notes.push(format!(
                "{skipped} alerts of `{}` could not be read",
                self.name
            ));
        }
        history.incomplete = (!notes.is_empty()).then(|| notes.join("; "));
        Ok(history.within_window())
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

    async fn history(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<HistoryReport, SourceError> {
        self.read_history(since, until)
            .await
            .map(HistoryReport::Recorded)
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
