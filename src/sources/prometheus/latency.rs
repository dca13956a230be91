//! Latency SLIs read from a histogram, and what happens when the threshold is not one of its
//! bucket bounds.
//!
//! A latency SLI names the histogram (`http_request_duration_seconds{job="api"}`, with or
//! without the `_bucket` suffix) and a threshold in seconds. Good events are the bucket
//! whose `le` is the threshold, all events the `_count`. Every bucket of a histogram exists
//! whenever its count does, so a bucket answer missing where the count has a series can only
//! mean the threshold is not a bound: counting it as zero good events would show an SLI of
//! 0% and page on every tier. Instead the SLO gets no numbers and one error listing the
//! bounds that exist, read with one more query (see [`bounds_query`]) only when it happens.

use super::api::Answer;
use super::selector::{Matcher, Selector, regex_escape};

/// The histogram of a latency SLI and its threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// The histogram's base name and label filters, without a suffix.
    pub base: Selector,
    /// The threshold in seconds.
    pub threshold: f64,
}

/// The histogram a latency `metric` names: `_bucket` is taken off when it was written.
pub fn histogram(metric: &str, threshold: f64) -> Result<Histogram, String> {
    let mut base = Selector::parse(metric).ok_or_else(|| {
        format!("latency metric `{metric}` must be a histogram name with optional label filters")
    })?;
    if let Some(name) = base.metric.strip_suffix("_bucket") {
        base.metric = name.to_string();
    }
    if let Some(le) = base.matchers.iter().find(|m| m.label == "le") {
        return Err(format!(
            "latency metric `{metric}` must not filter on `le` ({}): the threshold picks the bucket",
            le.render()
        ));
    }
    if !threshold.is_finite() || threshold <= 0.0 {
        return Err(format!(
            "latency threshold {threshold} is not a bucket bound"
        ));
    }
    Ok(Histogram { base, threshold })
}

/// The bucket selector (good events) and the count selector (all events) of a latency SLI.
pub fn exprs(metric: &str, threshold: f64) -> Result<(Selector, Selector), String> {
    let Histogram { base, threshold } = histogram(metric, threshold)?;
    let mut bucket = Selector {
        metric: format!("{}_bucket", base.metric),
        matchers: base.matchers.clone(),
    };
    bucket.matchers.push(le_matcher(threshold));
    let count = Selector {
        metric: format!("{}_count", base.metric),
        matchers: base.matchers,
    };
    Ok((bucket, count))
}

/// `le="0.25"`; for a whole number both spellings clients write, `le=~"1|1\.0"` (Go clients
/// write `1`, Python's and Prometheus 3's normalisation `1.0`).
fn le_matcher(threshold: f64) -> Matcher {
    let text = threshold.to_string();
    if threshold.fract() != 0.0 || text.contains(['e', 'E']) {
        return Matcher::exact("le", &text);
    }
    let mut m = Matcher::exact(
        "le",
        &format!("{text}|{}", regex_escape(&format!("{text}.0"))),
    );
    m.op = "=~";
    m.value = None;
    m
}

impl Histogram {
    /// The query listing the bucket bounds that exist: one sample per `le` that had a series
    /// within `window` (the shortest window in which the count had one).
    pub fn bounds_query(&self, window: crate::slo::Window) -> String {
        let bucket = Selector {
            metric: format!("{}_bucket", self.base.metric),
            matchers: self.base.matchers.clone(),
        };
        format!(
            "count by (le) (last_over_time({}[{window}]))",
            bucket.render()
        )
    }

    /// The error shown on the SLO, from the answer of [`Histogram::bounds_query`].
    pub fn not_a_bound(&self, answer: Result<&Answer, String>) -> String {
        let what = format!(
            "threshold {} is not a bucket bound of {}",
            self.threshold,
            self.base.render()
        );
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => return format!("{what}: the bounds could not be listed: {error}"),
        };
        let mut bounds: Vec<(f64, &str)> = answer
            .samples
            .iter()
            .filter_map(|s| s.labels.get("le"))
            .map(|le| (le_value(le), le.as_str()))
            .collect();
        bounds.sort_by(|a, b| a.0.total_cmp(&b.0));
        bounds.dedup_by(|a, b| a.0 == b.0);
        if bounds.is_empty() {
            return format!(
                "{} has no _bucket series: a latency SLO needs a histogram (a summary has no buckets)",
                self.base.render()
            );
        }
        let list: Vec<&str> = bounds.iter().map(|(_, text)| *text).collect();
        format!("{what}: its bounds are {}", list.join(", "))
    }
}

/// A bucket bound as a number; `+Inf` sorts last.
fn le_value(le: &str) -> f64 {
    match le {
        "+Inf" | "Inf" => f64::INFINITY,
        other => other.parse().unwrap_or(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::prometheus::api::Sample;
    use std::collections::BTreeMap;

    #[test]
    fn the_bucket_suffix_is_optional() {
        for metric in [
            r#"http_request_duration_seconds{job="api"}"#,
            r#"http_request_duration_seconds_bucket{job="api"}"#,
        ] {
            let (bucket, count) = exprs(metric, 0.25).unwrap();
            assert_eq!(
                bucket.render(),
                r#"http_request_duration_seconds_bucket{job="api",le="0.25"}"#
            );
            assert_eq!(
                count.render(),
                r#"http_request_duration_seconds_count{job="api"}"#
            );
        }
        let (bucket, _) = exprs("latency_seconds", 1.0).unwrap();
        assert_eq!(bucket.render(), r#"latency_seconds_bucket{le=~"1|1\\.0"}"#);
        assert!(exprs(r#"x{le="0.3"}"#, 0.3).unwrap_err().contains("`le`"));
    }

    #[test]
    fn the_error_lists_the_bounds_in_order() {
        let histogram = histogram(r#"h{service="a"}"#, 0.3).unwrap();
        let answer = Answer {
            samples: ["1", "+Inf", "0.25", "0.1"]
                .iter()
                .map(|le| Sample {
                    labels: BTreeMap::from([("le".to_string(), le.to_string())]),
                    value: 1.0,
                })
                .collect(),
            warnings: Vec::new(),
        };
        assert_eq!(
            histogram.not_a_bound(Ok(&answer)),
            r#"threshold 0.3 is not a bucket bound of h{service="a"}: its bounds are 0.1, 0.25, 1, +Inf"#
        );
        assert!(
            histogram
                .not_a_bound(Ok(&Answer::default()))
                .contains("has no _bucket series")
        );
        assert_eq!(
            histogram.bounds_query(crate::slo::Window::minutes(5)),
            r#"count by (le) (last_over_time(h_bucket{service="a"}[5m]))"#
        );
    }
}
