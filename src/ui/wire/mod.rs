//! The bytes a frame costs on the wire. ratatui's crossterm backend moves the cursor with an
//! absolute `CSI row;col H` for every gap, re-sends both colours whenever either changes, and
//! resets colours and attributes three times at the end of every frame. Over a slow SSH link
//! those add up: this encoder sends one combined SGR with only what changed (16-colour codes
//! where a palette index allows), moves to the next row with CR LF, crosses a short run of
//! blanks with spaces and a longer gap with `CSI n C`, and resets once, only if something was
//! set. Frames are first put in a canonical form ([`canonicalize`]) so cells that look alike
//! compare equal and are not sent again.

mod canonical;
mod screen;
mod sgr;

use std::borrow::Cow;

use ratatui::buffer::Cell;
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

use crate::inert::is_hostile;
pub use canonical::canonicalize;
use canonical::{SHOWN_ON_BLANK, is_plain_blank};
pub use screen::Screen;
use sgr::{MODIFIER_CODES, push_code, push_color};

/// The longest run of blanks crossed with spaces: a jump costs 3 bytes (`CSI C`) or 4.
const MAX_BLANK_FILL: u16 = 3;

/// Bytes of a forward jump of `n` columns (`CSI C`, `CSI n C`); none for 0.
fn jump_len(n: u16) -> usize {
    match n {
        0 => 0,
        1 => 3,
        n => 3 + digits(n),
    }
}

/// Number of decimal digits of `n`.
fn digits(n: u16) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// The terminal's drawing state while one frame is encoded.
struct Encoder<'s> {
    out: String,
    screen: &'s mut Screen,
    /// Where the last cell left the cursor; `None` before the first cell.
    cursor: Option<(u16, u16)>,
    fg: Color,
    bg: Color,
    modifier: Modifier,
    params: String,
}

impl Encoder<'_> {
    fn move_to(&mut self, x: u16, y: u16) {
        match self.cursor {
            Some((cx, cy)) if cy == y && cx == x => {}
            Some((cx, cy)) if cy == y && x > cx => self.cross(cx, x, y),
            // The next row: CR LF (raw mode sends LF as a bare line feed), when shorter than
            // the absolute move. Never from the last row, so LF never scrolls.
            Some((_, cy))
                if cy.checked_add(1) == Some(y)
                    && 2 + jump_len(x) < 4 + digits(y + 1) + digits(x + 1) =>
            {
                self.out.push_str("\r\n");
                self.cross(0, x, y);
            }
            _ => {
                use std::fmt::Write as _;
                let _ = write!(self.out, "\x1b[{};{}H", y + 1, x + 1);
            }
        }
    }

    /// Moves right from column `from` to `to` in row `y`: spaces over a short run of blanks
    /// already on the current background, a jump otherwise.
    fn cross(&mut self, from: u16, to: u16, y: u16) {
        let n = to - from;
        if n == 0 {
            return;
        }
        let fill = n <= MAX_BLANK_FILL
            && !self.modifier.intersects(SHOWN_ON_BLANK)
            && (from..to).all(|x| self.screen.blank_at(x, y) == Some(self.bg));
        if fill {
            self.out.extend(std::iter::repeat_n(' ', usize::from(n)));
        } else if n == 1 {
            self.out.push_str("\x1b[C");
        } else {
            use std::fmt::Write as _;
            let _ = write!(self.out, "\x1b[{n}C");
        }
    }

    fn cell(&mut self, x: u16, y: u16, cell: &Cell) {
        self.move_to(x, y);
        // A plain blank takes whatever foreground and glyph attributes are current.
        let blank = is_plain_blank(cell);
        let want_modifier = match blank {
            true if !self.modifier.intersects(SHOWN_ON_BLANK) => self.modifier,
            _ => cell.modifier,
        };
        self.params.clear();
        if want_modifier != self.modifier {
            if !(self.modifier - want_modifier).is_empty() {
                // Attributes can only be switched off all at once; colours go with them.
                push_code(&mut self.params, 0);
                (self.fg, self.bg) = (Color::Reset, Color::Reset);
                self.modifier = Modifier::empty();
            }
            for (flag, code) in MODIFIER_CODES {
                if want_modifier.contains(flag) && !self.modifier.contains(flag) {
                    push_code(&mut self.params, code);
                }
            }
            self.modifier = want_modifier;
        }
        if !blank && cell.fg != self.fg {
            push_color(&mut self.params, cell.fg, 30);
            self.fg = cell.fg;
        }
        if cell.bg != self.bg {
            push_color(&mut self.params, cell.bg, 40);
            self.bg = cell.bg;
        }
        if !self.params.is_empty() {
            self.out.push_str("\x1b[");
            self.out.push_str(&self.params);
            self.out.push('m');
        }
        let symbol = inert_symbol(cell.symbol());
        self.out.push_str(&symbol);
        let width = u16::try_from(symbol.width().max(1)).unwrap_or(1);
        self.screen.set(x, y, blank.then_some(cell.bg));
        for covered in 1..width {
            self.screen.set(x.saturating_add(covered), y, None);
        }
        self.cursor = Some((x.saturating_add(width), y));
    }
}

/// A cell's symbol as it may reach the terminal: without any control or bidirectional
/// character. Text is made inert before it is drawn ([`crate::ui::text`]), so this only
/// guards against a path that forgot: ratatui drops control characters but appends a
/// zero-width one, such as U+202E, to the cell before it. Dropping zero-width characters
/// keeps the cell's width; a symbol left empty is drawn as `?`.
fn inert_symbol(symbol: &str) -> Cow<'_, str> {
    if !symbol.chars().any(is_hostile) {
        return Cow::Borrowed(symbol);
    }
    let kept: String = symbol.chars().filter(|&c| !is_hostile(c)).collect();
    Cow::Owned(if kept.is_empty() { "?".into() } else { kept })
}

/// Encodes the changed cells of a frame (in ratatui's diff order: row by row, left to right),
/// keeping `screen` up to date with what the terminal will show.
pub fn encode<'a>(
    content: impl Iterator<Item = (u16, u16, &'a Cell)>,
    screen: &mut Screen,
) -> String {
    let mut encoder = Encoder {
        out: String::with_capacity(4096),
        screen,
        cursor: None,
        fg: Color::Reset,
        bg: Color::Reset,
        modifier: Modifier::empty(),
        params: String::new(),
    };
    for (x, y, cell) in content {
        encoder.cell(x, y, cell);
    }
    let Encoder {
        mut out,
        fg,
        bg,
        modifier,
        ..
    } = encoder;
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

    fn encode_on(screen: &mut Screen, cells: &[(u16, u16, &Cell)]) -> String {
        encode(cells.iter().copied(), screen)
    }

    fn encode_fresh(cells: &[(u16, u16, &Cell)]) -> String {
        encode_on(&mut Screen::default(), cells)
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
        assert_eq!(
            encode_fresh(&[(0, 0, &a), (1, 0, &b), (5, 0, &c), (2, 1, &d), (4, 1, &d)]),
            "\x1b[1;1H\x1b[90mab\x1b[3Cc\x1b[2;3H\x1b[39md\x1b[Cd"
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
        assert_eq!(
            encode_fresh(&[(0, 0, &a), (1, 0, &b), (2, 0, &c)]),
            "\x1b[1;1H\x1b[1;31mx\x1b[0;31;44my\x1b[38;2;1;2;3;48;5;200mz\x1b[0m"
        );
    }

    #[test]
    fn a_wide_symbol_moves_the_cursor_two_columns() {
        let plain = Style::default();
        let (wide, after) = (cell("コ", plain), cell("!", plain));
        assert_eq!(
            encode_fresh(&[(0, 0, &wide), (2, 0, &after)]),
            "\x1b[1;1Hコ!"
        );
    }

    #[test]
    fn no_control_or_bidi_character_reaches_the_terminal() {
        let plain = Style::default();
        let (rlo, esc, ok) = (
            cell("a\u{202e}", plain),
            cell("\u{1b}", plain),
            cell("b\u{2066}\u{301}", plain),
        );
        assert_eq!(
            encode_fresh(&[(0, 0, &rlo), (1, 0, &esc), (2, 0, &ok)]),
            "\x1b[1;1Ha?b\u{301}"
        );
    }

    #[test]
    fn a_blank_between_words_keeps_the_colour_it_finds() {
        let red = Style::default().fg(Color::Red);
        let (a, blank, b) = (cell("a", red), cell(" ", Style::default()), cell("b", red));
        assert_eq!(
            encode_fresh(&[(0, 0, &a), (1, 0, &blank), (2, 0, &b)]),
            "\x1b[1;1H\x1b[31ma b\x1b[0m"
        );
    }

    #[test]
    fn known_blanks_are_crossed_with_spaces_and_the_next_row_starts_with_cr_lf() {
        let plain = Style::default();
        let (a, b) = (cell("a", plain), cell("b", plain));
        let mut screen = Screen::default();
        screen.cleared();
        assert_eq!(
            encode_on(
                &mut screen,
                &[(0, 5, &a), (3, 5, &b), (8, 5, &a), (0, 6, &b)]
            ),
            "\x1b[6;1Ha  b\x1b[4Ca\r\nb"
        );
        // A blank on another background than the one set is jumped over, not overwritten.
        let on_blue = Style::default().bg(Color::Blue);
        let (x, y) = (cell("x", on_blue), cell("y", on_blue));
        assert_eq!(
            encode_on(&mut screen, &[(0, 7, &x), (2, 7, &y)]),
            "\x1b[8;1H\x1b[44mx\x1b[Cy\x1b[0m"
        );
        // After anything but a full clear, nothing is known: jumps again.
        screen.forget();
        assert_eq!(
            encode_on(&mut screen, &[(0, 5, &a), (2, 5, &b)]),
            "\x1b[6;1Ha\x1b[Cb"
        );
    }
}
