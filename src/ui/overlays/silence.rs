//! The silence dialog: the fields of a new silence (or an extension's duration, or the
//! silence an expiry ends), exactly what confirming does, and the alerts firing now that a
//! new silence would hide — with the age of Alertmanager's answer, or why there is none.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::model::silence::parse_duration;
use crate::state::{SilenceDialog, SilenceField, SilenceOp, SilencePreview, TextField};
use crate::ui::UiContext;
use crate::ui::format::age_secs;
use crate::ui::layout::centered;
use crate::ui::overlays::dialog;
use crate::ui::text;

/// How many matched alerts the preview lists before it only counts.
const PREVIEW_ROWS: usize = 5;

/// `label  value▏rest`, the cursor drawn only in the focused field.
fn field_line(label: &str, field: &TextField, focused: bool, theme: &Theme) -> Line<'static> {
    let split = field
        .value
        .char_indices()
        .nth(field.cursor)
        .map_or(field.value.len(), |(i, _)| i);
    let label_style = if focused { theme.key } else { theme.text_muted };
    let mut spans = vec![
        Span::styled(format!("{label:<10}"), label_style),
        Span::styled(field.value[..split].to_string(), theme.text),
    ];
    if focused {
        spans.push(Span::styled(theme.symbols.cursor, theme.key));
    }
    spans.push(Span::styled(field.value[split..].to_string(), theme.text));
    Line::from(spans)
}

/// When the silence would end, if the duration reads.
fn ends_line(base: DateTime<Utc>, duration: &str, theme: &Theme) -> Line<'static> {
    match parse_duration(duration) {
        Ok(d) => Line::styled(
            format!("{:10}ends {}", "", (base + d).format("%Y-%m-%d %H:%M UTC")),
            theme.text_muted,
        ),
        Err(e) => Line::styled(format!("{:10}{e}", ""), theme.sev_warning),
    }
}

/// The preview lines: count, age, and the first few alerts' labels.
fn preview_lines(
    preview: &SilencePreview,
    now: DateTime<Utc>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    match preview {
        SilencePreview::Invalid(why) => vec![Line::styled(why.clone(), theme.sev_warning)],
        SilencePreview::Checking(_) => {
            vec![Line::styled(
                "asking Alertmanager what it would silence…",
                theme.text_muted,
            )]
        }
        SilencePreview::Failed { why, .. } => vec![Line::styled(
            format!("no preview: {why}"),
            theme.sev_warning,
        )],
        SilencePreview::Ready { alerts, at, .. } => {
            let age = age_secs((now - *at).num_seconds().max(0));
            let style = if alerts.is_empty() {
                theme.sev_warning
            } else {
                theme.title
            };
            let mut lines = vec![Line::styled(
                format!(
                    "would silence {} alert(s) firing now (Alertmanager, {age} ago)",
                    alerts.len()
                ),
                style,
            )];
            for labels in alerts.iter().take(PREVIEW_ROWS) {
                let text: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
                lines.push(Line::styled(format!("  {}", text.join(" ")), theme.text));
            }
            if alerts.len() > PREVIEW_ROWS {
                lines.push(Line::styled(
                    format!("  … and {} more", alerts.len() - PREVIEW_ROWS),
                    theme.text_muted,
                ));
            }
            lines
        }
    }
}

/// The keys, written out: the dialog takes every key, so the keymap's hints do not apply.
fn hint(op: &SilenceOp, theme: &Theme) -> Line<'static> {
    let pairs: &[(&str, &str)] = match op {
        SilenceOp::Create => &[
            ("enter", "create"),
            ("tab", "next field"),
            ("esc", "cancel"),
        ],
        SilenceOp::Extend { .. } => &[("enter", "extend"), ("esc", "cancel")],
        SilenceOp::Expire { .. } => &[("y/enter", "expire"), ("n/esc", "cancel")],
    };
    let mut spans = Vec::new();
    for (key, what) in pairs {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.text_muted));
        }
        spans.push(Span::styled(key.to_string(), theme.key));
        spans.push(Span::styled(format!(" {what}"), theme.text));
    }
    Line::from(spans)
}

/// Draws the dialog centred in `area`.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    d: &SilenceDialog,
    now: DateTime<Utc>,
    ctx: &UiContext,
) {
    let theme = ctx.theme;
    let mut lines = Vec::new();
    let title = match &d.op {
        SilenceOp::Create => {
            lines.push(field_line(
                "matchers",
                &d.matchers,
                d.focus == SilenceField::Matchers,
                theme,
            ));
            lines.push(field_line(
                "for",
                &d.duration,
                d.focus == SilenceField::Duration,
                theme,
            ));
            lines.push(ends_line(now, &d.duration.value, theme));
            lines.push(field_line(
                "comment",
                &d.comment,
                d.focus == SilenceField::Comment,
                theme,
            ));
            lines.push(Line::default());
            lines.extend(preview_lines(&d.preview, now, theme));
            format!("New silence on {} (Alertmanager)", d.source)
        }
        SilenceOp::Extend {
            id,
            ends_at,
            matchers,
        } => {
            lines.push(Line::styled(format!("silence {id}"), theme.text_muted));
            lines.push(Line::styled(matchers.clone(), theme.text));
            lines.push(Line::styled(
                format!("ends {}", ends_at.format("%Y-%m-%d %H:%M UTC")),
                theme.text,
            ));
            lines.push(Line::default());
            lines.push(field_line("longer by", &d.duration, true, theme));
            lines.push(ends_line((*ends_at).max(now), &d.duration.value, theme));
            format!("Extend a silence on {}", d.source)
        }
        SilenceOp::Expire {
            id,
            matchers,
            matching_alerts,
        } => {
            lines.push(Line::styled(format!("silence {id}"), theme.text_muted));
            lines.push(Line::styled(matchers.clone(), theme.text));
            lines.push(Line::default());
            lines.push(Line::styled(
                format!(
                    "Ends the silence now: the {matching_alerts} alert(s) it hides notify again."
                ),
                theme.text,
            ));
            format!("Expire a silence on {}", d.source)
        }
    };
    lines.push(Line::default());
    if let Some(error) = &d.error {
        lines.push(Line::styled(error.clone(), theme.sev_critical));
    }
    lines.push(hint(&d.op, theme));
    let width = area.width.saturating_sub(4).min(76);
    let height = (lines.len() as u16 + 2).min(area.height);
    let box_area = centered(area, width, height);
    let block = dialog(frame, box_area, &title, theme);
    frame.render_widget(text::paragraph(lines).block(block), box_area);
}
