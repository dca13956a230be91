//! The search request ondeck sends Elasticsearch or OpenSearch, built without IO: a bool
//! query whose filters are the service (a `term` on the service field), the time range (in
//! `strict_date_optional_time_nanos`, so `date` and `date_nanos` fields both take it), the
//! trace id (in its field or in the text), the trouble levels and the responder's text; newest
//! first, with `_doc` as the tiebreaker `search_after` pages by.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::config::LogOptions;
use crate::model::LogQuery;

/// Level words a trouble-only query keeps, as loggers write them.
const TROUBLE_LEVELS: [&str; 12] = [
    "emerg", "alert", "crit", "critical", "fatal", "panic", "err", "error", "warn", "warning",
    "severe", "dpanic",
];

/// A time as the range filter writes it: RFC 3339 with nanoseconds, UTC.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// The bool filters of `query`.
pub fn filters(query: &LogQuery, options: &LogOptions) -> Vec<Value> {
    let mut filters = vec![json!({
        "range": {
            options.timestamp_field.as_str(): {
                "gte": timestamp(query.since),
                "lte": timestamp(query.until),
                "format": "strict_date_optional_time_nanos",
            }
        }
    })];
    if let Some(service) = query.target.service() {
        filters.push(json!({ "term": { options.service_field.as_str(): service } }));
    }
    if let Some(id) = query.target.trace_id() {
        // The id may be in the trace field or only in the text (the reason a trace_regex
        // is configured): a line with either is the trace's.
        let in_text = json!({ "match_phrase": { options.message_field.as_str(): id } });
        filters.push(match &options.trace_field {
            Some(field) => json!({ "bool": {
                "should": [{ "term": { field.as_str(): id } }, in_text],
                "minimum_should_match": 1,
            } }),
            None => in_text,
        });
    }
    if query.trouble_only {
        // Keyword fields match exactly: each word in lower and upper case.
        let words: Vec<String> = TROUBLE_LEVELS
            .iter()
            .flat_map(|w| [w.to_string(), w.to_ascii_uppercase()])
            .collect();
        filters.push(json!({ "terms": { options.level_field.as_str(): words } }));
    }
    if let Some(text) = query.grep.as_deref().filter(|t| !t.is_empty()) {
        filters.push(json!({ "match_phrase": { options.message_field.as_str(): text } }));
    }
    filters
}

/// The body of one `_search` page: `size` hits before `after` (the last page's last `sort`).
pub fn body(query: &LogQuery, options: &LogOptions, size: usize, after: Option<&Value>) -> Value {
    let mut body = json!({
        "size": size,
        "track_total_hits": false,
        "sort": [
            { options.timestamp_field.as_str(): { "order": "desc" } },
            { "_doc": { "order": "asc" } },
        ],
        "query": { "bool": { "filter": filters(query, options) } },
    });
    if let (Some(after), Some(map)) = (after, body.as_object_mut()) {
        map.insert("search_after".to_string(), after.clone());
    }
    body
}

/// `index` (a pattern such as `logs-*`, commas allowed) as a path segment: wildcards and
/// commas kept, anything else outside names percent-encoded.
pub fn index_path(index: &str) -> String {
    let mut out = String::with_capacity(index.len());
    for byte in index.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~*,".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The path of a search over `index`.
pub fn search_path(index: &str) -> String {
    format!("/{}/_search", index_path(index))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::config::SourceKind;
    use crate::model::LogTarget;

    #[test]
    fn the_search_filters_service_time_trace_level_and_text() {
        let options = LogOptions::defaults_for(SourceKind::Elasticsearch);
        let until = Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap();
        let query = LogQuery {
            target: LogTarget::ServiceTrace {
                service: "checkout".into(),
                trace_id: "4bf92f35".into(),
            },
            since: until - chrono::Duration::minutes(15),
            until,
            grep: Some("redis".into()),
            limit: 100,
            trouble_only: true,
        };
        let after = json!([1_796_670_000_000_i64, 7]);
        let body = body(&query, &options, 50, Some(&after));
        assert_eq!(body["size"], 50);
        assert_eq!(body["search_after"], after);
        assert_eq!(body["sort"][0]["@timestamp"]["order"], "desc");
        let filters = body["query"]["bool"]["filter"].as_array().unwrap();
        assert_eq!(
            filters[0]["range"]["@timestamp"]["gte"],
            "2026-11-21T02:57:00.000000000Z"
        );
        assert_eq!(filters[1]["term"]["service.name"], "checkout");
        let trace = &filters[2]["bool"];
        assert_eq!(trace["should"][0]["term"]["trace.id"], "4bf92f35");
        assert_eq!(trace["should"][1]["match_phrase"]["message"], "4bf92f35");
        assert_eq!(trace["minimum_should_match"], 1);
        assert!(
            filters[3]["terms"]["log.level"]
                .as_array()
                .unwrap()
                .contains(&json!("ERROR"))
        );
        assert_eq!(filters[4]["match_phrase"]["message"], "redis");
        assert_eq!(search_path("logs-*,app-*"), "/logs-*,app-*/_search");
    }
}
