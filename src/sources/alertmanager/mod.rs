//! Prometheus Alertmanager (API v2) as an incident source: firing alerts grouped into
//! incidents, acknowledge as a silence on the group's labels, un-acknowledge as expiring it,
//! notes in the silence comment, and the active silences for the silences view.
//!
//! [`wire`] holds the JSON shapes and parsers, [`group`] the grouping and matching,
//! [`mapping`] the pure translation into the model, [`api`] the HTTP calls and [`writes`]
//! what each action sends.

pub mod api;
pub mod group;
pub mod history;
pub mod mapping;
pub mod silencing;
pub mod wire;
pub mod writes;

#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use mapping::{map_incidents, map_silences, parse_incidents};
pub use wire::{parse_alerts, parse_silence_id, parse_silences};

use self::api::Api;
use self::history::HistorySource;
use self::writes::Writer;
use crate::config::SourceConfig;
use crate::model::{HistoryReport, Incident, IncidentAction, IncidentSnapshot};
use crate::outbox::{OutboxEntry, Write, WriteKind};
use crate::sources::http::{HttpClient, options_for, scheme};
use crate::sources::{IncidentSource, SourceError};

/// A configured Alertmanager source. Cheap to clone: commands run on clones.
#[derive(Clone)]
pub struct AlertmanagerSource {
    inner: Arc<Inner>,
    history: HistorySource,
}

struct Inner {
    name: String,
    api: Api,
    writer: Writer,
}

impl AlertmanagerSource {
    /// Builds the client from the source's config; `user` is who acts (the config's `user`),
    /// written as `createdBy` of the silences an acknowledge makes.
    pub fn new(source: &SourceConfig, user: &str) -> Result<Self, SourceError> {
        let rejected =
            |why: String| SourceError::Rejected(format!("source `{}`: {why}", source.name));
        let url = source
            .url
            .as_deref()
            .ok_or_else(|| rejected("needs a url".to_string()))?;
        let http = HttpClient::new(url, options_for(source, scheme::BEARER)?)
            .map_err(|e| rejected(e.to_string()))?;
        let silence_duration = chrono::Duration::from_std(source.incident.silence_duration)
            .map_err(|_| rejected("silence_duration is too long".to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                name: source.name.clone(),
                api: Api::new(http),
                writer: Writer {
                    user: user.to_string(),
                    silence_duration,
                    group_by: source.incident.group_by.clone(),
                },
            }),
            history: HistorySource::Unconfigured,
        })
    }

    /// The same source measuring MTTR from the `ALERTS` series of the Prometheus source
    /// `prometheus` (Alertmanager itself forgets resolved alerts).
    pub fn with_history_from(mut self, prometheus: &SourceConfig) -> Self {
        self.history = HistorySource::prometheus(prometheus);
        self
    }
}

impl AlertmanagerSource {
    /// The labels of every firing alert `matchers` match now, as Alertmanager lists them:
    /// what a silence with these matchers would hide (its preview).
    pub async fn preview(
        &self,
        matchers: &[crate::model::SilenceMatcher],
    ) -> Result<Vec<std::collections::BTreeMap<String, String>>, SourceError> {
        let wire: Vec<_> = matchers.iter().map(silencing::wire_matcher).collect();
        let selector = group::Selector::new(&wire);
        let alerts = self.inner.api.alerts().await?;
        Ok(alerts
            .into_iter()
            .filter(|a| selector.matches(&a.labels))
            .map(|a| a.labels)
            .collect())
    }
}

impl IncidentSource for AlertmanagerSource {
    async fn fetch_incidents(&self) -> Result<Vec<Incident>, SourceError> {
        self.poll_incidents()
            .await
            .map(|snapshot| snapshot.incidents)
    }

    async fn poll_incidents(&self) -> Result<IncidentSnapshot, SourceError> {
        let inner = &self.inner;
        let (alerts, silences) = tokio::join!(inner.api.alerts(), inner.api.silences());
        let alerts = alerts?;
        let (silences, warnings) = match silences {
            Ok(silences) => (silences, Vec::new()),
            Err(e) => (Vec::new(), vec![format!("silences: {e}")]),
        };
        Ok(IncidentSnapshot {
            incidents: map_incidents(&inner.name, &alerts, &silences, &inner.writer.group_by),
            oncall: Vec::new(),
            silences: map_silences(&inner.name, &silences, &alerts),
            warnings,
            history: None,
        })
    }

    async fn history(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<HistoryReport, SourceError> {
        match &self.history {
            HistorySource::Unconfigured => Ok(HistoryReport::Unavailable(
                "Alertmanager forgets resolved alerts: configure a prometheus source to \
                 measure MTTR from its ALERTS series"
                    .to_string(),
            )),
            HistorySource::Broken(why) => Ok(HistoryReport::Unavailable(why.clone())),
            HistorySource::Prometheus { name, api } => history::read(api, name, since, until)
                .await
                .map(HistoryReport::Recorded),
        }
    }

    async fn apply(
        &self,
        incident_id: &str,
        action: IncidentAction,
        note: Option<&str>,
    ) -> Result<(), SourceError> {
        let entry = adhoc(incident_id, WriteKind::from(action), note);
        self.deliver(Write::new(&entry)).await
    }

    async fn add_note(&self, incident_id: &str, text: &str) -> Result<(), SourceError> {
        let entry = adhoc(incident_id, WriteKind::Note, Some(text));
        self.deliver(Write::new(&entry)).await
    }

    async fn deliver(&self, write: Write<'_>) -> Result<(), SourceError> {
        let inner = &self.inner;
        inner.writer.deliver(&inner.api, write).await
    }
}

/// A write made outside the outbox (tests, the trait's direct calls): no stored labels, so
/// the group must be listed.
fn adhoc(incident: &str, kind: WriteKind, note: Option<&str>) -> OutboxEntry {
    OutboxEntry {
        id: String::new(),
        queued_at: chrono::Utc::now(),
        user: String::new(),
        source: String::new(),
        incident: incident.to_string(),
        kind,
        note: note.map(str::to_string),
        target: None,
        labels: Default::default(),
        silence: None,
        reroute: None,
    }
}
