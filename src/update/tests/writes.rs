//! Acknowledge, resolve and the rest of the writes: asked first, sent once, queued when the
//! backend cannot take them yet, never sent from the wrong pane or in read-only mode.

use super::*;

#[test]
fn acknowledge_asks_first_then_sends_exactly_once() {
    let mut s = oncall_with_pages();
    assert!(
        update(&mut s, Action::Acknowledge).is_empty(),
        "nothing is sent before confirming"
    );
    let Some(Overlay::Confirm(confirm)) = &s.overlay else {
        panic!("no confirmation")
    };
    assert_eq!(confirm.key.id, "HIGH-2");
    assert_eq!(confirm.action, IncidentAction::Acknowledge);
    assert_eq!(confirm.backend_kind, "demo");

    let labels = s.selected_incident().unwrap().labels.clone();
    assert!(!labels.is_empty(), "the fixture has labels to carry");
    let commands = update(&mut s, Action::Confirm);
    assert_eq!(
        commands,
        vec![Command::Write(WriteRequest {
            source: "demo".into(),
            incident: "HIGH-2".into(),
            kind: WriteKind::Acknowledge,
            note: None,
            labels,
            silence: None,
            reroute: None,
        })]
    );
    assert_eq!(s.overlay, None);
    let key = IncidentKey {
        source: "demo".into(),
        id: "HIGH-2".into(),
    };
    // Not on disk yet: the row says nothing and no flash claims anything.
    assert_eq!(s.pending[&key].state, PendingState::Recording);
    assert_eq!(
        s.flash, None,
        "nothing is said about a write before it is on disk"
    );
    let row = crate::ui::panes::oncall::status_span(
        s.selected_incident().unwrap(),
        &s,
        &crate::config::Theme::dark(),
    );
    assert_eq!(row.content, "TRIG");

    // On disk: now the row says it is on its way.
    let recorded = delivery(
        WriteKind::Acknowledge,
        DeliveryState::Recorded { behind: 0 },
    );
    update(&mut s, Action::Completed(Box::new(recorded)));
    assert_eq!(s.pending[&key].state, PendingState::Sending);
    assert!(s.flash.as_ref().unwrap().text.contains("acking HIGH-2"));

    // Pressing `a` again while the first is on its way opens no dialog and sends nothing.
    assert!(update(&mut s, Action::Acknowledge).is_empty());
    assert_eq!(s.overlay, None);
    assert!(update(&mut s, Action::Confirm).is_empty());

    let done = delivery(WriteKind::Acknowledge, DeliveryState::Delivered);
    assert_eq!(
        update(&mut s, Action::Completed(Box::new(done))),
        vec![Command::RefreshNow]
    );
    assert!(s.pending.is_empty());
    assert_eq!(s.open_incidents()[0].status, IncidentStatus::Acknowledged);
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .text
            .contains("acknowledged HIGH-2")
    );
}

#[test]
fn a_failed_acknowledge_is_shown_in_plain_words() {
    let mut s = oncall_with_pages();
    update(&mut s, Action::Acknowledge);
    update(&mut s, Action::Confirm);
    let failed = delivery(
        WriteKind::Acknowledge,
        DeliveryState::Failed("HTTP 404: Incident Not Found".into()),
    );
    update(&mut s, Action::Completed(Box::new(failed)));
    let key = IncidentKey {
        source: "demo".into(),
        id: "HIGH-2".into(),
    };
    assert_eq!(
        s.pending[&key].state,
        PendingState::Failed("HTTP 404: Incident Not Found".into())
    );
    let flash = s.flash.clone().unwrap();
    assert_eq!(
        flash.text,
        "could not acknowledge HIGH-2 on demo: HTTP 404: Incident Not Found"
    );
    // The incident is still triggered and may be tried again.
    assert_eq!(s.open_incidents()[0].status, IncidentStatus::Triggered);
    update(&mut s, Action::Acknowledge);
    assert!(matches!(s.overlay, Some(Overlay::Confirm(_))));
}

fn delivery(kind: WriteKind, state: DeliveryState) -> CommandResult {
    CommandResult::Delivery(Delivery {
        entry: OutboxEntry {
            id: "1".into(),
            queued_at: t0(),
            user: "sam".into(),
            source: "demo".into(),
            incident: "HIGH-2".into(),
            kind,
            note: None,
            target: None,
            labels: Default::default(),
            silence: None,
            reroute: None,
        },
        state,
    })
}

#[test]
fn an_acknowledge_that_cannot_be_delivered_yet_shows_queued_and_then_lands() {
    let mut s = oncall_with_pages();
    update(&mut s, Action::Acknowledge);
    update(&mut s, Action::Confirm);
    let key = IncidentKey {
        source: "demo".into(),
        id: "HIGH-2".into(),
    };
    let retry_at = t0() + Duration::seconds(4);
    let queued = DeliveryState::Queued {
        attempts: 1,
        error: "unreachable: connection refused".into(),
        retry_at,
    };
    update(
        &mut s,
        Action::Completed(Box::new(delivery(WriteKind::Acknowledge, queued.clone()))),
    );
    assert!(matches!(
        s.pending[&key].state,
        PendingState::Queued { attempts: 1, .. }
    ));
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .text
            .contains("queued: unreachable")
    );
    // A retry keeps the row saying queued, not "acking…", until it lands.
    update(
        &mut s,
        Action::Completed(Box::new(delivery(
            WriteKind::Acknowledge,
            DeliveryState::Sending,
        ))),
    );
    assert!(matches!(s.pending[&key].state, PendingState::Queued { .. }));
    // While queued, `a` opens no second dialog: the write is already owed.
    update(&mut s, Action::Acknowledge);
    assert_eq!(s.overlay, None);
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .text
            .contains("queued and will be retried")
    );
    let done = update(
        &mut s,
        Action::Completed(Box::new(delivery(
            WriteKind::Acknowledge,
            DeliveryState::Delivered,
        ))),
    );
    assert_eq!(done, vec![Command::RefreshNow]);
    assert!(s.pending.is_empty());
    assert_eq!(s.open_incidents()[0].status, IncidentStatus::Acknowledged);
}

#[test]
fn a_note_typed_in_the_dialog_goes_with_the_write() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut s = oncall_with_pages();
    update(&mut s, Action::Acknowledge);
    update(&mut s, Action::EditNote);
    for c in "on it".chars() {
        update(
            &mut s,
            Action::NoteKey(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    let Some(Overlay::Confirm(confirm)) = &s.overlay else {
        panic!("dialog closed while typing")
    };
    assert_eq!(confirm.note.value, "on it");
    let sent = update(
        &mut s,
        Action::NoteKey(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert_eq!(
        sent,
        vec![Command::Write(WriteRequest {
            source: "demo".into(),
            incident: "HIGH-2".into(),
            kind: WriteKind::Acknowledge,
            note: Some("on it".into()),
            labels: s.selected_incident().unwrap().labels.clone(),
            silence: None,
            reroute: None,
        })]
    );
}

#[test]
fn unacknowledge_asks_only_for_an_acknowledged_incident() {
    let mut s = oncall_with_pages();
    update(&mut s, Action::Unacknowledge);
    assert_eq!(
        s.overlay, None,
        "HIGH-2 is triggered: nothing to un-acknowledge"
    );
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .text
            .contains("is not acknowledged")
    );
}

#[test]
fn cancel_sends_nothing() {
    let mut s = oncall_with_pages();
    update(&mut s, Action::Resolve);
    assert!(update(&mut s, Action::Cancel).is_empty());
    assert_eq!(s.overlay, None);
    assert!(s.pending.is_empty());
}

#[test]
fn readonly_refuses_writes_and_says_so() {
    let mut s = oncall_with_pages();
    s.readonly = true;
    update(&mut s, Action::Acknowledge);
    assert_eq!(s.overlay, None);
    assert_eq!(
        s.flash.unwrap().text,
        "read-only: not sending acknowledge for HIGH-2"
    );
}

#[test]
fn acknowledging_an_acknowledged_page_opens_no_dialog() {
    let mut s = oncall_with_pages();
    update(&mut s, Action::Down);
    update(&mut s, Action::Acknowledge);
    assert_eq!(s.overlay, None);
    assert_eq!(
        s.flash.unwrap().text,
        "HIGH-1 is already acknowledged by sam"
    );
}

#[test]
fn selection_stays_on_the_same_incident_when_a_new_page_arrives() {
    let mut s = oncall_with_pages();
    update(&mut s, Action::Down);
    assert_eq!(s.selected_incident().unwrap().id, "HIGH-1");
    update(
        &mut s,
        incidents_update(vec![
            incident("LOW-1", Urgency::Low, IncidentStatus::Triggered, 50),
            incident("HIGH-3", Urgency::High, IncidentStatus::Triggered, 1),
            incident("HIGH-2", Urgency::High, IncidentStatus::Triggered, 5),
            incident("HIGH-1", Urgency::High, IncidentStatus::Acknowledged, 90),
        ]),
    );
    assert_eq!(s.selected_incident().unwrap().id, "HIGH-1");
}

#[test]
fn keys_on_other_panes_never_acknowledge() {
    let mut s = oncall_with_pages();
    update(&mut s, Action::NextFocus);
    assert_eq!(s.oncall_focus, OncallFocus::Alerts);
    update(&mut s, Action::Acknowledge);
    assert_eq!(s.overlay, None);
    update(&mut s, Action::ShowExecutive);
    update(&mut s, Action::Acknowledge);
    assert_eq!(s.overlay, None);
}
