//! Small drawing pieces the panes share: panels, text fitting, gauges, sparklines, the
//! span waterfall and scrolled tables.

pub mod dependencies;
pub mod gauge;
pub mod line;
pub mod spark;
pub mod table;
pub mod waterfall;

use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use crate::config::Theme;
use crate::inert;
use crate::ui::text;

/// Rows a [`panel`]'s frame takes: the title rule along its top.
pub const PANEL_FRAME_ROWS: u16 = 1;

/// A panel titled `title`: a rule along the top that carries the title and a line down the
/// left, in the focused style when it has the keyboard. No right or bottom edge: at 200
/// columns every horizontal rule is 600 bytes on the wire, and on an 80x24 terminal the rows
/// and columns go to content instead.
pub fn panel<'a>(title: impl Into<Line<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused {
        theme.border_focused
    } else {
        theme.border
    };
    Block::new()
        .borders(Borders::TOP | Borders::LEFT)
        .border_set(theme.symbols.border)
        .border_style(border)
        .title(text::line(title.into()).style(theme.title))
}

/// A boxed panel for what floats over the panes (dialogs, help, details): all four edges, so
/// it stands apart from what lies underneath.
pub fn popup<'a>(title: impl Into<Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_set(theme.symbols.border)
        .border_style(theme.border_focused)
        .title(text::line(title.into()).style(theme.title))
}

/// Where a panel says which row of a long list is selected: right-aligned on its title rule.
pub fn position_title(selected: usize, len: usize, theme: &Theme) -> Line<'static> {
    Line::styled(
        format!(" {}/{len} ", selected.min(len.saturating_sub(1)) + 1),
        theme.text_muted,
    )
    .right_aligned()
}

/// A panel title of plain text with a space either side.
pub fn title(text: impl Into<String>) -> Line<'static> {
    Line::from(Span::raw(format!(" {} ", text.into())))
}

/// `text` as shown on one line ([`inert::line`]) cut to `width` characters, ending in "…"
/// when something was cut: the cut is made on what the screen will show.
pub fn fit(text: &str, width: usize) -> String {
    let text = inert::line(text);
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

/// `text` cut or padded with spaces to exactly `width` characters.
pub fn pad(text: &str, width: usize) -> String {
    format!("{:<width$}", fit(text, width))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_marks_what_was_cut() {
        assert_eq!(fit("checkout", 10), "checkout");
        assert_eq!(fit("checkout-api", 8), "checkou…");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("abcdef", 4), "abc…");
    }

    #[test]
    fn fitting_cuts_what_is_shown() {
        assert_eq!(fit("a\u{1b}[2J", 10), "a\\e[2J");
        assert_eq!(fit("a\u{1b}[2J", 4), "a\\e…");
        assert_eq!(pad("x\ny", 4), "x y ");
    }
}
