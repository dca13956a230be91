//! Questions the debug pane asks Prometheus directly, outside the SLO plan: a `:promql`
//! query typed by the responder, the exemplars (trace ids) of a service's latency histogram
//! from `/api/v1/query_exemplars`, and a service's trends over a longer range than the
//! hour every refresh brings.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::PrometheusSource;
use super::plan::{QueryPlan, ShapeKind, batched_selector};
use super::selector::Selector;
use super::services::{self, SERVICE_POINTS, SERVICE_STEP_SECONDS};
use crate::model::{Exemplar, QueryAnswer, QuerySeries, ServiceMetrics};
use crate::slo::{SliKind, Window};
use crate::sources::SourceError;

/// Points a `:promql` range query asks for.
pub const QUERY_POINTS: u64 = 120;
/// Exemplars kept per service: the slowest.
pub const EXEMPLARS_KEPT: usize = 10;

fn unix(at: DateTime<Utc>) -> f64 {
    at.timestamp_millis() as f64 / 1000.0
}

impl PrometheusSource {
    /// Runs `promql` at `at`, or over the `range` before `at` in [`QUERY_POINTS`] steps.
    pub async fn run_query(
        &self,
        promql: &str,
        range: Option<Window>,
        at: DateTime<Utc>,
    ) -> Result<QueryAnswer, SourceError> {
        let api = &self.inner.api;
        let end = unix(at);
        let Some(range) = range else {
            let answer = self
                .limited(api.instant(promql, &format!("{end:.3}")))
                .await?;
            let series = answer
                .samples
                .into_iter()
                .map(|s| QuerySeries {
                    labels: s.labels,
                    points: vec![(end, s.value)],
                })
                .collect();
            return Ok(QueryAnswer {
                series,
                warnings: answer.warnings,
            });
        };
        let step = (range.as_secs() / QUERY_POINTS).max(1);
        let start = end - range.as_secs_f64();
        let [start, end, step] = [format!("{start:.3}"), format!("{end:.3}"), step.to_string()];
        let answer = self.limited(api.range(promql, &start, &end, &step)).await?;
        let series = answer
            .series
            .into_iter()
            .map(|s| QuerySeries {
                labels: s.labels,
                points: s.points,
            })
            .collect();
        Ok(QueryAnswer {
            series,
            warnings: answer.warnings,
        })
    }

    /// Exemplars of `service`'s latency histogram between `start` and `end`, slowest first,
    /// one per trace, at most [`EXEMPLARS_KEPT`]. None when no latency SLO of the service
    /// names a histogram ondeck can select.
    pub async fn latency_exemplars(
        &self,
        service: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<Exemplar>, SourceError> {
        let Some(selector) = latency_selector(self.plan(), service) else {
            return Ok(Vec::new());
        };
        let [start, end] = [unix(start), unix(end)].map(|t| format!("{t:.3}"));
        let found = self
            .limited(self.inner.api.query_exemplars(&selector, &start, &end))
            .await?;
        Ok(slowest_per_trace(found))
    }

    /// `service`'s latency quantiles and error rate over the `range` before `at`, from the
    /// same queries as the hourly service trends, with the step stretched to keep the
    /// number of points.
    pub async fn trends_over(
        &self,
        service: &str,
        range: Window,
        at: DateTime<Utc>,
    ) -> Result<Option<ServiceMetrics>, SourceError> {
        let step = (range.as_secs() / SERVICE_POINTS).max(SERVICE_STEP_SECONDS);
        let end = unix(at);
        let start = end - (step * (SERVICE_POINTS - 1)) as f64;
        let [start, end, step_text] =
            [format!("{start:.3}"), format!("{end:.3}"), step.to_string()];
        let mut trends = BTreeMap::new();
        let mut first_error = None;
        for query in services::service_queries(self.plan()) {
            let range = self
                .inner
                .api
                .range(&query.promql, &start, &end, &step_text);
            match self.limited(range).await {
                Ok(answer) => services::fill(&mut trends, &query, &answer),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        match (trends.remove(service), first_error) {
            (Some(mut metrics), _) => {
                metrics.step_seconds = step;
                Ok(Some(metrics))
            }
            (None, Some(error)) => Err(error),
            (None, None) => Ok(None),
        }
    }
}

/// The bucket series of `service`'s first latency SLO, without `le`, so every bucket's
/// exemplars come back.
pub fn latency_selector(plan: &QueryPlan, service: &str) -> Option<String> {
    plan.slos
        .iter()
        .filter(|slo| {
            slo.spec.service == service
                && matches!(slo.spec.sli, SliKind::Latency { .. })
                && slo.group_by.is_empty()
        })
        .find_map(|slo| {
            let num = slo.num.as_ref()?;
            match &plan.shapes.get(num.shape)?.kind {
                ShapeKind::Batched {
                    metric,
                    others,
                    labels,
                    ..
                } => {
                    let others: Vec<_> =
                        others.iter().filter(|m| m.label != "le").cloned().collect();
                    // This SLO's own values of the key labels, but any bucket.
                    let (labels, values): (Vec<String>, Vec<String>) = labels
                        .iter()
                        .zip(&num.key)
                        .filter(|(l, _)| *l != "le")
                        .map(|(l, v)| (l.clone(), v.clone()))
                        .unzip();
                    let only = BTreeSet::from([values]);
                    Some(batched_selector(metric, &others, &labels, &only).render())
                }
                ShapeKind::Single { expr, .. } => {
                    let mut selector = Selector::parse(expr)?;
                    selector.matchers.retain(|m| m.label != "le");
                    Some(selector.render())
                }
                ShapeKind::Templated { .. } => None,
            }
        })
}

/// The slowest exemplar of each trace, slowest first, at most [`EXEMPLARS_KEPT`].
fn slowest_per_trace(mut found: Vec<Exemplar>) -> Vec<Exemplar> {
    found.sort_by(|a, b| b.value.total_cmp(&a.value).then(b.at.cmp(&a.at)));
    let mut seen = BTreeSet::new();
    found.retain(|e| seen.insert(e.trace_id.clone()));
    found.truncate(EXEMPLARS_KEPT);
    found
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Vec<SeriesExemplars>>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct SeriesExemplars {
    #[serde(rename = "seriesLabels", default)]
    series_labels: BTreeMap<String, String>,
    #[serde(default)]
    exemplars: Vec<WireExemplar>,
}

#[derive(Deserialize)]
struct WireExemplar {
    #[serde(default)]
    labels: BTreeMap<String, String>,
    value: String,
    timestamp: f64,
}

/// Whether an exemplar label carries the trace id: `trace_id`, `traceID`, `traceId`, …
fn is_trace_label(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    folded == "traceid"
}

/// Parses an answer to `/api/v1/query_exemplars`. Exemplars without a trace id label, or
/// with a value or time that is not a finite number, are skipped: they lead nowhere.
pub fn parse_exemplars(status: u16, body: &[u8]) -> Result<Vec<Exemplar>, SourceError> {
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(_) if !(200..300).contains(&status) => {
            let text = String::from_utf8_lossy(body);
            let line = text.trim().lines().next().unwrap_or("").trim();
            return Err(SourceError::Http {
                status,
                message: line.chars().take(200).collect(),
            });
        }
        Err(e) => return Err(SourceError::Malformed(format!("not Prometheus JSON: {e}"))),
    };
    if envelope.status != "success" {
        let kind = envelope.error_type.unwrap_or_else(|| "unknown".to_string());
        let message = format!("{kind}: {}", envelope.error.unwrap_or_default());
        return Err(match kind.as_str() {
            "bad_data" | "execution" => SourceError::Rejected(message),
            _ => SourceError::Http { status, message },
        });
    }
    let mut out = Vec::new();
    for series in envelope.data.unwrap_or_default() {
        for wire in series.exemplars {
            let trace_id = wire
                .labels
                .iter()
                .find(|(k, v)| is_trace_label(k) && !v.is_empty())
                .map(|(_, v)| v.clone());
            let value = wire.value.parse::<f64>().ok().filter(|v| v.is_finite());
            let at = DateTime::<Utc>::from_timestamp_millis((wire.timestamp * 1000.0) as i64);
            if let (Some(trace_id), Some(value), Some(at)) = (trace_id, value, at) {
                out.push(Exemplar {
                    trace_id,
                    value,
                    at,
                    series: series.series_labels.clone(),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example answer of Prometheus's HTTP API documentation for query_exemplars.
    const DOC_EXAMPLE: &[u8] = br#"{
        "status": "success",
        "data": [
            {
                "seriesLabels": {"__name__": "test_exemplar_metric_total", "instance": "localhost:8090", "job": "prometheus", "service": "bar"},
                "exemplars": [
                    {"labels": {"trace_id": "EpTxMJ40fUus7aGY"}, "value": "6", "timestamp": 1600096945.479}
                ]
            },
            {
                "seriesLabels": {"__name__": "test_exemplar_metric_total", "instance": "localhost:8090", "job": "prometheus", "service": "foo"},
                "exemplars": [
                    {"labels": {"trace_id": "Olp9XHlq763ccsfa"}, "value": "19", "timestamp": 1600096955.479},
                    {"labels": {"trace_id": "hCtjygkIHwAN9vs4"}, "value": "20", "timestamp": 1600096965.489}
                ]
            }
        ]
    }"#;

    #[test]
    fn reads_the_documented_answer() {
        let found = parse_exemplars(200, DOC_EXAMPLE).unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].trace_id, "EpTxMJ40fUus7aGY");
        assert_eq!(found[0].value, 6.0);
        assert_eq!(found[0].at.timestamp_millis(), 1_600_096_945_479);
        assert_eq!(found[0].series["service"], "bar");
        let kept = slowest_per_trace(found);
        assert_eq!(kept[0].trace_id, "hCtjygkIHwAN9vs4");
    }

    #[test]
    fn other_trace_label_spellings_count_and_unusable_exemplars_are_skipped() {
        let body = br#"{"status":"success","data":[{"seriesLabels":{},"exemplars":[
            {"labels":{"traceID":"abc"},"value":"0.3","timestamp":1700000000},
            {"labels":{"span_id":"x"},"value":"0.3","timestamp":1700000000},
            {"labels":{"trace_id":"def"},"value":"NaN","timestamp":1700000000}]}]}"#;
        let found = parse_exemplars(200, body).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].trace_id, "abc");
        assert_eq!(
            parse_exemplars(200, br#"{"status":"success","data":[]}"#),
            Ok(vec![])
        );
    }

    #[test]
    fn errors_say_what_prometheus_said() {
        let body = br#"{"status":"error","errorType":"bad_data","error":"1:4: parse error"}"#;
        assert_eq!(
            parse_exemplars(400, body),
            Err(SourceError::Rejected("bad_data: 1:4: parse error".into()))
        );
        assert!(matches!(
            parse_exemplars(502, b"<html>bad gateway"),
            Err(SourceError::Http { status: 502, .. })
        ));
        assert!(matches!(
            parse_exemplars(200, b"[1,2"),
            Err(SourceError::Malformed(_))
        ));
    }
}
