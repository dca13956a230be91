//! Alertmanager's past alerts for MTTR. Alertmanager forgets an alert once it resolves, but
//! the Prometheus that evaluates the alerting rules keeps an `ALERTS` series per alert while
//! it fires; each unbroken run of that series is one firing, from its first sample to its
//! last.
//!
//! The range query asks for `timestamp(ALERTS{alertstate="firing"})`, so each point carries
//! the time of the sample it stands for, not the query step: a firing ends at its last
//! sample, not at the end of Prometheus's five-minute lookback. Steps are one minute, and the
//! window is read in parts of [`POINTS_PER_QUERY`] steps (Prometheus refuses more than
//! 11,000 points per series). Alertmanager has no acknowledgement, so these firings count
//! for MTTR only.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};

use crate::config::SourceConfig;
use crate::model::{IncidentHistory, PastIncident};
use crate::sources::SourceError;
use crate::sources::http::{options_for, scheme};
use crate::sources::prometheus::client::Api;

/// The query: every firing alert, as the time of the sample behind each step.
pub const QUERY: &str = r#"timestamp(ALERTS{alertstate="firing"})"#;

/// Seconds between steps: the precision of a firing's start.
pub const STEP_SECS: i64 = 60;

/// Steps per range query, below Prometheus's limit of 11,000 points per series.
pub const POINTS_PER_QUERY: i64 = 10_000;

/// Why Alertmanager's incidents do not count towards MTTA.
pub const NO_ACKNOWLEDGEMENTS: &str =
    "Alertmanager has no acknowledgements (a silence is not one, and it keeps no history of them)";

/// Where an Alertmanager source reads its history from.
#[derive(Clone)]
pub enum HistorySource {
    /// No Prometheus source is configured: the reason to show.
    Unconfigured,
    /// A Prometheus source is configured but its client could not be built.
    Broken(String),
    /// The Prometheus source named `name`.
    Prometheus {
        /// Its configured name, named in the overview's notes.
        name: String,
        /// Its query API.
        api: Api,
    },
}

impl HistorySource {
    /// Reads from the Prometheus source `prom` (the first one configured).
    pub fn prometheus(prom: &SourceConfig) -> Self {
        let built = prom
            .url
            .as_deref()
            .ok_or_else(|| "it has no url".to_string())
            .and_then(|url| {
                let options = options_for(prom, scheme::BEARER).map_err(|e| e.to_string())?;
                Api::new(url, options).map_err(|e| e.to_string())
            });
        match built {
            Ok(api) => HistorySource::Prometheus {
                name: prom.name.clone(),
                api,
            },
            Err(why) => HistorySource::Broken(format!(
                "cannot read ALERTS from Prometheus source `{}`: {why}",
                prom.name
            )),
        }
    }
}

/// Every firing that started in `since..until`, from `api`'s `ALERTS` series.
pub async fn read(
    api: &Api,
    prometheus: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<IncidentHistory, SourceError> {
    let first = since.timestamp();
    let steps = (until.timestamp() - first).max(0) / STEP_SECS;
    let last = first + steps * STEP_SECS;
    let mut series: BTreeMap<BTreeMap<String, String>, Vec<(i64, f64)>> = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut start = first;
    while start <= last {
        let end = (start + (POINTS_PER_QUERY - 1) * STEP_SECS).min(last);
        let answer = api
            .range(
                QUERY,
                &start.to_string(),
                &end.to_string(),
                &STEP_SECS.to_string(),
            )
            .await?;
        warnings.extend(answer.warnings);
        for found in answer.series {
            let points = series.entry(found.labels).or_default();
            points.extend(found.points.iter().map(|&(t, v)| (t.round() as i64, v)));
        }
        start = end + STEP_SECS;
    }
    let mut history = IncidentHistory::new(since, until);
    history.incidents = firings(&series, first, last);
    history.no_acknowledgements = Some(NO_ACKNOWLEDGEMENTS.to_string());
    let notes: Vec<String> = warnings
        .into_iter()
        .map(|w| format!("Prometheus `{prometheus}` warned: {w}"))
        .collect();
    history.incomplete = (!notes.is_empty()).then(|| notes.join("; "));
    Ok(history.within_window())
}

/// The firings in `series` (labels → (step, sample time) points) over steps `first..=last`:
/// one per unbroken run of steps. A run at the first step started before the window and
/// is left out; a run still there at the last step has not resolved.
pub fn firings(
    series: &BTreeMap<BTreeMap<String, String>, Vec<(i64, f64)>>,
    first: i64,
    last: i64,
) -> Vec<PastIncident> {
    let mut out = Vec::new();
    for (labels, points) in series {
        let mut points = points.clone();
        points.sort_by_key(|&(t, _)| t);
        points.dedup_by_key(|&mut (t, _)| t);
        let mut runs: Vec<&[(i64, f64)]> = Vec::new();
        let mut begin = 0;
        for i in 1..=points.len() {
            if i == points.len() || points[i].0 - points[i - 1].0 > STEP_SECS {
                runs.push(&points[begin..i]);
                begin = i;
            }
        }
        for run in runs {
            let (Some(&(run_first, _)), Some(&(run_last, _))) = (run.first(), run.last()) else {
                continue;
            };
            if run_first <= first {
                continue;
            }
            let samples = run.iter().map(|&(_, v)| v).filter(|v| v.is_finite());
            let (Some(started), Some(ended)) = (
                samples.clone().reduce(f64::min).and_then(at),
                samples.reduce(f64::max).and_then(at),
            ) else {
                continue;
            };
            out.push(PastIncident {
                id: format!("{}@{}", describe(labels), started.timestamp()),
                created_at: started,
                acknowledged_at: None,
                resolved_at: (run_last < last).then_some(ended),
            });
        }
    }
    out
}

fn at(seconds: f64) -> Option<DateTime<Utc>> {
    let millis = (seconds * 1000.0).round();
    Utc.timestamp_millis_opt(millis as i64).single()
}

/// `alertname{k="v",…}` for a firing's id.
fn describe(labels: &BTreeMap<String, String>) -> String {
    let name = labels.get("alertname").map_or("ALERTS", String::as_str);
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != "alertname" && k.as_str() != "alertstate")
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    format!("{name}{{{}}}", rest.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(runs: &[(i64, i64)]) -> BTreeMap<BTreeMap<String, String>, Vec<(i64, f64)>> {
        let labels = BTreeMap::from([("alertname".to_string(), "Down".to_string())]);
        let mut points = Vec::new();
        for &(from, to) in runs {
            let mut t = from;
            while t <= to {
                // The sample behind each step is a little older than the step.
                points.push((t, (t - 15) as f64));
                t += STEP_SECS;
            }
        }
        BTreeMap::from([(labels, points)])
    }

    #[test]
    fn each_unbroken_run_is_one_firing_from_its_first_to_its_last_sample() {
        let found = firings(&series(&[(600, 1200), (3000, 3600)]), 0, 6000);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].created_at.timestamp(), 585);
        assert_eq!(found[0].resolved_at.map(|t| t.timestamp()), Some(1185));
        assert_eq!(found[1].to_resolve(), Some(chrono::Duration::minutes(10)));
        assert!(found[0].id.starts_with("Down{}@"), "{}", found[0].id);
    }

    #[test]
    fn a_run_from_the_first_step_is_left_out_and_one_at_the_last_is_unresolved() {
        let found = firings(&series(&[(0, 600), (3000, 6000)]), 0, 6000);
        assert_eq!(found.len(), 1, "the firing that began before the window");
        assert_eq!(found[0].resolved_at, None, "still firing at the end");
    }
}
