//! A faster way to draw a one-line [`Line`]: for printable ASCII, which is most of what the
//! tables show, every character is one cell and one grapheme, so the cells are written
//! directly instead of through grapheme segmentation and width lookups — most of a table
//! frame's cost. Anything else goes to ratatui's own `Line` widget. The result is the same
//! buffer either way; the tests compare the two.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Widget;

/// Whether every character of `text` is printable ASCII: one byte, one cell, one grapheme.
fn plain(text: &str) -> bool {
    text.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Draws `line` into the first row of `area`, as `line.render(area, buf)` would.
pub fn put_line(buf: &mut Buffer, area: Rect, line: &Line) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    if !line.spans.iter().all(|span| plain(&span.content)) {
        line.render(area, buf);
        return;
    }
    let width: usize = line.spans.iter().map(|span| span.content.len()).sum();
    if width == 0 {
        return;
    }
    let row = Rect { height: 1, ..area };
    let room = usize::from(row.width);
    if width > room && !matches!(line.alignment, None | Some(Alignment::Left)) {
        // Cut from the left: ratatui's rule for centred and right-aligned lines that do not fit.
        line.render(area, buf);
        return;
    }
    buf.set_style(row, line.style);
    let indent = match line.alignment {
        Some(Alignment::Center) => room.saturating_sub(width) / 2,
        Some(Alignment::Right) => room.saturating_sub(width),
        Some(Alignment::Left) | None => 0,
    };
    let mut x = row
        .x
        .saturating_add(u16::try_from(indent).unwrap_or(u16::MAX));
    for span in &line.spans {
        let style = span.style;
        for byte in span.content.bytes() {
            if x >= row.right() {
                return;
            }
            let cell = &mut buf[(x, row.y)];
            cell.set_char(char::from(byte));
            if style != Style::default() {
                cell.set_style(style);
            }
            x += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Modifier};
    use ratatui::text::Span;

    use super::*;

    /// Both ways into a buffer that already holds something, so leftovers would show.
    fn both(line: &Line, width: u16) -> (Buffer, Buffer) {
        let area = Rect::new(0, 0, 12, 2);
        let mut base = Buffer::empty(area);
        base.set_string(0, 0, "############", Style::default().bg(Color::Blue));
        let (mut ours, mut theirs) = (base.clone(), base);
        let target = Rect::new(1, 0, width, 1);
        put_line(&mut ours, target, line);
        line.render(target, &mut theirs);
        (ours, theirs)
    }

    #[test]
    fn the_same_cells_as_ratatuis_line_widget() {
        let red = Style::default().fg(Color::Red).add_modifier(Modifier::BOLD);
        let muted = Style::default().fg(Color::DarkGray);
        let lines = [
            Line::from("14.4x"),
            Line::from(vec![Span::styled("PAGE", red), Span::raw(" 1h")]),
            Line::styled("12m", muted).right_aligned(),
            Line::styled("ok", muted).centered(),
            Line::from("a title too long for its column"),
            Line::from("much too long, right-aligned").right_aligned(),
            Line::from("héllo · wörld").right_aligned(),
            Line::from("tab\there"),
            Line::from(""),
            Line::default().style(red),
        ];
        for line in &lines {
            for width in [0, 1, 3, 5, 10, 11] {
                let (ours, theirs) = both(line, width);
                assert_eq!(ours, theirs, "{line:?} in {width} columns");
            }
        }
    }
}
