//! What the terminal shows, as far as the encoder needs it: which cells are plain blanks and
//! on what background. A short run of blanks between changed cells is then sent as spaces
//! (one byte each) instead of a cursor jump (three or four).

use ratatui::style::Color;

/// Per cell, the background of a plain blank, or `None` for a glyph or a cell not known.
#[derive(Debug, Default, Clone)]
pub struct Screen {
    rows: Vec<Vec<Option<Color>>>,
    /// Cells not written since the last full clear are blanks on the default background.
    cleared: bool,
}

impl Screen {
    /// The whole screen was erased (`CSI 2 J` with default colours).
    pub fn cleared(&mut self) {
        self.rows.clear();
        self.cleared = true;
    }

    /// Something drew or erased what this model cannot follow: know nothing.
    pub fn forget(&mut self) {
        self.rows.clear();
        self.cleared = false;
    }

    fn unwritten(&self) -> Option<Color> {
        self.cleared.then_some(Color::Reset)
    }

    /// The background of the plain blank at (`x`, `y`), if it is one.
    pub fn blank_at(&self, x: u16, y: u16) -> Option<Color> {
        let row = self.rows.get(usize::from(y));
        match row.and_then(|r| r.get(usize::from(x))) {
            Some(cell) => *cell,
            None => self.unwritten(),
        }
    }

    /// Records what was written at (`x`, `y`).
    pub fn set(&mut self, x: u16, y: u16, blank: Option<Color>) {
        let (x, y) = (usize::from(x), usize::from(y));
        let unwritten = self.unwritten();
        if self.rows.len() <= y {
            self.rows.resize_with(y + 1, Vec::new);
        }
        let row = &mut self.rows[y];
        if row.len() <= x {
            row.resize(x + 1, unwritten);
        }
        row[x] = blank;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_until_cleared_then_blank_until_written() {
        let mut screen = Screen::default();
        assert_eq!(screen.blank_at(3, 2), None);
        screen.cleared();
        assert_eq!(screen.blank_at(3, 2), Some(Color::Reset));
        screen.set(3, 2, None);
        screen.set(5, 2, Some(Color::Blue));
        assert_eq!(screen.blank_at(3, 2), None);
        assert_eq!(screen.blank_at(4, 2), Some(Color::Reset));
        assert_eq!(screen.blank_at(5, 2), Some(Color::Blue));
        screen.forget();
        assert_eq!(screen.blank_at(5, 2), None);
    }
}
