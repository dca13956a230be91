//! Side effects `update` asks for. The app runs each off the UI task; results come back as
//! [`crate::event::Event::Done`].

use std::path::PathBuf;

use crate::journal::AuditEntry;
use crate::model::TraceSearch;
use crate::runbook::exec::ExecSpec;
use crate::runbook::progress::Progress;

/// A side effect.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Leave the app.
    Quit,
    /// Poll every source now instead of waiting for its interval.
    RefreshNow,
    /// Record a confirmed write (acknowledge, resolve, un-acknowledge, note) in the outbox,
    /// which then delivers it.
    Write(crate::outbox::WriteRequest),
    /// Ask Alertmanager which firing alerts a silence with these matchers would hide (the
    /// silence dialog's preview).
    PreviewSilence {
        /// The Alertmanager source.
        source: String,
        /// The matchers.
        matchers: Vec<crate::model::SilenceMatcher>,
    },
    /// Search the tracing backend.
    SearchTraces(TraceSearch),
    /// Fetch one trace.
    FetchTrace {
        /// Trace id.
        trace_id: String,
    },
    /// A debug-pane question: PromQL, exemplars, longer trends, the service graph.
    Explore(crate::sources::explore::ExploreCommand),
    /// Ask one log source for lines (the logs panel).
    FetchLogs(crate::sources::logs::LogRequest),
    /// Put text on the clipboard of the responder's terminal; the app writes the OSC 52
    /// escape to the terminal between frames (see [`crate::clipboard`]).
    Copy {
        /// The text.
        text: String,
    },
    /// Ask an incident's source for the changes it relates to the page (PagerDuty).
    RelatedChanges {
        /// The incident's source.
        source: String,
        /// The incident's id.
        incident: String,
    },
    /// Runbook work: files, audit, notes and step processes, carried out by
    /// [`crate::runbook::perform::perform`], which streams results back.
    Runbook(RunbookCommand),
}

/// Runbook side effects. A separate type, so where a command is carried out follows from its
/// type rather than from lists of variants kept in step by hand.
#[derive(Debug, Clone, PartialEq)]
pub enum RunbookCommand {
    /// Read saved runbook progress (the result comes back as `ProgressLoaded`).
    LoadProgress {
        /// The progress file.
        path: PathBuf,
    },
    /// Save runbook progress atomically.
    SaveProgress {
        /// The progress file.
        path: PathBuf,
        /// What to write.
        progress: Box<Progress>,
    },
    /// Read a runbook file an incident names by path.
    LoadRunbook {
        /// The file.
        path: PathBuf,
        /// The configured `runbook_dirs`: only a file under one of them may run.
        trusted_dirs: Vec<PathBuf>,
    },
    /// GET a runbook an alert links by http(s) URL (the result comes back as `RunbookFetched`).
    FetchRunbook {
        /// The URL.
        url: String,
    },
    /// Append a line to the audit log.
    Audit {
        /// The log file.
        path: PathBuf,
        /// The entry.
        entry: Box<AuditEntry>,
    },
    /// Run a step's command; output and the end come back as `StepOutput`/`StepFinished`.
    RunStep {
        /// Identifies the run.
        run_id: u64,
        /// What to run.
        spec: Box<ExecSpec>,
    },
    /// Kill a running step's process group.
    KillStep {
        /// The run.
        run_id: u64,
    },
}
