//! Everything the cockpit shows about one SLO, computed from its window counts.

use std::collections::BTreeMap;

use super::math::{self, Counts, Exhaustion};
use super::spec::SloSpec;
use super::tiers::{TierSpec, TierState, evaluate_tier};
use super::window::{STANDARD_WINDOWS, Window};

/// The window whose burn rate the cockpit calls "current" and projects exhaustion from.
pub const CURRENT_BURN_WINDOW: Window = Window::hours(1);

/// One SLO's computed state.
#[derive(Debug, Clone, PartialEq)]
pub struct SloReport {
    /// The SLO.
    pub spec: SloSpec,
    /// SLI over the whole period.
    pub sli: Option<f64>,
    /// Share of the period's budget left (negative when overspent).
    pub budget_remaining: Option<f64>,
    /// Burn rate per standard window (plus any window a tier uses).
    pub burn_rates: BTreeMap<Window, Option<f64>>,
    /// When the budget runs out at the current (1h) burn rate.
    pub exhaustion: Exhaustion,
    /// Every tier, firing or not.
    pub alerts: Vec<TierState>,
}

impl SloReport {
    /// The burn rate the cockpit calls current (1h).
    pub fn current_burn(&self) -> Option<f64> {
        self.burn_rates.get(&CURRENT_BURN_WINDOW).copied().flatten()
    }

    /// The most severe firing tier, if any.
    pub fn worst_firing(&self) -> Option<&TierState> {
        self.alerts
            .iter()
            .filter(|t| t.firing)
            .min_by_key(|t| t.spec.severity)
    }
}

/// Computes an SLO's report from its counts per window. Windows missing from `counts` are
/// "no data", never zero.
pub fn evaluate(
    spec: &SloSpec,
    counts: &BTreeMap<Window, Counts>,
    tiers: &[TierSpec],
) -> SloReport {
    let burn = |w: Window| {
        counts
            .get(&w)
            .and_then(|c| math::burn_rate(*c, spec.objective))
    };
    let mut burn_rates: BTreeMap<Window, Option<f64>> =
        STANDARD_WINDOWS.iter().map(|&w| (w, burn(w))).collect();
    for tier in tiers {
        for w in [tier.long_window, tier.short_window] {
            burn_rates.entry(w).or_insert_with(|| burn(w));
        }
    }
    let period_counts = counts.get(&spec.budget_window()).copied();
    let sli = period_counts.and_then(math::sli);
    let budget_remaining = period_counts.and_then(|c| math::budget_remaining(c, spec.objective));
    let current = burn_rates.get(&CURRENT_BURN_WINDOW).copied().flatten();
    let exhaustion = math::time_to_exhaustion(budget_remaining, spec.period, current);
    let alerts = tiers
        .iter()
        .map(|&tier| {
            let long = burn_rates.get(&tier.long_window).copied().flatten();
            let short = burn_rates.get(&tier.short_window).copied().flatten();
            evaluate_tier(tier, spec.period, long, short)
        })
        .collect();
    SloReport {
        spec: spec.clone(),
        sli,
        budget_remaining,
        burn_rates,
        exhaustion,
        alerts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slo::spec::SliKind;
    use crate::slo::tiers::{Severity, default_tiers};

    fn spec() -> SloSpec {
        SloSpec::new(
            "checkout",
            "availability",
            0.999,
            Window::days(30),
            SliKind::Availability,
        )
    }

    #[test]
    fn a_fast_burn_pages_and_projects_exhaustion() {
        let mut counts = BTreeMap::new();
        // 2% errors for the last hour and last 5 minutes: 20x on a 99.9% SLO.
        counts.insert(
            Window::minutes(5),
            Counts {
                bad: 20.0,
                total: 1000.0,
            },
        );
        counts.insert(
            Window::hours(1),
            Counts {
                bad: 240.0,
                total: 12_000.0,
            },
        );
        // 40% of the month's budget spent.
        counts.insert(
            Window::days(30),
            Counts {
                bad: 4_000.0,
                total: 10_000_000.0,
            },
        );
        let report = evaluate(&spec(), &counts, &default_tiers());
        assert!((report.budget_remaining.unwrap() - 0.6).abs() < 1e-12);
        assert!((report.current_burn().unwrap() - 20.0).abs() < 1e-9);
        let firing = report.worst_firing().unwrap();
        assert_eq!(firing.spec.severity, Severity::Page);
        assert_eq!(firing.spec.long_window, Window::hours(1));
        // 0.6 of 30 days at 20x = 0.9 days.
        let secs = report.exhaustion.seconds().unwrap();
        assert!((secs - 0.9 * 86_400.0).abs() < 1e-6, "{secs}");
        // Windows without counts are no data, and tiers depending on them do not fire.
        assert_eq!(report.burn_rates[&Window::days(3)], None);
        assert!(!report.alerts[3].firing);
    }

    #[test]
    fn no_traffic_reports_no_data() {
        let report = evaluate(&spec(), &BTreeMap::new(), &default_tiers());
        assert_eq!(report.sli, None);
        assert_eq!(report.budget_remaining, None);
        assert_eq!(report.exhaustion, Exhaustion::NoData);
        assert!(report.worst_firing().is_none());
    }
}
