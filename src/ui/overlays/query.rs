//! The `:promql` answer over the pane: the expression, what was asked (an instant or a range),
//! every series as a table row with its newest value and a sparkline (or a bar, for an
//! instant query), and a chart of the selected series for range queries.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};

use crate::config::Theme;
use crate::model::{QueryAnswer, QuerySeries};
use crate::state::{Load, QueryView, State};
use crate::ui::layout::{centered, visible_rows};
use crate::ui::overlays::dialog;
use crate::ui::text;
use crate::ui::widgets::{fit, gauge, pad, spark};

/// A sample value short enough for a table cell: `0.0123`, `1520`, `3.2e+09`, `NaN`.
pub fn value_text(value: f64) -> String {
    if !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-3..1e7).contains(&magnitude) {
        return format!("{value:.2e}");
    }
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn asked(query: &QueryView) -> String {
    let at = query.at.format("%H:%M:%S UTC");
    match query.range {
        None => format!("instant query at {at}"),
        Some(range) => format!("range query over the {range} before {at}"),
    }
}

fn status(query: &QueryView, theme: &Theme) -> Line<'static> {
    match &query.answer {
        Load::Idle | Load::Loading => Line::styled("querying…", theme.text_muted),
        Load::Failed(error) => Line::styled(format!("failed: {error}"), theme.sev_critical),
        Load::Ready(answer) => {
            let mut spans = vec![Span::styled(
                format!("{} series", answer.series.len()),
                theme.text,
            )];
            for warning in &answer.warnings {
                spans.push(Span::styled(format!(" · {warning}"), theme.sev_warning));
            }
            Line::from(spans)
        }
    }
}

fn table_lines(
    answer: &QueryAnswer,
    query: &QueryView,
    width: usize,
    height: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let value_w = 10;
    let graph_w = (width / 4).clamp(8, 40);
    let label_w = width.saturating_sub(value_w + graph_w + 4);
    let max = answer
        .series
        .iter()
        .filter_map(QuerySeries::last)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    let mut lines = vec![Line::styled(
        format!(
            "  {} {:>value_w$} {}",
            pad("SERIES", label_w),
            "VALUE",
            if query.range.is_some() { "TREND" } else { "" }
        ),
        theme.text_muted,
    )];
    let rows = visible_rows(
        answer.series.len(),
        query.selected,
        height.saturating_sub(1),
    );
    for i in rows {
        let series = &answer.series[i];
        let last = series.last();
        let graph = if query.range.is_some() {
            let values: Vec<f64> = series.points.iter().map(|&(_, v)| v).collect();
            spark::spark_span(&values, graph_w, spark::Scale::Band, theme.chart)
        } else {
            let share = match last {
                Some(v) if v.is_finite() && max > 0.0 => v.abs() / max,
                _ => 0.0,
            };
            let eighths = (share * graph_w as f64 * 8.0).round() as usize;
            Span::styled(gauge::bar(eighths), theme.chart)
        };
        let marker = if i == query.selected { "▸ " } else { "  " };
        let line = Line::from(vec![
            Span::styled(marker, theme.key),
            Span::styled(pad(&series.label_text(), label_w), theme.text),
            Span::styled(
                format!(" {:>value_w$} ", last.map_or("—".to_string(), value_text)),
                theme.text,
            ),
            graph,
        ]);
        lines.push(if i == query.selected {
            line.style(theme.selection)
        } else {
            line
        });
    }
    lines
}

fn render_chart(frame: &mut Frame, area: Rect, series: &QuerySeries, theme: &Theme) {
    let points: Vec<(f64, f64)> = series
        .points
        .iter()
        .copied()
        .filter(|(_, v)| v.is_finite())
        .collect();
    let (Some(&(x0, _)), Some(&(x1, _))) = (points.first(), points.last()) else {
        return;
    };
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, v)| {
            (lo.min(v), hi.max(v))
        });
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, hi + 1.0)
    };
    let time = |t: f64| {
        chrono::DateTime::<chrono::Utc>::from_timestamp(t as i64, 0)
            .map_or_else(String::new, |at| at.format("%m-%d %H:%M").to_string())
    };
    let dataset = Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(theme.chart)
        .data(&points);
    let chart = Chart::new(vec![dataset])
        .x_axis(
            Axis::default()
                .style(theme.text_muted)
                .bounds([x0, x1.max(x0 + 1.0)])
                .labels([time(x0), time(x1)]),
        )
        .y_axis(
            Axis::default()
                .style(theme.text_muted)
                .bounds([lo, hi])
                .labels([value_text(lo), value_text(hi)]),
        );
    frame.render_widget(chart, area);
}

/// Draws the `:promql` answer centred over `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(query) = &state.debug.query else {
        return;
    };
    let width = area.width.saturating_sub(4).min(140);
    let height = area.height.saturating_sub(2).max(area.height * 4 / 5);
    let box_area = centered(area, width, height);
    let block = dialog(frame, box_area, "PromQL", theme);
    let inner = block.inner(box_area);
    frame.render_widget(block, box_area);
    let inner_w = usize::from(inner.width);
    let chart_rows = match (&query.answer, query.range) {
        (Load::Ready(answer), Some(_)) if !answer.series.is_empty() => inner.height / 2,
        _ => 0,
    };
    let [head, table, chart] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(0),
        Constraint::Length(chart_rows),
    ])
    .areas(inner);
    let head_lines = vec![
        Line::styled(fit(&query.expr, inner_w), theme.title),
        Line::styled(asked(query), theme.text_muted),
        status(query, theme),
    ];
    frame.render_widget(text::paragraph(head_lines), head);
    let Load::Ready(answer) = &query.answer else {
        return;
    };
    let lines = table_lines(answer, query, inner_w, usize::from(table.height), theme);
    frame.render_widget(text::paragraph(lines), table);
    if let Some(series) = answer.series.get(query.selected)
        && chart.height > 2
    {
        render_chart(frame, chart, series, theme);
    }
}

#[cfg(test)]
mod tests {
    use super::value_text;

    #[test]
    fn values_fit_a_cell() {
        assert_eq!(value_text(0.0123), "0.0123");
        assert_eq!(value_text(1520.0), "1520");
        assert_eq!(value_text(0.0), "0");
        assert_eq!(value_text(3.2e9), "3.20e9");
        assert_eq!(value_text(f64::NAN), "NaN");
    }
}
