//! Elasticsearch's and OpenSearch's JSON answers, as the search API reference describes
//! them: `hits.hits[]` with `_id`, `_source` and the `sort` values `search_after` takes,
//! `timed_out` and `_shards.failed` for partial answers, and the `error` object of a refusal.

use serde::Deserialize;
use serde_json::Value;

/// A `_search` answer.
#[derive(Debug, Deserialize)]
pub struct SearchAnswer {
    /// Whether some shards ran out of time (their hits are missing).
    #[serde(default)]
    pub timed_out: bool,
    /// How many shards answered.
    #[serde(rename = "_shards")]
    pub shards: Option<Shards>,
    /// The hits.
    pub hits: Hits,
}

/// `_shards`.
#[derive(Debug, Deserialize)]
pub struct Shards {
    /// Shards searched.
    #[serde(default)]
    pub total: u64,
    /// Shards that failed (their hits are missing).
    #[serde(default)]
    pub failed: u64,
}

/// `hits`.
#[derive(Debug, Deserialize)]
pub struct Hits {
    /// The documents.
    #[serde(default)]
    pub hits: Vec<Hit>,
}

/// One document.
#[derive(Debug, Deserialize)]
pub struct Hit {
    /// Its index.
    #[serde(rename = "_index", default)]
    pub index: String,
    /// Its id.
    #[serde(rename = "_id", default)]
    pub id: String,
    /// Its fields (absent when the index stores none).
    #[serde(rename = "_source")]
    pub source: Option<Value>,
    /// Its sort values: what `search_after` continues from.
    #[serde(default)]
    pub sort: Option<Value>,
}

/// The value at a dotted `path` of a document: ECS writes `service.name` as nested objects or
/// as one dotted key, and either may be used.
pub fn field<'a>(source: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(value) = source.get(path) {
        return Some(value);
    }
    let (head, rest) = path.split_once('.')?;
    // `a.b.c` may be `{"a": {"b.c": …}}` or `{"a.b": {"c": …}}`: try each split.
    if let Some(found) = source.get(head).and_then(|inner| field(inner, rest)) {
        return Some(found);
    }
    let mut split = head.len();
    while let Some(dot) = path[split + 1..].find('.') {
        split += 1 + dot;
        let (left, right) = (&path[..split], &path[split + 1..]);
        if let Some(found) = source.get(left).and_then(|inner| field(inner, right)) {
            return Some(found);
        }
    }
    None
}

/// A field's value as text: strings as they are, numbers and the rest as JSON.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Every leaf of a document as `(dotted path, text)`, in path order, for the line's detail.
pub fn leaves(source: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&path, inner, out);
                }
            }
            other => out.push((prefix.to_string(), text(other))),
        }
    }
    let mut out = Vec::new();
    walk("", source, &mut out);
    out.sort();
    out
}

/// Elasticsearch's reason for refusing a request: `error.root_cause[0].reason`, else
/// `error.reason`, else the error as sent.
pub fn refusal(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error")?;
    let reason = |v: &Value| v.get("reason").and_then(Value::as_str).map(str::to_string);
    error
        .get("root_cause")
        .and_then(|r| r.get(0))
        .and_then(reason)
        .or_else(|| reason(error))
        .or_else(|| error.as_str().map(str::to_string))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dotted_fields_are_found_nested_or_flat() {
        let nested = json!({"service": {"name": "checkout"}, "log": {"level": "error"}});
        let flat = json!({"service.name": "checkout", "trace": {"id": "abc"}});
        let mixed = json!({"a": {"b.c": 1}});
        assert_eq!(field(&nested, "service.name"), Some(&json!("checkout")));
        assert_eq!(field(&flat, "service.name"), Some(&json!("checkout")));
        assert_eq!(field(&flat, "trace.id"), Some(&json!("abc")));
        assert_eq!(field(&mixed, "a.b.c"), Some(&json!(1)));
        assert_eq!(field(&nested, "service.version"), None);
        assert_eq!(
            leaves(&nested),
            [
                ("log.level".to_string(), "error".to_string()),
                ("service.name".to_string(), "checkout".to_string())
            ]
        );
    }

    #[test]
    fn refusals_name_the_root_cause() {
        let body = br#"{"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [logs-x]"}],"type":"index_not_found_exception","reason":"no such index"},"status":404}"#;
        assert_eq!(refusal(body).as_deref(), Some("no such index [logs-x]"));
        assert_eq!(refusal(b"not json"), None);
    }
}
