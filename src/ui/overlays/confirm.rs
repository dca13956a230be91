//! The confirmation dialog shown before any write: what will be done, to which incident, on
//! which backend, and the keys that answer (from the keymap's `confirm` context).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Wrap;

use crate::config::{Keymap, Theme};
use crate::state::Confirm;
use crate::ui::UiContext;
use crate::ui::keys::grouped;
use crate::ui::layout::centered;
use crate::ui::overlays::dialog;
use crate::ui::text;

/// The question: "Acknowledge incident DEMO-1042 on demo (demo)?".
pub fn question(confirm: &Confirm) -> String {
    let verb = confirm.action.verb();
    let mut chars = verb.chars();
    let capitalised: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    format!(
        "{capitalised} incident {} on {} ({})?",
        confirm.key.id, confirm.key.source, confirm.backend_kind
    )
}

/// "y/enter confirm · n/esc cancel", generated from the `confirm` context.
pub fn answer_hint(keymap: &Keymap, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for group in grouped(keymap.bindings("confirm")) {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.text_muted));
        }
        spans.push(Span::styled(group.joined(), theme.key));
        spans.push(Span::styled(
            format!(" {}", group.action.description()),
            theme.text,
        ));
    }
    Line::from(spans)
}

/// The note field: "note: <text>▏" while typing; empty until the note is started (the key
/// hint below says how).
fn note_line(confirm: &Confirm, theme: &Theme) -> Line<'static> {
    let note = &confirm.note;
    if !note.editing && note.value.is_empty() {
        return Line::default();
    }
    let (before, after): (String, String) = {
        let split = note
            .value
            .char_indices()
            .nth(note.cursor)
            .map_or(note.value.len(), |(i, _)| i);
        (
            note.value[..split].to_string(),
            note.value[split..].to_string(),
        )
    };
    let mut spans = vec![
        Span::styled("note: ", theme.text_muted),
        Span::styled(before, theme.text),
    ];
    if note.editing {
        spans.push(Span::styled(theme.symbols.cursor, theme.key));
    }
    spans.push(Span::styled(after, theme.text));
    if note.editing {
        spans.push(Span::styled("  (enter sends · esc done)", theme.text_muted));
    }
    Line::from(spans)
}

/// Draws the dialog centred in `area`.
pub fn render(frame: &mut Frame, area: Rect, confirm: &Confirm, ctx: &UiContext) {
    let theme = ctx.theme;
    let width = area.width.saturating_sub(4).min(72);
    let box_area = centered(area, width, 10);
    let block = dialog(frame, box_area, "Confirm", theme);
    let lines = vec![
        Line::styled(question(confirm), theme.title),
        Line::styled(format!("“{}”", confirm.title), theme.text),
        Line::default(),
        Line::styled(confirm.effect.clone(), theme.text),
        Line::default(),
        note_line(confirm, theme),
        answer_hint(ctx.keymap, theme),
    ];
    frame.render_widget(
        text::paragraph(lines)
            .block(block)
            .wrap(Wrap { trim: true }),
        box_area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IncidentAction;
    use crate::state::IncidentKey;

    #[test]
    fn the_question_names_action_incident_and_backend() {
        let confirm = Confirm {
            key: IncidentKey {
                source: "demo".to_string(),
                id: "DEMO-1042".to_string(),
            },
            title: "checkout 5xx".to_string(),
            action: IncidentAction::Acknowledge,
            backend_kind: "demo".to_string(),
            effect: String::new(),
            note: Default::default(),
        };
        assert_eq!(
            question(&confirm),
            "Acknowledge incident DEMO-1042 on demo (demo)?"
        );
        let hint = answer_hint(&Keymap::defaults(), &Theme::monochrome());
        let text: String = hint.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "y/enter confirm · n/esc cancel · tab add a note");
    }
}
