//! The Prometheus HTTP API's answers as ondeck reads them: instant queries (vector or
//! scalar) and range queries (matrix) parsed into typed samples, errors into [`SourceError`].
//!
//! The same API is served by Thanos Query, Mimir (under its `/prometheus` prefix, which
//! belongs in the configured URL) and VictoriaMetrics. The client is in `client`.

use std::collections::BTreeMap;

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
    Matrix(Vec<MatrixSeries>),
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

#[derive(Deserialize)]
struct MatrixSeries {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    values: Vec<TimedPoint>,
}

/// `[<unix seconds>, "<value>"]` where the time matters.
#[derive(Deserialize)]
struct TimedPoint(f64, String);

/// One series of a range query's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series' labels.
    pub labels: BTreeMap<String, String>,
    /// `(unix seconds, value)`, oldest first.
    pub points: Vec<(f64, f64)>,
}

/// A successful answer to `/api/v1/query_range`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RangeAnswer {
    /// One entry per series.
    pub series: Vec<Series>,
    /// Warnings Prometheus attached.
    pub warnings: Vec<String>,
}

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
    let (data, warnings) = envelope(status, body)?;
    let samples = match data {
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
    Ok(Answer { samples, warnings })
}

/// Parses an answer to `/api/v1/query_range`, which is always a matrix.
pub fn parse_range_response(status: u16, body: &[u8]) -> Result<RangeAnswer, SourceError> {
    let (data, warnings) = envelope(status, body)?;
    let Some(Data::Matrix(matrix)) = data else {
        return Err(SourceError::Malformed(
            "expected a matrix result".to_string(),
        ));
    };
    let series = matrix
        .into_iter()
        .map(|s| {
            let points = s
                .values
                .into_iter()
                .map(|TimedPoint(t, v)| {
                    parse_value(&v).map(|v| (t, v)).ok_or_else(|| {
                        SourceError::Malformed(format!("`{v}` is not a sample value"))
                    })
                })
                .collect::<Result<_, _>>()?;
            Ok(Series {
                labels: s.metric,
                points,
            })
        })
        .collect::<Result<_, SourceError>>()?;
    Ok(RangeAnswer { series, warnings })
}

/// The data and warnings of a successful answer, or the error Prometheus (or a proxy) gave.
fn envelope(status: u16, body: &[u8]) -> Result<(Option<Data>, Vec<String>), SourceError> {
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(_) if !(200..300).contains(&status) => {
            return Err(SourceError::Http {
                status,
                message: crate::sources::http::reason(body),
            });
        }
        Err(e) => {
            let looks_html = body.trim_ascii_start().starts_with(b"<");
            let what = if looks_html {
                "an HTML page"
            } else {
                "not Prometheus JSON"
            };
            return Err(SourceError::Malformed(format!("{what}: {e}")));
        }
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
    Ok((envelope.data, envelope.warnings))
}

fn value_of(point: &Point) -> Result<f64, SourceError> {
    parse_value(&point.1)
        .ok_or_else(|| SourceError::Malformed(format!("`{}` is not a sample value", point.1)))
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
                message: "502 Bad Gateway".to_string()
            })
        );
        assert!(matches!(
            parse_response(200, b"ok"),
            Err(SourceError::Malformed(_))
        ));
    }
}
