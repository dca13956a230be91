//! Moving around: panes, selections, focus, opening and closing detail.

use crate::command::Command;
use crate::state::{
    DebugFocus, DebugState, IncidentKey, Load, OncallFocus, Overlay, Pane, SloRow, State,
};

/// Rows moved by page up / page down.
pub const PAGE_ROWS: isize = 10;

/// How many slow and how many error traces the debug pane lists.
pub const TRACES_PER_LIST: usize = 10;

/// New index after moving `delta` rows in a list of `len`, clamped. `isize::MIN`/`MAX` jump to
/// the ends.
fn step(current: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let last = len - 1;
    match delta {
        isize::MIN => 0,
        isize::MAX => last,
        d if d < 0 => current.saturating_sub(d.unsigned_abs()),
        d => current.saturating_add(d as usize).min(last),
    }
}

pub(super) fn show_pane(state: &mut State, pane: Pane) -> Vec<Command> {
    state.pane = pane;
    if matches!(state.overlay, Some(Overlay::Detail)) {
        state.overlay = None;
    }
    if pane == Pane::Debug
        && state.debug.service.is_none()
        && let Some(service) = state
            .selected_slo_row()
            .map(|r| r.report.spec.service.clone())
    {
        return open_service(state, service);
    }
    vec![]
}

pub(super) fn move_selection(state: &mut State, delta: isize) -> Vec<Command> {
    if state.overlay == Some(Overlay::Help) {
        state.help_scroll = step(state.help_scroll, delta, state.help_len);
        return vec![];
    }
    if state.overlay == Some(Overlay::Query) {
        if let Some(query) = state.debug.query.as_mut() {
            query.selected = step(query.selected, delta, query.series_count());
        }
        return vec![];
    }
    if state.overlay == Some(Overlay::LogLine) {
        super::logs::scroll_detail(state, |at, len| step(at, delta, len));
        return vec![];
    }
    if state.overlay.is_some() {
        return vec![];
    }
    match state.pane {
        Pane::Executive => {
            let index = step(state.selected_slo_index(), delta, state.slos.len());
            state.selected_slo = state.slos.get(index).map(SloRow::key);
        }
        Pane::Oncall if state.show_silences => {
            let len = crate::ui::panes::silences::sorted(state).len();
            state.selected_silence = step(state.selected_silence, delta, len);
        }
        Pane::Oncall => match state.oncall_focus {
            OncallFocus::Incidents => {
                let open = state.open_incidents();
                let index = step(state.selected_incident_index(&open), delta, open.len());
                let key = open.get(index).map(|i| IncidentKey::of(i));
                state.selected_incident = key;
            }
            OncallFocus::Alerts => {
                let len = state.firing_alerts().len();
                state.selected_alert = step(state.selected_alert, delta, len);
            }
        },
        Pane::Debug => match state.debug.focus {
            DebugFocus::Traces => {
                let len = state.debug.listed().len();
                state.debug.selected_trace = step(state.debug.selected_trace, delta, len);
            }
            DebugFocus::Waterfall => {
                let len = state.debug.waterfall_view().map_or(0, |(_, w)| w.len());
                state.debug.selected_span = step(state.debug.selected_span, delta, len);
            }
            DebugFocus::Logs => super::logs::move_selection(state, |at, len| step(at, delta, len)),
            DebugFocus::Changes => {
                super::changes::move_selection(state, |current, len| step(current, delta, len));
            }
        },
    }
    vec![]
}

pub(super) fn next_focus(state: &mut State) {
    match state.pane {
        Pane::Executive => {}
        Pane::Oncall => {
            state.oncall_focus = match state.oncall_focus {
                OncallFocus::Incidents => OncallFocus::Alerts,
                OncallFocus::Alerts => OncallFocus::Incidents,
            }
        }
        Pane::Debug => {
            // The changes list joins the cycle when a change source is configured.
            let changes = state.has_change_sources();
            state.debug.focus = match state.debug.focus {
                DebugFocus::Traces => DebugFocus::Waterfall,
                // An open logs panel comes right after the waterfall: the responder opened
                // it, and `t` on a line leads from it to the waterfall and back.
                DebugFocus::Waterfall if state.logs.open => DebugFocus::Logs,
                DebugFocus::Waterfall | DebugFocus::Logs if changes => DebugFocus::Changes,
                DebugFocus::Waterfall | DebugFocus::Logs | DebugFocus::Changes => {
                    DebugFocus::Traces
                }
            }
        }
    }
}

pub(super) fn open(state: &mut State) -> Vec<Command> {
    if state.overlay.is_some() {
        return vec![];
    }
    match state.pane {
        Pane::Executive => match state.selected_slo_row() {
            Some(row) => {
                let service = row.report.spec.service.clone();
                state.pane = Pane::Debug;
                open_service(state, service)
            }
            None => vec![],
        },
        Pane::Oncall => match state.oncall_focus {
            OncallFocus::Incidents => {
                if state.selected_incident().is_some() {
                    state.overlay = Some(Overlay::Detail);
                }
                super::changes::on_open_incident(state)
            }
            OncallFocus::Alerts => {
                let alerts = state.firing_alerts();
                let service = alerts
                    .get(state.selected_alert)
                    .map(|a| a.slo.report.spec.service.clone());
                match service {
                    Some(service) => {
                        state.pane = Pane::Debug;
                        open_service(state, service)
                    }
                    None => vec![],
                }
            }
        },
        Pane::Debug => match state.debug.focus {
            DebugFocus::Traces => match state.debug.selected_listed_id() {
                Some(trace_id) => {
                    state.debug.focus = DebugFocus::Waterfall;
                    fetch_trace(&mut state.debug, trace_id)
                }
                None => vec![],
            },
            DebugFocus::Waterfall => {
                if state.debug.trace.ready().is_some() {
                    state.overlay = Some(Overlay::Detail);
                }
                vec![]
            }
            DebugFocus::Logs => {
                super::logs::open_line(state);
                vec![]
            }
            DebugFocus::Changes => {
                super::changes::open(state);
                vec![]
            }
        },
    }
}

pub(super) fn back(state: &mut State) -> Vec<Command> {
    if state.overlay.take().is_some() {
        return vec![];
    }
    match state.pane {
        Pane::Debug if state.debug.focus == DebugFocus::Logs => return super::logs::back(state),
        Pane::Debug if state.debug.focus != DebugFocus::Traces => {
            state.debug.focus = DebugFocus::Traces;
        }
        Pane::Oncall if state.oncall_focus == OncallFocus::Alerts => {
            state.oncall_focus = OncallFocus::Incidents;
        }
        _ => {}
    }
    vec![]
}

/// Points the debug pane at a service and searches its traces (see `debug`).
pub(super) fn open_service(state: &mut State, service: String) -> Vec<Command> {
    super::debug::open_service(state, service)
}

/// Searches slow and error traces (and exemplars) for the debug pane's service again.
pub(super) fn search_debug_service(state: &mut State) -> Vec<Command> {
    super::debug::search_traces(state)
}

/// Starts fetching a trace for the waterfall.
pub(super) fn fetch_trace(debug: &mut DebugState, trace_id: String) -> Vec<Command> {
    if debug.trace_id.as_deref() == Some(trace_id.as_str()) && debug.trace.ready().is_some() {
        return vec![];
    }
    debug.trace_id = Some(trace_id.clone());
    debug.trace = Load::Loading;
    debug.selected_span = 0;
    vec![Command::FetchTrace { trace_id }]
}

#[cfg(test)]
mod tests {
    use super::step;

    #[test]
    fn steps_clamp_to_the_list() {
        assert_eq!(step(0, -1, 5), 0);
        assert_eq!(step(4, 1, 5), 4);
        assert_eq!(step(2, 10, 5), 4);
        assert_eq!(step(3, isize::MIN, 5), 0);
        assert_eq!(step(0, isize::MAX, 5), 4);
        assert_eq!(step(7, 1, 0), 0);
    }
}
