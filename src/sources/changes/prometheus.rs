//! Change queries on a Prometheus-compatible source: each `[[source.changes]]` query is one
//! `query_range` over the window asked about, through the same client and authentication as
//! the source's SLO queries but in a poller of its own, so a slow change query never holds
//! the SLOs back. What each answer means is `detect`'s.

use chrono::{DateTime, Utc};

use super::detect::{Origin, detect};
use crate::config::SourceConfig;
use crate::config::changes::{ChangeQuery, Detect};
use crate::model::ChangeSnapshot;
use crate::sources::SourceError;
use crate::sources::http::scheme;
use crate::sources::prometheus::api::Series;
use crate::sources::prometheus::client::{Api, options_for};
use crate::sources::prometheus::selector::Selector;

/// The step of change queries: a change is placed to the minute.
pub const STEP_SECONDS: i64 = 60;

/// Prometheus refuses a range of more than 11,000 points; the step grows past this many.
const MAX_POINTS: i64 = 10_000;

/// A Prometheus source's change queries.
#[derive(Clone)]
pub struct PrometheusChanges {
    name: String,
    api: Api,
    queries: Vec<ChangeQuery>,
}

impl PrometheusChanges {
    /// The change queries of `source`, over its URL and authentication.
    pub fn new(source: &SourceConfig) -> Result<Self, SourceError> {
        let url = source.url.as_deref().unwrap_or_default();
        let api = Api::new(url, options_for(source, scheme::BEARER)?)?;
        Ok(Self {
            name: source.name.clone(),
            api,
            queries: source.changes.queries.clone(),
        })
    }

    /// The step for a window from `since` to `until`: a minute, or more for a window long
    /// enough to pass Prometheus's point limit.
    pub fn step_for(since: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
        let span = (until - since).num_seconds().max(0);
        let minutes = (span / MAX_POINTS / STEP_SECONDS) + 1;
        minutes.max(1) * STEP_SECONDS
    }

    /// Every query over `[since, until]`; a query that fails is a warning while another
    /// answered, the poll's failure when none did.
    pub async fn fetch(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<ChangeSnapshot, SourceError> {
        let step = Self::step_for(since, until);
        // Whole steps, so a later poll asks about the same instants.
        let start = since.timestamp().div_euclid(step) * step;
        let end = until.timestamp().div_euclid(step) * step;
        let mut snapshot = ChangeSnapshot::default();
        let mut failure = None;
        let mut answered = 0;
        for (index, query) in self.queries.iter().enumerate() {
            let answer = self
                .api
                .range(
                    &query.query,
                    &start.to_string(),
                    &end.to_string(),
                    &step.to_string(),
                )
                .await;
            let answer = match answer {
                Ok(mut answer) if query.detect == Detect::Timestamp => {
                    // A version CI replaced within seconds may fall between two steps of
                    // the range; the newest value of every series in the window does not.
                    match self.newest_values(query, since, until).await {
                        Ok(newest) => answer.series.extend(newest),
                        Err(error) => snapshot.warnings.push(format!(
                            "change query {}: versions between steps not read: {error}",
                            index + 1
                        )),
                    }
                    Ok(answer)
                }
                other => other,
            };
            match answer {
                Ok(answer) => {
                    answered += 1;
                    let origin = Origin {
                        source: &self.name,
                        index,
                        query,
                    };
                    let found = detect(origin, &answer.series, since, until);
                    snapshot.changes.extend(found.changes);
                    snapshot.warnings.extend(found.warnings);
                    snapshot.warnings.extend(
                        answer
                            .warnings
                            .into_iter()
                            .map(|w| format!("change query {}: {w}", index + 1)),
                    );
                }
                Err(error) => {
                    snapshot
                        .warnings
                        .push(format!("change query {} failed: {error}", index + 1));
                    failure.get_or_insert(error);
                }
            }
        }
        match failure {
            Some(error) if answered == 0 => Err(error),
            _ => Ok(snapshot),
        }
    }
}

impl PrometheusChanges {
    /// For a timestamp query that is a plain selector: `max_over_time` over the window at
    /// `until`, which sees every series that existed in it however briefly, as one point
    /// each. Nothing for an expression (a range vector needs a selector).
    async fn newest_values(
        &self,
        query: &ChangeQuery,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Series>, SourceError> {
        if Selector::parse(&query.query).is_none() {
            return Ok(Vec::new());
        }
        let window = (until - since).num_seconds().max(1);
        let promql = format!("max_over_time({}[{window}s])", query.query.trim());
        let at = until.timestamp_millis() as f64 / 1000.0;
        let answer = self.api.instant(&promql, &format!("{at:.3}")).await?;
        Ok(answer
            .samples
            .into_iter()
            .map(|s| Series {
                labels: s.labels,
                points: vec![(at, s.value)],
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_step_is_a_minute_until_the_window_is_too_long_for_it() {
        let until = Utc.timestamp_opt(1_000_000_000, 0).unwrap();
        let day = until - chrono::Duration::days(1);
        assert_eq!(PrometheusChanges::step_for(day, until), 60);
        let month = until - chrono::Duration::days(30);
        let step = PrometheusChanges::step_for(month, until);
        assert!(30 * 86_400 / step <= MAX_POINTS, "{step}");
        assert_eq!(step % 60, 0);
    }
}
