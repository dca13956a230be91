//! Detail views: the full incident (on-call pane), the selected span (debug pane), and the
//! selected SLO's burn rates and tiers (executive pane).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Wrap;

use crate::config::Theme;
use crate::inert;
use crate::model::IncidentStatus;
use crate::model::{Incident, Span as TraceSpan};
use crate::state::{Freshness, Pane, SloRow, State};
use crate::ui::layout::centered;
use crate::ui::overlays::dialog;
use crate::ui::panes::executive::{severity_badge, severity_style};
use crate::ui::panes::oncall::{status_span, urgency_span};
use crate::ui::{format, freshness, text};

fn field(label: &str, value: impl Into<String>, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<10}"), theme.text_muted),
        Span::styled(value.into(), theme.text),
    ])
}

fn when(at: chrono::DateTime<chrono::Utc>, state: &State) -> String {
    let ago = format::age_secs((state.now - at).num_seconds());
    format!("{} ({ago} ago)", at.format("%Y-%m-%d %H:%M:%S UTC"))
}

/// An incident's facts as lines: status, times, people, labels, runbook and links.
pub fn incident_lines(incident: &Incident, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        status_span(incident, state, theme),
        Span::styled(" · ", theme.text_muted),
        urgency_span(incident.urgency, theme),
        Span::styled(
            format!(
                "{} · {} on {}",
                incident
                    .escalation_level
                    .map(|level| format!(" · L{level}"))
                    .unwrap_or_default(),
                incident.service,
                incident.source
            ),
            theme.text,
        ),
    ])];
    lines.push(field("created", when(incident.created_at, state), theme));
    if let Some(at) = incident.acknowledged_at {
        let by = incident
            .acknowledged_by
            .as_deref()
            .map(|who| format!(" by {who}"))
            .unwrap_or_default();
        lines.push(field("acked", format!("{}{by}", when(at, state)), theme));
    }
    let assignees = if incident.assignees.is_empty() {
        format::NO_DATA.to_string()
    } else {
        incident.assignees.join(", ")
    };
    lines.push(field("assignee", assignees, theme));
    if let Some(at) = incident
        .escalates_at
        .filter(|_| incident.status == IncidentStatus::Triggered)
    {
        let left = format::duration_secs((at - state.now).num_seconds());
        let text = match incident.escalation_level {
            Some(level) => format!("to L{} in {left}", level + 1),
            None => format!("in {left}"),
        };
        lines.push(field("escalates", text, theme));
    }
    if incident.suppressed {
        lines.push(field(
            "silenced",
            "silenced or inhibited: not notifying",
            theme,
        ));
    }
    if let Some(severity) = &incident.severity {
        lines.push(field("severity", severity.clone(), theme));
    }
    if let Some(description) = &incident.description {
        // A description keeps its line breaks: each line under the first is indented to
        // the value column.
        let description = inert::block(description);
        let mut rows = description.lines();
        lines.push(field("about", rows.next().unwrap_or_default(), theme));
        for row in rows {
            lines.push(field("", row, theme));
        }
    }
    if !incident.labels.is_empty() {
        let labels: Vec<String> = incident
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        lines.push(field("labels", labels.join(" "), theme));
    }
    if let Some(runbook) = &incident.runbook {
        lines.push(field("runbook", runbook.clone(), theme));
    }
    for link in &incident.links {
        lines.push(field(
            "link",
            format!("{}  {}", link.label, link.url),
            theme,
        ));
    }
    lines
}

/// A span's facts as lines: where it ran, when, whether it failed, and every attribute.
pub fn span_lines(span: &TraceSpan, theme: &Theme) -> Vec<Line<'static>> {
    let parent = span.parent_id.as_deref().unwrap_or("none (root)");
    let mut lines = vec![
        field("service", span.service.clone(), theme),
        field("operation", span.operation.clone(), theme),
        field("span", format!("{}  parent {parent}", span.span_id), theme),
        field(
            "timing",
            format!(
                "starts +{}  lasts {}",
                format::micros(span.start_offset_us),
                format::micros(span.duration_us)
            ),
            theme,
        ),
    ];
    let error = if span.error {
        Span::styled("yes", theme.span_error)
    } else {
        Span::styled("no", theme.sev_ok)
    };
    lines.push(Line::from(vec![
        Span::styled(format!("{:<10}", "error"), theme.text_muted),
        error,
    ]));
    lines.push(Line::default());
    lines.push(Line::styled("attributes", theme.title));
    if span.attributes.is_empty() {
        lines.push(Line::styled("  none", theme.text_muted));
    }
    for (key, value) in &span.attributes {
        lines.push(Line::from(vec![
            Span::styled(format!("  {key}"), theme.key),
            Span::styled(format!(" = {value}"), theme.text),
        ]));
    }
    lines
}

/// An SLO's burn rate per window and every tier, firing or not.
pub fn slo_lines(row: &SloRow, theme: &Theme) -> Vec<Line<'static>> {
    let report = &row.report;
    let spec = &report.spec;
    let mut lines = vec![
        field(
            "objective",
            format!(
                "{} over {} ({})",
                format::objective(spec.objective),
                spec.period,
                spec.sli.short_label()
            ),
            theme,
        ),
        field("SLI", format::percent(report.sli, 3), theme),
        field("budget", format::percent(report.budget_remaining, 1), theme),
        field("exhausts", format::exhaustion(report.exhaustion), theme),
    ];
    let rates: Vec<String> = report
        .burn_rates
        .iter()
        .map(|(window, rate)| format!("{window} {}", format::burn_rate(*rate)))
        .collect();
    lines.push(field("burn", rates.join("  "), theme));
    lines.push(Line::default());
    for tier in &report.alerts {
        let severity = tier.spec.severity;
        let state = if tier.firing { "FIRING" } else { "ok" };
        let style = if tier.firing {
            severity_style(Some(severity), theme)
        } else {
            theme.text_muted
        };
        lines.push(Line::styled(
            format!(
                "{:<7}{} {} & {} {} > {}  {state}",
                severity_badge(severity),
                tier.spec.long_window,
                format::burn_rate(tier.long_burn),
                tier.spec.short_window,
                format::burn_rate(tier.short_burn),
                format::factor(tier.factor),
            ),
            style,
        ));
    }
    lines
}

/// Draws the detail of what is selected in the current pane. Old data is announced on its
/// first line, in the stale role, naming its source and age.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let old = |source: &str, fresh: Freshness| {
        (!fresh.is_current()).then(|| freshness::describe(source, fresh))
    };
    let (title, lines, note) = match state.pane {
        Pane::Oncall => match state.selected_incident() {
            Some(i) => {
                let mut lines = vec![Line::styled(i.title.clone(), theme.title), Line::default()];
                lines.extend(incident_lines(i, state, theme));
                let note = old(&i.source, state.freshness_of(i));
                (i.id.clone(), lines, note)
            }
            None => ("Incident".to_string(), vec![], None),
        },
        Pane::Debug => {
            let (title, lines) =
                super::span::detail(state, theme).unwrap_or_else(|| ("Span".to_string(), vec![]));
            (title, lines, None)
        }
        Pane::Executive => match state.selected_slo_row() {
            Some(row) => {
                let note = old(&row.source, state.freshness_of(row));
                (row.report.spec.id.clone(), slo_lines(row, theme), note)
            }
            None => ("SLO".to_string(), vec![], None),
        },
    };
    let lines = if lines.is_empty() {
        vec![Line::styled("nothing selected", theme.text_muted)]
    } else if let Some(note) = note {
        let mut with_note = vec![Line::styled(
            format!("{note}: the last good data, not current"),
            theme.stale,
        )];
        with_note.extend(lines);
        with_note
    } else {
        lines
    };
    let width = area.width.saturating_sub(4).min(110);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let box_area = centered(area, width, height.max(area.height * 2 / 3));
    let block = dialog(frame, box_area, &title, theme);
    frame.render_widget(
        text::paragraph(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        box_area,
    );
}
