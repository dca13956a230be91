//! Plain data the panes draw from. Changed only by [`crate::update::update`]; read by `ui`.

pub mod changes;
pub mod commandline;
pub mod debug;
pub mod freshness;
pub mod history;
pub mod incidents;
pub mod logs;
pub mod runbook;
pub mod silence;
pub mod slos;
pub mod sources;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

pub use changes::{BurnAfter, BurnOnset, ChangesState};
pub use commandline::{CommandLine, CommandLineState, HISTORY_LIMIT};
pub use debug::{
    DebugFocus, DebugState, Investigation, Listed, ListedKind, Load, QueryView, TrendRange,
};
pub use freshness::{Freshness, ServiceTrends, Sourced};
pub use history::{Measure, ResponseTimes, SourceHistory};
pub use incidents::{IncidentKey, OncallFocus, PendingAction, PendingState};
pub use logs::{LogFeed, LogFilter, LogWindow, LogsState};
pub use runbook::{
    ExecConfirm, PendingFetch, RunbookSettings, RunbookState, RunbookView, RunningStep,
};
pub use silence::{SilenceDialog, SilenceField, SilenceOp, SilencePreview, TextField};
pub use slos::{FiringAlert, SloKey, SloRow, SloRows};
pub use sources::{Health, SourceStatus};

use crate::model::{Incident, IncidentAction};
use crate::slo::TierSpec;

/// The three panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    /// SLO compliance for everyone.
    Executive,
    /// Open pages and firing alerts.
    Oncall,
    /// One service's trends and traces.
    Debug,
}

impl Pane {
    /// In tab order.
    pub const ALL: [Pane; 3] = [Pane::Executive, Pane::Oncall, Pane::Debug];

    /// Tab title.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Executive => "Executive",
            Pane::Oncall => "On-call",
            Pane::Debug => "Debug",
        }
    }

    /// Keymap section name.
    pub fn key(self) -> &'static str {
        match self {
            Pane::Executive => "executive",
            Pane::Oncall => "oncall",
            Pane::Debug => "debug",
        }
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// The pane after this one, wrapping.
    pub fn next(self) -> Pane {
        Pane::ALL[(self.index() + 1) % Pane::ALL.len()]
    }

    /// The pane before this one, wrapping.
    pub fn prev(self) -> Pane {
        Pane::ALL[(self.index() + Pane::ALL.len() - 1) % Pane::ALL.len()]
    }
}

/// A confirmation the responder must answer before a write is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    /// Which incident.
    pub key: IncidentKey,
    /// Its title, repeated so the responder sees exactly what they act on.
    pub title: String,
    /// What will be done.
    pub action: IncidentAction,
    /// Kind of backend the write goes to (`demo`, `pagerduty`, …).
    pub backend_kind: String,
    /// Exactly what the backend will do, in a sentence.
    pub effect: String,
    /// The responder's optional note, sent with the write.
    pub note: NoteField,
}

/// The note field of the confirmation dialog. Keys go to it only while it is being edited
/// (Tab), so `a` `y` stays a two-key acknowledge.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoteField {
    /// The text.
    pub value: String,
    /// Characters before the cursor.
    pub cursor: usize,
    /// Whether keys go to the field.
    pub editing: bool,
}

/// What sits on top of the pane.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// Every key binding.
    Help,
    /// A yes/no question before a write.
    Confirm(Confirm),
    /// The selected item's detail (incident, or span in the debug pane).
    Detail,
    /// The answer to a `:promql` query, as a table and a chart.
    Query,
    /// The selected log line in full, with its labels or fields.
    LogLine,
    /// A new silence, an extension or an expiry, with its preview (every key goes to it).
    Silence(Box<SilenceDialog>),
}

/// Whether a flash message reports success or trouble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    /// Something worked.
    Info,
    /// Something failed.
    Error,
}

/// A one-line message in the status bar that fades after a few seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    /// The message.
    pub text: String,
    /// Success or failure.
    pub kind: FlashKind,
    /// When it appeared.
    pub at: DateTime<Utc>,
}

/// Everything on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The clock as of the last tick or update.
    pub now: DateTime<Utc>,
    /// Visible pane.
    pub pane: Pane,
    /// Dialog or overlay on top, if any.
    pub overlay: Option<Overlay>,
    /// No writes: acknowledge and resolve are refused.
    pub readonly: bool,
    /// Alert tiers every SLO is evaluated against, unless its period has its own.
    pub tiers: Vec<TierSpec>,
    /// Alert tiers of SLOs of one period (Sloth `AlertWindows`).
    pub period_tiers: BTreeMap<crate::slo::Window, Vec<TierSpec>>,
    /// What the config loader skipped or could not honour (SLO files, one line each): the
    /// status bar counts them, `snapshot` lists them, `check-config` prints them.
    pub config_warnings: Vec<String>,
    /// One entry per source feed, in config order.
    pub sources: Vec<SourceStatus>,
    /// SLO rows, most at risk first.
    pub slos: Vec<SloRow>,
    /// Id of the selected SLO.
    pub selected_slo: Option<SloKey>,
    /// Trends per service, each with the metrics source that brought it.
    pub services: BTreeMap<String, ServiceTrends>,
    /// Incidents as last reported, per source name.
    pub incidents: BTreeMap<String, Vec<Incident>>,
    /// Who is on call, per incident source that reports it.
    pub oncall: BTreeMap<String, Vec<crate::model::OnCall>>,
    /// Active silences, per Alertmanager source.
    pub silences: BTreeMap<String, Vec<crate::model::Silence>>,
    /// Incident history (MTTA/MTTR), per incident source.
    pub history: BTreeMap<String, SourceHistory>,
    /// The selected incident.
    pub selected_incident: Option<IncidentKey>,
    /// Row selected in the firing-alerts list.
    pub selected_alert: usize,
    /// Which list of the on-call pane has focus.
    pub oncall_focus: OncallFocus,
    /// Writes in flight or waiting for retry, per incident.
    pub pending: BTreeMap<IncidentKey, PendingAction>,
    /// How long an acknowledge silences an alert, per Alertmanager source (for the dialog).
    pub silence_durations: BTreeMap<String, std::time::Duration>,
    /// Whether the on-call pane shows the Alertmanager silences instead of the incidents.
    pub show_silences: bool,
    /// Row selected in the silences view.
    pub selected_silence: usize,
    /// Debug pane state.
    pub debug: DebugState,
    /// The debug pane's logs panel.
    pub logs: LogsState,
    /// Changes (deploys, config changes, …) and the changes list's cursor.
    pub changes: ChangesState,
    /// The latest result message.
    pub flash: Option<Flash>,
    /// First help line shown when help does not fit the screen at once.
    pub help_scroll: usize,
    /// How many lines the help has (fixed by the keymap), bounding `help_scroll`.
    pub help_len: usize,
    /// Runbooks: the library, and the one open over the pane.
    pub runbook: RunbookState,
    /// The `:` command line and its history.
    pub command_line: CommandLineState,
    /// Set once the user asked to leave.
    pub quit: bool,
}

impl State {
    /// An empty cockpit at `now`, evaluating SLOs against `tiers`.
    pub fn new(now: DateTime<Utc>, tiers: Vec<TierSpec>) -> Self {
        Self {
            now,
            pane: Pane::Executive,
            overlay: None,
            readonly: false,
            tiers,
            period_tiers: BTreeMap::new(),
            config_warnings: Vec::new(),
            sources: Vec::new(),
            slos: Vec::new(),
            selected_slo: None,
            services: BTreeMap::new(),
            incidents: BTreeMap::new(),
            selected_incident: None,
            oncall: BTreeMap::new(),
            silences: BTreeMap::new(),
            history: BTreeMap::new(),
            selected_alert: 0,
            oncall_focus: OncallFocus::Incidents,
            pending: BTreeMap::new(),
            silence_durations: BTreeMap::new(),
            show_silences: false,
            selected_silence: 0,
            debug: DebugState::default(),
            logs: LogsState::default(),
            changes: ChangesState::default(),
            flash: None,
            help_scroll: 0,
            help_len: 0,
            runbook: RunbookState::default(),
            command_line: CommandLineState::default(),
            quit: false,
        }
    }
}

impl State {
    /// The keymap contexts that apply now, most specific first: an overlay's (or the runbook
    /// view's confirmation) alone, else the runbook view or the pane, then `global`. Key
    /// dispatch and the key-hint bar both use this, so the hints never show keys that do
    /// nothing.
    pub fn key_contexts(&self) -> Vec<&'static str> {
        match &self.overlay {
            Some(Overlay::Help) => vec!["help"],
            Some(Overlay::Confirm(_)) => vec!["confirm"],
            Some(Overlay::Detail) => vec!["detail"],
            // Read-only and scrollable like help: its keys (esc, up/down, y) fit.
            Some(Overlay::Query | Overlay::LogLine) => vec!["help"],
            // Every key goes to the dialog, which draws its own hints.
            Some(Overlay::Silence(_)) => vec![],
            None => match &self.runbook.view {
                Some(view) if view.confirm.is_some() => vec!["confirm"],
                Some(_) => vec!["runbook", "global"],
                None => vec![self.pane.key(), "global"],
            },
        }
    }
}
