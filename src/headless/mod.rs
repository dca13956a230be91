//! `ondeck snapshot`: poll every source once, compute what the cockpit shows, print it.
//! It goes through the same backends, `update` and state as the cockpit, so what scripts see
//! is what responders see. Polling here calls the backends directly (no poller tasks), once.

pub mod changes;
pub mod cli;
pub mod handoff;
pub mod json;
pub mod logs;
pub mod reroute;
pub mod silence;
pub mod text;
pub mod writes;

use std::time::Duration;

use chrono::{DateTime, Utc};

use futures_util::future::join_all;

use crate::action::Action;
use crate::app::App;
use crate::sources::{
    Backends, Clock, Feed, IncidentSource, MetricsSource, SourceError, SourceMeta, SourcePayload,
    SourceUpdate,
};
use crate::state::{Health, State};
use crate::update::update;

/// Polls every metrics, incident and change feed once, concurrently, each under its own
/// timeout.
pub async fn poll_once(backends: &Backends, clock: Clock) -> Vec<SourceUpdate> {
    let at = clock.now();
    let metrics = backends.metrics.iter().map(|(meta, backend)| async move {
        let outcome = bounded(meta.timeout, backend.fetch_metrics(at)).await;
        finished(
            meta,
            Feed::Metrics,
            clock,
            outcome.map(SourcePayload::Metrics),
        )
    });
    let incidents = backends.incidents.iter().map(|(meta, backend)| async move {
        // The history (MTTA/MTTR) is read beside the poll, each under its own bound.
        let limit = crate::sources::poller::cycle_limit(meta.timeout);
        let (outcome, history) = futures_util::future::join(
            bounded(meta.timeout, backend.poll_incidents()),
            crate::sources::history::read_within(backend, clock, limit),
        )
        .await;
        let outcome = outcome.map(|mut snapshot| {
            snapshot.history = Some(history);
            SourcePayload::Incidents(snapshot)
        });
        finished(meta, Feed::Incidents, clock, outcome)
    });
    let changes = backends.changes.iter().map(|(meta, backend)| async move {
        let outcome = crate::sources::changes::poll(meta, backend, clock).await;
        finished(meta, Feed::Changes, clock, outcome)
    });
    let (mut updates, more, changed) =
        futures_util::future::join3(join_all(metrics), join_all(incidents), join_all(changes))
            .await;
    updates.extend(more);
    updates.extend(changed);
    updates
}

async fn bounded<T>(
    timeout: Duration,
    work: impl std::future::Future<Output = Result<T, SourceError>>,
) -> Result<T, SourceError> {
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| Err(SourceError::Timeout(timeout.as_millis() as u64)))
}

fn finished(
    meta: &SourceMeta,
    feed: Feed,
    clock: Clock,
    outcome: Result<SourcePayload, SourceError>,
) -> SourceUpdate {
    SourceUpdate {
        source: meta.name.clone(),
        feed,
        at: clock.now(),
        outcome,
        retry_at: None,
    }
}

/// Polls every feed once and returns the state the cockpit would show, with the evaluation
/// instant.
pub async fn collect(app: App) -> (State, DateTime<Utc>) {
    let App {
        mut state,
        backends,
        clock,
        ..
    } = app;
    // One evaluation instant for every query of this snapshot, reported as `generated_at`.
    let generated_at = clock.now();
    for source_update in poll_once(&backends, Clock::Fixed(generated_at)).await {
        update(&mut state, Action::Ingest(Box::new(source_update)));
    }
    update(&mut state, Action::Tick(generated_at));
    (state, generated_at)
}

/// Whether any feed failed (or never answered): the snapshot then exits 1.
pub fn any_failed(state: &State) -> bool {
    state
        .sources
        .iter()
        .any(|s| matches!(s.health(state.now), Health::Failed { .. } | Health::Loading))
}
