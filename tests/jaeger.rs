//! The Jaeger source against a wiremock stub of Jaeger's query HTTP API, serving answers
//! written from Jaeger's published JSON (tests/fixtures/jaeger/). Asserts what ondeck sends
//! (paths, query parameters in microseconds, the bearer token) and what it makes of the
//! answers: clock skew, orphans, logs, a 5,000-span trace, and every kind of failure.

use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use ondeck::model::{TraceKind, TraceSearch};
use ondeck::sources::jaeger::JaegerSource;
use ondeck::sources::{SourceError, TraceSource};

const TOKEN: &str = "jaeger-test-token";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jaeger")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_reply(status: u16, body: Vec<u8>) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body, "application/json")
}

/// 2025-01-01T12:00:00Z.
fn at() -> DateTime<Utc> {
    Utc.timestamp_opt(1_735_732_800, 0).unwrap()
}

/// A Jaeger source for `url` as the config file would declare it, with a token file.
fn source(url: &str) -> JaegerSource {
    // A directory per call: tests run in parallel, and one rewriting a shared token file
    // let another read it empty.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ondeck-jaeger-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("jaeger.token"), format!("{TOKEN}\n")).unwrap();
    let text = format!(
        "[[source]]\nname = \"traces\"\nkind = \"jaeger\"\nurl = \"{url}\"\ntoken_file = \"jaeger.token\"\n"
    );
    let config =
        ondeck::config::parse(&text, &dir.join("ondeck.toml")).unwrap_or_else(|e| panic!("{e}"));
    JaegerSource::new(&config.sources[0]).unwrap()
}

fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn error_search_sends_microseconds_json_tags_and_the_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/traces"))
        .and(query_param("service", "checkout"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(json_reply(200, fixture("search.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut search = TraceSearch::new("checkout", TraceKind::Errors, 10);
    search.operation = Some("POST /api/checkout".into());
    search.tags = vec![("http.status_code".into(), "500".into())];
    search.min_duration_us = Some(250_000);
    search.range = Some((
        Utc.timestamp_opt(1_735_731_000, 0).unwrap(),
        Utc.timestamp_opt(1_735_732_000, 500_000_000).unwrap(),
    ));

    let found = source(&server.uri())
        .search_traces(&search, at())
        .await
        .unwrap();

    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(query(request, "start").as_deref(), Some("1735731000000000"));
    assert_eq!(query(request, "end").as_deref(), Some("1735732000500000"));
    assert_eq!(
        query(request, "operation").as_deref(),
        Some("POST /api/checkout")
    );
    assert_eq!(query(request, "minDuration").as_deref(), Some("250ms"));
    assert_eq!(query(request, "limit").as_deref(), Some("10"));
    let tags: Value = serde_json::from_str(&query(request, "tags").unwrap()).unwrap();
    assert_eq!(tags, json!({"error": "true", "http.status_code": "500"}));
    // Only the trace with a failed span is listed.
    let ids: Vec<&str> = found.iter().map(|t| t.trace_id.as_str()).collect();
    assert_eq!(ids, ["4bf92f3577b34da6a3ce929d0e0e4736"]);
    assert!(found[0].error);
    assert_eq!(found[0].root_service, "checkout");
    assert_eq!(found[0].duration_us, 800_000);
}

#[tokio::test]
async fn slow_search_over_the_last_hour_lists_the_slowest_first() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/traces"))
        .respond_with(json_reply(200, fixture("search.json")))
        .mount(&server)
        .await;
    let search = TraceSearch::new("checkout", TraceKind::Slow, 2);

    let found = source(&server.uri())
        .search_traces(&search, at())
        .await
        .unwrap();

    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(query(request, "start").as_deref(), Some("1735729200000000"));
    assert_eq!(query(request, "end").as_deref(), Some("1735732800000000"));
    assert_eq!(query(request, "tags"), None);
    assert_eq!(query(request, "minDuration"), None);
    let listed: Vec<(&str, u64, usize)> = found
        .iter()
        .map(|t| (t.trace_id.as_str(), t.duration_us, t.span_count))
        .collect();
    assert_eq!(
        listed,
        [
            ("0af7651916cd43dd8448eb211c80319c", 2_400_000, 2),
            ("4bf92f3577b34da6a3ce929d0e0e4736", 800_000, 1),
        ]
    );
    assert_eq!(found[0].start, Utc.timestamp_opt(1_735_732_200, 0).unwrap());
}

#[tokio::test]
async fn a_trace_keeps_skewed_children_orphans_follows_from_and_logs() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/traces/4bf92f3577b34da6a3ce929d0e0e4736"))
        .respond_with(json_reply(200, fixture("trace_skewed.json")))
        .expect(1)
        .mount(&server)
        .await;

    let trace = source(&server.uri())
        .fetch_trace("4BF92F3577B34DA6A3CE929D0E0E4736")
        .await
        .unwrap();

    let s = &trace.spans;
    // The payments host's clock runs 15 ms behind: its span starts the trace.
    assert_eq!(s[1].start_offset_us, 0);
    assert_eq!(s[0].start_offset_us, 15_000);
    assert_eq!(
        trace.summary.start,
        Utc.timestamp_opt(1_735_732_699, 985_000_000).unwrap()
    );
    assert_eq!(trace.summary.duration_us, 816_300);
    assert_eq!(trace.summary.root_service, "checkout");
    assert_eq!(trace.summary.root_operation, "POST /api/checkout");
    assert_eq!(trace.summary.span_count, 4);
    // The redis span's parent was never reported: it is kept, as a root.
    assert_eq!(s[2].service, "redis");
    assert_eq!(s[2].parent_id, None);
    // FOLLOWS_FROM is a parent when there is no CHILD_OF.
    assert_eq!(s[3].parent_id.as_deref(), Some("53995c3f42cd8ad8"));
    assert_eq!(s[1].parent_id.as_deref(), Some("53995c3f42cd8ad8"));
    // error=true (bool) and otel.status_code=ERROR both mark failures.
    assert!(s[0].error && s[1].error && !s[2].error);
    assert!(
        s[1].attributes
            .contains(&("retry.ratio".to_string(), "0.5".to_string()))
    );
    assert!(
        s[0].attributes
            .contains(&("http.status_code".to_string(), "500".to_string()))
    );
    // Logs become events in time order, named by their `event` or `message` field.
    let events: Vec<(&str, u64)> = s[1]
        .events
        .iter()
        .map(|e| (e.name.as_str(), e.offset_us))
        .collect();
    assert_eq!(events, [("attempt 1", 25_000), ("exception", 775_000)]);
}

/// A Jaeger trace of `n` spans: a 4-ary tree over five services, every third child's
/// clock 2 ms behind its parent.
fn big_trace(n: usize) -> Value {
    let start: u64 = 1_735_732_000_000_000;
    let spans: Vec<Value> = (0..n)
        .map(|i| {
            let references = if i == 0 {
                json!([])
            } else {
                json!([{"refType": "CHILD_OF", "traceID": "00000000000000000000000000abcdef", "spanID": format!("{:016x}", (i - 1) / 4 + 1)}])
            };
            let skew = if i % 3 == 0 { 0 } else { 2_000 };
            json!({
                "traceID": "00000000000000000000000000abcdef",
                "spanID": format!("{:016x}", i + 1),
                "flags": 1,
                "operationName": format!("op-{}", i % 17),
                "references": references,
                "startTime": start + 5_000 + (i as u64) * 100 - skew,
                "duration": 1_000 + (i as u64 % 50),
                "tags": [{"key": "i", "type": "int64", "value": i}],
                "logs": [],
                "processID": format!("p{}", i % 5),
                "warnings": null
            })
        })
        .collect();
    let processes: serde_json::Map<String, Value> = (0..5)
        .map(|p| {
            (
                format!("p{p}"),
                json!({"serviceName": format!("svc-{p}"), "tags": []}),
            )
        })
        .collect();
    json!({"data": [{"traceID": "00000000000000000000000000abcdef", "spans": spans, "processes": processes, "warnings": null}],
           "total": 0, "limit": 0, "offset": 0, "errors": null})
}

#[tokio::test]
async fn a_five_thousand_span_trace_arrives_whole_with_every_parent_linked() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/traces/00000000000000000000000000abcdef"))
        .respond_with(json_reply(200, big_trace(5_000).to_string().into_bytes()))
        .mount(&server)
        .await;

    let trace = source(&server.uri())
        .fetch_trace("00000000000000000000000000abcdef")
        .await
        .unwrap();

    assert_eq!(trace.spans.len(), 5_000);
    assert_eq!(trace.summary.span_count, 5_000);
    let roots = trace.spans.iter().filter(|s| s.parent_id.is_none()).count();
    assert_eq!(roots, 1);
    assert_eq!(trace.summary.root_service, "svc-0");
    // The earliest span is a skewed one: i = 1 starts 2 ms early, at 3.1 ms after `start`.
    assert_eq!(trace.spans[1].start_offset_us, 0);
    assert_eq!(trace.spans[0].start_offset_us, 1_900);
    let last = &trace.spans[4_999];
    assert_eq!(last.service, "svc-4");
    assert_eq!(
        last.parent_id.as_deref(),
        Some(format!("{:016x}", 4_998 / 4 + 1).as_str())
    );
}

#[tokio::test]
async fn dependencies_ask_for_the_hour_before_in_milliseconds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/dependencies"))
        .and(query_param("endTs", "1735732800000"))
        .and(query_param("lookback", "3600000"))
        .respond_with(json_reply(200, fixture("dependencies.json")))
        .expect(1)
        .mount(&server)
        .await;

    let edges = source(&server.uri()).dependencies(at()).await.unwrap();

    let got: Vec<(&str, &str, u64)> = edges
        .iter()
        .map(|e| (e.parent.as_str(), e.child.as_str(), e.calls))
        .collect();
    assert_eq!(
        got,
        [
            ("checkout", "redis", 3571),
            ("frontend", "checkout", 1204),
            ("checkout", "payments", 1190),
        ]
    );
}

#[tokio::test]
async fn services_and_their_operations_are_listed_sorted() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/services"))
        .respond_with(json_reply(200, fixture("services.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/services/front%20end/operations"))
        .respond_with(json_reply(200, fixture("operations.json")))
        .expect(1)
        .mount(&server)
        .await;
    let jaeger = source(&server.uri());

    assert_eq!(
        jaeger.services().await.unwrap(),
        ["checkout", "frontend", "payments", "redis"]
    );
    assert_eq!(
        jaeger.operations("front end").await.unwrap(),
        ["GET /api/cart", "HTTP POST", "POST /api/checkout"]
    );
}

#[tokio::test]
async fn failures_say_what_jaeger_said_and_only_server_trouble_is_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/api/traces"))
        .and(query_param("service", "down"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream connect error"))
        .mount(&server)
        .await;
    Mock::given(path("/api/traces"))
        .and(query_param("service", "bad"))
        .respond_with(json_reply(400, fixture("bad_request.json")))
        .mount(&server)
        .await;
    Mock::given(path("/api/traces"))
        .and(query_param("service", "partial"))
        .respond_with(json_reply(200, fixture("partial_errors.json")))
        .mount(&server)
        .await;
    Mock::given(path("/api/traces"))
        .and(query_param("service", "html"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>login</html>", "text/html"))
        .mount(&server)
        .await;
    let jaeger = source(&server.uri());
    let search = |service: &str| TraceSearch::new(service, TraceKind::Slow, 5);

    let down = jaeger
        .search_traces(&search("down"), at())
        .await
        .unwrap_err();
    assert!(down.is_transient(), "{down:?}");
    assert!(matches!(down, SourceError::Http { status: 503, .. }));

    let bad = jaeger
        .search_traces(&search("bad"), at())
        .await
        .unwrap_err();
    assert_eq!(
        bad,
        SourceError::Http {
            status: 400,
            message: "cannot query for tags when 'service' is not present".into()
        }
    );
    assert!(!bad.is_transient());

    let partial = jaeger
        .search_traces(&search("partial"), at())
        .await
        .unwrap_err();
    assert!(
        partial.to_string().contains("context deadline exceeded"),
        "{partial}"
    );
    assert!(partial.is_transient());

    let html = jaeger
        .search_traces(&search("html"), at())
        .await
        .unwrap_err();
    assert!(matches!(html, SourceError::Malformed(_)), "{html:?}");
}

#[tokio::test]
async fn an_unknown_trace_is_a_404_with_jaegers_message_and_bad_ids_never_leave() {
    let server = MockServer::start().await;
    Mock::given(path("/api/traces/0123456789abcdef"))
        .respond_with(json_reply(404, fixture("not_found.json")))
        .expect(1)
        .mount(&server)
        .await;
    let jaeger = source(&server.uri());

    let missing = jaeger.fetch_trace("0123456789abcdef").await.unwrap_err();
    assert_eq!(
        missing,
        SourceError::Http {
            status: 404,
            message: "trace not found".into()
        }
    );
    assert!(!missing.is_transient());

    let bad = jaeger.fetch_trace("../api/services").await.unwrap_err();
    assert!(matches!(bad, SourceError::Rejected(_)), "{bad:?}");
}
