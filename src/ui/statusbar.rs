//! The status bar: each source's health (worst feed per source name), the latest flash
//! message, and key hints generated from the keymap, cut to fit.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use chrono::{DateTime, Utc};

use crate::config::{Keymap, Theme};
use crate::inert;
use crate::state::{FlashKind, Health, SourceStatus, State};
use crate::ui::format;
use crate::ui::keys;
use crate::ui::text;

fn badness(health: &Health) -> (u8, i64) {
    match health {
        Health::Fresh { age_secs } => (0, *age_secs),
        Health::Loading => (1, 0),
        Health::Stale { age_secs } => (2, *age_secs),
        Health::Failed { .. } => (3, 0),
    }
}

/// Each source name once, in config order, with the worst health among its feeds.
pub fn source_health(sources: &[SourceStatus], now: DateTime<Utc>) -> Vec<(&str, Health)> {
    let mut out: Vec<(&str, Health)> = Vec::new();
    for source in sources {
        let health = source.health(now);
        match out.iter_mut().find(|(name, _)| *name == source.name) {
            Some((_, worst)) => {
                if badness(&health) > badness(worst) {
                    *worst = health;
                }
            }
            None => out.push((source.name.as_str(), health)),
        }
    }
    out
}

/// The narrowest a badge is squeezed to when several sources share the line.
const MIN_BADGE: usize = 24;

/// How wide a failed badge may be: unlimited when every badge fits the line as it is, else an
/// equal share of what the other badges leave (never below [`MIN_BADGE`]).
fn failed_badge_width(healths: &[(&str, Health)], width: usize, theme: &Theme) -> usize {
    let natural = |h: &Health, name: &str| source_span(name, h, theme, usize::MAX).width();
    let separators = 2 * healths.len().saturating_sub(1);
    let total: usize = healths.iter().map(|(n, h)| natural(h, n)).sum::<usize>() + separators;
    if total <= width {
        return usize::MAX;
    }
    let failed = healths
        .iter()
        .filter(|(_, h)| matches!(h, Health::Failed { .. }))
        .count();
    let others: usize = healths
        .iter()
        .filter(|(_, h)| !matches!(h, Health::Failed { .. }))
        .map(|(n, h)| natural(h, n))
        .sum();
    let room = width.saturating_sub(others + separators);
    (room / failed.max(1)).max(MIN_BADGE)
}

/// One source's badge: "● demo 3s", "◐ demo stale 2m", "✕ prom failed: … (retry 20s)". A
/// failure reason is cut to keep the badge within `width` columns, so one long error cannot push
/// the other sources off the line (the full reason is in the log and `ondeck snapshot`).
pub fn source_span(name: &str, health: &Health, theme: &Theme, width: usize) -> Span<'static> {
    let glyphs = theme.symbols;
    // Escaped before it is measured: the badges are fitted to the line by their widths.
    let name = inert::line(name);
    match health {
        Health::Loading => Span::styled(format!("{} {name}", glyphs.ellipsis), theme.text_muted),
        Health::Fresh { age_secs } => Span::styled(
            format!("{} {name} {}", glyphs.dot, format::age_secs(*age_secs)),
            theme.source_fresh,
        ),
        Health::Stale { age_secs } => Span::styled(
            format!(
                "{} {name} stale {}",
                glyphs.stale,
                format::age_secs(*age_secs)
            ),
            theme.stale,
        ),
        Health::Failed {
            error,
            retry_in_secs,
            ..
        } => {
            let retry = retry_in_secs
                .map(|s| format!(" (retry {})", format::age_secs(s)))
                .unwrap_or_default();
            let frame = format!("{} {name} failed: {retry}", glyphs.failed)
                .chars()
                .count();
            let error = crate::ui::widgets::fit(error, width.saturating_sub(frame).max(8));
            Span::styled(
                format!("{} {name} failed: {error}{retry}", glyphs.failed),
                theme.source_failed,
            )
        }
    }
}

/// "! 2 config warnings (ondeck check-config)": SLOs skipped or fields ignored when the
/// config was read stay in view, with where to read them, for as long as the cockpit runs.
fn config_warnings_badge(count: usize, theme: &Theme) -> Option<Span<'static>> {
    let noun = if count == 1 { "warning" } else { "warnings" };
    (count > 0).then(|| {
        Span::styled(
            format!("! {count} config {noun} (ondeck check-config)"),
            theme.sev_warning,
        )
    })
}

/// Appends `key:description` hints to `spans` while they fit in `width` columns.
fn push_hints(
    spans: &mut Vec<Span<'static>>,
    hints: &[(String, &str)],
    width: usize,
    theme: &Theme,
) {
    let mut used: usize = spans.iter().map(Span::width).sum();
    for (key, description) in hints {
        let gap = if used == 0 { 0 } else { 2 };
        let cost = gap + key.chars().count() + 1 + description.chars().count();
        if used + cost > width {
            break;
        }
        if gap > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(key.clone(), theme.key));
        spans.push(Span::styled(format!(":{description}"), theme.text_muted));
        used += cost;
    }
}

/// Writes in the outbox for backends this config does not have (queued by a run with
/// another config): no row shows them, so the status line says they are kept.
fn owed_elsewhere(state: &State) -> Option<String> {
    let owed = state
        .pending
        .values()
        .filter(|p| matches!(p.state, crate::state::PendingState::OwedElsewhere(_)))
        .count();
    (owed > 0).then(|| {
        let writes = if owed == 1 { "write" } else { "writes" };
        format!("{owed} {writes} owed to sources not in this config (ondeck outbox)")
    })
}

/// Draws the two status lines into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, keymap: &Keymap) {
    let mut sources = Vec::new();
    let healths = source_health(&state.sources, state.now);
    let budget = failed_badge_width(&healths, usize::from(area.width), theme);
    for (name, health) in &healths {
        if !sources.is_empty() {
            sources.push(Span::raw("  "));
        }
        sources.push(source_span(name, health, theme, budget));
        // Data that came but is not whole (a list the paging cap cut short, an on-call
        // lookup that failed): the count here, the words in the list it concerns and JSON.
        let warnings: usize = state
            .sources
            .iter()
            .filter(|s| s.name == *name)
            .map(|s| s.warnings.len())
            .sum();
        if warnings > 0 {
            sources.push(Span::styled(
                format!(" {}{warnings}", theme.symbols.warning),
                theme.sev_warning,
            ));
        }
    }
    if sources.is_empty() {
        sources.push(Span::styled("no sources configured", theme.text_muted));
    }
    if let Some(owed) = owed_elsewhere(state) {
        sources.push(Span::raw("  "));
        sources.push(Span::styled(owed, theme.sev_warning));
    }
    if let Some(badge) = config_warnings_badge(state.config_warnings.len(), theme) {
        sources.push(Span::raw("  "));
        sources.push(badge);
    }
    let mut second = Vec::new();
    if let Some(flash) = &state.flash {
        let style = match flash.kind {
            FlashKind::Error => theme.sev_critical,
            FlashKind::Info => theme.sev_info,
        };
        // Flashes quote outside text (an id, a server's refusal); escaped before the hints
        // are fitted after it.
        second.push(Span::styled(inert::line(&flash.text).into_owned(), style));
    }
    push_hints(
        &mut second,
        &keys::hints(state, keymap),
        usize::from(area.width),
        theme,
    );
    let lines = vec![Line::from(sources), Line::from(second)];
    frame.render_widget(text::paragraph(lines), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::Feed;
    use crate::state::sources::Failure;
    use chrono::TimeZone;
    use std::time::Duration;

    #[test]
    fn one_badge_per_source_showing_its_worst_feed() {
        let now = Utc.timestamp_opt(1_000_000, 0).unwrap();
        let mut metrics = SourceStatus::new("demo", "demo", Feed::Metrics, Duration::from_secs(10));
        metrics.last_ok = Some(now - chrono::Duration::seconds(3));
        let mut incidents = metrics.clone();
        incidents.feed = Feed::Incidents;
        incidents.last_ok = Some(now - chrono::Duration::seconds(120));
        let mut prom =
            SourceStatus::new("prom", "prometheus", Feed::Metrics, Duration::from_secs(15));
        prom.failure = Some(Failure {
            error: "connection refused".to_string(),
            since: now,
            retry_at: Some(now + chrono::Duration::seconds(20)),
        });
        let theme = Theme::monochrome();
        let shown: Vec<String> = source_health(&[metrics, incidents, prom], now)
            .iter()
            .map(|(name, h)| source_span(name, h, &theme, 80).content.to_string())
            .collect();
        assert_eq!(
            shown,
            [
                "◐ demo stale 2m",
                "✕ prom failed: connection refused (retry 20s)"
            ]
        );
    }

    #[test]
    fn a_long_failure_reason_is_cut_but_keeps_the_source_and_retry() {
        let now = Utc.timestamp_opt(1_000_000, 0).unwrap();
        let mut prom =
            SourceStatus::new("prom", "prometheus", Feed::Metrics, Duration::from_secs(15));
        prom.failure = Some(Failure {
            error: "unreachable: cannot connect to http://127.0.0.1:19191: Connection refused (os error 111)".to_string(),
            since: now,
            retry_at: Some(now + chrono::Duration::seconds(20)),
        });
        let health = prom.health(now);
        let badge = source_span("prom", &health, &Theme::monochrome(), 48)
            .content
            .to_string();
        assert_eq!(badge.chars().count(), 48, "{badge}");
        assert!(
            badge.starts_with("✕ prom failed: unreachable: cannot"),
            "{badge}"
        );
        assert!(badge.ends_with("… (retry 20s)"), "{badge}");
    }

    #[test]
    fn failed_badges_are_only_cut_when_the_line_overflows() {
        let theme = Theme::monochrome();
        let fresh = Health::Fresh { age_secs: 3 };
        let failed = Health::Failed {
            error: "unreachable: cannot connect to http://127.0.0.1:19191: refused".to_string(),
            last_ok_age_secs: None,
            retry_in_secs: Some(20),
        };
        let line = [("prom", failed), ("demo", fresh)];
        assert_eq!(
            failed_badge_width(&line, 200, &theme),
            usize::MAX,
            "fits: no cut"
        );
        // At 60 columns, demo keeps its 9 ("● demo 3s") and the 2-column gap; prom gets 49.
        assert_eq!(failed_badge_width(&line, 60, &theme), 49);
        // Never squeezed below the minimum, even on a tiny line.
        assert_eq!(failed_badge_width(&line, 10, &theme), MIN_BADGE);
    }

    #[test]
    fn config_warnings_are_counted_with_where_to_read_them() {
        let theme = Theme::monochrome();
        assert_eq!(config_warnings_badge(0, &theme), None);
        let badge = config_warnings_badge(2, &theme).unwrap();
        assert_eq!(badge.content, "! 2 config warnings (ondeck check-config)");
    }

    #[test]
    fn hints_stop_before_overflowing() {
        let theme = Theme::monochrome();
        let hints = [
            ("a".to_string(), "acknowledge"),
            ("r".to_string(), "resolve"),
        ];
        let mut spans = Vec::new();
        push_hints(&mut spans, &hints, 16, &theme);
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "a:acknowledge");
    }
}
