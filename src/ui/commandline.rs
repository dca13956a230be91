//! The open `:` command line, drawn over the status bar's hint row: the typed text scrolled so
//! the cursor stays visible, the terminal cursor placed in it, and the keys that finish it.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Clear;

use crate::config::Theme;
use crate::state::CommandLine;
use crate::ui::text;

/// The keys that finish or browse the line, shown when there is room.
const HINT: &str = "enter run · esc cancel · ↑/↓ history";

/// Draws `line` into the one-row `area` and puts the terminal cursor at its cursor.
pub fn render(frame: &mut Frame, area: Rect, line: &CommandLine, theme: &Theme) {
    frame.render_widget(Clear, area);
    let width = usize::from(area.width);
    let hint_width = HINT.chars().count() + 2;
    let room = if line.value.chars().count() + 2 + hint_width <= width {
        width - hint_width
    } else {
        width
    };
    // One column for the ':' and one for the cursor after the last character.
    let text_room = room.saturating_sub(2).max(1);
    let scroll = line.cursor.saturating_sub(text_room);
    let shown: String = line
        .value
        .chars()
        .skip(scroll)
        .take(text_room + 1)
        .collect();
    let mut spans = vec![
        Span::styled(":", theme.key),
        Span::styled(shown, theme.text),
    ];
    if room < width {
        let used = spans.iter().map(Span::width).sum::<usize>();
        spans.push(Span::raw(" ".repeat(room.saturating_sub(used) + 2)));
        spans.push(Span::styled(HINT, theme.text_muted));
    }
    frame.render_widget(text::paragraph(Line::from(spans)), area);
    let column = u16::try_from(1 + line.cursor - scroll).unwrap_or(u16::MAX);
    frame.set_cursor_position(Position::new(
        area.x + column.min(area.width.saturating_sub(1)),
        area.y,
    ));
}
