//! The built-in demo fleet: a deterministic simulation of seven services at 3 a.m., served
//! through the same source traits as real backends.
//!
//! Everything is a pure function of the seed, the start instant (the clock's "now" when the
//! source is created), the instants asked about and the actions applied: the same inputs give
//! the same SLO counts, incidents and traces. The checkout availability SLO starts burning its
//! budget fast, so the page tier fires about 30 seconds after the start.
//!
//! Submodules: `rng` (hashing), `roster` (services and SLOs), `fleet` (traffic and error
//! model), `counts`
//! (window integration), `snapshot` (metrics feed), `catalog` and `incidents` (the incident
//! schedule and responder overrides), `flows` and `traces` (trace generation).

mod catalog;
mod counts;
mod fleet;
mod flows;
mod incidents;
mod kept;
mod rng;
mod roster;
mod snapshot;
mod traces;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use super::{Clock, IncidentSource, MetricsSource, SourceError, TraceSource};
use crate::model::{
    Dependency, Exemplar, HistoryReport, Incident, IncidentAction, IncidentHistory,
    MetricsSnapshot, PastIncident, ServiceMetrics, Trace, TraceSearch, TraceSummary,
};
use crate::slo::Window;
use counts::Counter;
use fleet::Fleet;
use incidents::Book;

/// A simulated fleet that feeds metrics, incidents and traces. Clones share one world, so an
/// acknowledgement sent through one clone shows in every feed.
#[derive(Clone)]
pub struct DemoSource {
    inner: Arc<Inner>,
}

/// The shared world: the immutable model plus the few things that change.
struct Inner {
    seed: u64,
    clock: Clock,
    fleet: Fleet,
    /// Built on the first metrics fetch, so a source that only serves traces stays cheap.
    counter: Mutex<Option<Counter>>,
    book: Mutex<Book>,
    /// Notes added to incidents, in order, as (incident id, text).
    notes: Mutex<Vec<(String, String)>>,
}

/// Takes a lock even if another thread panicked while holding it: the demo's state is always
/// left consistent between statements, so the data is still good.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl DemoSource {
    /// Keeps the responder's acknowledges and resolves in `dir` (the state dir), shared with
    /// every other ondeck process on it.
    pub fn keep_actions_in(&self, dir: &std::path::Path) {
        lock(&self.inner.book).keep_in(kept::Kept::in_dir(dir));
    }

    /// A demo fleet named `name` whose world starts at `clock.now()`.
    pub fn new(name: &str, seed: u64, clock: Clock) -> Self {
        Self::with_start(name, seed, clock.now(), clock)
    }

    /// A demo fleet whose world started at `start`, evaluated by `clock`. With a fixed clock
    /// later than `start` this shows the fleet as it is that long after the start (used for
    /// tests and reproducible screenshots of, say, the checkout page firing).
    pub fn with_start(name: &str, seed: u64, start: DateTime<Utc>, clock: Clock) -> Self {
        let fleet = Fleet::new(seed, snapshot::epoch_secs(start));
        let book = Book::new(name, seed, start);
        Self {
            inner: Arc::new(Inner {
                seed,
                clock,
                fleet,
                counter: Mutex::new(None),
                book: Mutex::new(book),
                notes: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Notes added to `incident_id`, oldest first.
    pub fn notes(&self, incident_id: &str) -> Vec<String> {
        lock(&self.inner.notes)
            .iter()
            .filter(|(id, _)| id == incident_id)
            .map(|(_, text)| text.clone())
            .collect()
    }

    fn metrics_at(&self, at: DateTime<Utc>) -> MetricsSnapshot {
        let inner = &self.inner;
        let mut guard = lock(&inner.counter);
        let counter = guard.get_or_insert_with(|| Counter::new(&inner.fleet));
        snapshot::snapshot(&inner.fleet, counter, at)
    }

    fn incidents_now(&self) -> Vec<Incident> {
        let now = self.inner.clock.now();
        lock(&self.inner.book).list(now)
    }

    fn apply_now(&self, id: &str, action: IncidentAction) -> Result<(), SourceError> {
        let now = self.inner.clock.now();
        lock(&self.inner.book).apply(id, action, now)
    }
}

impl MetricsSource for DemoSource {
    async fn fetch_metrics(&self, at: DateTime<Utc>) -> Result<MetricsSnapshot, SourceError> {
        Ok(self.metrics_at(at))
    }

    /// The slowest traces touching the service stand in for its histogram's exemplars.
    async fn exemplars(
        &self,
        service: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<Exemplar>, SourceError> {
        let (fleet, seed) = (&self.inner.fleet, self.inner.seed);
        Ok(traces::exemplars(fleet, seed, service, (start, end), 5))
    }

    async fn service_trends(
        &self,
        service: &str,
        range: Window,
        at: DateTime<Utc>,
    ) -> Result<Option<ServiceMetrics>, SourceError> {
        let inner = &self.inner;
        let mut guard = lock(&inner.counter);
        let counter = guard.get_or_insert_with(|| Counter::new(&inner.fleet));
        counter.begin_fetch();
        let range = range.as_secs();
        Ok(snapshot::service_trends_over(
            &inner.fleet,
            counter,
            service,
            range,
            at,
        ))
    }
}

impl IncidentSource for DemoSource {
    async fn fetch_incidents(&self) -> Result<Vec<Incident>, SourceError> {
        Ok(self.incidents_now())
    }

    /// The demo's scripted incidents of the window, resolved ones included (it keeps 30 days).
    async fn history(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<HistoryReport, SourceError> {
        let mut history = IncidentHistory::new(since, until);
        history.incidents = self
            .incidents_now()
            .into_iter()
            .map(|i| PastIncident {
                id: i.id,
                created_at: i.created_at,
                acknowledged_at: i.acknowledged_at,
                resolved_at: i.resolved_at,
            })
            .collect();
        Ok(HistoryReport::Recorded(history.within_window()))
    }

    /// The note is accepted and dropped: the demo has no timeline to attach it to.
    async fn apply(
        &self,
        incident_id: &str,
        action: IncidentAction,
        _note: Option<&str>,
    ) -> Result<(), SourceError> {
        self.apply_now(incident_id, action)
    }

    /// Keeps the note so [`DemoSource::notes`] can show it; unknown incidents are rejected.
    async fn add_note(&self, incident_id: &str, text: &str) -> Result<(), SourceError> {
        let known = self.incidents_now().iter().any(|i| i.id == incident_id);
        if !known {
            return Err(SourceError::Rejected(format!(
                "no incident {incident_id} in the demo"
            )));
        }
        lock(&self.inner.notes).push((incident_id.to_string(), text.to_string()));
        Ok(())
    }
}

impl TraceSource for DemoSource {
    async fn search_traces(
        &self,
        search: &TraceSearch,
        at: DateTime<Utc>,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        Ok(traces::search(
            &self.inner.fleet,
            self.inner.seed,
            search,
            at,
        ))
    }

    async fn fetch_trace(&self, trace_id: &str) -> Result<Trace, SourceError> {
        traces::fetch(&self.inner.fleet, self.inner.seed, trace_id)
    }

    async fn dependencies(&self, at: DateTime<Utc>) -> Result<Vec<Dependency>, SourceError> {
        Ok(traces::dependencies(&self.inner.fleet, self.inner.seed, at))
    }
}
