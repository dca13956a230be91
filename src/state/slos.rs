//! SLO rows for the executive pane and the firing tiers for the on-call pane, and a metrics
//! poll made into rows ([`SloRows`]) — off the loop's task in the cockpit, so thousands of
//! SLOs never hold a key back.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::model::{MetricsSnapshot, ServiceMetrics};
use crate::slo::{Severity, SloReport, TierSpec, TierState, Window, evaluate, tiers_for};

use super::State;

/// One SLO as the executive pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SloRow {
    /// Source that measured it.
    pub source: String,
    /// Computed numbers.
    pub report: SloReport,
    /// Recent burn-rate samples for the sparkline, oldest first.
    pub trend: Vec<f64>,
    /// Why some of its numbers are missing (query errors), from the latest refresh.
    pub issues: Vec<String>,
}

/// Identifies an SLO across sources: two sources may both measure `checkout/availability`
/// (the demo next to a real backend), and the cursor must stay on the one it was on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SloKey {
    /// Source name.
    pub source: String,
    /// `service/name` within the source.
    pub id: String,
}

impl SloRow {
    /// This row's key.
    pub fn key(&self) -> SloKey {
        SloKey {
            source: self.source.clone(),
            id: self.report.spec.id.clone(),
        }
    }
}

/// One metrics poll as rows: each SLO evaluated, in [`risk_order`].
#[derive(Debug, Clone, PartialEq)]
pub struct SloRows {
    /// The rows, most at risk first.
    pub rows: Vec<SloRow>,
    /// Trends per service.
    pub services: Vec<ServiceMetrics>,
    /// Windows evaluated at an earlier refresh, with that instant
    /// ([`MetricsSnapshot::evaluated`]).
    pub evaluated: BTreeMap<Window, DateTime<Utc>>,
    /// The poll's evaluation instant, which the service trends' newest sample is for.
    pub at: DateTime<Utc>,
}

impl SloRows {
    /// Evaluates every observation of `source`'s `snapshot` against its tiers (`tiers`, or
    /// `by_period`'s for its period) and orders the rows by risk.
    pub fn prepare(
        source: &str,
        snapshot: MetricsSnapshot,
        tiers: &[TierSpec],
        by_period: &BTreeMap<Window, Vec<TierSpec>>,
    ) -> Self {
        let mut rows: Vec<SloRow> = snapshot
            .slos
            .into_iter()
            .map(|observation| SloRow {
                source: source.to_string(),
                report: evaluate(
                    &observation.spec,
                    &observation.counts,
                    tiers_for(tiers, by_period, observation.spec.period),
                ),
                trend: observation.trend,
                issues: observation.issues,
            })
            .collect();
        rows.sort_by(risk_order);
        Self {
            rows,
            services: snapshot.services,
            evaluated: snapshot.evaluated,
            at: snapshot.at,
        }
    }
}

/// `ours` and `theirs`, each in [`risk_order`], merged into one list in that order.
pub fn merge_in_risk_order(ours: Vec<SloRow>, theirs: Vec<SloRow>) -> Vec<SloRow> {
    if ours.is_empty() {
        return theirs;
    }
    if theirs.is_empty() {
        return ours;
    }
    let mut merged = Vec::with_capacity(ours.len() + theirs.len());
    let (mut a, mut b) = (ours.into_iter().peekable(), theirs.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        let next = if risk_order(x, y) == Ordering::Greater {
            b.next()
        } else {
            a.next()
        };
        merged.extend(next);
    }
    merged.extend(a);
    merged.extend(b);
    merged
}

/// A firing tier with the SLO it belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FiringAlert<'a> {
    /// The SLO row.
    pub slo: &'a SloRow,
    /// The tier.
    pub tier: &'a TierState,
}

/// Order rows most at risk first: paging tiers, then ticket tiers, then least budget left;
/// rows without data last. Ties break by id so the order is stable between refreshes.
pub fn risk_order(a: &SloRow, b: &SloRow) -> Ordering {
    let rank = |row: &SloRow| row.report.worst_firing().map(|t| t.spec.severity);
    let severity = match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    let budget = match (a.report.budget_remaining, b.report.budget_remaining) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    severity
        .then(budget)
        .then_with(|| a.report.spec.id.cmp(&b.report.spec.id))
}

impl State {
    /// Index of the selected SLO row (0 when nothing is selected yet).
    pub fn selected_slo_index(&self) -> usize {
        self.selected_slo
            .as_ref()
            .and_then(|key| {
                self.slos
                    .iter()
                    .position(|r| r.source == key.source && r.report.spec.id == key.id)
            })
            .unwrap_or(0)
    }

    /// The selected SLO row.
    pub fn selected_slo_row(&self) -> Option<&SloRow> {
        self.slos.get(self.selected_slo_index())
    }

    /// How many page-tier and how many ticket-tier alerts are firing: the overview's counts,
    /// without collecting and sorting [`State::firing_alerts`] on every frame.
    pub fn firing_counts(&self) -> (usize, usize) {
        let firing = self
            .slos
            .iter()
            .flat_map(|slo| slo.report.alerts.iter().filter(|t| t.firing));
        firing.fold((0, 0), |(pages, tickets), tier| match tier.spec.severity {
            Severity::Page => (pages + 1, tickets),
            Severity::Ticket => (pages, tickets + 1),
        })
    }

    /// Every firing tier across all SLOs, pages first, then by SLO risk order.
    pub fn firing_alerts(&self) -> Vec<FiringAlert<'_>> {
        let mut firing: Vec<FiringAlert<'_>> = self
            .slos
            .iter()
            .flat_map(|slo| {
                slo.report
                    .alerts
                    .iter()
                    .filter(|t| t.firing)
                    .map(move |tier| FiringAlert { slo, tier })
            })
            .collect();
        firing.sort_by_key(|f| f.tier.spec.severity);
        firing
    }
}
