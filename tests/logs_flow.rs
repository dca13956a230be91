//! The logs panel driven headless through real key presses against the built-in demo (whose
//! log lines come from its own traces): trace → logs → trace, an incident's logs from before
//! it began, the filter, and `ondeck logs` printing what the panel reads.

#[path = "support/headless.rs"]
mod headless;

use std::collections::BTreeSet;

use crossterm::event::KeyCode;

use ondeck::model::{LogLevel, LogTarget};
use ondeck::state::{DebugFocus, ListedKind, Load, LogWindow, Overlay, Pane};

use headless::Headless;

#[tokio::test]
async fn trace_to_logs_to_trace() {
    let mut h = Headless::demo("logs-trace", true).await;
    h.press(KeyCode::Char('3')).await;
    assert_eq!(h.app.state.pane, Pane::Debug);
    let service = h
        .app
        .state
        .debug
        .service
        .clone()
        .expect("a service in view");
    // Down the list to the first failing trace.
    let failing = h
        .app
        .state
        .debug
        .listed()
        .iter()
        .position(|l| l.kind == ListedKind::Error)
        .expect("the demo has failing traces");
    for _ in 0..failing {
        h.press(KeyCode::Char('j')).await;
    }
    let trace = h.app.state.debug.selected_listed_id().unwrap();

    // L on the trace: the lines that carry its id, from every service it touched.
    h.press(KeyCode::Char('L')).await;
    let logs = &h.app.state.logs;
    assert_eq!(logs.target, Some(LogTarget::Trace(trace.clone())));
    assert_eq!(h.app.state.debug.focus, DebugFocus::Logs);
    assert!(!logs.lines.is_empty());
    assert!(
        logs.lines
            .iter()
            .all(|l| l.trace_id.as_deref() == Some(trace.as_str()))
    );
    let services: BTreeSet<&str> = logs
        .lines
        .iter()
        .filter_map(|l| {
            l.labels
                .iter()
                .find(|(k, _)| k == "service")
                .map(|(_, v)| v.as_str())
        })
        .collect();
    assert!(services.len() >= 2, "{services:?}");
    assert!(
        services.contains(service.as_str()),
        "{services:?} lacks {service}"
    );
    assert_eq!(
        logs.lines[0].level,
        LogLevel::Error,
        "a failing trace's error lines come first"
    );

    // t on a line: its trace's waterfall.
    h.press(KeyCode::Char('j')).await;
    h.press(KeyCode::Char('t')).await;
    let debug = &h.app.state.debug;
    assert_eq!(debug.focus, DebugFocus::Waterfall);
    assert_eq!(debug.trace_id.as_deref(), Some(trace.as_str()));
    let shown = debug.trace.ready().expect("the waterfall loaded");
    assert_eq!(shown.summary.trace_id, trace);
    assert!(h.app.state.logs.open, "the logs stay open behind it");

    // Back to the service's lines: one carrying another trace, and that trace's waterfall.
    h.press(KeyCode::Char('l')).await;
    assert_eq!(h.app.state.debug.focus, DebugFocus::Logs);
    h.press(KeyCode::Char('L')).await;
    assert_eq!(
        h.app.state.logs.target,
        Some(LogTarget::Service(service.clone()))
    );
    let other = h
        .app
        .state
        .logs
        .shown()
        .iter()
        .position(|l| l.trace_id.as_deref().is_some_and(|id| id != trace))
        .expect("lines of other traces");
    for _ in 0..other {
        h.press(KeyCode::Char('j')).await;
    }
    let second = h
        .app
        .state
        .logs
        .selected_line()
        .unwrap()
        .trace_id
        .clone()
        .unwrap();
    h.press(KeyCode::Char('t')).await;
    assert_eq!(h.app.state.debug.trace_id.as_deref(), Some(second.as_str()));
    assert!(matches!(h.app.state.debug.trace, Load::Ready(_)));
    // And from that waterfall, its lines again.
    h.press(KeyCode::Char('L')).await;
    assert_eq!(
        h.app.state.logs.target,
        Some(LogTarget::Trace(second.clone()))
    );
    assert!(
        h.app
            .state
            .logs
            .lines
            .iter()
            .all(|l| l.trace_id.as_deref() == Some(second.as_str()))
    );
}

#[tokio::test]
async fn l_on_a_page_opens_its_service_from_fifteen_minutes_before_it_began() {
    let mut h = Headless::demo("logs-incident", true).await;
    h.press(KeyCode::Char('2')).await;
    let incident = h.app.state.selected_incident().cloned().expect("a page");
    h.press(KeyCode::Char('L')).await;
    let state = &h.app.state;
    assert_eq!(state.pane, Pane::Debug);
    assert_eq!(
        state.debug.service.as_deref(),
        Some(incident.service.as_str())
    );
    let since = incident.created_at - chrono::Duration::minutes(15);
    assert_eq!(state.logs.window, LogWindow::Since(since));
    assert!(!state.logs.lines.is_empty());
    assert!(
        state
            .logs
            .lines
            .iter()
            .all(|l| l.at >= since && l.at <= state.now)
    );
    // Trouble first, then the rest; each part newest first.
    let shown = state.logs.shown();
    let split = shown
        .iter()
        .position(|l| !l.level.is_trouble())
        .unwrap_or(shown.len());
    assert!(shown[..split].iter().all(|l| l.level.is_trouble()));
    assert!(shown[split..].iter().all(|l| !l.level.is_trouble()));
    assert!(shown[..split].windows(2).all(|w| w[0].at >= w[1].at));
    assert!(shown[split..].windows(2).all(|w| w[0].at >= w[1].at));

    // `/` narrows as typed, Enter shows a line whole, `y` copies it, Esc goes back.
    h.press(KeyCode::Char('/')).await;
    h.type_text("POOL").await;
    h.press(KeyCode::Enter).await;
    let logs = &h.app.state.logs;
    assert_eq!(logs.filter.sent.as_deref(), Some("POOL"));
    assert!(!logs.shown().is_empty());
    assert!(
        logs.shown()
            .iter()
            .all(|l| l.message.to_lowercase().contains("pool"))
    );
    h.press(KeyCode::Enter).await;
    assert_eq!(h.app.state.overlay, Some(Overlay::LogLine));
    h.press(KeyCode::Esc).await;
    h.press(KeyCode::Esc).await;
    assert!(h.app.state.logs.filter.sent.is_none());
    assert!(h.app.state.logs.open);
    h.press(KeyCode::Esc).await;
    assert!(!h.app.state.logs.open);
    assert!(h.app.state.logs.lines.is_empty());
}

#[test]
fn ondeck_logs_prints_the_demo_lines_oldest_first_and_as_json() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ondeck"))
            .args([
                "--config",
                "/dev/null",
                "--at",
                "2026-11-21T03:12:00Z",
                "logs",
            ])
            .args(args)
            .env(
                "XDG_STATE_HOME",
                std::env::temp_dir().join("ondeck-logs-cli"),
            )
            .output()
            .unwrap()
    };
    let text = run(&["checkout", "--since", "5m", "--grep", "REDIS"]);
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let out = String::from_utf8(text.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert!(!lines.is_empty());
    assert!(
        lines.windows(2).all(|w| w[0][..24] <= w[1][..24]),
        "oldest first"
    );
    for line in &lines {
        assert!(line.contains(" demo checkout "), "{line}");
        assert!(line.to_lowercase().contains("redis"), "{line}");
        assert!(*line >= "2026-11-21T03:07:00.000Z", "{line}");
    }
    let json = run(&[
        "checkout", "--since", "5m", "--grep", "REDIS", "--format", "json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["lines"].as_array().unwrap().len(), lines.len());
    assert_eq!(value["sources"][0]["name"], "demo");
    assert_eq!(value["sources"][0]["error"], serde_json::Value::Null);
    assert_eq!(value["lines"][0]["labels"]["service"], "checkout");
    let id = value["lines"][0]["trace_id"].as_str().unwrap().to_string();
    let by_trace = run(&["--trace", &id, "--since", "5m"]);
    let out = String::from_utf8(by_trace.stdout).unwrap();
    assert!(out.lines().count() >= 2);
    assert!(out.lines().all(|l| l.contains(&id)), "{out}");
    let nothing = run(&[]);
    assert_eq!(
        nothing.status.code(),
        Some(2),
        "a service or a trace is needed"
    );
}
