//! The Tempo source against a wiremock stub of Tempo's HTTP API, serving answers written
//! from Tempo's published formats (tests/fixtures/tempo/): TraceQL search, trace by id in
//! OTLP JSON (v2 with hex ids, v1 with base64 ids), a 5,000-span trace, dependencies derived
//! from recent traces, and failures. Asserts the requests: paths, TraceQL, epoch seconds,
//! the tenant header.

use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use ondeck::model::{TraceKind, TraceSearch};
use ondeck::sources::tempo::TempoSource;
use ondeck::sources::{SourceError, TraceSource};

const TENANT: &str = "team-payments";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tempo")
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

/// A Tempo source for `url` as the config file declares a tenant's.
fn source(url: &str) -> TempoSource {
    let text = format!(
        "[[source]]\nname = \"tempo\"\nkind = \"tempo\"\nurl = \"{url}\"\nheaders = {{ \"X-Scope-OrgID\" = \"{TENANT}\" }}\n"
    );
    let config = ondeck::config::parse(&text, &std::env::temp_dir().join("ondeck.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    TempoSource::new(&config.sources[0]).unwrap()
}

fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn slow_search_sends_traceql_epoch_seconds_and_the_tenant() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/search"))
        .and(header("x-scope-orgid", TENANT))
        .respond_with(json_reply(200, fixture("search.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut search = TraceSearch::new("checkout", TraceKind::Slow, 20);
    search.min_duration_us = Some(500_000);

    let found = source(&server.uri())
        .search_traces(&search, at())
        .await
        .unwrap();

    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        query(request, "q").as_deref(),
        Some(r#"{ resource.service.name = "checkout" && duration > 500ms }"#)
    );
    assert_eq!(query(request, "start").as_deref(), Some("1735729200"));
    assert_eq!(query(request, "end").as_deref(), Some("1735732800"));
    assert_eq!(query(request, "limit").as_deref(), Some("20"));
    // Slowest first; Tempo's trimmed trace id comes back as 32 hex digits.
    let listed: Vec<(&str, &str, u64, usize)> = found
        .iter()
        .map(|t| {
            (
                t.trace_id.as_str(),
                t.root_service.as_str(),
                t.duration_us,
                t.span_count,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("00f7651916cd43dd8448eb211c80319c", "frontend", 1_850_000, 2),
            ("2f3e0cee77ae5dc9c17ade3689eb2e54", "checkout", 640_000, 1),
        ]
    );
    assert_eq!(found[0].root_operation, "GET /checkout");
    assert_eq!(found[0].start, Utc.timestamp_opt(1_735_732_000, 0).unwrap());
}

#[tokio::test]
async fn error_search_asks_for_failed_spans_of_an_operation_and_tags() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/search"))
        .respond_with(json_reply(200, fixture("search_errors.json")))
        .mount(&server)
        .await;
    let mut search = TraceSearch::new("checkout", TraceKind::Errors, 5);
    search.operation = Some("POST /api/\"checkout\"".into());
    search.tags = vec![("http.status_code".into(), "502".into())];
    search.range = Some((
        Utc.timestamp_opt(1_735_731_000, 0).unwrap(),
        Utc.timestamp_opt(1_735_732_000, 0).unwrap(),
    ));

    let found = source(&server.uri())
        .search_traces(&search, at())
        .await
        .unwrap();

    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        query(request, "q").as_deref(),
        Some(
            r#"{ resource.service.name = "checkout" && status = error && name = "POST /api/\"checkout\"" && span.http.status_code = 502 }"#
        )
    );
    assert_eq!(query(request, "start").as_deref(), Some("1735731000"));
    assert_eq!(query(request, "end").as_deref(), Some("1735732000"));
    assert_eq!(found.len(), 1);
    assert!(found[0].error);
}

#[tokio::test]
async fn a_v2_trace_with_hex_ids_keeps_skew_orphans_events_and_statuses() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/traces/2f3e0cee77ae5dc9c17ade3689eb2e54"))
        .and(header("x-scope-orgid", TENANT))
        .and(header("accept", "application/json"))
        .respond_with(json_reply(200, fixture("trace_v2_hex.json")))
        .expect(1)
        .mount(&server)
        .await;

    let trace = source(&server.uri())
        .fetch_trace("2F3E0CEE77AE5DC9C17ADE3689EB2E54")
        .await
        .unwrap();

    let s = &trace.spans;
    assert_eq!(trace.summary.trace_id, "2f3e0cee77ae5dc9c17ade3689eb2e54");
    assert_eq!(trace.summary.span_count, 4);
    assert_eq!(trace.summary.root_service, "checkout");
    assert_eq!(trace.summary.root_operation, "POST /api/checkout");
    // payments' clock runs 10 ms behind: its span starts the timeline.
    assert_eq!(s[2].service, "payments");
    assert_eq!(s[2].start_offset_us, 0);
    assert_eq!(s[0].start_offset_us, 10_000);
    assert_eq!(trace.summary.duration_us, 650_000);
    assert_eq!(s[2].parent_id.as_deref(), Some("7a1c3e9b2d4f6a80"));
    // inventory's parent was never reported: kept as a root.
    assert_eq!(
        (s[3].service.as_str(), s[3].parent_id.as_deref()),
        ("inventory", None)
    );
    assert_eq!(
        s.iter().map(|x| x.error).collect::<Vec<_>>(),
        [false, true, true, false]
    );
    assert!(trace.summary.error);
    let event = &s[2].events[0];
    assert_eq!(
        (event.name.as_str(), event.offset_us),
        ("exception", 610_000)
    );
    assert!(
        event
            .attributes
            .contains(&("exception.type".to_string(), "GatewayTimeout".to_string()))
    );
    for attribute in [
        ("card.networks", "[visa, amex]"),
        ("span.kind", "server"),
        ("otel.status_description", "card declined"),
    ] {
        assert!(
            s[2].attributes
                .contains(&(attribute.0.to_string(), attribute.1.to_string())),
            "{:?}",
            s[2].attributes
        );
    }
    assert!(
        s[0].attributes
            .contains(&("http.response.status_code".to_string(), "502".to_string()))
    );
}

#[tokio::test]
async fn an_older_tempo_is_asked_for_v1_and_its_base64_ids_become_hex() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2/traces/0af7651916cd43dd8448eb211c80319c"))
        .respond_with(ResponseTemplate::new(404).set_body_string("404 page not found\n"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/traces/0af7651916cd43dd8448eb211c80319c"))
        .and(header("x-scope-orgid", TENANT))
        .respond_with(json_reply(200, fixture("trace_v1_base64.json")))
        .expect(1)
        .mount(&server)
        .await;

    let trace = source(&server.uri())
        .fetch_trace("af7651916cd43dd8448eb211c80319c")
        .await
        .unwrap();

    assert_eq!(trace.summary.trace_id, "0af7651916cd43dd8448eb211c80319c");
    let tree: Vec<(&str, Option<&str>, &str)> = trace
        .spans
        .iter()
        .map(|s| {
            (
                s.span_id.as_str(),
                s.parent_id.as_deref(),
                s.service.as_str(),
            )
        })
        .collect();
    assert_eq!(
        tree,
        [
            ("b7ad6b7169203331", None, "frontend"),
            ("00f067aa0ba902b7", Some("b7ad6b7169203331"), "checkout"),
            ("5b8efff798038103", Some("00f067aa0ba902b7"), "checkout"),
        ]
    );
    // status code 2 is an error; 0 (unset) is not.
    assert!(trace.spans[1].error && !trace.spans[2].error);
    assert_eq!(trace.summary.duration_us, 1_850_000);
    assert_eq!(trace.spans[2].events[0].offset_us, 929_000);
}

/// An OTLP JSON (v2) trace of `n` spans over five services: a 4-ary tree, every third child's
/// clock 2 ms behind its parent.
fn big_trace(n: usize) -> Value {
    let start: u64 = 1_735_732_000_000_000_000;
    let resources: Vec<Value> = (0..5)
        .map(|service| {
            let spans: Vec<Value> = (0..n)
                .filter(|i| i % 5 == service)
                .map(|i| {
                    let skew = if i % 3 == 0 { 0 } else { 2_000_000 };
                    let begin = start + 5_000_000 + (i as u64) * 100_000 - skew;
                    let parent = if i == 0 {
                        String::new()
                    } else {
                        format!("{:016x}", (i - 1) / 4 + 1)
                    };
                    json!({
                        "traceId": "000000000000000000000000000abcde",
                        "spanId": format!("{:016x}", i + 1),
                        "parentSpanId": parent,
                        "name": format!("op-{}", i % 17),
                        "kind": "SPAN_KIND_INTERNAL",
                        "startTimeUnixNano": begin.to_string(),
                        "endTimeUnixNano": (begin + 1_000_000).to_string(),
                        "attributes": [{"key": "i", "value": {"intValue": i.to_string()}}],
                        "status": {}
                    })
                })
                .collect();
            json!({
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": format!("svc-{service}")}}]},
                "scopeSpans": [{"scope": {"name": "gen"}, "spans": spans}]
            })
        })
        .collect();
    json!({"trace": {"resourceSpans": resources}, "status": "COMPLETE"})
}

#[tokio::test]
async fn a_five_thousand_span_trace_arrives_whole_with_every_parent_linked() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2/traces/000000000000000000000000000abcde"))
        .respond_with(json_reply(200, big_trace(5_000).to_string().into_bytes()))
        .mount(&server)
        .await;

    let trace = source(&server.uri()).fetch_trace("abcde").await.unwrap();

    assert_eq!(trace.spans.len(), 5_000);
    assert_eq!(trace.summary.span_count, 5_000);
    assert_eq!(
        trace.spans.iter().filter(|s| s.parent_id.is_none()).count(),
        1
    );
    assert_eq!(trace.summary.root_service, "svc-0");
    assert_eq!(trace.summary.root_operation, "op-0");
    // From span 1 (3.1 ms in, skewed 2 ms early) to the end of span 4998 (505.8 ms in).
    assert_eq!(trace.summary.duration_us, 502_700);
}

#[tokio::test]
async fn dependencies_come_from_the_spans_of_recent_traces() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/search"))
        .and(query_param("q", "{}"))
        .and(query_param("limit", "20"))
        .and(query_param("start", "1735729200"))
        .and(query_param("end", "1735732800"))
        .respond_with(json_reply(200, fixture("search.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v2/traces/2f3e0cee77ae5dc9c17ade3689eb2e54"))
        .respond_with(json_reply(200, fixture("trace_v2_hex.json")))
        .mount(&server)
        .await;
    Mock::given(path("/api/v2/traces/00f7651916cd43dd8448eb211c80319c"))
        .respond_with(ResponseTemplate::new(404).set_body_string("trace not found"))
        .mount(&server)
        .await;
    Mock::given(path("/api/traces/00f7651916cd43dd8448eb211c80319c"))
        .respond_with(json_reply(200, fixture("trace_v1_base64.json")))
        .mount(&server)
        .await;

    let edges = source(&server.uri()).dependencies(at()).await.unwrap();

    let mut got: Vec<(&str, &str, u64)> = edges
        .iter()
        .map(|e| (e.parent.as_str(), e.child.as_str(), e.calls))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [("checkout", "payments", 1), ("frontend", "checkout", 1)]
    );
}

#[tokio::test]
async fn failures_are_transient_only_when_tempo_is_in_trouble() {
    let server = MockServer::start().await;
    Mock::given(path("/api/search"))
        .and(query_param("limit", "1"))
        .respond_with(ResponseTemplate::new(503).set_body_string("too many outstanding requests"))
        .mount(&server)
        .await;
    Mock::given(path("/api/search"))
        .and(query_param("limit", "2"))
        .respond_with(
            ResponseTemplate::new(400).set_body_string(
                "invalid TraceQL query: parse error at line 1, col 3: syntax error",
            ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/search"))
        .and(query_param("limit", "3"))
        .respond_with(json_reply(
            200,
            b"{\"traces\": [{\"traceID\": 7}]}".to_vec(),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/api/v2/traces/0000000000000000000000000000dead"))
        .respond_with(ResponseTemplate::new(404).set_body_string("trace not found"))
        .mount(&server)
        .await;
    Mock::given(path("/api/traces/0000000000000000000000000000dead"))
        .respond_with(ResponseTemplate::new(404).set_body_string("trace not found"))
        .expect(1)
        .mount(&server)
        .await;
    let tempo = source(&server.uri());
    let search = |limit| TraceSearch::new("checkout", TraceKind::Slow, limit);

    let busy = tempo.search_traces(&search(1), at()).await.unwrap_err();
    assert!(busy.is_transient(), "{busy:?}");

    let bad = tempo.search_traces(&search(2), at()).await.unwrap_err();
    assert_eq!(
        bad,
        SourceError::Http {
            status: 400,
            message: "invalid TraceQL query: parse error at line 1, col 3: syntax error".into()
        }
    );
    assert!(!bad.is_transient());

    let garbled = tempo.search_traces(&search(3), at()).await.unwrap_err();
    assert!(matches!(garbled, SourceError::Malformed(_)), "{garbled:?}");

    let missing = tempo.fetch_trace("dead").await.unwrap_err();
    assert!(
        matches!(missing, SourceError::Http { status: 404, .. }),
        "{missing:?}"
    );
    assert!(!missing.is_transient());

    let bad_id = tempo.fetch_trace("not-a-trace").await.unwrap_err();
    assert!(matches!(bad_id, SourceError::Rejected(_)), "{bad_id:?}");
}

#[tokio::test]
async fn a_bearer_token_goes_with_tempo_requests_too() {
    let dir = std::env::temp_dir().join(format!("ondeck-tempo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tempo.token"), "tempo-token").unwrap();
    let server = MockServer::start().await;
    Mock::given(path("/api/search"))
        .and(header("authorization", "Bearer tempo-token"))
        .respond_with(json_reply(200, b"{\"traces\":[]}".to_vec()))
        .expect(1)
        .mount(&server)
        .await;
    let text = format!(
        "[[source]]\nname = \"tempo\"\nkind = \"tempo\"\nurl = \"{}\"\ntoken_file = \"tempo.token\"\n",
        server.uri()
    );
    let config = ondeck::config::parse(&text, &dir.join("ondeck.toml")).unwrap();
    let tempo = TempoSource::new(&config.sources[0]).unwrap();

    let found = tempo
        .search_traces(&TraceSearch::new("checkout", TraceKind::Errors, 5), at())
        .await
        .unwrap();
    assert!(found.is_empty());
}
