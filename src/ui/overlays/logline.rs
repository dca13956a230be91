//! The selected log line whole (Enter on the logs panel): when, its level, which source,
//! the trace it carries, the text wrapped — as received, made inert — and every label or
//! field. Scrolled with the arrow keys when it does not fit.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Wrap;

use crate::config::Theme;
use crate::inert;
use crate::state::State;
use crate::ui::layout::centered;
use crate::ui::overlays::dialog;
use crate::ui::panes::logs::{age, level_style};
use crate::ui::text;

/// How much of one line the detail draws: wrapping megabytes on every frame would stall the
/// screen; `y` still copies the line whole.
pub const MAX_SHOWN_BYTES: usize = 64 * 1024;

fn field(label: &str, value: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<8}"), theme.text_muted),
        Span::styled(value, theme.text),
    ])
}

/// The detail's lines.
pub fn lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let Some(line) = state.logs.selected_line() else {
        return vec![Line::styled("nothing selected", theme.text_muted)];
    };
    let mut out = vec![
        field(
            "time",
            format!(
                "{} ({})",
                line.at.format("%Y-%m-%d %H:%M:%S%.9f UTC"),
                age(line, state.now)
            ),
            theme,
        ),
        Line::from(vec![
            Span::styled(format!("{:<8}", "level"), theme.text_muted),
            Span::styled(line.level.tag(), level_style(line.level, theme)),
        ]),
        field("source", inert::line(&line.source).into_owned(), theme),
    ];
    if let Some(id) = &line.trace_id {
        out.push(Line::from(vec![
            Span::styled(format!("{:<8}", "trace"), theme.text_muted),
            Span::styled(inert::line(id).into_owned(), theme.text),
            Span::styled("  (t on the line opens its waterfall)", theme.text_muted),
        ]));
    }
    out.push(Line::default());
    let (text, cut) = match line.message.char_indices().nth(MAX_SHOWN_BYTES) {
        Some((at, _)) if line.message.len() > MAX_SHOWN_BYTES => (&line.message[..at], true),
        _ => (line.message.as_str(), false),
    };
    for text_line in inert::block(text).lines() {
        out.push(Line::styled(text_line.to_string(), theme.text));
    }
    if cut {
        out.push(Line::styled(
            format!(
                "… the line is {} KiB; the first {} KiB are shown, y copies it whole",
                line.message.len() / 1024,
                MAX_SHOWN_BYTES / 1024
            ),
            theme.sev_warning,
        ));
    }
    out.push(Line::default());
    if line.labels.is_empty() {
        out.push(Line::styled("no labels", theme.text_muted));
    }
    for (key, value) in &line.labels {
        out.push(Line::from(vec![
            Span::styled(format!("  {}", inert::line(key)), theme.key),
            Span::styled(format!(" = {}", inert::line(value)), theme.text),
        ]));
    }
    out
}

/// Draws the detail over the pane `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lines = lines(state, theme);
    let title = match state.logs.selected_line() {
        Some(line) => format!("Log line · {}", line.level.tag()),
        None => "Log line".to_string(),
    };
    let width = area.width.saturating_sub(4).min(120);
    let box_area = centered(area, width, area.height.saturating_sub(2).max(3));
    let block = dialog(frame, box_area, &title, theme);
    let scroll = state.logs.detail_scroll.min(lines.len().saturating_sub(1));
    frame.render_widget(
        text::paragraph(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        box_area,
    );
}
