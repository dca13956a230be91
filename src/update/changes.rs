//! Changes in the cockpit: the service graph asked for once so "changed before this page"
//! can include what the service calls, PagerDuty's related change events read when an
//! incident's detail opens, and the debug pane's changes list (`h`/`l` to it, `Enter` for a
//! change's detail, `y` to copy its revision or link).

use crate::command::Command;
use crate::event::CommandResult;
use crate::sources::Feed;
use crate::sources::explore::ExploreCommand;
use crate::state::{DebugFocus, IncidentKey, Load, Overlay, Pane, State};

/// The changes the debug pane lists for its service: every known change of it and of the
/// services it calls, newest first.
pub fn listed(state: &State) -> Vec<&crate::model::Change> {
    match state.debug.service.as_deref() {
        Some(service) => state.service_changes(service, crate::sources::changes::LOOKBACK),
        None => Vec::new(),
    }
}

/// After data arrived: asks for the service graph once when changes are configured and it
/// was never read, so an incident's dependencies are known without opening the debug pane.
pub(super) fn follow_up(state: &mut State) -> Vec<Command> {
    let idle = matches!(state.debug.dependencies, Load::Idle);
    if state.changes.asked_graph || !idle || state.debug.no_tracing || !state.has_change_sources() {
        return vec![];
    }
    state.changes.asked_graph = true;
    state.debug.dependencies = Load::Loading;
    vec![Command::Explore(ExploreCommand::Dependencies)]
}

/// On opening an incident's detail: asks its source for the changes it relates to the page,
/// when that source reads change events (PagerDuty).
pub(super) fn on_open_incident(state: &mut State) -> Vec<Command> {
    let Some(incident) = state.selected_incident() else {
        return vec![];
    };
    let key = IncidentKey::of(incident);
    let reads_changes = state
        .sources
        .iter()
        .any(|s| s.name == key.source && s.feed == Feed::Changes && s.kind == "pagerduty");
    let asked = matches!(
        state.changes.related.get(&key),
        Some(Load::Loading | Load::Ready(_))
    );
    if !reads_changes || asked {
        return vec![];
    }
    state.changes.related.insert(key.clone(), Load::Loading);
    vec![Command::RelatedChanges {
        source: key.source,
        incident: key.id,
    }]
}

/// A finished related-changes read.
pub(super) fn completed(
    state: &mut State,
    result: Box<CommandResult>,
) -> Result<(), Box<CommandResult>> {
    match *result {
        CommandResult::RelatedChanges { key, outcome } => {
            let load = match outcome {
                Ok(changes) => Load::Ready(changes),
                Err(error) => Load::Failed(error.to_string()),
            };
            state.changes.related.insert(key, load);
            Ok(())
        }
        other => Err(Box::new(other)),
    }
}

/// Moves the changes list's cursor.
pub(super) fn move_selection(state: &mut State, step: impl Fn(usize, usize) -> usize) {
    let len = listed(state).len();
    state.changes.selected = step(state.changes.selected, len);
}

/// `Enter` on the changes list: the selected change's detail.
pub(super) fn open(state: &mut State) {
    if !listed(state).is_empty() {
        state.overlay = Some(Overlay::Detail);
    }
}

/// The selected change of the debug pane's list, when the list has the focus.
pub fn selected(state: &State) -> Option<&crate::model::Change> {
    if state.pane != Pane::Debug || state.debug.focus != DebugFocus::Changes {
        return None;
    }
    let list = listed(state);
    let index = state.changes.selected.min(list.len().checked_sub(1)?);
    list.get(index).copied()
}
