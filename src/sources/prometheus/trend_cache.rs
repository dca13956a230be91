//! The trend's range answers kept between refreshes, so a refresh only asks Prometheus for the
//! instants that appeared since the last one.
//!
//! Entries are keyed by the range PromQL and the step. A refresh plans a request with
//! [`TrendCache::plan`] and hands the answer back to [`TrendCache::merge`]; the lock is held
//! only inside those calls, never while the request is in flight.

use std::collections::HashMap;

use super::api::{RangeAnswer, Series};
use super::trend::TrendGrid;
use crate::sources::SourceError;

/// One `query_range` a refresh sends for a trend, in unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeRequest {
    /// The first instant asked for.
    pub start: i64,
    /// The last instant asked for.
    pub end: i64,
    /// Seconds between instants.
    pub step: i64,
    /// Whether the request covers the whole trend (the cache held nothing usable).
    pub full: bool,
}

/// What a refresh does for one trend query.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Send this request, then [`TrendCache::merge`] its answer.
    Fetch(RangeRequest),
    /// The cache already holds every instant of the grid.
    Cached(RangeAnswer),
}

#[derive(Debug, Clone)]
struct Entry {
    /// The last instant the cached series were asked for.
    end: i64,
    series: Vec<Series>,
}

/// Cached range answers by `(PromQL, step)`.
#[derive(Debug, Default)]
pub struct TrendCache {
    entries: HashMap<(String, i64), Entry>,
}

impl TrendCache {
    /// Forgets every entry of another step than `step`: the trend width changed.
    pub fn keep_step(&mut self, step: i64) {
        self.entries.retain(|(_, s), _| *s == step);
    }

    /// What to send for `promql` on `grid`: only the instants after the cached end; the whole
    /// grid when nothing is cached, the cache ends before the grid starts, or the grid ends
    /// before the cache does (an evaluation instant earlier than the last refresh's).
    pub fn plan(&mut self, promql: &str, grid: TrendGrid) -> Plan {
        let key = (promql.to_string(), grid.step);
        let full = RangeRequest {
            start: grid.start(),
            end: grid.end,
            step: grid.step,
            full: true,
        };
        let Some(entry) = self.entries.get(&key) else {
            return Plan::Fetch(full);
        };
        if entry.end > grid.end || entry.end + grid.step < grid.start() {
            self.entries.remove(&key);
            return Plan::Fetch(full);
        }
        if entry.end == grid.end {
            return Plan::Cached(window(&entry.series, grid));
        }
        Plan::Fetch(RangeRequest {
            start: entry.end + grid.step,
            full: false,
            ..full
        })
    }

    /// Folds the answer to `request` into the cache and returns the series on `grid`. An
    /// error clears the entry, so the next refresh fetches the whole trend again.
    pub fn merge(
        &mut self,
        promql: &str,
        grid: TrendGrid,
        request: RangeRequest,
        answer: Result<RangeAnswer, SourceError>,
    ) -> Result<RangeAnswer, SourceError> {
        let key = (promql.to_string(), grid.step);
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) => {
                self.entries.remove(&key);
                return Err(e);
            }
        };
        let entry = match self.entries.remove(&key) {
            _ if request.full => Entry {
                end: request.end,
                series: answer.series,
            },
            // A refresh running alongside this one already brought the entry this far.
            Some(entry) if entry.end >= request.end => entry,
            Some(mut entry) if entry.end + request.step == request.start => {
                append(&mut entry.series, answer.series, entry.end);
                entry.end = request.end;
                entry
            }
            // The entry was cleared or moved meanwhile: what arrived is all there is, and the
            // next refresh starts over.
            _ => {
                return Ok(RangeAnswer {
                    series: answer.series,
                    warnings: answer.warnings,
                });
            }
        };
        let mut entry = entry;
        let oldest = grid.start() as f64;
        for series in &mut entry.series {
            series.points.retain(|&(t, _)| t >= oldest);
        }
        entry.series.retain(|s| !s.points.is_empty());
        let merged = RangeAnswer {
            series: entry.series.clone(),
            warnings: answer.warnings,
        };
        self.entries.insert(key, entry);
        Ok(merged)
    }
}

/// Adds the points of `fresh` newer than `after` to the series with the same labels, and the
/// series seen for the first time.
fn append(cached: &mut Vec<Series>, fresh: Vec<Series>, after: i64) {
    let after = after as f64;
    for series in fresh {
        let newer = series.points.into_iter().filter(|&(t, _)| t > after);
        match cached.iter_mut().find(|c| c.labels == series.labels) {
            Some(known) => known.points.extend(newer),
            None => cached.push(Series {
                labels: series.labels,
                points: newer.collect(),
            }),
        }
    }
}

/// The cached series restricted to the instants of `grid`.
fn window(series: &[Series], grid: TrendGrid) -> RangeAnswer {
    let (oldest, newest) = (grid.start() as f64, grid.end as f64);
    let series = series
        .iter()
        .map(|s| Series {
            labels: s.labels.clone(),
            points: s
                .points
                .iter()
                .copied()
                .filter(|&(t, _)| t >= oldest && t <= newest)
                .collect(),
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    RangeAnswer {
        series,
        warnings: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const STEP: i64 = 1800;

    fn grid(end: i64) -> TrendGrid {
        TrendGrid {
            step: STEP,
            end,
            points: 48,
        }
    }

    fn answer(from: i64, to: i64) -> RangeAnswer {
        let points = (from..=to)
            .step_by(STEP as usize)
            .map(|t| (t as f64, t as f64))
            .collect();
        RangeAnswer {
            series: vec![Series {
                labels: BTreeMap::from([("service".to_string(), "a".to_string())]),
                points,
            }],
            warnings: Vec::new(),
        }
    }

    fn fetch(cache: &mut TrendCache, end: i64) -> (RangeRequest, RangeAnswer) {
        let Plan::Fetch(request) = cache.plan("q", grid(end)) else {
            panic!("expected a request at {end}");
        };
        let got = answer(request.start, request.end);
        let merged = cache.merge("q", grid(end), request, Ok(got)).unwrap();
        (request, merged)
    }

    #[test]
    fn a_later_refresh_asks_only_for_new_instants_and_drops_old_ones() {
        let mut cache = TrendCache::default();
        let end = 100 * 86_400;
        let (first, _) = fetch(&mut cache, end);
        assert!(first.full);
        assert_eq!(first.start, end - 47 * STEP);
        let (second, merged) = fetch(&mut cache, end + 2 * STEP);
        assert_eq!((second.start, second.end), (end + STEP, end + 2 * STEP));
        assert!(!second.full);
        assert_eq!(merged, answer(end - 45 * STEP, end + 2 * STEP));
        assert!(matches!(
            cache.plan("q", grid(end + 2 * STEP)),
            Plan::Cached(a) if a == merged
        ));
    }

    #[test]
    fn an_earlier_instant_an_error_or_a_new_step_refetches_everything() {
        let mut cache = TrendCache::default();
        let end = 100 * 86_400;
        fetch(&mut cache, end);
        let (back, _) = fetch(&mut cache, end - STEP);
        assert!(back.full, "{back:?}");
        let Plan::Fetch(request) = cache.plan("q", grid(end)) else {
            panic!("expected a request");
        };
        let failed = Err(SourceError::Timeout(5));
        assert!(cache.merge("q", grid(end), request, failed).is_err());
        assert!(matches!(cache.plan("q", grid(end)), Plan::Fetch(r) if r.full));
        fetch(&mut cache, end);
        cache.keep_step(900);
        assert!(matches!(cache.plan("q", grid(end)), Plan::Fetch(r) if r.full));
    }
}
