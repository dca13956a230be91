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
use ondeck::sources::logs::LogBackend;
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
    demo_world_at(since_start).await.0
}

/// Carries out `commands` and every command their results cause, as the app loop would
/// (refreshes skipped: the state was polled already).
pub async fn run(state: &mut State, backends: &Backends, clock: Clock, commands: Vec<Command>) {
    let mut queue = commands;
    while let Some(command) = queue.pop() {
        if command == Command::RefreshNow {
            continue;
        }
        if let Some(result) = perform(backends, clock, command).await {
            queue.extend(update(state, Action::Completed(Box::new(result))));
        }
    }
}

/// As [`demo_state_at`], with the backends and clock it was drawn from, for tests that go on
/// acting on it.
pub async fn demo_world_at(since_start: chrono::Duration) -> (State, Backends, Clock) {
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
        logs: vec![(meta.clone(), LogBackend::Demo(demo.clone()))],
        changes: vec![(meta, ChangeBackend::Demo(demo))],
    };
    let mut state = ondeck::setup::initial_state(&Config::demo(), &backends, clock, false);
    for source_update in poll_once(&backends, clock).await {
        update(&mut state, Action::Ingest(Box::new(source_update)));
    }
    let commands = update(&mut state, Action::Open);
    run(&mut state, &backends, clock, commands).await;
    update(&mut state, Action::ShowExecutive);
    (state, backends, clock)
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
