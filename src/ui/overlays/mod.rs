//! What draws on top of a pane: help, the confirmation dialog, and detail views. Each clears
//! its box first so the pane underneath does not show through.

pub mod confirm;
pub mod detail;
pub mod help;
pub mod logline;
pub mod query;
pub mod silence;
pub mod span;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Clear};

use crate::config::Theme;
use crate::state::{Overlay, State};
use crate::ui::UiContext;
use crate::ui::widgets::popup;

/// Draws the overlay of `state`, if any, over the pane `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: &UiContext) {
    match &state.overlay {
        None => {}
        Some(Overlay::Help) => help::render(frame, area, state, ctx),
        Some(Overlay::Confirm(confirm)) => confirm::render(frame, area, confirm, ctx),
        Some(Overlay::Detail) => detail::render(frame, area, state, ctx.theme),
        Some(Overlay::Query) => query::render(frame, area, state, ctx.theme),
        Some(Overlay::LogLine) => logline::render(frame, area, state, ctx.theme),
        Some(Overlay::Silence(dialog)) => silence::render(frame, area, dialog, state.now, ctx),
    }
}

/// Clears `area` and returns the focused, overlay-styled panel to draw in it.
pub fn dialog<'a>(frame: &mut Frame, area: Rect, title: &str, theme: &Theme) -> Block<'a> {
    frame.render_widget(Clear, area);
    popup(crate::ui::widgets::title(title), theme).style(theme.overlay)
}
