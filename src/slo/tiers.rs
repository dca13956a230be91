//! Multi-window, multi-burn-rate alert tiers (SRE workbook, chapter 5, "alerting on SLOs").
//!
//! A tier says "page if we spend `budget_share` of the period's budget within `long`". Its burn
//! factor is therefore `budget_share × period / long`; it fires only while BOTH the long and the
//! short window burn faster than the factor, so it pages quickly on a fast burn and stops
//! promptly once the burn ends.

use serde::{Deserialize, Serialize};

use super::window::Window;

/// How loudly a tier notifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Wake someone up.
    Page,
    /// Handle in working hours.
    Ticket,
}

/// One alert tier, independent of any SLO's period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TierSpec {
    /// Page or ticket.
    pub severity: Severity,
    /// The window whose burn decides how much budget is at stake.
    pub long_window: Window,
    /// The window that proves the burn is still happening now.
    pub short_window: Window,
    /// Share of the whole period's budget spent within `long_window` that fires this tier.
    pub budget_share: f64,
}

impl TierSpec {
    /// The burn-rate threshold for an SLO with this period: `budget_share × period / long`.
    /// 30 days gives 14.4, 6, 3 and 1 for the default tiers; 28 days 13.44, 5.6, 2.8, 0.933.
    pub fn factor(&self, period: Window) -> f64 {
        self.budget_share * period.as_secs_f64() / self.long_window.as_secs_f64()
    }
}

/// The workbook's recommended tiers: page on 2% in 1h or 5% in 6h, ticket on 10% in 1d or 3d.
pub fn default_tiers() -> Vec<TierSpec> {
    let tier = |severity, long, short, budget_share| TierSpec {
        severity,
        long_window: long,
        short_window: short,
        budget_share,
    };
    vec![
        tier(Severity::Page, Window::hours(1), Window::minutes(5), 0.02),
        tier(Severity::Page, Window::hours(6), Window::minutes(30), 0.05),
        tier(Severity::Ticket, Window::days(1), Window::hours(2), 0.10),
        tier(Severity::Ticket, Window::days(3), Window::hours(6), 0.10),
    ]
}

/// The tiers of an SLO of `period`: those given for exactly that period (Sloth
/// `AlertWindows`), else the default tiers.
pub fn tiers_for<'a>(
    default: &'a [TierSpec],
    by_period: &'a std::collections::BTreeMap<Window, Vec<TierSpec>>,
    period: Window,
) -> &'a [TierSpec] {
    by_period.get(&period).map_or(default, Vec::as_slice)
}

/// A tier evaluated for one SLO.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TierState {
    /// The tier.
    pub spec: TierSpec,
    /// Its burn-rate threshold for the SLO's period.
    pub factor: f64,
    /// Burn rate over the long window, if known.
    pub long_burn: Option<f64>,
    /// Burn rate over the short window, if known.
    pub short_burn: Option<f64>,
    /// Both windows burn faster than the factor.
    pub firing: bool,
}

/// Evaluates a tier from the burn rates of its two windows. Missing data never fires.
pub fn evaluate_tier(
    spec: TierSpec,
    period: Window,
    long_burn: Option<f64>,
    short_burn: Option<f64>,
) -> TierState {
    let factor = spec.factor(period);
    let firing = matches!((long_burn, short_burn), (Some(l), Some(s)) if l > factor && s > factor);
    TierState {
        spec,
        factor,
        long_burn,
        short_burn,
        firing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factors(period: Window) -> Vec<f64> {
        default_tiers().iter().map(|t| t.factor(period)).collect()
    }

    #[test]
    fn thirty_day_factors_are_the_workbooks() {
        assert_eq!(factors(Window::days(30)), vec![14.4, 6.0, 3.0, 1.0]);
    }

    #[test]
    fn twenty_eight_day_factors_scale_with_the_period() {
        let got = factors(Window::days(28));
        for (g, want) in got.iter().zip([13.44, 5.6, 2.8, 0.9333333333333333]) {
            assert!((g - want).abs() < 1e-12, "{g} vs {want}");
        }
    }

    #[test]
    fn a_period_with_its_own_tiers_uses_them_and_others_the_defaults() {
        let seven_days = vec![TierSpec {
            severity: Severity::Page,
            long_window: Window::hours(1),
            short_window: Window::minutes(5),
            budget_share: 0.08,
        }];
        let by_period = std::collections::BTreeMap::from([(Window::days(7), seven_days.clone())]);
        let defaults = default_tiers();
        assert_eq!(
            tiers_for(&defaults, &by_period, Window::days(7)),
            seven_days.as_slice()
        );
        assert_eq!(
            tiers_for(&defaults, &by_period, Window::days(30)),
            defaults.as_slice()
        );
    }

    #[test]
    fn fires_only_when_both_windows_exceed() {
        let page = default_tiers()[0];
        let month = Window::days(30);
        assert!(evaluate_tier(page, month, Some(20.0), Some(15.0)).firing);
        // The long window is hot but the burn has stopped: no page.
        assert!(!evaluate_tier(page, month, Some(20.0), Some(2.0)).firing);
        // A short spike that has not yet cost 2% of the budget: no page.
        assert!(!evaluate_tier(page, month, Some(5.0), Some(40.0)).firing);
        // Exactly at the factor is not above it.
        assert!(!evaluate_tier(page, month, Some(14.4), Some(14.4)).firing);
        assert!(!evaluate_tier(page, month, None, Some(40.0)).firing);
    }
}
