//! Where text meets the screen. Panes build their lines from the model as received — titles,
//! labels, span names, error bodies — and hand them to a widget through one of these sinks,
//! which make every span inert ([`inert::line`]: a span is one line, so line breaks and tabs
//! become spaces and controls, ESC sequences and bidirectional controls show escaped, `\e]52;…`).
//! The sinks are the shared widgets: [`paragraph`] for free text, the table's rows
//! ([`TableRow`](crate::ui::widgets::table::TableRow)), and panel and dialog titles
//! ([`panel`](crate::ui::widgets::panel), [`popup`](crate::ui::widgets::popup)).
//!
//! ratatui itself drops control characters, which leaves the rest of an escape sequence on
//! screen as if it were text (`]52;c;…`), and passes bidirectional controls to the terminal;
//! escaping first shows what the backend really sent. Code that measures text before a sink
//! (fitting a cell, cutting a badge) escapes first too: [`crate::ui::widgets::fit`] and
//! [`width`] count what will be shown, and `\e` is two columns where ESC was none. The
//! frame encoder drops any hostile character that still reaches a cell, as a last guard.

use std::borrow::Cow;

use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;

use crate::inert;

/// `span` with its text inert; unchanged (and not copied) when there was nothing to escape.
pub fn span(mut span: Span<'_>) -> Span<'_> {
    if let Cow::Owned(shown) = inert::line(&span.content) {
        span.content = Cow::Owned(shown);
    }
    span
}

/// `line` with every span inert, its style and alignment kept.
pub fn line(mut line: Line<'_>) -> Line<'_> {
    line.spans = line.spans.into_iter().map(span).collect();
    line
}

/// A paragraph of `text` with every span inert: the sink for free text in a pane or dialog.
pub fn paragraph<'a>(text: impl Into<Text<'a>>) -> Paragraph<'a> {
    let mut text = text.into();
    text.lines = text.lines.into_iter().map(line).collect();
    // The one sink allowed to build a Paragraph (clippy.toml forbids it elsewhere).
    #[allow(clippy::disallowed_methods)]
    Paragraph::new(text)
}

/// Columns `text` takes once shown on one line: escapes counted, so a column sized by it
/// holds the escaped text.
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(inert::line(text).as_ref())
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Style};

    use super::*;

    #[test]
    fn spans_keep_their_style_and_show_what_was_sent() {
        let red = Style::default().fg(Color::Red);
        let shown = line(
            Line::from(vec![
                Span::styled("title \u{1b}]52;c;eA==\u{7}", red),
                Span::raw(" next\nrow \u{202e}"),
            ])
            .right_aligned(),
        );
        assert_eq!(shown.spans[0].content, "title \\e]52;c;eA==\\a");
        assert_eq!(shown.spans[0].style, red);
        assert_eq!(shown.spans[1].content, " next row \\u{202e}");
        assert_eq!(shown.alignment, Line::default().right_aligned().alignment);
    }

    #[test]
    fn clean_text_is_not_copied() {
        let text = String::from("checkout · 99.9%");
        let shown = span(Span::raw(text.as_str()));
        assert!(matches!(shown.content, Cow::Borrowed(_)));
    }

    #[test]
    fn widths_count_the_escapes() {
        assert_eq!(width("a\u{1b}b"), 4);
        assert_eq!(width("コ\u{202e}"), 10);
        assert_eq!(width("plain"), 5);
    }
}
