//! Screens of the real demo fleet at a fixed instant, two minutes after it started (the
//! checkout page is firing), at 80x24, 120x32 (the README shows these) and 160x48. Everything
//! comes through the same backends, `update` and `perform` as the cockpit; only the clock is
//! fixed.

#[path = "support/demo.rs"]
mod demo;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ondeck::action::Action;
use ondeck::config::{Keymap, Theme};
use ondeck::state::State;
use ondeck::ui::{UiContext, render};
use ondeck::update::update;

use demo::demo_state;

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
async fn demo_screens_at_80x24_120x32_and_160x48() {
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
        for (w, h) in [(80, 24), (120, 32), (160, 48)] {
            insta::assert_snapshot!(format!("demo_{key}_{w}x{h}"), screen(&state, w, h));
        }
    }
    update(&mut state, Action::ShowOncall);
    update(&mut state, Action::ToggleHelp);
    insta::assert_snapshot!("demo_help_80x24", screen(&state, 80, 24));
}
