//! Headless app flow: real key presses through the live keymap, `update`, and the same
//! `perform` the cockpit uses, against the built-in demo on a fixed clock. No terminal.

use crossterm::event::KeyCode;

use ondeck::model::IncidentStatus;
use ondeck::state::{Load, Overlay, Pane, PendingState};

#[path = "support/headless.rs"]
mod headless;

use headless::Headless;

struct Harness;

impl Harness {
    async fn start(readonly: bool) -> Headless {
        Headless::demo(if readonly { "flow-readonly" } else { "flow" }, readonly).await
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

/// The demo shows what a real stack's incident sources add: who is on call (with a handover
/// coming), and silences in `S` — one covering the certificate alert, which stays listed
/// marked suppressed, and one that matches nothing, as a forgotten silence does.
#[tokio::test]
async fn the_demo_has_rotations_and_silences() {
    let mut h = Harness::start(false).await;
    h.press(KeyCode::Char('2')).await;
    let oncall: Vec<_> = h.app.state.oncall.values().flatten().collect();
    assert_eq!(oncall.len(), 2, "{oncall:?}");
    let primary = oncall
        .iter()
        .find(|o| o.schedule == "platform primary")
        .unwrap();
    let handover = primary.now_until.expect("the shift's end") - h.app.state.now;
    assert!(handover <= chrono::TimeDelta::minutes(25), "{handover}");

    h.press(KeyCode::Char('S')).await;
    assert!(
        h.app.state.show_silences,
        "S shows the silences on the demo"
    );
    let silences: Vec<_> = h.app.state.silences.values().flatten().collect();
    let cert = silences
        .iter()
        .find(|s| s.matchers.iter().any(|m| m.value == "CertExpiringSoon"))
        .expect("the certificate silence");
    assert_eq!(cert.matching_alerts, 1);
    assert!(silences.iter().any(|s| s.matching_alerts == 0));
    let silenced = h
        .app
        .state
        .open_incidents()
        .into_iter()
        .find(|i| {
            i.service == "auth"
                && i.labels.get("alertname").map(String::as_str) == Some("CertExpiringSoon")
        })
        .expect("the certificate incident is still listed");
    assert!(silenced.suppressed);
}
