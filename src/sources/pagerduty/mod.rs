//! PagerDuty (REST API v2) as an incident source: open incidents filtered by service, team or
//! "assigned to me", who is on call for the configured schedules and escalation policies,
//! and acknowledge / resolve / notes sent as the configured `from_email`.
//!
//! One poll costs one request per 100 open incidents plus one per configured kind of
//! on-call filter (schedules, escalation policies): usually 1–3 requests per refresh,
//! far below PagerDuty's ~960 requests per minute per key.

mod api;
mod changes;
mod history;
mod oncall;
mod parse;
mod reroute;
mod wire;
mod write;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::OnceCell;

pub use api::ACCEPT;
pub use changes::PagerdutyChanges;
pub use history::{LOOKUPS_PER_READ, parse_first_acknowledgement};
pub use oncall::{OncallPage, parse_oncalls};
pub use parse::{IncidentPage, parse_incident, parse_incidents, parse_user_id};

use self::api::{Api, Filters};
use self::history::{FirstAcks, assemble};
use self::oncall::{GroupBy, apply_levels, rows};
use crate::config::SourceConfig;
use crate::config::backend::PAGERDUTY_API;
use crate::model::{HistoryReport, Incident, IncidentAction, IncidentSnapshot};
use crate::outbox::{Write, WriteKind};
use crate::sources::http::{HttpClient, options_for, scheme};
use crate::sources::{Clock, IncidentSource, SourceError};

/// How far ahead on-call shifts are read to find who is next.
const ONCALL_HORIZON: TimeDelta = TimeDelta::days(7);

/// A configured PagerDuty source.
#[derive(Clone)]
pub struct PagerdutySource {
    name: String,
    api: Api,
    services: Vec<String>,
    teams: Vec<String>,
    /// `from_email` when `assigned_to_me` is set.
    me: Option<String>,
    schedules: Vec<String>,
    policies: Vec<String>,
    /// The user id `me` names, looked up once and shared by clones.
    my_id: Arc<OnceCell<String>>,
    /// First acknowledgements read from incident logs, shared by clones.
    first_acks: FirstAcks,
    clock: Clock,
}

impl PagerdutySource {
    /// Builds the client from the source's config; `user` is who acts (the config's `user`).
    /// PagerDuty records the `from_email` user as the actor instead, so `user` is unused.
    pub fn new(source: &SourceConfig, user: &str) -> Result<Self, SourceError> {
        let _ = user;
        let base = source.url.as_deref().unwrap_or(PAGERDUTY_API);
        let http = HttpClient::new(base, options_for(source, scheme::PAGERDUTY)?)?;
        let options = &source.incident;
        Ok(Self {
            name: source.name.clone(),
            api: Api::new(http, options.from_email.clone(), &source.name),
            services: options.services.clone(),
            teams: options.teams.clone(),
            me: options
                .from_email
                .clone()
                .filter(|_| options.assigned_to_me),
            schedules: options.schedules.clone(),
            policies: options.escalation_policies.clone(),
            my_id: Arc::new(OnceCell::new()),
            first_acks: FirstAcks::default(),
            clock: Clock::System,
        })
    }

    /// The same source reading "now" (on-call shifts, escalation levels) from `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    async fn filters(&self) -> Result<Filters, SourceError> {
        let mut users = Vec::new();
        if let Some(email) = &self.me {
            let id = self
                .my_id
                .get_or_try_init(|| self.api.user_id(email))
                .await?;
            users.push(id.clone());
        }
        Ok(Filters {
            services: self.services.clone(),
            teams: self.teams.clone(),
            users,
        })
    }
}

impl IncidentSource for PagerdutySource {
    async fn fetch_incidents(&self) -> Result<Vec<Incident>, SourceError> {
        let listing = self.api.incidents(&self.filters().await?).await?;
        Ok(listing.page.incidents)
    }

    async fn poll_incidents(&self) -> Result<IncidentSnapshot, SourceError> {
        let listing = self.api.incidents(&self.filters().await?).await?;
        let now = self.clock.now();
        let until = now + ONCALL_HORIZON;
        let mut page = listing.page;
        let mut snapshot = IncidentSnapshot::default();
        snapshot.warnings.extend(listing.warning);
        let mut entries = Vec::new();
        let asks = [
            (
                "schedule_ids[]",
                &self.schedules,
                GroupBy::Schedule,
                "schedules",
            ),
            (
                "escalation_policy_ids[]",
                &self.policies,
                GroupBy::Policy,
                "escalation policies",
            ),
        ];
        for (filter, ids, by, what) in asks {
            if ids.is_empty() {
                continue;
            }
            match self.api.oncalls(filter, ids, now, until).await {
                Ok((found, cut)) => {
                    snapshot
                        .warnings
                        .extend(cut.map(|w| format!("on-call ({what}): {w}")));
                    snapshot.oncall.extend(rows(&self.name, &found, by, now));
                    entries.extend(found);
                }
                Err(e) => snapshot.warnings.push(format!("on-call ({what}): {e}")),
            }
        }
        apply_levels(&mut page.incidents, &page.holders, &entries, now);
        snapshot.incidents = page.incidents;
        Ok(snapshot)
    }

    async fn history(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<HistoryReport, SourceError> {
        let filters = self.filters().await?;
        let (incidents, cut) = self.api.incidents_created(&filters, since, until).await?;
        let history = assemble(&self.api, &self.first_acks, incidents, since, until, cut).await;
        Ok(HistoryReport::Recorded(history))
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
        if text.trim().is_empty() {
            return Err(SourceError::Rejected("the note is empty".to_string()));
        }
        self.api.note(incident_id, text).await
    }

    async fn deliver(&self, write: Write<'_>) -> Result<(), SourceError> {
        if matches!(
            write.entry.kind,
            WriteKind::Escalate | WriteKind::Reassign | WriteKind::Snooze
        ) {
            return reroute::deliver(&self.api, write).await;
        }
        write::deliver(&self.api, write).await
    }
}
