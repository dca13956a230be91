//! Changes as the change sources last reported them, and the questions the panes ask of
//! them: what changed before this page (the incident's service and what it calls, the hour
//! before, nearest first), the last change of a service, and whether an SLO's burn began
//! shortly after a change on its service — its burn onset read from the service trends every
//! metrics poll already brings.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::debug::Load;
use super::freshness::Sourced;
use super::{IncidentKey, SloRow, State};
use crate::model::{Change, Incident};
use crate::slo::SliKind;
use crate::sources::Feed;

/// How far before a page its changes are looked for.
pub const BEFORE_PAGE: Duration = Duration::hours(1);

/// How long after a change a burn that begins is said to follow it.
pub const BURN_AFTER: Duration = Duration::minutes(30);

/// The change data and the changes list's cursor.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangesState {
    /// Changes as last reported, per change source.
    pub by_source: BTreeMap<String, Vec<Change>>,
    /// Changes PagerDuty relates to an incident, read when its detail is opened.
    pub related: BTreeMap<IncidentKey, Load<Vec<Change>>>,
    /// Selected row of the debug pane's changes list.
    pub selected: usize,
    /// Whether the service graph was asked for on behalf of "changed before this page".
    pub asked_graph: bool,
}

impl Sourced for Change {
    fn origin(&self) -> (&str, Feed) {
        (&self.source, Feed::Changes)
    }
}

/// When an SLO's current burn began, as its service's trend shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurnOnset {
    /// The first sample of the run of burning samples that reaches the newest one.
    pub at: DateTime<Utc>,
}

/// A change an SLO's burn began shortly after.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurnAfter<'a> {
    /// The change.
    pub change: &'a Change,
    /// How long after it the burn began.
    pub after: Duration,
}

impl State {
    /// Whether any change source is configured.
    pub fn has_change_sources(&self) -> bool {
        self.sources.iter().any(|s| s.feed == Feed::Changes)
    }

    /// Every change known, in no particular order.
    pub fn all_changes(&self) -> impl Iterator<Item = &Change> {
        self.changes.by_source.values().flatten()
    }

    /// The services `service` calls, from the tracing backend's service graph when it has
    /// been read.
    pub fn callees(&self, service: &str) -> Vec<&str> {
        let Some(edges) = self.debug.dependencies.ready() else {
            return Vec::new();
        };
        let mut out: Vec<&str> = edges
            .iter()
            .filter(|d| d.parent == service && d.child != service)
            .map(|d| d.child.as_str())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Changes to `services` between `since` and `until`, newest first, each once (a change
    /// two sources report, or one PagerDuty also relates, is kept once by source and id).
    pub fn changes_between<'a>(
        &'a self,
        services: &[&str],
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        extra: &'a [Change],
    ) -> Vec<&'a Change> {
        let mut out: Vec<&Change> = self
            .all_changes()
            .chain(extra)
            .filter(|c| services.contains(&c.service.as_str()) && c.at >= since && c.at <= until)
            .collect();
        out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
        out.dedup_by(|a, b| a.source == b.source && a.id == b.id);
        out
    }

    /// What changed in the hour before `incident` fired: its service and the services it
    /// calls, plus what its backend relates to it, nearest first.
    pub fn changes_before(&self, incident: &Incident) -> Vec<&Change> {
        let mut services = vec![incident.service.as_str()];
        services.extend(self.callees(&incident.service));
        let related = self
            .changes
            .related
            .get(&IncidentKey::of(incident))
            .and_then(Load::ready)
            .map_or(&[][..], Vec::as_slice);
        let until = incident.created_at;
        let mut out = self.changes_between(&services, until - BEFORE_PAGE, until, &[]);
        // What the backend relates to the page is shown whatever its service or time.
        for change in related {
            if !out
                .iter()
                .any(|c| c.source == change.source && c.id == change.id)
            {
                out.push(change);
            }
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.at));
        out
    }

    /// The latest change of `service` up to now.
    pub fn last_change(&self, service: &str) -> Option<&Change> {
        self.all_changes()
            .filter(|c| c.service == service && c.at <= self.now)
            .max_by_key(|c| c.at)
    }

    /// The changes the debug pane lists for `service`: its own and those of the services it
    /// calls, over the `range` before now, newest first.
    pub fn service_changes(&self, service: &str, range: Duration) -> Vec<&Change> {
        let mut services = vec![service];
        services.extend(self.callees(service));
        self.changes_between(&services, self.now - range, self.now, &[])
    }

    /// When `row`'s burn began, from its service's trend: availability from the error rate
    /// (a sample burns when it spends budget faster than the period allows), latency from the
    /// highest quantile the trend has that the objective still covers (p99 above the
    /// threshold means more than 1% slow). `None` when the newest sample is not burning, when
    /// the burn reaches past the trend's start, or when there is no trend to read.
    pub fn burn_onset(&self, row: &SloRow) -> Option<BurnOnset> {
        let spec = &row.report.spec;
        let trends = self.services.get(&spec.service)?;
        let m = &trends.metrics;
        let budget = 1.0 - spec.objective;
        let burning: Vec<bool> = match spec.sli {
            SliKind::Availability => m
                .error_rate
                .iter()
                .map(|e| e.is_finite() && budget > 0.0 && *e / budget >= 1.0)
                .collect(),
            SliKind::Latency { threshold_seconds } => {
                let series = [(0.99, &m.p99), (0.95, &m.p95), (0.5, &m.p50)]
                    .into_iter()
                    .find(|(q, _)| *q <= spec.objective)?
                    .1;
                series
                    .iter()
                    .map(|v| v.is_finite() && *v > threshold_seconds)
                    .collect()
            }
        };
        if !burning.last().copied().unwrap_or(false) {
            return None;
        }
        let run = burning.iter().rev().take_while(|b| **b).count();
        if run == burning.len() {
            return None;
        }
        let first = burning.len() - run;
        let step = Duration::seconds(i64::try_from(m.step_seconds).ok()?);
        let back = i32::try_from(burning.len() - 1 - first).ok()?;
        Some(BurnOnset {
            at: trends.at - step * back,
        })
    }

    /// The change on `row`'s service its current burn began within [`BURN_AFTER`] of, the
    /// latest such one.
    pub fn burn_after_change(&self, row: &SloRow) -> Option<BurnAfter<'_>> {
        let onset = self.burn_onset(row)?.at;
        let service = row.report.spec.service.as_str();
        let change = self
            .all_changes()
            .filter(|c| c.service == service && c.at <= onset && onset - c.at <= BURN_AFTER)
            .max_by_key(|c| c.at)?;
        Some(BurnAfter {
            change,
            after: onset - change.at,
        })
    }
}
