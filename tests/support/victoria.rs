//! A real VictoriaMetrics with the same history as the test Prometheus, for the exactness
//! tests "works with Prometheus-compatible backends" rests on.
//!
//! [`server`] starts `victoria-metrics` on a free 127.0.0.1 port with its own data
//! directory, imports the history of `support::prometheus` (ending at `END`) through
//! `/api/v1/import/prometheus` in chunks, and waits until every series answers. A shell
//! watchdog stops it by PID (and removes its data) when the test process exits.

use std::io::{BufRead, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::support::{END, openmetrics_ending};

/// A running VictoriaMetrics.
pub struct Victoria {
    /// Base URL.
    pub url: String,
}

/// The binary's VictoriaMetrics, started on first use; panics with the fix when it cannot
/// start.
pub fn server() -> &'static Victoria {
    static SERVER: OnceLock<Result<Victoria, String>> = OnceLock::new();
    match SERVER.get_or_init(start) {
        Ok(server) => server,
        Err(why) => panic!("{why}"),
    }
}

fn start() -> Result<Victoria, String> {
    if Command::new("victoria-metrics")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        return Err("`victoria-metrics` is not on PATH: run scripts/install-test-deps (Debian's victoria-metrics package)".into());
    }
    let dir = std::env::temp_dir().join(format!("ondeck-vm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("free port: {e}"))?
        .port();
    // The cache is off: the tests query while the import becomes visible, and a cached
    // partial answer would outlive it.
    let script = r#"
victoria-metrics -httpListenAddr="127.0.0.1:$1" -storageDataPath="$2/data" -retentionPeriod=100y \
  -search.latencyOffset=0s -search.disableCache >"$2/vm.log" 2>&1 &
echo "$!"
while kill -0 "$3" 2>/dev/null; do sleep 0.5; done
kill "$!" 2>/dev/null
wait
rm -rf "$2"
"#;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("watchdog")
        .arg(port.to_string())
        .arg(&dir)
        .arg(std::process::id().to_string())
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn victoria-metrics: {e}"))?;
    let mut pid = String::new();
    let stdout = child.stdout.take().ok_or("no stdout from the watchdog")?;
    BufReader::new(stdout)
        .read_line(&mut pid)
        .map_err(|e| format!("read the pid: {e}"))?;
    // The watchdog outlives this handle on purpose: it stops the server when we exit.
    std::mem::forget(child);
    wait_healthy(port)?;
    import(port)?;
    wait_visible(port)?;
    Ok(Victoria {
        url: format!("http://127.0.0.1:{port}"),
    })
}

/// One HTTP/1.0 request by hand (the server is started from inside async tests, where a
/// blocking client cannot run): the whole reply, status line included.
fn http(port: u16, method: &str, path: &str, body: &str) -> Option<String> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    let head = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body.as_bytes()).ok()?;
    let mut reply = String::new();
    std::io::Read::read_to_string(&mut stream, &mut reply).ok()?;
    Some(reply)
}

fn get(port: u16, path: &str) -> Option<String> {
    http(port, "GET", path, "")
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn wait_healthy(port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if get(port, "/health").is_some_and(|b| b.contains(" 200 ")) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "victoria-metrics on port {port} was not healthy within 30 s"
    ))
}

/// The history in Prometheus text format (milliseconds), posted a few megabytes at a time
/// (the server refuses requests over 32 MB).
fn import(port: u16) -> Result<(), String> {
    let history = openmetrics_ending(END);
    let mut chunk = String::with_capacity(9 << 20);
    let send = |chunk: &mut String| -> Result<(), String> {
        let reply =
            http(port, "POST", "/api/v1/import/prometheus", chunk).ok_or("import: no answer")?;
        chunk.clear();
        if reply.starts_with("HTTP/1.1 204") || reply.starts_with("HTTP/1.0 204") {
            Ok(())
        } else {
            Err(format!(
                "import: {}",
                reply.lines().next().unwrap_or_default()
            ))
        }
    };
    for line in history.lines().filter(|l| !l.starts_with('#')) {
        let (sample, seconds) = line.rsplit_once(' ').ok_or("a line without a timestamp")?;
        chunk.push_str(sample);
        chunk.push(' ');
        chunk.push_str(seconds);
        chunk.push_str("000\n");
        if chunk.len() > 8 << 20 {
            send(&mut chunk)?;
        }
    }
    if !chunk.is_empty() {
        send(&mut chunk)?;
    }
    Ok(())
}

/// Waits until every imported series answers at END, its newest sample included.
fn wait_visible(port: u16) -> Result<(), String> {
    let want = [
        ("count(http_requests_total)", "17"),
        ("count(http_request_duration_seconds_bucket)", "10"),
        ("count(timestamp(http_requests_total) == 1735689600)", "17"),
    ];
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let all = want.iter().all(|(promql, count)| {
            let form = format!("query={}&time={END}", encode(promql));
            http(port, "POST", "/api/v1/query", &form)
                .is_some_and(|reply| reply.contains(&format!("\"{count}\"]")))
        });
        if all {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Err("the imported history did not become visible within 60 s".into())
}

/// VictoriaMetrics's own answer for `promql` at END; `None` for no result or NaN.
pub async fn says(promql: &str) -> Option<f64> {
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/query", server().url))
        .form(&[("query", promql), ("time", &END.to_string())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "success", "{promql}: {body}");
    let result = body["data"]["result"].as_array().unwrap();
    assert!(result.len() <= 1, "{promql}: {body}");
    let value: f64 = result.first()?["value"][1].as_str()?.parse().ok()?;
    value.is_finite().then_some(value)
}
