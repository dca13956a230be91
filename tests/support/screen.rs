//! A drawn screen as text for snapshots, with every row that has cells in the theme's stale
//! role followed by a line marking those cells (`^`), so a snapshot shows which numbers are
//! drawn as old — the colour a plain text snapshot would lose.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Style};

use ondeck::config::Theme;

/// The dark theme with its stale role in a colour no other role uses, so a cell's colour
/// says for certain whether it was drawn in the stale role.
pub fn stale_marking_theme() -> Theme {
    Theme {
        stale: Style::default().fg(Color::Indexed(208)),
        ..Theme::dark()
    }
}

/// Every row of `buffer`, each followed by its stale marks when it has any.
pub fn marked(buffer: &Buffer, theme: &Theme) -> String {
    let stale = theme.stale.fg;
    let width = usize::from(buffer.area.width);
    let mut out = String::new();
    for row in buffer.content.chunks(width) {
        let text: String = row.iter().map(|c| c.symbol()).collect();
        out.push_str(text.trim_end());
        out.push('\n');
        let marks: String = row
            .iter()
            .map(|c| if Some(c.fg) == stale { '^' } else { ' ' })
            .collect();
        if marks.contains('^') {
            out.push_str(marks.trim_end());
            out.push('\n');
        }
    }
    out
}
