//! One-line sparklines drawn with ▁▂▃▄▅▆▇█.
//!
//! Two scales, because a sparkline must not make noise look like an outage, nor hide one:
//! - [`Scale::UpTo`]: from zero to a reference (or the series' maximum, if higher). Burn-rate
//!   trends use the SLO's page threshold, so bar height reads as "how close to paging".
//! - [`Scale::Band`]: a band ending at the series' maximum and spanning at least 20% of it.
//!   Latency and error trends use it: steady series stay mid-height instead of solid blocks,
//!   and a few percent of jitter does not look like a spike.

use ratatui::style::Style;
use ratatui::text::Span;

use crate::ui::symbols::{self, Symbols};

/// The smallest band [`Scale::Band`] draws, as a share of the series' maximum.
const MIN_BAND: f64 = 0.2;

/// How sample values map to bar heights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Zero to `max(reference, series maximum)`.
    UpTo(f64),
    /// `[max − max(range, 20% of max), max]`.
    Band,
}

/// The last `width` samples of `values` as sparkline characters. Samples that are not numbers
/// draw a space so a gap stays visible.
pub fn sparkline(values: &[f64], width: usize, scale: Scale) -> String {
    sparkline_with(values, width, scale, &symbols::UNICODE)
}

/// [`sparkline`] drawn with `symbols`' bars.
pub fn sparkline_with(values: &[f64], width: usize, scale: Scale, symbols: &Symbols) -> String {
    let levels = &symbols.spark;
    let shown = &values[values.len().saturating_sub(width)..];
    let finite = || shown.iter().copied().filter(|v| v.is_finite());
    let max = finite().fold(f64::NEG_INFINITY, f64::max);
    let min = finite().fold(f64::INFINITY, f64::min);
    let (low, high) = match scale {
        Scale::UpTo(reference) => (0.0, max.max(reference)),
        Scale::Band => {
            let span = (max - min).max(max.abs() * MIN_BAND);
            (max - span, max)
        }
    };
    shown
        .iter()
        .map(|&v| {
            if !v.is_finite() {
                " "
            } else if high.partial_cmp(&low) != Some(std::cmp::Ordering::Greater) {
                // An empty or all-NaN band: nothing to scale against.
                levels[0]
            } else {
                let share = ((v - low) / (high - low)).clamp(0.0, 1.0);
                levels[(share * (levels.len() - 1) as f64).round() as usize]
            }
        })
        .collect()
}

/// [`sparkline`] as a styled span.
pub fn spark_span(values: &[f64], width: usize, scale: Scale, style: Style) -> Span<'static> {
    Span::styled(sparkline(values, width, scale), style)
}

/// [`sparkline_with`] as a styled span.
pub fn spark_span_with(
    values: &[f64],
    width: usize,
    scale: Scale,
    style: Style,
    symbols: &Symbols,
) -> Span<'static> {
    Span::styled(sparkline_with(values, width, scale, symbols), style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_to_scales_against_the_reference_and_keeps_the_latest_samples() {
        // Against a page threshold of 14: a steady 3.5x burn sits low, a 14x burn is full.
        assert_eq!(sparkline(&[3.5, 3.5, 14.0], 10, Scale::UpTo(14.0)), "▃▃█");
        // A burn above the reference rescales to the series.
        assert_eq!(sparkline(&[0.0, 7.0, 28.0], 10, Scale::UpTo(14.0)), "▁▃█");
        assert_eq!(sparkline(&[100.0, 0.0, 2.0], 2, Scale::UpTo(1.0)), "▁█");
        assert_eq!(sparkline(&[0.0, 0.0], 5, Scale::UpTo(0.0)), "▁▁");
        assert_eq!(sparkline(&[1.0, f64::NAN, 1.0], 5, Scale::UpTo(1.0)), "█ █");
        assert_eq!(sparkline(&[], 5, Scale::UpTo(1.0)), "");
        assert_eq!(sparkline(&[1.0], 0, Scale::UpTo(1.0)), "");
    }

    #[test]
    fn band_keeps_jitter_small_and_spikes_tall() {
        // 19–20 ms of jitter: the band is 16–20 ms, so bars stay in the upper half.
        let jitter = sparkline(&[0.019, 0.020, 0.019, 0.020], 10, Scale::Band);
        assert_eq!(jitter, "▆█▆█");
        // A spike from 20 ms to 400 ms spans the whole height.
        assert_eq!(sparkline(&[0.02, 0.02, 0.4], 10, Scale::Band), "▁▁█");
        assert_eq!(sparkline(&[0.0, 0.0], 5, Scale::Band), "▁▁");
    }
}
