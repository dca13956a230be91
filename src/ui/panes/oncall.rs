//! The on-call pane: open incidents in on-call order, firing burn-rate tiers, and the detail
//! of the selected incident. The focused list has the focused border.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Wrap;

use crate::config::Theme;
use crate::model::{Incident, IncidentStatus, OnCall, Urgency};
use crate::sources::Feed;
use crate::state::{FiringAlert, IncidentKey, OncallFocus, PendingState, State};
use crate::ui::layout::WIDE;
use crate::ui::overlays::detail::incident_lines;
use crate::ui::panes::executive::{severity_badge, severity_style};
use crate::ui::widgets::table::{ScrolledTable, TableRow};
use crate::ui::widgets::{PANEL_FRAME_ROWS, panel, title};
use crate::ui::{format, freshness, text};

/// Rows of the detail panel below the lists: five lines and the title rule.
const DETAIL_ROWS: u16 = 5 + PANEL_FRAME_ROWS;
/// Incident panels at least this wide also show the source column.
const SOURCE_COLUMN_FROM: u16 = 90;

/// Draws the pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let firing = state.firing_alerts();
    let open = state.open_incidents();
    let (incidents, alerts, detail) = if area.width >= WIDE {
        // Incidents get the full width (titles are what responders read first); the firing
        // tiers and the selected incident's detail share the band below.
        let [incidents, bottom] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(DETAIL_ROWS + 5)]).areas(area);
        let [alerts, detail] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(bottom);
        (incidents, alerts, detail)
    } else {
        // Up to three firing tiers under a header row.
        let alert_rows =
            u16::try_from(firing.len()).unwrap_or(u16::MAX).clamp(1, 3) + 1 + PANEL_FRAME_ROWS;
        Layout::vertical([
            Constraint::Min(5),
            Constraint::Length(alert_rows),
            Constraint::Length(DETAIL_ROWS),
        ])
        .areas::<3>(area)
        .into()
    };
    let incidents = match oncall_line(state, theme) {
        Some(line) => {
            let [bar, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(incidents);
            frame.render_widget(text::paragraph(line), bar);
            rest
        }
        None => incidents,
    };
    if state.show_silences {
        super::silences::render(frame, incidents, state, theme);
    } else {
        render_incidents(frame, incidents, state, &open, theme);
    }
    render_alerts(frame, alerts, state, &firing, theme);
    let selected = open.get(state.selected_incident_index(&open)).copied();
    render_detail(frame, detail, state, selected, theme);
}

/// The status cell: a write in flight or failed wins over the backend's status.
pub fn status_span(incident: &Incident, state: &State, theme: &Theme) -> Span<'static> {
    let pending = state
        .pending
        .get(&IncidentKey::of(incident))
        // Not on disk yet: nothing to say about it.
        .filter(|p| p.state != PendingState::Recording);
    if let Some(pending) = pending {
        return match &pending.state {
            PendingState::Recording | PendingState::Sending => {
                Span::styled(format!("{}…", pending.action.progressive()), theme.sev_info)
            }
            PendingState::Queued { retry_at, .. } => {
                let wait = (*retry_at - state.now).num_seconds().max(0);
                Span::styled(
                    format!("queued · {}", format::duration_secs(wait)),
                    theme.sev_warning,
                )
            }
            PendingState::OwedElsewhere(_) => {
                Span::styled("owed elsewhere".to_string(), theme.sev_warning)
            }
            PendingState::Failed(reason) => {
                Span::styled(format!("failed: {reason}"), theme.sev_critical)
            }
        };
    }
    match incident.status {
        IncidentStatus::Triggered => Span::styled("TRIG", theme.sev_critical),
        IncidentStatus::Acknowledged => Span::styled("ACK", theme.sev_ok),
        IncidentStatus::Resolved => Span::styled("RESOLVED", theme.text_muted),
    }
}

/// "L1" and, for a triggered page the backend says will escalate, the time left: "L1 ↑4m".
/// Empty for a backend without escalation levels (Alertmanager): no invented "L1".
pub fn escalation(incident: &Incident, state: &State) -> String {
    let level = incident
        .escalation_level
        .map(|level| format!("L{level}"))
        .unwrap_or_default();
    match incident.escalates_at {
        Some(at) if incident.status == IncidentStatus::Triggered => {
            let left = (at - state.now).num_seconds().max(0);
            format!("{level} ↑{}", format::age_secs(left))
                .trim_start()
                .to_string()
        }
        _ => level,
    }
}

/// The urgency word in its severity colour.
pub fn urgency_span(urgency: Urgency, theme: &Theme) -> Span<'static> {
    let style = match urgency {
        Urgency::High => theme.sev_critical,
        Urgency::Low => theme.sev_warning,
    };
    Span::styled(urgency.as_str(), style)
}

/// "On call  platform: alice until 18:00 → bob · db: carol" for the configured schedules.
fn oncall_line(state: &State, theme: &Theme) -> Option<Line<'static>> {
    let shifts: Vec<&OnCall> = state.oncall.values().flatten().collect();
    if shifts.is_empty() {
        return None;
    }
    let mut spans = vec![Span::styled("On call ", theme.title)];
    for (n, shift) in shifts.iter().enumerate() {
        if n > 0 {
            spans.push(Span::styled(" · ", theme.text_muted));
        }
        // A roster from a source that stopped answering may have changed hands since.
        let fresh = state.freshness_of(*shift);
        let muted = freshness::style(fresh, theme.text_muted, theme);
        let text = freshness::style(fresh, theme.text, theme);
        spans.push(Span::styled(format!("{}: ", shift.schedule), muted));
        let now = shift.now.clone().unwrap_or_else(|| "nobody".into());
        spans.push(Span::styled(now, text));
        if let Some(until) = shift.now_until {
            spans.push(Span::styled(
                format!(" until {}", until.format("%H:%M")),
                muted,
            ));
        }
        if let Some(next) = &shift.next {
            spans.push(Span::styled(format!(" → {next}"), text));
        }
        if let Some(age) = freshness::age(fresh) {
            spans.push(Span::styled(format!(" (as of {age})"), theme.stale));
        }
    }
    Some(Line::from(spans))
}

fn render_incidents(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    open: &[&Incident],
    theme: &Theme,
) {
    let incident_sources = state
        .sources
        .iter()
        .filter(|s| s.feed == Feed::Incidents)
        .count();
    // Which rows are old is said by their source: keep that column while any source is not
    // current, so the stale rows can be told apart without colour.
    let some_old = !state.feed_freshness(Feed::Incidents).is_current();
    let with_source = area.width >= SOURCE_COLUMN_FROM || incident_sources > 1 || some_old;
    let mut headers = vec!["STATUS", "URG"];
    let mut widths = vec![
        Constraint::Length(if area.width >= SOURCE_COLUMN_FROM {
            16
        } else {
            11
        }),
        Constraint::Length(4),
    ];
    if with_source {
        let longest = open
            .iter()
            .map(|i| text::width(&i.source))
            .max()
            .unwrap_or(6);
        headers.push("SOURCE");
        widths.push(Constraint::Length(longest.clamp(6, 10) as u16));
    }
    // Room for "L1 ↑4m" only when some page has an escalation countdown.
    let countdown = open
        .iter()
        .any(|i| i.escalates_at.is_some() && i.status == IncidentStatus::Triggered);
    headers.extend(["SERVICE", "TITLE", "AGE", "ASSIGNEE", "ESC"]);
    widths.extend([
        Constraint::Length(12),
        Constraint::Fill(1),
        Constraint::Length(5),
        Constraint::Length(10),
        Constraint::Length(if countdown { 7 } else { 3 }),
    ]);
    let focused = state.oncall_focus == OncallFocus::Incidents;
    let count = format!("Incidents ({} open)", open.len());
    let table = ScrolledTable {
        block: panel(incidents_title(state, &count, theme), focused, theme),
        header: TableRow::new(headers),
        widths,
        len: open.len(),
        selected: Some(state.selected_incident_index(open)),
        empty: freshness::empty(
            "no open incidents",
            theme.sev_ok,
            state,
            Feed::Incidents,
            theme,
        ),
    };
    table.render(frame, area, theme, |i| {
        let incident = open[i];
        let mut cells = vec![
            Line::from(status_span(incident, state, theme)),
            Line::from(urgency_span(incident.urgency, theme)),
        ];
        if with_source {
            cells.push(Line::from(Span::styled(
                incident.source.clone(),
                theme.text_muted,
            )));
        }
        let age = (state.now - incident.created_at).num_seconds();
        cells.extend([
            Line::from(incident.service.clone()),
            Line::from(incident.title.clone()),
            Line::styled(format::age_secs(age), theme.text_muted).right_aligned(),
            Line::from(incident.assignee().unwrap_or(format::NO_DATA).to_string()),
            Line::from(escalation(incident, state)),
        ]);
        let old = !state.freshness_of(incident).is_current();
        TableRow::new(cells)
            .style(theme.text)
            .over(old.then_some(theme.stale))
    });
}

/// "Incidents (3 open)", and when an incident source's last poll was not whole (the paging
/// cap cut its list, its on-call lookup failed) the first such warning, so a list cut short
/// never passes for the whole one.
/// "Incidents (3 open)", then what its sources cannot vouch for (old data, a list cut at
/// its cap).
fn incidents_title(state: &State, count: &str, theme: &Theme) -> Line<'static> {
    let warnings: Vec<String> = state
        .sources
        .iter()
        .filter(|s| s.feed == Feed::Incidents)
        .flat_map(|s| s.warnings.iter().map(move |w| format!("{}: {w}", s.name)))
        .collect();
    let mut line = freshness::title(count, state, Feed::Incidents, theme);
    if let Some(first) = warnings.first() {
        let more = match warnings.len() {
            1 => String::new(),
            n => format!(" (+{} more)", n - 1),
        };
        line.spans.push(Span::styled(
            format!("{} {first}{more} ", theme.symbols.warning),
            theme.sev_warning,
        ));
    }
    line
}

/// "1h 20.1× & 5m 31.0× > 14.4": both windows' burn against the tier's threshold.
pub fn tier_windows(alert: &FiringAlert) -> String {
    let tier = alert.tier;
    format!(
        "{} {} & {} {} > {}",
        tier.spec.long_window,
        format::burn_rate(tier.long_burn),
        tier.spec.short_window,
        format::burn_rate(tier.short_burn),
        format::factor(tier.factor)
    )
}

fn render_alerts(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    firing: &[FiringAlert],
    theme: &Theme,
) {
    let focused = state.oncall_focus == OncallFocus::Alerts;
    let count = format!("Firing ({})", firing.len());
    let table = ScrolledTable {
        block: panel(
            freshness::title(count, state, Feed::Metrics, theme),
            focused,
            theme,
        ),
        header: TableRow::new(["SEV", "SLO", "BURN"]),
        widths: vec![
            Constraint::Length(6),
            Constraint::Fill(1),
            Constraint::Length(30),
        ],
        len: firing.len(),
        selected: focused.then_some(state.selected_alert),
        empty: freshness::empty(
            "no burn-rate tier is firing",
            theme.sev_ok,
            state,
            Feed::Metrics,
            theme,
        ),
    };
    table.render(frame, area, theme, |i| {
        let alert = &firing[i];
        let severity = alert.tier.spec.severity;
        let style: Style = severity_style(Some(severity), theme);
        TableRow::new([
            Line::from(Span::styled(severity_badge(severity), style)),
            Line::from(alert.slo.report.spec.id.clone()),
            Line::from(tier_windows(alert)),
        ])
        .style(theme.text)
        .over((!state.freshness_of(alert).is_current()).then_some(theme.stale))
    });
}

fn render_detail(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    incident: Option<&Incident>,
    theme: &Theme,
) {
    let Some(incident) = incident else {
        let block = panel(title("Detail"), false, theme);
        let empty = Line::styled("no incident selected", theme.text_muted);
        frame.render_widget(text::paragraph(empty).block(block), area);
        return;
    };
    let mut heading = title(format!("{} · {}", incident.id, incident.title));
    let fresh = state.freshness_of(incident);
    if !fresh.is_current() {
        let note = freshness::describe(&incident.source, fresh);
        heading.push_span(Span::styled(format!("· {note} "), theme.stale));
    }
    let block = panel(heading, false, theme);
    let lines = incident_lines(incident, state, theme);
    frame.render_widget(
        text::paragraph(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
