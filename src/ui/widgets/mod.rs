//! Small drawing pieces the panes share: panels, text fitting, gauges, sparklines, the
//! span waterfall and scrolled tables.

pub mod dependencies;
pub mod gauge;
pub mod spark;
pub mod table;
pub mod waterfall;

use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use crate::config::Theme;

/// A bordered panel titled `title`, its border showing whether it has the keyboard.
pub fn panel<'a>(title: impl Into<Line<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused {
        theme.border_focused
    } else {
        theme.border
    };
    Block::bordered()
        .border_set(theme.symbols.border)
        .border_style(border)
        .title(title.into().style(theme.title))
}

/// A panel title of plain text with a space either side.
pub fn title(text: impl Into<String>) -> Line<'static> {
    Line::from(Span::raw(format!(" {} ", text.into())))
}

/// `text` cut to `width` characters, ending in "…" when something was cut.
pub fn fit(text: &str, width: usize) -> String {
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
}
