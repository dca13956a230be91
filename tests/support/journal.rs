//! A real systemd-journal-gatewayd (Debian's `systemd-journal-remote`) for integration
//! tests. No systemd runs on these machines, so each test writes its own journal file with
//! `systemd-journal-remote -o DIR/test.journal -` from export format, and serves the
//! directory with `systemd-socket-activate -l 127.0.0.1:PORT … -D DIR`, on loopback only.
//! Entries written later are appended to the same file; gatewayd opens the directory anew
//! for every request, so it serves them at once.
//!
//! A small shell watchdog stops the server by PID (and removes its directory) as soon as the
//! test process exits, even if the test is killed; `Drop` does the same right away.

// Not every test binary that includes this module uses every helper.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// Where Debian installs the two daemons.
const REMOTE: &str = "/lib/systemd/systemd-journal-remote";
const GATEWAYD: &str = "/lib/systemd/systemd-journal-gatewayd";

/// One entry to write: its time, unit, priority, message and any other fields.
#[derive(Debug, Clone)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub unit: String,
    pub priority: u8,
    pub message: String,
    pub fields: Vec<(String, String)>,
}

impl Entry {
    pub fn new(at: DateTime<Utc>, unit: &str, priority: u8, message: &str) -> Self {
        Self {
            at,
            unit: unit.to_string(),
            priority,
            message: message.to_string(),
            fields: Vec::new(),
        }
    }

    pub fn with(mut self, field: &str, value: &str) -> Self {
        self.fields.push((field.to_string(), value.to_string()));
        self
    }
}

/// A running gatewayd of one test.
pub struct Gatewayd {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    port: u16,
    pid: Option<u32>,
    watchdog: Option<Child>,
    dir: PathBuf,
    /// Monotonic microseconds handed out so far (the journal wants them increasing).
    monotonic: u64,
}

impl Drop for Gatewayd {
    fn drop(&mut self) {
        if let Some(pid) = self.pid.take() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Gatewayd {
    /// Writes `entries` and serves them; waits until `/machine` answers. Panics with the fix
    /// when the package is missing, so the tests fail rather than pass without a server.
    pub fn start(entries: &[Entry]) -> Self {
        for binary in [REMOTE, GATEWAYD] {
            assert!(
                Path::new(binary).exists(),
                "{binary} is missing: run scripts/install-test-deps to install Debian's \
                 systemd-journal-remote package (these tests need a real journal gateway)"
            );
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("ondeck-journal-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let mut server = Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            pid: None,
            watchdog: None,
            dir,
            monotonic: 1_000_000,
        };
        server.append(entries);
        server.spawn_watched();
        server.wait_ready();
        server
    }

    /// Appends entries to the journal file, in the order given.
    pub fn append(&mut self, entries: &[Entry]) {
        let mut export: Vec<u8> = Vec::new();
        for entry in entries {
            self.monotonic += 1000;
            let mut text = String::new();
            text.push_str(&format!(
                "__REALTIME_TIMESTAMP={}\n",
                entry.at.timestamp_micros()
            ));
            text.push_str(&format!("__MONOTONIC_TIMESTAMP={}\n", self.monotonic));
            text.push_str("_BOOT_ID=0123456789abcdef0123456789abcdef\n");
            text.push_str("_HOSTNAME=bastion-peer\n");
            text.push_str(&format!("_SYSTEMD_UNIT={}\n", entry.unit));
            text.push_str(&format!("PRIORITY={}\n", entry.priority));
            for (field, value) in &entry.fields {
                text.push_str(&format!("{field}={value}\n"));
            }
            export.extend_from_slice(text.as_bytes());
            // Export format: a value holding a line break or control characters is written
            // as the field name, a newline, its length as 64-bit little endian, the bytes.
            if entry.message.chars().any(|c| c.is_control()) {
                export.extend_from_slice(b"MESSAGE\n");
                export.extend_from_slice(&(entry.message.len() as u64).to_le_bytes());
                export.extend_from_slice(entry.message.as_bytes());
                export.push(b'\n');
            } else {
                export.extend_from_slice(format!("MESSAGE={}\n", entry.message).as_bytes());
            }
            export.push(b'\n');
        }
        let mut child = Command::new(REMOTE)
            .arg("-o")
            .arg(self.dir.join("test.journal"))
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {REMOTE}: {e}"));
        child.stdin.take().unwrap().write_all(&export).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "systemd-journal-remote failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn spawn_watched(&mut self) {
        let script = r#"
systemd-socket-activate -l "127.0.0.1:$2" "$4" -D "$1" >"$1.log" 2>&1 &
echo "$!"
while kill -0 "$3" 2>/dev/null; do sleep 0.5; done
kill "$!" 2>/dev/null
wait
rm -rf "$1" "$1.log"
"#;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("watchdog")
            .arg(&self.dir)
            .arg(self.port.to_string())
            .arg(std::process::id().to_string())
            .arg(GATEWAYD)
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn systemd-socket-activate: {e}"));
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
                let request = "GET /machine HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
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
        let log = std::fs::read_to_string(self.dir.with_extension("log")).unwrap_or_default();
        panic!(
            "journal gateway on port {} was not ready within 30 s:\n{log}",
            self.port
        );
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
