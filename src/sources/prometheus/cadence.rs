//! How often each window is evaluated again. A window's value moves slowly when the window is
//! long — a 30-day error budget barely changes in 30 seconds — so a refresh re-evaluates a
//! window only once a small share of it has passed since its last evaluation: the 5-minute
//! window every refresh, the 1-hour window every minute, the 1-day, 3-day and 30-day windows
//! every [`MAX_CADENCE`]. Between evaluations the source keeps the window's
//! counts with the instant they were evaluated at (see `carry`), the snapshot says each
//! window's instant, and the cockpit shows a value whose window is overdue as stale with its
//! age (`State::freshness_of`), so an old number never looks current.
//!
//! A window is evaluated again once a sixtieth of it has passed: the 5-minute window every
//! 5 seconds (every refresh), the 1-hour window every minute — the interval alerting rules
//! are commonly evaluated at — and the 6-hour window every 6 minutes. A Prometheus evaluates
//! `rate(x[w])` by reading every sample in `w`, so a window's cost grows with its length;
//! evaluating it every `w / SHARE` costs about the same per second for every window, instead
//! of the longest windows costing most.
//!
//! A refresh at the same instant as the last one (time travel with `--at`) or an earlier one
//! evaluates every window again, so one snapshot is always one instant.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::slo::Window;

/// A window is evaluated again once `1 / SHARE` of it has passed: its value then differs from
/// a fresh one by at most that share of the window's events.
pub const SHARE: u32 = 60;

/// The longest any window waits between evaluations, however long it is.
pub const MAX_CADENCE: Duration = Duration::from_secs(600);

/// How long a value over `window` is used before the window is evaluated again.
pub fn cadence(window: Window) -> Duration {
    (window.as_duration() / SHARE).min(MAX_CADENCE)
}

/// How long a value over `window` counts as current in a cockpit refreshing every `refresh`:
/// its cadence, plus the refreshes it may take for the next evaluation to come round and
/// answer (as many as a whole feed is given before it counts as stale).
pub fn current_for(window: Window, refresh: Duration, stale_intervals: u32) -> Duration {
    cadence(window) + refresh.saturating_mul(stale_intervals)
}

/// When each window was last evaluated successfully, for every SLO of one source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schedule {
    evaluated: BTreeMap<Window, DateTime<Utc>>,
    /// The instant of the last refresh.
    refreshed: Option<DateTime<Utc>>,
}

impl Schedule {
    /// Whether `window` is evaluated at `at`: never evaluated, its cadence has passed, or `at`
    /// is not later than the last refresh (the same instant again, or an earlier one).
    pub fn due(&self, window: Window, at: DateTime<Utc>) -> bool {
        if self.refreshed.is_some_and(|last| at <= last) {
            return true;
        }
        match self.evaluated.get(&window) {
            None => true,
            Some(&last) if at <= last => true,
            Some(&last) => (at - last).to_std().unwrap_or_default() >= cadence(window),
        }
    }

    /// The instant `window`'s kept values were evaluated at, if any.
    pub fn evaluated(&self, window: Window) -> Option<DateTime<Utc>> {
        self.evaluated.get(&window).copied()
    }

    /// Records that every value over `window` was evaluated at `at`.
    pub fn mark(&mut self, window: Window, at: DateTime<Utc>) {
        self.evaluated.insert(window, at);
    }

    /// Records a refresh at `at`, whichever windows it evaluated.
    pub fn refreshed(&mut self, at: DateTime<Utc>) {
        self.refreshed = Some(at);
    }

    /// Forgets `window`: its next refresh evaluates it.
    pub fn forget(&mut self, window: Window) {
        self.evaluated.remove(&window);
    }

    /// Keeps only the windows `keep` says to (a dated period's window of another day).
    pub fn retain(&mut self, keep: impl Fn(Window) -> bool) {
        self.evaluated.retain(|&w, _| keep(w));
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn short_windows_every_refresh_long_ones_every_few_minutes() {
        assert_eq!(cadence(Window::minutes(5)), Duration::from_secs(5));
        assert_eq!(cadence(Window::hours(1)), Duration::from_secs(60));
        assert_eq!(cadence(Window::hours(6)), Duration::from_secs(360));
        assert_eq!(cadence(Window::hours(10)), MAX_CADENCE);
        assert_eq!(cadence(Window::days(1)), MAX_CADENCE);
        assert_eq!(cadence(Window::days(30)), MAX_CADENCE);
    }

    #[test]
    fn a_window_is_due_when_its_cadence_passed_or_time_did_not_move_forward() {
        let t = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let day = Window::hours(2);
        let mut schedule = Schedule::default();
        assert!(schedule.due(day, t), "never evaluated");
        schedule.mark(day, t);
        assert!(schedule.due(day, t), "the same instant again: --at");
        assert!(!schedule.due(day, t + chrono::Duration::seconds(119)));
        assert!(schedule.due(day, t + chrono::Duration::seconds(120)));
        assert!(
            schedule.due(day, t - chrono::Duration::seconds(30)),
            "earlier"
        );
        let hour = Window::hours(1);
        schedule.mark(hour, t + chrono::Duration::seconds(30));
        schedule.refreshed(t + chrono::Duration::seconds(30));
        assert!(
            schedule.due(day, t + chrono::Duration::seconds(30)),
            "the last refresh's instant again: every window, not only those it evaluated"
        );
        assert_eq!(schedule.evaluated(day), Some(t));
        schedule.forget(day);
        assert!(schedule.due(day, t + chrono::Duration::seconds(1)));
    }
}
