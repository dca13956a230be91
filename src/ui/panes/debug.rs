//! The debug pane: one service's latency and error trends over a chosen range, its callers
//! and callees (wide screens), its slow, failing and exemplar traces, and the span waterfall
//! of the trace opened from that list (or by `:trace <id>`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::model::ServiceMetrics;
use crate::state::{DebugFocus, DebugState, Freshness, Listed, ListedKind, Load, State};
use crate::ui::layout::WIDE;
use crate::ui::widgets::table::{ScrolledTable, TableRow};
use crate::ui::widgets::{
    PANEL_FRAME_ROWS, dependencies, panel, position_title, spark, title, waterfall,
};
use crate::ui::{format, freshness, text};

/// Width of the dependencies panel beside the trends on wide screens.
const DEPENDENCIES_WIDTH: u16 = 56;

/// Draws the pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let service = state.debug.service.as_deref();
    if service.is_none() && matches!(state.debug.trace, Load::Idle) {
        let block = panel(title("Debug"), true, theme);
        let hint = Line::styled(
            "select an SLO and press Enter (or t), or type :trace <id>",
            theme.text_muted,
        )
        .centered();
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let middle = Rect {
            y: inner.y + inner.height / 2,
            height: inner.height.min(1),
            ..inner
        };
        frame.render_widget(text::paragraph(hint), middle);
        return;
    }
    let wide = area.width >= WIDE;
    // Trends: four series a line each when wide, two a line otherwise. Traces: a header and
    // eleven or five rows.
    let (trend_rows, trace_rows) = if wide { (4, 12) } else { (2, 6) };
    let (trend_rows, trace_rows) = (trend_rows + PANEL_FRAME_ROWS, trace_rows + PANEL_FRAME_ROWS);
    let [trends, traces, spans] = Layout::vertical([
        Constraint::Length(trend_rows),
        Constraint::Length(trace_rows),
        Constraint::Min(3),
    ])
    .areas(area);
    if let Some(service) = service {
        let trends = if wide {
            let [trends, graph] =
                Layout::horizontal([Constraint::Fill(1), Constraint::Length(DEPENDENCIES_WIDTH)])
                    .areas(trends);
            dependencies::render(frame, graph, state, service, theme);
            trends
        } else {
            trends
        };
        render_trends(frame, trends, service, state, wide, theme);
    } else {
        let block = panel(title("Trends"), false, theme);
        let empty = Line::styled("no service in view: press t on an SLO", theme.text_muted);
        frame.render_widget(text::paragraph(empty).block(block), trends);
    }
    render_traces(frame, traces, state, wide, theme);
    render_waterfall(frame, spans, &state.debug, theme);
}

/// The trends to draw, a note on where they come from — the polled hour, or the chosen longer
/// range once it arrived (the hour meanwhile, or when it cannot be had) — and how
/// current they are: as current as the metrics source that polls the service, with a note
/// naming that source when it is not.
fn chosen_trends<'a>(
    state: &'a State,
    service: &str,
) -> (Option<&'a ServiceMetrics>, String, Option<String>) {
    let debug = &state.debug;
    let polled = state.services.get(service);
    let fresh = polled.map_or(Freshness::Current, |t| state.freshness_of(t));
    let origin = polled.map(|t| t.source.as_str()).unwrap_or_default();
    let polled = polled.map(|t| &t.metrics);
    let range = debug.range.window();
    let (metrics, span) = if debug.range.is_polled() {
        (polled, format!("last {range}"))
    } else {
        match &debug.trends {
            Load::Ready(metrics) => (Some(metrics), format!("last {range}")),
            Load::Failed(error) => (polled, format!("last 1h ({range}: {error})")),
            Load::Loading | Load::Idle => (polled, format!("last 1h (loading {range}…)")),
        }
    };
    let note = (!fresh.is_current()).then(|| freshness::describe(origin, fresh));
    (metrics, span, note)
}

fn render_trends(
    frame: &mut Frame,
    area: Rect,
    service: &str,
    state: &State,
    wide: bool,
    theme: &Theme,
) {
    let (metrics, span, note) = chosen_trends(state, service);
    let Some(m) = metrics else {
        let block = panel(title(format!("{service} · trends")), false, theme);
        let empty = Line::styled(format!("no metrics for {service} yet"), theme.text_muted);
        frame.render_widget(text::paragraph(empty).block(block), area);
        return;
    };
    let step = crate::slo::Window::seconds(m.step_seconds);
    let mut heading = title(format!("{service} · trends, {span}, one sample per {step}"));
    let (text, chart) = match note {
        None => (theme.text, theme.chart),
        Some(note) => {
            heading.push_span(Span::styled(format!("· {note} "), theme.stale));
            (theme.stale, theme.stale)
        }
    };
    let block = panel(heading, false, theme);
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
                spans.push(Span::styled(format!("{label:<label_width$} "), text));
                spans.push(spark::spark_span(
                    values,
                    spark_width,
                    spark::Scale::Band,
                    chart,
                ));
                let used = spark_width.min(values.len()) + label_width + 1;
                spans.push(Span::raw(" ".repeat(cell_width.saturating_sub(used))));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(text::paragraph(lines), inner);
}

/// Said, muted, wherever traces would be: a cockpit without a tracing source is a normal
/// setup, not a failure.
const NO_TRACING: &str =
    "no tracing source is configured (add a jaeger or tempo [[source]] to see traces)";

fn load_status<T>(
    name: &str,
    load: &Load<Vec<T>>,
    no_tracing: bool,
    theme: &Theme,
) -> Span<'static> {
    if no_tracing {
        return Span::styled(format!("{name} {}", format::NO_DATA), theme.text_muted);
    }
    match load {
        Load::Idle => Span::raw(format!("{name} —")),
        Load::Loading => Span::styled(format!("{name} searching…"), theme.text_muted),
        Load::Ready(list) => Span::raw(format!("{name} {}", list.len())),
        Load::Failed(error) => Span::styled(format!("{name} failed: {error}"), theme.sev_critical),
    }
}

fn empty_traces(debug: &DebugState, theme: &Theme) -> Line<'static> {
    if debug.no_tracing {
        return Line::styled(NO_TRACING, theme.text_muted);
    }
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

fn heading(debug: &DebugState, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" Traces")];
    if let Some(investigation) = &debug.investigation {
        spans.push(Span::styled(
            format!(
                " since {} for {}",
                investigation.since.format("%H:%M"),
                investigation.label
            ),
            theme.text_muted,
        ));
    }
    spans.push(Span::raw(" · "));
    spans.push(load_status("slow", &debug.slow, debug.no_tracing, theme));
    spans.push(Span::raw(" · "));
    spans.push(load_status(
        "errors",
        &debug.errors,
        debug.no_tracing,
        theme,
    ));
    if let Load::Ready(found) = &debug.exemplars
        && !found.is_empty()
    {
        spans.push(Span::raw(format!(" · exemplars {}", found.len())));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

fn trace_cells(
    item: &Listed<'_>,
    shown: bool,
    state: &State,
    wide: bool,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let kind = match item.kind {
        ListedKind::Slow => "slow",
        ListedKind::Error => "error",
        ListedKind::Exemplar => "exmpl",
    };
    let (duration, spans, error, what, start) = match (item.summary, item.exemplar) {
        (Some(s), _) => (
            format::micros(s.duration_us),
            s.span_count.to_string(),
            s.error,
            format!("{} {}", s.root_service, s.root_operation),
            s.start,
        ),
        (None, Some(e)) => {
            let bucket = e
                .series
                .get("le")
                .map_or(String::new(), |le| format!(" le={le}"));
            (
                format::latency(Some(e.value)),
                format::NO_DATA.to_string(),
                false,
                format!("exemplar of the latency histogram{bucket}"),
                e.at,
            )
        }
        (None, None) => return vec![],
    };
    let mark = if error {
        Span::styled("!", theme.span_error)
    } else {
        Span::raw(" ")
    };
    let age = (state.now - start).num_seconds();
    let mut cells = vec![
        Line::from(if shown { "▸" } else { " " }),
        Line::from(Span::styled(kind, theme.text_muted)),
        Line::from(duration).right_aligned(),
        Line::from(spans).right_aligned(),
        Line::from(mark),
        Line::from(what),
        Line::styled(format::age_secs(age), theme.text_muted).right_aligned(),
    ];
    if wide {
        cells.push(Line::from(Span::styled(
            item.trace_id.to_string(),
            theme.text_muted,
        )));
    }
    cells
}

fn render_traces(frame: &mut Frame, area: Rect, state: &State, wide: bool, theme: &Theme) {
    let debug = &state.debug;
    let listed = debug.listed();
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
        block: panel(
            heading(debug, theme),
            debug.focus == DebugFocus::Traces,
            theme,
        ),
        header: TableRow::new(headers),
        widths,
        len: listed.len(),
        selected: Some(debug.selected_trace),
        empty: empty_traces(debug, theme),
    };
    table.render(frame, area, theme, |i| {
        let item = &listed[i];
        let shown = debug.trace_id.as_deref() == Some(item.trace_id);
        TableRow::new(trace_cells(item, shown, state, wide, theme)).style(theme.text)
    });
}

fn render_waterfall(frame: &mut Frame, area: Rect, debug: &DebugState, theme: &Theme) {
    let focused = debug.focus == DebugFocus::Waterfall;
    let id = debug.trace_id.as_deref().unwrap_or_default();
    let (heading, message) = match &debug.trace {
        _ if debug.no_tracing && debug.trace.ready().is_none() => (
            title("Waterfall"),
            Line::styled(NO_TRACING, theme.text_muted),
        ),
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
        Load::Ready(_) => {
            let Some((trace, view)) = debug.waterfall_view() else {
                return;
            };
            let s = &trace.summary;
            let folded = if view.folded.is_empty() {
                String::new()
            } else {
                format!(" · {} folded", view.folded.len())
            };
            let heading = Line::from(vec![
                Span::raw(format!(
                    " Trace {} · {} {} · {} · {} spans{folded} · ",
                    s.trace_id,
                    s.root_service,
                    s.root_operation,
                    format::micros(s.duration_us),
                    trace.spans.len()
                )),
                Span::styled("┃ critical path ", theme.key),
            ]);
            let block = panel(heading, focused, theme);
            let inner = block.inner(area);
            let rows = view.len();
            let block = if rows + 1 > usize::from(inner.height) && rows > 0 {
                block.title_top(position_title(debug.selected_span, rows, theme))
            } else {
                block
            };
            frame.render_widget(block, area);
            waterfall::render(frame, inner, trace, &view, debug.selected_span, theme);
            return;
        }
    };
    frame.render_widget(
        text::paragraph(message).block(panel(heading, focused, theme)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    #[test]
    fn without_a_tracing_source_the_pane_says_so_in_muted_words_not_as_a_failure() {
        let theme = Theme::dark();
        let now = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
        let mut state = State::new(now, Vec::new());
        let refused = "rejected: no tracing source is configured".to_string();
        state.debug.no_tracing = true;
        state.debug.service = Some("checkout".into());
        state.debug.slow = Load::Failed(refused.clone());
        state.debug.errors = Load::Failed(refused.clone());
        state.debug.trace_id = Some("4bf92f35".into());
        state.debug.trace = Load::Failed(refused);
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        terminal
            .draw(|frame| render(frame, frame.area(), &state, &theme))
            .unwrap();
        let buffer = terminal.backend().buffer();
        let rows: Vec<String> = (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect()
            })
            .collect();
        let screen = rows.join("\n");
        assert!(!screen.contains("failed"), "{screen}");
        let hints: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.contains(NO_TRACING))
            .map(|(y, _)| y)
            .collect();
        assert_eq!(
            hints.len(),
            2,
            "in the trace list and the waterfall:\n{screen}"
        );
        for y in hints {
            let x = rows[y].find("no tracing").unwrap_or(0);
            let x = u16::try_from(rows[y][..x].chars().count()).unwrap();
            let cell = &buffer[(x, u16::try_from(y).unwrap())];
            assert_eq!(cell.fg, theme.text_muted.fg.unwrap(), "row {y} is muted");
        }
    }
}
