//! How current each value on screen is. Everything drawn from a source names its source and
//! feed ([`Sourced`]); [`State::freshness_of`] turns that into the feed's [`Freshness`] as of
//! the last tick, so every pane, the overview's counts and `snapshot` ask the one question
//! the same way and a failed poll can never leave an old number looking current.

use chrono::{DateTime, Utc};

use crate::model::{Incident, OnCall, ServiceMetrics, Silence};
use crate::sources::Feed;
use crate::sources::prometheus::cadence::current_for;

use super::sources::{Health, STALE_AFTER_INTERVALS, SourceStatus};
use super::{FiringAlert, SloRow, State};

/// How current the data of one feed is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The feed answered within its last few intervals.
    Current,
    /// The feed has data, but it is `age_secs` old: the source went stale or its latest
    /// poll failed. Render draws such data in the theme's `stale` role with its age.
    Old {
        /// Seconds since the last good data.
        age_secs: i64,
        /// Whether the latest poll failed (else it is merely late).
        failed: bool,
    },
    /// The feed has given no data yet: still loading, or failing since the start.
    Missing {
        /// Whether the latest poll failed (else it is still loading).
        failed: bool,
    },
}

impl Freshness {
    /// Whether data from the feed can be shown as current.
    pub fn is_current(self) -> bool {
        self == Freshness::Current
    }

    /// The freshness of `status`'s data at `now`: its health, and for a metrics feed also its
    /// windows evaluated at an earlier refresh — each is current for its cadence plus the
    /// intervals a feed is given (see `sources::prometheus::cadence::current_for`); a window
    /// older than that makes the feed's data old by that window's age.
    pub fn of_status(status: &SourceStatus, now: DateTime<Utc>) -> Self {
        let health = Freshness::of(&status.health(now));
        let overdue = status
            .evaluated
            .iter()
            .filter_map(|(&window, &at)| {
                let age = (now - at).to_std().unwrap_or_default();
                let current = current_for(window, status.refresh, STALE_AFTER_INTERVALS);
                (age > current).then(|| (now - at).num_seconds())
            })
            .max();
        match overdue {
            Some(age_secs) => health.worst(Freshness::Old {
                age_secs,
                failed: false,
            }),
            None => health,
        }
    }

    /// The freshness of a feed in `health`.
    pub fn of(health: &Health) -> Self {
        match health {
            Health::Fresh { .. } => Freshness::Current,
            Health::Loading => Freshness::Missing { failed: false },
            Health::Stale { age_secs } => Freshness::Old {
                age_secs: *age_secs,
                failed: false,
            },
            Health::Failed {
                last_ok_age_secs: Some(age_secs),
                ..
            } => Freshness::Old {
                age_secs: *age_secs,
                failed: true,
            },
            Health::Failed {
                last_ok_age_secs: None,
                ..
            } => Freshness::Missing { failed: true },
        }
    }

    /// The less current of two: missing before old, older before younger.
    pub fn worst(self, other: Freshness) -> Freshness {
        let rank = |f: Freshness| match f {
            Freshness::Current => (0, 0),
            Freshness::Old { age_secs, .. } => (1, age_secs),
            Freshness::Missing { .. } => (2, 0),
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// Data that came from one feed of one source.
pub trait Sourced {
    /// The configured source name and the feed the data came from.
    fn origin(&self) -> (&str, Feed);
}

impl Sourced for SloRow {
    fn origin(&self) -> (&str, Feed) {
        (&self.source, Feed::Metrics)
    }
}

impl Sourced for FiringAlert<'_> {
    fn origin(&self) -> (&str, Feed) {
        self.slo.origin()
    }
}

impl Sourced for Incident {
    fn origin(&self) -> (&str, Feed) {
        (&self.source, Feed::Incidents)
    }
}

impl Sourced for OnCall {
    fn origin(&self) -> (&str, Feed) {
        (&self.source, Feed::Incidents)
    }
}

impl Sourced for Silence {
    fn origin(&self) -> (&str, Feed) {
        (&self.source, Feed::Incidents)
    }
}

/// One service's trends with the metrics source whose poll brought them.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceTrends {
    /// The metrics source.
    pub source: String,
    /// The trends.
    pub metrics: ServiceMetrics,
    /// The instant their newest sample is for (the metrics poll's evaluation instant), so a
    /// change can be placed under the right sample.
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Sourced for ServiceTrends {
    fn origin(&self) -> (&str, Feed) {
        (&self.source, Feed::Metrics)
    }
}

impl State {
    /// How current the data of `source`'s `feed` is at the last tick. A feed that is not
    /// registered has given nothing this state knows of: [`Freshness::Missing`].
    pub fn freshness(&self, source: &str, feed: Feed) -> Freshness {
        self.feed_status(source, feed)
            .map_or(Freshness::Missing { failed: false }, |s| {
                Freshness::of_status(s, self.now)
            })
    }

    /// The status of `source`'s `feed`, if it is registered.
    pub fn feed_status(&self, source: &str, feed: Feed) -> Option<&SourceStatus> {
        self.sources
            .iter()
            .find(|s| s.name == source && s.feed == feed)
    }

    /// How current `value` is: its source's feed's freshness.
    pub fn freshness_of(&self, value: &impl Sourced) -> Freshness {
        let (source, feed) = value.origin();
        self.freshness(source, feed)
    }

    /// Every source of `feed` whose data is not current, in config order, with its freshness:
    /// what a count or list summing that feed must admit to.
    pub fn not_current(&self, feed: Feed) -> Vec<(&str, Freshness)> {
        self.sources
            .iter()
            .filter(|s| s.feed == feed)
            .map(|s| (s.name.as_str(), Freshness::of_status(s, self.now)))
            .filter(|(_, f)| !f.is_current())
            .collect()
    }

    /// The least current of `feed`'s sources: how far a figure summed over all of them can
    /// be trusted. [`Freshness::Current`] when every source of the feed is (or there is none).
    pub fn feed_freshness(&self, feed: Feed) -> Freshness {
        self.not_current(feed)
            .into_iter()
            .fold(Freshness::Current, |worst, (_, f)| worst.worst(f))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::slo::default_tiers;
    use crate::state::sources::Failure;

    fn state() -> State {
        let now = Utc.timestamp_opt(1_000_000, 0).unwrap();
        let mut state = State::new(now, default_tiers());
        let ok = |name: &str, feed, ago: i64| {
            let mut s = SourceStatus::new(name, "x", feed, Duration::from_secs(10));
            s.last_ok = Some(now - chrono::Duration::seconds(ago));
            s
        };
        let mut failed = ok("prom", Feed::Metrics, 200);
        failed.failure = Some(Failure {
            error: "connection refused".into(),
            since: now,
            retry_at: None,
        });
        let mut never = SourceStatus::new("pd", "pagerduty", Feed::Incidents, Duration::ZERO);
        never.failure = failed.failure.clone();
        state.sources = vec![
            ok("demo", Feed::Metrics, 3),
            ok("demo", Feed::Incidents, 45),
            failed,
            never,
        ];
        state
    }

    #[test]
    fn each_feed_answers_for_itself() {
        let state = state();
        assert_eq!(state.freshness("demo", Feed::Metrics), Freshness::Current);
        // 45 s without an answer at a 10 s refresh: late, not failed.
        assert_eq!(
            state.freshness("demo", Feed::Incidents),
            Freshness::Old {
                age_secs: 45,
                failed: false
            }
        );
        assert_eq!(
            state.freshness("prom", Feed::Metrics),
            Freshness::Old {
                age_secs: 200,
                failed: true
            }
        );
        assert_eq!(
            state.freshness("pd", Feed::Incidents),
            Freshness::Missing { failed: true }
        );
        assert_eq!(
            state.freshness("nowhere", Feed::Metrics),
            Freshness::Missing { failed: false }
        );
    }

    #[test]
    fn a_figure_over_a_feed_is_as_current_as_its_least_current_source() {
        let state = state();
        assert_eq!(
            state.feed_freshness(Feed::Metrics),
            Freshness::Old {
                age_secs: 200,
                failed: true
            }
        );
        assert_eq!(
            state.feed_freshness(Feed::Incidents),
            Freshness::Missing { failed: true },
            "a source that never answered outranks an old one"
        );
        let names: Vec<&str> = state
            .not_current(Feed::Incidents)
            .iter()
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(names, ["demo", "pd"]);
    }

    #[test]
    fn values_are_looked_up_by_their_own_source() {
        let state = state();
        let incident = Incident::new("demo", "1", "t", "svc", state.now);
        assert!(!state.freshness_of(&incident).is_current());
        let trends = ServiceTrends {
            source: "demo".into(),
            metrics: ServiceMetrics::default(),
            at: state.now,
        };
        assert!(state.freshness_of(&trends).is_current());
    }

    #[test]
    fn a_window_kept_past_its_cadence_makes_the_metrics_old_by_its_age() {
        use crate::slo::Window;
        let mut state = state();
        let now = state.now;
        let prom = SourceStatus {
            last_ok: Some(now - chrono::Duration::seconds(5)),
            ..SourceStatus::new("vm", "prometheus", Feed::Metrics, Duration::from_secs(30))
        };
        state.sources.push(prom);
        let status = state.sources.last_mut().unwrap();
        // The 30d window waits 10 minutes between evaluations; with a 30 s refresh it counts
        // as current for 10 minutes and three refreshes more.
        status
            .evaluated
            .insert(Window::days(30), now - chrono::Duration::seconds(690));
        status
            .evaluated
            .insert(Window::hours(6), now - chrono::Duration::seconds(60));
        assert_eq!(state.freshness("vm", Feed::Metrics), Freshness::Current);
        state.now = now + chrono::Duration::seconds(1);
        assert_eq!(
            state.freshness("vm", Feed::Metrics),
            Freshness::Old {
                age_secs: 691,
                failed: false
            },
            "the 30d values are older than 10 minutes and three refreshes"
        );
        assert!(
            state
                .not_current(Feed::Metrics)
                .iter()
                .any(|(name, _)| *name == "vm")
        );
    }
}
