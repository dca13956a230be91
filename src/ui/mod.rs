//! All drawing. Rendering is a pure function of the state, the theme and the keymap: no IO,
//! no sends, no mutation. The app loop calls [`render`] once per frame.

pub mod commandline;
pub mod format;
pub mod freshness;
pub mod input;
pub mod keys;
pub mod layout;
pub mod mouse;
pub mod overlays;
pub mod panes;
pub mod statusbar;
pub mod symbols;
pub mod tabs;
pub mod terminal;
pub mod text;
pub mod widgets;
pub mod wire;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Wrap;

use crate::config::{Keymap, Theme};
use crate::state::{Pane, State};

pub use widgets::waterfall::{WaterfallRow, waterfall_rows};

/// What rendering needs besides the state.
#[derive(Debug, Clone, Copy)]
pub struct UiContext<'a> {
    /// Styles by meaning.
    pub theme: &'a Theme,
    /// The live keymap, for hints and help.
    pub keymap: &'a Keymap,
}

/// Draws the whole screen for `state`.
pub fn render(frame: &mut Frame, state: &State, ctx: &UiContext) {
    let area = frame.area();
    if area.width < layout::MIN_WIDTH || area.height < layout::MIN_HEIGHT {
        too_small(frame, area, ctx.theme);
        return;
    }
    let screen = layout::screen(area);
    tabs::render(frame, screen.top, state, ctx.theme);
    match state.pane {
        Pane::Executive => panes::executive::render(frame, screen.body, state, ctx.theme),
        Pane::Oncall => panes::oncall::render(frame, screen.body, state, ctx.theme),
        Pane::Debug => panes::debug::render(frame, screen.body, state, ctx.theme),
    }
    if let Some(view) = &state.runbook.view {
        panes::runbook::render(frame, screen.body, state, view, ctx);
    }
    statusbar::render(frame, screen.status, state, ctx.theme, ctx.keymap);
    if let Some(line) = &state.command_line.open {
        let row = Rect {
            y: screen.status.bottom().saturating_sub(1),
            height: 1,
            ..screen.status
        };
        commandline::render(frame, row, line, ctx.theme);
    }
    overlays::render(frame, screen.body, state, ctx);
    if ctx.theme.symbols.ascii {
        symbols::asciify(frame.buffer_mut());
    }
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let message = format!(
        "terminal too small (need {}x{}, have {}x{})",
        layout::MIN_WIDTH,
        layout::MIN_HEIGHT,
        area.width,
        area.height
    );
    let lines = u16::try_from(message.len())
        .unwrap_or(u16::MAX)
        .div_ceil(area.width.max(1));
    let box_area = layout::centered(area, area.width, lines);
    let text = text::paragraph(Line::styled(message, theme.sev_warning).centered())
        .wrap(Wrap { trim: true });
    frame.render_widget(text, box_area);
    if theme.symbols.ascii {
        symbols::asciify(frame.buffer_mut());
    }
}
