//! The logs panel's transitions: `L` opens it on what is selected (an SLO's or incident's
//! service from before its trouble began, a trace's lines), `F` follows, `/` filters by
//! text, Enter shows a line whole, `t` opens the trace a line carries, Esc clears the
//! filter and then closes the panel. Asking the sources is `fetch`.

pub mod fetch;

#[cfg(test)]
mod tests;

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;
use crate::command::Command;
use crate::model::LogTarget;
use crate::state::{DebugFocus, FlashKind, LogWindow, OncallFocus, Overlay, Pane, State};

use super::respond::flash;

/// How far around a trace its lines are looked for: before its start, after its end.
pub const TRACE_MARGIN_MINUTES: i64 = 5;

/// What `L` opens the panel on: the target, what to call it, and the window.
struct Opening {
    target: LogTarget,
    label: String,
    window: LogWindow,
    until: Option<chrono::DateTime<chrono::Utc>>,
}

/// The lines of a trace that started at `start` and lasted `duration_us`.
fn trace_opening(id: &str, start: chrono::DateTime<chrono::Utc>, duration_us: u64) -> Opening {
    let margin = Duration::minutes(TRACE_MARGIN_MINUTES);
    let end = start + Duration::microseconds(i64::try_from(duration_us).unwrap_or(0));
    Opening {
        target: LogTarget::Trace(id.to_string()),
        label: format!("trace {id}"),
        window: LogWindow::Since(start - margin),
        until: Some(end + margin),
    }
}

/// In the debug pane: the trace selected in the list or shown in the waterfall, else the
/// service in view.
fn debug_opening(state: &State) -> Option<Opening> {
    let debug = &state.debug;
    let listed = match debug.focus {
        DebugFocus::Traces => {
            let listed = debug.listed();
            let index = debug.selected_trace.min(listed.len().checked_sub(1)?);
            listed
                .get(index)
                .map(|item| match (item.summary, item.exemplar) {
                    (Some(s), _) => trace_opening(&s.trace_id, s.start, s.duration_us),
                    (None, Some(e)) => trace_opening(&e.trace_id, e.at, 0),
                    (None, None) => trace_opening(item.trace_id, state.now, 0),
                })
        }
        DebugFocus::Waterfall => debug.trace.ready().map(|t| {
            let s = &t.summary;
            trace_opening(&s.trace_id, s.start, s.duration_us)
        }),
        // The changes list and the panel itself name no trace: the service in view.
        DebugFocus::Logs | DebugFocus::Changes => None,
    };
    listed.or_else(|| {
        let service = debug.service.clone()?;
        Some(Opening {
            label: service.clone(),
            target: LogTarget::Service(service),
            window: LogWindow::Range,
            until: None,
        })
    })
}

/// `L`: the panel on what is selected. On an SLO or incident it is the debug pane on that
/// service, as `t` opens it, with the logs from when the trouble began.
pub(super) fn open(state: &mut State) -> Vec<Command> {
    if state.overlay.is_some() || state.runbook.view.is_some() {
        return vec![];
    }
    if state.logs.feeds.is_empty() {
        flash(
            state,
            FlashKind::Info,
            "no log source is configured (add a loki, elasticsearch or journal [[source]])"
                .to_string(),
        );
        return vec![];
    }
    let mut commands = Vec::new();
    let opening = match state.pane {
        Pane::Executive | Pane::Oncall => {
            let hour_ago = state.now - Duration::hours(1);
            let since = match (state.pane, state.oncall_focus) {
                (Pane::Oncall, OncallFocus::Incidents) => state
                    .selected_incident()
                    .map(|i| i.created_at - Duration::minutes(super::INCIDENT_LEAD_MINUTES)),
                _ => Some(hour_ago),
            };
            // `t`'s work: the debug pane on the service, its traces searched from then on.
            commands.extend(super::debug::handle(state, Action::TraceService));
            match (state.pane, state.debug.investigation.clone(), since) {
                (Pane::Debug, Some(investigation), Some(since)) => {
                    state.debug.service.clone().map(|service| Opening {
                        target: LogTarget::Service(service),
                        label: investigation.label,
                        window: LogWindow::Since(since),
                        until: None,
                    })
                }
                _ => None,
            }
        }
        Pane::Debug if state.debug.focus == DebugFocus::Logs => {
            // `L` on the panel: back from a trace's lines to the service's.
            let service = state.debug.service.clone();
            match (&state.logs.target, service) {
                (Some(LogTarget::Trace(_)), Some(service)) => Some(Opening {
                    label: service.clone(),
                    target: LogTarget::Service(service),
                    window: LogWindow::Range,
                    until: None,
                }),
                _ => None,
            }
        }
        Pane::Debug => debug_opening(state),
    };
    let Some(opening) = opening else {
        return commands;
    };
    let logs = &mut state.logs;
    logs.open = true;
    logs.target = Some(opening.target);
    logs.label = opening.label;
    logs.window = opening.window;
    logs.until = opening.until;
    logs.filter = Default::default();
    logs.detail_scroll = 0;
    state.debug.focus = DebugFocus::Logs;
    commands.extend(fetch::ask(state));
    commands
}

/// `:logs <service>`: the debug pane on that service (searched as Enter on its SLO would),
/// with the panel on its lines over the trend range.
pub(super) fn open_service(state: &mut State, service: String) -> Vec<Command> {
    if state.logs.feeds.is_empty() {
        return open(state);
    }
    state.pane = Pane::Debug;
    state.overlay = None;
    let mut commands = super::debug::open_service(state, service.clone());
    state.logs.open = true;
    state.logs.target = Some(LogTarget::Service(service.clone()));
    state.logs.label = service;
    state.logs.window = LogWindow::Range;
    state.logs.until = None;
    state.logs.filter = Default::default();
    state.debug.focus = DebugFocus::Logs;
    commands.extend(fetch::ask(state));
    commands
}

/// `F`: follow on or off (opening the panel first when it is closed).
pub(super) fn follow(state: &mut State) -> Vec<Command> {
    let mut commands = Vec::new();
    if !state.logs.open {
        commands = open(state);
        if !state.logs.open {
            return commands;
        }
    }
    state.logs.follow = !state.logs.follow;
    if state.logs.follow {
        // The first poll goes at once, whenever the sources were last asked.
        for feed in &mut state.logs.feeds {
            feed.asked_at = None;
        }
        commands.extend(fetch::tick(state));
    }
    let word = if state.logs.follow {
        "following: new lines are added on each log source's refresh"
    } else {
        "stopped following"
    };
    flash(state, FlashKind::Info, word.to_string());
    commands
}

/// `/`: type a filter for the panel's lines.
pub(super) fn start_filter(state: &mut State) -> Vec<Command> {
    if !state.logs.open || state.overlay.is_some() {
        flash(
            state,
            FlashKind::Info,
            "press L to open the logs panel, then / to filter it".to_string(),
        );
        return vec![];
    }
    state.debug.focus = DebugFocus::Logs;
    state.logs.filter.editing = true;
    vec![]
}

/// A key typed into the filter: the lines shown follow each key; Enter asks the sources
/// for the text (so lines older than those loaded are found too); Esc drops the filter.
pub(super) fn filter_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let filter = &mut state.logs.filter;
    match key.code {
        KeyCode::Enter => {
            filter.editing = false;
            let wanted = (!filter.text.is_empty()).then(|| filter.text.clone());
            if wanted != filter.sent {
                filter.sent = wanted;
                return fetch::ask(state);
            }
        }
        KeyCode::Esc => return clear_filter(state),
        KeyCode::Backspace => {
            filter.text.pop();
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => filter.text.clear(),
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => filter.text.push(c),
        _ => {}
    }
    state.logs.selected = 0;
    vec![]
}

/// Drops the filter; when the sources were asked for its text, asks them again without it.
fn clear_filter(state: &mut State) -> Vec<Command> {
    let filter = &mut state.logs.filter;
    filter.editing = false;
    filter.text.clear();
    state.logs.selected = 0;
    if filter.sent.take().is_some() {
        return fetch::ask(state);
    }
    vec![]
}

/// Esc on the panel: the filter goes first, then the panel (and with it every question).
pub(super) fn back(state: &mut State) -> Vec<Command> {
    if !state.logs.filter.text.is_empty() || state.logs.filter.sent.is_some() {
        return clear_filter(state);
    }
    close(state);
    vec![]
}

/// Closes the panel: nothing more is asked, answers on their way are dropped, the lines go.
pub fn close(state: &mut State) {
    let logs = &mut state.logs;
    logs.open = false;
    logs.follow = false;
    logs.generation += 1;
    logs.lines = Vec::new();
    logs.filter = Default::default();
    for feed in &mut logs.feeds {
        feed.reset();
    }
    if state.debug.focus == DebugFocus::Logs {
        state.debug.focus = DebugFocus::Traces;
    }
}

/// Enter on a line: the line whole, with its labels.
pub(super) fn open_line(state: &mut State) {
    if state.logs.selected_line().is_some() {
        state.logs.detail_scroll = 0;
        state.overlay = Some(Overlay::LogLine);
    }
}

/// `t` in the debug pane: the waterfall of the trace the selected line carries.
pub(super) fn trace_of_line(state: &mut State) -> Vec<Command> {
    if state.debug.focus != DebugFocus::Logs
        || !matches!(state.overlay, None | Some(Overlay::LogLine))
    {
        return vec![];
    }
    let Some(line) = state.logs.selected_line() else {
        return vec![];
    };
    match line.trace_id.clone() {
        Some(id) => super::debug::open_trace(state, id),
        None => {
            flash(
                state,
                FlashKind::Info,
                "this line carries no trace id".to_string(),
            );
            vec![]
        }
    }
}

/// Up/down/page keys on the panel.
pub(super) fn move_selection(state: &mut State, step: impl Fn(usize, usize) -> usize) {
    let len = state.logs.shown().len();
    state.logs.selected = step(state.logs.selected, len);
}

/// Up/down in a line's detail: scrolls it (render keeps the end on screen).
pub(super) fn scroll_detail(state: &mut State, step: impl Fn(usize, usize) -> usize) {
    let len = state
        .logs
        .selected_line()
        .map_or(0, |l| l.message.lines().count() + l.labels.len() + 4);
    state.logs.detail_scroll = step(state.logs.detail_scroll, len);
}

/// What `y` copies on the panel or a line's detail: the whole line as logged.
pub(super) fn copy_target(state: &State) -> Option<(&'static str, String)> {
    state
        .logs
        .selected_line()
        .map(|line| ("log line", line.message.clone()))
}
