//! Folding the waterfall from the keyboard: space or `c` folds and unfolds the selected
//! span's subtree; left folds it (or goes up to the parent, and from a root back to the
//! trace list); right unfolds it. In the trace list, left and right move to the waterfall.

use crate::command::Command;
use crate::state::{DebugFocus, Pane, State};

use super::super::navigate::next_focus;

/// Whether keys go to the waterfall: debug pane, waterfall focused, nothing on top.
fn in_waterfall(state: &State) -> bool {
    state.pane == Pane::Debug
        && state.overlay.is_none()
        && state.debug.focus == DebugFocus::Waterfall
}

/// Makes sure the shown trace is laid out in the state (it is, unless the state was built
/// by hand), so folds have something to change.
fn laid_out(state: &mut State) -> bool {
    let Some((_, view)) = state.debug.waterfall_view() else {
        return false;
    };
    if let std::borrow::Cow::Owned(view) = view {
        state.debug.waterfall = view;
    }
    true
}

/// Space / `c`.
pub(super) fn toggle(state: &mut State) -> Vec<Command> {
    if in_waterfall(state) && laid_out(state) {
        let at = state.debug.selected_span;
        let waterfall = &mut state.debug.waterfall;
        if !waterfall.fold(at) {
            waterfall.unfold(at);
        }
    }
    vec![]
}

/// Left.
pub(super) fn collapse(state: &mut State) -> Vec<Command> {
    if state.pane == Pane::Debug && state.overlay.is_none() && !in_waterfall(state) {
        next_focus(state);
        return vec![];
    }
    if !in_waterfall(state) || !laid_out(state) {
        return vec![];
    }
    let at = state.debug.selected_span;
    let waterfall = &mut state.debug.waterfall;
    if waterfall.fold(at) {
        return vec![];
    }
    let parent = waterfall
        .visible
        .get(at)
        .and_then(|&row| waterfall.tree.parent(row))
        .and_then(|row| waterfall.position_of(row));
    match parent {
        Some(position) => state.debug.selected_span = position,
        None => state.debug.focus = DebugFocus::Traces,
    }
    vec![]
}

/// Right.
pub(super) fn expand(state: &mut State) -> Vec<Command> {
    if state.pane == Pane::Debug && state.overlay.is_none() && !in_waterfall(state) {
        next_focus(state);
        return vec![];
    }
    if in_waterfall(state) && laid_out(state) {
        let at = state.debug.selected_span;
        state.debug.waterfall.unfold(at);
    }
    vec![]
}
