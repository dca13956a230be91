//! How ondeck behaves when a backend misbehaves at the byte level (see
//! `support/misbehaving.rs`): a server that hangs, trickles one byte per second, fails with
//! 500/502/503/429, redirects, cuts JSON short, sends malformed JSON or HTML, or streams
//! 300 MiB. For each, against a Prometheus metrics source and an Alertmanager incident
//! source: the error names the problem in words, comes back within the timeout, memory stays
//! bounded, the healthy demo source still updates, and keys are handled and frames drawn
//! while a poll hangs.

#[path = "support/misbehaving.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{RwLock, mpsc, watch};

use ondeck::action::Action;
use ondeck::app::{App, action_for_key, spawn_pollers};
use ondeck::config::parse;
use ondeck::event::Event;
use ondeck::headless::poll_once;
use ondeck::setup::{Overrides, build};
use ondeck::sources::poller::cycle_limit;
use ondeck::sources::{Clock, Feed, IncidentSource, MetricsSource, SourceError};
use ondeck::state::{Health, Pane};
use ondeck::ui::{UiContext, render};
use ondeck::update::update;
use support::{Misbehaviour, Server};

/// Every source's request timeout in these tests.
const TIMEOUT: Duration = Duration::from_secs(2);
/// Allowance for a loaded 2-core machine on top of any timeout.
const SLACK: Duration = Duration::from_secs(3);

/// The memory test takes this exclusively so no other test's traffic inflates the RSS it
/// reads; every other test holds it shared.
static MEMORY: RwLock<()> = RwLock::const_new(());

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap()
}

/// The healthy demo, plus Prometheus and Alertmanager sources both pointed at `url`.
fn app(url: &str) -> App {
    let text = format!(
        r#"user = "tester"
[[source]]
name = "demo"
kind = "demo"

[[source]]
name = "prom"
kind = "prometheus"
url = "{url}"
timeout = "2s"

[[source]]
name = "am"
kind = "alertmanager"
url = "{url}"
timeout = "2s"

[[slo]]
name = "availability"
service = "checkout"
objective = 99.9
source = "prom"
bad = 'http_requests_total{{job="checkout",code=~"5.."}}'
total = 'http_requests_total{{job="checkout"}}'
"#
    );
    let config = parse(&text, Path::new("ondeck.toml")).unwrap_or_else(|e| panic!("{e}"));
    build(&config, &Overrides::default(), Clock::Fixed(now())).unwrap()
}

async fn prometheus_error(app: &App) -> SourceError {
    let (_, prom) = &app
        .backends
        .metrics
        .iter()
        .find(|(m, _)| m.name == "prom")
        .unwrap();
    prom.fetch_metrics(now())
        .await
        .expect_err("a misbehaving Prometheus cannot give a snapshot")
}

async fn alertmanager_error(app: &App) -> SourceError {
    let (_, am) = &app
        .backends
        .incidents
        .iter()
        .find(|(m, _)| m.name == "am")
        .unwrap();
    am.poll_incidents()
        .await
        .expect_err("a misbehaving Alertmanager cannot give incidents")
}

/// Points both sources at a server that `misbehaves`, runs the cockpit's own pollers, and
/// checks each source's first update against `expect` (which gets the error and its text)
/// and the time it took to arrive.
async fn check(misbehaviour: Misbehaviour, expect: impl Fn(&SourceError, &str) -> bool) {
    let _shared = MEMORY.read().await;
    let server = Server::start(misbehaviour);
    let app = app(&server.url);
    let (tx, mut rx) = mpsc::channel(64);
    let (_refresh, refresh_rx) = watch::channel(0u64);
    let limit = cycle_limit(TIMEOUT) + SLACK;
    let started = Instant::now();
    spawn_pollers(&app.backends, app.clock, &tx, &refresh_rx);
    let mut pending = vec!["prom", "am"];
    while !pending.is_empty() {
        let event = tokio::time::timeout(limit, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("{misbehaviour:?}: no update from {pending:?} in {limit:?}"))
            .expect("pollers run");
        let Event::Source(polled) = event else {
            continue;
        };
        let Some(at) = pending.iter().position(|name| *name == polled.source) else {
            continue;
        };
        let name = pending.remove(at);
        let took = started.elapsed();
        let error = polled
            .outcome
            .expect_err("a misbehaving source gives no data");
        let text = error.to_string();
        eprintln!(
            "{misbehaviour:?} / {name}: {text} ({} ms)",
            took.as_millis()
        );
        assert!(
            expect(&error, &text),
            "{misbehaviour:?} / {name}: unexpected {error:?}"
        );
        assert!(took < limit, "{misbehaviour:?} / {name} took {took:?}");
        assert!(
            polled.retry_at.is_some(),
            "a failed poll says when it retries"
        );
    }
    assert!(server.requests() >= 2, "both sources reached the server");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    check(Misbehaviour::Hang, |e, text| {
        matches!(e, SourceError::Timeout(_)) && text.starts_with("timed out after ")
    })
    .await;
}

#[tokio::test]
async fn a_hung_prometheus_fails_after_one_timeout_not_after_every_query() {
    let _shared = MEMORY.read().await;
    let server = Server::start(Misbehaviour::Hang);
    let app = app(&server.url);
    let started = Instant::now();
    let error = prometheus_error(&app).await;
    let took = started.elapsed();
    // One SLO is a probe and a dozen queries, four at a time: waiting each out took
    // several timeouts. The first timeout says the server is down.
    assert_eq!(error, SourceError::Timeout(2000), "{error}");
    assert!(took < TIMEOUT * 2, "took {took:?}");
}

#[tokio::test]
async fn a_server_answering_one_byte_per_second_times_out() {
    check(Misbehaviour::Trickle, |e, _| {
        matches!(e, SourceError::Timeout(_))
    })
    .await;
}

#[tokio::test]
async fn server_errors_carry_their_status_and_stay_retryable() {
    for status in [500, 502, 503] {
        check(Misbehaviour::Status(status), |e, text| {
            matches!(e, SourceError::Http { status: s, .. } if *s == status)
                && e.is_transient()
                && text.starts_with(&format!("HTTP {status}: "))
                && text.contains("Service Unavailable")
        })
        .await;
    }
}

#[tokio::test]
async fn rate_limiting_says_when_to_retry() {
    check(Misbehaviour::Status(429), |e, text| {
        *e == SourceError::RateLimited(Some(7))
            && text == "rate limited (HTTP 429), retry after 7 s"
    })
    .await;
}

#[tokio::test]
async fn a_redirect_is_reported_with_where_it_goes_not_followed() {
    check(Misbehaviour::Redirect, |e, text| {
        matches!(e, SourceError::Http { status: 302, .. })
            && text.contains("redirected to https://sso.example.com/login")
            && text.contains("set the source url")
    })
    .await;
}

#[tokio::test]
async fn truncated_json_is_malformed() {
    check(Misbehaviour::TruncatedJson, |e, text| {
        matches!(e, SourceError::Malformed(_)) && text.contains("EOF while parsing")
    })
    .await;
}

#[tokio::test]
async fn a_connection_cut_mid_body_is_a_transport_failure() {
    check(Misbehaviour::CutConnection, |e, _| {
        matches!(e, SourceError::Unreachable(_)) && e.is_transient()
    })
    .await;
}

#[tokio::test]
async fn malformed_json_is_malformed() {
    check(Misbehaviour::MalformedJson, |e, text| {
        matches!(e, SourceError::Malformed(_)) && text.contains("at line 1 column")
    })
    .await;
}

#[tokio::test]
async fn an_html_page_instead_of_the_api_is_malformed() {
    check(Misbehaviour::Html, |e, text| {
        matches!(e, SourceError::Malformed(_)) && text.contains("line 1 column 1")
    })
    .await;
}

fn too_large(e: &SourceError, text: &str) -> bool {
    matches!(e, SourceError::Malformed(_))
        && text == "malformed response: response larger than 16 MiB"
        && !e.is_transient()
}

/// Resident memory and its peak, in KiB, from `/proc/self/status`.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[tokio::test]
async fn hundreds_of_megabytes_fail_at_the_cap_without_growing_memory() {
    let _alone = MEMORY.write().await;
    let declared = Server::start(Misbehaviour::HugeDeclared);
    let chunked = Server::start(Misbehaviour::HugeChunked);
    let (declared_app, chunked_app) = (app(&declared.url), app(&chunked.url));
    // Warm up the allocator and the runtime on a cheap failure first.
    let _ = prometheus_error(&app("http://127.0.0.1:9")).await;
    // Resets VmHWM to the current RSS (Linux ≥ 4.0), so the peak below is this test's own.
    let peak_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let (rss_before, _) = memory_kib();
    let started = Instant::now();
    for app in [&declared_app, &chunked_app] {
        let prom = prometheus_error(app).await;
        assert!(too_large(&prom, &prom.to_string()), "prometheus: {prom:?}");
        let am = alertmanager_error(app).await;
        assert!(too_large(&am, &am.to_string()), "alertmanager: {am:?}");
    }
    let took = started.elapsed();
    let (rss_after, peak) = memory_kib();
    eprintln!(
        "huge bodies: {} ms, RSS {rss_before} → {rss_after} KiB, peak {peak} KiB (reset: {peak_reset})",
        took.as_millis()
    );
    assert!(took < cycle_limit(TIMEOUT) + SLACK, "took {took:?}");
    let limit_kib = 64 * 1024;
    assert!(
        rss_after.saturating_sub(rss_before) < limit_kib,
        "RSS grew from {rss_before} to {rss_after} KiB"
    );
    if peak_reset {
        assert!(
            peak.saturating_sub(rss_before) < limit_kib + 16 * 1024,
            "peak RSS {peak} KiB against {rss_before} KiB before"
        );
    }
    // The declared length alone is refused: at most a few blocks ever crossed the wire.
    assert!(declared.requests() >= 2 && chunked.requests() >= 2);
}

/// Polls every feed once as `ondeck snapshot` does and ingests the results.
async fn poll_and_ingest(app: &mut App) -> Duration {
    let started = Instant::now();
    let updates = poll_once(&app.backends, app.clock).await;
    let took = started.elapsed();
    for source_update in updates {
        update(&mut app.state, Action::Ingest(Box::new(source_update)));
    }
    update(&mut app.state, Action::Tick(now()));
    took
}

fn health(app: &App, name: &str, feed: Feed) -> Health {
    let status = app
        .state
        .sources
        .iter()
        .find(|s| s.name == name && s.feed == feed);
    status
        .unwrap_or_else(|| panic!("no {name} feed"))
        .health(app.state.now)
}

#[tokio::test]
async fn the_demo_keeps_updating_whatever_its_neighbours_do() {
    let _shared = MEMORY.read().await;
    for misbehaviour in [
        Misbehaviour::Hang,
        Misbehaviour::Status(503),
        Misbehaviour::Html,
        Misbehaviour::HugeChunked,
    ] {
        let server = Server::start(misbehaviour);
        let mut app = app(&server.url);
        let took = poll_and_ingest(&mut app).await;
        assert!(
            took < TIMEOUT + SLACK,
            "{misbehaviour:?}: one poll took {took:?}"
        );
        for feed in [Feed::Metrics, Feed::Incidents] {
            let demo = health(&app, "demo", feed);
            assert!(
                matches!(demo, Health::Fresh { .. }),
                "{misbehaviour:?}: demo {demo:?}"
            );
        }
        assert!(
            app.state
                .incidents
                .get("demo")
                .is_some_and(|i| !i.is_empty()),
            "the demo's incidents arrived"
        );
        for (name, feed) in [("prom", Feed::Metrics), ("am", Feed::Incidents)] {
            let Health::Failed { error, .. } = health(&app, name, feed) else {
                panic!("{misbehaviour:?}: {name} is not failed");
            };
            eprintln!("{misbehaviour:?}: {name} shows `{error}`");
            assert!(!error.is_empty());
        }
    }
}

#[tokio::test]
async fn keys_are_handled_and_frames_drawn_while_every_remote_source_hangs() {
    let _shared = MEMORY.read().await;
    let server = Server::start(Misbehaviour::Hang);
    let mut app = app(&server.url);
    poll_and_ingest(&mut app).await;
    // A poll in flight on another task, as the cockpit's pollers run.
    let backends = app.backends.clone();
    let clock = app.clock;
    let in_flight = tokio::spawn(async move { poll_once(&backends, clock).await });
    let deadline = Instant::now() + TIMEOUT;
    while server.requests() < 4 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !in_flight.is_finished(),
        "the poll is still waiting on the server"
    );

    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let started = Instant::now();
    let key = KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE);
    let action = action_for_key(&app.state, &app.keymap, &key).expect("2 is bound");
    update(&mut app.state, action);
    let ctx = UiContext {
        theme: &app.theme,
        keymap: &app.keymap,
    };
    terminal
        .draw(|frame| render(frame, &app.state, &ctx))
        .unwrap();
    let took = started.elapsed();

    assert_eq!(app.state.pane, Pane::Oncall);
    let screen: String = terminal
        .backend()
        .buffer()
        .content
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        screen.contains("prom"),
        "the status bar names the hanging source"
    );
    assert!(
        !in_flight.is_finished(),
        "the key did not wait for the poll"
    );
    // An upper bound with big slack, not a performance target: no waiting on IO.
    assert!(
        took < Duration::from_millis(100),
        "key to frame took {took:?}"
    );
    let updates = in_flight.await.unwrap();
    assert!(
        updates
            .iter()
            .any(|u| u.outcome == Err(SourceError::Timeout(2000)))
    );
}
