//! The `:` command line's transitions: open it, edit the text with `tui-input`'s editing keys,
//! recall earlier commands with up/down, run with Enter, cancel with Esc. Running parses the
//! line into a [`LineCommand`] and hands it to the part of the cockpit that owns it.

pub mod parse;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use crate::command::Command;
use crate::state::{CommandLine, FlashKind, State};

use super::respond::flash;
use super::runbook;
pub use parse::{LineCommand, ParseError};

/// `:` opens an empty line.
pub(super) fn open(state: &mut State) -> Vec<Command> {
    state.command_line.open = Some(CommandLine::default());
    vec![]
}

/// A key typed while the line is open.
pub(super) fn key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    if key.kind == KeyEventKind::Release {
        return vec![];
    }
    let history = &state.command_line.history;
    let Some(line) = state.command_line.open.as_mut() else {
        return vec![];
    };
    match key.code {
        KeyCode::Esc => state.command_line.open = None,
        KeyCode::Enter => return run(state),
        KeyCode::Backspace if line.value.is_empty() => state.command_line.open = None,
        KeyCode::Up => recall_older(line, history),
        KeyCode::Down => recall_newer(line, history),
        _ => {
            if let Some(request) = to_input_request(&TermEvent::Key(key)) {
                let mut input = Input::new(line.value.clone()).with_cursor(line.cursor);
                input.handle(request);
                line.value = input.value().to_string();
                line.cursor = input.cursor();
            }
        }
    }
    vec![]
}

fn show(line: &mut CommandLine, text: String) {
    line.cursor = text.chars().count();
    line.value = text;
}

fn recall_older(line: &mut CommandLine, history: &[String]) {
    let Some(newest) = history.len().checked_sub(1) else {
        return;
    };
    let index = match line.recalled {
        None => {
            line.draft = line.value.clone();
            newest
        }
        Some(i) => i.saturating_sub(1),
    };
    line.recalled = Some(index);
    show(line, history[index].clone());
}

fn recall_newer(line: &mut CommandLine, history: &[String]) {
    let Some(index) = line.recalled else {
        return;
    };
    if index + 1 < history.len() {
        line.recalled = Some(index + 1);
        show(line, history[index + 1].clone());
    } else {
        line.recalled = None;
        let draft = std::mem::take(&mut line.draft);
        show(line, draft);
    }
}

/// Enter: closes the line, remembers it (typos too, so they can be recalled and fixed) and
/// runs it.
fn run(state: &mut State) -> Vec<Command> {
    let Some(line) = state.command_line.open.take() else {
        return vec![];
    };
    let text = line.value.trim();
    state.command_line.remember(text);
    match parse::parse(text) {
        Ok(LineCommand::Runbook { id }) => runbook::open_by_id(state, &id),
        Ok(LineCommand::Trace { id }) => super::debug::open_trace(state, id),
        Ok(LineCommand::Logs { service }) => super::logs::open_service(state, service),
        Ok(LineCommand::Promql { expr, range }) => super::debug::run_promql(state, expr, range),
        Ok(LineCommand::Silence(spec)) => super::silence::open_from_line(state, spec),
        Err(ParseError::Empty) => vec![],
        Err(error) => {
            flash(state, FlashKind::Error, error.to_string());
            vec![]
        }
    }
}

#[cfg(test)]
mod tests;
