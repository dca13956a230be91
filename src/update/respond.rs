//! Acknowledge, resolve and un-acknowledge: ask (saying exactly what the backend will do),
//! take an optional note, confirm, and hand the write to the outbox once.

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use crate::command::Command;
use crate::model::{Incident, IncidentAction, IncidentStatus};
use crate::outbox::{WriteKind, WriteRequest};
use crate::state::{
    Confirm, Flash, FlashKind, IncidentKey, NoteField, OncallFocus, Overlay, Pane, PendingAction,
    PendingState, State,
};

/// Longest note accepted, in characters: enough for a sentence or two, short enough for
/// every backend's note field.
const NOTE_LIMIT: usize = 500;

/// Puts a message in the status bar.
pub(super) fn flash(state: &mut State, kind: FlashKind, text: String) {
    state.flash = Some(Flash {
        text,
        kind,
        at: state.now,
    });
}

/// `a` / `r` / `u`: opens the confirmation for the selected incident, unless there is
/// nothing to do.
pub(super) fn ask(state: &mut State, action: IncidentAction) {
    let on_incident = state.pane == Pane::Oncall
        && state.oncall_focus == OncallFocus::Incidents
        && !state.show_silences
        && matches!(state.overlay, None | Some(Overlay::Detail));
    if !on_incident {
        return;
    }
    let Some(incident) = state.selected_incident() else {
        flash(state, FlashKind::Info, "no open incident selected".into());
        return;
    };
    let key = IncidentKey::of(incident);
    if let Some(reason) = nothing_to_do(state, incident, action) {
        let kind = if state.readonly {
            FlashKind::Error
        } else {
            FlashKind::Info
        };
        flash(state, kind, reason);
        return;
    }
    let backend_kind = state
        .sources
        .iter()
        .find(|s| s.name == key.source)
        .map(|s| s.kind.clone())
        .unwrap_or_default();
    let effect = effect(state, &backend_kind, incident, action);
    let title = incident.title.clone();
    state.overlay = Some(Overlay::Confirm(Confirm {
        key,
        title,
        action,
        backend_kind,
        effect,
        note: NoteField::default(),
    }));
}

/// Why no dialog opens: read-only, a write already owed, or the incident already there.
fn nothing_to_do(state: &State, incident: &Incident, action: IncidentAction) -> Option<String> {
    let id = &incident.id;
    if state.readonly {
        return Some(format!("read-only: not sending {} for {id}", action.verb()));
    }
    if let Some(pending) = state.pending.get(&IncidentKey::of(incident))
        && pending.state.is_owed()
    {
        let how = match pending.state {
            PendingState::Queued { .. } => "queued and will be retried",
            PendingState::OwedElsewhere(_) => "owed to a backend this config does not have",
            PendingState::Recording => "being written to the outbox",
            _ => "already on its way",
        };
        return Some(format!("{} of {id} is {how}", pending.action.verb()));
    }
    match (action, incident.status) {
        (IncidentAction::Acknowledge, IncidentStatus::Acknowledged) => {
            let who = incident
                .acknowledged_by
                .as_ref()
                .map(|h| format!(" by {h}"))
                .unwrap_or_default();
            Some(format!("{id} is already acknowledged{who}"))
        }
        (IncidentAction::Unacknowledge, IncidentStatus::Triggered) => {
            Some(format!("{id} is not acknowledged"))
        }
        _ => None,
    }
}

/// Exactly what the backend will do, in one sentence for the dialog.
fn effect(state: &State, kind: &str, incident: &Incident, action: IncidentAction) -> String {
    let source = &incident.source;
    match (kind, action) {
        ("alertmanager", IncidentAction::Acknowledge) => {
            let duration = state
                .silence_durations
                .get(source)
                .copied()
                .unwrap_or(crate::config::DEFAULT_SILENCE);
            format!(
                "Creates a {} Alertmanager silence matching this alert group; its alerts stop notifying.",
                crate::ui::format::age_secs(duration.as_secs() as i64)
            )
        }
        ("alertmanager", IncidentAction::Unacknowledge) => {
            "Expires the silences on this alert group; it notifies again.".into()
        }
        ("alertmanager", IncidentAction::Resolve) => {
            "Alertmanager cannot resolve alerts: they resolve when their rule stops firing.".into()
        }
        ("pagerduty", IncidentAction::Acknowledge) => {
            "Sets the PagerDuty incident to acknowledged; escalation stops.".into()
        }
        ("pagerduty", IncidentAction::Resolve) => "Resolves the PagerDuty incident.".into(),
        ("alerta", IncidentAction::Acknowledge) => "Sets the Alerta alert to ack.".into(),
        ("alerta", IncidentAction::Resolve) => "Closes the Alerta alert.".into(),
        ("alerta", IncidentAction::Unacknowledge) => "Sets the Alerta alert back to open.".into(),
        ("opsgenie", IncidentAction::Acknowledge) => "Acknowledges the Opsgenie alert.".into(),
        ("opsgenie", IncidentAction::Resolve) => "Closes the Opsgenie alert.".into(),
        ("opsgenie", IncidentAction::Unacknowledge) => "Un-acknowledges the Opsgenie alert.".into(),
        (_, action) => format!("Marks the incident {} on {source}.", action.past()),
    }
}

/// `Tab` in the dialog: keys now go to the note field.
pub(super) fn edit_note(state: &mut State) {
    if let Some(Overlay::Confirm(confirm)) = &mut state.overlay {
        confirm.note.editing = true;
    }
}

/// A key typed into the note field: `Enter` confirms, `Esc` leaves the field, the rest edit.
pub(super) fn note_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    if key.kind == KeyEventKind::Release {
        return vec![];
    }
    let Some(Overlay::Confirm(confirm)) = &mut state.overlay else {
        return vec![];
    };
    let note = &mut confirm.note;
    match key.code {
        KeyCode::Enter => return confirm_write(state),
        KeyCode::Esc | KeyCode::Tab => note.editing = false,
        _ => {
            if let Some(request) = to_input_request(&TermEvent::Key(key)) {
                let mut input = Input::new(note.value.clone()).with_cursor(note.cursor);
                input.handle(request);
                if input.value().chars().count() <= NOTE_LIMIT {
                    note.value = input.value().to_string();
                    note.cursor = input.cursor();
                }
            }
        }
    }
    vec![]
}

/// `y` in the confirmation: hands the write to the outbox once. Nothing is shown about it
/// until the outbox reports it on disk; meanwhile the incident takes no second dialog.
pub(super) fn confirm_write(state: &mut State) -> Vec<Command> {
    let Some(Overlay::Confirm(confirm)) = state.overlay.take() else {
        return vec![];
    };
    let Confirm {
        key, action, note, ..
    } = confirm;
    let labels = state
        .all_incidents()
        .find(|i| IncidentKey::of(i) == key)
        .map(|i| i.labels.clone())
        .unwrap_or_default();
    state.pending.insert(
        key.clone(),
        PendingAction {
            action,
            state: PendingState::Recording,
        },
    );
    let note = Some(note.value.trim().to_string()).filter(|n| !n.is_empty());
    vec![Command::Write(WriteRequest {
        source: key.source,
        incident: key.id,
        kind: WriteKind::from(action),
        note,
        labels,
    })]
}

/// `S` on the on-call pane: the Alertmanager silences instead of the incidents, or back.
pub(super) fn toggle_silences(state: &mut State) {
    if state.pane != Pane::Oncall || state.overlay.is_some() {
        return;
    }
    if state.silences.values().all(Vec::is_empty) && !state.show_silences {
        let any_alertmanager = state
            .sources
            .iter()
            .any(|s| s.kind == "alertmanager" || s.kind == "demo");
        let text = if any_alertmanager {
            "no active silences"
        } else {
            "silences come from Alertmanager sources; none is configured"
        };
        flash(state, FlashKind::Info, text.into());
        return;
    }
    state.show_silences = !state.show_silences;
}
