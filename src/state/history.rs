//! MTTA and MTTR from the incident history each source keeps, with what they were counted
//! over and why a number is missing. Never from the open-incident list: it holds only what
//! is still open, so MTTR would never appear and MTTA would cover only unresolved pages.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use crate::model::{HistoryReport, HistoryUpdate, IncidentHistory};
use crate::sources::Feed;

use super::State;

/// A history older than this many refreshes is drawn stale.
const STALE_AFTER: i64 = 3;

/// What the state knows of one source's incident history.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceHistory {
    /// The latest good read and when it finished.
    pub latest: Option<(DateTime<Utc>, HistoryReport)>,
    /// Why the latest read failed, if it did; cleared by the next good read.
    pub error: Option<String>,
}

impl SourceHistory {
    /// Takes in a finished read: a good one replaces the last, a failure keeps it.
    pub fn apply(&mut self, update: HistoryUpdate) {
        match update.outcome {
            Ok(report) => {
                self.latest = Some((update.at, report));
                self.error = None;
            }
            Err(error) => self.error = Some(error),
        }
    }
}

/// A mean over a window, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// The mean and how many incidents it counts.
    Mean {
        /// The mean duration.
        value: Duration,
        /// Incidents counted.
        counted: usize,
    },
    /// Why no mean can be given, in words the overview shows.
    Missing(String),
}

impl Measure {
    /// The mean, if there is one.
    pub fn value(&self) -> Option<Duration> {
        match self {
            Measure::Mean { value, .. } => Some(*value),
            Measure::Missing(_) => None,
        }
    }
}

/// Mean time to acknowledge and to resolve over the history window, across sources.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseTimes {
    /// The window, in days.
    pub window_days: i64,
    /// Mean opened → first acknowledged, over incidents opened in the window and acknowledged.
    pub mtta: Measure,
    /// Mean opened → resolved, over incidents opened in the window and resolved.
    pub mttr: Measure,
    /// Incidents opened in the window across the sources counted.
    pub opened: usize,
    /// Seconds since the oldest history counted was read.
    pub age_secs: Option<i64>,
    /// Whether a history counted is old or its latest read failed: draw it stale.
    pub stale: bool,
    /// What the numbers leave out or why some source is missing, one line per source.
    pub notes: Vec<String>,
}

fn mean(durations: impl Iterator<Item = Duration>) -> Option<(Duration, usize)> {
    let (sum, n) = durations
        .map(|d| d.max(Duration::zero()))
        .fold((Duration::zero(), 0i32), |(s, n), d| (s + d, n + 1));
    (n > 0).then(|| (sum / n, usize::try_from(n).unwrap_or(0)))
}

/// MTTA and MTTR over `histories` (one per incident source named in `sources`) as of `now`.
/// `refresh` is how often history is read; older reads are stale. A source in `failing`
/// that has no history yet is said to be failing, not loading: history is read with its
/// polls.
pub fn response_times(
    sources: &[&str],
    failing: &[&str],
    histories: &BTreeMap<String, SourceHistory>,
    window: Duration,
    refresh: Duration,
    now: DateTime<Utc>,
) -> ResponseTimes {
    let mut counted: Vec<&IncidentHistory> = Vec::new();
    let mut acknowledging: Vec<&IncidentHistory> = Vec::new();
    let mut notes = Vec::new();
    let mut reasons = Vec::new();
    let mut loading = Vec::new();
    let mut oldest: Option<DateTime<Utc>> = None;
    let mut stale = false;
    let unread = SourceHistory::default();
    for &name in sources {
        let known = histories.get(name).unwrap_or(&unread);
        match (&known.latest, &known.error) {
            (None, None) if failing.contains(&name) => {
                reasons.push(format!("{name}: not read while the source is failing"));
            }
            (None, None) => loading.push(name),
            (None, Some(error)) => reasons.push(format!("{name}: history failed: {error}")),
            (Some((_, HistoryReport::Unavailable(why))), _) => {
                reasons.push(format!("{name}: {why}"))
            }
            (Some((at, HistoryReport::Recorded(history))), error) => {
                counted.push(history);
                match &history.no_acknowledgements {
                    Some(why) => notes.push(format!("{name}: not in MTTA: {why}")),
                    None => acknowledging.push(history),
                }
                if let Some(incomplete) = &history.incomplete {
                    notes.push(format!("{name}: {incomplete}"));
                }
                if let Some(error) = error {
                    notes.push(format!(
                        "{name}: history failed, showing an older read: {error}"
                    ));
                    stale = true;
                }
                oldest = Some(oldest.map_or(*at, |o: DateTime<Utc>| o.min(*at)));
            }
        }
    }
    let age_secs = oldest.map(|at| (now - at).num_seconds().max(0));
    stale |= age_secs.is_some_and(|age| age > refresh.num_seconds() * STALE_AFTER);
    if !counted.is_empty() {
        notes.extend(reasons.iter().map(|r| format!("not counted: {r}")));
        notes.extend(
            loading
                .iter()
                .map(|l| format!("not counted yet: {l}: history loading")),
        );
    }
    let days = window.num_days();
    let why_none = |what: &str| {
        if sources.is_empty() {
            "no incident source is configured".to_string()
        } else if !loading.is_empty() && reasons.is_empty() {
            "history loading".to_string()
        } else if counted.is_empty() {
            let mut all = reasons.clone();
            all.extend(loading.iter().map(|l| format!("{l}: history loading")));
            all.join("; ")
        } else {
            format!("no incident {what} in the last {days}d")
        }
    };
    let mtta = match mean(
        acknowledging
            .iter()
            .flat_map(|h| &h.incidents)
            .filter_map(|i| i.to_acknowledge()),
    ) {
        Some((value, n)) => Measure::Mean { value, counted: n },
        None if !counted.is_empty() && acknowledging.is_empty() => {
            Measure::Missing("no source counted records acknowledgements".to_string())
        }
        None => Measure::Missing(why_none("acknowledged")),
    };
    let mttr = match mean(
        counted
            .iter()
            .flat_map(|h| &h.incidents)
            .filter_map(|i| i.to_resolve()),
    ) {
        Some((value, n)) => Measure::Mean { value, counted: n },
        None => Measure::Missing(why_none("resolved")),
    };
    ResponseTimes {
        window_days: days,
        mtta,
        mttr,
        opened: counted.iter().map(|h| h.incidents.len()).sum(),
        age_secs,
        stale,
        notes,
    }
}

impl State {
    /// MTTA and MTTR over the history window, from every incident source's history.
    pub fn response_times(&self) -> ResponseTimes {
        let mut sources: Vec<&str> = Vec::new();
        for status in self.sources.iter().filter(|s| s.feed == Feed::Incidents) {
            if !sources.contains(&status.name.as_str()) {
                sources.push(&status.name);
            }
        }
        let failing: Vec<&str> = self
            .sources
            .iter()
            .filter(|s| s.feed == Feed::Incidents)
            .filter(|s| matches!(s.health(self.now), super::Health::Failed { .. }))
            .map(|s| s.name.as_str())
            .collect();
        let refresh =
            Duration::from_std(crate::sources::history::REFRESH).unwrap_or(Duration::minutes(5));
        response_times(
            &sources,
            &failing,
            &self.history,
            crate::sources::history::WINDOW,
            refresh,
            self.now,
        )
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::PastIncident;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap()
    }

    fn minutes(m: i64) -> Duration {
        Duration::minutes(m)
    }

    /// A read `age` minutes old of incidents as (opened minutes ago, ack after, resolve after).
    fn read(age: i64, incidents: &[(i64, Option<i64>, Option<i64>)]) -> SourceHistory {
        let at = now() - minutes(age);
        let mut history = IncidentHistory::new(at - Duration::days(30), at);
        history.incidents = incidents
            .iter()
            .enumerate()
            .map(|(n, &(opened, ack, resolve))| {
                let created_at = now() - minutes(opened);
                PastIncident {
                    id: n.to_string(),
                    created_at,
                    acknowledged_at: ack.map(|m| created_at + minutes(m)),
                    resolved_at: resolve.map(|m| created_at + minutes(m)),
                }
            })
            .collect();
        SourceHistory {
            latest: Some((at, HistoryReport::Recorded(history))),
            error: None,
        }
    }

    fn times(sources: &[&str], histories: &[(&str, SourceHistory)]) -> ResponseTimes {
        let histories: BTreeMap<String, SourceHistory> = histories
            .iter()
            .map(|(name, h)| (name.to_string(), h.clone()))
            .collect();
        response_times(
            sources,
            &[],
            &histories,
            Duration::days(30),
            minutes(5),
            now(),
        )
    }

    fn mean(value: i64, counted: usize) -> Measure {
        Measure::Mean {
            value: minutes(value),
            counted,
        }
    }

    #[test]
    fn means_count_every_source_and_say_over_how_many() {
        let pd = read(
            2,
            &[
                (600, Some(4), Some(60)),
                (300, Some(8), None),
                (10, None, None),
            ],
        );
        let og = read(3, &[(900, Some(6), Some(120))]);
        let t = times(&["pd", "og"], &[("pd", pd), ("og", og)]);
        // (4 + 8 + 6) / 3 and (60 + 120) / 2.
        assert_eq!(t.mtta, mean(6, 3));
        assert_eq!(t.mttr, mean(90, 2));
        assert_eq!(t.opened, 4);
        assert_eq!(t.age_secs, Some(180), "the oldest read counts");
        assert!(!t.stale);
        assert!(t.notes.is_empty(), "{:?}", t.notes);
    }

    #[test]
    fn nothing_read_yet_is_loading_and_no_source_is_said_so() {
        let t = times(&["pd"], &[]);
        assert_eq!(t.mtta, Measure::Missing("history loading".into()));
        assert_eq!(t.mttr, Measure::Missing("history loading".into()));
        assert_eq!(t.age_secs, None);
        let t = times(&[], &[]);
        assert_eq!(
            t.mttr,
            Measure::Missing("no incident source is configured".into())
        );
    }

    #[test]
    fn a_source_without_history_is_named_and_the_others_still_count() {
        let am = SourceHistory {
            latest: Some((
                now(),
                HistoryReport::Unavailable("Alertmanager keeps no history".into()),
            )),
            error: None,
        };
        let t = times(&["am"], &[("am", am.clone())]);
        assert_eq!(
            t.mtta,
            Measure::Missing("am: Alertmanager keeps no history".into())
        );
        let pd = read(1, &[(60, Some(5), Some(30))]);
        let t = times(&["am", "pd"], &[("am", am), ("pd", pd)]);
        assert_eq!(t.mtta, mean(5, 1));
        assert_eq!(
            t.notes,
            ["not counted: am: Alertmanager keeps no history".to_string()]
        );
    }

    #[test]
    fn a_history_without_acknowledgements_counts_for_mttr_only() {
        let mut am = read(1, &[(60, None, Some(20))]);
        if let Some((_, HistoryReport::Recorded(h))) = &mut am.latest {
            h.no_acknowledgements = Some("Alertmanager has no acknowledgements".into());
        }
        let t = times(&["am"], &[("am", am)]);
        assert_eq!(t.mttr, mean(20, 1));
        assert_eq!(
            t.mtta,
            Measure::Missing("no source counted records acknowledgements".into())
        );
        assert_eq!(
            t.notes,
            ["am: not in MTTA: Alertmanager has no acknowledgements".to_string()]
        );
    }

    #[test]
    fn none_acknowledged_in_the_window_is_said_so_not_zero() {
        let pd = read(1, &[(60, None, None)]);
        let t = times(&["pd"], &[("pd", pd)]);
        assert_eq!(
            t.mtta,
            Measure::Missing("no incident acknowledged in the last 30d".into())
        );
        assert_eq!(t.opened, 1);
    }

    #[test]
    fn a_failed_or_old_read_is_stale_and_keeps_the_last_numbers() {
        let mut pd = read(1, &[(60, Some(5), Some(30))]);
        pd.apply(HistoryUpdate {
            at: now(),
            outcome: Err("HTTP 503: unavailable".into()),
        });
        let t = times(&["pd"], &[("pd", pd)]);
        assert_eq!(t.mtta, mean(5, 1));
        assert!(t.stale);
        assert!(t.notes[0].contains("HTTP 503"), "{:?}", t.notes);
        // Three refreshes (15 minutes) old is the most a fresh history may be.
        let t = times(&["pd"], &[("pd", read(15, &[(60, Some(5), None)]))]);
        assert!(!t.stale);
        let t = times(&["pd"], &[("pd", read(16, &[(60, Some(5), None)]))]);
        assert!(t.stale);
    }

    #[test]
    fn a_failing_source_without_history_is_not_loading() {
        let histories = BTreeMap::new();
        let t = response_times(
            &["pd"],
            &["pd"],
            &histories,
            Duration::days(30),
            minutes(5),
            now(),
        );
        assert_eq!(
            t.mtta,
            Measure::Missing("pd: not read while the source is failing".into())
        );
    }

    #[test]
    fn a_failure_before_any_read_is_the_reason() {
        let pd = SourceHistory {
            latest: None,
            error: Some("timed out after 120000 ms".into()),
        };
        let t = times(&["pd"], &[("pd", pd)]);
        assert_eq!(
            t.mttr,
            Measure::Missing("pd: history failed: timed out after 120000 ms".into())
        );
    }
}
