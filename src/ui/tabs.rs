//! The top line: pane tabs on the left, "READONLY", "ondeck" and the clock on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::state::{Pane, State};
use crate::ui::text;

/// Draws the tab line into `area` (one row).
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut tabs = Vec::new();
    for (number, pane) in Pane::ALL.iter().enumerate() {
        let style = if *pane == state.pane {
            theme.tab_active
        } else {
            theme.tab_inactive
        };
        tabs.push(Span::styled(
            format!(" {} {} ", number + 1, pane.title()),
            style,
        ));
        tabs.push(Span::raw(" "));
    }
    let mut right = Vec::new();
    if state.readonly {
        right.push(Span::styled("READONLY", theme.sev_warning));
        right.push(Span::raw("  "));
    }
    right.push(Span::styled("ondeck ", theme.title));
    right.push(Span::styled(
        state.now.format("%H:%M:%S UTC ").to_string(),
        theme.text_muted,
    ));
    let right = Line::from(right);
    let right_width = u16::try_from(right.width()).unwrap_or(u16::MAX);
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width)]).areas(area);
    frame.render_widget(text::paragraph(Line::from(tabs)), left_area);
    frame.render_widget(text::paragraph(right.right_aligned()), right_area);
}
