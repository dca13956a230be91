//! The logs panel as a responder sees it, on the real demo fleet two minutes after it started
//! (the checkout page is firing): `L` on the page at 80x24 (the panel takes the pane under the
//! trends) and 160x48 (under the waterfall), a line in full, and the filter.

#[path = "support/demo.rs"]
mod demo;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ondeck::action::Action;
use ondeck::config::{Keymap, Theme};
use ondeck::state::State;
use ondeck::ui::{UiContext, render};
use ondeck::update::update;

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
async fn the_logs_panel_at_80x24_and_160x48() {
    let (mut state, backends, clock) = demo::demo_world_at(chrono::Duration::minutes(2)).await;
    update(&mut state, Action::ShowOncall);
    let at = state
        .open_incidents()
        .iter()
        .position(|i| i.service == "checkout")
        .expect("the checkout page");
    for _ in 0..at {
        update(&mut state, Action::Down);
    }
    let page = state.selected_incident().cloned().unwrap();
    assert_eq!(page.service, "checkout");
    let commands = update(&mut state, Action::OpenLogs);
    demo::run(&mut state, &backends, clock, commands).await;
    assert!(!state.logs.lines.is_empty());
    insta::assert_snapshot!("logs_panel_80x24", screen(&state, 80, 24));
    insta::assert_snapshot!("logs_panel_160x48", screen(&state, 160, 48));

    update(&mut state, Action::Down);
    update(&mut state, Action::Open);
    insta::assert_snapshot!("logs_line_80x24", screen(&state, 80, 24));
    update(&mut state, Action::Back);

    let commands = update(&mut state, Action::FilterLogs);
    demo::run(&mut state, &backends, clock, commands).await;
    for c in "saturated".chars() {
        let key = crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::NONE,
        );
        update(&mut state, Action::LogFilterKey(key));
    }
    insta::assert_snapshot!("logs_filter_80x24", screen(&state, 80, 24));
}
