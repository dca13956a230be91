//! Everything that can wake the app loop, from every task, on one channel.

use std::path::PathBuf;

use crate::model::{Trace, TraceKind, TraceSummary};
use crate::runbook::Runbook;
use crate::runbook::exec::{Finished, Stream};
use crate::runbook::progress::Progress;
use crate::sources::{SourceError, SourceUpdate};

/// One thing that happened.
#[derive(Debug)]
pub enum Event {
    /// Terminal input (keys, resize, mouse).
    Input(crossterm::event::Event),
    /// The terminal hung up or cannot be read any more: nobody is there to drive the cockpit.
    TerminalGone,
    /// The 1 Hz clock that ages "updated 12 s ago".
    Tick,
    /// A poller finished a poll (boxed: snapshots are large, the channel slot should not be).
    Source(Box<SourceUpdate>),
    /// A command finished.
    Done(Box<CommandResult>),
    /// A runbook command produced a result (or a line of a running step's output).
    Runbook(Box<RunbookResult>),
}

/// The outcome of a [`crate::command::Command`] that ran off the UI task.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandResult {
    /// A write in the outbox changed state: sending, queued for retry, delivered, refused.
    Delivery(crate::outbox::Delivery),
    /// A trace search finished.
    Traces {
        /// Service searched.
        service: String,
        /// Slow or errors.
        kind: TraceKind,
        /// Results, or why none.
        outcome: Result<Vec<TraceSummary>, SourceError>,
    },
    /// A trace was fetched.
    Trace {
        /// Requested id.
        trace_id: String,
        /// The trace, or why not.
        outcome: Result<Trace, SourceError>,
    },
    /// A debug-pane question was answered.
    Explore(Box<crate::sources::explore::ExploreResult>),
    /// A log source answered.
    Logs(Box<crate::sources::logs::LogAnswer>),
    /// An incident's source said which changes it relates to the page.
    RelatedChanges {
        /// The incident.
        key: crate::state::IncidentKey,
        /// The changes, or why not.
        outcome: Result<Vec<crate::model::Change>, SourceError>,
    },
    /// tmux took (or refused) a copy: where the text went, or why not.
    Copied {
        /// The text copied.
        text: String,
        /// Where it went, or why tmux refused it.
        outcome: Result<String, String>,
    },
    /// Alertmanager answered which firing alerts a silence would hide.
    SilencePreview {
        /// The matchers asked about.
        matchers: Vec<crate::model::SilenceMatcher>,
        /// The labels of each matched alert, or why there is no answer.
        outcome: Result<Vec<std::collections::BTreeMap<String, String>>, SourceError>,
        /// When the answer came.
        at: chrono::DateTime<chrono::Utc>,
    },
}

/// The outcome of a runbook command (progress, notes, step runs), kept apart from
/// [`CommandResult`] so the runbook view owns its own results.
#[derive(Debug, Clone, PartialEq)]
pub enum RunbookResult {
    /// Saved runbook progress was read.
    ProgressLoaded {
        /// The file.
        path: PathBuf,
        /// The progress (`None`: nothing saved yet), or why it could not be read.
        outcome: Result<Option<Progress>, String>,
    },
    /// A runbook file named by an incident was read.
    RunbookLoaded {
        /// The file.
        path: PathBuf,
        /// The runbook, or the parse error.
        outcome: Result<Box<Runbook>, String>,
    },
    /// A runbook linked by URL was fetched.
    RunbookFetched {
        /// The URL.
        url: String,
        /// The runbook, or why it cannot be shown.
        outcome: Result<Box<Runbook>, String>,
    },
    /// A running step printed a line.
    StepOutput {
        /// The run.
        run_id: u64,
        /// Which pipe.
        stream: Stream,
        /// The line.
        line: String,
    },
    /// A running step ended.
    StepFinished {
        /// The run.
        run_id: u64,
        /// Exit status and duration.
        finished: Finished,
    },
}
