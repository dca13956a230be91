//! Sending what the outbox owes: one attempt at a time per source, in queue order, retried
//! with backoff while the failure is transient (network, timeout, 5xx, 429), settled for good
//! on success or on a refusal (unknown incident, 4xx). Every settled write and the first
//! time a write is queued behind a failure land in the audit log.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::store::{OutboxEntry, Store, WriteKind};
use crate::journal::{AuditEntry, append};
use crate::sources::{Backends, Clock, IncidentSource, SourceError};

/// How long one attempt may take before it counts as a (transient) timeout.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Where a write stands, as the on-call row shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryState {
    /// An attempt is on its way.
    Sending,
    /// The last attempt failed transiently; the next one is scheduled.
    Queued {
        /// Attempts made so far.
        attempts: u32,
        /// Why the last one failed.
        error: String,
        /// When the next attempt starts.
        retry_at: DateTime<Utc>,
    },
    /// The backend took it.
    Delivered,
    /// The backend refused it for good (or the outbox could not record it); not retried.
    Failed(String),
}

/// A change in where one write stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The write.
    pub entry: OutboxEntry,
    /// Where it stands now.
    pub state: DeliveryState,
}

/// How a delivery run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// Delivered and marked done.
    Delivered,
    /// Refused for good, marked done with the reason.
    Failed(String),
    /// Still owed when the deadline came: it stays in the outbox for the next start.
    Owed(String),
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
}

impl Context {
    fn audit(&self, entry: &OutboxEntry, outcome: &str) {
        let Some(path) = &self.audit else { return };
        let line = AuditEntry {
            time: self.clock.now(),
            user: entry.user.clone(),
            source: entry.source.clone(),
            incident: entry.incident.clone(),
            action: entry.kind.verb().to_string(),
            note: entry.note.clone(),
            outcome: outcome.to_string(),
        };
        if let Err(error) = append(path, &line) {
            tracing::warn!(%error, "cannot write the audit log");
        }
    }

    fn settle(&self, entry: &OutboxEntry, outcome: &str) {
        if let Err(error) = self.store.done(&entry.id, outcome, self.clock.now()) {
            // The write itself went through; the worst case is one idempotent resend.
            tracing::warn!(%error, "cannot mark an outbox entry done");
        }
        self.audit(entry, outcome);
    }
}

/// One attempt: the status change, then the note (a note alone for [`WriteKind::Note`]).
async fn attempt(backends: &Backends, entry: &OutboxEntry) -> Result<(), SourceError> {
    let Some(backend) = backends.incident_backend(&entry.source) else {
        return Err(SourceError::Rejected(format!(
            "no incident source named `{}` in the config",
            entry.source
        )));
    };
    let note = entry.note.as_deref();
    let work = async {
        match entry.kind.incident_action() {
            Some(action) => backend.apply(&entry.incident, action, note).await,
            None => {
                backend
                    .add_note(&entry.incident, note.unwrap_or_default())
                    .await
            }
        }
    };
    tokio::time::timeout(ATTEMPT_TIMEOUT, work)
        .await
        .unwrap_or_else(|_| Err(SourceError::Timeout(ATTEMPT_TIMEOUT.as_millis() as u64)))
}

/// The wait before attempt `attempts + 1`: 2 s doubling to a minute, or longer when the
/// server asked (`Retry-After`).
pub fn backoff(attempts: u32, error: &SourceError) -> Duration {
    let doubling = Duration::from_secs(2u64.saturating_pow(attempts.min(6))).min(MAX_BACKOFF);
    error
        .retry_after()
        .map_or(doubling, |asked| asked.max(doubling))
}

/// Whether an entry is new in this run or resumed from an earlier one (whose first failure
/// the audit log already records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Asked for in this run.
    New,
    /// Read back from the outbox file.
    Resumed,
}

/// Delivers one entry (already in the outbox file), retrying transient failures until it is
/// settled or, when `deadline` is given, until the next attempt would start after it.
/// Every change is reported on `report`.
pub async fn deliver_until(
    context: &Context,
    entry: &OutboxEntry,
    origin: Origin,
    deadline: Option<tokio::time::Instant>,
    report: &mpsc::UnboundedSender<Delivery>,
) -> Settled {
    let tell = |state| {
        let _ = report.send(Delivery {
            entry: entry.clone(),
            state,
        });
    };
    let mut attempts = 0u32;
    loop {
        tell(DeliveryState::Sending);
        tracing::info!(source = %entry.source, incident = %entry.incident, action = entry.kind.verb(), attempt = attempts + 1, "sending");
        match attempt(&context.backends, entry).await {
            Ok(()) => {
                tracing::info!(source = %entry.source, incident = %entry.incident, action = entry.kind.verb(), "delivered");
                context.settle(entry, "ok");
                tell(DeliveryState::Delivered);
                return Settled::Delivered;
            }
            Err(error) if error.is_transient() => {
                attempts += 1;
                let wait = backoff(attempts, &error);
                tracing::warn!(source = %entry.source, incident = %entry.incident, action = entry.kind.verb(), %error, ?wait, "not delivered, queued for retry");
                if attempts == 1 && origin == Origin::New {
                    context.audit(entry, &format!("queued: {error}"));
                }
                let retry_at = context.clock.now()
                    + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::zero());
                tell(DeliveryState::Queued {
                    attempts,
                    error: error.to_string(),
                    retry_at,
                });
                let next = tokio::time::Instant::now() + wait;
                if deadline.is_some_and(|d| next > d) {
                    return Settled::Owed(error.to_string());
                }
                tokio::time::sleep_until(next).await;
            }
            Err(error) => {
                tracing::warn!(source = %entry.source, incident = %entry.incident, action = entry.kind.verb(), %error, "refused");
                context.settle(entry, &format!("failed: {error}"));
                tell(DeliveryState::Failed(error.to_string()));
                return Settled::Failed(error.to_string());
            }
        }
    }
}

/// Hands writes to one lane per source. Cheap to clone.
#[derive(Clone)]
pub struct Courier {
    lanes: mpsc::UnboundedSender<(OutboxEntry, bool)>,
    store: Arc<Store>,
    user: String,
    clock: Clock,
}

impl Courier {
    /// Starts delivering: `owed` (read from the outbox at start) first, then whatever
    /// [`Courier::send`] adds. Changes are reported on `report`. Must run inside a runtime.
    pub fn spawn(
        context: Context,
        user: &str,
        owed: Vec<OutboxEntry>,
        report: mpsc::UnboundedSender<Delivery>,
    ) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<(OutboxEntry, bool)>();
        let store = context.store.clone();
        let clock = context.clock;
        for entry in owed {
            let _ = tx.send((entry, true));
        }
        tokio::spawn(async move {
            let mut lanes: HashMap<String, mpsc::UnboundedSender<(OutboxEntry, bool)>> =
                HashMap::new();
            while let Some((entry, persisted)) = rx.recv().await {
                let lane = lanes
                    .entry(entry.source.clone())
                    .or_insert_with(|| spawn_lane(context.clone(), report.clone()));
                let _ = lane.send((entry, persisted));
            }
        });
        Self {
            lanes: tx,
            store,
            user: user.to_string(),
            clock,
        }
    }

    /// Queues a write: it is written to the outbox file before its first attempt.
    /// Returns the entry so the caller can match later [`Delivery`] reports to it.
    pub fn send(
        &self,
        source: &str,
        incident: &str,
        kind: WriteKind,
        note: Option<String>,
    ) -> OutboxEntry {
        let entry = self
            .store
            .entry(&self.user, source, incident, kind, note, self.clock.now());
        let _ = self.lanes.send((entry.clone(), false));
        entry
    }
}

fn spawn_lane(
    context: Context,
    report: mpsc::UnboundedSender<Delivery>,
) -> mpsc::UnboundedSender<(OutboxEntry, bool)> {
    let (tx, mut rx) = mpsc::unbounded_channel::<(OutboxEntry, bool)>();
    tokio::spawn(async move {
        while let Some((entry, persisted)) = rx.recv().await {
            if !persisted && let Err(error) = context.store.queue(&entry) {
                // Never send what could not be recorded: a crash would lose track of it.
                let reason = format!(
                    "cannot write the outbox {}: {error}",
                    context.store.path().display()
                );
                context.audit(&entry, &format!("failed: {reason}"));
                let _ = report.send(Delivery {
                    entry,
                    state: DeliveryState::Failed(reason),
                });
                continue;
            }
            let origin = if persisted {
                Origin::Resumed
            } else {
                Origin::New
            };
            deliver_until(&context, &entry, origin, None, &report).await;
        }
    });
    tx
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
}
