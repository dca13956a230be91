//! The Elasticsearch/OpenSearch log source against a stub of the search API
//! (`POST /<index>/_search`, `GET /<index>/_mapping/field/<field>`), answering as the
//! reference describes — hits with `_source` and `sort`, `_shards`, errors with
//! `root_cause` — and with the freedom it leaves a server: pages shorter than `size`, shards
//! that failed or timed out, 429 and 404. Asserts what ondeck sends: the path, the bool query
//! (service term, time range in `strict_date_optional_time_nanos`, level terms, trace id),
//! `search_after` from the previous page's last hit, and the API key.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use ondeck::model::{LogLevel, LogQuery, LogTarget};
use ondeck::sources::SourceError;
use ondeck::sources::elasticsearch::ElasticsearchSource;
use ondeck::sources::logs::LogSource;

fn until() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap()
}

fn service_query() -> LogQuery {
    LogQuery {
        target: LogTarget::Service("checkout".into()),
        since: until() - Duration::minutes(15),
        until: until(),
        grep: None,
        limit: 2000,
        trouble_only: false,
    }
}

fn source(url: &str, extra: &str) -> ElasticsearchSource {
    let dir = std::env::temp_dir().join(format!("ondeck-es-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("es.key"),
        "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==\n",
    )
    .unwrap();
    let text = format!(
        "[[source]]\nname = \"elastic\"\nkind = \"elasticsearch\"\nurl = \"{url}\"\n{extra}\n"
    );
    let config =
        ondeck::config::parse(&text, &dir.join("ondeck.toml")).unwrap_or_else(|e| panic!("{e}"));
    ElasticsearchSource::new(&config.sources[0]).unwrap()
}

fn fixture() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/elasticsearch/search_ecs.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

fn empty_page() -> Value {
    json!({"timed_out": false, "_shards": {"total": 1, "successful": 1, "failed": 0}, "hits": {"hits": []}})
}

#[tokio::test]
async fn the_search_is_a_bool_query_on_service_time_and_level_with_the_api_key() {
    let server = MockServer::start().await;
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    let page = fixture();
    Mock::given(method("POST"))
        .and(path("/logs-*,app-*/_search"))
        .and(header(
            "Authorization",
            "ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==",
        ))
        .and(header("Content-Type", "application/json"))
        .respond_with(move |request: &Request| {
            let sent = body(request);
            let first = sent.get("search_after").is_none();
            log.lock().unwrap().push(sent);
            ResponseTemplate::new(200).set_body_json(if first {
                page.clone()
            } else {
                empty_page()
            })
        })
        .mount(&server)
        .await;
    let es = source(
        &server.uri(),
        "token_file = \"es.key\"\nindex = \"logs-*,app-*\"",
    );
    let mut query = service_query();
    query.trouble_only = true;
    let batch = es.query_logs(&query).await.unwrap();
    // The stub answers with an INFO line too, as a server ignoring the level filter would:
    // it is not shown as trouble.
    assert_eq!(batch.lines.len(), 1);
    assert_eq!(batch.lines[0].level, LogLevel::Error);
    let asked = asked.lock().unwrap();
    let first = &asked[0];
    assert_eq!(first["size"], 1000);
    assert_eq!(first["track_total_hits"], false);
    assert_eq!(first["sort"][0]["@timestamp"]["order"], "desc");
    let filters = first["query"]["bool"]["filter"].as_array().unwrap();
    assert_eq!(
        filters[0]["range"]["@timestamp"],
        json!({
            "gte": "2026-11-21T02:57:00.000000000Z",
            "lte": "2026-11-21T03:12:00.000000000Z",
            "format": "strict_date_optional_time_nanos",
        })
    );
    assert_eq!(filters[1], json!({"term": {"service.name": "checkout"}}));
    let levels = filters[2]["terms"]["log.level"].as_array().unwrap();
    for word in ["error", "ERROR", "warn", "WARNING", "fatal", "critical"] {
        assert!(levels.contains(&json!(word)), "{word}");
    }
    // The next page continues after the last hit's sort values, verbatim.
    assert_eq!(asked[1]["search_after"], json!([1_795_230_712_548_i64, 9]));
    assert_eq!(asked.len(), 2);
}

/// An index of `docs` lines (one a second before `until`, newest first) that answers at
/// most `page` hits whatever the `size`, honouring `search_after`.
struct Index {
    docs: i64,
    page: usize,
    afters: Arc<Mutex<Vec<Value>>>,
}

impl Respond for Index {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let sent = body(request);
        let size = sent["size"].as_u64().unwrap() as usize;
        let after = sent.get("search_after").cloned();
        self.afters
            .lock()
            .unwrap()
            .push(after.clone().unwrap_or(Value::Null));
        let after_millis = after
            .as_ref()
            .and_then(|a| a[0].as_i64())
            .unwrap_or(i64::MAX);
        let hits: Vec<Value> = (0..self.docs)
            .map(|i| (i, until().timestamp_millis() - i * 1000))
            .filter(|(_, millis)| *millis < after_millis)
            .take(size.min(self.page))
            .map(|(i, millis)| {
                let at = DateTime::from_timestamp_millis(millis).unwrap();
                json!({
                    "_index": "logs-checkout",
                    "_id": format!("doc-{i}"),
                    "_source": {
                        "@timestamp": at.to_rfc3339(),
                        "service": {"name": "checkout"},
                        "log": {"level": "info"},
                        "message": format!("line {i}"),
                    },
                    "sort": [millis, i],
                })
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "timed_out": false,
            "_shards": {"total": 3, "successful": 3, "failed": 0},
            "hits": {"total": null, "max_score": null, "hits": hits},
        }))
    }
}

#[tokio::test]
async fn search_after_pages_on_through_short_pages_to_every_line() {
    let server = MockServer::start().await;
    let afters = Arc::new(Mutex::new(Vec::new()));
    Mock::given(path("/logs-*/_search"))
        .respond_with(Index {
            docs: 23,
            page: 5,
            afters: afters.clone(),
        })
        .mount(&server)
        .await;
    let es = source(&server.uri(), "");
    let batch = es.query_logs(&service_query()).await.unwrap();
    let got: Vec<String> = batch.lines.iter().map(|l| l.message.clone()).collect();
    let want: Vec<String> = (0..23).map(|i| format!("line {i}")).collect();
    assert_eq!(got, want);
    let afters = afters.lock().unwrap();
    assert_eq!(afters[0], Value::Null, "the first page has no search_after");
    let last_of_first = until().timestamp_millis() - 4 * 1000;
    assert_eq!(afters[1], json!([last_of_first, 4]));
    assert_eq!(afters.len(), 6, "five pages of hits and an empty one");
}

#[tokio::test]
async fn failed_shards_are_said_and_refusals_come_in_elasticsearchs_words() {
    let server = MockServer::start().await;
    let mut partial = fixture();
    partial["_shards"] = json!({"total": 5, "successful": 3, "skipped": 0, "failed": 2,
        "failures": [{"shard": 1, "index": "logs-checkout", "reason": {"type": "node_not_connected_exception"}}]});
    Mock::given(path("/logs-*/_search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(partial))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/logs-*/_search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_page()))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let es = source(&server.uri(), "");
    let batch = es.query_logs(&service_query()).await.unwrap();
    assert_eq!(batch.lines.len(), 2);
    assert_eq!(
        batch.warnings,
        ["incomplete: 2 of 5 shards failed; their lines are missing"]
    );

    Mock::given(path("/logs-*/_search"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "error": {
                "root_cause": [{"type": "index_not_found_exception", "reason": "no such index [logs-*]"}],
                "type": "index_not_found_exception",
                "reason": "no such index [logs-*]",
            },
            "status": 404,
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let error = es.query_logs(&service_query()).await.unwrap_err();
    assert_eq!(error.to_string(), "HTTP 404: no such index [logs-*]");
    Mock::given(path("/logs-*/_search"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "12").set_body_json(json!({
            "error": {"type": "es_rejected_execution_exception", "reason": "rejected execution"},
            "status": 429,
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let error = es.query_logs(&service_query()).await.unwrap_err();
    assert_eq!(error, SourceError::RateLimited(Some(12)));
}

#[tokio::test]
async fn an_empty_answer_on_a_text_service_field_says_to_use_its_keyword() {
    let server = MockServer::start().await;
    Mock::given(path("/logs-*/_search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_page()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/logs-*/_mapping/field/service.name"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "logs-checkout": {"mappings": {"service.name": {
                "full_name": "service.name",
                "mapping": {"name": {"type": "text", "fields": {"keyword": {"type": "keyword"}}}},
            }}},
        })))
        .mount(&server)
        .await;
    let es = source(&server.uri(), "");
    let batch = es.query_logs(&service_query()).await.unwrap();
    assert_eq!(
        batch.hint.as_deref(),
        Some(
            "service.name is a text field, which a term query cannot match: set service_field = \"service.name.keyword\""
        )
    );
}
