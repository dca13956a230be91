//! A real Prometheus stopped while the cockpit runs: the cockpit is built from a config as
//! `ondeck` builds it, polls go through the real backend, `update` and state, and the screen
//! is drawn as the terminal would show it. Once the server is gone the last good numbers stay
//! on the SLO rows and in the overview's counts, drawn in the stale role and with their age —
//! never as if current — and the JSON says each SLO is not fresh.

// Only the restartable server of the shared support is used here.
#[allow(dead_code)]
#[path = "support/prometheus.rs"]
mod prometheus;
#[path = "support/screen.rs"]
mod screen;

use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ondeck::action::Action;
use ondeck::app::App;
use ondeck::config::Keymap;
use ondeck::headless::{json, poll_once};
use ondeck::setup::{Overrides, build};
use ondeck::sources::Clock;
use ondeck::state::Health;
use ondeck::ui::{UiContext, render};
use ondeck::update::update;

fn end() -> DateTime<Utc> {
    Utc.timestamp_opt(prometheus::END, 0).unwrap()
}

/// The cockpit on one Prometheus source measuring checkout and payments, as `ondeck` builds
/// it from this config file.
fn cockpit(url: &str) -> App {
    let text = format!(
        r#"
[[source]]
name = "prom"
kind = "prometheus"
url = "{url}"
refresh = "15s"
timeout = "5s"

[[slo]]
name = "availability"
service = "checkout"
objective = 99.9
bad = 'http_requests_total{{service="checkout",code=~"5.."}}'
total = 'http_requests_total{{service="checkout"}}'

[[slo]]
name = "availability"
service = "payments"
objective = 99.9
bad = 'http_requests_total{{service="payments",code=~"5.."}}'
total = 'http_requests_total{{service="payments"}}'
"#
    );
    let config = ondeck::config::parse(&text, Path::new("ondeck.toml")).unwrap();
    build(&config, &Overrides::default(), Clock::Fixed(end())).unwrap()
}

/// One poll of every source, evaluated and stamped at `at`, then a tick at `at`.
async fn poll_at(app: &mut App, at: DateTime<Utc>) {
    for polled in poll_once(&app.backends, Clock::Fixed(at)).await {
        update(&mut app.state, Action::Ingest(Box::new(polled)));
    }
    update(&mut app.state, Action::Tick(at));
}

/// The whole screen with the stale cells marked; the status bar (which carries the
/// connection error, worded by the OS) is checked apart and left out.
fn screen(app: &App, width: u16, height: u16) -> (String, String) {
    let theme = screen::stale_marking_theme();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| render(frame, &app.state, &ctx))
        .unwrap();
    let marked = screen::marked(terminal.backend().buffer(), &theme);
    let lines: Vec<&str> = marked.lines().collect();
    let status_from = lines
        .iter()
        .position(|l| {
            ["● prom", "✕ prom"]
                .iter()
                .any(|badge| l.starts_with(badge))
        })
        .unwrap_or_else(|| panic!("no status bar:\n{marked}"));
    (
        lines[..status_from].join("\n") + "\n",
        lines[status_from..].join("\n"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_prometheus_leaves_old_numbers_marked_old_on_the_rows_and_the_overview() {
    let mut server = prometheus::Restartable::start();
    let mut app = cockpit(&server.url);
    poll_at(&mut app, end()).await;
    assert_eq!(app.state.slos.len(), 2);
    assert!(
        app.state
            .slos
            .iter()
            .all(|r| r.report.current_burn().is_some() && r.issues.is_empty()),
        "both SLOs measured: {:?}",
        app.state.slos
    );
    let good: Vec<_> = app.state.slos.iter().map(|r| r.report.clone()).collect();
    let (current, _) = screen(&app, 80, 24);
    assert!(!current.contains('^'), "nothing is old yet:\n{current}");
    assert!(!current.contains(" ago"), "{current}");

    server.stop();
    poll_at(&mut app, end() + Duration::seconds(45)).await;
    assert!(matches!(
        app.state.sources[0].health(app.state.now),
        Health::Failed { .. }
    ));
    // The responder looks again four minutes after the last good answer.
    update(&mut app.state, Action::Tick(end() + Duration::minutes(4)));
    let kept: Vec<_> = app.state.slos.iter().map(|r| r.report.clone()).collect();
    assert_eq!(kept, good, "the last good numbers stay");

    for (width, height) in [(80, 24), (160, 48)] {
        let (body, status) = screen(&app, width, height);
        assert!(status.starts_with("✕ prom failed: "), "{status}");
        for service in ["checkout", "payments"] {
            let row = body
                .lines()
                .position(|l| l.starts_with(&format!("│{service} ")))
                .unwrap_or_else(|| panic!("no {service} row:\n{body}"));
            let lines: Vec<&str> = body.lines().collect();
            assert!(lines[row].contains("4m ago"), "{body}");
            let marks = lines[row + 1];
            assert!(
                marks.trim_start().starts_with('^') && marks.trim_end().len() + 1 >= width.into(),
                "the whole {service} row is in the stale role:\n{body}"
            );
        }
        insta::assert_snapshot!(format!("stopped_prometheus_{width}x{height}"), body);
    }

    let snapshot = serde_json::to_value(json::build(&app.state, app.state.now)).unwrap();
    for slo in snapshot["slos"].as_array().unwrap() {
        assert_eq!(slo["fresh"], false, "{slo}");
        assert_eq!(slo["age_secs"], 240, "{slo}");
        assert_eq!(slo["source"], "prom", "{slo}");
        assert!(slo["burn_rates"]["1h"].is_f64(), "the old numbers are kept");
    }

    server.resume();
    poll_at(&mut app, end() + Duration::minutes(5)).await;
    let (recovered, _) = screen(&app, 80, 24);
    assert!(!recovered.contains('^'), "current again:\n{recovered}");
    let snapshot = serde_json::to_value(json::build(&app.state, app.state.now)).unwrap();
    assert!(
        snapshot["slos"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["fresh"] == true)
    );
}
