//! Loki's JSON answers, as its HTTP API reference describes them: `query_range` with a
//! `streams` result (each value `[ns, line]`, or `[ns, line, {structured metadata}]` since
//! Loki 3), optional `warnings`, and `labels` / `label/<name>/values` lists.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `GET /loki/api/v1/query_range`.
#[derive(Debug, Deserialize)]
pub struct QueryRange {
    /// `success` or `error`.
    pub status: String,
    /// The result (absent on errors).
    pub data: Option<Data>,
    /// The error message when `status` is `error`.
    pub error: Option<String>,
    /// Things Loki wants the reader to know (a query limit hit, a deprecated parameter).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// `data` of a query answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Data {
    /// `streams` for a log query (`matrix` or `vector` for a metric query).
    pub result_type: String,
    /// The streams.
    #[serde(default)]
    pub result: Vec<Stream>,
}

/// One stream: its labels and its entries.
#[derive(Debug, Deserialize)]
pub struct Stream {
    /// The stream's labels.
    #[serde(default)]
    pub stream: BTreeMap<String, String>,
    /// Its entries.
    #[serde(default)]
    pub values: Vec<Entry>,
}

/// One entry: `[ns, line]` or `[ns, line, {metadata}]`.
#[derive(Debug, Deserialize)]
#[serde(from = "Vec<serde_json::Value>")]
pub struct Entry {
    /// Nanoseconds since the epoch, as Loki writes them (a string).
    pub ns: Option<i64>,
    /// The line.
    pub line: String,
    /// Structured metadata and parsed labels, when Loki sends them.
    pub metadata: BTreeMap<String, String>,
}

impl From<Vec<serde_json::Value>> for Entry {
    fn from(parts: Vec<serde_json::Value>) -> Self {
        let ns = parts.first().and_then(|v| match v {
            serde_json::Value::String(s) => s.parse().ok(),
            serde_json::Value::Number(n) => n.as_i64(),
            _ => None,
        });
        let line = match parts.get(1) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        let mut metadata = BTreeMap::new();
        if let Some(serde_json::Value::Object(map)) = parts.get(2) {
            flatten("", map, &mut metadata);
        }
        Self { ns, line, metadata }
    }
}

/// Loki 3 groups an entry's extra labels as `{"structuredMetadata": {…}, "parsed": {…}}`
/// with `categorize-labels`; older versions send one flat map. Both become one flat map.
fn flatten(
    prefix: &str,
    map: &serde_json::Map<String, serde_json::Value>,
    out: &mut BTreeMap<String, String>,
) {
    for (key, value) in map {
        match value {
            serde_json::Value::String(s) => {
                out.insert(key.clone(), s.clone());
            }
            serde_json::Value::Object(inner) if prefix.is_empty() => flatten(key, inner, out),
            other => {
                out.insert(key.clone(), other.to_string());
            }
        }
    }
}

/// `GET /loki/api/v1/labels` and `/label/<name>/values`.
#[derive(Debug, Deserialize)]
pub struct Names {
    /// The names or values.
    #[serde(default)]
    pub data: Vec<String>,
}
