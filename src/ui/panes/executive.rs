//! The executive pane: open incidents, firing counts, SLO counts and MTTA/MTTR (from the
//! sources' incident history, with the window, how many were counted and the history's age)
//! on top, then one row per SLO, most at risk first, with budget gauge, burn rate, time to
//! exhaustion and trend.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::slo::{Exhaustion, Severity, Window};
use crate::sources::Feed;
use crate::state::{Freshness, Measure, ResponseTimes, SloRow, State};
use crate::ui::layout::WIDE;
use crate::ui::widgets::table::{ScrolledTable, TableRow};
use crate::ui::widgets::{PANEL_FRAME_ROWS, fit, gauge, panel, spark};
use crate::ui::{format, freshness, text};

/// Draws the pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let header_rows = 3 + PANEL_FRAME_ROWS;
    let [header, table] =
        Layout::vertical([Constraint::Length(header_rows), Constraint::Min(0)]).areas(area);
    render_header(frame, header, state, theme);
    render_table(frame, table, state, theme);
}

/// The style for a severity badge or a number that drives it.
pub fn severity_style(severity: Option<Severity>, theme: &Theme) -> Style {
    match severity {
        Some(Severity::Page) => theme.sev_critical,
        Some(Severity::Ticket) => theme.sev_warning,
        None => theme.text,
    }
}

/// The badge text of a severity.
pub fn severity_badge(severity: Severity) -> &'static str {
    match severity {
        Severity::Page => "PAGE",
        Severity::Ticket => "TICKET",
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "High 2 (1 unacked)"; in the stale role when `fresh` says the count is not current.
fn count_span(
    label: &str,
    count: usize,
    triggered: usize,
    fresh: Freshness,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let style = if triggered > 0 {
        theme.sev_critical
    } else {
        theme.text
    };
    let style = freshness::style(fresh, style, theme);
    let mut spans = vec![
        Span::styled(format!("{label} "), theme.text_muted),
        Span::styled(count.to_string(), style),
    ];
    if triggered > 0 {
        spans.push(Span::styled(format!(" ({triggered} unacked)"), style));
    }
    spans
}

fn render_header(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    // The counts sum whole feeds: each is as current as the least current source it sums.
    let pages_fresh = state.feed_freshness(Feed::Incidents);
    let slos_fresh = state.feed_freshness(Feed::Metrics);
    let slos_style = |n: usize, style: Style| {
        let style = if n > 0 { style } else { theme.text };
        freshness::style(slos_fresh, style, theme)
    };
    let counts = state.open_counts();
    let (pages, tickets) = state.firing_counts();
    let mut first = vec![Span::styled("Open  ", theme.title)];
    first.extend(count_span(
        "High",
        counts.high,
        counts.high_triggered,
        pages_fresh,
        theme,
    ));
    first.push(Span::raw("  "));
    first.extend(count_span(
        "Low",
        counts.low,
        counts.low_triggered,
        pages_fresh,
        theme,
    ));
    first.extend([
        Span::styled("    Firing  ", theme.title),
        Span::styled(plural(pages, "page"), slos_style(pages, theme.sev_critical)),
        Span::styled(format!(" {} ", theme.symbols.separator), theme.text_muted),
        Span::styled(
            plural(tickets, "ticket"),
            slos_style(tickets, theme.sev_warning),
        ),
    ]);
    let budgets = state.slos.iter().map(|r| r.report.budget_remaining);
    let no_data = budgets.clone().filter(Option::is_none).count();
    let exhausted = budgets.filter(|b| b.is_some_and(|b| b <= 0.0)).count();
    let second = Line::from(vec![
        Span::styled("SLOs ", theme.title),
        Span::styled(state.slos.len().to_string(), slos_style(0, theme.text)),
        Span::styled(
            format!(" {} exhausted ", theme.symbols.separator),
            theme.text_muted,
        ),
        Span::styled(
            exhausted.to_string(),
            slos_style(exhausted, theme.budget_exhausted),
        ),
        Span::styled(
            format!(" {} no data ", theme.symbols.separator),
            theme.text_muted,
        ),
        Span::styled(no_data.to_string(), slos_style(0, theme.text)),
    ]);
    let third = response_line(&state.response_times(), theme);
    let block = panel(overview_title(state, theme), false, theme);
    let text = text::paragraph(vec![Line::from(first), second, third]).block(block);
    frame.render_widget(text, area);
}

/// "Overview", then what the counts cannot vouch for: "· SLOs: prom failed, data 3m old ·
/// pages: pd loading".
fn overview_title(state: &State, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" Overview ")];
    for (label, feed) in [("SLOs", Feed::Metrics), ("pages", Feed::Incidents)] {
        if let Some(note) = freshness::note(state, feed) {
            spans.push(Span::styled(format!("· {label}: {note} "), theme.stale));
        }
    }
    Line::from(spans)
}

/// "MTTA 8m48s (n=20)  MTTR 1h42m (n=18)   30d · 22 opened · history 3m old", or "—" with
/// the reason; in the stale role when the history is old or its last read failed, and with
/// the first thing the numbers leave out.
pub fn response_line(times: &ResponseTimes, theme: &Theme) -> Line<'static> {
    let value_style = if times.stale { theme.stale } else { theme.text };
    let mut spans = Vec::new();
    let both_missing_alike = matches!(
        (&times.mtta, &times.mttr),
        (Measure::Missing(a), Measure::Missing(b)) if a == b
    );
    for (label, measure) in [("MTTA ", &times.mtta), ("  MTTR ", &times.mttr)] {
        spans.push(Span::styled(label, theme.text_muted));
        match measure {
            Measure::Mean { value, counted } => {
                spans.push(Span::styled(format::duration(Some(*value)), value_style));
                spans.push(Span::styled(format!(" (n={counted})"), theme.text_muted));
            }
            Measure::Missing(why) => {
                spans.push(Span::styled(format::NO_DATA, theme.text_muted));
                if !both_missing_alike {
                    spans.push(Span::styled(format!(" ({why})"), theme.text_muted));
                }
            }
        }
    }
    if both_missing_alike && let Measure::Missing(why) = &times.mtta {
        spans.push(Span::styled(format!("  ({why})"), theme.text_muted));
    }
    if let Some(age) = times.age_secs {
        let stale = if times.stale {
            theme.stale
        } else {
            theme.text_muted
        };
        spans.push(Span::styled(
            format!(
                "   {}d {} {} opened {} ",
                times.window_days, theme.symbols.separator, times.opened, theme.symbols.separator
            ),
            theme.text_muted,
        ));
        spans.push(Span::styled(
            format!("history {} old", format::age_secs(age)),
            stale,
        ));
    }
    if let Some(first) = times.notes.first() {
        let more = match times.notes.len() {
            1 => String::new(),
            n => format!(" (+{} more)", n - 1),
        };
        spans.push(Span::styled(
            format!("   {} {first}{more}", theme.symbols.warning),
            theme.sev_warning,
        ));
    }
    Line::from(spans)
}

/// Which optional columns fit. They appear as the terminal widens, most useful first, so a
/// 100- or 120-column terminal shows more numbers rather than a wider name column.
struct Columns {
    service: usize,
    bar: usize,
    objective: bool,
    sli: bool,
    short_burn: bool,
    kind: bool,
    trend: usize,
    /// How old each row's numbers are, shown while some row's numbers are not current.
    age: bool,
}

/// Width from which the SLI and the 5m burn rate are shown.
const SLI_FROM: u16 = 100;
/// Width from which the trend sparkline is shown.
const TREND_FROM: u16 = 118;

/// How many trend samples the executive pane shows at a terminal `width` (0 when the trend
/// column is hidden). Metrics sources size their trend queries from it, so the step follows the
/// pane and no point is fetched that cannot be drawn.
pub fn trend_points(width: u16) -> usize {
    columns(width, false).trend
}

/// The columns at `width`; `old` when some rows' numbers are not current and need their age.
fn columns(width: u16, old: bool) -> Columns {
    let wide = width >= WIDE;
    Columns {
        service: if wide { 18 } else { 14 },
        bar: if wide { 14 } else { 8 },
        // On a narrow terminal the age takes the objective's place: the objective does not
        // change while a source is down, and the names keep their room.
        objective: !old || width >= SLI_FROM,
        sli: width >= SLI_FROM,
        short_burn: width >= SLI_FROM,
        kind: wide,
        trend: match width {
            w if w >= WIDE => usize::from(w / 6),
            w if w >= TREND_FROM => 16,
            _ => 0,
        },
        age: old,
    }
}

/// Column titles and widths; at 80 columns the SLI, kind, 5m burn and trend are left out.
fn layout(cols: &Columns) -> (Vec<&'static str>, Vec<Constraint>) {
    let len = |n: usize| Constraint::Length(u16::try_from(n).unwrap_or(u16::MAX));
    let mut columns = vec![("SERVICE", len(cols.service)), ("SLO", Constraint::Fill(1))];
    if cols.objective {
        columns.push(("OBJ", len(7)));
    }
    if cols.kind {
        columns.push(("KIND", len(8)));
    }
    if cols.sli {
        columns.push(("SLI", len(8)));
    }
    columns.extend([("BUDGET", len((cols.bar + 5).max(15))), ("BURN 1h", len(7))]);
    if cols.short_burn {
        columns.push(("BURN 5m", len(7)));
    }
    columns.extend([("EXHAUSTS", len(9)), ("ALERT", len(6))]);
    if cols.age {
        columns.push(("AS OF", len(freshness::AGE_WIDTH)));
    }
    if cols.trend > 0 {
        columns.push(("TREND 1h", len(cols.trend)));
    }
    columns.into_iter().unzip()
}

fn render_table(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    // The age column only when some row is old: a source that failed before it measured
    // anything has no rows to date, only the title's note.
    let old_sources: Vec<&str> = state
        .not_current(Feed::Metrics)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let old = !old_sources.is_empty()
        && state
            .slos
            .iter()
            .any(|row| old_sources.contains(&row.source.as_str()));
    let cols = columns(area.width, old);
    let (headers, widths) = layout(&cols);
    let count = format!("SLOs ({})", state.slos.len());
    let table = ScrolledTable {
        block: panel(
            freshness::title(count, state, Feed::Metrics, theme),
            true,
            theme,
        ),
        header: TableRow::new(headers),
        widths,
        len: state.slos.len(),
        selected: Some(state.selected_slo_index()),
        empty: freshness::empty(
            "no SLOs yet: waiting for a metrics source",
            theme.text_muted,
            state,
            Feed::Metrics,
            theme,
        ),
    };
    table.render(frame, area, theme, |i| {
        let row = &state.slos[i];
        slo_row(row, state.freshness_of(row), &cols, theme)
    });
}

fn right(text: String, style: Style) -> Line<'static> {
    Line::styled(text, style).right_aligned()
}

/// The SLO's name, with a marker when a query for it failed: its numbers are then partly
/// "no data", and the responder must not read that as "no errors".
fn name_cell<'a>(row: &'a SloRow, theme: &Theme) -> Line<'a> {
    let name = Span::raw(row.report.spec.name.as_str());
    if row.issues.is_empty() {
        return Line::from(name);
    }
    Line::from(vec![
        name,
        Span::styled(
            format!(" {} query error", theme.symbols.separator),
            theme.source_failed,
        ),
    ])
}

/// The ALERT cell: the worst firing tier's badge, else `ERR` when a query failed (the name's
/// marker may be cut off on a narrow terminal; this column never is).
fn alert_cell(row: &SloRow, severity: Option<Severity>, theme: &Theme) -> Line<'static> {
    match severity {
        Some(severity) => Line::from(Span::styled(
            severity_badge(severity),
            severity_style(Some(severity), theme),
        )),
        None if !row.issues.is_empty() => Line::from(Span::styled("ERR", theme.source_failed)),
        None => Line::from(""),
    }
}

/// One SLO's row. Numbers that are not current are drawn whole in the stale role, a firing
/// badge included, with their age in the AS OF column.
fn slo_row<'a>(row: &'a SloRow, fresh: Freshness, cols: &Columns, theme: &Theme) -> TableRow<'a> {
    let report = &row.report;
    let severity = report.worst_firing().map(|t| t.spec.severity);
    let mut cells = vec![
        Line::from(fit(&report.spec.service, cols.service)),
        name_cell(row, theme),
    ];
    if cols.objective {
        cells.push(Line::from(Span::styled(
            format::objective(report.spec.objective),
            theme.text_muted,
        )));
    }
    if cols.kind {
        cells.push(Line::from(Span::styled(
            report.spec.sli.short_label(),
            theme.text_muted,
        )));
    }
    if cols.sli {
        cells.push(Line::from(format::percent(report.sli, 3)));
    }
    cells.push(gauge::budget(report.budget_remaining, cols.bar, theme));
    let burn = format::burn_rate(report.current_burn());
    cells.push(right(burn, severity_style(severity, theme)));
    if cols.short_burn {
        let short = report
            .burn_rates
            .get(&Window::minutes(5))
            .copied()
            .flatten();
        cells.push(right(format::burn_rate(short), theme.text));
    }
    let exhaustion_style = match report.exhaustion {
        Exhaustion::Exhausted => theme.budget_exhausted,
        Exhaustion::NoData => theme.text_muted,
        _ => theme.text,
    };
    cells.push(right(
        format::exhaustion(report.exhaustion),
        exhaustion_style,
    ));
    cells.push(alert_cell(row, severity, theme));
    if cols.age {
        let age = freshness::age(fresh).unwrap_or_default();
        cells.push(right(age, theme.stale));
    }
    if cols.trend > 0 {
        // Scale against the SLO's first page threshold: bar height reads as closeness to paging.
        let page_factor = report.alerts.first().map_or(1.0, |tier| tier.factor);
        cells.push(Line::from(spark::spark_span_with(
            &row.trend,
            cols.trend,
            spark::Scale::UpTo(page_factor),
            theme.chart,
            theme.symbols,
        )));
    }
    let over = (!fresh.is_current()).then_some(theme.stale);
    TableRow::new(cells).style(theme.text).over(over)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn times(mtta: Measure, mttr: Measure, stale: bool) -> ResponseTimes {
        ResponseTimes {
            window_days: 30,
            mtta,
            mttr,
            opened: 7,
            age_secs: Some(1200),
            stale,
            notes: vec![
                "pd: MTTA leaves out 3 resolved incidents".into(),
                "x".into(),
            ],
        }
    }

    #[test]
    fn response_times_say_what_they_count_how_old_and_what_they_leave_out() {
        let theme = Theme::dark();
        let mean = |m: i64, n: usize| Measure::Mean {
            value: chrono::Duration::minutes(m),
            counted: n,
        };
        let line = response_line(&times(mean(5, 4), mean(90, 3), false), &theme);
        assert_eq!(
            text(&line),
            "MTTA 5m00s (n=4)  MTTR 1h30m (n=3)   30d · 7 opened · history 20m old   \
             ⚠ pd: MTTA leaves out 3 resolved incidents (+1 more)"
        );
        let stale = response_line(&times(mean(5, 4), mean(90, 3), true), &theme);
        let value = stale.spans.iter().find(|s| s.content == "5m00s").unwrap();
        assert_eq!(value.style, theme.stale, "an old history is drawn stale");
    }

    #[test]
    fn a_missing_mean_is_a_dash_with_its_reason_said_once() {
        let theme = Theme::dark();
        let why = || Measure::Missing("history loading".into());
        let mut loading = times(why(), why(), false);
        loading.age_secs = None;
        loading.notes.clear();
        assert_eq!(
            text(&response_line(&loading, &theme)),
            "MTTA —  MTTR —  (history loading)"
        );
        let no_acks = Measure::Missing("no source counted records acknowledgements".into());
        let mut mixed = times(
            no_acks,
            Measure::Mean {
                value: chrono::Duration::minutes(20),
                counted: 2,
            },
            false,
        );
        mixed.notes.clear();
        assert!(
            text(&response_line(&mixed, &theme)).starts_with(
                "MTTA — (no source counted records acknowledgements)  MTTR 20m00s (n=2)"
            ),
            "{}",
            text(&response_line(&mixed, &theme))
        );
    }

    #[test]
    fn trend_points_follow_the_trend_column() {
        assert_eq!(trend_points(80), 0, "no trend column at 80 columns");
        assert_eq!(trend_points(120), 16);
        assert_eq!(trend_points(160), 26);
    }
}
