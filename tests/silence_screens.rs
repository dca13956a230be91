//! The silence dialog at the minimum size (80x24), as a responder sees it: a new silence
//! with its fields and Alertmanager's preview (and its age), an extension with the new end,
//! an expiry saying what notifies again; and a preview that could not be had says why.

#[path = "support/fixture.rs"]
mod fixture;

use std::collections::BTreeMap;

use chrono::Duration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ondeck::config::{Keymap, Theme};
use ondeck::model::SilenceMatcher;
use ondeck::state::{
    Overlay, Pane, SilenceDialog, SilenceField, SilenceOp, SilencePreview, State, TextField,
};
use ondeck::ui::{UiContext, render};

fn draw(state: &State) -> Terminal<TestBackend> {
    let keymap = Keymap::defaults();
    let theme = Theme::dark();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| render(frame, state, &ctx)).unwrap();
    terminal
}

fn with(op: SilenceOp, preview: SilencePreview) -> State {
    let mut state = fixture::state();
    state.pane = Pane::Oncall;
    state.overlay = Some(Overlay::Silence(Box::new(SilenceDialog {
        source: "am".into(),
        op,
        matchers: TextField::new(r#"service="checkout" alertname=~"Disk.*""#),
        duration: TextField::new("2h"),
        comment: TextField::new("disk swap on db-1"),
        focus: SilenceField::Comment,
        error: None,
        preview,
    })));
    state
}

fn matchers() -> Vec<SilenceMatcher> {
    vec![SilenceMatcher {
        name: "service".into(),
        value: "checkout".into(),
        is_regex: false,
        is_equal: true,
    }]
}

fn alert(name: &str, instance: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("alertname".to_string(), name.to_string()),
        ("instance".to_string(), instance.to_string()),
        ("service".to_string(), "checkout".to_string()),
    ])
}

#[test]
fn new_silence_with_its_preview_80x24() {
    let now = fixture::now();
    let alerts = (1..=7)
        .map(|i| alert("DiskFull", &format!("db-{i}")))
        .collect();
    let state = with(
        SilenceOp::Create,
        SilencePreview::Ready {
            matchers: matchers(),
            alerts,
            at: now - Duration::seconds(3),
        },
    );
    insta::assert_snapshot!(draw(&state).backend());
}

#[test]
fn new_silence_without_a_preview_says_why_80x24() {
    let mut state = with(
        SilenceOp::Create,
        SilencePreview::Failed {
            matchers: matchers(),
            why: "cannot reach http://127.0.0.1:9093: connection refused".into(),
        },
    );
    if let Some(Overlay::Silence(d)) = &mut state.overlay {
        d.comment = TextField::default();
        d.error = Some("a silence needs a comment saying why".into());
    }
    insta::assert_snapshot!(draw(&state).backend());
}

#[test]
fn extend_a_silence_80x24() {
    let now = fixture::now();
    let mut state = with(
        SilenceOp::Extend {
            id: "81209f0b-84ca-464a-839a-13b4378e4d54".into(),
            ends_at: now + Duration::minutes(12),
            matchers: r#"service="search""#.into(),
        },
        SilencePreview::Invalid(String::new()),
    );
    if let Some(Overlay::Silence(d)) = &mut state.overlay {
        d.duration = TextField::new("1h");
        d.focus = SilenceField::Duration;
    }
    insta::assert_snapshot!(draw(&state).backend());
}

#[test]
fn expire_a_silence_80x24() {
    let state = with(
        SilenceOp::Expire {
            id: "81209f0b-84ca-464a-839a-13b4378e4d54".into(),
            matchers: r#"service="search""#.into(),
            matching_alerts: 3,
        },
        SilencePreview::Invalid(String::new()),
    );
    insta::assert_snapshot!(draw(&state).backend());
}
