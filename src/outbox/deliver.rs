//! Sending what the outbox owes. Writes to one backend go out one at a time in queue order,
//! by whichever ondeck process holds that backend's *lane* — an exclusive lock on
//! `outbox.d/lane-<hash>.lock` — so two processes never send the same write, and a process
//! that dies (even by `kill -9`) frees the lane for the next. Each attempt is recorded
//! before it starts and its outcome after; transient failures (network, timeout, 5xx, 429,
//! an incident not listed *yet*) are retried with backoff, refusals settle the write for good.
//! Every settled write, and the first time a write is queued behind a failure, lands in the
//! audit log.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::entry::{OutboxEntry, Target, Write};
use super::store::{Ledger, Owed, Record, Store};
use super::watch::Changes;
use crate::journal::{AuditEntry, append};
use crate::sources::{Backends, Clock, IncidentBackend, IncidentSource, SourceError};

/// How long one attempt may take before it counts as a (transient) timeout.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// How often a process that does not hold a lane checks whether its holder has gone.
const LANE_RETRY: Duration = Duration::from_secs(2);

/// One backend's queue: the source name and where it points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    /// Configured source name.
    pub source: String,
    /// Its backend.
    pub target: Target,
}

impl Lane {
    /// Whether this lane delivers `entry`: same source name, and the same backend it was
    /// queued for (entries from before targets were recorded go by name).
    pub fn accepts(&self, entry: &OutboxEntry) -> bool {
        entry.source == self.source && entry.target.as_ref().is_none_or(|t| *t == self.target)
    }

    /// The lock file that makes one process at a time this lane's deliverer.
    fn lock_path(&self, dir: &Path) -> PathBuf {
        let key = format!(
            "{}\u{1f}{}\u{1f}{}",
            self.source,
            self.target.kind,
            self.target.url.as_deref().unwrap_or("")
        );
        dir.join("outbox.d")
            .join(format!("lane-{:016x}.lock", fnv1a(&key)))
    }
}

/// FNV-1a (64 bit): stable across runs and builds, unlike std's seeded hasher.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Holding a lane: the lock is released when this is dropped or the process dies.
pub struct LaneHold {
    _file: File,
}

impl LaneHold {
    /// Takes the lane if no other process holds it.
    pub fn try_take(lane: &Lane, dir: &Path) -> std::io::Result<Option<Self>> {
        let path = lane.lock_path(dir);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(error)) => Err(error),
        }
    }
}

/// What delivering needs: the backends, the outbox file, the audit log and the clock.
#[derive(Clone)]
pub struct Context {
    /// Configured backends.
    pub backends: Backends,
    /// The outbox file.
    pub store: Arc<Store>,
    /// The audit log, when there is a state dir.
    pub audit: Option<PathBuf>,
    /// Where "now" comes from.
    pub clock: Clock,
    /// Tells this process's lanes and views that the log changed.
    pub changes: Changes,
}

/// Runs blocking file work (fsyncs) off the async workers.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)))
}

impl Context {
    /// The lanes this process can deliver: one per incident source.
    pub fn lanes(&self) -> Vec<Lane> {
        self.backends
            .incidents
            .iter()
            .map(|(meta, _)| Lane {
                source: meta.name.clone(),
                target: Target::new(&meta.kind, meta.url.as_deref()),
            })
            .collect()
    }

    /// The lane that delivers `entry` here, if this config has its backend.
    pub fn lane_for(&self, entry: &OutboxEntry) -> Option<Lane> {
        self.lanes().into_iter().find(|lane| lane.accepts(entry))
    }

    /// Why `entry` cannot be delivered by this config: its source is missing, or points
    /// at another backend than the one it was queued for.
    pub fn elsewhere(&self, entry: &OutboxEntry) -> Option<String> {
        if self.lane_for(entry).is_some() {
            return None;
        }
        let queued_for = entry
            .target
            .as_ref()
            .map(|t| format!(" ({})", t.describe()))
            .unwrap_or_default();
        let source = &entry.source;
        let why = match self.lanes().into_iter().find(|l| l.source == *source) {
            Some(lane) => format!(
                "queued for source `{source}`{queued_for}, but `{source}` here is {}",
                lane.target.describe()
            ),
            None => {
                format!("owed to source `{source}`{queued_for}, which this config does not have")
            }
        };
        Some(format!(
            "{why}: kept for a run whose config has it (`ondeck outbox --drop {}` discards it)",
            entry.id
        ))
    }

    /// Reads the log off the async workers.
    pub async fn read(&self) -> std::io::Result<Ledger> {
        let store = self.store.clone();
        blocking(move || store.read()).await
    }

    /// Appends records off the async workers and tells this process's lanes and views.
    pub async fn record(&self, records: Vec<Record>) -> std::io::Result<()> {
        let store = self.store.clone();
        let written = blocking(move || store.append(&records)).await;
        self.changes.bump();
        written
    }

    async fn audit(&self, entry: &OutboxEntry, outcome: &str) {
        let Some(path) = self.audit.clone() else {
            return;
        };
        let line = AuditEntry {
            time: self.clock.now(),
            user: entry.user.clone(),
            source: entry.source.clone(),
            incident: entry.incident.clone(),
            action: entry.kind.verb().to_string(),
            note: entry.note.clone(),
            outcome: outcome.to_string(),
        };
        if let Err(error) = blocking(move || append(&path, &line)).await {
            tracing::warn!(%error, "cannot write the audit log");
        }
    }

    /// Records `entry` settled with `outcome` and audits it.
    pub async fn settle(&self, entry: &OutboxEntry, ok: bool, outcome: &str) {
        let done = Record::Done {
            id: entry.id.clone(),
            time: self.clock.now(),
            outcome: outcome.to_string(),
            ok: Some(ok),
        };
        if let Err(error) = self.record(vec![done]).await {
            // The write itself is settled; the worst case is one more (idempotent) attempt
            // by the next run, which finds it in place.
            tracing::warn!(%error, "cannot mark an outbox entry done");
        }
        let audited = if ok { "ok" } else { outcome };
        self.audit(entry, audited).await;
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The backend took it; settled.
    Delivered,
    /// Refused for good; settled with the reason.
    Refused(String),
    /// Failed transiently; the next attempt should start after the wait.
    Retry {
        /// Why.
        error: String,
        /// How long to wait.
        wait: Duration,
    },
}

/// The wait before attempt `attempts + 1`: 2 s doubling to a minute, or longer when the
/// server asked (`Retry-After`).
pub fn backoff(attempts: u32, error: &SourceError) -> Duration {
    let doubling = Duration::from_secs(2u64.saturating_pow(attempts.min(6))).min(MAX_BACKOFF);
    error
        .retry_after()
        .map_or(doubling, |asked| asked.max(doubling))
}

/// Makes one attempt at the write `owed` (the caller holds its lane) and records how it went.
pub async fn attempt(context: &Context, owed: &Owed) -> Step {
    let entry = &owed.entry;
    let n = owed.attempts + 1;
    let start = Record::Attempt {
        id: entry.id.clone(),
        time: context.clock.now(),
        n,
        pid: std::process::id(),
    };
    if let Err(error) = context.record(vec![start]).await {
        // Sending without a record would lose track of whether it went out.
        let error = SourceError::Unreachable(format!("cannot write the outbox: {error}"));
        return retry_later(context, owed, n, error).await;
    }
    tracing::info!(source = %entry.source, incident = %entry.incident, action = entry.kind.verb(), attempt = n, "sending");
    let write = Write {
        entry,
        // Any earlier attempt may have reached the backend, whatever it answered.
        in_doubt: owed.attempts > 0,
    };
    let result = match context.backends.incident_backend(&entry.source) {
        Some(backend) => send(backend, write).await,
        None => Err(SourceError::Rejected(format!(
            "no incident source named `{}` in the config",
            entry.source
        ))),
    };
    match result {
        Ok(()) => {
            tracing::info!(source = %entry.source, incident = %entry.incident, action = entry.kind.verb(), "delivered");
            context.settle(entry, true, "delivered").await;
            Step::Delivered
        }
        Err(error) if error.is_transient() => retry_later(context, owed, n, error).await,
        Err(error) => {
            tracing::warn!(source = %entry.source, incident = %entry.incident, action = entry.kind.verb(), %error, "refused");
            let outcome = format!("failed: {error}");
            context.settle(entry, false, &outcome).await;
            Step::Refused(error.to_string())
        }
    }
}

async fn send(backend: &IncidentBackend, write: Write<'_>) -> Result<(), SourceError> {
    tokio::time::timeout(ATTEMPT_TIMEOUT, backend.deliver(write))
        .await
        .unwrap_or_else(|_| Err(SourceError::Timeout(ATTEMPT_TIMEOUT.as_millis() as u64)))
}

async fn retry_later(context: &Context, owed: &Owed, n: u32, error: SourceError) -> Step {
    let entry = &owed.entry;
    let wait = backoff(n, &error);
    tracing::warn!(source = %entry.source, incident = %entry.incident, action = entry.kind.verb(), %error, ?wait, "not delivered, queued for retry");
    let retry_at =
        context.clock.now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::zero());
    let record = Record::Retry {
        id: entry.id.clone(),
        time: context.clock.now(),
        n,
        error: error.to_string(),
        retry_at,
    };
    if let Err(e) = context.record(vec![record]).await {
        tracing::warn!(error = %e, "cannot record a retry in the outbox");
    }
    if n == 1 {
        context.audit(entry, &format!("queued: {error}")).await;
    }
    Step::Retry {
        error: error.to_string(),
        wait,
    }
}

/// The next write this lane owes, oldest first.
pub fn head<'a>(ledger: &'a Ledger, lane: &Lane) -> Option<&'a Owed> {
    ledger.owed.iter().find(|o| lane.accepts(&o.entry))
}

/// How long the head of a lane must still wait before its next attempt (a retry time
/// recorded by an earlier run or process is honoured).
fn wait_before(owed: &Owed, now: DateTime<Utc>) -> Duration {
    match &owed.failure {
        Some(failure) if !owed.in_flight => (failure.retry_at - now).to_std().unwrap_or_default(),
        _ => Duration::ZERO,
    }
}

/// The cockpit's deliverer for one lane: waits until it holds the lane, then delivers what
/// the lane owes — whoever queued it — for as long as the process runs. `kick` cuts a
/// backoff short: the backend just answered a poll, so it is back.
pub async fn run_lane(context: Context, lane: Lane, kick: Arc<tokio::sync::Notify>) {
    let mut changes = context.changes.subscribe();
    let _hold = loop {
        match LaneHold::try_take(&lane, context.store.dir()) {
            Ok(Some(hold)) => break hold,
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, source = %lane.source, "cannot lock the outbox lane")
            }
        }
        // Another process delivers this lane; take over when it goes.
        let _ = tokio::time::timeout(LANE_RETRY, changes.changed()).await;
    };
    loop {
        changes.mark_unchanged();
        let ledger = match context.read().await {
            Ok(ledger) => ledger,
            Err(error) => {
                tracing::warn!(%error, "cannot read the outbox");
                tokio::time::sleep(MAX_BACKOFF).await;
                continue;
            }
        };
        let Some(owed) = head(&ledger, &lane).cloned() else {
            if changes.changed().await.is_err() {
                return;
            }
            continue;
        };
        let wait = wait_before(&owed, context.clock.now());
        let wait = match attempt_unless_waiting(&context, &owed, wait).await {
            Some(Step::Retry { wait, .. }) => wait,
            Some(_) => continue,
            None => wait,
        };
        tokio::select! {
            () = crate::ticker::sleep(wait) => {}
            () = kick.notified() => {}
        }
    }
}

/// Attempts `owed` now unless it must still wait.
async fn attempt_unless_waiting(context: &Context, owed: &Owed, wait: Duration) -> Option<Step> {
    if wait.is_zero() {
        Some(attempt(context, owed).await)
    } else {
        None
    }
}

/// Delivers what `lane` owes, oldest first, until `until` (a write id) is settled or the
/// next attempt would start after `deadline`; a one-shot command's way (`ondeck ack`,
/// `ondeck outbox`). The first attempt is made at once, whatever retry time an earlier
/// process recorded: the responder asked now. Returns `None` when another process holds
/// the lane: it delivers.
pub async fn drain(
    context: &Context,
    lane: &Lane,
    until: Option<&str>,
    deadline: tokio::time::Instant,
) -> std::io::Result<Option<Vec<(OutboxEntry, Step)>>> {
    let Some(_hold) = LaneHold::try_take(lane, context.store.dir())? else {
        return Ok(None);
    };
    let mut steps = Vec::new();
    loop {
        let ledger = context.read().await?;
        if until.is_some_and(|id| ledger.owed(id).is_none()) {
            return Ok(Some(steps));
        }
        let Some(owed) = head(&ledger, lane).cloned() else {
            return Ok(Some(steps));
        };
        let step = attempt(context, &owed).await;
        let retry = match &step {
            Step::Retry { wait, .. } => Some(*wait),
            _ => None,
        };
        steps.push((owed.entry, step));
        if let Some(wait) = retry {
            if tokio::time::Instant::now() + wait > deadline {
                return Ok(Some(steps));
            }
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_minute_and_honours_retry_after() {
        let down = SourceError::Unreachable("refused".into());
        let waits: Vec<u64> = (1..=8).map(|n| backoff(n, &down).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(
            backoff(1, &SourceError::RateLimited(Some(30))).as_secs(),
            30
        );
        assert_eq!(backoff(6, &SourceError::RateLimited(Some(5))).as_secs(), 60);
    }

    #[test]
    fn a_lane_takes_its_own_backend_and_old_entries_by_name() {
        let lane = Lane {
            source: "am".into(),
            target: Target::new("alertmanager", Some("http://127.0.0.1:9093/")),
        };
        let mut entry = OutboxEntry {
            id: "1".into(),
            queued_at: Utc::now(),
            user: "sam".into(),
            source: "am".into(),
            incident: "abc".into(),
            kind: super::super::entry::WriteKind::Acknowledge,
            note: None,
            target: None,
            labels: Default::default(),
            silence: None,
            reroute: None,
        };
        assert!(lane.accepts(&entry), "written before targets were recorded");
        entry.target = Some(Target::new("alertmanager", Some("http://127.0.0.1:9093")));
        assert!(lane.accepts(&entry));
        entry.target = Some(Target::new("alertmanager", Some("http://10.0.0.1:9093")));
        assert!(!lane.accepts(&entry), "another Alertmanager");
        entry.target = None;
        entry.source = "pd".into();
        assert!(!lane.accepts(&entry));
    }

    #[test]
    fn one_process_at_a_time_holds_a_lane() {
        let dir = std::env::temp_dir().join(format!("ondeck-lane-{}", std::process::id()));
        let lane = Lane {
            source: "am".into(),
            target: Target::new("alertmanager", None),
        };
        let first = LaneHold::try_take(&lane, &dir).unwrap();
        assert!(first.is_some());
        // flock locks belong to the open file, so a second open in this process stands for
        // a second process.
        assert!(LaneHold::try_take(&lane, &dir).unwrap().is_none());
        drop(first);
        assert!(LaneHold::try_take(&lane, &dir).unwrap().is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
