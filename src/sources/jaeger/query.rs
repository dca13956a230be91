//! The query string of a Jaeger trace search: times in epoch microseconds, `minDuration` as
//! a Go duration, and tags as one JSON object (`{"error":"true"}` for failing traces).

use chrono::{DateTime, Duration, Utc};

use crate::model::{TraceKind, TraceSearch};
use crate::sources::tracing_wire::go_duration;

/// How far back a search without a range looks.
pub const DEFAULT_LOOKBACK: Duration = Duration::hours(1);

/// The `/api/traces` query parameters for `search`, evaluated at `at`.
pub fn search_params(search: &TraceSearch, at: DateTime<Utc>) -> Vec<(&'static str, String)> {
    let (start, end) = search.range.unwrap_or((at - DEFAULT_LOOKBACK, at));
    let mut params = vec![("service", search.service.clone())];
    if let Some(operation) = &search.operation {
        params.push(("operation", operation.clone()));
    }
    let mut tags = serde_json::Map::new();
    for (key, value) in &search.tags {
        tags.insert(key.clone(), serde_json::Value::String(value.clone()));
    }
    if search.kind == TraceKind::Errors {
        tags.insert("error".into(), serde_json::Value::String("true".into()));
    }
    if !tags.is_empty() {
        params.push(("tags", serde_json::Value::Object(tags).to_string()));
    }
    params.push(("start", start.timestamp_micros().to_string()));
    params.push(("end", end.timestamp_micros().to_string()));
    if let Some(min) = search.min_duration_us {
        params.push(("minDuration", go_duration(min)));
    }
    params.push(("limit", search.limit.max(1).to_string()));
    params
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn error_searches_send_microseconds_and_tags_as_json() {
        let at = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let mut search = TraceSearch::new("checkout", TraceKind::Errors, 20);
        search.tags = vec![("http.status_code".into(), "500".into())];
        search.min_duration_us = Some(1_200_000);
        let params = search_params(&search, at);
        let get = |k: &str| {
            params
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("start"), Some("1699996400000000"));
        assert_eq!(get("end"), Some("1700000000000000"));
        assert_eq!(get("minDuration"), Some("1.2s"));
        assert_eq!(get("limit"), Some("20"));
        let tags: serde_json::Value = serde_json::from_str(get("tags").unwrap()).unwrap();
        assert_eq!(
            tags,
            serde_json::json!({"http.status_code": "500", "error": "true"})
        );
    }

    #[test]
    fn slow_searches_without_tags_send_no_tags_parameter() {
        let at = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let params = search_params(&TraceSearch::new("checkout", TraceKind::Slow, 10), at);
        assert!(params.iter().all(|(name, _)| *name != "tags"));
        assert!(params.iter().all(|(name, _)| *name != "minDuration"));
    }
}
