//! The span waterfall: spans in call-tree order, indented by depth, each with a bar placed
//! and sized on the trace's timeline, errors marked, the critical path highlighted, folded
//! subtrees shown as one row. The layout is computed once per trace (see
//! [`crate::state::debug::SpanTree`]); drawing formats only the rows on screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::model::Trace;
use crate::state::debug::{SpanTree, Waterfall};
use crate::ui::format;
use crate::ui::layout::visible_rows;
use crate::ui::text;
use crate::ui::widgets::{gauge, pad};

/// Deepest indentation drawn; deeper spans line up at this depth.
const MAX_INDENT: usize = 12;

/// One line of the waterfall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaterfallRow {
    /// Index into `trace.spans`.
    pub span_index: usize,
    /// Nesting depth; roots are 0.
    pub depth: usize,
}

/// Spans in display order: depth-first by parent, siblings by start offset. Spans whose parent
/// is missing become roots. Every span appears exactly once, even in a malformed trace whose
/// parent links form a cycle, so the row count always equals the span count.
pub fn waterfall_rows(trace: &Trace) -> Vec<WaterfallRow> {
    SpanTree::build(trace)
        .rows
        .iter()
        .map(|r| WaterfallRow {
            span_index: r.span_index,
            depth: r.depth,
        })
        .collect()
}

/// A span's bar: `start`/`duration` placed on a `width`-cell track of a `total`-long timeline.
pub fn span_bar(start_us: u64, duration_us: u64, total_us: u64, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let total = total_us.max(1) as f64;
    let cells = width as f64;
    let start_cell = ((start_us as f64 / total) * cells).floor() as usize;
    let start_cell = start_cell.min(width - 1);
    let room = (width - start_cell) * 8;
    let eighths = ((duration_us as f64 / total) * cells * 8.0).round() as usize;
    format!(
        "{}{}",
        " ".repeat(start_cell),
        gauge::bar(eighths.clamp(1, room))
    )
}

/// Draws a header with the timeline's scale, then the rows of `view` that fit in `area`,
/// keeping `selected` (a position among the rows not folded away) on screen.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    trace: &Trace,
    view: &Waterfall,
    selected: usize,
    theme: &Theme,
) {
    let width = usize::from(area.width);
    let duration_w = 7;
    let label_w = (width * 2 / 5).clamp(10, 48).min(width);
    let bar_w = width.saturating_sub(label_w + duration_w + 2);
    let total = view.tree.total_us;
    let end_label = format::micros(total);
    let ruler = format!(
        "0{:>w$}",
        end_label,
        w = bar_w.saturating_sub(1).max(end_label.chars().count())
    );
    let header = Line::styled(
        format!(
            "{} {:>w$} {ruler}",
            pad("SPAN", label_w),
            "DUR",
            w = duration_w
        ),
        theme.text_muted,
    );
    let height = usize::from(area.height).saturating_sub(1);
    let range = visible_rows(view.len(), selected, height);
    let mut lines = Vec::with_capacity(range.len() + 1);
    lines.push(header);
    for position in range {
        let (Some(&row_index), Some(row)) = (view.visible.get(position), view.row_at(position))
        else {
            continue;
        };
        let Some(span) = trace.spans.get(row.span_index) else {
            continue;
        };
        let symbols = theme.symbols;
        let fold = match (row.descendants, view.is_folded(row_index)) {
            (0, _) => "  ".to_string(),
            (_, true) => format!("{} ", symbols.collapsed),
            (_, false) => format!("{} ", symbols.expanded),
        };
        let hidden = if view.is_folded(row_index) {
            format!(" (+{})", row.descendants)
        } else {
            String::new()
        };
        let indent = "  ".repeat(row.depth.min(MAX_INDENT));
        let label = format!("{indent}{fold}{} {}{hidden}", span.service, span.operation);
        let (mark, mark_style) = if span.error {
            ("!", theme.span_error)
        } else {
            (" ", theme.text)
        };
        let (path, bar_style) = match (row.critical, span.error) {
            (_, true) => (if row.critical { "┃" } else { " " }, theme.span_error),
            (true, false) => ("┃", theme.key),
            (false, false) => (" ", theme.span),
        };
        let label_style = if span.error {
            theme.span_error
        } else {
            theme.text
        };
        let clamped = if row.clamped { "~" } else { "" };
        let duration = format!("{clamped}{}", format::micros(span.duration_us));
        let line = Line::from(vec![
            Span::styled(mark, mark_style),
            Span::styled(path, bar_style),
            Span::styled(pad(&label, label_w.saturating_sub(2)), label_style),
            Span::styled(format!(" {duration:>duration_w$} "), theme.text_muted),
            Span::styled(
                span_bar(row.start_us, row.duration_us, total, bar_w),
                bar_style,
            ),
        ]);
        lines.push(if position == selected {
            line.style(theme.selection)
        } else {
            line
        });
    }
    frame.render_widget(text::paragraph(lines), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Span as TraceSpan, TraceSummary};
    use chrono::{TimeZone, Utc};

    fn span(id: &str, parent: Option<&str>, start: u64) -> TraceSpan {
        TraceSpan {
            span_id: id.to_string(),
            parent_id: parent.map(str::to_string),
            service: "svc".to_string(),
            operation: id.to_string(),
            start_offset_us: start,
            duration_us: 10,
            error: false,
            attributes: vec![],
            events: vec![],
        }
    }

    fn trace(spans: Vec<TraceSpan>) -> Trace {
        Trace {
            summary: TraceSummary {
                trace_id: "t".to_string(),
                root_service: "svc".to_string(),
                root_operation: "root".to_string(),
                start: Utc.timestamp_opt(0, 0).unwrap(),
                duration_us: 100,
                span_count: spans.len(),
                error: false,
            },
            spans,
        }
    }

    fn order(t: &Trace) -> Vec<(String, usize)> {
        waterfall_rows(t)
            .iter()
            .map(|r| (t.spans[r.span_index].span_id.clone(), r.depth))
            .collect()
    }

    #[test]
    fn children_follow_their_parent_in_start_order() {
        let t = trace(vec![
            span("b", Some("root"), 50),
            span("root", None, 0),
            span("a", Some("root"), 10),
            span("a1", Some("a"), 20),
        ]);
        let want = [("root", 0), ("a", 1), ("a1", 2), ("b", 1)];
        let want: Vec<(String, usize)> = want.iter().map(|(s, d)| (s.to_string(), *d)).collect();
        assert_eq!(order(&t), want);
    }

    #[test]
    fn orphans_and_cycles_still_show_every_span_once() {
        let t = trace(vec![
            span("root", None, 0),
            span("orphan", Some("gone"), 5),
            span("x", Some("y"), 30),
            span("y", Some("x"), 40),
            span("self", Some("self"), 60),
        ]);
        let rows = order(&t);
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0], ("root".to_string(), 0));
        assert_eq!(rows[1], ("orphan".to_string(), 0));
        assert!(rows.contains(&("self".to_string(), 0)));
        let mut ids: Vec<_> = rows.iter().map(|r| r.0.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 5);
    }

    #[test]
    fn bars_sit_on_the_timeline() {
        assert_eq!(span_bar(0, 100, 100, 4), "████");
        assert_eq!(span_bar(50, 25, 100, 4), "  █");
        assert_eq!(span_bar(0, 1, 1000, 4), "▏");
        assert_eq!(span_bar(100, 50, 100, 4), "   █");
        assert_eq!(span_bar(0, 10, 100, 0), "");
    }
}
