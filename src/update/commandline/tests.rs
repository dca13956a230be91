//! The command line as a responder uses it: open, type, recall, run, and mistakes.

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;
use crate::command::Command;
use crate::model::Incident;
use crate::slo::default_tiers;
use crate::sources::{Feed, SourcePayload, SourceUpdate};
use crate::state::{FlashKind, HISTORY_LIMIT, Pane, State};
use crate::update::update;

fn state() -> State {
    State::new(
        Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap(),
        default_tiers(),
    )
}

fn press(state: &mut State, code: KeyCode) -> Vec<Command> {
    let key = KeyEvent::new(code, KeyModifiers::NONE);
    update(state, Action::CommandLineKey(key))
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        press(state, KeyCode::Char(c));
    }
}

fn run(state: &mut State, text: &str) -> Vec<Command> {
    update(state, Action::CommandLine);
    type_text(state, text);
    press(state, KeyCode::Enter)
}

fn typed(state: &State) -> Option<&str> {
    state.command_line.open.as_ref().map(|l| l.value.as_str())
}

#[test]
fn colon_opens_an_empty_line_that_takes_typing_and_editing_keys() {
    let mut s = state();
    update(&mut s, Action::CommandLine);
    assert_eq!(typed(&s), Some(""));
    type_text(&mut s, "runbok");
    press(&mut s, KeyCode::Left);
    press(&mut s, KeyCode::Char('o'));
    press(&mut s, KeyCode::End);
    type_text(&mut s, " x");
    press(&mut s, KeyCode::Backspace);
    assert_eq!(typed(&s), Some("runbook "));
    let line = s.command_line.open.as_ref().unwrap();
    assert_eq!(line.cursor, 8);
}

#[test]
fn esc_cancels_without_running_or_remembering() {
    let mut s = state();
    update(&mut s, Action::CommandLine);
    type_text(&mut s, "runbook disk-full");
    assert!(press(&mut s, KeyCode::Esc).is_empty());
    assert!(!s.command_line.is_open());
    assert!(s.runbook.view.is_none());
    assert!(s.command_line.history.is_empty());
    // Backspace on an empty line closes it too, as in a shell's vi mode.
    update(&mut s, Action::CommandLine);
    press(&mut s, KeyCode::Backspace);
    assert!(!s.command_line.is_open());
}

#[test]
fn runbook_by_id_opens_it_with_no_incident_away_from_the_oncall_pane() {
    let mut s = state();
    let commands = run(&mut s, "runbook disk-full");
    assert!(!s.command_line.is_open());
    let view = s.runbook.view.as_ref().expect(":runbook opens the view");
    assert_eq!(view.runbook.id, "disk-full");
    assert!(view.incident.is_none());
    assert!(commands.is_empty(), "no incident, so no progress to read");
    // Executing asks with only the runbook id as context.
    update(&mut s, Action::StepExecute);
    let confirm = s.runbook.view.as_ref().unwrap().confirm.clone().unwrap();
    assert_eq!(
        confirm.env,
        vec![("ONDECK_RUNBOOK_ID".to_string(), "disk-full".to_string())]
    );
}

#[test]
fn runbook_by_id_is_for_the_selected_incident_on_the_oncall_pane() {
    let mut s = state();
    // Triggered, high urgency.
    let page = Incident::new("demo", "PD-7", "disk on db-1", "db", s.now);
    let now = s.now;
    update(
        &mut s,
        Action::Ingest(Box::new(SourceUpdate {
            source: "demo".into(),
            feed: Feed::Incidents,
            at: now,
            outcome: Ok(SourcePayload::Incidents(
                crate::model::IncidentSnapshot::of(vec![page]),
            )),
            retry_at: None,
        })),
    );
    update(&mut s, Action::ShowOncall);
    run(&mut s, "runbook cert-expiry");
    let view = s.runbook.view.as_ref().unwrap();
    assert_eq!(view.runbook.id, "cert-expiry");
    assert_eq!(view.incident.as_ref().map(|i| i.id.as_str()), Some("PD-7"));
    update(&mut s, Action::StepExecute);
    let env = &s
        .runbook
        .view
        .as_ref()
        .unwrap()
        .confirm
        .as_ref()
        .unwrap()
        .env;
    assert!(env.contains(&("ONDECK_INCIDENT_ID".into(), "PD-7".into())));
    assert!(env.contains(&("ONDECK_RUNBOOK_ID".into(), "cert-expiry".into())));
}

#[test]
fn unknown_ids_and_commands_flash_a_plain_error() {
    let mut s = state();
    s.pane = Pane::Oncall;
    run(&mut s, "runbook no-such-thing");
    assert!(s.runbook.view.is_none());
    let flash = s.flash.clone().unwrap();
    assert_eq!(flash.kind, FlashKind::Error);
    assert_eq!(flash.text, "no runbook with id `no-such-thing`");
    run(&mut s, "deploy now");
    let flash = s.flash.clone().unwrap();
    assert_eq!(flash.kind, FlashKind::Error);
    assert!(
        flash.text.starts_with("unknown command `deploy`"),
        "{}",
        flash.text
    );
    run(&mut s, "runbook");
    assert_eq!(s.flash.unwrap().text, "usage: :runbook <id>");
}

#[test]
fn up_and_down_walk_the_history_and_return_to_the_draft() {
    let mut s = state();
    run(&mut s, "runbook disk-full");
    update(&mut s, Action::Back);
    run(&mut s, "runbook nope");
    update(&mut s, Action::CommandLine);
    type_text(&mut s, "draft");
    press(&mut s, KeyCode::Up);
    assert_eq!(typed(&s), Some("runbook nope"));
    press(&mut s, KeyCode::Up);
    assert_eq!(typed(&s), Some("runbook disk-full"));
    press(&mut s, KeyCode::Up);
    assert_eq!(typed(&s), Some("runbook disk-full"), "stops at the oldest");
    press(&mut s, KeyCode::Down);
    assert_eq!(typed(&s), Some("runbook nope"));
    press(&mut s, KeyCode::Down);
    assert_eq!(typed(&s), Some("draft"));
    // A recalled command runs like a typed one.
    press(&mut s, KeyCode::Up);
    press(&mut s, KeyCode::Up);
    press(&mut s, KeyCode::Enter);
    assert_eq!(
        s.runbook.view.as_ref().map(|v| v.runbook.id.as_str()),
        Some("disk-full")
    );
}

#[test]
fn history_keeps_the_last_fifty_without_immediate_repeats() {
    let mut s = state();
    for n in 0..60 {
        run(&mut s, &format!("runbook r{n}"));
        run(&mut s, &format!("runbook r{n}"));
    }
    let history = &s.command_line.history;
    assert_eq!(history.len(), HISTORY_LIMIT);
    assert_eq!(history.first().map(String::as_str), Some("runbook r10"));
    assert_eq!(history.last().map(String::as_str), Some("runbook r59"));
}
