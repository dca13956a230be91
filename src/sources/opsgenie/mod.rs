//! Opsgenie as an incident source: open alerts (acknowledged or not), who is on call now and
//! next for the configured schedules, and acknowledge / un-acknowledge / close / notes that
//! count only once Opsgenie reports the request processed.
//!
//! One poll costs one request per 100 open alerts plus two per configured schedule. The
//! API host is the configured `url` (validation fills in the US or EU host by `region`).

mod api;
mod parse;
mod wire;
mod write;

#[cfg(test)]
mod tests;

use std::time::Duration;

use chrono::{DateTime, Utc};

pub use api::SOURCE;
pub use parse::{
    AlertPage, RequestStatus, parse_accepted, parse_alert, parse_alert_page, parse_alerts,
    parse_history_page, parse_next_on_calls, parse_on_calls, parse_request_status,
};

use self::api::{Api, StatusPolling};
use crate::config::SourceConfig;
use crate::config::backend::OPSGENIE_US_API;
use crate::model::{
    HistoryReport, Incident, IncidentAction, IncidentHistory, IncidentSnapshot, OnCall,
};
use crate::outbox::Write;
use crate::sources::http::{HttpClient, options_for, scheme};
use crate::sources::{IncidentSource, SourceError};

/// A configured Opsgenie source.
#[derive(Clone)]
pub struct OpsgenieSource {
    name: String,
    api: Api,
    schedules: Vec<String>,
}

impl OpsgenieSource {
    /// Builds the client from the source's config; `user` is who acts (the config's `user`),
    /// sent as the `user` of every action and note.
    pub fn new(source: &SourceConfig, user: &str) -> Result<Self, SourceError> {
        let base = source.url.as_deref().unwrap_or(OPSGENIE_US_API);
        let http = HttpClient::new(base, options_for(source, scheme::OPSGENIE)?)?;
        Ok(Self {
            name: source.name.clone(),
            api: Api::new(http, user, &source.name),
            schedules: source.incident.schedules.clone(),
        })
    }

    /// The same source asking for an accepted request's outcome up to `tries` times,
    /// `delay` apart (tests shorten the wait).
    pub fn with_status_polling(mut self, tries: u32, delay: Duration) -> Self {
        self.api.polling = StatusPolling {
            tries: tries.max(1),
            delay,
        };
        self
    }

    /// Who is on call now and next for one schedule; a failure of either half is a warning.
    async fn on_call(&self, schedule: &str, warnings: &mut Vec<String>) -> Option<OnCall> {
        let now = match self.api.on_calls(schedule).await {
            Ok(names) => names,
            Err(e) => {
                warnings.push(format!("on-call ({schedule}): {e}"));
                return None;
            }
        };
        let next = match self.api.next_on_calls(schedule).await {
            Ok(names) => names,
            Err(e) => {
                warnings.push(format!("next on-call ({schedule}): {e}"));
                Vec::new()
            }
        };
        let joined = |names: Vec<String>| (!names.is_empty()).then(|| names.join(", "));
        Some(OnCall {
            source: self.name.clone(),
            schedule: schedule.to_string(),
            level: None,
            now: joined(now),
            now_until: None,
            next: joined(next),
            next_from: None,
        })
    }
}

impl IncidentSource for OpsgenieSource {
    async fn fetch_incidents(&self) -> Result<Vec<Incident>, SourceError> {
        Ok(self.api.alerts().await?.incidents)
    }

    async fn poll_incidents(&self) -> Result<IncidentSnapshot, SourceError> {
        let listing = self.api.alerts().await?;
        let mut snapshot = IncidentSnapshot::of(listing.incidents);
        snapshot.warnings.extend(listing.warning);
        for schedule in &self.schedules {
            if let Some(row) = self.on_call(schedule, &mut snapshot.warnings).await {
                snapshot.oncall.push(row);
            }
        }
        Ok(snapshot)
    }

    /// Every alert created in the window with its `report` (first acknowledgement and close,
    /// as offsets from creation), which the alert list carries for every status.
    async fn history(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<HistoryReport, SourceError> {
        let (incidents, cut) = self.api.alerts_created(since).await?;
        let mut history = IncidentHistory::new(since, until);
        history.incidents = incidents;
        history.incomplete = cut;
        Ok(HistoryReport::Recorded(history.within_window()))
    }

    async fn apply(
        &self,
        incident_id: &str,
        action: IncidentAction,
        note: Option<&str>,
    ) -> Result<(), SourceError> {
        write::apply(&self.api, incident_id, action, note).await
    }

    async fn add_note(&self, incident_id: &str, text: &str) -> Result<(), SourceError> {
        write::add_note(&self.api, incident_id, text).await
    }

    async fn deliver(&self, write: Write<'_>) -> Result<(), SourceError> {
        write::deliver(&self.api, write).await
    }
}
