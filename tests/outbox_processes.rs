//! Nothing confirmed is lost, and nothing is delivered twice, whatever happens to the
//! processes and the backends: the built binary in pseudo-terminals (two cockpits on one
//! state dir), `ondeck ack` and `ondeck outbox` running beside them, `kill -9`, a backend
//! that goes down and comes back — and a real Alertmanager that restarts with no alerts.
//! The outbox file is read after every step and must be whole, one JSON record per line.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use am::Alertmanager;
use pty::{Session, temp_home};

#[path = "support/alertmanager.rs"]
mod am;
#[path = "support/pty.rs"]
mod pty;
#[path = "support/vt.rs"]
mod vt;

/// Generous: a loaded 2-core CI machine runs the debug build, and a lane backs off up to
/// 16 s while its backend is down.
const WAIT: Duration = Duration::from_secs(40);

fn ondeck(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ondeck"));
    cmd.env_remove("ONDECK_CONFIG")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("ONDECK_TEST_PD_TOKEN", "pd-secret-token-123");
    cmd
}

fn write_config(home: &Path, config: &str) {
    std::fs::create_dir_all(home.join("config/ondeck")).unwrap();
    std::fs::write(home.join("config/ondeck/config.toml"), config).unwrap();
}

fn outbox_path(home: &Path) -> PathBuf {
    home.join("state/ondeck/outbox.jsonl")
}

/// Every record in the outbox, after checking the file is whole: each line one JSON object
/// with an `op`, the last line ended.
fn records(home: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(outbox_path(home)).unwrap_or_default();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "a torn last line: {text}"
    );
    text.lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON record ({e}): {line}\n{text}"));
            assert!(record["op"].is_string(), "no op: {line}");
            record
        })
        .collect()
}

/// The incidents with a write queued and not yet settled, per the outbox itself.
fn owed(home: &Path) -> Vec<String> {
    let records = records(home);
    let done: Vec<&Value> = records
        .iter()
        .filter(|r| r["op"] == "done")
        .map(|r| &r["id"])
        .collect();
    records
        .iter()
        .filter(|r| r["op"] == "queued" && !done.contains(&&r["id"]))
        .map(|r| r["incident"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until `done` holds, or panics saying what did not happen.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {WAIT:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn wait_until_async<F: std::future::Future<Output = bool>>(
    what: &str,
    mut done: impl FnMut() -> F,
) {
    let deadline = Instant::now() + WAIT;
    while !done().await {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn cockpit(home: &Path) -> Session {
    Session::start_with(home, ondeck(home))
}

/// Confirms an acknowledge of the selected incident, with a note when given, and waits until
/// the outbox holds it for `incident` — while the screen shows nothing of it but the dialog
/// closing.
fn acknowledge(session: &mut Session, home: &Path, incident_title: &str, note: Option<&str>) {
    session.keys("a");
    session.shows("Confirm");
    assert!(
        session.screen().contains(incident_title),
        "the dialog is for {incident_title}:\n{}",
        session.screen()
    );
    // Counted before confirming: the write may be on disk before the next line runs.
    let before = owed(home).len();
    match note {
        Some(note) => {
            session.keys("\t");
            session.keys(note);
            session.keys("\r");
        }
        None => session.keys("y"),
    }
    session.wait_for("the acknowledge in the outbox", |_| {
        owed(home).len() > before
    });
}

// ---- A real Alertmanager that restarts with no alerts ---------------------------------

const AM_ALERTS: [(&str, &str, &str, i64); 2] = [
    ("HighErrorRate", "checkout", "checkout errors above 2%", 20),
    ("HighLatency", "payments", "payments p99 above 1s", 10),
];

async fn fire(am: &Alertmanager) {
    let alerts: Vec<(Value, Value, i64)> = AM_ALERTS
        .iter()
        .map(|(name, service, summary, ago)| {
            (
                json!({"alertname": name, "service": service, "severity": "critical"}),
                json!({"summary": summary}),
                *ago,
            )
        })
        .collect();
    am.fire(&alerts).await;
}

/// The active silences on the server: matchers (as `name=value` pairs) → (comment, creator).
async fn silences(am: &Alertmanager) -> BTreeMap<Vec<String>, (String, String)> {
    am.active_silences()
        .await
        .iter()
        .map(|s| {
            let mut matchers: Vec<String> = s["matchers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    assert_eq!(m["isRegex"], false, "{s}");
                    assert_eq!(m["isEqual"], true, "{s}");
                    format!(
                        "{}={}",
                        m["name"].as_str().unwrap(),
                        m["value"].as_str().unwrap()
                    )
                })
                .collect();
            matchers.sort();
            let text = |k: &str| s[k].as_str().unwrap_or_default().to_string();
            (matchers, (text("comment"), text("createdBy")))
        })
        .collect()
}

/// Two acknowledges confirmed in the cockpit while Alertmanager is down, the cockpit killed
/// with `kill -9`, Alertmanager restarted with no alerts yet: the next ondeck creates both
/// silences from the labels the writes kept — each exactly once, with its note — and when
/// Prometheus sends the alerts again, they are suppressed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acks_queued_while_alertmanager_is_down_survive_kill_9_and_its_restart() {
    let home = temp_home("am-restart");
    let mut am = Alertmanager::start();
    fire(&am).await;
    write_config(
        &home,
        &format!(
            "user = \"sam\"\n\n[[source]]\nname = \"am\"\nkind = \"alertmanager\"\nurl = \"{}\"\nrefresh = \"1s\"\ntimeout = \"1s\"\n",
            am.url
        ),
    );
    let mut session = cockpit(&home);
    session.keys("2");
    session.shows(AM_ALERTS[0].2);
    session.shows(AM_ALERTS[1].2);

    am.stop();
    session.shows("failed");
    // The oldest page first: HighErrorRate, then HighLatency.
    acknowledge(&mut session, &home, AM_ALERTS[0].2, None);
    session.shows("queued");
    session.keys("j");
    acknowledge(
        &mut session,
        &home,
        AM_ALERTS[1].2,
        Some("looking at the payments db"),
    );
    assert_eq!(owed(&home).len(), 2, "{:#?}", records(&home));
    let queued: Vec<Value> = records(&home)
        .into_iter()
        .filter(|r| r["op"] == "queued")
        .collect();
    for (record, (name, service, _, _)) in queued.iter().zip(AM_ALERTS) {
        assert_eq!(record["labels"]["alertname"], name, "{record}");
        assert_eq!(record["labels"]["service"], service, "{record}");
        assert_eq!(record["target"]["kind"], "alertmanager", "{record}");
    }

    // kill -9: nothing runs on the way out.
    session.child.kill().unwrap();
    let _ = session.child.wait();
    assert_eq!(owed(&home).len(), 2, "{:#?}", records(&home));

    am.restart();
    assert!(
        am.alerts().await.is_empty(),
        "a restarted Alertmanager lists no alerts"
    );
    assert!(silences(&am).await.is_empty());

    // The next cockpit delivers what the killed one owed.
    let mut second = cockpit(&home);
    wait_until_async("both silences", || async { silences(&am).await.len() == 2 }).await;
    wait_until("nothing owed", || owed(&home).is_empty());
    let made = silences(&am).await;
    let expect = |i: usize| {
        let (name, service, _, _) = AM_ALERTS[i];
        vec![format!("alertname={name}"), format!("service={service}")]
    };
    assert_eq!(
        made.get(&expect(0)),
        Some(&(
            "acknowledged in ondeck by sam".to_string(),
            "sam".to_string()
        ))
    );
    assert_eq!(
        made.get(&expect(1)),
        Some(&("looking at the payments db".to_string(), "sam".to_string()))
    );
    second.keys("q");
    assert!(second.exit_status().success());

    // Nothing more to send: another run makes no third silence.
    let out = ondeck(&home).arg("outbox").output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("nothing owed"),
        "{out:?}"
    );
    assert_eq!(am.silences().await.len(), 2, "each silence exactly once");

    // Prometheus sends the alerts again: they are silenced.
    fire(&am).await;
    am.wait_until(AM_ALERTS[0].0, "suppressed").await;
    am.wait_until(AM_ALERTS[1].0, "suppressed").await;
    let _ = std::fs::remove_dir_all(&home);
}

// ---- Two cockpits, `ondeck ack` and `ondeck outbox` on one state dir -------------------

const PD_INCIDENTS: [(&str, &str); 3] = [
    ("PONE001", "orders are failing"),
    ("PTWO002", "cart is slow"),
    ("PTHR003", "search is down"),
];

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The incidents list as PagerDuty answers it: three triggered incidents, oldest first.
fn pd_listing() -> Value {
    let template: Value =
        serde_json::from_str(include_str!("fixtures/pagerduty/incident_triggered.json")).unwrap();
    let incidents: Vec<Value> = PD_INCIDENTS
        .iter()
        .enumerate()
        .map(|(i, (id, title))| {
            let mut incident = template["incident"].clone();
            incident["id"] = json!(id);
            incident["title"] = json!(title);
            incident["summary"] = json!(title);
            incident["urgency"] = json!("high");
            incident["created_at"] = json!(format!("2026-11-21T02:5{i}:00Z"));
            incident
        })
        .collect();
    json!({"incidents": incidents, "limit": 25, "offset": 0, "more": false, "total": null})
}

/// A PagerDuty stub on `port`: lists the incidents, takes status changes, has no notes.
async fn pagerduty_on(port: u16) -> MockServer {
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pd_listing()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/incidents/[A-Z0-9]+/notes$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"notes": []})))
        .mount(&server)
        .await;
    let triggered = include_str!("fixtures/pagerduty/incident_triggered.json");
    Mock::given(method("GET"))
        .and(path_regex("^/incidents/[A-Z0-9]+$"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(triggered, "application/json"))
        .mount(&server)
        .await;
    let note = include_str!("fixtures/pagerduty/note_created.json");
    Mock::given(method("POST"))
        .and(path_regex("^/incidents/[A-Z0-9]+/notes$"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(note, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(|request: &Request| {
            let id = request.url.path().trim_start_matches("/incidents/");
            ResponseTemplate::new(200).set_body_json(
                json!({"incident": {"id": id, "type": "incident", "status": "acknowledged"}}),
            )
        })
        .mount(&server)
        .await;
    server
}

async fn puts(server: &MockServer) -> BTreeMap<String, usize> {
    let mut count = BTreeMap::new();
    for request in server.received_requests().await.unwrap_or_default() {
        if request.method.as_str() == "PUT" {
            let id = request
                .url
                .path()
                .trim_start_matches("/incidents/")
                .to_string();
            *count.entry(id).or_insert(0) += 1;
        }
    }
    count
}

/// Two cockpits in two terminals on one state dir each acknowledge a page while PagerDuty
/// is down; `ondeck ack` and `ondeck outbox` run beside them; PagerDuty comes back. Every
/// confirmed write reaches it exactly once, and the outbox is whole after every step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cockpits_and_the_command_line_deliver_every_write_exactly_once() {
    let home = temp_home("processes");
    let port = free_port();
    write_config(
        &home,
        &format!(
            "user = \"sam\"\n\n[[source]]\nname = \"pd\"\nkind = \"pagerduty\"\nurl = \"http://127.0.0.1:{port}\"\ntoken_env = \"ONDECK_TEST_PD_TOKEN\"\nfrom_email = \"sam@example.com\"\nrefresh = \"1s\"\ntimeout = \"1s\"\n"
        ),
    );
    let server = pagerduty_on(port).await;
    let mut first = cockpit(&home);
    let mut second = cockpit(&home);
    for session in [&mut first, &mut second] {
        session.keys("2");
        for (_, title) in PD_INCIDENTS {
            session.shows(title);
        }
    }

    // PagerDuty goes down.
    drop(server);
    first.shows("failed");
    acknowledge(&mut first, &home, PD_INCIDENTS[0].1, None);
    second.shows("failed");
    second.keys("jj");
    acknowledge(
        &mut second,
        &home,
        PD_INCIDENTS[2].1,
        Some("search owner paged"),
    );
    records(&home);

    // The command line joins in while both cockpits hold writes.
    let ack = ondeck(&home)
        .args(["ack", PD_INCIDENTS[1].0, "--source", "pd", "--wait", "60s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the command line's acknowledge in the outbox", || {
        owed(&home).len() == 3
    });
    let outbox_run = ondeck(&home).arg("outbox").output().unwrap();
    assert_eq!(outbox_run.status.code(), Some(1), "{outbox_run:?}");
    let listed = String::from_utf8_lossy(&outbox_run.stdout).into_owned();
    for (id, _) in PD_INCIDENTS {
        assert!(listed.contains(id), "`ondeck outbox` lists {id}: {listed}");
    }
    assert_eq!(
        owed(&home).len(),
        3,
        "nothing was dropped: {:#?}",
        records(&home)
    );

    // PagerDuty is back.
    let server = pagerduty_on(port).await;
    let ack = ack.wait_with_output().unwrap();
    assert_eq!(ack.status.code(), Some(0), "{ack:?}");
    wait_until("every write settled", || {
        records(&home);
        owed(&home).is_empty()
    });
    for session in [&mut first, &mut second] {
        session.wait_for("no write shown as owed", |s| {
            let screen = s.screen();
            !screen.contains("queued") && !screen.contains("acking")
        });
    }
    let expected: BTreeMap<String, usize> = PD_INCIDENTS
        .iter()
        .map(|(id, _)| (id.to_string(), 1))
        .collect();
    assert_eq!(
        puts(&server).await,
        expected,
        "each acknowledge exactly once"
    );

    // Both cockpits quit; a last run finds nothing owed and sends nothing more.
    for session in [&mut first, &mut second] {
        session.keys("q");
        assert!(session.exit_status().success());
    }
    let out = ondeck(&home).arg("outbox").output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("nothing owed"),
        "{out:?}"
    );
    assert_eq!(
        puts(&server).await,
        expected,
        "each acknowledge exactly once"
    );
    let notes: Vec<Value> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["note"]["content"], "search owner paged");
    let _ = std::fs::remove_dir_all(&home);
}

// ---- A write owed to another config's source ------------------------------------------

/// The id `ondeck incidents --format json` gives the incident titled `title`.
fn id_of(incidents: &Value, title: &str) -> String {
    incidents["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == title)
        .and_then(|i| i["id"].as_str())
        .unwrap_or_else(|| panic!("no {title} in {incidents:#}"))
        .to_string()
}

/// `ondeck ack --config am.toml` queues a write for `am` while Alertmanager is down; a plain
/// `ondeck outbox`, whose config (here: none, the demo) has no `am`, keeps it and says where it
/// belongs; the next run that has `am` delivers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_owed_to_another_configs_source_is_kept_for_it() {
    let home = temp_home("elsewhere");
    std::fs::create_dir_all(&home).unwrap();
    let mut am = Alertmanager::start();
    fire(&am).await;
    let config = home.join("am.toml");
    std::fs::write(
        &config,
        format!(
            "user = \"sam\"\n\n[[source]]\nname = \"am\"\nkind = \"alertmanager\"\nurl = \"{}\"\ntimeout = \"1s\"\n",
            am.url
        ),
    )
    .unwrap();
    let listed = ondeck(&home)
        .args(["incidents", "--format", "json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let incidents: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let id = id_of(&incidents, AM_ALERTS[0].2);

    am.stop();
    let ack = ondeck(&home)
        .args(["ack", &id, "--wait", "1s", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(ack.status.code(), Some(75), "{ack:?}");
    assert_eq!(owed(&home), std::slice::from_ref(&id));

    let elsewhere = ondeck(&home).arg("outbox").output().unwrap();
    assert_eq!(elsewhere.status.code(), Some(1), "{elsewhere:?}");
    let said = String::from_utf8_lossy(&elsewhere.stdout).into_owned();
    assert!(
        said.contains(&format!(
            "still owed: acknowledge {id} on am: owed to source `am` (alertmanager {}), which this config does not have",
            am.url
        )),
        "{said}"
    );
    assert_eq!(owed(&home), std::slice::from_ref(&id), "kept, not refused");

    am.restart();
    fire(&am).await;
    let back = ondeck(&home)
        .args(["outbox", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(back.status.code(), Some(0), "{back:?}");
    assert!(
        String::from_utf8_lossy(&back.stdout).contains("delivered"),
        "{back:?}"
    );
    assert!(owed(&home).is_empty());
    let made = silences(&am).await;
    let (name, service, _, _) = AM_ALERTS[0];
    assert_eq!(
        made.keys().collect::<Vec<_>>(),
        [&vec![
            format!("alertname={name}"),
            format!("service={service}")
        ]]
    );
    let _ = std::fs::remove_dir_all(&home);
}
