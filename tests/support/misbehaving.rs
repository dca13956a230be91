//! A raw HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose, byte by byte: it hangs,
//! trickles, fails, redirects, cuts JSON short, lies about its content type or streams
//! hundreds of megabytes. No HTTP library: the tests need control over every byte sent.
//!
//! Each [`Server`] runs its accept loop on a thread of its own (with its own runtime), so it
//! keeps serving whichever test runtime the client lives on. Huge bodies are generated as
//! they are written, never held in memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// 300 MiB: far beyond ondeck's 16 MiB response cap.
pub const HUGE_BYTES: u64 = 300 * 1024 * 1024;

/// How the server answers every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misbehaviour {
    /// Reads the request and never answers, holding the connection open.
    Hang,
    /// Sends a valid 200 JSON response one byte per second.
    Trickle,
    /// Answers this status with an HTML error page (`Retry-After: 7` on 429 and 503).
    Status(u16),
    /// `302 Found` to another host.
    Redirect,
    /// 200 with a JSON document cut off halfway (the framing itself is correct).
    TruncatedJson,
    /// 200 promising more bytes than it sends, then closing the connection.
    CutConnection,
    /// 200 `application/json` whose body is not JSON at all.
    MalformedJson,
    /// 200 `text/html`: a login page or proxy splash instead of the API.
    Html,
    /// 200 with `Content-Length: 300 MiB`, streaming `[` until the client gives up.
    HugeDeclared,
    /// 200 chunked (no length announced), streaming `[` for 300 MiB.
    HugeChunked,
}

/// A running misbehaving server; it lives until the test process exits.
pub struct Server {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    requests: Arc<AtomicUsize>,
}

impl Server {
    /// Starts a server that answers every request with `misbehaviour`.
    pub fn start(misbehaviour: Misbehaviour) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                while let Ok((stream, _)) = listener.accept().await {
                    let counter = counter.clone();
                    tokio::spawn(async move {
                        let _ = serve(stream, misbehaviour, &counter).await;
                    });
                }
            });
        });
        Server { url, requests }
    }

    /// How many requests the server has read so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Reads one whole request (headers and a `Content-Length` body), so closing the socket
/// afterwards does not reset the connection under the client's feet. Returns the path.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        seen.extend_from_slice(&buf[..n]);
        if let Some(at) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&seen[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut have = seen.len() - head_end;
    while have < length {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        have += n;
    }
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    Ok(path)
}

/// A valid answer of the kind the path asks for: a Prometheus query result, or a list (the
/// shape of Alertmanager's, PagerDuty's, … collections), so cutting it short breaks the
/// document rather than its type.
fn valid_json(path: &str) -> &'static str {
    if path.starts_with("/api/v1/") {
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}"#
    } else {
        r#"[{"labels":{"alertname":"Down","service":"checkout"},"annotations":{},"startsAt":"2026-11-21T03:00:00Z"}]"#
    }
}

/// A body that opens like [`valid_json`] and then stops being JSON.
fn malformed_json(path: &str) -> &'static str {
    if path.starts_with("/api/v1/") {
        r#"{"status": success, ]}"#
    } else {
        r#"[{"labels": {alertname: ]"#
    }
}

fn head(status: &str, content_type: &str, extra: &str) -> String {
    format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nConnection: close\r\n{extra}")
}

async fn serve(
    mut stream: TcpStream,
    misbehaviour: Misbehaviour,
    requests: &AtomicUsize,
) -> std::io::Result<()> {
    let path = read_request(&mut stream).await?;
    let valid = valid_json(&path);
    requests.fetch_add(1, Ordering::SeqCst);
    let json = "application/json";
    let whole = |status: &str, content_type: &str, extra: &str, body: &str| {
        format!(
            "{}Content-Length: {}\r\n\r\n{body}",
            head(status, content_type, extra),
            body.len()
        )
    };
    let html = "<html><body><h1>Service Unavailable</h1>upstream is on fire</body></html>\n";
    let reply = match misbehaviour {
        Misbehaviour::Hang => {
            // Keep the socket open (and unread) far longer than any client timeout.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return Ok(());
        }
        Misbehaviour::Trickle => {
            let reply = whole("200 OK", json, "", valid);
            for byte in reply.as_bytes() {
                stream.write_all(&[*byte]).await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            return Ok(());
        }
        Misbehaviour::Status(code) => {
            let retry = if code == 429 || code == 503 {
                "Retry-After: 7\r\n"
            } else {
                ""
            };
            let reason = match code {
                429 => "Too Many Requests",
                500 => "Internal Server Error",
                502 => "Bad Gateway",
                503 => "Service Unavailable",
                _ => "Error",
            };
            whole(&format!("{code} {reason}"), "text/html", retry, html)
        }
        Misbehaviour::Redirect => whole(
            "302 Found",
            "text/html",
            "Location: https://sso.example.com/login?next=%2Fapi\r\n",
            "",
        ),
        Misbehaviour::TruncatedJson => whole("200 OK", json, "", &valid[..40]),
        Misbehaviour::CutConnection => format!(
            "{}Content-Length: {}\r\n\r\n{}",
            head("200 OK", json, ""),
            valid.len() * 10,
            valid
        ),
        Misbehaviour::MalformedJson => whole("200 OK", json, "", malformed_json(&path)),
        Misbehaviour::Html => whole("200 OK", "text/html; charset=utf-8", "", html),
        Misbehaviour::HugeDeclared => {
            let head = format!(
                "{}Content-Length: {HUGE_BYTES}\r\n\r\n",
                head("200 OK", json, "")
            );
            stream.write_all(head.as_bytes()).await?;
            return stream_brackets(&mut stream, false).await;
        }
        Misbehaviour::HugeChunked => {
            let head = format!(
                "{}Transfer-Encoding: chunked\r\n\r\n",
                head("200 OK", json, "")
            );
            stream.write_all(head.as_bytes()).await?;
            return stream_brackets(&mut stream, true).await;
        }
    };
    stream.write_all(reply.as_bytes()).await?;
    stream.shutdown().await
}

/// Writes [`HUGE_BYTES`] of `[` from one reused 64 KiB block, until done or the client
/// hangs up.
async fn stream_brackets(stream: &mut TcpStream, chunked: bool) -> std::io::Result<()> {
    const BLOCK: usize = 64 * 1024;
    let block = vec![b'['; BLOCK];
    let mut sent = 0u64;
    while sent < HUGE_BYTES {
        if chunked {
            stream
                .write_all(format!("{BLOCK:x}\r\n").as_bytes())
                .await?;
            stream.write_all(&block).await?;
            stream.write_all(b"\r\n").await?;
        } else {
            stream.write_all(&block).await?;
        }
        sent += BLOCK as u64;
    }
    if chunked {
        stream.write_all(b"0\r\n\r\n").await?;
    }
    stream.shutdown().await
}
