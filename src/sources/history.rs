//! Reading each incident source's history (MTTA/MTTR) on its own slow cadence, beside the
//! incident poll and never in its way.
//!
//! History changes slowly and can take many requests (thirty days of incidents, and for
//! PagerDuty a log lookup per resolved incident), so it is read every [`REFRESH`] in a task
//! of its own. The poll hands over whatever read finished since the last poll; a slow or
//! failing history never delays or fails the pages themselves.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

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
pub struct HistoryCache {
    inner: Arc<Mutex<Inner>>,
    done: Arc<Notify>,
}

#[derive(Default)]
struct Inner {
    running: bool,
    due: Option<Instant>,
    finished: Option<HistoryUpdate>,
    delivered: bool,
}

impl HistoryCache {
    /// The read that finished since the last call, if any; starts a new read in the
    /// background when one is due and none is running.
    pub fn collect(&self, backend: &IncidentBackend, clock: Clock) -> Option<HistoryUpdate> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let finished = inner.finished.take();
        inner.delivered |= finished.is_some();
        let due = inner.due.is_none_or(|at| Instant::now() >= at);
        if due && !inner.running {
            inner.running = true;
            let cache = self.clone();
            let backend = backend.clone();
            tokio::spawn(async move {
                let update = read_within(&backend, clock, TIMEOUT).await;
                let mut inner = cache.inner.lock().unwrap_or_else(PoisonError::into_inner);
                let wait = if update.outcome.is_ok() {
                    REFRESH
                } else {
                    RETRY
                };
                inner.due = Some(Instant::now() + wait);
                inner.finished = Some(update);
                inner.running = false;
                drop(inner);
                cache.done.notify_waiters();
            });
        }
        finished
    }

    /// [`HistoryCache::collect`], but until a first read was handed over, waits up to
    /// `wait` for it: the first frame then shows MTTA/MTTR for a backend that answers
    /// quickly, and a slow one still never holds the pages back longer than `wait`.
    pub async fn collect_within(
        &self,
        backend: &IncidentBackend,
        clock: Clock,
        wait: Duration,
    ) -> Option<HistoryUpdate> {
        let notified = self.done.notified();
        tokio::pin!(notified);
        // Registered before looking, so a read finishing in between still wakes us.
        notified.as_mut().enable();
        if let Some(update) = self.collect(backend, clock) {
            return Some(update);
        }
        let delivered = self
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .delivered;
        if delivered {
            return None;
        }
        let _ = tokio::time::timeout(wait, notified).await;
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let finished = inner.finished.take();
        inner.delivered |= finished.is_some();
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::HistoryReport;
    use crate::sources::demo::DemoSource;

    #[tokio::test]
    async fn the_first_poll_waits_for_the_first_read_and_later_ones_do_not() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
        let clock = Clock::Fixed(at);
        let start = at - chrono::Duration::hours(2);
        let backend = IncidentBackend::Demo(DemoSource::with_start("demo", 42, start, clock));
        let cache = HistoryCache::default();
        // Generous: the demo answers at once; a read this slow is a failure worth seeing.
        let wait = Duration::from_secs(60);
        let first = cache.collect_within(&backend, clock, wait).await;
        let Some(HistoryUpdate {
            at: read_at,
            outcome: Ok(HistoryReport::Recorded(history)),
        }) = first
        else {
            panic!("the first poll carries the first read: {first:?}")
        };
        assert_eq!(read_at, at);
        assert_eq!(history.until, at);
        assert_eq!(history.since, at - WINDOW);
        // Handed over once; the next read is not due for REFRESH, and nothing waits for it.
        assert_eq!(cache.collect_within(&backend, clock, wait).await, None);
    }
}
