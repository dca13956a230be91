//! Silences from the keyboard: `s` on an Alertmanager incident opens a new silence with the
//! group's labels as matchers; in the `S` view `s` starts one from scratch, `e` extends the
//! selected silence and `x` expires it; `:silence MATCHER… DURATION COMMENT` opens the same
//! dialog filled in. Every key goes to the dialog while it is open; Enter checks the fields
//! (with Alertmanager's own refusals) and hands one write to the outbox, Esc cancels. The
//! preview asks Alertmanager what the matchers would hide whenever they change.

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use crate::command::Command;
use crate::model::silence::{self, display_matchers, parse_duration, parse_matchers};
use crate::model::{SilenceMatcher, SilenceSpec, SilenceWrite};
use crate::outbox::{DeliveryState, OutboxEntry, WriteKind, WriteRequest};
use crate::state::{
    FlashKind, OncallFocus, Overlay, Pane, SilenceDialog, SilenceField, SilenceOp, SilencePreview,
    State, TextField,
};

use super::respond::flash;

/// Longest comment accepted, in characters.
const COMMENT_LIMIT: usize = 500;

/// The duration a new silence starts with: the source's acknowledge length.
fn default_duration(state: &State, source: &str) -> String {
    let secs = state
        .silence_durations
        .get(source)
        .copied()
        .unwrap_or(crate::config::DEFAULT_SILENCE)
        .as_secs();
    if secs % 86_400 == 0 {
        format!("{}d", secs / 86_400)
    } else if secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else {
        format!("{}m", (secs / 60).max(1))
    }
}

/// The kind of the source named `name`.
fn kind_of<'a>(state: &'a State, name: &str) -> Option<&'a str> {
    state
        .sources
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.kind.as_str())
}

/// The first Alertmanager source, if any.
fn first_alertmanager(state: &State) -> Option<String> {
    state
        .sources
        .iter()
        .find(|s| s.kind == "alertmanager")
        .map(|s| s.name.clone())
}

/// Read-only cockpits write nothing: said in the status bar.
fn refuse_readonly(state: &mut State, what: &str) -> bool {
    if state.readonly {
        flash(state, FlashKind::Error, format!("read-only: not {what}"));
    }
    state.readonly
}

/// Opens a dialog and asks for its preview.
fn open(state: &mut State, dialog: SilenceDialog) -> Vec<Command> {
    state.overlay = Some(Overlay::Silence(Box::new(dialog)));
    refresh_preview(state)
}

/// `s`: a new silence — from the selected Alertmanager incident (its labels, which every
/// alert of the group shares, as matchers), or from scratch in the silences view.
pub(super) fn open_new(state: &mut State) -> Vec<Command> {
    if state.pane != Pane::Oncall || state.overlay.is_some() {
        return vec![];
    }
    if refuse_readonly(state, "creating a silence") {
        return vec![];
    }
    let (source, matchers) = if state.show_silences {
        let selected = crate::ui::panes::silences::sorted(state)
            .get(state.selected_silence)
            .map(|s| s.source.clone());
        match selected.or_else(|| first_alertmanager(state)) {
            Some(source) => (source, String::new()),
            None => return no_alertmanager(state),
        }
    } else {
        if state.oncall_focus != OncallFocus::Incidents {
            return vec![];
        }
        let Some(incident) = state.selected_incident() else {
            flash(state, FlashKind::Info, "no open incident selected".into());
            return vec![];
        };
        let source = incident.source.clone();
        let kind = kind_of(state, &source).unwrap_or("").to_string();
        if kind != "alertmanager" {
            flash(state, FlashKind::Info, no_silences_on(&kind, &source));
            return vec![];
        }
        let matchers: Vec<SilenceMatcher> = incident
            .labels
            .iter()
            .map(|(name, value)| SilenceMatcher {
                name: name.clone(),
                value: value.clone(),
                is_regex: false,
                is_equal: true,
            })
            .collect();
        (source, display_matchers(&matchers))
    };
    let dialog = SilenceDialog {
        duration: TextField::new(&default_duration(state, &source)),
        source,
        op: SilenceOp::Create,
        matchers: TextField::new(&matchers),
        comment: TextField::default(),
        // Prefilled matchers are usually right; the comment is what is missing.
        focus: if matchers.is_empty() {
            SilenceField::Matchers
        } else {
            SilenceField::Comment
        },
        error: None,
        preview: SilencePreview::Invalid(String::new()),
    };
    open(state, dialog)
}

/// What `s` says on an incident of a backend without silences.
fn no_silences_on(kind: &str, source: &str) -> String {
    let instead = match kind {
        "pagerduty" => " (PagerDuty has maintenance windows; ondeck does not make them yet)",
        "alerta" => " (Alerta has blackouts; ondeck does not make them yet)",
        "opsgenie" => " (Opsgenie has maintenance; ondeck does not make it yet)",
        _ => "",
    };
    format!("silences are Alertmanager's: {source} ({kind}) has none{instead}")
}

fn no_alertmanager(state: &mut State) -> Vec<Command> {
    flash(
        state,
        FlashKind::Info,
        "silences come from Alertmanager sources; none is configured".into(),
    );
    vec![]
}

/// `:silence MATCHER… DURATION COMMENT`: the dialog, filled in, for the responder to check
/// the preview and confirm.
pub(super) fn open_from_line(state: &mut State, spec: SilenceSpec) -> Vec<Command> {
    if refuse_readonly(state, "creating a silence") {
        return vec![];
    }
    let selected_am = state
        .selected_incident()
        .map(|i| i.source.clone())
        .filter(|s| kind_of(state, s) == Some("alertmanager"));
    let Some(source) = selected_am.or_else(|| first_alertmanager(state)) else {
        return no_alertmanager(state);
    };
    let minutes = spec.duration.num_minutes();
    let duration = if minutes % (24 * 60) == 0 {
        format!("{}d", minutes / (24 * 60))
    } else if minutes % 60 == 0 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    };
    state.pane = Pane::Oncall;
    let dialog = SilenceDialog {
        source,
        op: SilenceOp::Create,
        matchers: TextField::new(&display_matchers(&spec.matchers)),
        duration: TextField::new(&duration),
        comment: TextField::new(&spec.comment),
        focus: SilenceField::Comment,
        error: None,
        preview: SilencePreview::Invalid(String::new()),
    };
    open(state, dialog)
}

/// `e` / `x` in the silences view: extend or expire the selected silence.
pub(super) fn open_on_selected(state: &mut State, expire: bool) -> Vec<Command> {
    if state.pane != Pane::Oncall || state.overlay.is_some() {
        return vec![];
    }
    if !state.show_silences {
        let key = if expire { "x expires" } else { "e extends" };
        flash(
            state,
            FlashKind::Info,
            format!("{key} the selected silence in the silences view (S)"),
        );
        return vec![];
    }
    if refuse_readonly(
        state,
        if expire {
            "expiring a silence"
        } else {
            "extending a silence"
        },
    ) {
        return vec![];
    }
    let Some(selected) = crate::ui::panes::silences::sorted(state)
        .get(state.selected_silence)
        .map(|s| (*s).clone())
    else {
        flash(state, FlashKind::Info, "no silence selected".into());
        return vec![];
    };
    let matchers = display_matchers(&selected.matchers);
    let op = if expire {
        SilenceOp::Expire {
            id: selected.id.clone(),
            matchers,
            matching_alerts: selected.matching_alerts,
        }
    } else {
        SilenceOp::Extend {
            id: selected.id.clone(),
            ends_at: selected.ends_at,
            matchers,
        }
    };
    state.overlay = Some(Overlay::Silence(Box::new(SilenceDialog {
        source: selected.source,
        op,
        matchers: TextField::default(),
        duration: TextField::new("1h"),
        comment: TextField::default(),
        focus: SilenceField::Duration,
        error: None,
        preview: SilencePreview::Invalid(String::new()),
    })));
    vec![]
}

/// Asks for a preview when the matchers read and differ from the last ones asked about.
fn refresh_preview(state: &mut State) -> Vec<Command> {
    let Some(Overlay::Silence(dialog)) = &mut state.overlay else {
        return vec![];
    };
    if dialog.op != SilenceOp::Create {
        return vec![];
    }
    let matchers = match parse_matchers(&dialog.matchers.value) {
        Ok(m) if m.is_empty() => {
            dialog.preview =
                SilencePreview::Invalid("type matchers, like service=\"checkout\"".into());
            return vec![];
        }
        Ok(m) => m,
        Err(error) => {
            dialog.preview = SilencePreview::Invalid(error.to_string());
            return vec![];
        }
    };
    if dialog.preview.matchers() == Some(matchers.as_slice()) {
        return vec![];
    }
    dialog.preview = SilencePreview::Checking(matchers.clone());
    vec![Command::PreviewSilence {
        source: dialog.source.clone(),
        matchers,
    }]
}

/// Alertmanager's answer to a preview: kept only if the dialog still shows those matchers.
pub(super) fn preview_answer(
    state: &mut State,
    matchers: Vec<SilenceMatcher>,
    outcome: Result<Vec<std::collections::BTreeMap<String, String>>, crate::sources::SourceError>,
    at: chrono::DateTime<chrono::Utc>,
) {
    let Some(Overlay::Silence(dialog)) = &mut state.overlay else {
        return;
    };
    if dialog.preview.matchers() != Some(matchers.as_slice()) {
        return;
    }
    dialog.preview = match outcome {
        Ok(alerts) => SilencePreview::Ready {
            matchers,
            alerts,
            at,
        },
        Err(error) => SilencePreview::Failed {
            matchers,
            why: error.to_string(),
        },
    };
}

/// A key while the dialog is open.
pub(super) fn key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    if key.kind == KeyEventKind::Release {
        return vec![];
    }
    let Some(Overlay::Silence(dialog)) = &mut state.overlay else {
        return vec![];
    };
    let fields = dialog.fields();
    let at = fields.iter().position(|f| *f == dialog.focus).unwrap_or(0);
    let expire = matches!(dialog.op, SilenceOp::Expire { .. });
    match key.code {
        KeyCode::Esc => state.overlay = None,
        KeyCode::Char('n') if expire => state.overlay = None,
        KeyCode::Enter => return submit(state),
        KeyCode::Char('y') if expire => return submit(state),
        KeyCode::Tab | KeyCode::Down if !fields.is_empty() => {
            dialog.focus = fields[(at + 1) % fields.len()];
        }
        KeyCode::BackTab | KeyCode::Up if !fields.is_empty() => {
            dialog.focus = fields[(at + fields.len() - 1) % fields.len()];
        }
        _ if !fields.is_empty() => {
            let Some(request) = to_input_request(&TermEvent::Key(key)) else {
                return vec![];
            };
            let focus = dialog.focus;
            let field = dialog.field_mut(focus);
            let mut input = Input::new(field.value.clone()).with_cursor(field.cursor);
            input.handle(request);
            if input.value().chars().count() <= COMMENT_LIMIT {
                field.value = input.value().to_string();
                field.cursor = input.cursor();
            }
            dialog.error = None;
            if focus == SilenceField::Matchers {
                return refresh_preview(state);
            }
        }
        _ => {}
    }
    vec![]
}

/// Enter: checks the fields and hands one write to the outbox, or says what to fix.
fn submit(state: &mut State) -> Vec<Command> {
    let now = state.now;
    let Some(Overlay::Silence(dialog)) = &mut state.overlay else {
        return vec![];
    };
    let request = match build(dialog, now) {
        Ok(request) => request,
        Err(why) => {
            dialog.error = Some(why);
            return vec![];
        }
    };
    state.overlay = None;
    vec![Command::Write(request)]
}

/// The write the dialog asks for, or what is wrong with its fields.
fn build(
    dialog: &SilenceDialog,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<WriteRequest, String> {
    let request = |kind, incident: &str, silence| WriteRequest {
        source: dialog.source.clone(),
        incident: incident.to_string(),
        kind,
        note: None,
        labels: Default::default(),
        silence,
        reroute: None,
    };
    match &dialog.op {
        SilenceOp::Create => {
            let matchers = parse_matchers(&dialog.matchers.value).map_err(|e| e.to_string())?;
            let duration = parse_duration(&dialog.duration.value).map_err(|e| e.to_string())?;
            let comment = dialog.comment.value.trim().to_string();
            silence::check(&matchers, &comment).map_err(|e| e.to_string())?;
            Ok(request(
                WriteKind::SilenceAdd,
                "",
                Some(SilenceWrite {
                    matchers,
                    ends_at: Some(now + duration),
                    comment,
                }),
            ))
        }
        SilenceOp::Extend { id, ends_at, .. } => {
            let by = parse_duration(&dialog.duration.value).map_err(|e| e.to_string())?;
            Ok(request(
                WriteKind::SilenceExtend,
                id,
                Some(SilenceWrite {
                    matchers: Vec::new(),
                    ends_at: Some((*ends_at).max(now) + by),
                    comment: String::new(),
                }),
            ))
        }
        SilenceOp::Expire { id, .. } => Ok(request(WriteKind::SilenceExpire, id, None)),
    }
}

/// A silence write changed state in the outbox: said in the status bar; once delivered,
/// the silences are read back at once.
pub(super) fn delivery(state: &mut State, entry: &OutboxEntry, now: DeliveryState) -> Vec<Command> {
    let what = entry.describe();
    match now {
        DeliveryState::Recorded { .. } => {
            flash(state, FlashKind::Info, format!("{what}: sending…"));
            vec![]
        }
        DeliveryState::Sending => vec![],
        DeliveryState::OwedElsewhere(why) => {
            flash(state, FlashKind::Error, format!("{what}: {why}"));
            vec![]
        }
        DeliveryState::Queued {
            attempts, error, ..
        } => {
            if attempts <= 1 {
                flash(
                    state,
                    FlashKind::Error,
                    format!("{what} queued: {error}; ondeck keeps retrying"),
                );
            }
            vec![]
        }
        DeliveryState::Delivered => {
            flash(state, FlashKind::Info, format!("{what}: done"));
            vec![Command::RefreshNow]
        }
        DeliveryState::Failed(error) => {
            flash(
                state,
                FlashKind::Error,
                format!("could not {what}: {error}"),
            );
            vec![]
        }
    }
}
