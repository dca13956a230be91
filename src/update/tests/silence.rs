//! Silences from the keyboard: the dialog opens on what the responder selected, asks
//! Alertmanager for a preview, refuses what Alertmanager would refuse with words, and hands
//! exactly one write to the outbox; backends without silences say so.

use std::collections::BTreeMap;

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{incident, state, t0};
use crate::action::Action;
use crate::command::Command;
use crate::event::CommandResult;
use crate::model::{
    IncidentSnapshot, IncidentStatus, Silence, SilenceMatcher, SilenceWrite, Urgency,
};
use crate::outbox::{Delivery, DeliveryState, OutboxEntry, WriteKind, WriteRequest};
use crate::sources::{Feed, SourcePayload, SourceUpdate};
use crate::state::{Overlay, SilenceDialog, SilenceOp, SilencePreview, SourceStatus, State};
use crate::update::update;

fn eq(name: &str, value: &str) -> SilenceMatcher {
    SilenceMatcher {
        name: name.into(),
        value: value.into(),
        is_regex: false,
        is_equal: true,
    }
}

/// A cockpit with an Alertmanager source `am` listing one alert group and one silence.
fn with_alertmanager() -> State {
    let mut s = state();
    let refresh = std::time::Duration::from_secs(30);
    s.sources.push(SourceStatus::new(
        "am",
        "alertmanager",
        Feed::Incidents,
        refresh,
    ));
    s.silence_durations
        .insert("am".into(), std::time::Duration::from_secs(4 * 3600));
    let mut group = incident("3f9c0a1b2c3d", Urgency::High, IncidentStatus::Triggered, 5);
    group.source = "am".into();
    group.labels = BTreeMap::from([
        ("alertname".to_string(), "DiskFull".to_string()),
        ("service".to_string(), "checkout".to_string()),
    ]);
    let silence = Silence {
        source: "am".into(),
        id: "sil-1".into(),
        matchers: vec![eq("service", "search")],
        created_by: "kim".into(),
        comment: "reindex".into(),
        starts_at: t0() - Duration::hours(1),
        ends_at: t0() + Duration::minutes(20),
        matching_alerts: 2,
    };
    let snapshot = IncidentSnapshot {
        incidents: vec![group],
        silences: vec![silence],
        ..IncidentSnapshot::default()
    };
    update(
        &mut s,
        Action::Ingest(Box::new(SourceUpdate {
            source: "am".into(),
            feed: Feed::Incidents,
            at: t0(),
            outcome: Ok(SourcePayload::Incidents(snapshot)),
            retry_at: None,
        })),
    );
    update(&mut s, Action::ShowOncall);
    s
}

fn dialog(s: &State) -> &SilenceDialog {
    match &s.overlay {
        Some(Overlay::Silence(d)) => d,
        other => panic!("no silence dialog: {other:?}"),
    }
}

fn key(s: &mut State, code: KeyCode) -> Vec<Command> {
    update(
        s,
        Action::SilenceKey(KeyEvent::new(code, KeyModifiers::NONE)),
    )
}

fn typed(s: &mut State, text: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    for c in text.chars() {
        commands.extend(key(s, KeyCode::Char(c)));
    }
    commands
}

#[test]
fn s_on_an_alert_group_prefills_its_labels_and_asks_for_a_preview() {
    let mut s = with_alertmanager();
    let commands = update(&mut s, Action::Silence);
    let d = dialog(&s);
    assert_eq!(d.source, "am");
    assert_eq!(
        d.matchers.value,
        r#"alertname="DiskFull" service="checkout""#
    );
    assert_eq!(d.duration.value, "4h", "the source's acknowledge length");
    let matchers = vec![eq("alertname", "DiskFull"), eq("service", "checkout")];
    assert_eq!(
        commands,
        vec![Command::PreviewSilence {
            source: "am".into(),
            matchers: matchers.clone(),
        }]
    );
    // The answer fills the preview; an answer for other matchers is dropped.
    let labels = BTreeMap::from([("alertname".to_string(), "DiskFull".to_string())]);
    update(
        &mut s,
        Action::Completed(Box::new(CommandResult::SilencePreview {
            matchers: vec![eq("alertname", "Other")],
            outcome: Ok(vec![]),
            at: t0(),
        })),
    );
    assert!(matches!(dialog(&s).preview, SilencePreview::Checking(_)));
    update(
        &mut s,
        Action::Completed(Box::new(CommandResult::SilencePreview {
            matchers,
            outcome: Ok(vec![labels.clone()]),
            at: t0(),
        })),
    );
    assert!(
        matches!(&dialog(&s).preview, SilencePreview::Ready { alerts, .. } if alerts == &vec![labels])
    );
}

#[test]
fn enter_sends_one_write_with_an_absolute_end_or_says_what_to_fix() {
    let mut s = with_alertmanager();
    update(&mut s, Action::Silence);
    // No comment yet: Alertmanager would refuse it, so the dialog says so and stays.
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert_eq!(
        dialog(&s).error.as_deref(),
        Some("a silence needs a comment saying why")
    );
    typed(&mut s, "disk swap");
    let commands = key(&mut s, KeyCode::Enter);
    assert!(s.overlay.is_none());
    assert_eq!(
        commands,
        vec![Command::Write(WriteRequest {
            source: "am".into(),
            incident: String::new(),
            kind: WriteKind::SilenceAdd,
            note: None,
            labels: BTreeMap::new(),
            silence: Some(SilenceWrite {
                matchers: vec![eq("alertname", "DiskFull"), eq("service", "checkout")],
                ends_at: Some(t0() + Duration::hours(4)),
                comment: "disk swap".into(),
            }),
            reroute: None,
        })]
    );
}

#[test]
fn editing_the_matchers_previews_again_and_bad_ones_are_named() {
    let mut s = with_alertmanager();
    update(&mut s, Action::Silence);
    // Tab from the comment wraps to the matchers.
    key(&mut s, KeyCode::Tab);
    assert_eq!(dialog(&s).focus, crate::state::SilenceField::Matchers);
    // Each keystroke that leaves matchers that read asks again; these last ones do not.
    typed(&mut s, " env=~\"(");
    assert!(
        matches!(&dialog(&s).preview, SilencePreview::Invalid(why) if why.contains("closing quote")),
        "{:?}",
        dialog(&s).preview
    );
    let commands = typed(&mut s, "\"");
    assert!(
        commands.is_empty(),
        "an uncompilable regex is not asked about"
    );
    assert!(
        matches!(&dialog(&s).preview, SilencePreview::Invalid(why) if why.contains("does not compile")),
        "{:?}",
        dialog(&s).preview
    );
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    let commands = typed(&mut s, "p.*\"");
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert!(
        matches!(&commands[0], Command::PreviewSilence { matchers, .. } if matchers.len() == 3)
    );
}

#[test]
fn backends_without_silences_say_so_in_words() {
    let mut s = super::oncall_with_pages();
    update(&mut s, Action::Silence);
    assert!(s.overlay.is_none());
    let text = &s.flash.as_ref().unwrap().text;
    assert_eq!(text, "silences are Alertmanager's: demo (demo) has none");
    update(&mut s, Action::ExpireSilence);
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .text
            .contains("x expires the selected silence in the silences view (S)")
    );
}

#[test]
fn the_silences_view_extends_and_expires_the_selected_silence() {
    let mut s = with_alertmanager();
    update(&mut s, Action::ToggleSilences);
    update(&mut s, Action::ExtendSilence);
    assert!(matches!(&dialog(&s).op, SilenceOp::Extend { id, .. } if id == "sil-1"));
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    typed(&mut s, "2h");
    let commands = key(&mut s, KeyCode::Enter);
    let Command::Write(write) = &commands[0] else {
        panic!("{commands:?}")
    };
    assert_eq!(write.kind, WriteKind::SilenceExtend);
    assert_eq!(write.incident, "sil-1");
    // From the end it has, not from now: 20 minutes left plus two hours.
    assert_eq!(
        write.silence.as_ref().unwrap().ends_at,
        Some(t0() + Duration::minutes(140))
    );

    update(&mut s, Action::ExpireSilence);
    assert!(key(&mut s, KeyCode::Char('n')).is_empty());
    assert!(s.overlay.is_none(), "n cancels");
    update(&mut s, Action::ExpireSilence);
    let commands = key(&mut s, KeyCode::Char('y'));
    assert!(
        matches!(&commands[..], [Command::Write(w)] if w.kind == WriteKind::SilenceExpire && w.incident == "sil-1")
    );
}

#[test]
fn the_command_line_opens_the_dialog_filled_in_and_refuses_bad_text() {
    let mut s = with_alertmanager();
    update(&mut s, Action::CommandLine);
    for c in r#"silence service="checkout" alertname=~"Disk.*" 2h disk swap"#.chars() {
        update(
            &mut s,
            Action::CommandLineKey(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    let commands = update(
        &mut s,
        Action::CommandLineKey(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let d = dialog(&s);
    assert_eq!(
        d.matchers.value,
        r#"service="checkout" alertname=~"Disk.*""#
    );
    assert_eq!(d.duration.value, "2h");
    assert_eq!(d.comment.value, "disk swap");
    assert!(matches!(&commands[..], [Command::PreviewSilence { .. }]));

    s.overlay = None;
    update(&mut s, Action::CommandLine);
    for c in "silence alertname=~.* 2h everything".chars() {
        update(
            &mut s,
            Action::CommandLineKey(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    update(
        &mut s,
        Action::CommandLineKey(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert!(s.overlay.is_none());
    assert!(
        s.flash
            .as_ref()
            .unwrap()
            .text
            .contains("would match every alert")
    );
}

#[test]
fn read_only_opens_no_dialog() {
    let mut s = with_alertmanager();
    s.readonly = true;
    update(&mut s, Action::Silence);
    assert!(s.overlay.is_none());
    assert_eq!(
        s.flash.as_ref().unwrap().text,
        "read-only: not creating a silence"
    );
}

#[test]
fn a_delivered_silence_is_said_and_read_back() {
    let mut s = with_alertmanager();
    let entry = OutboxEntry {
        id: "1".into(),
        queued_at: t0(),
        user: "sam".into(),
        source: "am".into(),
        incident: "sil-1".into(),
        kind: WriteKind::SilenceExpire,
        note: None,
        target: None,
        labels: BTreeMap::new(),
        silence: None,
        reroute: None,
    };
    let commands = update(
        &mut s,
        Action::Completed(Box::new(CommandResult::Delivery(Delivery {
            entry,
            state: DeliveryState::Delivered,
        }))),
    );
    assert_eq!(commands, vec![Command::RefreshNow]);
    assert_eq!(
        s.flash.as_ref().unwrap().text,
        "expire silence sil-1 on am: done"
    );
    assert!(s.pending.is_empty(), "no incident row claims it");
}
