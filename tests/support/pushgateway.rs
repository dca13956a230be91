//! A real Prometheus Pushgateway (Debian's `prometheus-pushgateway`) scraped by a real
//! Prometheus every second with `honor_labels: true` — the way CI pipelines record deploys —
//! for integration tests. The Prometheus may also hold backfilled history (say the fleet of
//! `history.rs`, ending a little before now), so a test has service trends beside the pushed
//! deploys.
//!
//! Each test starts its own pair ([`Stack::start`]) on free 127.0.0.1 ports. A small shell
//! watchdog stops both by PID (and removes their directory) as soon as the test process
//! exits, even if it is killed; `Drop` does the same right away.
// Not every test binary that includes this module uses every helper.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Pushgateway and the Prometheus scraping it.
pub struct Stack {
    /// Prometheus's base URL.
    pub prometheus: String,
    /// The Pushgateway's base URL.
    pub pushgateway: String,
    pids: Vec<u32>,
    watchdog: Option<Child>,
    dir: PathBuf,
}

impl Drop for Stack {
    fn drop(&mut self) {
        for pid in self.pids.drain(..) {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

fn installed(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

impl Stack {
    /// Starts both, with `history` (OpenMetrics, ending in `# EOF`) backfilled when given,
    /// and waits until both answer. Panics with the fix when a binary is missing.
    pub fn start(history: Option<String>) -> Self {
        for (tool, package) in [
            ("prometheus-pushgateway", "prometheus-pushgateway"),
            ("prometheus", "prometheus"),
            ("promtool", "prometheus"),
        ] {
            assert!(
                installed(tool),
                "`{tool}` is not on PATH: run scripts/install-test-deps to install Debian's \
                 {package} package (these tests need the real servers)"
            );
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("ondeck-pgw-{}-{nanos}", std::process::id()));
        let data = dir.join("data");
        std::fs::create_dir_all(&data).unwrap();
        if let Some(history) = history {
            let om = dir.join("history.om");
            std::fs::write(&om, history).unwrap();
            let backfill = Command::new("promtool")
                .args(["tsdb", "create-blocks-from", "openmetrics", "-q"])
                .arg(&om)
                .arg(&data)
                .output()
                .unwrap();
            assert!(
                backfill.status.success(),
                "promtool: {}",
                String::from_utf8_lossy(&backfill.stderr)
            );
            let _ = std::fs::remove_file(&om);
        }
        let (gateway_port, prometheus_port) = (free_port(), free_port());
        let config = format!(
            "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\n\
             scrape_configs:\n\
             - job_name: pushgateway\n  honor_labels: true\n  static_configs:\n\
             \x20 - targets: ['127.0.0.1:{gateway_port}']\n"
        );
        std::fs::write(dir.join("prometheus.yml"), config).unwrap();
        let script = r#"
prometheus-pushgateway --web.listen-address="127.0.0.1:$2" >"$1/pushgateway.log" 2>&1 &
gateway=$!
echo "$gateway"
prometheus --config.file="$1/prometheus.yml" --storage.tsdb.path="$1/data" \
  --storage.tsdb.retention.time=3650d --web.listen-address="127.0.0.1:$3" \
  >"$1/prometheus.log" 2>&1 &
prometheus=$!
echo "$prometheus"
while kill -0 "$4" 2>/dev/null; do sleep 0.5; done
kill "$gateway" "$prometheus" 2>/dev/null
wait
rm -rf "$1"
"#;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("watchdog")
            .arg(&dir)
            .arg(gateway_port.to_string())
            .arg(prometheus_port.to_string())
            .arg(std::process::id().to_string())
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn the watchdog: {e}"));
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut pids = Vec::new();
        for _ in 0..2 {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            pids.push(
                line.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("watchdog printed `{line}` instead of a pid")),
            );
        }
        let stack = Self {
            prometheus: format!("http://127.0.0.1:{prometheus_port}"),
            pushgateway: format!("http://127.0.0.1:{gateway_port}"),
            pids,
            watchdog: Some(child),
            dir,
        };
        stack.wait_ready(gateway_port, "pushgateway");
        stack.wait_ready(prometheus_port, "prometheus");
        stack
    }

    fn wait_ready(&self, port: u16, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let request = "GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
                if stream.write_all(request.as_bytes()).is_ok() {
                    let mut status = String::new();
                    let _ = BufReader::new(stream).read_line(&mut status);
                    if status.contains(" 200 ") {
                        return;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(self.dir.join(format!("{what}.log"))).unwrap_or_default();
        panic!("{what} on port {port} was not ready within 30 s:\n{log}");
    }

    /// Pushes `body` (text exposition) to the group `path` (e.g. `job/deploy/service/checkout`)
    /// with POST, which replaces the metrics of the same names in that group, as CI does.
    pub async fn push(&self, path: &str, body: &str) {
        let response = reqwest::Client::new()
            .post(format!("{}/metrics/{path}", self.pushgateway))
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{response:?}");
    }

    /// Prometheus's own answer to an instant query of `promql` at `time` (unix seconds, as
    /// text; empty for now): each series' labels and value.
    pub async fn query(&self, promql: &str, time: &str) -> Vec<(serde_json::Value, f64)> {
        let mut form = vec![("query", promql.to_string())];
        if !time.is_empty() {
            form.push(("time", time.to_string()));
        }
        let body: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/api/v1/query", self.prometheus))
            .form(&form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["status"], "success", "{promql}: {body}");
        body["data"]["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let value = s["value"][1].as_str().unwrap().parse().unwrap();
                (s["metric"].clone(), value)
            })
            .collect()
    }

    /// Waits until Prometheus has scraped a series `promql` selects, failing loudly after a
    /// generous timeout.
    pub async fn wait_for(&self, promql: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if !self.query(promql, "").await.is_empty() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let log = std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default();
        panic!("Prometheus never scraped `{promql}` within 60 s:\n{log}");
    }
}
