//! A real Alerta 9.1 on a real PostgreSQL for integration tests.
//!
//! [`server`] initialises a PostgreSQL cluster in a fresh directory (as the `postgres` user
//! when the tests run as root: PostgreSQL refuses to run as root), starts it on a free
//! 127.0.0.1 port, creates the `monitoring` database, creates an admin API key with
//! `alertad key`, then starts `alertad run` with `AUTH_REQUIRED = True` on another free port
//! and waits for `/management/healthcheck`. One server serves every test of the binary.
//!
//! A `static` is never dropped, so a small shell watchdog, started as soon as PostgreSQL
//! runs, stops alertad and PostgreSQL by PID and removes the directory once the test
//! process is gone, even when setup fails half-way.

use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ondeck::config::{SecretRef, SourceConfig, SourceKind};

/// The admin user the API key belongs to; Alerta records it in alert history.
pub const KEY_USER: &str = "ondeck@example.test";
/// The admin API key every test authenticates with.
pub const API_KEY: &str = "ondeck-test-key-3f9c2a7d41b84e0c9a5d6e7f8a9b0c1d";

const PG_VERSIONS: [&str; 3] = ["15", "16", "17"];

/// A running Alerta backed by its own PostgreSQL.
pub struct Server {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The working directory (database, logs, key files); removed by the watchdog.
    pub dir: PathBuf,
    _watchdog: Child,
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

fn alertad() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-deps/alerta/bin/alertad")
}

fn pg_bin() -> Result<PathBuf, String> {
    PG_VERSIONS
        .iter()
        .map(|v| PathBuf::from(format!("/usr/lib/postgresql/{v}/bin")))
        .find(|dir| dir.join("initdb").exists())
        .ok_or_else(|| {
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run \
             scripts/install-test-deps (these tests need a real Alerta on PostgreSQL)"
                .to_string()
        })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A command run as `postgres` when we are root (PostgreSQL refuses root), else as us.
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(what: &str, command: &mut Command) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("local_addr: {e}"))
}

fn start() -> Result<Server, String> {
    let bin = pg_bin()?;
    if !alertad().exists() {
        return Err(format!(
            "{} is missing: run scripts/install-test-deps (it creates the Alerta venv)",
            alertad().display()
        ));
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("ondeck-alerta-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    if is_root() {
        run("chown", Command::new("chown").arg("postgres").arg(&dir))?;
    }
    let pgdata = dir.join("pg");
    run(
        "initdb",
        as_postgres(&bin.join("initdb"))
            .arg("-D")
            .arg(&pgdata)
            .args(["-A", "trust", "-U", "postgres", "--no-sync"]),
    )?;
    let pg_port = free_port()?;
    let options = format!(
        "-c listen_addresses=127.0.0.1 -p {pg_port} -k {} -c fsync=off",
        pgdata.display()
    );
    run(
        "pg_ctl start",
        as_postgres(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&pgdata)
            .arg("-o")
            .arg(&options)
            .arg("-l")
            .arg(dir.join("postgres.log"))
            .args(["-w", "start"]),
    )?;
    let pg_pid = std::fs::read_to_string(pgdata.join("postmaster.pid"))
        .ok()
        .and_then(|text| text.lines().next().map(str::trim).map(str::to_string))
        .ok_or("PostgreSQL started but wrote no postmaster.pid")?;
    let watchdog = spawn_watchdog(&dir, &pg_pid)?;
    run(
        "CREATE DATABASE monitoring",
        Command::new(bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &pg_port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-q", "-c", "CREATE DATABASE monitoring"]),
    )?;

    let config = dir.join("alertad.conf");
    std::fs::write(
        &config,
        format!(
            "DATABASE_URL = 'postgres://postgres@127.0.0.1:{pg_port}/monitoring'\n\
             AUTH_REQUIRED = True\n\
             SECRET_KEY = 'ondeck-integration-tests'\n\
             ADMIN_USERS = ['{KEY_USER}']\n\
             DEBUG = False\n\
             LOG_LEVEL = 'WARNING'\n"
        ),
    )
    .map_err(|e| format!("write {}: {e}", config.display()))?;
    // Alerta 9.1 has no setting for a predefined key: `alertad key` stores one for an admin.
    run(
        "alertad key",
        Command::new(alertad())
            .env("ALERTA_SVR_CONF_FILE", &config)
            .args(["key", "--username", KEY_USER, "--key", API_KEY]),
    )?;
    let port = free_port()?;
    let log = std::fs::File::create(dir.join("alertad.log")).map_err(|e| e.to_string())?;
    let child = Command::new(alertad())
        .env("ALERTA_SVR_CONF_FILE", &config)
        .args(["run", "--host", "127.0.0.1", "--port", &port.to_string()])
        .arg("--no-reload")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("spawn alertad: {e}"))?;
    std::fs::write(dir.join("alertad.pid"), child.id().to_string())
        .map_err(|e| format!("write alertad.pid: {e}"))?;
    // Written once here: tests running side by side only ever read it.
    std::fs::write(dir.join("admin.key"), API_KEY).map_err(|e| format!("write admin.key: {e}"))?;
    let server = Server {
        url: format!("http://127.0.0.1:{port}"),
        dir,
        _watchdog: watchdog,
    };
    wait_ready(port, &server.dir)?;
    Ok(server)
}

/// Waits for this test process to end, then stops alertad (its PID file, once written)
/// and PostgreSQL (fast shutdown) by PID and removes `dir`.
fn spawn_watchdog(dir: &Path, pg_pid: &str) -> Result<Child, String> {
    let script = r#"
while kill -0 "$1" 2>/dev/null; do sleep 0.3; done
[ -f "$2/alertad.pid" ] && kill "$(cat "$2/alertad.pid")" 2>/dev/null
kill -INT "$3" 2>/dev/null
for _ in $(seq 50); do kill -0 "$3" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$3" 2>/dev/null
rm -rf "$2"
"#;
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("watchdog")
        .arg(std::process::id().to_string())
        .arg(dir)
        .arg(pg_pid)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn watchdog: {e}"))
}

fn wait_ready(port: u16, dir: &Path) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let request = "GET /management/healthcheck HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
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
    let log = std::fs::read_to_string(dir.join("alertad.log")).unwrap_or_default();
    Err(format!(
        "alertad on port {port} was not ready within 30 s; its log:\n{log}"
    ))
}

/// A file in the server's directory holding `key`, for a source's `token_file`. Each name
/// is written by one test only.
pub fn key_file(name: &str, key: &str) -> PathBuf {
    let path = server().dir.join(name);
    std::fs::write(&path, key).unwrap();
    path
}

/// An Alerta source named `alerta` at `url`, authenticating with `token`.
pub fn source_config(url: &str, token: Option<SecretRef>) -> SourceConfig {
    SourceConfig {
        name: "alerta".into(),
        kind: SourceKind::Alerta,
        refresh: Duration::from_secs(30),
        timeout: Duration::from_secs(10),
        seed: 0,
        url: Some(url.to_string()),
        token,
        http: Default::default(),
        recording_rules: Default::default(),
        incident: Default::default(),
        logs: Default::default(),
        changes: Default::default(),
    }
}

/// A source with the admin key.
pub fn admin_source() -> SourceConfig {
    source_config(
        &server().url,
        Some(SecretRef::File(server().dir.join("admin.key"))),
    )
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Creates an alert with `POST /alert` (the body as Alerta documents it) and returns its id.
pub async fn post_alert(alert: serde_json::Value) -> String {
    let reply: serde_json::Value = client()
        .post(format!("{}/alert", server().url))
        .header("Authorization", format!("Key {API_KEY}"))
        .json(&alert)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["status"], "ok", "POST /alert: {reply}");
    reply["id"].as_str().unwrap().to_string()
}

/// The alert as Alerta itself has it now (`GET /alert/{id}`).
pub async fn alerta_says(id: &str) -> serde_json::Value {
    let reply: serde_json::Value = client()
        .get(format!("{}/alert/{id}", server().url))
        .header("Authorization", format!("Key {API_KEY}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["status"], "ok", "GET /alert/{id}: {reply}");
    reply["alert"].clone()
}

/// The alert's notes as Alerta has them (`GET /alert/{id}/notes`).
pub async fn notes_of(id: &str) -> Vec<serde_json::Value> {
    let reply: serde_json::Value = client()
        .get(format!("{}/alert/{id}/notes", server().url))
        .header("Authorization", format!("Key {API_KEY}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["notes"].as_array().cloned().unwrap_or_default()
}
