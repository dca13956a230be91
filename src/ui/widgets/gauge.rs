//! Text gauges: horizontal bars in eighths of a cell, and the error-budget gauge built on them.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::ui::format;
use crate::ui::symbols::{self, Symbols};

/// A bar `eighths` eighths of a cell long: full blocks followed by one partial block.
pub fn bar(eighths: usize) -> String {
    bar_with(eighths, &symbols::UNICODE)
}

/// [`bar`] drawn with `symbols`' blocks.
pub fn bar_with(eighths: usize, symbols: &Symbols) -> String {
    let mut text = symbols.block_full.repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        text.push_str(symbols.block_partial[eighths % 8 - 1]);
    }
    text
}

/// Budget left above this share is healthy; at or below it (but above zero) is a warning.
pub const BUDGET_WARNING_BELOW: f64 = 0.25;

/// The theme role for an error budget with `remaining` share left.
pub fn budget_style(remaining: Option<f64>, theme: &Theme) -> Style {
    match remaining {
        None => theme.text_muted,
        Some(r) if r <= 0.0 => theme.budget_exhausted,
        Some(r) if r <= BUDGET_WARNING_BELOW => theme.budget_warning,
        Some(_) => theme.budget_ok,
    }
}

/// The error budget as "████▌─── 42%" with a `bar_width`-cell bar, "exhausted -120%" once
/// overspent, and "—" without data.
pub fn budget(remaining: Option<f64>, bar_width: usize, theme: &Theme) -> Line<'static> {
    let style = budget_style(remaining, theme);
    let Some(left) = remaining.filter(|r| r.is_finite()) else {
        return Line::from(Span::styled(format::NO_DATA, style));
    };
    let label = format::percent(Some(left), 0);
    if left <= 0.0 {
        return Line::from(Span::styled(format!("exhausted {label}"), style));
    }
    let eighths = (left.min(1.0) * (bar_width * 8) as f64).round() as usize;
    // Anything left shows at least a sliver, so "almost gone" never looks like "gone".
    let filled = bar_with(eighths.max(1), theme.symbols);
    let used = bar_width.saturating_sub(filled.chars().count());
    Line::from(vec![
        Span::styled(filled, style),
        Span::styled(theme.symbols.gauge_empty.repeat(used), theme.text_muted),
        Span::styled(format!(" {label:>4}"), style),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn bars_count_in_eighths() {
        assert_eq!(bar(0), "");
        assert_eq!(bar(4), "▌");
        assert_eq!(bar(8), "█");
        assert_eq!(bar(19), "██▍");
    }

    #[test]
    fn budget_gauge_shows_share_left_and_overspend() {
        let theme = Theme::monochrome();
        assert_eq!(text(&budget(Some(0.42), 8, &theme)), "███▍────  42%");
        assert_eq!(text(&budget(Some(1.0), 8, &theme)), "████████ 100%");
        assert_eq!(text(&budget(Some(0.001), 8, &theme)), "▏───────   0%");
        assert_eq!(text(&budget(Some(-1.2), 8, &theme)), "exhausted -120%");
        assert_eq!(text(&budget(None, 8, &theme)), "—");
    }

    #[test]
    fn budget_colours_follow_the_thresholds() {
        let theme = Theme::dark();
        assert_eq!(budget_style(Some(0.6), &theme), theme.budget_ok);
        assert_eq!(budget_style(Some(0.2), &theme), theme.budget_warning);
        assert_eq!(budget_style(Some(0.0), &theme), theme.budget_exhausted);
        assert_eq!(budget_style(None, &theme), theme.text_muted);
    }
}
