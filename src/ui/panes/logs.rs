//! The logs panel of the debug pane: the lines of a service or a trace, trouble first and
//! newest first, the level in its theme role, long lines cut (Enter shows one whole); a title
//! saying what is shown, over which window, and how current each log source is; the `/`
//! filter; and what the sources admitted to (a cap reached, shards missing, why nothing came).
//! Every line is outside text, drawn inert.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::inert;
use crate::model::{LogLevel, LogLine, LogTarget};
use crate::state::{DebugFocus, Freshness, LogFeed, LogWindow, State};
use crate::ui::layout::visible_rows;
use crate::ui::text;
use crate::ui::widgets::line::put_line;
use crate::ui::widgets::{fit, panel, position_title};
use crate::ui::{format, freshness};

/// The theme role a level is drawn in.
pub fn level_style(level: LogLevel, theme: &Theme) -> Style {
    match level {
        LogLevel::Critical | LogLevel::Error => theme.sev_critical,
        LogLevel::Warn => theme.sev_warning,
        LogLevel::Info | LogLevel::Unknown => theme.text,
        LogLevel::Debug => theme.text_muted,
    }
}

/// How current a log source's lines are: current once it answered, unless the panel
/// follows and the source is late by three refreshes, or its last answer was a failure.
pub fn feed_freshness(feed: &LogFeed, following: bool, now: DateTime<Utc>) -> Freshness {
    let age = feed.answered_at.map(|at| (now - at).num_seconds().max(0));
    match (age, &feed.failure) {
        (None, failure) => Freshness::Missing {
            failed: failure.is_some(),
        },
        (Some(age_secs), Some(_)) => Freshness::Old {
            age_secs,
            failed: true,
        },
        (Some(age_secs), None) => {
            let late = i64::try_from(feed.refresh.as_secs().saturating_mul(3)).unwrap_or(i64::MAX);
            if following && age_secs > late.max(10) {
                Freshness::Old {
                    age_secs,
                    failed: false,
                }
            } else {
                Freshness::Current
            }
        }
    }
}

/// One source in the title: "demo 03:12:05", "loki asking…", "es failed: …".
fn feed_span(feed: &LogFeed, following: bool, now: DateTime<Utc>, theme: &Theme) -> Span<'static> {
    let fresh = feed_freshness(feed, following, now);
    match (fresh, &feed.failure) {
        (Freshness::Missing { failed: false }, _) => {
            Span::styled(format!("{} asking…", feed.name), theme.text_muted)
        }
        (Freshness::Missing { failed: true }, Some((error, _))) => Span::styled(
            format!("{} failed: {}", feed.name, inert::line(error)),
            theme.sev_critical,
        ),
        (Freshness::Current, _) => {
            let at = feed.answered_at.map(|t| t.format("%H:%M:%S").to_string());
            Span::styled(
                format!("{} {}", feed.name, at.unwrap_or_default()),
                theme.text_muted,
            )
        }
        (other, failure) => {
            let why = failure
                .as_ref()
                .map(|(e, _)| format!(": {}", inert::line(e)))
                .unwrap_or_default();
            Span::styled(
                format!("{}{why}", freshness::describe(&feed.name, other)),
                theme.stale,
            )
        }
    }
}

/// What the panel shows, as its title says it: the whole target when wide, a trace id cut
/// to its first 12 digits when narrow (Enter and `y` give it whole).
fn target_words(target: Option<&LogTarget>, wide: bool) -> String {
    let cut = |id: &str| {
        if wide { id.to_string() } else { fit(id, 13) }
    };
    let words = match target {
        None => String::new(),
        Some(LogTarget::Service(service)) => service.clone(),
        Some(LogTarget::Trace(id)) => format!("trace {}", cut(id)),
        Some(LogTarget::ServiceTrace { service, trace_id }) => {
            format!("{service}, trace {}", cut(trace_id))
        }
    };
    inert::line(&words).into_owned()
}

fn heading(state: &State, shown: usize, wide: bool, theme: &Theme) -> Line<'static> {
    let logs = &state.logs;
    let what = target_words(logs.target.as_ref(), wide);
    let window = match logs.window {
        LogWindow::Since(at) => format!("since {}", at.format("%H:%M")),
        LogWindow::Range => format!("last {}", state.debug.range.window()),
    };
    // What opened the panel is said when there is room (the trace list says it too).
    let label = if !wide || logs.label.is_empty() || logs.label == what {
        String::new()
    } else {
        format!(" for {}", inert::line(&logs.label))
    };
    let trouble = logs.lines.iter().filter(|l| l.level.is_trouble()).count();
    let count = match (shown == logs.lines.len(), wide) {
        (true, true) => format!("{shown} lines, {trouble} errors/warnings"),
        (true, false) => format!("{shown} lines, {trouble} err"),
        (false, _) => format!("{shown} of {} lines", logs.lines.len()),
    };
    let mut spans = vec![
        Span::raw(format!(" Logs · {what} ")),
        Span::styled(format!("· {window}{label} · {count}"), theme.text_muted),
    ];
    if logs.follow {
        spans.push(Span::styled(" · following", theme.key));
    }
    // Narrow, a source is named only when its lines are not current (asking, failed, late).
    for feed in &logs.feeds {
        let current = feed_freshness(feed, logs.follow, state.now).is_current();
        if wide || !current {
            spans.push(Span::raw(" · "));
            spans.push(feed_span(feed, logs.follow, state.now, theme));
        }
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// What the sources admitted to, one line each: hints for an empty answer, then warnings.
fn notes(state: &State) -> Vec<String> {
    let mut out = Vec::new();
    for feed in &state.logs.feeds {
        if let Some(hint) = &feed.hint {
            out.push(format!("{}: {hint}", feed.name));
        }
        for warning in &feed.warnings {
            out.push(format!("{}: {warning}", feed.name));
        }
        if feed.dropped > 0 {
            out.push(format!(
                "{}: {} older lines let go (the panel keeps {} lines of it)",
                feed.name, feed.dropped, feed.max_lines
            ));
        }
    }
    out
}

fn empty_line(state: &State, theme: &Theme) -> Line<'static> {
    let logs = &state.logs;
    if logs
        .feeds
        .iter()
        .any(|f| f.in_flight > 0 && f.answered_at.is_none())
    {
        return Line::styled("asking the log sources…", theme.text_muted);
    }
    if let Some(error) = logs.feeds.iter().find_map(|f| f.failure.as_ref()) {
        return Line::styled(
            format!("no lines: {}", inert::line(&error.0)),
            theme.sev_critical,
        );
    }
    if !logs.filter.text.is_empty() {
        return Line::styled("no line contains the filter's text", theme.text_muted);
    }
    Line::styled("no lines in this window", theme.text_muted)
}

fn cells(
    line: &LogLine,
    trace_column: bool,
    wide: bool,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let time = if wide {
        line.at.format("%m-%d %H:%M:%S%.3f").to_string()
    } else {
        line.at.format("%H:%M:%S").to_string()
    };
    let mut out = vec![
        Line::styled(time, theme.text_muted),
        Line::styled(line.level.tag(), level_style(line.level, theme)),
        Line::styled(if line.trace_id.is_some() { "t" } else { " " }, theme.key),
    ];
    if trace_column {
        let service = line
            .labels
            .iter()
            .find(|(k, _)| k == "service" || k == "service.name" || k == "_SYSTEMD_UNIT")
            .map(|(_, v)| inert::line(v).into_owned())
            .unwrap_or_default();
        out.push(Line::styled(service, theme.text_muted));
    }
    let text_style = if line.level == LogLevel::Debug {
        theme.text_muted
    } else {
        theme.text
    };
    out.push(Line::styled(
        fit(&inert::line(&line.message), width),
        text_style,
    ));
    out
}

/// Draws the panel into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, wide: bool, theme: &Theme) {
    let logs = &state.logs;
    let shown = logs.shown();
    let focused = state.debug.focus == DebugFocus::Logs;
    let mut block = panel(heading(state, shown.len(), wide, theme), focused, theme);
    let inner = block.inner(area);
    let notes = notes(state);
    let filtering = logs.filter.editing || !logs.filter.text.is_empty();
    let note_rows = u16::try_from(notes.len().min(2)).unwrap_or(2);
    let [filter_row, table, notes_area] = Layout::vertical([
        Constraint::Length(u16::from(filtering)),
        Constraint::Min(1),
        Constraint::Length(note_rows.min(inner.height.saturating_sub(2))),
    ])
    .areas(inner);
    let rows = usize::from(table.height.saturating_sub(1));
    if shown.len() > rows && rows > 0 {
        block = block.title_top(position_title(logs.selected, shown.len(), theme));
    }
    frame.render_widget(block, area);
    if filtering {
        let cursor = if logs.filter.editing { "█" } else { "" };
        let sent = if logs.filter.sent.is_some() {
            " (asked of the sources)"
        } else if logs.filter.editing {
            " (enter: ask the sources too, esc: drop)"
        } else {
            ""
        };
        let line = Line::from(vec![
            Span::styled("/", theme.key),
            Span::styled(
                format!("{}{cursor}", inert::line(&logs.filter.text)),
                theme.text,
            ),
            Span::styled(sent, theme.text_muted),
        ]);
        frame.render_widget(text::paragraph(line), filter_row);
    }
    for (row, note) in notes
        .iter()
        .take(usize::from(notes_area.height))
        .enumerate()
    {
        let y = notes_area.y + u16::try_from(row).unwrap_or(0);
        let note = fit(note, usize::from(notes_area.width));
        let line = Line::styled(
            format!("{} {note}", theme.symbols.warning),
            theme.sev_warning,
        );
        put_line(
            frame.buffer_mut(),
            Rect {
                y,
                height: 1,
                ..notes_area
            },
            &line,
        );
    }
    if shown.is_empty() {
        frame.render_widget(text::paragraph(empty_line(state, theme)), table);
        return;
    }
    let trace_column = matches!(logs.target, Some(LogTarget::Trace(_)));
    let mut widths = vec![
        Constraint::Length(if wide { 18 } else { 8 }),
        Constraint::Length(5),
        Constraint::Length(1),
    ];
    let mut header = vec!["TIME", "LEVEL", ""];
    if trace_column {
        widths.push(Constraint::Length(14));
        header.push("SERVICE");
    }
    widths.push(Constraint::Fill(1));
    header.push("MESSAGE");
    let columns = Layout::horizontal(widths)
        .spacing(1)
        .split(Rect { height: 1, ..table });
    let message_width = columns.last().map_or(0, |c| usize::from(c.width));
    let buf = frame.buffer_mut();
    for (title, column) in header.iter().zip(columns.iter()) {
        put_line(
            buf,
            Rect {
                y: table.y,
                ..*column
            },
            &Line::styled(*title, theme.text_muted),
        );
    }
    let range = visible_rows(shown.len(), logs.selected, rows);
    for (y, index) in (table.y + 1..table.bottom()).zip(range) {
        let line = shown[index];
        if index == logs.selected.min(shown.len() - 1) && focused {
            buf.set_style(
                Rect {
                    y,
                    height: 1,
                    ..table
                },
                theme.selection,
            );
        }
        let row = cells(line, trace_column, wide, message_width, theme);
        for (cell, column) in row.iter().zip(columns.iter()) {
            put_line(buf, Rect { y, ..*column }, cell);
        }
    }
}

/// How old a line is, for the detail: "12s ago".
pub fn age(line: &LogLine, now: DateTime<Utc>) -> String {
    format!("{} ago", format::age_secs((now - line.at).num_seconds()))
}
