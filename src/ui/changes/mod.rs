//! Drawing changes: the sentences and cells (`words`), the markers on the debug pane's time
//! axis (`axis`), and the debug pane's changes list ([`render_list`]).

pub mod axis;
pub mod words;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::inert;
use crate::sources::Feed;
use crate::state::{DebugFocus, State};
use crate::ui::widgets::panel;
use crate::ui::widgets::table::{ScrolledTable, TableRow};
use crate::ui::{format, freshness};

/// The instant the newest sample of the debug pane's trends is for: the polled hour's
/// metrics instant, or when the longer range was asked for.
pub fn trend_end(state: &State, service: &str) -> Option<DateTime<Utc>> {
    let debug = &state.debug;
    let longer = !debug.range.is_polled() && debug.trends.ready().is_some();
    if longer {
        debug.trends_at
    } else {
        state.services.get(service).map(|t| t.at)
    }
}

/// The axis line under the debug pane's sparklines: `label_width` columns of label, then the
/// marks of the changes to `service` and what it calls, for a sparkline of `len` samples
/// `step_seconds` apart drawn `width` wide. `None` when no change source is configured.
pub fn axis_line(
    state: &State,
    service: &str,
    (step_seconds, len): (u64, usize),
    (label_width, width): (usize, usize),
    theme: &Theme,
) -> Option<Vec<Span<'static>>> {
    if !state.has_change_sources() {
        return None;
    }
    let changes = crate::update::listed_changes(state);
    let end = trend_end(state, service)?;
    let marks = axis::marks(&changes, service, end, step_seconds, len, width);
    let dim = !state.feed_freshness(Feed::Changes).is_current();
    // "changes ‹2": two changes of the series are left of what this width draws.
    let label = match marks.earlier {
        0 => "changes".to_string(),
        n => format!("changes ‹{n}"),
    };
    let mut spans = vec![Span::styled(
        format!("{label:<label_width$} "),
        theme.text_muted,
    )];
    spans.extend(axis::spans(&marks.columns, dim, theme));
    Some(spans)
}

/// The debug pane's changes list for its service, focused with `h`/`l`.
pub fn render_list(frame: &mut Frame, area: Rect, state: &State, wide: bool, theme: &Theme) {
    let service = state.debug.service.as_deref().unwrap_or_default();
    let changes = crate::update::listed_changes(state);
    let heading = freshness::title(
        format!("Changes · {} and what it calls", inert::line(service)),
        state,
        Feed::Changes,
        theme,
    );
    let focused = state.debug.focus == DebugFocus::Changes;
    let mut headers = vec!["", "WHEN", "SERVICE", "KIND", "WHAT"];
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(6),
        Constraint::Length(11),
        Constraint::Length(8),
        Constraint::Fill(1),
    ];
    if wide {
        headers.push("BY");
        widths.push(Constraint::Length(11));
    }
    let empty = if state.has_change_sources() {
        freshness::empty(
            "no changes to it or what it calls in the last 24h",
            theme.text_muted,
            state,
            Feed::Changes,
            theme,
        )
    } else {
        Line::styled(
            "no change source is configured (add change queries, change events or a github, \
             argocd, grafana or command [[source]])",
            theme.text_muted,
        )
    };
    let table = ScrolledTable {
        block: panel(heading, focused, theme),
        header: TableRow::new(headers),
        widths,
        len: changes.len(),
        selected: focused.then_some(state.changes.selected.min(changes.len().saturating_sub(1))),
        empty,
    };
    table.render(frame, area, theme, |i| {
        let change = changes[i];
        let fresh = state.freshness_of(change);
        // The service's own changes in the text colour, those of what it calls muted (as on
        // the axis), a whole row in one colour: every colour change costs bytes on the wire
        // (issue 7's redraw budget).
        let own = change.service == service;
        let normal = if own { theme.text } else { theme.text_muted };
        let style = words::style(change, fresh, normal, theme);
        // The first column already carries the kind's glyph (↶ for a rollback), and
        // "rollback" fills the column exactly: a second mark would cut the word.
        let mut cells = vec![
            Line::from(axis::glyph(change.kind)),
            Line::from(format::age_secs((state.now - change.at).num_seconds())).right_aligned(),
            Line::from(inert::line(&change.service).into_owned()),
            Line::styled(change.kind.as_str(), style),
            Line::styled(inert::line(&change.what()).into_owned(), style),
        ];
        if wide {
            cells.push(Line::styled(
                inert::line(change.author.as_deref().unwrap_or(&change.source)).into_owned(),
                theme.text_muted,
            ));
        }
        let old = !fresh.is_current();
        TableRow::new(cells)
            .style(normal)
            .over(old.then_some(theme.stale))
    });
}
