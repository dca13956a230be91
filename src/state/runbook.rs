//! Runbook state: the library, the settings steps run with, and the runbook open in the
//! runbook view (its progress, the confirmation before a run, the step running now).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::runbook::env::IncidentContext;
use crate::runbook::progress::Progress;
use crate::runbook::{Library, Runbook};

/// Default limit on one step's run.
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(300);

/// How steps run and where records go.
#[derive(Debug, Clone, PartialEq)]
pub struct RunbookSettings {
    /// Where progress and the audit log are written; `None` keeps nothing on disk.
    pub state_dir: Option<PathBuf>,
    /// Who acts, for the audit log and notes.
    pub user: String,
    /// Also add each step's outcome as a note on the incident.
    pub post_notes: bool,
    /// Kill a step's process group after this long.
    pub step_timeout: Duration,
    /// https prefixes whose linked runbooks may run (`runbook_trusted_urls`).
    pub trusted_urls: Vec<String>,
    /// Variables of ondeck's environment a step gets besides the shell's basics
    /// (`runbook_env`).
    pub pass_env: Vec<String>,
    /// Where runbook files may run from (`runbook_dirs`): a file an alert names elsewhere is
    /// view-only.
    pub dirs: Vec<PathBuf>,
}

impl Default for RunbookSettings {
    fn default() -> Self {
        Self {
            state_dir: None,
            user: "ondeck".into(),
            post_notes: false,
            step_timeout: DEFAULT_STEP_TIMEOUT,
            trusted_urls: Vec::new(),
            pass_env: Vec::new(),
            dirs: Vec::new(),
        }
    }
}

/// The question asked before a step's command runs: the exact command and its variables.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecConfirm {
    /// Step index.
    pub step: usize,
    /// The shell that will run it.
    pub shell: String,
    /// The code block, verbatim: exactly what `sh -c` receives.
    pub code: String,
    /// Which runbook, and which version of it: the file and its git commit or sha256, or
    /// the URL and its body's sha256.
    pub provenance: String,
    /// Why it will not run, when the code holds a character that does not show as itself
    /// (a control or bidi character: what is on screen would not be what runs).
    pub refused: Option<String>,
    /// The `ONDECK_*` variables it gets.
    pub env: Vec<(String, String)>,
}

/// A step whose command is running.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningStep {
    /// Identifies the run in output events.
    pub run_id: u64,
    /// Step index.
    pub step: usize,
    /// When it started.
    pub started_at: DateTime<Utc>,
}

/// The runbook on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct RunbookView {
    /// The runbook.
    pub runbook: Runbook,
    /// The incident it is open for; `None` when opened with `:runbook` away from any incident.
    pub incident: Option<IncidentContext>,
    /// Why this runbook: "named by the incident", "matched 2 labels", a URL not fetched.
    pub reason: String,
    /// Step states, outputs and the cursor.
    pub progress: Progress,
    /// Where progress is saved, when a state dir is configured.
    pub progress_path: Option<PathBuf>,
    /// Asked before running a step.
    pub confirm: Option<ExecConfirm>,
    /// The step running now.
    pub running: Option<RunningStep>,
    /// Output lines scrolled back from the newest (0 follows the output).
    pub scroll: usize,
    /// The http(s) URL the alert links as its runbook, which `f` fetches.
    pub link: Option<String>,
}

/// A runbook being fetched by URL, and the incident to show it for when it arrives.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingFetch {
    /// The URL asked for.
    pub url: String,
    /// The incident the runbook is for, if any.
    pub incident: Option<IncidentContext>,
}

impl RunbookView {
    /// Index of the step under the cursor.
    pub fn current(&self) -> usize {
        self.progress.current
    }
}

/// Everything about runbooks the cockpit holds.
#[derive(Debug, Clone, PartialEq)]
pub struct RunbookState {
    /// Known runbooks.
    pub library: Arc<Library>,
    /// How steps run.
    pub settings: RunbookSettings,
    /// The open runbook, shown over the pane.
    pub view: Option<RunbookView>,
    /// The id the next run gets.
    pub next_run_id: u64,
    /// The incident waiting for a runbook file it names to be read.
    pub pending_open: Option<IncidentContext>,
    /// The runbook being fetched by URL.
    pub pending_fetch: Option<PendingFetch>,
}

impl Default for RunbookState {
    fn default() -> Self {
        Self {
            library: Library::embedded(),
            settings: RunbookSettings::default(),
            view: None,
            next_run_id: 1,
            pending_open: None,
            pending_fetch: None,
        }
    }
}

impl RunbookState {
    /// Runbooks as the config asks: the shipped ones overlaid by `runbook_dirs`, steps timed
    /// out after `step_timeout`, records kept in `state_dir`. Reads the runbook directories,
    /// so it runs once at start-up, before the UI.
    pub fn configured(config: &crate::config::Config, state_dir: Option<PathBuf>) -> Self {
        let library = Library::load(&config.runbook_dirs);
        for error in &library.errors {
            tracing::warn!(%error, "runbook not loaded");
        }
        Self {
            library: Arc::new(library),
            settings: RunbookSettings {
                state_dir,
                user: config.user.clone(),
                post_notes: config.post_notes,
                step_timeout: config.step_timeout,
                trusted_urls: config.runbook_trusted_urls.clone(),
                pass_env: config.runbook_env.clone(),
                dirs: config.runbook_dirs.clone(),
            },
            ..Self::default()
        }
    }
}
