//! A real Prometheus with known history for integration tests.
//!
//! [`server`] writes 3.5 days of OpenMetrics history ending at [`END`], backfills it with
//! `promtool tsdb create-blocks-from openmetrics`, starts `prometheus` on a free 127.0.0.1
//! port and waits for `/-/ready`. One server serves every test of the binary. A small shell
//! watchdog stops it by PID (and removes its data) as soon as the test process exits, since
//! a `static` is never dropped; [`Server`]'s `Drop` does the same for non-static use.
//!
//! The fleet: `checkout` (an error burst in the last 50 minutes, latency degrading over the
//! last 2 hours), `search` (steady 0.2% errors), `payments` (1% errors for the last 8 hours)
//! and `idle` (no requests in the last 3 hours: its counters stay flat). `shop` counts its
//! requests per `route` (see [`ROUTES`]), for grouped SLOs.

use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The end of the history, 2025-01-01T00:00:00Z; every query evaluates here.
pub const END: i64 = 1_735_689_600;
/// Seconds between samples.
pub const STEP: i64 = 15;
/// History length: 3.5 days, so the 3d window is fully covered.
pub const SPAN: i64 = 84 * 3600;

/// The routes of `shop`, each with its own error share; `/pay` has had an error burst for
/// the last 30 minutes, and `/ghost` has had no traffic at all for the last day.
pub const ROUTES: [&str; 4] = ["/cart", "/pay", "/home", "/ghost"];

#[path = "history.rs"]
mod history;
pub use history::openmetrics_ending;

/// A running Prometheus.
pub struct Server {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    pid: u32,
    watchdog: Child,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.pid.to_string()).status();
        let _ = self.watchdog.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// More history for the shared server of this test binary (see [`also_backfill`]).
static EXTRA: OnceLock<fn() -> String> = OnceLock::new();

// Only the SLO-file tests add history; every test binary compiles this module.
#[allow(dead_code)]
/// Adds `extra` (OpenMetrics lines without `# EOF`) to the history the shared server of
/// this test binary is backfilled with. Call it before the first [`server`] call.
pub fn also_backfill(extra: fn() -> String) {
    let _ = EXTRA.set(extra);
}

/// The shared server, started on first use. Panics with the reason (and the fix) when it
/// cannot start, so the tests fail rather than pass without a server.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    match SERVER.get_or_init(start) {
        Ok(server) => server,
        Err(why) => panic!("{why}"),
    }
}

fn on_path(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn start() -> Result<Server, String> {
    for tool in ["prometheus", "promtool"] {
        if !on_path(tool) {
            return Err(format!(
                "`{tool}` is not on PATH: run scripts/install-test-deps to install Debian's \
                 prometheus package (these tests need a real Prometheus)"
            ));
        }
    }
    let (dir, config, data) = backfilled(None)?;
    let port = free_port()?;
    let (pid, watchdog) = spawn_watched(&dir, &config, &data, port)?;
    let url = format!("http://127.0.0.1:{port}");
    let server = Server {
        url,
        pid,
        watchdog,
        dir,
    };
    wait_ready(port)?;
    Ok(server)
}

// Only the recording-rule tests start a server with rules.
#[allow(dead_code)]
/// A Prometheus of its own with the same history and `rules` (a rules file's YAML), evaluated
/// every second from the moment it starts. Dropping it stops the server.
pub fn start_with_rules(rules: &str) -> Server {
    start_with_rules_ending(rules, END)
}

// Only the recording-rule tests start a server with rules.
#[allow(dead_code)]
/// Like [`start_with_rules`], the history ending at `end` (for rules that must see recent
/// data when they evaluate at the wall clock).
pub fn start_with_rules_ending(rules: &str, end: i64) -> Server {
    let started = (|| {
        let (dir, config, data) = backfilled_ending(Some(rules), end)?;
        let port = free_port()?;
        let (pid, watchdog) = spawn_watched(&dir, &config, &data, port)?;
        let server = Server {
            url: format!("http://127.0.0.1:{port}"),
            pid,
            watchdog,
            dir,
        };
        wait_ready(port)?;
        Ok::<_, String>(server)
    })();
    started.unwrap_or_else(|why| panic!("{why}"))
}

// Only the alert-history tests add series of their own.
#[allow(dead_code)]
/// A Prometheus of its own with the same history plus `extra`: OpenMetrics sample lines of
/// further series (no `# EOF`), e.g. the `ALERTS` series a rule would have written. Dropping
/// it stops the server.
pub fn start_with_extra_history(extra: &str) -> Server {
    let started = (|| {
        let (dir, config, data) = backfilled_with(None, extra, END)?;
        let port = free_port()?;
        let (pid, watchdog) = spawn_watched(&dir, &config, &data, port)?;
        let server = Server {
            url: format!("http://127.0.0.1:{port}"),
            pid,
            watchdog,
            dir,
        };
        wait_ready(port)?;
        Ok::<_, String>(server)
    })();
    started.unwrap_or_else(|why| panic!("{why}"))
}

/// A fresh directory holding the backfilled history (`data`) and a Prometheus config, with
/// a rules file when `rules` is given.
fn backfilled(rules: Option<&str>) -> Result<(PathBuf, PathBuf, PathBuf), String> {
    backfilled_with(rules, "", END)
}

/// [`backfilled`] with the history ending at `end`.
fn backfilled_ending(rules: Option<&str>, end: i64) -> Result<(PathBuf, PathBuf, PathBuf), String> {
    backfilled_with(rules, "", end)
}

/// [`backfilled`] with `extra` OpenMetrics sample lines added to the history, ending at `end`.
fn backfilled_with(
    rules: Option<&str>,
    extra: &str,
    end: i64,
) -> Result<(PathBuf, PathBuf, PathBuf), String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("ondeck-prom-{}-{nanos}", std::process::id()));
    let data = dir.join("data");
    std::fs::create_dir_all(&data).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let om = dir.join("history.om");
    let mut history = openmetrics_ending(end);
    if let Some(extra) = EXTRA.get() {
        history.truncate(history.len() - "# EOF\n".len());
        history.push_str(&extra());
        history.push_str("# EOF\n");
    }
    if !extra.is_empty() {
        let body = history.trim_end().trim_end_matches("# EOF");
        history = format!("{body}{extra}# EOF\n");
    }
    std::fs::write(&om, history).map_err(|e| format!("write {}: {e}", om.display()))?;
    let backfill = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics", "-q"])
        .arg(&om)
        .arg(&data)
        .output()
        .map_err(|e| format!("promtool: {e}"))?;
    if !backfill.status.success() {
        return Err(format!(
            "promtool backfill failed: {}",
            String::from_utf8_lossy(&backfill.stderr)
        ));
    }
    let _ = std::fs::remove_file(&om);
    let config = dir.join("prometheus.yml");
    let mut yaml = "global: {}\nscrape_configs: []\n".to_string();
    if let Some(rules) = rules {
        let file = dir.join("rules.yml");
        std::fs::write(&file, rules).map_err(|e| format!("write {}: {e}", file.display()))?;
        yaml = format!(
            "global: {{evaluation_interval: 1s}}\nscrape_configs: []\nrule_files: [{:?}]\n",
            file.display().to_string()
        );
    }
    std::fs::write(&config, yaml).map_err(|e| format!("write {}: {e}", config.display()))?;
    Ok((dir, config, data))
}

// Only the failure tests restart a server; every test binary compiles this module.
#[allow(dead_code)]
/// A Prometheus of its own for one test, with the same history, that the test can stop and
/// start again on the same port. Dropping it stops the server and removes its data.
pub struct Restartable {
    /// Base URL; stays the same across restarts.
    pub url: String,
    port: u16,
    dir: PathBuf,
    config: PathBuf,
    data: PathBuf,
    child: Option<Child>,
}

#[allow(dead_code)]
impl Restartable {
    /// Backfills a new data directory and starts a server on a free port.
    pub fn start() -> Self {
        let (dir, config, data) = backfilled(None).unwrap_or_else(|why| panic!("{why}"));
        let port = free_port().unwrap_or_else(|why| panic!("{why}"));
        let mut server = Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            dir,
            config,
            data,
            child: None,
        };
        server.resume();
        server
    }

    /// Stops the server and waits until it has exited (its port then refuses connections).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and data, and waits until it is ready.
    pub fn resume(&mut self) {
        let log = std::fs::File::create(self.dir.join("prometheus.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", self.config.display()))
            .arg(format!("--storage.tsdb.path={}", self.data.display()))
            .arg("--storage.tsdb.retention.time=3650d")
            .arg(format!("--web.listen-address=127.0.0.1:{}", self.port))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn prometheus: {e}"));
        self.child = Some(child);
        wait_ready(self.port).unwrap_or_else(|why| panic!("{why}"));
    }
}

impl Drop for Restartable {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("local_addr: {e}"))
}

/// Starts Prometheus under a shell that prints its PID, then kills it and removes `dir`
/// once this test process is gone.
fn spawn_watched(
    dir: &Path,
    config: &Path,
    data: &Path,
    port: u16,
) -> Result<(u32, Child), String> {
    let script = r#"
prometheus --config.file="$1" --storage.tsdb.path="$2" --storage.tsdb.retention.time=3650d \
  --web.listen-address="127.0.0.1:$3" >"$4/prometheus.log" 2>&1 &
echo "$!"
while kill -0 "$5" 2>/dev/null; do sleep 0.5; done
kill "$!" 2>/dev/null
wait
rm -rf "$4"
"#;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("watchdog")
        .arg(config)
        .arg(data)
        .arg(port.to_string())
        .arg(dir)
        .arg(std::process::id().to_string())
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn prometheus: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout from the watchdog")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("read prometheus pid: {e}"))?;
    let pid = line
        .trim()
        .parse()
        .map_err(|_| format!("watchdog printed `{line}` instead of a pid"))?;
    Ok((pid, child))
}

fn wait_ready(port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let request = "GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut status = String::new();
                let _ = BufReader::new(stream).read_line(&mut status);
                if status.contains(" 200 ") {
                    return Ok(());
                }
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "prometheus on port {port} was not ready within 30 s"
    ))
}

/// Prometheus's own answer for `promql` at [`END`]; `None` for an empty result or NaN.
// Not every test binary asks about END itself.
#[allow(dead_code)]
pub async fn prometheus_says(promql: &str) -> Option<f64> {
    prometheus_says_at(promql, END).await
}

/// Prometheus's own answer for `promql` at `time` (unix seconds).
// Only the trend tests ask about other instants; every test binary compiles this module.
#[allow(dead_code)]
pub async fn prometheus_says_at(promql: &str, time: i64) -> Option<f64> {
    let url = format!("{}/api/v1/query", server().url);
    let time = time.to_string();
    let body: serde_json::Value = reqwest::Client::new()
        .post(url)
        .form(&[("query", promql), ("time", time.as_str())])
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

/// Asserts ondeck's number equals Prometheus's to a relative error of 1e-9, and that both
/// agree on "no data".
pub fn assert_same(what: &str, ondeck: Option<f64>, prometheus: Option<f64>) {
    match (ondeck, prometheus) {
        (Some(a), Some(b)) => {
            let tolerance = 1e-9 * a.abs().max(b.abs());
            assert!(
                (a - b).abs() <= tolerance,
                "{what}: ondeck {a} vs Prometheus {b}"
            );
        }
        (a, b) => assert_eq!(a, b, "{what}: ondeck vs Prometheus"),
    }
}

/// A Prometheus source named `name` at `url`, with the given per-request timeout and
/// every other option at its default: the one shape every test file starts from.
#[allow(dead_code)]
pub fn source_config(
    name: &str,
    url: &str,
    timeout: std::time::Duration,
) -> ondeck::config::SourceConfig {
    ondeck::config::SourceConfig {
        name: name.into(),
        kind: ondeck::config::SourceKind::Prometheus,
        refresh: std::time::Duration::from_secs(30),
        timeout,
        seed: 0,
        url: Some(url.into()),
        token: None,
        http: Default::default(),
        recording_rules: Default::default(),
        incident: Default::default(),
        logs: Default::default(),
        changes: Default::default(),
    }
}
