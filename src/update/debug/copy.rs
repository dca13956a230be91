//! `y`: copies what the responder is looking at — the PromQL of the `:promql` answer, the
//! trace id in the debug pane, the incident id on call, the SLO id on the executive pane —
//! to the terminal's clipboard with OSC 52, and says so in the status bar; or says why not,
//! when the text would act in a shell it is pasted into (see [`crate::clipboard::refusal`]).

use crate::command::Command;
use crate::state::{DebugFocus, FlashKind, OncallFocus, Overlay, Pane, State};

use super::super::respond::flash;

/// What `y` copies here, and what to call it.
fn target(state: &State) -> Option<(&'static str, String)> {
    match &state.overlay {
        Some(Overlay::Query) => state
            .debug
            .query
            .as_ref()
            .map(|q| ("PromQL", q.expr.clone())),
        Some(Overlay::Help | Overlay::Confirm(_)) => None,
        Some(Overlay::Detail) | None => match state.pane {
            Pane::Executive => state
                .selected_slo_row()
                .map(|row| ("SLO id", row.report.spec.id.clone())),
            Pane::Oncall => match state.oncall_focus {
                OncallFocus::Incidents => state
                    .selected_incident()
                    .map(|i| ("incident id", i.id.clone())),
                OncallFocus::Alerts => state
                    .firing_alerts()
                    .get(state.selected_alert)
                    .map(|a| ("SLO id", a.slo.report.spec.id.clone())),
            },
            Pane::Debug => {
                let shown = state.debug.trace_id.clone();
                let id = match (state.debug.focus, &state.overlay) {
                    (DebugFocus::Traces, None) => state.debug.selected_listed_id().or(shown),
                    _ => shown,
                };
                id.map(|id| ("trace id", id))
            }
        },
    }
}

/// `y`.
pub(super) fn copy(state: &mut State) -> Vec<Command> {
    if state.runbook.view.is_some() && state.overlay.is_none() {
        return vec![];
    }
    match target(state) {
        Some((what, text)) => match crate::clipboard::refusal(&text) {
            Some(why) => {
                flash(state, FlashKind::Error, format!("the {what} {why}"));
                vec![]
            }
            None => {
                flash(state, FlashKind::Info, format!("copied {what} {text}"));
                vec![Command::Copy { text }]
            }
        },
        None => {
            flash(state, FlashKind::Info, "nothing to copy here".to_string());
            vec![]
        }
    }
}
