//! `Action`: the only way state changes. Bindable variants have stable snake_case names so
//! keymaps can name them; internal variants are `#[serde(skip)]` so no key can forge them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::{CommandResult, RunbookResult};
use crate::sources::SourceUpdate;

/// Something the user or the world did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave ondeck.
    Quit,
    /// Show or hide the key help.
    ToggleHelp,
    /// Next pane.
    NextPane,
    /// Previous pane.
    PrevPane,
    /// Executive pane.
    ShowExecutive,
    /// On-call pane.
    ShowOncall,
    /// Debug pane.
    ShowDebug,
    /// Move the selection up.
    Up,
    /// Move the selection down.
    Down,
    /// Jump to the first row.
    Top,
    /// Jump to the last row.
    Bottom,
    /// Move the selection a page up.
    PageUp,
    /// Move the selection a page down.
    PageDown,
    /// Move focus to the next panel within the pane.
    NextFocus,
    /// Open the selected item's detail (or its service in the debug pane).
    Open,
    /// Close the detail, dialog or overlay on top.
    Back,
    /// Acknowledge the selected incident (asks first).
    Acknowledge,
    /// Resolve the selected incident (asks first).
    Resolve,
    /// Un-acknowledge the selected incident so it pages again (asks first).
    Unacknowledge,
    /// In the confirmation dialog: type a note to send with the write.
    EditNote,
    /// On-call pane: show the Alertmanager silences instead of the incidents, or back.
    ToggleSilences,
    /// Answer yes in a confirmation dialog.
    Confirm,
    /// Answer no in a confirmation dialog.
    Cancel,
    /// Poll every source now.
    RefreshNow,
    /// Open the runbook of the selected incident or alert.
    OpenRunbook,
    /// Runbook: next step.
    StepNext,
    /// Runbook: previous step.
    StepPrev,
    /// Runbook: mark the current step done.
    StepDone,
    /// Runbook: skip the current step.
    StepSkip,
    /// Runbook: run the current step's command (asks first).
    StepExecute,
    /// Runbook: kill the running step's process group.
    KillStep,
    /// Runbook: fetch the runbook the alert links by http(s) URL.
    FetchRunbook,
    /// Open the `:` command line.
    CommandLine,
    /// Suspend ondeck to the shell (like Ctrl-Z in any program); `fg` brings it back.
    Suspend,
    /// On an SLO or an incident: open the debug pane on its service, with its slow and
    /// failing traces searched over the incident's time (or the SLO's last hour).
    TraceService,
    /// Debug waterfall: fold or unfold the selected span's subtree.
    ToggleCollapse,
    /// Debug waterfall: fold the selected subtree, or go up to its parent.
    Collapse,
    /// Debug waterfall: unfold the selected subtree.
    Expand,
    /// Debug pane: a shorter range for the latency and error trends.
    RangeShorter,
    /// Debug pane: a longer range for the latency and error trends.
    RangeLonger,
    /// Copy the selected trace id, incident id or PromQL to the clipboard (OSC 52).
    Copy,
    /// SIGTERM or SIGHUP arrived (internal): leave at once, whatever is on screen.
    #[serde(skip)]
    Terminate,
    /// A key typed into the open command line (internal: the line, not the keymap, reads it).
    #[serde(skip)]
    CommandLineKey(crossterm::event::KeyEvent),
    /// A key typed into the confirmation dialog's note field (internal).
    #[serde(skip)]
    NoteKey(crossterm::event::KeyEvent),
    /// The clock moved (internal).
    #[serde(skip)]
    Tick(DateTime<Utc>),
    /// A poller delivered data or a failure (internal).
    #[serde(skip)]
    Ingest(Box<SourceUpdate>),
    /// A command finished (internal).
    #[serde(skip)]
    Completed(Box<CommandResult>),
    /// A runbook command finished or a running step printed (internal).
    #[serde(skip)]
    Runbook(Box<RunbookResult>),
}

/// Every action a key can be bound to, in the order config.example.toml lists them (the
/// order the default keymap first uses them). The keymap refuses any other name.
pub const BINDABLE: [Action; 41] = [
    Action::Quit,
    Action::Suspend,
    Action::ToggleHelp,
    Action::NextPane,
    Action::PrevPane,
    Action::ShowExecutive,
    Action::ShowOncall,
    Action::ShowDebug,
    Action::Down,
    Action::Up,
    Action::Top,
    Action::Bottom,
    Action::PageDown,
    Action::PageUp,
    Action::Open,
    Action::Back,
    Action::RefreshNow,
    Action::CommandLine,
    Action::Copy,
    Action::TraceService,
    Action::Acknowledge,
    Action::OpenRunbook,
    Action::Resolve,
    Action::Unacknowledge,
    Action::ToggleSilences,
    Action::NextFocus,
    Action::Expand,
    Action::Collapse,
    Action::ToggleCollapse,
    Action::RangeShorter,
    Action::RangeLonger,
    Action::Confirm,
    Action::Cancel,
    Action::EditNote,
    Action::StepNext,
    Action::StepPrev,
    Action::StepDone,
    Action::StepSkip,
    Action::StepExecute,
    Action::KillStep,
    Action::FetchRunbook,
];

/// The names of [`BINDABLE`], in its order.
pub fn bindable_names() -> Vec<String> {
    BINDABLE.iter().filter_map(Action::name).collect()
}

impl Action {
    /// The action's name in the config and keymap (`acknowledge`, `toggle_help`); `None`
    /// for internal actions, which no key can name.
    pub fn name(&self) -> Option<String> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => Some(name),
            _ => None,
        }
    }

    /// What the action does, for help and the key-hint bar.
    pub fn description(&self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::ToggleHelp => "help",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::ShowExecutive => "executive pane",
            Action::ShowOncall => "on-call pane",
            Action::ShowDebug => "debug pane",
            Action::Up => "up",
            Action::Down => "down",
            Action::Top => "first",
            Action::Bottom => "last",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::NextFocus => "next panel",
            Action::Open => "open",
            Action::Back => "back",
            Action::Acknowledge => "acknowledge",
            Action::Resolve => "resolve",
            Action::Unacknowledge => "un-acknowledge",
            Action::EditNote => "add a note",
            Action::ToggleSilences => "silences",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::RefreshNow => "refresh now",
            Action::OpenRunbook => "runbook",
            Action::StepNext => "next step",
            Action::StepPrev => "previous step",
            Action::StepDone => "mark done",
            Action::StepSkip => "skip step",
            Action::StepExecute => "run step",
            Action::KillStep => "kill step",
            Action::FetchRunbook => "fetch runbook",
            Action::CommandLine => "command line",
            Action::Suspend => "suspend",
            Action::TraceService => "traces",
            Action::ToggleCollapse => "fold/unfold",
            Action::Collapse => "fold/up",
            Action::Expand => "unfold",
            Action::RangeShorter => "shorter range",
            Action::RangeLonger => "longer range",
            Action::Copy => "copy",
            Action::Tick(_)
            | Action::Ingest(_)
            | Action::Completed(_)
            | Action::Runbook(_)
            | Action::CommandLineKey(_)
            | Action::NoteKey(_)
            | Action::Terminate => "internal",
        }
    }
}
