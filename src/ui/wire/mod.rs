//! The bytes a frame costs on the wire. ratatui's crossterm backend moves the cursor with an
//! absolute `CSI row;col H` for every gap, re-sends both colours whenever either changes, and
//! resets colours and attributes three times at the end of every frame. Over a slow SSH link
//! those add up: this encoder sends one combined SGR with only what changed (16-colour codes
//! where a palette index allows), jumps within a row with `CSI n C`, and resets once, only if
//! something was set.

use std::fmt::Write as _;

use ratatui::buffer::Cell;
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// SGR codes that switch each modifier on, in a fixed order.
const MODIFIER_CODES: [(Modifier, u8); 8] = [
    (Modifier::BOLD, 1),
    (Modifier::DIM, 2),
    (Modifier::ITALIC, 3),
    (Modifier::UNDERLINED, 4),
    (Modifier::SLOW_BLINK, 5),
    (Modifier::REVERSED, 7),
    (Modifier::HIDDEN, 8),
    (Modifier::CROSSED_OUT, 9),
];

/// Appends the SGR parameters selecting `color` as foreground (`base` 30) or background (40).
fn color_params(params: &mut String, color: Color, base: u8) {
    let bright = base + 60;
    let sep = if params.is_empty() { "" } else { ";" };
    let _ = match color {
        Color::Reset => write!(params, "{sep}{}", base + 9),
        Color::Black => write!(params, "{sep}{base}"),
        Color::Red => write!(params, "{sep}{}", base + 1),
        Color::Green => write!(params, "{sep}{}", base + 2),
        Color::Yellow => write!(params, "{sep}{}", base + 3),
        Color::Blue => write!(params, "{sep}{}", base + 4),
        Color::Magenta => write!(params, "{sep}{}", base + 5),
        Color::Cyan => write!(params, "{sep}{}", base + 6),
        Color::Gray => write!(params, "{sep}{}", base + 7),
        Color::DarkGray => write!(params, "{sep}{bright}"),
        Color::LightRed => write!(params, "{sep}{}", bright + 1),
        Color::LightGreen => write!(params, "{sep}{}", bright + 2),
        Color::LightYellow => write!(params, "{sep}{}", bright + 3),
        Color::LightBlue => write!(params, "{sep}{}", bright + 4),
        Color::LightMagenta => write!(params, "{sep}{}", bright + 5),
        Color::LightCyan => write!(params, "{sep}{}", bright + 6),
        Color::White => write!(params, "{sep}{}", bright + 7),
        // Palette entries 0–15 are the 16 colours: the short codes say the same thing.
        Color::Indexed(n) if n < 8 => write!(params, "{sep}{}", base + n),
        Color::Indexed(n) if n < 16 => write!(params, "{sep}{}", bright + n - 8),
        Color::Indexed(n) => write!(params, "{sep}{};5;{n}", base + 8),
        Color::Rgb(r, g, b) => write!(params, "{sep}{};2;{r};{g};{b}", base + 8),
    };
}

/// Encodes the changed cells of a frame (in ratatui's diff order: row by row, left to right).
pub fn encode<'a>(content: impl Iterator<Item = (u16, u16, &'a Cell)>) -> String {
    let mut out = String::with_capacity(4096);
    let mut cursor: Option<(u16, u16)> = None;
    let (mut fg, mut bg, mut modifier) = (Color::Reset, Color::Reset, Modifier::empty());
    let mut params = String::new();
    for (x, y, cell) in content {
        match cursor {
            Some((cx, cy)) if cy == y && cx == x => {}
            Some((cx, cy)) if cy == y && x > cx => {
                let _ = write!(out, "\x1b[{}C", x - cx);
            }
            _ => {
                let _ = write!(out, "\x1b[{};{}H", y + 1, x + 1);
            }
        }
        params.clear();
        if cell.modifier != modifier {
            if !(modifier - cell.modifier).is_empty() {
                // Attributes can only be switched off all at once; colours go with them.
                params.push('0');
                (fg, bg, modifier) = (Color::Reset, Color::Reset, Modifier::empty());
            }
            for (flag, code) in MODIFIER_CODES {
                if cell.modifier.contains(flag) && !modifier.contains(flag) {
                    let sep = if params.is_empty() { "" } else { ";" };
                    let _ = write!(params, "{sep}{code}");
                }
            }
            modifier = cell.modifier;
        }
        if cell.fg != fg {
            color_params(&mut params, cell.fg, 30);
            fg = cell.fg;
        }
        if cell.bg != bg {
            color_params(&mut params, cell.bg, 40);
            bg = cell.bg;
        }
        if !params.is_empty() {
            let _ = write!(out, "\x1b[{params}m");
        }
        let symbol = cell.symbol();
        out.push_str(symbol);
        let width = u16::try_from(symbol.width().max(1)).unwrap_or(1);
        cursor = Some((x.saturating_add(width), y));
    }
    if fg != Color::Reset || bg != Color::Reset || !modifier.is_empty() {
        out.push_str("\x1b[0m");
    }
    out
}

#[cfg(test)]
mod tests {
    use ratatui::style::Style;

    use super::*;

    fn cell(symbol: &str, style: Style) -> Cell {
        let mut cell = Cell::default();
        cell.set_symbol(symbol).set_style(style);
        cell
    }

    #[test]
    fn runs_share_one_sgr_and_gaps_in_a_row_are_relative_jumps() {
        let muted = Style::default().fg(Color::DarkGray);
        let (a, b, c, d) = (
            cell("a", muted),
            cell("b", muted),
            cell("c", muted),
            cell("d", Style::default()),
        );
        let cells = [(0, 0, &a), (1, 0, &b), (5, 0, &c), (2, 1, &d)];
        assert_eq!(
            encode(cells.into_iter()),
            "\x1b[1;1H\x1b[90mab\x1b[3Cc\x1b[2;3H\x1b[39md"
        );
    }

    #[test]
    fn only_what_changed_is_sent_and_attributes_off_reset_everything() {
        let bold_red = Style::default().fg(Color::Red).add_modifier(Modifier::BOLD);
        let red_on_blue = Style::default().fg(Color::Red).bg(Color::Indexed(4));
        let rgb = Style::default()
            .fg(Color::Rgb(1, 2, 3))
            .bg(Color::Indexed(200));
        let (a, b, c) = (cell("x", bold_red), cell("y", red_on_blue), cell("z", rgb));
        let cells = [(0, 0, &a), (1, 0, &b), (2, 0, &c)];
        assert_eq!(
            encode(cells.into_iter()),
            "\x1b[1;1H\x1b[1;31mx\x1b[0;31;44my\x1b[38;2;1;2;3;48;5;200mz\x1b[0m"
        );
    }

    #[test]
    fn a_wide_symbol_moves_the_cursor_two_columns() {
        let plain = Style::default();
        let (wide, after) = (cell("コ", plain), cell("!", plain));
        let cells = [(0, 0, &wide), (2, 0, &after)];
        assert_eq!(encode(cells.into_iter()), "\x1b[1;1Hコ!");
    }
}
