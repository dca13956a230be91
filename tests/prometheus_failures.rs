//! How ondeck behaves when a real Prometheus misbehaves: a rejected query is shown against
//! its own SLO only; a server stopped mid-run marks the feed failed while the last good
//! numbers stay, and recovers when it comes back; a slow server times out while another
//! source keeps updating. Every result goes through the real `update`, state and JSON.

#[path = "support/prometheus.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{mpsc, watch};

use ondeck::action::Action;
use ondeck::app::spawn_pollers;
use ondeck::config::{SloConfig, SloSliConfig, SourceConfig, Theme};
use ondeck::event::Event;
use ondeck::headless::json;
use ondeck::slo::{Window, default_tiers};
use ondeck::sources::prometheus::PrometheusSource;
use ondeck::sources::{
    Backends, Clock, Feed, MetricsBackend, MetricsSource, SourceError, SourceMeta, SourcePayload,
    SourceUpdate,
};
use ondeck::state::{Health, SourceStatus, State};
use ondeck::update::update;
use support::{assert_same, prometheus_says};

fn end() -> DateTime<Utc> {
    Utc.timestamp_opt(support::END, 0).unwrap()
}

fn source(name: &str, url: &str, timeout: Duration) -> SourceConfig {
    support::source_config(name, url, timeout)
}

fn availability(service: &str, bad: &str) -> SloConfig {
    SloConfig {
        name: "availability".into(),
        service: service.into(),
        objective: 0.999,
        window: Window::days(30),
        period: None,
        source: None,
        sli: SloSliConfig::BadRatio {
            bad: bad.into(),
            total: format!(r#"http_requests_total{{service="{service}"}}"#),
        },
    }
}

fn fleet() -> Vec<SloConfig> {
    ["checkout", "payments"]
        .iter()
        .map(|s| {
            availability(
                s,
                &format!(r#"http_requests_total{{service="{s}",code=~"5.."}}"#),
            )
        })
        .collect()
}

fn state_with(name: &str) -> State {
    let mut state = State::new(end(), default_tiers());
    let refresh = Duration::from_secs(30);
    state.sources.push(SourceStatus::new(
        name,
        "prometheus",
        Feed::Metrics,
        refresh,
    ));
    state
}

/// One poll as the poller does it, ingested at wall-clock instant `at`.
async fn poll(state: &mut State, prom: &PrometheusSource, at: DateTime<Utc>) {
    let outcome = prom.fetch_metrics(end()).await;
    let failed = outcome.is_err();
    let polled = SourceUpdate {
        source: "prom".into(),
        feed: Feed::Metrics,
        at,
        outcome: outcome.map(SourcePayload::Metrics),
        retry_at: failed.then(|| at + chrono::Duration::seconds(60)),
    };
    update(state, Action::Ingest(Box::new(polled)));
    update(state, Action::Tick(at));
}

fn executive_screen(state: &State, width: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, 20)).unwrap();
    let theme = Theme::dark();
    terminal
        .draw(|frame| {
            ondeck::ui::panes::executive::render(frame, frame.area(), state, &theme);
        })
        .unwrap();
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width as usize;
    let cells: Vec<&str> = buffer.content.iter().map(|c| c.symbol()).collect();
    cells.chunks(width).map(|row| row.concat() + "\n").collect()
}

#[tokio::test]
async fn a_bad_query_is_marked_on_its_own_slo_and_the_others_keep_their_numbers() {
    let mut slos = fleet();
    // An unclosed brace: Prometheus answers bad_data for this SLO's queries only.
    slos.push(availability(
        "broken",
        r#"http_requests_total{service="broken""#,
    ));
    let url = &support::server().url;
    let prom = PrometheusSource::new(&source("prom", url, Duration::from_secs(20)), slos).unwrap();
    let mut state = state_with("prom");
    poll(&mut state, &prom, end()).await;

    let broken = state
        .slos
        .iter()
        .find(|r| r.report.spec.service == "broken");
    let broken = broken.unwrap();
    assert_eq!(broken.issues.len(), 1, "{:?}", broken.issues);
    assert!(broken.issues[0].contains("bad_data"), "{:?}", broken.issues);
    assert_eq!(broken.report.current_burn(), None);
    for row in state
        .slos
        .iter()
        .filter(|r| r.report.spec.service != "broken")
    {
        assert!(row.issues.is_empty(), "{:?}", row.issues);
        let service = &row.report.spec.service;
        let rate = |extra: &str| {
            format!(r#"sum(rate(http_requests_total{{service="{service}"{extra}}}[1h]))"#)
        };
        let burn = format!("({} / {}) / (1 - 0.999)", rate(r#",code=~"5..""#), rate(""));
        let expected = prometheus_says(&burn).await;
        assert!(expected.is_some());
        assert_same(service, row.report.current_burn(), expected);
    }
    // The feed itself is healthy: one bad SLO does not fail the source.
    assert!(matches!(
        state.sources[0].health(end()),
        Health::Fresh { .. }
    ));

    let snapshot = serde_json::to_value(json::build(&state, end())).unwrap();
    for slo in snapshot["slos"].as_array().unwrap() {
        if slo["service"] == "broken" {
            let error = slo["error"].as_str().unwrap();
            assert!(error.contains("bad_data: "), "{error}");
            assert_eq!(slo["burn_rates"]["1h"], serde_json::Value::Null);
        } else {
            assert_eq!(slo["error"], serde_json::Value::Null, "{slo}");
            assert!(slo["burn_rates"]["1h"].is_f64());
        }
    }

    // Wide enough, the name says it; at 80 columns the ALERT column still does.
    for (width, marker) in [(160, "availability · query error"), (80, "ERR")] {
        let screen = executive_screen(&state, width);
        let marked: Vec<&str> = screen.lines().filter(|l| l.contains(marker)).collect();
        assert_eq!(marked.len(), 1, "{screen}");
        assert!(marked[0].contains("broken"), "{screen}");
    }
}

#[tokio::test]
async fn a_stopped_server_fails_the_feed_keeps_the_numbers_and_recovers() {
    let mut server = support::Restartable::start();
    let prom = PrometheusSource::new(
        &source("prom", &server.url, Duration::from_secs(5)),
        fleet(),
    )
    .unwrap();
    let mut state = state_with("prom");
    let t0 = Utc::now();
    poll(&mut state, &prom, t0).await;
    let good: Vec<_> = state.slos.iter().map(|r| r.report.clone()).collect();
    assert!(good.iter().all(|r| r.current_burn().is_some()));

    server.stop();
    let t1 = t0 + chrono::Duration::seconds(45);
    poll(&mut state, &prom, t1).await;
    match state.sources[0].health(t1) {
        Health::Failed {
            error,
            last_ok_age_secs,
            retry_in_secs,
        } => {
            // A pooled connection that dies reads "connection closed", a new one "refused".
            assert!(error.starts_with("unreachable: "), "{error}");
            assert_eq!(last_ok_age_secs, Some(45));
            assert_eq!(retry_in_secs, Some(60));
        }
        other => panic!("expected failed, got {other:?}"),
    }
    let kept: Vec<_> = state.slos.iter().map(|r| r.report.clone()).collect();
    assert_eq!(
        kept, good,
        "the last good numbers stay while the source is down"
    );
    let snapshot = serde_json::to_value(json::build(&state, t1)).unwrap();
    assert_eq!(snapshot["sources"][0]["status"], "failed");
    assert!(snapshot["slos"][0]["burn_rates"]["1h"].is_f64());

    server.resume();
    let t2 = t1 + chrono::Duration::seconds(60);
    poll(&mut state, &prom, t2).await;
    assert_eq!(
        state.sources[0].health(t2),
        Health::Fresh { age_secs: 0 },
        "recovered"
    );
    let recovered: Vec<_> = state.slos.iter().map(|r| r.report.clone()).collect();
    assert_eq!(recovered, good, "the same instant gives the same numbers");
}

/// A server that accepts every connection, reads the request, and answers only after `delay`.
fn slow_server(delay: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                std::thread::sleep(delay);
                let body = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    url
}

fn meta(name: &str, timeout: Duration) -> SourceMeta {
    SourceMeta {
        url: None,
        name: name.into(),
        kind: "prometheus".into(),
        refresh: Duration::from_millis(200),
        timeout,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_server_times_out_while_another_source_keeps_updating() {
    let timeout = Duration::from_millis(300);
    let slow_url = slow_server(Duration::from_secs(3));
    let slow = PrometheusSource::new(&source("slow", &slow_url, timeout), fleet()).unwrap();
    let good_url = &support::server().url;
    let good =
        PrometheusSource::new(&source("good", good_url, Duration::from_secs(20)), fleet()).unwrap();
    let mut backends = Backends::default();
    backends
        .metrics
        .push((meta("slow", timeout), MetricsBackend::Prometheus(slow)));
    backends.metrics.push((
        meta("good", Duration::from_secs(20)),
        MetricsBackend::Prometheus(good),
    ));
    let (tx, mut rx) = mpsc::channel(64);
    let (_refresh_tx, refresh_rx) = watch::channel(0u64);
    spawn_pollers(&backends, Clock::Fixed(end()), &tx, &refresh_rx);

    let mut good_updates = 0;
    let mut slow_errors = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        let Event::Source(update) = event else {
            continue;
        };
        match (update.source.as_str(), update.outcome) {
            ("good", Ok(SourcePayload::Metrics(snapshot))) => {
                assert_eq!(snapshot.slos.len(), 2);
                good_updates += 1;
            }
            ("slow", Err(error)) => slow_errors.push(error),
            (source, outcome) => panic!("unexpected {source}: {outcome:?}"),
        }
    }
    // The slow source's poll ended within its cycle limit (three request timeouts), long
    // before the server would answer, and the good source kept refreshing meanwhile.
    assert!(!slow_errors.is_empty(), "the slow poll must end in 2 s");
    assert!(
        slow_errors
            .iter()
            .all(|e| matches!(e, SourceError::Timeout(ms) if *ms <= 900)),
        "{slow_errors:?}"
    );
    assert!(
        good_updates >= 2,
        "{good_updates} updates from the good source"
    );
}
