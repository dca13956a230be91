//! The mouse, when `mouse = true`: a click on a tab switches panes, a click on a row of the
//! focused list selects it, the wheel moves the selection. Clicks are read against the frame
//! last drawn rather than re-deriving each pane's layout: the row under the pointer and the
//! highlighted row are both in that buffer, so the difference between them is the number of
//! Up or Down steps, whatever the pane's geometry.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::Position;

use crate::action::Action;
use crate::config::Theme;
use crate::state::{Pane, State};
use crate::ui::layout;

/// The actions a mouse event stands for, given the frame on screen (`shown`).
pub fn actions(state: &State, theme: &Theme, shown: &Buffer, event: &MouseEvent) -> Vec<Action> {
    match event.kind {
        MouseEventKind::ScrollUp => vec![Action::Up],
        MouseEventKind::ScrollDown => vec![Action::Down],
        MouseEventKind::Down(MouseButton::Left) => click(state, theme, shown, event),
        _ => Vec::new(),
    }
}

fn click(state: &State, theme: &Theme, shown: &Buffer, event: &MouseEvent) -> Vec<Action> {
    let area = shown.area;
    if area.width < layout::MIN_WIDTH || area.height < layout::MIN_HEIGHT {
        return Vec::new();
    }
    let screen = layout::screen(area);
    if event.row == screen.top.y {
        return tab_at(event.column).map(show).into_iter().collect();
    }
    let inside = screen.body.contains(Position::new(event.column, event.row));
    if !inside || state.overlay.is_some() || state.command_line.is_open() {
        return Vec::new();
    }
    select_row(theme, shown, screen.body.y, screen.body.bottom(), event)
}

/// The pane whose tab covers column `x`: tabs are drawn as " 1 Title " with one space after.
fn tab_at(x: u16) -> Option<Pane> {
    let mut start = 0u16;
    for (number, pane) in Pane::ALL.iter().enumerate() {
        let width = u16::try_from(format!(" {} {} ", number + 1, pane.title()).chars().count())
            .unwrap_or(u16::MAX);
        if (start..start.saturating_add(width)).contains(&x) {
            return Some(*pane);
        }
        start = start.saturating_add(width).saturating_add(1);
    }
    None
}

fn show(pane: Pane) -> Action {
    match pane {
        Pane::Executive => Action::ShowExecutive,
        Pane::Oncall => Action::ShowOncall,
        Pane::Debug => Action::ShowDebug,
    }
}

/// Up or Down steps from the highlighted row to the clicked one. The panel is found by its
/// left border: left from the pointer to the vertical line, then up and down that column to
/// the corners. Only a focused panel (its corner in the focus style) takes clicks, since Up
/// and Down move the focused list; its first inner row is the table header.
fn select_row(
    theme: &Theme,
    shown: &Buffer,
    top: u16,
    bottom: u16,
    event: &MouseEvent,
) -> Vec<Action> {
    let border = theme.symbols.border;
    let symbol = |x: u16, y: u16| shown.cell(Position::new(x, y)).map(|c| c.symbol());
    let Some(edge) = (0..event.column)
        .rev()
        .find(|&x| symbol(x, event.row) == Some(border.vertical_left))
    else {
        return Vec::new();
    };
    let Some(corner) = (top..event.row)
        .rev()
        .find(|&y| symbol(edge, y) != Some(border.vertical_left))
    else {
        return Vec::new();
    };
    let end = (event.row..bottom)
        .find(|&y| symbol(edge, y) != Some(border.vertical_left))
        .unwrap_or(bottom);
    let focused = shown
        .cell(Position::new(edge, corner))
        .is_some_and(|c| c.symbol() == border.top_left && in_style(c, theme.border_focused));
    if !focused || event.row <= corner + 1 {
        return Vec::new();
    }
    let highlighted = |y: &u16| {
        shown
            .cell(Position::new(edge + 1, *y))
            .is_some_and(|c| in_style(c, theme.selection))
    };
    let Some(selected) = (corner + 1..end).find(highlighted) else {
        return Vec::new();
    };
    let (step, count) = if event.row >= selected {
        (Action::Down, event.row - selected)
    } else {
        (Action::Up, selected - event.row)
    };
    vec![step; usize::from(count)]
}

/// Whether a drawn cell carries `style`'s colours and modifiers (it may carry more).
fn in_style(cell: &ratatui::buffer::Cell, style: ratatui::style::Style) -> bool {
    style.fg.is_none_or(|fg| cell.fg == fg)
        && style.bg.is_none_or(|bg| cell.bg == bg)
        && cell.modifier.contains(style.add_modifier)
}
