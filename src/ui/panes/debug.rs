//! The debug pane: one service's latency and error trends, its slow and failing traces, and
//! the span waterfall of the trace opened from that list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use crate::config::Theme;
use crate::model::{ServiceMetrics, TraceSummary};
use crate::state::{DebugFocus, DebugState, Load, State};
use crate::ui::format;
use crate::ui::layout::WIDE;
use crate::ui::widgets::table::ScrolledTable;
use crate::ui::widgets::{panel, spark, title, waterfall};

/// Draws the pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(service) = state.debug.service.as_deref() else {
        let block = panel(title("Debug"), true, theme);
        let hint = Line::styled("select an SLO and press Enter", theme.text_muted).centered();
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let middle = Rect {
            y: inner.y + inner.height / 2,
            height: inner.height.min(1),
            ..inner
        };
        frame.render_widget(Paragraph::new(hint), middle);
        return;
    };
    let wide = area.width >= WIDE;
    let (trend_rows, trace_rows) = if wide { (6, 14) } else { (4, 8) };
    let [trends, traces, spans] = Layout::vertical([
        Constraint::Length(trend_rows),
        Constraint::Length(trace_rows),
        Constraint::Min(3),
    ])
    .areas(area);
    render_trends(
        frame,
        trends,
        service,
        state.services.get(service),
        wide,
        theme,
    );
    render_traces(frame, traces, state, wide, theme);
    render_waterfall(frame, spans, &state.debug, theme);
}

fn render_trends(
    frame: &mut Frame,
    area: Rect,
    service: &str,
    metrics: Option<&ServiceMetrics>,
    wide: bool,
    theme: &Theme,
) {
    let Some(m) = metrics else {
        let block = panel(title(format!("{service} · trends")), false, theme);
        let empty = Line::styled(format!("no metrics for {service} yet"), theme.text_muted);
        frame.render_widget(Paragraph::new(empty).block(block), area);
        return;
    };
    let block = panel(
        title(format!(
            "{service} · trends, one sample per {}s",
            m.step_seconds
        )),
        false,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let last = |v: &[f64]| v.last().copied();
    let series: [(String, &[f64]); 4] = [
        (format!("p50 {}", format::latency(last(&m.p50))), &m.p50),
        (format!("p95 {}", format::latency(last(&m.p95))), &m.p95),
        (format!("p99 {}", format::latency(last(&m.p99))), &m.p99),
        (
            format!("err {}", format::percent(last(&m.error_rate), 2)),
            &m.error_rate,
        ),
    ];
    let per_line = if wide { 1 } else { 2 };
    let cell_width = usize::from(inner.width) / per_line;
    let label_width = 13;
    let spark_width = cell_width.saturating_sub(label_width + 2);
    let lines: Vec<Line> = series
        .chunks(per_line)
        .map(|chunk| {
            let mut spans = Vec::new();
            for (label, values) in chunk {
                spans.push(Span::styled(format!("{label:<label_width$} "), theme.text));
                spans.push(spark::spark_span(
                    values,
                    spark_width,
                    spark::Scale::Band,
                    theme.chart,
                ));
                let used = spark_width.min(values.len()) + label_width + 1;
                spans.push(Span::raw(" ".repeat(cell_width.saturating_sub(used))));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn load_status<T>(name: &str, load: &Load<Vec<T>>, theme: &Theme) -> Span<'static> {
    match load {
        Load::Idle => Span::raw(format!("{name} —")),
        Load::Loading => Span::styled(format!("{name} searching…"), theme.text_muted),
        Load::Ready(list) => Span::raw(format!("{name} {}", list.len())),
        Load::Failed(error) => Span::styled(format!("{name} failed: {error}"), theme.sev_critical),
    }
}

fn empty_traces(debug: &DebugState, theme: &Theme) -> Line<'static> {
    let failure = [&debug.slow, &debug.errors]
        .into_iter()
        .find_map(|l| match l {
            Load::Failed(error) => Some(error.clone()),
            _ => None,
        });
    if matches!(debug.slow, Load::Loading) || matches!(debug.errors, Load::Loading) {
        Line::styled("searching…", theme.text_muted)
    } else if let Some(error) = failure {
        Line::styled(format!("trace search failed: {error}"), theme.sev_critical)
    } else {
        Line::styled("no slow or failing traces found", theme.text_muted)
    }
}

fn render_traces(frame: &mut Frame, area: Rect, state: &State, wide: bool, theme: &Theme) {
    let debug = &state.debug;
    let listed = debug.listed_traces();
    let slow_count = debug.slow.ready().map_or(0, Vec::len);
    let heading = Line::from(vec![
        Span::raw(" Traces · "),
        load_status("slow", &debug.slow, theme),
        Span::raw(" · "),
        load_status("errors", &debug.errors, theme),
        Span::raw(" "),
    ]);
    let mut headers = vec!["", "KIND", "DURATION", "SPANS", "", "ROOT OPERATION", "AGE"];
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(5),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(6),
    ];
    if wide {
        headers.push("TRACE");
        widths.push(Constraint::Length(32));
    }
    let table = ScrolledTable {
        block: panel(heading, debug.focus == DebugFocus::Traces, theme),
        header: Row::new(headers),
        widths,
        len: listed.len(),
        selected: Some(debug.selected_trace),
        empty: empty_traces(debug, theme),
    };
    table.render(frame, area, theme, |i| {
        let summary: &TraceSummary = listed[i];
        let shown = debug.trace_id.as_deref() == Some(summary.trace_id.as_str());
        let kind = if i < slow_count { "slow" } else { "error" };
        let mark = if summary.error {
            Span::styled("!", theme.span_error)
        } else {
            Span::raw(" ")
        };
        let age = (state.now - summary.start).num_seconds();
        let mut cells = vec![
            Cell::from(if shown { "▸" } else { " " }),
            Cell::from(Span::styled(kind, theme.text_muted)),
            Cell::from(Line::from(format::micros(summary.duration_us)).right_aligned()),
            Cell::from(Line::from(summary.span_count.to_string()).right_aligned()),
            Cell::from(mark),
            Cell::from(format!(
                "{} {}",
                summary.root_service, summary.root_operation
            )),
            Cell::from(Line::styled(format::age_secs(age), theme.text_muted).right_aligned()),
        ];
        if wide {
            cells.push(Cell::from(Span::styled(
                summary.trace_id.clone(),
                theme.text_muted,
            )));
        }
        Row::new(cells).style(theme.text)
    });
}

fn render_waterfall(frame: &mut Frame, area: Rect, debug: &DebugState, theme: &Theme) {
    let focused = debug.focus == DebugFocus::Waterfall;
    let id = debug.trace_id.as_deref().unwrap_or_default();
    let (heading, message) = match &debug.trace {
        Load::Idle => (
            title("Waterfall"),
            Line::styled(
                "open a trace from the list to see its spans",
                theme.text_muted,
            ),
        ),
        Load::Loading => (
            title(format!("Trace {id}")),
            Line::styled("loading trace…", theme.text_muted),
        ),
        Load::Failed(error) => (
            title(format!("Trace {id}")),
            Line::styled(format!("failed: {error}"), theme.sev_critical),
        ),
        Load::Ready(trace) => {
            let s = &trace.summary;
            let heading = title(format!(
                "Trace {} · {} {} · {} · {} spans",
                s.trace_id,
                s.root_service,
                s.root_operation,
                format::micros(s.duration_us),
                trace.spans.len()
            ));
            let block = panel(heading, focused, theme);
            let rows = crate::ui::waterfall_rows(trace);
            let inner = block.inner(area);
            let block = if rows.len() + 1 > usize::from(inner.height) && !rows.is_empty() {
                let position = format!(
                    " {}/{} ",
                    debug.selected_span.min(rows.len() - 1) + 1,
                    rows.len()
                );
                block.title_bottom(Line::styled(position, theme.text_muted).right_aligned())
            } else {
                block
            };
            frame.render_widget(block, area);
            waterfall::render(frame, inner, trace, &rows, debug.selected_span, theme);
            return;
        }
    };
    frame.render_widget(
        Paragraph::new(message).block(panel(heading, focused, theme)),
        area,
    );
}
