//! The outbox as the cockpit and the command line use it: opened in the state dir at start;
//! in the cockpit, a writer that records each confirmed write (fsynced, in the order
//! confirmed) before anything about it is shown, one deliverer per backend lane, and a view
//! of the log whose changes come back to the app loop as [`CommandResult::Delivery`]; for
//! headless runs, one attempt in line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{Notify, mpsc};

use super::deliver::{self, Context, Step};
use super::entry::{OutboxEntry, Target};
use super::store::{Draft, Record, Store, outbox_path};
use super::view::{Delivery, DeliveryState, View};
use super::watch::Changes;
use crate::event::{CommandResult, Event};
use crate::journal::audit_path;
use crate::sources::{Backends, Clock};

/// The opened outbox: how to deliver, and who acts.
#[derive(Clone)]
pub struct OutboxSetup {
    /// Backends, file, audit log and clock.
    pub context: Context,
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
/// temporary directory when there is none. Nothing is watched yet: [`start`] does that.
pub fn open(
    state_dir: Option<&Path>,
    backends: &Backends,
    clock: Clock,
    user: &str,
) -> std::io::Result<OutboxSetup> {
    let dir = state_dir.map_or_else(fallback_dir, Path::to_path_buf);
    let store = Store::open(&outbox_path(&dir))?;
    let warnings = store.read()?.warnings;
    Ok(OutboxSetup {
        context: Context {
            backends: backends.clone(),
            store: Arc::new(store),
            audit: state_dir.map(audit_path),
            clock,
            changes: Changes::local(),
        },
        user: user.to_string(),
        warnings,
    })
}

/// A write the responder confirmed, before the outbox gives it an id.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteRequest {
    /// Source of the incident.
    pub source: String,
    /// Incident id.
    pub incident: String,
    /// What to do.
    pub kind: super::WriteKind,
    /// The responder's note (the whole text of a note).
    pub note: Option<String>,
    /// The incident's labels, for backends that act on them later.
    pub labels: std::collections::BTreeMap<String, String>,
    /// For silence writes: what the silence matches, until when, and why.
    pub silence: Option<crate::model::SilenceWrite>,
    /// For escalate, reassign and snooze: to which level, to whom, until when.
    pub reroute: Option<super::Reroute>,
}

impl OutboxSetup {
    /// The entry for `request`, with the backend it is for.
    pub fn entry(&self, request: WriteRequest) -> OutboxEntry {
        let context = &self.context;
        let target = context
            .backends
            .incidents
            .iter()
            .find(|(meta, _)| meta.name == request.source)
            .map(|(meta, _)| Target::new(&meta.kind, meta.url.as_deref()));
        let draft = Draft {
            user: self.user.clone(),
            source: request.source,
            incident: request.incident,
            kind: request.kind,
            // A note never carries a token ondeck holds to a backend.
            note: request.note.map(|n| crate::secrets::mask(&n).into_owned()),
            target,
            labels: request.labels,
            silence: request.silence.map(|mut silence| {
                // A comment, like a note, never carries a token ondeck holds.
                silence.comment = crate::secrets::mask(&silence.comment).into_owned();
                silence
            }),
            reroute: request.reroute,
        };
        context.store.entry(draft, context.clock.now())
    }
}

/// Hands confirmed writes to the outbox. Cheap to clone.
#[derive(Clone)]
pub struct Courier {
    writer: mpsc::UnboundedSender<OutboxEntry>,
    setup: OutboxSetup,
    kicks: HashMap<String, Arc<Notify>>,
}

impl Courier {
    /// The source answered a poll: its lane, if waiting out a backoff, tries again now.
    pub fn kick(&self, source: &str) {
        if let Some(kick) = self.kicks.get(source) {
            kick.notify_one();
        }
    }

    /// Records the write (off the UI task, in the order given); nothing about it is shown
    /// until it is on disk and the view reports it.
    pub fn send(&self, request: WriteRequest) {
        let entry = self.setup.entry(request);
        let _ = self.writer.send(entry);
    }
}

/// Starts the outbox in the cockpit: the writer, a deliverer per lane, and the view, whose
/// every change reaches the app loop as an [`Event::Done`]. Must run inside a runtime.
pub fn start(setup: &OutboxSetup, events: mpsc::Sender<Event>) -> Courier {
    let mut setup = setup.clone();
    setup.context.changes = Changes::watch(setup.context.store.path());
    let context = setup.context.clone();
    let (report_tx, mut report_rx) = mpsc::unbounded_channel::<Delivery>();
    tokio::spawn(async move {
        while let Some(delivery) = report_rx.recv().await {
            let done = Event::Done(Box::new(CommandResult::Delivery(delivery)));
            if events.send(done).await.is_err() {
                return;
            }
        }
    });
    let mut kicks = HashMap::new();
    for lane in context.lanes() {
        let kick = Arc::new(Notify::new());
        kicks.insert(lane.source.clone(), kick.clone());
        tokio::spawn(deliver::run_lane(context.clone(), lane, kick));
    }
    tokio::spawn(watch_view(context.clone(), report_tx.clone()));
    let (writer, mut entries) = mpsc::unbounded_channel::<OutboxEntry>();
    tokio::spawn(async move {
        while let Some(entry) = entries.recv().await {
            let queued = Record::Queued(entry.clone());
            if let Err(error) = context.record(vec![queued]).await {
                // Never sent, so nothing is lost but the write itself: say so plainly.
                let reason = format!(
                    "cannot write the outbox {}: {error}",
                    context.store.path().display()
                );
                let _ = report_tx.send(Delivery {
                    entry,
                    state: DeliveryState::Failed(reason),
                });
            }
        }
    });
    Courier {
        writer,
        setup,
        kicks,
    }
}

/// Reports every change in the log to the app loop, from this process's writes and lanes
/// and from every other process's.
async fn watch_view(context: Context, report: mpsc::UnboundedSender<Delivery>) {
    let mut changes = context.changes.subscribe();
    let mut view = View::new(context.clock.now());
    loop {
        changes.mark_unchanged();
        match context.read().await {
            Ok(ledger) => {
                for delivery in view.changes(&ledger, |entry| context.elsewhere(entry)) {
                    if report.send(delivery).is_err() {
                        return;
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read the outbox"),
        }
        if changes.changed().await.is_err() {
            return;
        }
    }
}

/// Records the write and makes one attempt now, without waiting to retry; returns the
/// reports the cockpit's view would show, in order. Headless runs (tests, flows) use it where
/// the cockpit uses the courier. A write it cannot deliver stays owed in the outbox.
pub async fn deliver_inline(setup: &OutboxSetup, request: WriteRequest) -> Vec<Delivery> {
    let context = &setup.context;
    let entry = setup.entry(request);
    let mut reports = Vec::new();
    let failed = |entry: OutboxEntry, why: String| Delivery {
        entry,
        state: DeliveryState::Failed(why),
    };
    if let Err(error) = context.record(vec![Record::Queued(entry.clone())]).await {
        reports.push(failed(entry, format!("cannot write the outbox: {error}")));
        return reports;
    }
    reports.push(Delivery {
        entry: entry.clone(),
        state: DeliveryState::Recorded { behind: 0 },
    });
    let Some(lane) = context.lane_for(&entry) else {
        let why = context.elsewhere(&entry).unwrap_or_default();
        reports.push(Delivery {
            entry,
            state: DeliveryState::OwedElsewhere(why),
        });
        return reports;
    };
    let deadline = tokio::time::Instant::now();
    let steps = match deliver::drain(context, &lane, Some(&entry.id), deadline).await {
        Ok(Some(steps)) => steps,
        Ok(None) => return reports,
        Err(error) => {
            reports.push(failed(entry, format!("cannot read the outbox: {error}")));
            return reports;
        }
    };
    for (delivered, step) in steps.into_iter().filter(|(e, _)| e.id == entry.id) {
        reports.push(Delivery {
            entry: delivered.clone(),
            state: DeliveryState::Sending,
        });
        let state = match step {
            Step::Delivered => DeliveryState::Delivered,
            Step::Refused(why) => DeliveryState::Failed(why),
            Step::Retry { error, wait } => DeliveryState::Queued {
                attempts: 1,
                error,
                retry_at: context.clock.now()
                    + chrono::Duration::from_std(wait).unwrap_or_default(),
            },
        };
        reports.push(Delivery {
            entry: delivered,
            state,
        });
    }
    reports
}
