//! Screen geometry: the minimum size, the top/body/status split, centred boxes, and the
//! scroll window that keeps a selected row visible while building only the rows on screen.

use std::ops::Range;

use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest terminal the cockpit draws into.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal height the cockpit draws into.
pub const MIN_HEIGHT: u16 = 24;
/// From this width on, panes place panels side by side and show extra columns.
pub const WIDE: u16 = 140;
/// Rows of the status bar at the bottom.
pub const STATUS_ROWS: u16 = 2;

/// The three horizontal bands of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// The tab line.
    pub top: Rect,
    /// The pane.
    pub body: Rect,
    /// Source health, flash message and key hints.
    pub status: Rect,
}

/// Splits the terminal into tab line, pane and status bar.
pub fn screen(area: Rect) -> Screen {
    let [top, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(STATUS_ROWS),
    ])
    .areas(area);
    Screen { top, body, status }
}

/// A box of at most `width` × `height` centred in `area`, never larger than `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The rows of a list of `len` to draw in `height` lines so that `selected` is visible.
/// The window follows the selection down and keeps it on the last line, which needs no
/// scroll state between frames.
pub fn visible_rows(len: usize, selected: usize, height: usize) -> Range<usize> {
    if len == 0 || height == 0 {
        return 0..0;
    }
    let selected = selected.min(len - 1);
    let start = (selected + 1).saturating_sub(height);
    start..(start + height).min(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_stays_in_the_window() {
        assert_eq!(visible_rows(1000, 0, 10), 0..10);
        assert_eq!(visible_rows(1000, 9, 10), 0..10);
        assert_eq!(visible_rows(1000, 10, 10), 1..11);
        assert_eq!(visible_rows(1000, 999, 10), 990..1000);
        assert_eq!(visible_rows(5, 2, 10), 0..5);
        // A selection past the end (stale state) clamps instead of panicking.
        assert_eq!(visible_rows(5, 50, 3), 2..5);
        assert_eq!(visible_rows(0, 3, 3), 0..0);
        assert_eq!(visible_rows(4, 3, 0), 0..0);
    }

    #[test]
    fn centred_boxes_fit_inside() {
        let area = Rect::new(0, 0, 80, 24);
        assert_eq!(centered(area, 40, 10), Rect::new(20, 7, 40, 10));
        assert_eq!(
            centered(Rect::new(2, 2, 10, 4), 40, 10),
            Rect::new(2, 2, 10, 4)
        );
    }
}
