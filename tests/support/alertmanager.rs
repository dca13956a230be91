//! A real Alertmanager (Debian's `prometheus-alertmanager`, API v2) for integration tests.
//!
//! Each test starts its own server ([`Alertmanager::start`]) on a free 127.0.0.1 port with a
//! fresh storage directory, so alerts and silences never leak between tests running in
//! parallel. A small shell watchdog stops it by PID (and removes its directory) as soon as
//! the test process exits, even if the test is killed; `Drop` does the same right away.
//!
//! The config routes everything to a receiver that sends nothing, and inhibits alerts
//! labelled `inhibited="yes"` while an alert labelled `inhibitor="yes"` fires.

// Not every test binary that includes this module uses every helper.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

const CONFIG: &str = r#"
route:
  receiver: nobody
  group_wait: 1s
receivers:
  - name: nobody
inhibit_rules:
  - source_matchers: ['inhibitor="yes"']
    target_matchers: ['inhibited="yes"']
"#;

/// A running Alertmanager of one test.
pub struct Alertmanager {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    port: u16,
    pid: Option<u32>,
    watchdog: Option<Child>,
    dir: PathBuf,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Alertmanager {
    /// Starts a server and waits until `/-/ready` answers. Panics with the fix when the
    /// binary is missing, so the tests fail rather than pass without a server.
    pub fn start() -> Self {
        let installed = Command::new("prometheus-alertmanager")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        assert!(
            installed,
            "`prometheus-alertmanager` is not on PATH: run scripts/install-test-deps to install \
             Debian's prometheus-alertmanager package (these tests need a real Alertmanager)"
        );
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("ondeck-am-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::write(dir.join("am.yml"), CONFIG).unwrap();
        let port = free_port();
        let mut server = Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            pid: None,
            watchdog: None,
            dir,
        };
        server.spawn_watched();
        server.wait_ready();
        server
    }

    /// Stops the server and waits until its port refuses connections.
    pub fn stop(&mut self) {
        if let Some(pid) = self.pid.take() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }

    /// Starts the stopped server again on the same port and storage: silences survive (they
    /// are in its storage), alerts do not (Alertmanager keeps them in memory until Prometheus
    /// sends them again).
    pub fn restart(&mut self) {
        self.stop();
        self.spawn_watched();
        self.wait_ready();
    }

    /// Starts Alertmanager under a shell that prints its PID, then kills it and removes the
    /// directory once this test process is gone.
    fn spawn_watched(&mut self) {
        let script = r#"
prometheus-alertmanager --config.file="$1/am.yml" --storage.path="$1/data" \
  --web.listen-address="127.0.0.1:$2" --cluster.listen-address= >"$1/alertmanager.log" 2>&1 &
echo "$!"
while kill -0 "$3" 2>/dev/null; do sleep 0.5; done
kill "$!" 2>/dev/null
wait
rm -rf "$1"
"#;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("watchdog")
            .arg(&self.dir)
            .arg(self.port.to_string())
            .arg(std::process::id().to_string())
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn prometheus-alertmanager: {e}"));
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let pid = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("watchdog printed `{line}` instead of a pid"));
        self.pid = Some(pid);
        self.watchdog = Some(child);
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
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
        let log = std::fs::read_to_string(self.dir.join("alertmanager.log")).unwrap_or_default();
        panic!(
            "alertmanager on port {} was not ready within 30 s:\n{log}",
            self.port
        );
    }

    /// Fires alerts, as Prometheus does: `POST /api/v2/alerts`. Each entry is
    /// `(labels, annotations, minutes since it started)`; they end a day from now.
    pub async fn fire(&self, alerts: &[(Value, Value, i64)]) {
        let now = Utc::now();
        let time = |at: chrono::DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Secs, true);
        let body: Vec<Value> = alerts
            .iter()
            .map(|(labels, annotations, ago)| {
                json!({
                    "labels": labels,
                    "annotations": annotations,
                    "startsAt": time(now - chrono::Duration::minutes(*ago)),
                    "endsAt": time(now + chrono::Duration::days(1)),
                    "generatorURL": "http://prometheus.test/graph?g0.expr=up",
                })
            })
            .collect();
        let response = reqwest::Client::new()
            .post(format!("{}/api/v2/alerts", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{response:?}");
    }

    /// What the server itself lists at `GET /api/v2/alerts`.
    pub async fn alerts(&self) -> Vec<Value> {
        self.get("/api/v2/alerts").await
    }

    /// What the server itself lists at `GET /api/v2/silences`, expired ones included.
    pub async fn silences(&self) -> Vec<Value> {
        self.get("/api/v2/silences").await
    }

    /// The silences the server reports as active.
    pub async fn active_silences(&self) -> Vec<Value> {
        let all = self.silences().await;
        all.into_iter()
            .filter(|s| s["status"]["state"] == "active")
            .collect()
    }

    /// Creates a silence directly on the server (as another tool would); returns its id.
    pub async fn silence(&self, matchers: Value, created_by: &str) -> String {
        let now = Utc::now();
        let body = json!({
            "matchers": matchers,
            "startsAt": now.to_rfc3339_opts(SecondsFormat::Millis, true),
            "endsAt": (now + chrono::Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Millis, true),
            "createdBy": created_by,
            "comment": "made outside ondeck",
        });
        let answer: Value = reqwest::Client::new()
            .post(format!("{}/api/v2/silences", self.url))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["silenceID"].as_str().unwrap().to_string()
    }

    /// Waits (up to 10 s) until every alert named `alertname` is in `state` (`active` or
    /// `suppressed`) on the server: Alertmanager re-evaluates silences asynchronously.
    pub async fn wait_until(&self, alertname: &str, state: &str) {
        self.wait_for(&json!({ "alertname": alertname }), state)
            .await;
    }

    /// Waits (up to 10 s) until every alert with `labels` is in `state`; a `null` label value
    /// selects alerts without that label.
    pub async fn wait_for(&self, labels: &Value, state: &str) {
        let wanted = labels.as_object().expect("labels is a JSON object");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let alerts = self.alerts().await;
            let selected: Vec<&Value> = alerts
                .iter()
                .filter(|a| wanted.iter().all(|(k, v)| &a["labels"][k] == v))
                .collect();
            if !selected.is_empty() && selected.iter().all(|a| a["status"]["state"] == state) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{labels} never became {state}: {alerts:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn get(&self, path: &str) -> Vec<Value> {
        reqwest::Client::new()
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// An Alertmanager source named `am` at `url` with the given silence length and every other
/// option at its default.
pub fn source_config(url: &str, silence: Duration) -> ondeck::config::SourceConfig {
    let incident = ondeck::config::IncidentOptions {
        silence_duration: silence,
        ..Default::default()
    };
    ondeck::config::SourceConfig {
        name: "am".into(),
        kind: ondeck::config::SourceKind::Alertmanager,
        refresh: Duration::from_secs(30),
        timeout: Duration::from_secs(5),
        seed: 0,
        url: Some(url.into()),
        token: None,
        http: Default::default(),
        recording_rules: Default::default(),
        incident,
        logs: Default::default(),
        changes: Default::default(),
    }
}
