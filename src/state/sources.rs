//! Each source feed's health, so a failing backend shows as such while its last good data stays.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::slo::Window;
use crate::sources::Feed;

/// A source that has not answered for this many refresh intervals is stale.
pub const STALE_AFTER_INTERVALS: u32 = 3;

/// Health of one source feed.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceStatus {
    /// Configured source name.
    pub name: String,
    /// Backend kind.
    pub kind: String,
    /// Which feed.
    pub feed: Feed,
    /// Poll interval.
    pub refresh: Duration,
    /// When the last good data arrived.
    pub last_ok: Option<DateTime<Utc>>,
    /// The latest failure, cleared by the next success.
    pub failure: Option<Failure>,
    /// Parts of the last good poll that failed (on-call lookup, silences), in plain words.
    pub warnings: Vec<String>,
    /// For a metrics feed, the windows whose values in the last good poll were evaluated at
    /// an earlier refresh, with that instant (long windows are evaluated less often; see
    /// [`crate::state::Freshness`] for when they count as old).
    pub evaluated: BTreeMap<Window, DateTime<Utc>>,
}

/// Why a source's latest poll failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// What went wrong, in plain words.
    pub error: String,
    /// When failures began.
    pub since: DateTime<Utc>,
    /// When the poller tries again.
    pub retry_at: Option<DateTime<Utc>>,
}

/// What the status bar shows for a feed.
#[derive(Debug, Clone, PartialEq)]
pub enum Health {
    /// No answer yet.
    Loading,
    /// Answered within the last few intervals.
    Fresh {
        /// Seconds since the last good data.
        age_secs: i64,
    },
    /// No good data for a while, but no error either.
    Stale {
        /// Seconds since the last good data.
        age_secs: i64,
    },
    /// The latest poll failed.
    Failed {
        /// Why.
        error: String,
        /// Seconds since the last good data, if there ever was any.
        last_ok_age_secs: Option<i64>,
        /// Seconds until the next attempt.
        retry_in_secs: Option<i64>,
    },
}

impl SourceStatus {
    /// A feed that has not been polled yet.
    pub fn new(name: &str, kind: &str, feed: Feed, refresh: Duration) -> Self {
        Self {
            name: name.to_string(),
            kind: kind.to_string(),
            feed,
            refresh,
            last_ok: None,
            failure: None,
            warnings: Vec::new(),
            evaluated: BTreeMap::new(),
        }
    }

    /// Health as of `now`.
    pub fn health(&self, now: DateTime<Utc>) -> Health {
        let age = self.last_ok.map(|at| (now - at).num_seconds().max(0));
        if let Some(failure) = &self.failure {
            return Health::Failed {
                error: failure.error.clone(),
                last_ok_age_secs: age,
                retry_in_secs: failure.retry_at.map(|at| (at - now).num_seconds().max(0)),
            };
        }
        let stale_after = self.refresh.as_secs().max(1) as i64 * i64::from(STALE_AFTER_INTERVALS);
        match age {
            None => Health::Loading,
            Some(age_secs) if age_secs > stale_after => Health::Stale { age_secs },
            Some(age_secs) => Health::Fresh { age_secs },
        }
    }
}
