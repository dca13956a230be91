//! IO only: the sources of changes — change queries on a Prometheus source, PagerDuty change
//! events, Grafana annotations, GitHub Deployments, Argo CD application history, a command
//! the user configures, and the demo's — behind one trait, [`ChangeSource`].
//!
//! Each source with changes gets a poller of its own on its refresh interval (the changes
//! feed, [`Feed::Changes`]), separate from its metrics or incidents poller: a slow or failing
//! change source never delays the SLOs or the pages. Every poll reads the [`LOOKBACK`] before
//! now; `ondeck changes` and `ondeck handoff` read the window they are asked about.

pub mod argocd;
pub mod command;
pub mod detect;
pub mod github;
pub mod grafana;
pub mod prometheus;
pub mod setup;
pub mod versions;

use std::future::Future;

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use tokio::sync::{mpsc, watch};

use super::pagerduty::PagerdutyChanges;
use super::poller::{cycle_limit, spawn_poller};
use super::{Backends, Clock, Feed, SourceError, SourceMeta, SourcePayload, SourceUpdate};
use crate::event::Event;
use crate::model::{Change, ChangeSnapshot};
use crate::sources::demo::DemoSource;
use crate::sources::unstarted::Unstarted;

/// How far back every poll reads: a day covers a shift's handoff, the hour before a page and
/// the debug pane's ranges up to a day.
pub const LOOKBACK: chrono::Duration = chrono::Duration::hours(24);

/// A source of changes.
pub trait ChangeSource: Send + Sync + 'static {
    /// Every change between `since` and `until`.
    fn fetch_changes(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<ChangeSnapshot, SourceError>> + Send;

    /// The changes the backend itself relates to incident `incident_id` (PagerDuty's change
    /// correlation). Sources without such a thing reject it.
    fn related_changes(
        &self,
        incident_id: &str,
    ) -> impl Future<Output = Result<Vec<Change>, SourceError>> + Send {
        let _ = incident_id;
        async {
            Err(SourceError::Rejected(
                "this source does not relate changes to incidents".into(),
            ))
        }
    }
}

/// A configured change source.
#[derive(Clone)]
pub enum ChangeBackend {
    /// The built-in demo fleet's deploys, config change and rollback.
    Demo(DemoSource),
    /// Change queries on a Prometheus-compatible source.
    Prometheus(prometheus::PrometheusChanges),
    /// PagerDuty change events.
    Pagerduty(PagerdutyChanges),
    /// Grafana annotations.
    Grafana(grafana::GrafanaChanges),
    /// GitHub Deployments.
    Github(github::GithubChanges),
    /// Argo CD application history.
    Argocd(argocd::ArgoChanges),
    /// A command printing JSON lines.
    Command(command::CommandChanges),
    /// A configured source that could not start.
    Unstarted(Unstarted),
}

impl ChangeSource for Unstarted {
    async fn fetch_changes(
        &self,
        _since: DateTime<Utc>,
        _until: DateTime<Utc>,
    ) -> Result<ChangeSnapshot, SourceError> {
        Err(self.error())
    }
}

impl ChangeSource for ChangeBackend {
    async fn fetch_changes(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<ChangeSnapshot, SourceError> {
        match self {
            ChangeBackend::Demo(s) => s.fetch_changes(since, until).await,
            ChangeBackend::Prometheus(s) => s.fetch(since, until).await,
            ChangeBackend::Pagerduty(s) => s.fetch(since, until).await,
            ChangeBackend::Grafana(s) => s.fetch(since, until).await,
            ChangeBackend::Github(s) => s.fetch(since, until).await,
            ChangeBackend::Argocd(s) => s.fetch(since, until).await,
            ChangeBackend::Command(s) => s.fetch(since, until).await,
            ChangeBackend::Unstarted(s) => s.fetch_changes(since, until).await,
        }
    }

    async fn related_changes(&self, incident_id: &str) -> Result<Vec<Change>, SourceError> {
        match self {
            ChangeBackend::Pagerduty(s) => s.related(incident_id).await,
            ChangeBackend::Unstarted(s) => Err(s.error()),
            _ => Err(SourceError::Rejected(
                "this source does not relate changes to incidents".into(),
            )),
        }
    }
}

/// Says which feed failed: a source that also polls metrics or pages shows one badge, and
/// "changes:" keeps a failing change read from reading as the source's SLOs or pages failing.
fn labelled(error: SourceError) -> SourceError {
    let label = |text: String| format!("changes: {text}");
    match error {
        SourceError::Unreachable(m) => SourceError::Unreachable(label(m)),
        SourceError::Http { status, message } => SourceError::Http {
            status,
            message: label(message),
        },
        SourceError::Malformed(m) => SourceError::Malformed(label(m)),
        SourceError::Rejected(m) => SourceError::Rejected(label(m)),
        SourceError::Absent(m) => SourceError::Absent(label(m)),
        SourceError::NotStarted(m) => SourceError::NotStarted(m),
        other @ (SourceError::Timeout(_) | SourceError::RateLimited(_)) => other,
    }
}

/// One read of `backend` over the [`LOOKBACK`] before `clock`'s now, bounded like a poll.
pub async fn poll(
    meta: &SourceMeta,
    backend: &ChangeBackend,
    clock: Clock,
) -> Result<SourcePayload, SourceError> {
    let until = clock.now();
    read(meta, backend, until - LOOKBACK, until)
        .await
        .map(SourcePayload::Changes)
}

/// One read of `backend` over `[since, until]`, bounded by the source's cycle limit.
pub async fn read(
    meta: &SourceMeta,
    backend: &ChangeBackend,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<ChangeSnapshot, SourceError> {
    let limit = cycle_limit(meta.timeout);
    match tokio::time::timeout(limit, backend.fetch_changes(since, until)).await {
        Ok(result) => result.map_err(labelled),
        Err(_) => Err(SourceError::Timeout(limit.as_millis() as u64)),
    }
}

/// One poller per change source, each on its own refresh interval.
pub fn spawn_pollers(
    backends: &Backends,
    clock: Clock,
    tx: &mpsc::Sender<Event>,
    refresh: &watch::Receiver<u64>,
) {
    for (meta, backend) in &backends.changes {
        let backend = backend.clone();
        let polled = meta.clone();
        spawn_poller(
            meta.clone(),
            Feed::Changes,
            tx.clone(),
            refresh.clone(),
            move || {
                let backend = backend.clone();
                let meta = polled.clone();
                async move { poll(&meta, &backend, clock).await }
            },
        );
    }
}

/// Every change source read once over `[since, until]`, concurrently: the updates `ondeck
/// changes` and `ondeck handoff` feed to `update`.
pub async fn read_all(
    backends: &Backends,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    clock: Clock,
) -> Vec<SourceUpdate> {
    let reads = backends.changes.iter().map(|(meta, backend)| async move {
        let outcome = read(meta, backend, since, until).await;
        SourceUpdate {
            source: meta.name.clone(),
            feed: Feed::Changes,
            at: clock.now(),
            outcome: outcome.map(SourcePayload::Changes),
            retry_at: None,
        }
    });
    join_all(reads).await
}

/// The changes `source` relates to `incident_id`, bounded like a poll; `None` when no change
/// source of that name relates changes to incidents.
pub async fn related(
    backends: &Backends,
    source: &str,
    incident_id: &str,
) -> Option<Result<Vec<Change>, SourceError>> {
    let (meta, backend) = backends.changes.iter().find(|(meta, backend)| {
        meta.name == source && matches!(backend, ChangeBackend::Pagerduty(_))
    })?;
    let limit = cycle_limit(meta.timeout);
    Some(
        match tokio::time::timeout(limit, backend.related_changes(incident_id)).await {
            Ok(result) => result,
            Err(_) => Err(SourceError::Timeout(limit.as_millis() as u64)),
        },
    )
}
