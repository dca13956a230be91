//! The range the debug pane's latency and error sparklines cover, stepped with `[` and `]`.

use crate::slo::Window;

/// A sparkline range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum TrendRange {
    /// The last hour: the trends every metrics poll brings.
    #[default]
    Hour,
    /// The last 6 hours.
    SixHours,
    /// The last day.
    Day,
    /// The last week.
    Week,
}

impl TrendRange {
    /// Shortest first.
    pub const ALL: [TrendRange; 4] = [
        TrendRange::Hour,
        TrendRange::SixHours,
        TrendRange::Day,
        TrendRange::Week,
    ];

    /// How far back it reaches.
    pub fn window(self) -> Window {
        match self {
            TrendRange::Hour => Window::hours(1),
            TrendRange::SixHours => Window::hours(6),
            TrendRange::Day => Window::days(1),
            TrendRange::Week => Window::days(7),
        }
    }

    /// The next shorter range, staying at the shortest.
    pub fn shorter(self) -> Self {
        let i = self.index();
        Self::ALL[i.saturating_sub(1)]
    }

    /// The next longer range, staying at the longest.
    pub fn longer(self) -> Self {
        let i = self.index();
        Self::ALL[(i + 1).min(Self::ALL.len() - 1)]
    }

    /// Whether the metrics poll already brings this range (no extra query needed).
    pub fn is_polled(self) -> bool {
        self == TrendRange::Hour
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_step_through_the_ranges_and_stop_at_the_ends() {
        assert_eq!(TrendRange::Hour.shorter(), TrendRange::Hour);
        assert_eq!(TrendRange::Hour.longer(), TrendRange::SixHours);
        assert_eq!(TrendRange::Day.longer(), TrendRange::Week);
        assert_eq!(TrendRange::Week.longer(), TrendRange::Week);
        assert_eq!(TrendRange::Week.window().to_string(), "7d");
        assert!(TrendRange::default().is_polled());
    }
}
