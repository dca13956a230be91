//! One-line sparklines drawn with ▁▂▃▄▅▆▇█, scaled to the series' own maximum.

use ratatui::style::Style;
use ratatui::text::Span;

const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` samples of `values` as sparkline characters. Zero and below draw the lowest
/// level; samples that are not numbers draw a space so a gap stays visible.
pub fn sparkline(values: &[f64], width: usize) -> String {
    let shown = &values[values.len().saturating_sub(width)..];
    let max = shown
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    shown
        .iter()
        .map(|&v| {
            if !v.is_finite() {
                ' '
            } else if max <= 0.0 {
                LEVELS[0]
            } else {
                let level = (v.max(0.0) / max * (LEVELS.len() - 1) as f64).round() as usize;
                LEVELS[level.min(LEVELS.len() - 1)]
            }
        })
        .collect()
}

/// [`sparkline`] as a styled span.
pub fn spark_span(values: &[f64], width: usize, style: Style) -> Span<'static> {
    Span::styled(sparkline(values, width), style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_to_the_maximum_and_keeps_the_latest_samples() {
        assert_eq!(sparkline(&[0.0, 1.0, 7.0, 14.0], 10), "▁▂▅█");
        assert_eq!(sparkline(&[100.0, 0.0, 2.0], 2), "▁█");
        assert_eq!(sparkline(&[0.0, 0.0], 5), "▁▁");
        assert_eq!(sparkline(&[1.0, f64::NAN, 1.0], 5), "█ █");
        assert_eq!(sparkline(&[], 5), "");
        assert_eq!(sparkline(&[1.0], 0), "");
    }
}
