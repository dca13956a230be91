//! The help overlay: every binding of every keymap context, grouped by context, laid out in
//! as many columns as the screen needs. Generated from the live keymap, so it never lies.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::config::keymap::CONTEXTS;
use crate::config::{Keymap, Theme};
use crate::state::State;
use crate::ui::UiContext;
use crate::ui::keys::grouped;
use crate::ui::layout::centered;
use crate::ui::overlays::dialog;
use crate::ui::text;
use crate::ui::widgets::pad;

/// Widest key column before keys are cut.
const KEY_COLUMN_MAX: usize = 18;

/// Help as lines: a heading per context, then "keys  description" per action.
pub fn help_lines(keymap: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    let mut contexts: Vec<_> = keymap
        .contexts()
        .map(|(name, bindings)| (name, grouped(bindings)))
        .collect();
    // Global first, then panes, then dialogs, whatever order the keymap file used.
    contexts.sort_by_key(|(name, _)| {
        CONTEXTS
            .iter()
            .position(|c| c == name)
            .unwrap_or(usize::MAX)
    });
    let key_width = contexts
        .iter()
        .flat_map(|(_, groups)| groups.iter().map(|g| g.joined().chars().count()))
        .max()
        .unwrap_or(0)
        .min(KEY_COLUMN_MAX);
    let mut lines = Vec::new();
    for (name, groups) in contexts {
        lines.push(Line::styled(name.to_string(), theme.title));
        if groups.is_empty() {
            lines.push(Line::styled("  (global keys only)", theme.text_muted));
        }
        for group in groups {
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(pad(&group.joined(), key_width), theme.key),
                Span::raw("  "),
                Span::styled(group.action.description(), theme.text),
            ]));
        }
    }
    lines.push(Line::styled("commands (after :)", theme.title));
    for (name, usage) in crate::update::COMMANDS {
        lines.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(format!(":{name} {usage}"), theme.key),
        ]));
    }
    lines
}

/// Headings are the only lines not indented.
fn is_heading(line: &Line) -> bool {
    line.spans.len() == 1 && !line.spans[0].content.starts_with(' ')
}

/// Splits `lines` into columns of at most `height` lines, never leaving a heading at the foot
/// of a column.
fn columns(mut lines: Vec<Line<'static>>, height: usize) -> Vec<Vec<Line<'static>>> {
    let height = height.max(1);
    let mut out = Vec::new();
    while !lines.is_empty() {
        let mut take = height.min(lines.len());
        if take < lines.len() && take > 1 && is_heading(&lines[take - 1]) {
            take -= 1;
        }
        let rest = lines.split_off(take);
        out.push(std::mem::replace(&mut lines, rest));
    }
    out
}

/// Draws the help centred in `area`, in as many columns as its height requires. When those
/// columns are wider than the screen (80x24 with every context bound), it shows as many as fit
/// and scrolls line by line from `state.help_scroll`, saying so in its title.
pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: &UiContext) {
    let theme = ctx.theme;
    let lines = help_lines(ctx.keymap, theme);
    let column_width = lines.iter().map(Line::width).max().unwrap_or(0) + 3;
    let total = lines.len();
    let rows = usize::from(area.height.saturating_sub(2)).max(1);
    let available = usize::from(area.width.saturating_sub(6));
    let fitting = (available / column_width.max(1)).max(1);
    let needed = total.div_ceil(rows);
    let (shown, title) = if needed <= fitting {
        (columns(lines, rows), "Keys".to_string())
    } else {
        let window = fitting * rows;
        let first = state.help_scroll.min(total.saturating_sub(window));
        let last = (first + window).min(total);
        let visible: Vec<Line<'static>> = lines.into_iter().skip(first).take(window).collect();
        let title = format!("Keys {}-{} of {total} · j/k scroll", first + 1, last);
        (columns(visible, rows), title)
    };
    let width = u16::try_from(shown.len() * column_width + 2).unwrap_or(u16::MAX);
    let height =
        u16::try_from(shown.iter().map(Vec::len).max().unwrap_or(0) + 2).unwrap_or(u16::MAX);
    let box_area = centered(area, width.min(area.width.saturating_sub(4)), height);
    let block = dialog(frame, box_area, &title, theme);
    let inner = block.inner(box_area);
    frame.render_widget(block, box_area);
    let step = u16::try_from(column_width).unwrap_or(u16::MAX);
    let mut x = inner.x;
    for column in shown {
        if x >= inner.right() {
            break;
        }
        let area = Rect {
            x,
            width: step.min(inner.right() - x),
            ..inner
        };
        frame.render_widget(text::paragraph(column), area);
        x = x.saturating_add(step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_binding_of_every_context() {
        let keymap = Keymap::defaults();
        let text: Vec<String> = help_lines(&keymap, &Theme::monochrome())
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        for (context, bindings) in keymap.contexts() {
            assert!(text.iter().any(|l| l == context), "heading {context}");
            for binding in bindings {
                let key = binding.key.to_string();
                let listed = text.iter().any(|l| {
                    let keys = l.trim_start().split("  ").next().unwrap_or_default();
                    keys.split('/').any(|k| k == key) && l.ends_with(binding.action.description())
                });
                assert!(listed, "{context}: {key} {}", binding.action.description());
            }
        }
    }
}
