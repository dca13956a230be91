//! The cockpit with a source whose secret is missing, built from its config as `ondeck`
//! builds it and polled through the real backends and `update`: it starts, that source shows
//! as failed naming the variable, and the demo beside it keeps its numbers and pages.

use std::path::Path;

use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ondeck::action::Action;
use ondeck::config::{Keymap, Theme};
use ondeck::headless::poll_once;
use ondeck::setup::{Overrides, build};
use ondeck::sources::{Clock, Feed};
use ondeck::state::Health;
use ondeck::ui::{UiContext, render};
use ondeck::update::update;

const CONFIG: &str = r#"
[[source]]
name = "demo"
kind = "demo"

[[source]]
name = "prom"
kind = "prometheus"
url = "http://127.0.0.1:9"
token_env = "ONDECK_UNSET_T"

[[source]]
name = "alerts"
kind = "alertmanager"
url = "http://127.0.0.1:9"
password_file = "/nonexistent/am.password"
username = "ondeck"
"#;

#[tokio::test]
async fn the_cockpit_starts_and_names_the_missing_secret_while_the_demo_works() {
    let config = ondeck::config::parse(CONFIG, Path::new("ondeck.toml")).unwrap();
    let clock = Clock::Fixed(Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap());
    let mut app = build(&config, &Overrides::default(), clock)
        .expect("a missing secret does not stop the cockpit");
    for polled in poll_once(&app.backends, clock).await {
        update(&mut app.state, Action::Ingest(Box::new(polled)));
    }
    let state = &app.state;
    let health = |name: &str, feed: Feed| {
        state
            .feed_status(name, feed)
            .unwrap_or_else(|| panic!("{name} is registered"))
            .health(state.now)
    };
    match health("prom", Feed::Metrics) {
        Health::Failed { error, .. } => {
            assert_eq!(error, "ONDECK_UNSET_T is not set in the environment")
        }
        other => panic!("prom: {other:?}"),
    }
    match health("alerts", Feed::Incidents) {
        Health::Failed { error, .. } => assert!(
            error.starts_with("cannot read /nonexistent/am.password: "),
            "{error}"
        ),
        other => panic!("alerts: {other:?}"),
    }
    assert!(matches!(
        health("demo", Feed::Metrics),
        Health::Fresh { .. }
    ));
    assert!(matches!(
        health("demo", Feed::Incidents),
        Health::Fresh { .. }
    ));
    assert!(state.slos.len() >= 10 && state.slos.iter().all(|r| r.source == "demo"));
    assert!(!state.open_incidents().is_empty());

    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal.draw(|frame| render(frame, state, &ctx)).unwrap();
    let screen = terminal.backend().to_string();
    // Where the status bar has no room, the panes' titles say why too.
    assert!(
        screen.contains(") · prom failed: ONDECK_UNSET_T is not set in the environment"),
        "{screen}"
    );
    assert!(
        screen.contains("✕ prom failed: ONDECK_UNSET_T is not set in the environment"),
        "{screen}"
    );
}
