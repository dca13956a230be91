//! The `:` command line as plain data: the text being edited, where the cursor is, and the
//! commands run earlier this session for up/down recall.

/// How many earlier commands the history keeps.
pub const HISTORY_LIMIT: usize = 50;

/// The line being edited.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandLine {
    /// The text after the `:`.
    pub value: String,
    /// Characters before the cursor.
    pub cursor: usize,
    /// The history entry shown now (index into [`CommandLineState::history`]), while browsing.
    pub recalled: Option<usize>,
    /// What was typed before browsing started, restored when browsing past the newest entry.
    pub draft: String,
}

/// The command line and its history.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandLineState {
    /// The open line; `None` when keys go to the keymap.
    pub open: Option<CommandLine>,
    /// Commands run this session, oldest first, at most [`HISTORY_LIMIT`].
    pub history: Vec<String>,
}

impl CommandLineState {
    /// True while the line takes the keys.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Remembers a command that ran, dropping a repeat of the newest one and the oldest past
    /// the limit.
    pub fn remember(&mut self, command: &str) {
        if command.is_empty() || self.history.last().is_some_and(|l| l == command) {
            return;
        }
        self.history.push(command.to_string());
        let excess = self.history.len().saturating_sub(HISTORY_LIMIT);
        self.history.drain(..excess);
    }
}
