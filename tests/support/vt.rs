//! A small terminal for the escape sequences ondeck's frame encoder may send, written from
//! ECMA-48 rather than from the encoder: CUP, CUF, CR, LF, ED 2, DECTCEM (ignored) and SGR
//! with attributes, the 16 colours, the 256-colour palette, RGB and the default colours. It
//! refuses anything else, a write past the right margin and a line feed that would scroll, so
//! a test can compare what a terminal shows with the frame ondeck meant to show.
//!
//! A lenient one ([`Vt::lenient`]) reads a whole session instead — a shell's messages, other
//! sequences, a cut-off end — to tell what text is on screen.
// Each test file that includes this uses a part of it.
#![allow(dead_code)]

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthChar;

/// One character cell as a terminal holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct VtCell {
    pub symbol: String,
    pub fg: Color,
    pub bg: Color,
    pub modifier: Modifier,
}

impl VtCell {
    fn blank(bg: Color) -> Self {
        Self {
            symbol: " ".into(),
            fg: Color::Reset,
            bg,
            modifier: Modifier::empty(),
        }
    }
}

/// The screen and the cursor's pen.
pub struct Vt {
    width: u16,
    height: u16,
    cells: Vec<VtCell>,
    x: u16,
    y: u16,
    fg: Color,
    bg: Color,
    modifier: Modifier,
    /// Refuse what is not expected (`true`), or carry on as a terminal would.
    strict: bool,
}

/// The 16 colours by SGR offset (30 + n, 90 + n for the bright half).
const ANSI: [Color; 16] = [
    Color::Black,
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::Gray,
    Color::DarkGray,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::White,
];

/// Palette entries 0–15 are the 16 colours; any other colour is itself.
pub fn same_colour(a: Color, b: Color) -> bool {
    let named = |c: Color| match c {
        Color::Indexed(n) if n < 16 => ANSI[usize::from(n)],
        c => c,
    };
    named(a) == named(b)
}

impl Vt {
    /// A blank screen of `width` x `height`, cursor at the top left.
    pub fn new(width: u16, height: u16) -> Self {
        Self {
            width,
            height,
            cells: vec![VtCell::blank(Color::Reset); usize::from(width) * usize::from(height)],
            x: 0,
            y: 0,
            fg: Color::Reset,
            bg: Color::Reset,
            modifier: Modifier::empty(),
            strict: true,
        }
    }

    /// A terminal that wraps at the margin, clears on switching screens and ignores what it
    /// does not know.
    pub fn lenient(width: u16, height: u16) -> Self {
        Self {
            strict: false,
            ..Self::new(width, height)
        }
    }

    /// The screen's text, a line per row.
    pub fn text(&self) -> String {
        self.cells
            .chunks(usize::from(self.width))
            .map(|row| row.iter().map(|c| c.symbol.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The cell at (`x`, `y`).
    pub fn cell(&self, x: u16, y: u16) -> &VtCell {
        &self.cells[usize::from(y) * usize::from(self.width) + usize::from(x)]
    }

    /// Interprets `bytes`; panics on anything this terminal does not know.
    pub fn feed(&mut self, bytes: &[u8]) {
        let text = if self.strict {
            let text = std::str::from_utf8(bytes).expect("the encoder writes UTF-8");
            std::borrow::Cow::Borrowed(text)
        } else {
            String::from_utf8_lossy(bytes)
        };
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '\r' => self.x = 0,
                '\n' => {
                    assert!(
                        !self.strict || self.y + 1 < self.height,
                        "a line feed on the last row scrolls"
                    );
                    self.y = (self.y + 1).min(self.height - 1);
                }
                '\x1b' => {
                    if chars.next() != Some('[') {
                        assert!(!self.strict, "only CSI sequences are expected");
                        continue;
                    }
                    let mut params = String::new();
                    let final_byte = loop {
                        match chars.next() {
                            Some(c) if c.is_ascii_digit() || c == ';' || c == '?' => {
                                params.push(c);
                            }
                            Some(c) => break c,
                            None if !self.strict => return,
                            None => panic!("an unterminated CSI sequence"),
                        }
                    };
                    self.csi(&params, final_byte);
                }
                c if c.is_control() => assert!(!self.strict, "unexpected control {c:?}"),
                c => self.print(c),
            }
        }
    }

    fn csi(&mut self, params: &str, final_byte: char) {
        let numbers: Vec<u16> = params
            .trim_start_matches('?')
            .split(';')
            .map(|p| {
                if p.is_empty() {
                    0
                } else {
                    p.parse().unwrap_or_else(|_| {
                        assert!(!self.strict, "a CSI number: {p}");
                        0
                    })
                }
            })
            .collect();
        let first = |default: u16| {
            numbers
                .first()
                .copied()
                .filter(|&n| n != 0)
                .unwrap_or(default)
        };
        match (params.starts_with('?'), final_byte) {
            // Another screen: what it shows is not what ondeck drew.
            (true, 'l' | 'h') if !self.strict && params == "?1049" => {
                self.cells.fill(VtCell::blank(Color::Reset));
            }
            (true, 'l' | 'h') => {} // cursor shown or hidden
            (false, 'H') => {
                self.y = first(1) - 1;
                self.x = numbers.get(1).copied().filter(|&n| n != 0).unwrap_or(1) - 1;
                assert!(
                    !self.strict || (self.x < self.width && self.y < self.height),
                    "CUP off screen"
                );
                (self.x, self.y) = (self.x.min(self.width - 1), self.y.min(self.height - 1));
            }
            (false, 'C') => self.x = (self.x + first(1)).min(self.width - 1),
            (false, 'J') => {
                assert_eq!(numbers, [2], "only ED 2 is expected");
                let bg = self.bg;
                self.cells.fill(VtCell::blank(bg));
            }
            (false, 'm') => self.sgr(&numbers),
            _ if !self.strict => {}
            other => panic!("unexpected CSI {params}{final_byte} ({other:?})"),
        }
    }

    fn sgr(&mut self, numbers: &[u16]) {
        let mut i = 0;
        while i < numbers.len() {
            let n = numbers[i];
            match n {
                0 => {
                    (self.fg, self.bg) = (Color::Reset, Color::Reset);
                    self.modifier = Modifier::empty();
                }
                1 => self.modifier |= Modifier::BOLD,
                2 => self.modifier |= Modifier::DIM,
                3 => self.modifier |= Modifier::ITALIC,
                4 => self.modifier |= Modifier::UNDERLINED,
                5 => self.modifier |= Modifier::SLOW_BLINK,
                7 => self.modifier |= Modifier::REVERSED,
                8 => self.modifier |= Modifier::HIDDEN,
                9 => self.modifier |= Modifier::CROSSED_OUT,
                30..=37 => self.fg = ANSI[usize::from(n - 30)],
                90..=97 => self.fg = ANSI[usize::from(n - 90 + 8)],
                40..=47 => self.bg = ANSI[usize::from(n - 40)],
                100..=107 => self.bg = ANSI[usize::from(n - 100 + 8)],
                39 => self.fg = Color::Reset,
                49 => self.bg = Color::Reset,
                38 | 48 => {
                    let colour = match numbers.get(i + 1) {
                        Some(5) => {
                            i += 2;
                            Color::Indexed(u8::try_from(numbers[i]).expect("a palette index"))
                        }
                        Some(2) => {
                            let rgb = &numbers[i + 2..i + 5];
                            i += 4;
                            let byte = |v: u16| u8::try_from(v).expect("an RGB byte");
                            Color::Rgb(byte(rgb[0]), byte(rgb[1]), byte(rgb[2]))
                        }
                        other => panic!("unexpected extended colour {other:?}"),
                    };
                    if n == 38 {
                        self.fg = colour;
                    } else {
                        self.bg = colour;
                    }
                }
                _ if !self.strict => {}
                other => panic!("unexpected SGR {other}"),
            }
            i += 1;
        }
    }

    fn print(&mut self, c: char) {
        let width = u16::try_from(c.width().unwrap_or(1).max(1)).unwrap_or(1);
        if !self.strict && self.x + width > self.width {
            self.x = 0;
            self.y = (self.y + 1).min(self.height - 1);
        }
        assert!(
            self.x + width <= self.width,
            "wrote {c:?} past the right margin at row {}",
            self.y
        );
        let at = usize::from(self.y) * usize::from(self.width) + usize::from(self.x);
        self.cells[at] = VtCell {
            symbol: c.to_string(),
            fg: self.fg,
            bg: self.bg,
            modifier: self.modifier,
        };
        for covered in 1..usize::from(width) {
            self.cells[at + covered] = VtCell::blank(self.bg);
        }
        self.x += width;
    }

    /// Cells where the screen does not look like `frame`: a blank's foreground and glyph-only
    /// attributes are not compared, since no terminal shows them, nor the cell a wide
    /// character covers.
    pub fn differences(&self, frame: &Buffer) -> Vec<String> {
        let shown_on_blank = Modifier::REVERSED | Modifier::UNDERLINED | Modifier::CROSSED_OUT;
        let mut out = Vec::new();
        let mut covered = 0;
        for y in 0..self.height {
            for x in 0..self.width {
                let want = &frame[(x, y)];
                let have = self.cell(x, y);
                if covered > 0 {
                    covered -= 1;
                    continue;
                }
                covered = want
                    .symbol()
                    .chars()
                    .next()
                    .and_then(|c| c.width())
                    .unwrap_or(1)
                    .max(1)
                    - 1;
                let blank = want.symbol() == " " && !want.modifier.intersects(shown_on_blank);
                let same = have.symbol == want.symbol()
                    && same_colour(have.bg, want.bg)
                    && if blank {
                        !have.modifier.intersects(shown_on_blank)
                    } else {
                        same_colour(have.fg, want.fg) && have.modifier == want.modifier
                    };
                if !same {
                    out.push(format!("({x},{y}): want {want:?}, terminal has {have:?}"));
                }
            }
        }
        out
    }
}
