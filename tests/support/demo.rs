//! The real demo fleet at a fixed instant, as the screen tests draw it: everything comes
//! through the same backends, `update` and `perform` as the cockpit; only the clock is fixed.
// Each test file that includes this uses a part of it.
#![allow(dead_code)]

use std::time::Duration;

use chrono::{TimeZone, Utc};

use ondeck::action::Action;
use ondeck::app::perform;
use ondeck::command::Command;
use ondeck::config::Config;
use ondeck::headless::poll_once;
use ondeck::sources::changes::ChangeBackend;
use ondeck::sources::demo::DemoSource;
use ondeck::sources::{Backends, Clock, IncidentBackend, MetricsBackend, SourceMeta, TraceBackend};
use ondeck::state::State;
use ondeck::update::update;

/// The demo's seed in every screen test.
pub const SEED: u64 = 42;

/// The demo two minutes after it started (the checkout page is firing), with the most
/// at-risk SLO's service opened in the debug pane, back on the executive pane.
pub async fn demo_state() -> State {
    demo_state_at(chrono::Duration::minutes(2)).await
}

/// As [`demo_state`], `since_start` after the demo started.
pub async fn demo_state_at(since_start: chrono::Duration) -> State {
    let start = Utc.with_ymd_and_hms(2026, 11, 21, 3, 10, 0).unwrap();
    let clock = Clock::Fixed(start + since_start);
    let demo = DemoSource::with_start("demo", SEED, start, clock);
    let meta = SourceMeta {
        url: None,
        name: "demo".into(),
        kind: "demo".into(),
        refresh: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
    };
    let backends = Backends {
        metrics: vec![(meta.clone(), MetricsBackend::Demo(demo.clone()))],
        incidents: vec![(meta.clone(), IncidentBackend::Demo(demo.clone()))],
        traces: vec![(meta.clone(), TraceBackend::Demo(demo.clone()))],
        changes: vec![(meta, ChangeBackend::Demo(demo))],
    };
    let mut state = ondeck::setup::initial_state(&Config::demo(), &backends, clock, false);
    for source_update in poll_once(&backends, clock).await {
        update(&mut state, Action::Ingest(Box::new(source_update)));
    }
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

/// Every screen a user can reach in a few keys: the three panes, then help, detail,
/// confirmation, runbook and the command line on top of the on-call pane.
pub fn screens(mut state: State) -> Vec<(String, State)> {
    let mut out = Vec::new();
    for (action, name) in [
        (Action::ShowExecutive, "executive"),
        (Action::ShowOncall, "oncall"),
        (Action::ShowDebug, "debug"),
    ] {
        update(&mut state, action);
        out.push((name.to_string(), state.clone()));
    }
    update(&mut state, Action::ShowOncall);
    for (open, close, name) in [
        (Action::ToggleHelp, Action::Back, "help"),
        (Action::Open, Action::Back, "detail"),
        (Action::Acknowledge, Action::Cancel, "confirm"),
        (Action::OpenRunbook, Action::Back, "runbook"),
        (Action::CommandLine, Action::Back, "command line"),
    ] {
        let mut shown = state.clone();
        update(&mut shown, open);
        out.push((name.to_string(), shown));
        update(&mut state, close);
    }
    out
}
