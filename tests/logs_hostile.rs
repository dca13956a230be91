//! Log text is outside text: a Loki whose line, labels and warnings all start with OSC 52,
//! CSI, C1, BEL, DEL and bidirectional overrides reaches no terminal raw — not the logs panel,
//! not a line's detail (Enter), not `ondeck logs` as text or JSON — while the model and the
//! JSON keep the text exactly as Loki sent it. A line break in a line stays inside its line.

#[path = "support/alerta.rs"]
#[allow(dead_code)]
mod alerta;
#[path = "support/alertmanager.rs"]
mod alertmanager;
#[path = "support/headless.rs"]
mod headless;
#[path = "support/hostile/mod.rs"]
mod hostile;

use std::path::Path;

use chrono::{TimeZone, Utc};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::config::{Keymap, Theme, parse};
use ondeck::state::Overlay;
use ondeck::ui::{UiContext, render};

use headless::Headless;
use hostile::{SHOWN, assert_inert, first_acting, hostile};

/// A Loki answering every `query_range` with one poisoned line 30 s before the tests' clock.
async fn poisoned_loki() -> MockServer {
    let at = Utc.with_ymd_and_hms(2026, 11, 21, 3, 11, 30).unwrap();
    let ns = at.timestamp_nanos_opt().unwrap().to_string();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/loki/api/v1/query_range"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "success",
            "warnings": [hostile("query hit a limit")],
            "data": {"resultType": "streams", "result": [{
                "stream": {"service": "checkout", "level": "error", "pod": hostile("checkout-7f9")},
                "values": [[ns, hostile("payment failed\nsecond line")]],
            }]},
        })))
        .mount(&server)
        .await;
    server
}

fn config_text(url: &str) -> String {
    format!("[[source]]\nname = \"loki\"\nkind = \"loki\"\nurl = \"{url}\"\n")
}

/// The screen's text, and a panic naming the cell if any holds a character that would act.
fn draw(state: &ondeck::state::State, width: u16, height: u16, what: &str) -> String {
    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| render(f, state, &ctx)).unwrap();
    let buffer = terminal.backend().buffer();
    let rows: Vec<String> = buffer
        .content
        .chunks(usize::from(width))
        .map(|row| row.iter().map(|c| c.symbol()).collect())
        .collect();
    let screen = rows.join("\n");
    if let Some((at, c)) = first_acting(screen.as_bytes()) {
        panic!("{what} at {width}x{height}: {c:?} raw at byte {at}:\n{screen}");
    }
    screen
}

#[tokio::test]
async fn the_panel_and_a_lines_detail_show_poisoned_log_text_escaped() {
    let loki = poisoned_loki().await;
    let config = parse(&config_text(&loki.uri()), Path::new("loki.toml")).unwrap();
    let mut h = Headless::with_config(&config, "logs-hostile", true).await;
    h.press(KeyCode::Char(':')).await;
    h.type_text("logs checkout").await;
    h.press(KeyCode::Enter).await;
    let shown = h.app.state.logs.shown();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(
        shown[0].message,
        hostile("payment failed\nsecond line"),
        "the model keeps the text as received"
    );
    for (width, height) in [(80, 24), (160, 48)] {
        let screen = draw(&h.app.state, width, height, "the logs panel");
        assert!(screen.contains(SHOWN), "{screen}");
    }
    let wide = draw(&h.app.state, 160, 48, "the logs panel");
    assert!(
        wide.contains("payment failed second line"),
        "one row for the line, its break a space:\n{wide}"
    );
    assert!(wide.contains("query hit a limit"), "the warning: {wide}");

    h.press(KeyCode::Enter).await;
    assert_eq!(h.app.state.overlay, Some(Overlay::LogLine));
    for (width, height) in [(80, 24), (160, 48)] {
        draw(&h.app.state, width, height, "a line's detail");
    }
    let detail = draw(&h.app.state, 160, 48, "a line's detail");
    assert!(detail.contains("pod ="), "the label: {detail}");
    assert!(
        detail.contains("\\u{2066}checkout-7f9"),
        "its value: {detail}"
    );
    assert!(
        detail.contains("second line"),
        "the whole line, its break kept in the detail: {detail}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ondeck_logs_prints_poisoned_log_text_inert_and_json_keeps_it_exactly() {
    let loki = poisoned_loki().await;
    let dir = headless::temp_dir("logs-hostile-cli");
    let config = dir.join("ondeck.toml");
    std::fs::write(&config, config_text(&loki.uri())).unwrap();
    let run = move |args: &'static [&'static str]| {
        let config = config.clone();
        let state = dir.join("state");
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_ondeck"))
                .arg("--config")
                .arg(&config)
                .args(["--at", "2026-11-21T03:12:00Z", "logs", "checkout"])
                .args(args)
                .env("XDG_STATE_HOME", &state)
                .output()
                .unwrap()
        }
    };
    let text = tokio::task::spawn_blocking(run(&[])).await.unwrap();
    assert_eq!(text.status.code(), Some(0));
    assert_inert(&text.stdout, "`ondeck logs`");
    assert_inert(&text.stderr, "`ondeck logs` warnings");
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line a log line: {stdout}");
    assert!(
        stdout.contains(&format!("{SHOWN}Y3VybC")),
        "shown escaped: {stdout}"
    );
    assert!(
        String::from_utf8_lossy(&text.stderr).contains("query hit a limit"),
        "the warning is said"
    );

    let json = tokio::task::spawn_blocking(run(&["--format", "json"]))
        .await
        .unwrap();
    assert_inert(&json.stdout, "`ondeck logs --format json`");
    let value: Value = serde_json::from_slice(&json.stdout).unwrap();
    let line = &value["lines"][0];
    assert_eq!(line["message"], hostile("payment failed\nsecond line"));
    assert_eq!(line["labels"]["pod"], hostile("checkout-7f9"));
    assert_eq!(
        value["sources"][0]["warnings"][0],
        format!("Loki: {}", hostile("query hit a limit")),
        "Loki's warning in its words"
    );
}
