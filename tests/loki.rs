//! The Loki log source against a stub of Loki's HTTP API (`/loki/api/v1/query_range`,
//! `/labels`, `/label/<name>/values`), answering as its API reference describes — streams
//! of `[ns, line]` (or `[ns, line, metadata]`), `warnings`, errors as text — and using the
//! freedom the reference leaves a server: fewer lines than asked while more exist, 429 with
//! Retry-After, 5xx, a body far over any sane size, an answer that never comes. Asserts what
//! ondeck sends: the path, the LogQL, nanosecond `start`/`end` (`end` exclusive), `limit`,
//! `direction`, the tenant header and the credentials.

#[path = "support/misbehaving.rs"]
#[allow(dead_code)]
mod misbehaving;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use ondeck::model::{LogLevel, LogQuery, LogTarget};
use ondeck::sources::SourceError;
use ondeck::sources::logs::LogSource;
use ondeck::sources::loki::LokiSource;

fn until() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap()
}

fn ns(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap()
}

fn service_query(minutes: i64) -> LogQuery {
    LogQuery {
        target: LogTarget::Service("checkout".into()),
        since: until() - Duration::minutes(minutes),
        until: until(),
        grep: None,
        limit: 2000,
        trouble_only: false,
    }
}

/// A Loki source for `url`, declared in a config file beside a token or password file.
fn source(url: &str, extra: &str) -> LokiSource {
    let dir = std::env::temp_dir().join(format!("ondeck-loki-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("loki.token"), "loki-test-token\n").unwrap();
    std::fs::write(dir.join("loki.password"), "hunter2\n").unwrap();
    let text = format!("[[source]]\nname = \"loki\"\nkind = \"loki\"\nurl = \"{url}\"\n{extra}\n");
    let config =
        ondeck::config::parse(&text, &dir.join("ondeck.toml")).unwrap_or_else(|e| panic!("{e}"));
    LokiSource::new(&config.sources[0]).unwrap()
}

fn fixture() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/loki/query_range_streams.json");
    std::fs::read(path).unwrap()
}

fn param(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn the_request_carries_the_logql_nanosecond_times_the_tenant_and_the_token() {
    let server = MockServer::start().await;
    let query = service_query(15);
    Mock::given(method("GET"))
        .and(path("/loki/api/v1/query_range"))
        .and(query_param("query", r#"{app="checkout-api", env="prod"}"#))
        .and(query_param("start", ns(query.since).to_string()))
        // Loki's `end` is exclusive: one nanosecond past the window's last instant.
        .and(query_param("end", (ns(query.until) + 1).to_string()))
        .and(query_param("limit", "1000"))
        .and(query_param("direction", "backward"))
        .and(header("X-Scope-OrgID", "team-a"))
        .and(header("Authorization", "Bearer loki-test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture(), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    // Loki may answer with fewer lines than asked while it holds more, so ondeck asks on
    // from the oldest line read until an answer brings nothing new.
    let oldest = 1_795_230_712_548_155_000_i64;
    Mock::given(method("GET"))
        .and(path("/loki/api/v1/query_range"))
        .and(query_param("end", (oldest + 1).to_string()))
        .and(query_param("limit", "1001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"status": "success", "data": {"resultType": "streams", "result": []}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let loki = source(
        &server.uri(),
        r#"token_file = "loki.token"
headers = { "X-Scope-OrgID" = "team-a" }
selector = '{app="$service-api", env="prod"}'"#,
    );
    let batch = loki.query_logs(&query).await.unwrap();
    assert_eq!(batch.lines.len(), 3);
    assert_eq!(batch.lines[0].level, LogLevel::Error);
    assert_eq!(
        batch.lines[0].trace_id.as_deref(),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    assert!(
        batch.lines.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first across streams"
    );
}

#[tokio::test]
async fn basic_auth_trouble_and_trace_queries_say_what_they_filter() {
    let server = MockServer::start().await;
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    Mock::given(method("GET"))
        .and(path("/loki/api/v1/query_range"))
        // `ondeck:hunter2`, base64.
        .and(header("Authorization", "Basic b25kZWNrOmh1bnRlcjI="))
        .respond_with(move |request: &Request| {
            log.lock()
                .unwrap()
                .push(param(request, "query").unwrap_or_default());
            ResponseTemplate::new(200).set_body_json(
                json!({"status": "success", "data": {"resultType": "streams", "result": []}}),
            )
        })
        .mount(&server)
        .await;
    let loki = source(
        &server.uri(),
        "username = \"ondeck\"\npassword_file = \"loki.password\"\ntrace_field = \"trace_id\"",
    );
    let mut trouble = service_query(15);
    trouble.trouble_only = true;
    trouble.grep = Some("pool (exhausted)".into());
    loki.query_logs(&trouble).await.unwrap();
    let trace = LogQuery {
        target: LogTarget::Trace("4bf92f35".into()),
        ..service_query(15)
    };
    loki.query_logs(&trace).await.unwrap();
    let asked = asked.lock().unwrap();
    assert_eq!(
        asked[0],
        r#"{service="checkout"} |~ "(?i)pool \\(exhausted\\)" | level=~"(?i)(emerg.*|alert|crit.*|fatal|panic|err.*|warn.*)""#
    );
    assert_eq!(asked[1], r#"{service=~".+"} | trace_id="4bf92f35""#);
}

/// A Loki holding `lines` (one a second before `until`, newest index 0) that answers at most
/// `page` lines whatever the `limit`, newest first, within `[start, end)` — as a query
/// frontend splitting the range may.
struct Store {
    lines: usize,
    page: usize,
    requests: Arc<Mutex<Vec<(i64, usize)>>>,
}

impl Respond for Store {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let start: i64 = param(request, "start").unwrap().parse().unwrap();
        let end: i64 = param(request, "end").unwrap().parse().unwrap();
        let limit: usize = param(request, "limit").unwrap().parse().unwrap();
        self.requests.lock().unwrap().push((end, limit));
        let values: Vec<Value> = (0..self.lines)
            .map(|i| (i, ns(until()) - i as i64 * 1_000_000_000))
            .filter(|(_, t)| *t >= start && *t < end)
            .take(limit.min(self.page))
            .map(|(i, t)| json!([t.to_string(), format!("line {i} level=info")]))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "status": "success",
            "data": {
                "resultType": "streams",
                "result": [{"stream": {"service": "checkout"}, "values": values}],
            },
        }))
    }
}

#[tokio::test]
async fn pages_move_end_to_the_oldest_line_and_a_short_page_does_not_end_the_reading() {
    let server = MockServer::start().await;
    let requests = Arc::new(Mutex::new(Vec::new()));
    Mock::given(path("/loki/api/v1/query_range"))
        .respond_with(Store {
            lines: 25,
            page: 4,
            requests: requests.clone(),
        })
        .mount(&server)
        .await;
    let loki = source(&server.uri(), "");
    let batch = loki.query_logs(&service_query(60)).await.unwrap();
    let got: Vec<String> = batch.lines.iter().map(|l| l.message.clone()).collect();
    let want: Vec<String> = (0..25).map(|i| format!("line {i} level=info")).collect();
    assert_eq!(got, want, "every line once, newest first");
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    let asked = requests.lock().unwrap().clone();
    assert!(asked.len() >= 7, "{asked:?}");
    for pair in asked.windows(2) {
        let oldest_of_previous = pair[0].0 - 1 - 3 * 1_000_000_000;
        assert_eq!(pair[1].0, oldest_of_previous + 1, "{asked:?}");
    }
    // Fewer lines allowed than Loki holds: the newest, and a warning.
    let limited = source(&server.uri(), "max_lines = 10");
    let batch = limited.query_logs(&service_query(60)).await.unwrap();
    assert_eq!(batch.lines.len(), 10);
    assert_eq!(batch.lines[0].message, "line 0 level=info");
    assert!(batch.warnings.iter().any(|w| w.contains("newest 10")));
}

#[tokio::test]
async fn refusals_come_back_in_lokis_words_and_warnings_are_kept() {
    let server = MockServer::start().await;
    let loki = source(&server.uri(), "");
    Mock::given(path("/loki/api/v1/query_range"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(
            "parse error at line 1, col 12: syntax error: unexpected IDENTIFIER",
            "text/plain",
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let error = loki.query_logs(&service_query(15)).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "HTTP 400: parse error at line 1, col 12: syntax error: unexpected IDENTIFIER"
    );
    assert!(!error.is_transient());
    Mock::given(path("/loki/api/v1/query_range"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "30"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let error = loki.query_logs(&service_query(15)).await.unwrap_err();
    assert_eq!(error, SourceError::RateLimited(Some(30)));
    Mock::given(path("/loki/api/v1/query_range"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_raw("<html><h1>502 Bad Gateway</h1></html>", "text/html"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let error = loki.query_logs(&service_query(15)).await.unwrap_err();
    assert!(
        error.is_transient() && error.to_string().contains("Bad Gateway"),
        "{error}"
    );
    Mock::given(path("/loki/api/v1/query_range"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "success",
            "data": {"resultType": "streams", "result": [
                {"stream": {"service": "checkout"}, "values": [[ns(until()).to_string(), "ok"]]}
            ]},
            "warnings": ["query was limited by max_query_series"],
        })))
        .mount(&server)
        .await;
    let batch = loki.query_logs(&service_query(15)).await.unwrap();
    assert_eq!(
        batch.warnings,
        ["Loki: query was limited by max_query_series"]
    );
}

#[tokio::test]
async fn an_empty_answer_names_the_label_loki_lacks_or_the_value_it_lacks() {
    let server = MockServer::start().await;
    let empty = json!({"status": "success", "data": {"resultType": "streams", "result": []}});
    Mock::given(path("/loki/api/v1/query_range"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty))
        .mount(&server)
        .await;
    Mock::given(path("/loki/api/v1/labels"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"status": "success", "data": ["app", "namespace", "service"]}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/loki/api/v1/label/service/values"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"status": "success", "data": ["cart", "search"]})),
        )
        .mount(&server)
        .await;
    let unknown_label = source(&server.uri(), "selector = '{job=\"$service\"}'");
    let batch = unknown_label.query_logs(&service_query(15)).await.unwrap();
    assert_eq!(
        batch.hint.as_deref(),
        Some(
            "Loki has no label `job` in this window (it has app, namespace, service): set this source's selector"
        )
    );
    let unknown_value = source(&server.uri(), "");
    let batch = unknown_value.query_logs(&service_query(15)).await.unwrap();
    assert_eq!(
        batch.hint.as_deref(),
        Some("Loki's label `service` has no value `checkout` in this window (it has cart, search)")
    );
}

/// A server that answers every query with a body of `bytes` (a JSON string that never ends)
/// unless the limit asked is at most `small_from`, and counts what each connection managed to
/// write before ondeck hung up.
async fn flood(
    bytes: usize,
    small_from: usize,
) -> (String, Arc<Mutex<Vec<usize>>>, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let written = Arc::new(Mutex::new(Vec::new()));
    let requests = Arc::new(AtomicUsize::new(0));
    let (log, count) = (written.clone(), requests.clone());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (log, count) = (log.clone(), count.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                count.fetch_add(1, Ordering::SeqCst);
                let text = String::from_utf8_lossy(&head).to_string();
                let limit: usize = text
                    .split(['?', '&', ' '])
                    .find_map(|p| p.strip_prefix("limit="))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(usize::MAX);
                if limit <= small_from {
                    let body = json!({"status": "success", "data": {"resultType": "streams", "result": [
                        {"stream": {"service": "checkout"}, "values": [[ns(until()).to_string(), "small page"]]}
                    ]}}).to_string();
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(reply.as_bytes()).await;
                    return;
                }
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
                let _ = stream.write_all(head.as_bytes()).await;
                let block = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while sent < bytes {
                    let chunk = format!("{:x}\r\n", block.len());
                    if stream.write_all(chunk.as_bytes()).await.is_err()
                        || stream.write_all(&block).await.is_err()
                        || stream.write_all(b"\r\n").await.is_err()
                    {
                        break;
                    }
                    sent += block.len();
                }
                log.lock().unwrap().push(sent);
            });
        }
    });
    (url, written, requests)
}

const HUNDRED_MB: usize = 100 * 1000 * 1000;

#[tokio::test]
async fn a_hundred_megabyte_answer_is_cut_at_the_cap_and_asked_again_for_fewer_lines() {
    let (url, written, requests) = flood(HUNDRED_MB, 20).await;
    let loki = source(&url, "max_bytes = \"1MiB\"");
    let batch = loki.query_logs(&service_query(15)).await.unwrap();
    assert_eq!(batch.lines.len(), 1);
    assert_eq!(batch.lines[0].message, "small page");
    assert!(
        batch
            .warnings
            .iter()
            .any(|w| w.contains("passed max_bytes (1024 KiB)")),
        "{:?}",
        batch.warnings
    );
    // Asked for 1000, then 100, then 10 lines; then for the next page at that size (10 and
    // the line at its end again), which brings nothing new.
    assert_eq!(requests.load(Ordering::SeqCst), 4);
    let written = written.lock().unwrap().clone();
    assert_eq!(written.len(), 2, "two floods, both cut short");
    for sent in written {
        // The cap, plus what the two kernels' socket buffers took in: far from 100 MB.
        assert!(sent < 32 * 1024 * 1024, "a flood wrote {sent} bytes");
    }

    // A server whose every answer is too big: refused, in words, after the smallest page.
    let (url, _, requests) = flood(HUNDRED_MB, 0).await;
    let error = source(&url, "")
        .query_logs(&service_query(15))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("larger than max_bytes (8192 KiB"),
        "{error}"
    );
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_hung_loki_times_out_within_the_sources_cycle_limit() {
    let hung = misbehaving::Server::start(misbehaving::Misbehaviour::Hang);
    let config = ondeck::config::parse(
        &format!(
            "[[source]]\nname = \"loki\"\nkind = \"loki\"\nurl = \"{}\"\ntimeout = \"1s\"\n",
            hung.url
        ),
        std::path::Path::new("ondeck.toml"),
    )
    .unwrap();
    let mut backends = ondeck::sources::Backends::default();
    backends.logs.push((
        ondeck::sources::SourceMeta {
            name: "loki".into(),
            kind: "loki".into(),
            refresh: std::time::Duration::from_secs(5),
            timeout: std::time::Duration::from_secs(1),
            url: Some(hung.url.clone()),
        },
        ondeck::sources::logs::LogBackend::Loki(LokiSource::new(&config.sources[0]).unwrap()),
    ));
    let request = ondeck::sources::logs::LogRequest {
        source: "loki".into(),
        query: service_query(15),
        generation: 1,
        follow: false,
    };
    let answer =
        ondeck::sources::logs::fetch(&backends, ondeck::sources::Clock::Fixed(until()), request)
            .await;
    assert_eq!(answer.outcome.unwrap_err(), SourceError::Timeout(1000));
    assert!(hung.requests() >= 1);
}
