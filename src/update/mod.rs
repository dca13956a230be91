//! `update(&mut State, Action) -> Vec<Command>`: every state change happens here, with no IO,
//! so the whole cockpit's behaviour is unit-testable without a terminal.

mod changes;
mod commandline;
mod debug;
mod ingest;
mod logs;
mod navigate;
mod respond;
mod runbook;
mod silence;

use chrono::Duration;

use crate::action::Action;
use crate::command::Command;
use crate::event::CommandResult;
use crate::state::{Overlay, Pane, State};

pub use changes::{listed as listed_changes, selected as selected_change};
pub use commandline::parse::{COMMANDS, LineCommand, ParseError, parse as parse_command_line};
pub use debug::{INCIDENT_LEAD_MINUTES, TRACE_REFRESH_SECS};
pub use navigate::PAGE_ROWS;

/// How long a flash message stays in the status bar.
pub const FLASH_SECONDS: i64 = 8;

/// Applies one action and returns the side effects it asks for.
pub fn update(state: &mut State, action: Action) -> Vec<Command> {
    // Before any view can claim the action: a signal ends ondeck even mid-dialog or mid-step.
    if action == Action::Terminate {
        state.quit = true;
        return vec![Command::Quit];
    }
    if let Some(commands) = runbook::handle(state, &action) {
        return commands;
    }
    match action {
        Action::Quit => {
            state.quit = true;
            vec![Command::Quit]
        }
        Action::ToggleHelp => {
            state.help_scroll = 0;
            state.overlay = match state.overlay {
                Some(Overlay::Help) => None,
                _ => Some(Overlay::Help),
            };
            vec![]
        }
        Action::NextPane => navigate::show_pane(state, state.pane.next()),
        Action::PrevPane => navigate::show_pane(state, state.pane.prev()),
        Action::ShowExecutive => navigate::show_pane(state, Pane::Executive),
        Action::ShowOncall => navigate::show_pane(state, Pane::Oncall),
        Action::ShowDebug => navigate::show_pane(state, Pane::Debug),
        Action::Up => navigate::move_selection(state, -1),
        Action::Down => navigate::move_selection(state, 1),
        Action::PageUp => navigate::move_selection(state, -PAGE_ROWS),
        Action::PageDown => navigate::move_selection(state, PAGE_ROWS),
        Action::Top => navigate::move_selection(state, isize::MIN),
        Action::Bottom => navigate::move_selection(state, isize::MAX),
        Action::NextFocus => {
            navigate::next_focus(state);
            vec![]
        }
        Action::Open => navigate::open(state),
        Action::Back => navigate::back(state),
        Action::Acknowledge => {
            respond::ask(state, crate::model::IncidentAction::Acknowledge);
            vec![]
        }
        Action::Resolve => {
            respond::ask(state, crate::model::IncidentAction::Resolve);
            vec![]
        }
        Action::Confirm => respond::confirm_write(state),
        Action::Unacknowledge => {
            respond::ask(state, crate::model::IncidentAction::Unacknowledge);
            vec![]
        }
        Action::EditNote => {
            respond::edit_note(state);
            vec![]
        }
        Action::NoteKey(key) => respond::note_key(state, key),
        Action::Silence => silence::open_new(state),
        Action::ExtendSilence => silence::open_on_selected(state, false),
        Action::ExpireSilence => silence::open_on_selected(state, true),
        Action::SilenceKey(key) => silence::key(state, key),
        Action::ToggleSilences => {
            respond::toggle_silences(state);
            vec![]
        }
        Action::Cancel => {
            if matches!(state.overlay, Some(Overlay::Confirm(_))) {
                state.overlay = None;
            }
            vec![]
        }
        Action::RefreshNow => {
            let mut commands = vec![Command::RefreshNow];
            if state.pane == Pane::Debug {
                commands.extend(navigate::search_debug_service(state));
            }
            commands
        }
        Action::Tick(now) => {
            state.now = now;
            let expired = state
                .flash
                .as_ref()
                .is_some_and(|f| now - f.at >= Duration::seconds(FLASH_SECONDS));
            if expired {
                state.flash = None;
            }
            let mut commands = debug::tick(state);
            commands.extend(logs::fetch::tick(state));
            commands
        }
        Action::Ingest(update) => {
            ingest::ingest(state, *update);
            changes::follow_up(state)
        }
        Action::OpenRunbook => runbook::open(state),
        Action::StepNext
        | Action::StepPrev
        | Action::StepDone
        | Action::StepSkip
        | Action::StepExecute
        | Action::FetchRunbook
        | Action::KillStep
        | Action::Terminate => vec![],
        // The terminal is the app loop's to hand over; the state has nothing to change.
        Action::Suspend => vec![],
        Action::Runbook(result) => runbook::completed(state, *result),
        Action::CommandLine => commandline::open(state),
        Action::CommandLineKey(key) => commandline::key(state, key),
        Action::Completed(result) => match *result {
            CommandResult::Logs(answer) => {
                logs::fetch::completed(state, *answer);
                vec![]
            }
            other => match debug::completed(state, Box::new(other)) {
                Ok(commands) => commands,
                Err(result) => match changes::completed(state, result) {
                    Ok(()) => vec![],
                    Err(result) => ingest::completed(state, *result),
                },
            },
        },
        Action::OpenLogs => logs::open(state),
        Action::FollowLogs => logs::follow(state),
        Action::FilterLogs => logs::start_filter(state),
        Action::LogFilterKey(key) => logs::filter_key(state, key),
        // `t` in the debug pane: the trace of the selected log line.
        Action::TraceService if state.pane == Pane::Debug => logs::trace_of_line(state),
        action @ (Action::RangeShorter | Action::RangeLonger) => {
            let before = state.debug.range;
            let mut commands = debug::handle(state, action);
            commands.extend(logs::fetch::range_changed(state, before));
            commands
        }
        action @ (Action::TraceService
        | Action::ToggleCollapse
        | Action::Collapse
        | Action::Expand
        | Action::Copy) => debug::handle(state, action),
    }
}

#[cfg(test)]
mod tests;
