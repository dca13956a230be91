//! Cells that look alike made equal, before ratatui diffs two frames: a blank's foreground and
//! glyph-only attributes cannot be seen, and a full block `█` is a blank in its colour — one
//! byte on the wire instead of three. The screen looks exactly the same.

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};

/// Attributes that show on a blank cell; the others change only how a glyph is drawn.
pub const SHOWN_ON_BLANK: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::CROSSED_OUT);

/// Rewrites every cell of `buffer` to its canonical look.
pub fn canonicalize(buffer: &mut Buffer) {
    for cell in &mut buffer.content {
        canonicalize_cell(cell);
    }
}

fn canonicalize_cell(cell: &mut Cell) {
    match cell.symbol() {
        // Only a block without attributes: bold or dim change its colour, hidden shows the
        // background, reverse video swaps the two.
        "█" if cell.fg != Color::Reset && cell.modifier.is_empty() => {
            cell.set_char(' ');
            cell.bg = cell.fg;
            cell.fg = Color::Reset;
            cell.modifier = Modifier::empty();
        }
        " " if !cell.modifier.intersects(SHOWN_ON_BLANK) => {
            cell.fg = Color::Reset;
            cell.modifier = Modifier::empty();
        }
        _ => {}
    }
}

/// Whether a canonical cell is a blank: only its background shows.
pub fn is_plain_blank(cell: &Cell) -> bool {
    cell.modifier.is_empty() && cell.fg == Color::Reset && cell.symbol() == " "
}

#[cfg(test)]
mod tests {
    use ratatui::style::Style;

    use super::*;

    fn canonical(symbol: &str, style: Style) -> Cell {
        let mut cell = Cell::default();
        cell.set_symbol(symbol).set_style(style);
        canonicalize_cell(&mut cell);
        cell
    }

    #[test]
    fn a_full_block_is_a_blank_painted_in_its_colour() {
        let block = canonical("█", Style::default().fg(Color::Cyan).bg(Color::Black));
        assert_eq!(block.symbol(), " ");
        assert_eq!((block.fg, block.bg), (Color::Reset, Color::Cyan));
        // With any attribute (reverse video, bold) its look depends on more: left alone.
        let reversed = Style::default().fg(Color::Cyan).reversed();
        assert_eq!(canonical("█", reversed).symbol(), "█");
        assert_eq!(
            canonical("█", Style::default().fg(Color::Cyan).bold()).symbol(),
            "█"
        );
        // No colour of its own: the terminal's default foreground, which no background names.
        assert_eq!(canonical("█", Style::default()).symbol(), "█");
    }

    #[test]
    fn a_blank_keeps_only_what_shows() {
        let bold_red_on_blue = Style::default().fg(Color::Red).bg(Color::Blue).bold();
        let blank = canonical(" ", bold_red_on_blue);
        assert_eq!(
            (blank.fg, blank.bg, blank.modifier),
            (Color::Reset, Color::Blue, Modifier::empty())
        );
        assert!(is_plain_blank(&blank));
        // An underline or reverse video shows the foreground on a blank.
        let underlined = canonical(" ", Style::default().fg(Color::Red).underlined());
        assert_eq!(underlined.fg, Color::Red);
        assert!(!is_plain_blank(&underlined));
        // Text is never touched.
        let text = canonical("x", bold_red_on_blue);
        assert_eq!((text.fg, text.modifier), (Color::Red, Modifier::BOLD));
    }
}
