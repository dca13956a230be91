//! Acknowledge and resolve: ask, confirm, send once.

use crate::command::Command;
use crate::model::{IncidentAction, IncidentStatus};
use crate::state::{
    Confirm, Flash, FlashKind, IncidentKey, OncallFocus, Overlay, Pane, PendingAction,
    PendingState, State,
};

/// Puts a message in the status bar.
pub(super) fn flash(state: &mut State, kind: FlashKind, text: String) {
    state.flash = Some(Flash {
        text,
        kind,
        at: state.now,
    });
}

/// `a` / `r`: opens the confirmation for the selected incident, unless there is nothing to do.
pub(super) fn ask(state: &mut State, action: IncidentAction) {
    let on_incident = state.pane == Pane::Oncall
        && state.oncall_focus == OncallFocus::Incidents
        && matches!(state.overlay, None | Some(Overlay::Detail));
    if !on_incident {
        return;
    }
    let Some(incident) = state.selected_incident() else {
        flash(state, FlashKind::Info, "no open incident selected".into());
        return;
    };
    let key = IncidentKey::of(incident);
    let title = incident.title.clone();
    let status = incident.status;
    let holder = incident.acknowledged_by.clone();
    if state.readonly {
        let text = format!("read-only: not sending {} for {}", action.verb(), key.id);
        flash(state, FlashKind::Error, text);
        return;
    }
    if let Some(pending) = state.pending.get(&key)
        && pending.state == PendingState::Sending
    {
        let text = format!(
            "{} of {} is already on its way",
            pending.action.verb(),
            key.id
        );
        flash(state, FlashKind::Info, text);
        return;
    }
    if action == IncidentAction::Acknowledge && status == IncidentStatus::Acknowledged {
        let who = holder.map(|h| format!(" by {h}")).unwrap_or_default();
        flash(
            state,
            FlashKind::Info,
            format!("{} is already acknowledged{who}", key.id),
        );
        return;
    }
    let backend_kind = state
        .sources
        .iter()
        .find(|s| s.name == key.source)
        .map(|s| s.kind.clone())
        .unwrap_or_default();
    state.overlay = Some(Overlay::Confirm(Confirm {
        key,
        title,
        action,
        backend_kind,
    }));
}

/// `y` in the confirmation: marks the incident pending and sends the write once.
pub(super) fn confirm(state: &mut State) -> Vec<Command> {
    let Some(Overlay::Confirm(confirm)) = state.overlay.take() else {
        return vec![];
    };
    let Confirm { key, action, .. } = confirm;
    state.pending.insert(
        key.clone(),
        PendingAction {
            action,
            state: PendingState::Sending,
        },
    );
    let progressive = action.progressive();
    flash(
        state,
        FlashKind::Info,
        format!("{progressive} {} on {}…", key.id, key.source),
    );
    vec![Command::Incident {
        source: key.source,
        incident_id: key.id,
        action,
        note: None,
    }]
}
