//! Reading each incident source's history (MTTA/MTTR) on its own slow cadence, beside the
//! incident poll and never in its way.
//!
//! History changes slowly and can take many requests (thirty days of incidents, and for
//! PagerDuty a log lookup per resolved incident), so it is read every [`REFRESH`] in a task
//! of its own. The poll hands over whatever read finished since the last poll; a slow or
//! failing history never delays or fails the pages themselves.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{Clock, IncidentBackend, IncidentSource, SourceError};
use crate::model::HistoryUpdate;

/// The window MTTA and MTTR are measured over.
pub const WINDOW: chrono::Duration = chrono::Duration::days(30);

/// How often a source's history is read again after a good read.
pub const REFRESH: Duration = Duration::from_secs(300);

/// How soon a failed history read is tried again.
pub const RETRY: Duration = Duration::from_secs(60);

/// How long one history read may take in all, however many requests it makes.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// Reads one backend's history in the background and keeps the finished read until the
/// next poll takes it. Clones share the same reader.
#[derive(Clone, Default)]
pub struct HistoryCache(Arc<Mutex<Inner>>);

#[derive(Default)]
struct Inner {
    running: bool,
    due: Option<Instant>,
    finished: Option<HistoryUpdate>,
}

impl HistoryCache {
    /// The read that finished since the last call, if any; starts a new read in the
    /// background when one is due and none is running.
    pub fn collect(&self, backend: &IncidentBackend, clock: Clock) -> Option<HistoryUpdate> {
        let mut inner = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let finished = inner.finished.take();
        let due = inner.due.is_none_or(|at| Instant::now() >= at);
        if due && !inner.running {
            inner.running = true;
            let cache = self.clone();
            let backend = backend.clone();
            tokio::spawn(async move {
                let update = read_within(&backend, clock, TIMEOUT).await;
                let mut inner = cache.0.lock().unwrap_or_else(PoisonError::into_inner);
                let wait = if update.outcome.is_ok() {
                    REFRESH
                } else {
                    RETRY
                };
                inner.due = Some(Instant::now() + wait);
                inner.finished = Some(update);
                inner.running = false;
            });
        }
        finished
    }
}

/// One read of `backend`'s history over the [`WINDOW`] ending now, bounded by `limit`.
pub async fn read_within(
    backend: &IncidentBackend,
    clock: Clock,
    limit: Duration,
) -> HistoryUpdate {
    let until = clock.now();
    let outcome = match tokio::time::timeout(limit, backend.history(until - WINDOW, until)).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err(SourceError::Timeout(limit.as_millis() as u64).to_string()),
    };
    HistoryUpdate {
        at: clock.now(),
        outcome,
    }
}
