//! The Prometheus HTTP API as ondeck uses it: instant queries sent as POST form bodies to
//! `/api/v1/query`, and their JSON answers parsed into typed samples.
//!
//! The same API is served by Thanos Query, Mimir (under its `/prometheus` prefix, which
//! belongs in the configured URL) and VictoriaMetrics. Errors never carry the token: it lives
//! only in a sensitive default header of the client.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::sources::SourceError;

/// One sample of an instant query's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series' labels (empty for `sum(…)` without `by`, and for scalars).
    pub labels: BTreeMap<String, String>,
    /// The value; NaN and infinities are passed through for the caller to reject.
    pub value: f64,
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    /// Vector samples, or the one scalar.
    pub samples: Vec<Sample>,
    /// Warnings Prometheus attached (for example partial data from a Thanos store).
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    data: Option<Data>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum Data {
    Vector(Vec<VectorSample>),
    Scalar(Point),
    Matrix(IgnoredAny),
    String(IgnoredAny),
}

#[derive(Deserialize)]
struct VectorSample {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    value: Point,
}

/// `[<unix seconds>, "<value>"]`.
#[derive(Deserialize)]
struct Point(IgnoredAny, String);

/// Prometheus writes floats as Go does: `1.5`, `NaN`, `+Inf`, `-Inf`.
fn parse_value(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

/// Parses an answer to `/api/v1/query`. Prometheus reports query errors with a JSON body
/// (`status: error`, `errorType`, `error`) and a 4xx/5xx status, so the body is read first
/// and the status only decides the error when the body is not Prometheus JSON.
pub fn parse_response(status: u16, body: &[u8]) -> Result<Answer, SourceError> {
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(_) if !(200..300).contains(&status) => {
            return Err(SourceError::Http {
                status,
                message: excerpt(body),
            });
        }
        Err(e) => return Err(SourceError::Malformed(format!("not Prometheus JSON: {e}"))),
    };
    if envelope.status != "success" {
        let kind = envelope.error_type.unwrap_or_else(|| "unknown".to_string());
        let message = envelope.error.unwrap_or_default();
        return Err(match kind.as_str() {
            "bad_data" | "execution" => SourceError::Rejected(format!("{kind}: {message}")),
            _ => SourceError::Http {
                status,
                message: format!("{kind}: {message}"),
            },
        });
    }
    let samples = match envelope.data {
        Some(Data::Vector(samples)) => samples
            .into_iter()
            .map(|s| {
                value_of(&s.value).map(|value| Sample {
                    labels: s.metric,
                    value,
                })
            })
            .collect::<Result<_, _>>()?,
        Some(Data::Scalar(point)) => vec![Sample {
            labels: BTreeMap::new(),
            value: value_of(&point)?,
        }],
        Some(Data::Matrix(_) | Data::String(_)) | None => {
            return Err(SourceError::Malformed(
                "expected a vector or scalar result".to_string(),
            ));
        }
    };
    Ok(Answer {
        samples,
        warnings: envelope.warnings,
    })
}

fn value_of(point: &Point) -> Result<f64, SourceError> {
    parse_value(&point.1)
        .ok_or_else(|| SourceError::Malformed(format!("`{}` is not a sample value", point.1)))
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.trim().lines().next().unwrap_or("").trim();
    line.chars().take(200).collect()
}

/// An HTTP client bound to one Prometheus base URL.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    query_url: String,
    base: String,
    timeout: Duration,
}

impl Api {
    /// A client for `base` (e.g. `http://prom:9090` or `https://mimir/prometheus`) whose
    /// requests each end after `timeout`, sending `Authorization: Bearer <token>` if given.
    pub fn new(base: &str, timeout: Duration, token: Option<&str>) -> Result<Self, SourceError> {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(token) = token {
            let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| {
                    SourceError::Rejected(
                        "the token contains characters not allowed in an HTTP header".to_string(),
                    )
                })?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .default_headers(headers)
            .user_agent(concat!("ondeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SourceError::Rejected(format!("cannot build the HTTP client: {e}")))?;
        let base = base.trim_end_matches('/').to_string();
        Ok(Self {
            client,
            query_url: format!("{base}/api/v1/query"),
            base,
            timeout,
        })
    }

    /// Evaluates `promql` at `time` (unix seconds, as text).
    pub async fn instant(&self, promql: &str, time: &str) -> Result<Answer, SourceError> {
        let response = self
            .client
            .post(&self.query_url)
            .form(&[("query", promql), ("time", time)])
            .send()
            .await
            .map_err(|e| self.transport(&e))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| self.transport(&e))?;
        parse_response(status, &body)
    }

    fn transport(&self, e: &reqwest::Error) -> SourceError {
        if e.is_timeout() {
            return SourceError::Timeout(
                u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            );
        }
        let cause = root_cause(e);
        if e.is_connect() {
            SourceError::Unreachable(format!("cannot connect to {}: {cause}", self.base))
        } else {
            SourceError::Unreachable(format!("{}: {cause}", self.base))
        }
    }
}

/// The innermost error message (e.g. "Connection refused (os error 111)"), which says more
/// than reqwest's "error sending request".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vectors_scalars_and_special_values() {
        let body = br#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"service":"a"},"value":[1700000000.5,"0.0123"]},
            {"metric":{"service":"b"},"value":[1700000000.5,"NaN"]},
            {"metric":{"service":"c"},"value":[1700000000.5,"+Inf"]}]},
            "warnings":["partial response"]}"#;
        let answer = parse_response(200, body).unwrap();
        assert_eq!(answer.samples.len(), 3);
        assert_eq!(answer.samples[0].labels["service"], "a");
        assert_eq!(answer.samples[0].value, 0.0123);
        assert!(answer.samples[1].value.is_nan());
        assert_eq!(answer.samples[2].value, f64::INFINITY);
        assert_eq!(answer.warnings, vec!["partial response".to_string()]);
        let scalar = br#"{"status":"success","data":{"resultType":"scalar","result":[1,"-Inf"]}}"#;
        assert_eq!(
            parse_response(200, scalar).unwrap().samples[0].value,
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn query_errors_say_what_prometheus_said() {
        let body =
            br#"{"status":"error","errorType":"bad_data","error":"parse error: unexpected end"}"#;
        assert_eq!(
            parse_response(400, body),
            Err(SourceError::Rejected(
                "bad_data: parse error: unexpected end".to_string()
            ))
        );
        let busy = br#"{"status":"error","errorType":"timeout","error":"query timed out"}"#;
        assert!(parse_response(503, busy).unwrap_err().is_transient());
        let proxy = b"<html>502 Bad Gateway</html>\n";
        assert_eq!(
            parse_response(502, proxy),
            Err(SourceError::Http {
                status: 502,
                message: "<html>502 Bad Gateway</html>".to_string()
            })
        );
        assert!(matches!(
            parse_response(200, b"ok"),
            Err(SourceError::Malformed(_))
        ));
    }
}
