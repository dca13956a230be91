//! The outbox as the cockpit and the command line use it: opened in the state dir at start,
//! a courier whose reports come back to the app loop as [`CommandResult::Delivery`], and a
//! one-attempt path for headless runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc;

use super::deliver::{Context, Courier, Delivery, Origin, deliver_until};
use super::store::{OutboxEntry, Store, WriteKind, outbox_path};
use crate::event::{CommandResult, Event};
use crate::journal::audit_path;
use crate::sources::{Backends, Clock};

/// The opened outbox: how to deliver, and what an earlier run left owed.
#[derive(Clone)]
pub struct OutboxSetup {
    /// Backends, file, audit log and clock.
    pub context: Context,
    /// Entries owed from an earlier run, resent first.
    pub owed: Vec<OutboxEntry>,
    /// Who acts.
    pub user: String,
    /// Unreadable outbox lines that were skipped.
    pub warnings: Vec<String>,
}

/// Where the outbox lives without a state dir: per process, so tests never share one.
fn fallback_dir() -> PathBuf {
    std::env::temp_dir().join(format!("ondeck-{}", std::process::id()))
}

/// Opens `outbox.jsonl` (and names `audit.jsonl`) in `state_dir`, or in a per-process
/// temporary directory when there is none.
pub fn open(
    state_dir: Option<&Path>,
    backends: &Backends,
    clock: Clock,
    user: &str,
) -> std::io::Result<OutboxSetup> {
    let dir = state_dir.map_or_else(fallback_dir, Path::to_path_buf);
    let (store, owed, warnings) = Store::open(&outbox_path(&dir))?;
    Ok(OutboxSetup {
        context: Context {
            backends: backends.clone(),
            store: Arc::new(store),
            audit: state_dir.map(audit_path),
            clock,
        },
        owed,
        user: user.to_string(),
        warnings,
    })
}

/// Starts the courier; every report reaches the app loop as an [`Event::Done`].
pub fn start(setup: &OutboxSetup, events: mpsc::Sender<Event>) -> Courier {
    let (report_tx, mut report_rx) = mpsc::unbounded_channel::<Delivery>();
    tokio::spawn(async move {
        while let Some(delivery) = report_rx.recv().await {
            let done = Event::Done(Box::new(CommandResult::Delivery(delivery)));
            if events.send(done).await.is_err() {
                return;
            }
        }
    });
    Courier::spawn(
        setup.context.clone(),
        &setup.user,
        setup.owed.clone(),
        report_tx,
    )
}

/// Writes the entry to the outbox and makes one attempt now, without waiting to retry;
/// returns every report in order. Headless runs (tests, flows) use it where the cockpit
/// uses the courier. A write it cannot deliver stays owed in the outbox.
pub async fn deliver_inline(
    setup: &OutboxSetup,
    source: &str,
    incident: &str,
    kind: WriteKind,
    note: Option<String>,
) -> Vec<Delivery> {
    let context = &setup.context;
    let entry = context.store.entry(
        &setup.user,
        source,
        incident,
        kind,
        note,
        context.clock.now(),
    );
    let (tx, mut rx) = mpsc::unbounded_channel();
    if let Err(error) = context.store.queue(&entry) {
        return vec![Delivery {
            entry,
            state: super::DeliveryState::Failed(format!("cannot write the outbox: {error}")),
        }];
    }
    let now = Some(tokio::time::Instant::now());
    deliver_until(context, &entry, Origin::New, now, &tx).await;
    drop(tx);
    let mut reports = Vec::new();
    while let Some(report) = rx.recv().await {
        reports.push(report);
    }
    reports
}
