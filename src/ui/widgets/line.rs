//! A faster way to draw a one-line [`Line`]. For the characters tables are made of — printable
//! ASCII, Latin-1, dashes and bullets, arrows, box drawing, blocks and geometric shapes — every
//! character is one cell and a grapheme of its own, so the cells are written directly instead
//! of through grapheme segmentation and width lookups, most of a table frame's cost. Anything
//! else goes to ratatui's own `Line` widget. The result is the same buffer either way; the
//! tests compare the two for every character on the fast path.

use std::ops::RangeInclusive;

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Widget;

/// Characters beyond ASCII that are one cell wide and never join a neighbour in a grapheme.
const ONE_CELL: [RangeInclusive<char>; 6] = [
    '\u{a1}'..='\u{ac}',     // Latin-1 punctuation (not the soft hyphen)
    '\u{ae}'..='\u{ff}',     // Latin-1 letters, × and ÷
    '\u{2010}'..='\u{2027}', // dashes, quotes, bullets, …
    '\u{2190}'..='\u{21ff}', // arrows
    '\u{2500}'..='\u{25fc}', // box drawing, blocks, geometric shapes (not the emoji squares)
    '\u{2713}'..='\u{2717}', // check marks and crosses
];

/// Whether `c` takes exactly one cell and is a grapheme on its own.
fn one_cell(c: char) -> bool {
    matches!(c, ' '..='~') || ONE_CELL.iter().any(|range| range.contains(&c))
}

/// Draws `line` into the first row of `area`, as `line.render(area, buf)` would.
pub fn put_line(buf: &mut Buffer, area: Rect, line: &Line) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    if !line
        .spans
        .iter()
        .all(|span| span.content.chars().all(one_cell))
    {
        line.render(area, buf);
        return;
    }
    let width: usize = line.spans.iter().map(|s| s.content.chars().count()).sum();
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
        for c in span.content.chars() {
            if x >= row.right() {
                return;
            }
            let cell = &mut buf[(x, row.y)];
            cell.set_char(c);
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
            Line::from(vec![Span::styled("███▍──", red), Span::raw("  42%")]),
            Line::from("コンテナ").centered(),
            Line::from("e\u{301}t\u{e9}"),
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

    #[test]
    fn every_fast_character_is_one_cell_as_ratatui_sees_it() {
        use unicode_width::UnicodeWidthChar;
        let fast = ONE_CELL.iter().flat_map(|range| range.clone());
        for c in fast {
            assert_eq!(c.width(), Some(1), "{c:?} ({:x})", u32::from(c));
            let line = Line::from(format!("a{c}b{c}"));
            let (ours, theirs) = both(&line, 6);
            assert_eq!(ours, theirs, "{c:?} ({:x})", u32::from(c));
        }
    }
}
