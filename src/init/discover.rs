//! Finding SLIs a Prometheus already has: request counters that carry an HTTP status code
//! (availability: 5xx over all), latency histograms (the share of requests under a bucket
//! bound near today's p99), and the Sloth and Pyrra recording rules a team already runs.
//! Every question is one the Prometheus HTTP API documents (`/api/v1/label/…/values`,
//! `/api/v1/labels`, instant queries), asked over the last hour before `at`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::config::SourceConfig;
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, options_for, scheme};
use crate::sources::prometheus::client::Api;
use crate::sources::prometheus::selector::quote;

/// Labels that name a service, most specific first.
const SERVICE_LABELS: [&str; 5] = ["service", "service_name", "app", "application", "job"];
/// Labels that carry an HTTP status code.
const STATUS_LABELS: [&str; 5] = [
    "code",
    "status_code",
    "status",
    "http_status",
    "response_code",
];
/// Counters looked at, at most: a large Prometheus has thousands of metric names.
const MAX_METRICS: usize = 40;
/// SLOs proposed, at most.
pub const MAX_SLOS: usize = 40;

/// What an SLO proposal measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// 5xx answers over all answers of a request counter.
    Availability {
        /// The counter (`http_requests_total`).
        metric: String,
        /// The label naming the service.
        service_label: String,
        /// The label carrying the status code.
        status_label: String,
        /// The matcher operator and value that select errors (`=~`, `5..`).
        errors: (&'static str, &'static str),
    },
    /// Requests under `threshold` seconds, from a histogram.
    Latency {
        /// The histogram's name without `_bucket`.
        metric: String,
        /// The label naming the service.
        service_label: String,
        /// A bucket bound (seconds).
        threshold: f64,
    },
}

/// One proposed `[[slo]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The service.
    pub service: String,
    /// The SLO's name.
    pub name: String,
    /// What it measures.
    pub measure: Measure,
    /// The objective to start from (percent): the user edits it.
    pub objective: f64,
    /// Why this was proposed, for the comment above it.
    pub why: String,
}

/// What discovery found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    /// SLOs to propose.
    pub proposals: Vec<Proposal>,
    /// Recording rules already there (Sloth, Pyrra), and what to do with them.
    pub rules: Vec<String>,
    /// What was left out and why.
    pub notes: Vec<String>,
}

struct Asker {
    http: HttpClient,
    api: Api,
    start: String,
    end: String,
}

impl Asker {
    /// `GET path` with the time range, as a JSON `data` array of strings.
    async fn strings(&self, path: &str, matches: Option<&str>) -> Result<Vec<String>, SourceError> {
        let mut query = vec![("start", self.start.clone()), ("end", self.end.clone())];
        if let Some(m) = matches {
            query.push(("match[]", m.to_string()));
        }
        let reply = self.http.send(self.http.get(path).query(&query)).await?;
        if !reply.is_success() {
            return Err(reply.error());
        }
        let body: Value = reply.json()?;
        Ok(body["data"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The values of `label` among the answers of `promql` (a `count by (label)`).
    async fn values(&self, promql: &str, label: &str) -> Result<Vec<String>, SourceError> {
        let answer = self.api.instant(promql, &self.end).await?;
        let mut values: Vec<String> = answer
            .samples
            .into_iter()
            .filter_map(|s| s.labels.get(label).cloned())
            .collect();
        values.sort();
        values.dedup();
        Ok(values)
    }

    /// One number, when the query answers one.
    async fn number(&self, promql: &str) -> Result<Option<f64>, SourceError> {
        let answer = self.api.instant(promql, &self.end).await?;
        Ok(answer
            .samples
            .first()
            .map(|s| s.value)
            .filter(|v| v.is_finite()))
    }
}

/// Looks through the Prometheus `source` at `at`.
pub async fn discover(source: &SourceConfig, at: DateTime<Utc>) -> Result<Found, SourceError> {
    let url = source.url.as_deref().unwrap_or_default();
    let options = options_for(source, scheme::BEARER)?;
    let asker = Asker {
        http: HttpClient::new(url, options.clone())?,
        api: Api::new(url, options)?,
        start: (at - chrono::Duration::hours(1)).timestamp().to_string(),
        end: at.timestamp().to_string(),
    };
    let names = asker.strings("/api/v1/label/__name__/values", None).await?;
    let mut found = Found::default();
    counters(&asker, &names, &mut found).await?;
    histograms(&asker, &names, &mut found).await?;
    recording_rules(&asker, &names, &mut found).await?;
    name_uniquely(&mut found.proposals);
    if found.proposals.len() > MAX_SLOS {
        found.notes.push(format!(
            "{} SLOs found; the first {MAX_SLOS} are proposed",
            found.proposals.len()
        ));
        found.proposals.truncate(MAX_SLOS);
    }
    Ok(found)
}

/// The first of `preferred` that `labels` has.
fn first_of(labels: &[String], preferred: &[&str]) -> Option<String> {
    preferred
        .iter()
        .find(|p| labels.iter().any(|l| l == *p))
        .map(|p| (*p).to_string())
}

async fn counters(asker: &Asker, names: &[String], found: &mut Found) -> Result<(), SourceError> {
    let totals: Vec<&String> = names.iter().filter(|n| n.ends_with("_total")).collect();
    let mut looked = 0;
    for metric in totals {
        let labels = asker.strings("/api/v1/labels", Some(metric)).await?;
        let (Some(status), Some(service_label)) = (
            first_of(&labels, &STATUS_LABELS),
            first_of(&labels, &SERVICE_LABELS),
        ) else {
            continue;
        };
        looked += 1;
        if looked > MAX_METRICS {
            found.notes.push(format!(
                "more counters with a status code than the {MAX_METRICS} looked at"
            ));
            break;
        }
        let codes = asker
            .values(&format!("count by ({status}) ({metric})"), &status)
            .await?;
        let errors = if codes.iter().any(|c| c.len() == 3 && c.starts_with('5')) {
            ("=~", "5..")
        } else if codes.iter().any(|c| c == "5xx") {
            ("=", "5xx")
        } else {
            continue;
        };
        let services = asker
            .values(
                &format!("count by ({service_label}) ({metric})"),
                &service_label,
            )
            .await?;
        for service in services {
            found.proposals.push(Proposal {
                service,
                name: "availability".into(),
                measure: Measure::Availability {
                    metric: metric.clone(),
                    service_label: service_label.clone(),
                    status_label: status.clone(),
                    errors,
                },
                objective: 99.9,
                why: format!(
                    "{metric} counts requests by {status}; errors are {status}{}\"{}\"",
                    errors.0, errors.1
                ),
            });
        }
    }
    Ok(())
}

async fn histograms(asker: &Asker, names: &[String], found: &mut Found) -> Result<(), SourceError> {
    for bucket in names.iter().filter(|n| n.ends_with("_seconds_bucket")) {
        let metric = bucket.trim_end_matches("_bucket").to_string();
        let labels = asker.strings("/api/v1/labels", Some(bucket)).await?;
        let Some(service_label) = first_of(&labels, &SERVICE_LABELS) else {
            continue;
        };
        let mut bounds: Vec<f64> = asker
            .strings("/api/v1/label/le/values", Some(bucket))
            .await?
            .iter()
            .filter_map(|b| b.parse::<f64>().ok())
            .filter(|b| b.is_finite())
            .collect();
        bounds.sort_by(f64::total_cmp);
        let services = asker
            .values(
                &format!("count by ({service_label}) ({bucket})"),
                &service_label,
            )
            .await?;
        for service in services {
            let selector = format!("{bucket}{{{service_label}={}}}", quote(&service));
            let p99 = asker
                .number(&format!(
                    "histogram_quantile(0.99, sum by (le) (rate({selector}[1h])))"
                ))
                .await?;
            // The smallest bound at or above today's p99: met now, and a real bucket bound.
            let threshold = p99
                .and_then(|p| bounds.iter().copied().find(|b| *b >= p))
                .or_else(|| bounds.last().copied());
            let Some(threshold) = threshold else {
                continue;
            };
            let today = p99.map_or_else(
                || "no traffic in the last hour".to_string(),
                |p| format!("p99 {p:.3}s over the last hour"),
            );
            found.proposals.push(Proposal {
                service,
                name: "latency".into(),
                measure: Measure::Latency {
                    metric: metric.clone(),
                    service_label: service_label.clone(),
                    threshold,
                },
                objective: 99.0,
                why: format!("{metric} is a histogram; {today}, so the threshold is the bucket bound {threshold}s"),
            });
        }
    }
    Ok(())
}

async fn recording_rules(
    asker: &Asker,
    names: &[String],
    found: &mut Found,
) -> Result<(), SourceError> {
    if names.iter().any(|n| n == "slo:sli_error:ratio_rate5m") {
        let answer = asker
            .api
            .instant(
                "count by (sloth_service, sloth_slo) (slo:sli_error:ratio_rate5m)",
                &asker.end,
            )
            .await?;
        for sample in answer.samples {
            let label = |k: &str| sample.labels.get(k).cloned().unwrap_or_default();
            found.rules.push(format!(
                "Sloth rules for {}/{}: list the Sloth spec they come from in slo_files; ondeck \
                 then reads these rules instead of raw queries (use_recording_rules = \"auto\")",
                label("sloth_service"),
                label("sloth_slo")
            ));
        }
    }
    let pyrra: Vec<&String> = names
        .iter()
        .filter(|n| n.ends_with(":burnrate5m"))
        .collect();
    for name in pyrra {
        let slos = asker
            .values(&format!("count by (slo) ({name})"), "slo")
            .await?;
        for slo in slos {
            found.rules.push(format!(
                "Pyrra rules for {slo}: list its ServiceLevelObjective file in slo_files"
            ));
        }
    }
    Ok(())
}

/// Gives two proposals of one service and kind distinct names (`availability`,
/// `grpc_server_handled-availability`).
fn name_uniquely(proposals: &mut [Proposal]) {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for proposal in proposals.iter_mut() {
        let key = (proposal.service.clone(), proposal.name.clone());
        let count = seen.entry(key).or_insert(0);
        *count += 1;
        if *count > 1 {
            let metric = match &proposal.measure {
                Measure::Availability { metric, .. } | Measure::Latency { metric, .. } => {
                    metric.trim_end_matches("_total").to_string()
                }
            };
            proposal.name = format!("{metric}-{}", proposal.name);
        }
    }
}
