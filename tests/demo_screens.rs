//! Screens of the real demo fleet at a fixed instant, two minutes after it started (the
//! checkout page is firing), at 80x24 and 160x48. Everything comes through the same backends,
//! `update` and `perform` as the cockpit; only the clock is fixed.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ondeck::action::Action;
use ondeck::app::perform;
use ondeck::command::Command;
use ondeck::config::{Config, Keymap, Theme};
use ondeck::headless::poll_once;
use ondeck::sources::demo::DemoSource;
use ondeck::sources::{Backends, Clock, IncidentBackend, MetricsBackend, SourceMeta, TraceBackend};
use ondeck::state::State;
use ondeck::ui::{UiContext, render};
use ondeck::update::update;

const SEED: u64 = 42;

async fn demo_state() -> State {
    let start = Utc.with_ymd_and_hms(2026, 11, 21, 3, 10, 0).unwrap();
    let clock = Clock::Fixed(start + chrono::Duration::minutes(2));
    let demo = DemoSource::with_start("demo", SEED, start, clock);
    let meta = SourceMeta {
        name: "demo".into(),
        kind: "demo".into(),
        refresh: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
    };
    let backends = Backends {
        metrics: vec![(meta.clone(), MetricsBackend::Demo(demo.clone()))],
        incidents: vec![(meta.clone(), IncidentBackend::Demo(demo.clone()))],
        traces: vec![(meta, TraceBackend::Demo(demo))],
    };
    let mut state = ondeck::setup::initial_state(&Config::demo(), &backends, clock, false);
    for source_update in poll_once(&backends, clock).await {
        update(&mut state, Action::Ingest(Box::new(source_update)));
    }
    // Open the most at-risk SLO's service in the debug pane, then return to the executive pane,
    // so the debug screens below have traces and a waterfall.
    let mut queue = update(&mut state, Action::Open);
    while let Some(command) = queue.pop() {
        if command == Command::RefreshNow {
            continue;
        }
        if let Some(result) = perform(&backends, clock, command).await {
            queue.extend(update(&mut state, Action::Completed(Box::new(result))));
        }
    }
    update(&mut state, Action::ShowExecutive);
    state
}

fn screen(state: &State, width: u16, height: u16) -> String {
    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(frame, state, &ctx)).unwrap();
    terminal.backend().to_string()
}

#[tokio::test]
async fn demo_screens_at_80x24_and_160x48() {
    let mut state = demo_state().await;
    assert!(
        state
            .firing_alerts()
            .iter()
            .any(|a| a.slo.report.spec.id == "checkout/availability"),
        "two minutes in, the checkout page fires"
    );
    for (pane, key) in [
        (Action::ShowExecutive, "executive"),
        (Action::ShowOncall, "oncall"),
        (Action::ShowDebug, "debug"),
    ] {
        update(&mut state, pane);
        for (w, h) in [(80, 24), (160, 48)] {
            insta::assert_snapshot!(format!("demo_{key}_{w}x{h}"), screen(&state, w, h));
        }
    }
    update(&mut state, Action::ShowOncall);
    update(&mut state, Action::ToggleHelp);
    insta::assert_snapshot!("demo_help_80x24", screen(&state, 80, 24));
}
