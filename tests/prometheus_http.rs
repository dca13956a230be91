//! A Prometheus source's HTTP options, from the config file to the wire: basic auth with the
//! password from a file, extra headers such as a tenant's `X-Scope-OrgID`, a bearer token,
//! and a private CA. A tiny std `TcpListener` stub records every request ondeck sends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};

use ondeck::config::{Config, parse};
use ondeck::sources::SourceError;
use ondeck::sources::prometheus::PrometheusSource;

const PASSWORD: &str = "s3cret";

/// Accepts connections forever, answering every query with an empty result and recording
/// each request's head (request line and headers, lower-cased names).
fn stub() -> (String, Arc<Mutex<Vec<Vec<String>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = Vec::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let line = line.trim_end().to_string();
                let line = match line.split_once(": ") {
                    Some((name, value)) => format!("{}: {value}", name.to_ascii_lowercase()),
                    None => line,
                };
                if let Some(n) = line.strip_prefix("content-length: ") {
                    length = n.parse().unwrap();
                }
                head.push(line);
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let range = head[0].starts_with("POST /api/v1/query_range ");
            record.lock().unwrap().push(head);
            let json = if range {
                r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#
            } else {
                r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
                json.len()
            );
        }
    });
    (url, seen)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-http-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A config with one Prometheus source (extra `source_lines`) and one SLO, written in `dir`
/// so relative files resolve there.
fn config(dir: &Path, url: &str, source_lines: &str) -> Config {
    let text = format!(
        r#"
[[source]]
name = "mimir"
kind = "prometheus"
url = "{url}"
{source_lines}

[[slo]]
name = "availability"
service = "checkout"
objective = 99.9
bad = 'http_requests_total{{service="checkout",code=~"5.."}}'
total = 'http_requests_total{{service="checkout"}}'
"#
    );
    let path = dir.join("ondeck.toml");
    std::fs::write(&path, &text).unwrap();
    parse(&text, &path).unwrap_or_else(|e| panic!("{e}"))
}

async fn fetch_all(config: &Config) -> Result<(), SourceError> {
    let prom = PrometheusSource::new(&config.sources[0], config.slos.clone())?;
    let at = Utc.timestamp_opt(1_735_689_600, 0).unwrap();
    prom.fetch(at).await.map(|_| ())
}

#[tokio::test]
async fn basic_auth_and_tenant_header_arrive_with_every_query() {
    let dir = temp_dir("basic");
    std::fs::write(dir.join("prom.password"), format!("{PASSWORD}\n")).unwrap();
    let (url, seen) = stub();
    let lines = r#"username = "ondeck"
password_file = "prom.password"
headers = { "X-Scope-OrgID" = "tenant-1" }"#;
    let config = config(&dir, &url, lines);
    fetch_all(&config).await.unwrap();

    let requests = seen.lock().unwrap().clone();
    // One SLO of two shapes over 7 standard windows and its 30d period; range queries: one
    // trend per shape and the service's error rate.
    let lines: Vec<&str> = requests.iter().map(|head| head[0].as_str()).collect();
    let instant = lines
        .iter()
        .filter(|l| **l == "POST /api/v1/query HTTP/1.1");
    let range = lines
        .iter()
        .filter(|l| **l == "POST /api/v1/query_range HTTP/1.1");
    // One more instant query: the recording-rule probe, which carries the headers too.
    assert_eq!((instant.count(), range.count()), (17, 3), "{lines:?}");
    for head in &requests {
        // base64("ondeck:s3cret"): the password came from the file, trailing newline gone.
        assert!(
            head.contains(&"authorization: Basic b25kZWNrOnMzY3JldA==".to_string()),
            "{head:?}"
        );
        assert!(
            head.contains(&"x-scope-orgid: tenant-1".to_string()),
            "{head:?}"
        );
    }
    // check-config shows where the password comes from and the header's name, never the
    // password.
    let described = config.describe();
    assert!(
        described.contains("basic auth as ondeck (password from file "),
        "{described}"
    );
    assert!(described.contains("headers X-Scope-OrgID"), "{described}");
    assert!(!described.contains(PASSWORD), "{described}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_token_is_sent_as_bearer_next_to_the_extra_headers() {
    let dir = temp_dir("bearer");
    std::fs::write(dir.join("prom.token"), "tok-123").unwrap();
    let (url, seen) = stub();
    let lines = r#"token_file = "prom.token"
headers = { "X-Scope-OrgID" = "tenant-2", "X-Trace" = "on" }"#;
    fetch_all(&config(&dir, &url, lines)).await.unwrap();
    let requests = seen.lock().unwrap().clone();
    assert!(!requests.is_empty());
    for head in &requests {
        for expected in [
            "authorization: Bearer tok-123",
            "x-scope-orgid: tenant-2",
            "x-trace: on",
        ] {
            assert!(head.contains(&expected.to_string()), "{head:?}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_missing_password_names_the_file_not_a_secret_and_sends_nothing() {
    let dir = temp_dir("nopass");
    let (url, seen) = stub();
    let lines = "username = \"ondeck\"\npassword_file = \"absent.password\"";
    let error = fetch_all(&config(&dir, &url, lines)).await.unwrap_err();
    let text = error.to_string();
    // The source's name is shown beside it (status bar, snapshot), not repeated in it.
    assert!(
        text.starts_with("cannot read ") && text.contains("absent.password"),
        "{text}"
    );
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing is sent without the password"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_private_ca_file_is_loaded_and_a_bad_one_is_refused_by_name() {
    let dir = temp_dir("ca");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls/ca.pem");
    std::fs::copy(&fixture, dir.join("ca.pem")).unwrap();
    std::fs::write(dir.join("junk.pem"), "not a certificate").unwrap();
    let (url, seen) = stub();
    // The CA is added to the trusted roots; plain http to the stub still works.
    fetch_all(&config(&dir, &url, r#"ca_file = "ca.pem""#))
        .await
        .unwrap();
    assert!(!seen.lock().unwrap().is_empty());
    let error = fetch_all(&config(&dir, &url, r#"ca_file = "junk.pem""#))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("source `mimir`: ")
            && error.to_string().contains("no PEM certificate"),
        "{error}"
    );
    let missing = fetch_all(&config(&dir, &url, r#"ca_file = "absent.pem""#))
        .await
        .unwrap_err();
    assert!(missing.to_string().contains("absent.pem"), "{missing}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Answers every request with `body` gzip-compressed (`Content-Encoding: gzip`), whatever
/// it asked for, as a misbehaving proxy might.
fn gzip_stub(body: Vec<u8>) -> String {
    use flate2::{Compression, write::GzEncoder};
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&body).unwrap();
    let compressed = encoder.finish().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(n) = line.to_ascii_lowercase().strip_prefix("content-length: ") {
                    length = n.trim().parse().unwrap();
                }
            }
            let mut request = vec![0; length];
            let _ = reader.read_exact(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                compressed.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&compressed);
        }
    });
    url
}

#[tokio::test]
async fn a_compressed_answer_is_capped_at_its_decompressed_size() {
    let dir = temp_dir("gzip");
    // 17 MiB of JSON whitespace compress to a few kilobytes: the cap must count what ondeck
    // would hold in memory, not what crossed the wire.
    let mut body = vec![b' '; 17 * 1024 * 1024];
    body.extend_from_slice(br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#);
    let url = gzip_stub(body);
    let error = fetch_all(&config(&dir, &url, "")).await.unwrap_err();
    assert!(
        error.to_string().contains("response larger than 16 MiB"),
        "{error}"
    );
    // The same answer within the cap is read through the compression.
    let url =
        gzip_stub(br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#.to_vec());
    fetch_all(&config(&dir, &url, "")).await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
