//! What a source remembers between refreshes so a window it does not evaluate this time (see
//! `cadence`) keeps its last counts: the schedule of evaluation instants and the counts of
//! the last refresh, by SLO id.
//!
//! A refresh assembles the windows it evaluated; [`Memory::carry`] then gives every
//! observation the counts of its other windows from the last refresh, and keeps an
//! observation the new answers no longer name (a group whose series went quiet in the short
//! windows) for the windows it still has. A window whose evaluation failed keeps its older
//! counts too, with its older instant, so it turns stale in the cockpit rather than empty.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::cadence::Schedule;
use crate::model::SloObservation;
use crate::slo::{Counts, SloSpec, Window};

/// The counts of one SLO (or group) by window, as last refreshed.
type Kept = BTreeMap<Window, Counts>;

/// A source's memory of its last refresh.
#[derive(Debug, Default)]
pub struct Memory {
    /// When each window was last evaluated.
    pub schedule: Schedule,
    /// The last counts of every observation, in the order they were sent.
    kept: Vec<(SloSpec, Kept)>,
}

impl Memory {
    /// Completes `observations`, which hold counts for the `fresh` windows only (those
    /// evaluated successfully at `at`): every window outside `fresh` and inside `windows`
    /// (the plan's windows now) takes its last counts. Then remembers the result and marks
    /// the fresh windows evaluated at `at`.
    pub fn carry(
        &mut self,
        observations: &mut Vec<SloObservation>,
        fresh: &BTreeSet<Window>,
        windows: &BTreeSet<Window>,
        at: DateTime<Utc>,
    ) {
        let old = std::mem::take(&mut self.kept);
        let index: HashMap<String, usize> = observations
            .iter()
            .enumerate()
            .map(|(i, o)| (o.spec.id.clone(), i))
            .collect();
        let carried = |w: &Window| windows.contains(w) && !fresh.contains(w);
        let mut orphans = Vec::new();
        for (spec, counts) in old {
            let counts: Kept = counts.into_iter().filter(|(w, _)| carried(w)).collect();
            if counts.is_empty() {
                continue;
            }
            match index.get(&spec.id) {
                Some(&i) => {
                    for (w, c) in counts {
                        observations[i].counts.entry(w).or_insert(c);
                    }
                }
                // A group the fresh answers no longer name keeps its other windows.
                None => orphans.push(SloObservation {
                    spec,
                    counts,
                    trend: Vec::new(),
                    issues: Vec::new(),
                }),
            }
        }
        drop(index);
        observations.extend(orphans);
        self.kept = observations
            .iter()
            .map(|o| (o.spec.clone(), o.counts.clone()))
            .collect();
        for &w in fresh {
            self.schedule.mark(w, at);
        }
        self.schedule.refreshed(at);
        self.schedule.retain(|w| windows.contains(&w));
    }
}
