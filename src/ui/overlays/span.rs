//! The selected span in full (Enter in the waterfall): where and when it ran, whether it is on
//! the critical path or was clamped into its parent, every attribute, and its events (OTLP)
//! or logs (Jaeger) with their own attributes.

use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::state::State;
use crate::ui::format;

fn field(label: &str, value: impl Into<String>, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<10}"), theme.text_muted),
        Span::styled(value.into(), theme.text),
    ])
}

fn pairs(pairs: &[(String, String)], indent: &str, theme: &Theme) -> Vec<Line<'static>> {
    pairs
        .iter()
        .map(|(key, value)| {
            Line::from(vec![
                Span::styled(format!("{indent}{key}"), theme.key),
                Span::styled(format!(" = {value}"), theme.text),
            ])
        })
        .collect()
}

/// The title and lines of the selected span's detail, if a span is selected.
pub fn detail(state: &State, theme: &Theme) -> Option<(String, Vec<Line<'static>>)> {
    let (row, span) = state.debug.selected_row()?;
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
    if row.clamped {
        lines.push(field(
            "clamped",
            format!(
                "drawn at +{} for {}: its clock disagrees with its parent's",
                format::micros(row.start_us),
                format::micros(row.duration_us)
            ),
            theme,
        ));
    }
    let (critical, critical_style) = if row.critical {
        ("yes: the trace waited for it", theme.key)
    } else {
        ("no", theme.text_muted)
    };
    lines.push(Line::from(vec![
        Span::styled(format!("{:<10}", "critical"), theme.text_muted),
        Span::styled(critical, critical_style),
    ]));
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
    lines.extend(pairs(&span.attributes, "  ", theme));
    if !span.events.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("events", theme.title));
        for event in &span.events {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  +{:<9}", format::micros(event.offset_us)),
                    theme.text_muted,
                ),
                Span::styled(event.name.clone(), theme.text),
            ]));
            lines.extend(pairs(&event.attributes, "      ", theme));
        }
    }
    Some((format!("Span {}", span.span_id), lines))
}
