//! Headless app flow: real key presses through the live keymap, `update`, and the same
//! `perform` the cockpit uses, against the built-in demo on a fixed clock. No terminal.

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use ondeck::action::Action;
use ondeck::app::{App, action_for_key, perform};
use ondeck::command::Command;
use ondeck::config::Config;
use ondeck::event::CommandResult;
use ondeck::headless::poll_once;
use ondeck::model::IncidentStatus;
use ondeck::outbox::deliver_inline;
use ondeck::setup::{Overrides, build};
use ondeck::sources::Clock;
use ondeck::state::{Load, Overlay, Pane, PendingState};
use ondeck::update::update;

struct Harness {
    app: App,
    /// Commands that reached a backend, in order.
    sent: Vec<Command>,
}

impl Harness {
    async fn start(readonly: bool) -> Self {
        let clock = Clock::Fixed(Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap());
        let overrides = Overrides {
            theme: None,
            readonly,
            state_dir: None,
        };
        let app = build(&Config::demo(), &overrides, clock).expect("demo builds");
        let mut harness = Self {
            app,
            sent: Vec::new(),
        };
        harness.poll().await;
        harness
    }

    async fn poll(&mut self) {
        for source_update in poll_once(&self.app.backends, self.app.clock).await {
            update(&mut self.app.state, Action::Ingest(Box::new(source_update)));
        }
    }

    /// Presses a key and runs every command it causes to completion, as the app loop would.
    async fn press(&mut self, code: KeyCode) {
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        let Some(action) = action_for_key(&self.app.state, &self.app.keymap, &key) else {
            return;
        };
        let mut queue = update(&mut self.app.state, action);
        while let Some(command) = queue.pop() {
            if command == Command::RefreshNow {
                self.poll().await;
                continue;
            }
            if let Command::Write(request) = &command {
                self.sent.push(command.clone());
                // Through the outbox, one attempt, as the cockpit's courier makes it.
                let reports = deliver_inline(&self.app.outbox, request.clone()).await;
                for report in reports {
                    let result = CommandResult::Delivery(report);
                    queue.extend(update(
                        &mut self.app.state,
                        Action::Completed(Box::new(result)),
                    ));
                }
                continue;
            }
            if let Some(result) = perform(&self.app.backends, self.app.clock, command).await {
                queue.extend(update(
                    &mut self.app.state,
                    Action::Completed(Box::new(result)),
                ));
            }
        }
    }
}

#[tokio::test]
async fn switch_panes_select_and_acknowledge_with_confirmation() {
    let mut h = Harness::start(false).await;
    assert_eq!(h.app.state.pane, Pane::Executive);
    assert!(h.app.state.slos.len() >= 10);

    h.press(KeyCode::Char('2')).await;
    assert_eq!(h.app.state.pane, Pane::Oncall);
    let target = h
        .app
        .state
        .open_incidents()
        .into_iter()
        .find(|i| i.status == IncidentStatus::Triggered)
        .map(|i| i.id.clone())
        .expect("the demo starts with an unacknowledged page");
    // Walk down to it with j, as a responder would.
    while h.app.state.selected_incident().map(|i| i.id.clone()) != Some(target.clone()) {
        h.press(KeyCode::Char('j')).await;
    }

    h.press(KeyCode::Char('a')).await;
    let Some(Overlay::Confirm(confirm)) = &h.app.state.overlay else {
        panic!("a asks before acknowledging");
    };
    assert_eq!(confirm.key.id, target);
    assert!(h.sent.is_empty(), "nothing sent before the answer");

    h.press(KeyCode::Char('y')).await;
    assert_eq!(h.sent.len(), 1, "exactly one acknowledge sent");
    assert!(h.app.state.pending.is_empty());
    let acked = h
        .app
        .state
        .all_incidents()
        .find(|i| i.id == target)
        .expect("still listed");
    assert_eq!(acked.status, IncidentStatus::Acknowledged);
    assert_eq!(
        acked.acknowledged_by.as_deref(),
        Some("you"),
        "read back from the backend"
    );

    // A second `a` on the same incident neither asks nor sends.
    h.press(KeyCode::Char('a')).await;
    assert_eq!(h.app.state.overlay, None);
    assert_eq!(h.sent.len(), 1);
}

#[tokio::test]
async fn readonly_cockpit_never_sends() {
    let mut h = Harness::start(true).await;
    h.press(KeyCode::Char('2')).await;
    h.press(KeyCode::Char('a')).await;
    assert!(
        h.app
            .state
            .flash
            .as_ref()
            .unwrap()
            .text
            .starts_with("read-only")
    );
    h.press(KeyCode::Char('y')).await;
    assert!(h.sent.is_empty());
    assert!(
        h.app
            .state
            .pending
            .values()
            .all(|p| p.state != PendingState::Sending)
    );
}

#[tokio::test]
async fn enter_on_the_burning_slo_opens_its_traces_and_waterfall() {
    let mut h = Harness::start(false).await;
    h.press(KeyCode::Enter).await;
    let state = &h.app.state;
    assert_eq!(state.pane, Pane::Debug);
    let service = state.debug.service.clone().expect("a service in view");
    assert_eq!(
        service, state.slos[0].report.spec.service,
        "the most at-risk SLO's service"
    );
    assert!(matches!(state.debug.slow, Load::Ready(ref t) if !t.is_empty()));
    assert!(matches!(state.debug.errors, Load::Ready(ref t) if !t.is_empty()));
    let trace = state
        .debug
        .trace
        .ready()
        .expect("the slowest trace is shown");
    assert_eq!(Some(&trace.summary.trace_id), state.debug.trace_id.as_ref());

    // Into the waterfall, down a span, and open its attributes.
    h.press(KeyCode::Char('l')).await;
    h.press(KeyCode::Char('j')).await;
    assert_eq!(h.app.state.debug.selected_span, 1);
    h.press(KeyCode::Enter).await;
    assert_eq!(h.app.state.overlay, Some(Overlay::Detail));
    h.press(KeyCode::Esc).await;
    assert_eq!(h.app.state.overlay, None);
}

#[tokio::test]
async fn help_lists_and_closes_and_q_quits() {
    let mut h = Harness::start(false).await;
    h.press(KeyCode::Char('?')).await;
    assert_eq!(h.app.state.overlay, Some(Overlay::Help));
    // Inside help, q closes help rather than quitting.
    h.press(KeyCode::Char('q')).await;
    assert_eq!(h.app.state.overlay, None);
    assert!(!h.app.state.quit);
    h.press(KeyCode::Char('q')).await;
    assert!(h.app.state.quit);
}
