//! The numbers an on-call engineer trusts: SLI, error budget, burn rate, time to exhaustion.
//!
//! Pure functions, no IO. Every function that could divide by zero returns `None` ("no data")
//! instead of 0, infinity or NaN, because a dashboard that shows `0.0` for "no traffic" lies.
//! The order of floating-point operations matches the PromQL ondeck documents
//! (`(bad / total) / (1 - objective)`), so results agree with Prometheus bit for bit.

use serde::{Deserialize, Serialize};

use super::window::Window;

/// Bad and total events over one window. Either raw increases or per-second rates: only the
/// ratio is used, so both give the same answer.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Counts {
    /// Events that did not meet the SLI (errors, or requests slower than the threshold).
    pub bad: f64,
    /// All events.
    pub total: f64,
}

impl Counts {
    /// Counts from good and total events, as latency SLIs and many ratio SLIs are written.
    pub fn from_good(good: f64, total: f64) -> Self {
        Self {
            bad: total - good,
            total,
        }
    }
}

/// The share of events allowed to fail: `1 - objective`.
pub fn error_budget(objective: f64) -> f64 {
    1.0 - objective
}

/// Whether an objective is one ondeck can compute with: strictly between 0 and 1.
/// 100% leaves no budget (every burn rate would divide by zero), so config rejects it.
pub fn objective_is_valid(objective: f64) -> bool {
    objective.is_finite() && objective > 0.0 && objective < 1.0
}

/// `bad / total`, or `None` when there was no traffic or the counts are not usable
/// (negative, NaN, or more bad events than events).
pub fn error_ratio(counts: Counts) -> Option<f64> {
    let Counts { bad, total } = counts;
    let usable = bad.is_finite() && total.is_finite() && bad >= 0.0 && total > 0.0 && bad <= total;
    usable.then(|| bad / total)
}

/// The service level indicator: the share of good events, `1 - bad / total`.
pub fn sli(counts: Counts) -> Option<f64> {
    error_ratio(counts).map(|ratio| 1.0 - ratio)
}

/// How many times faster than "exactly on budget" errors are arriving over a window:
/// `(bad / total) / (1 - objective)`. A burn rate of 1 spends the whole budget in one period.
pub fn burn_rate(counts: Counts, objective: f64) -> Option<f64> {
    if !objective_is_valid(objective) {
        return None;
    }
    error_ratio(counts).map(|ratio| ratio / error_budget(objective))
}

/// The share of the period's error budget still unspent: `1 - (bad / total) / (1 - objective)`.
/// Negative once the budget is overspent (shown as exhausted, but kept so the depth is visible).
pub fn budget_remaining(period_counts: Counts, objective: f64) -> Option<f64> {
    burn_rate(period_counts, objective).map(|burn| 1.0 - burn)
}

/// When the budget runs out if the current burn rate holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Exhaustion {
    /// The budget or the burn rate is unknown.
    NoData,
    /// Nothing is burning: the budget never runs out at this rate.
    Never,
    /// Nothing is left.
    Exhausted,
    /// Seconds until nothing is left.
    In(f64),
}

impl Exhaustion {
    /// Seconds to exhaustion for machine output: 0 when exhausted, `None` when it cannot be
    /// computed or never happens.
    pub fn seconds(self) -> Option<f64> {
        match self {
            Exhaustion::In(secs) => Some(secs),
            Exhaustion::Exhausted => Some(0.0),
            Exhaustion::NoData | Exhaustion::Never => None,
        }
    }
}

/// Time to exhaustion at a burn rate: `remaining × period / burn_rate`.
pub fn time_to_exhaustion(remaining: Option<f64>, period: Window, burn: Option<f64>) -> Exhaustion {
    match (remaining, burn) {
        (Some(left), _) if left <= 0.0 => Exhaustion::Exhausted,
        (Some(_), Some(rate)) if rate <= 0.0 => Exhaustion::Never,
        (Some(left), Some(rate)) => Exhaustion::In(left * period.as_secs_f64() / rate),
        _ => Exhaustion::NoData,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    /// SRE workbook, chapter 5: 99.9% over 30 days, 1,000,000 requests of which 1,000 may fail.
    #[test]
    fn workbook_999_over_30_days() {
        let objective = 0.999;
        assert!(close(error_budget(objective), 0.001));
        // 500 of 1,000,000 failed: half the budget spent.
        let month = Counts {
            bad: 500.0,
            total: 1_000_000.0,
        };
        assert!(close(budget_remaining(month, objective).unwrap(), 0.5));
        assert!(close(sli(month).unwrap(), 0.9995));
        // A 1h window at 1.44% errors burns at 14.4x: 2% of the month's budget in one hour.
        let hour = Counts {
            bad: 144.0,
            total: 10_000.0,
        };
        assert!(close(burn_rate(hour, objective).unwrap(), 14.4));
        // At 14.4x, a full budget lasts 30d / 14.4 = 50 hours; half a budget 25 hours.
        let period = Window::days(30);
        let full = time_to_exhaustion(Some(1.0), period, Some(14.4));
        assert!(close(full.seconds().unwrap(), 50.0 * 3600.0));
        let half = time_to_exhaustion(Some(0.5), period, Some(14.4));
        assert!(close(half.seconds().unwrap(), 25.0 * 3600.0));
    }

    #[test]
    fn good_counts_become_bad_counts() {
        let c = Counts::from_good(9_990.0, 10_000.0);
        assert_eq!(c.bad, 10.0);
        assert!(close(burn_rate(c, 0.999).unwrap(), 1.0));
    }

    #[test]
    fn zero_traffic_is_no_data_not_zero() {
        let none = Counts {
            bad: 0.0,
            total: 0.0,
        };
        assert_eq!(error_ratio(none), None);
        assert_eq!(sli(none), None);
        assert_eq!(burn_rate(none, 0.999), None);
        assert_eq!(budget_remaining(none, 0.999), None);
        assert_eq!(
            time_to_exhaustion(None, Window::days(30), Some(2.0)),
            Exhaustion::NoData
        );
        assert_eq!(
            time_to_exhaustion(Some(0.5), Window::days(30), None),
            Exhaustion::NoData
        );
    }

    #[test]
    fn unusable_counts_are_no_data() {
        for counts in [
            Counts {
                bad: -1.0,
                total: 10.0,
            },
            Counts {
                bad: 1.0,
                total: -10.0,
            },
            Counts {
                bad: 11.0,
                total: 10.0,
            },
            Counts {
                bad: f64::NAN,
                total: 10.0,
            },
            Counts {
                bad: 1.0,
                total: f64::INFINITY,
            },
        ] {
            assert_eq!(burn_rate(counts, 0.99), None, "{counts:?}");
        }
    }

    #[test]
    fn objectives_without_budget_are_rejected() {
        for objective in [1.0, 0.0, -0.5, 1.5, f64::NAN] {
            assert!(!objective_is_valid(objective));
            assert_eq!(
                burn_rate(
                    Counts {
                        bad: 1.0,
                        total: 10.0
                    },
                    objective
                ),
                None
            );
        }
        assert!(objective_is_valid(0.9999));
    }

    #[test]
    fn exhaustion_edges() {
        let p = Window::days(30);
        assert_eq!(
            time_to_exhaustion(Some(0.3), p, Some(0.0)),
            Exhaustion::Never
        );
        assert_eq!(
            time_to_exhaustion(Some(0.0), p, Some(3.0)),
            Exhaustion::Exhausted
        );
        assert_eq!(
            time_to_exhaustion(Some(-0.2), p, None),
            Exhaustion::Exhausted
        );
        assert_eq!(Exhaustion::Exhausted.seconds(), Some(0.0));
        assert_eq!(Exhaustion::Never.seconds(), None);
    }

    #[test]
    fn overspent_budget_goes_negative() {
        let c = Counts {
            bad: 3.0,
            total: 1000.0,
        };
        assert!(close(budget_remaining(c, 0.999).unwrap(), -2.0));
    }
}
