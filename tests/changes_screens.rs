//! The demo's changes as a responder reaches them: the debug pane's changes list (`h`/`l`),
//! a change's detail (`Enter`), `y` copying its revision, and the rollback that ends
//! checkout's burn marked on the axis and in the list — drawn at 80x24 and 160x48.

#[path = "support/demo.rs"]
mod demo;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ondeck::action::Action;
use ondeck::command::Command;
use ondeck::config::{Keymap, Theme};
use ondeck::state::{DebugFocus, Overlay, State};
use ondeck::update::update;

use demo::{demo_state, demo_state_at};

fn screen(state: &State, width: u16, height: u16) -> String {
    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = ondeck::ui::UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| ondeck::ui::render(frame, state, &ctx))
        .unwrap();
    terminal.backend().to_string()
}

/// The debug pane with its changes list focused.
fn changes_list(state: &mut State) {
    update(state, Action::ShowDebug);
    while state.debug.focus != DebugFocus::Changes {
        let before = state.debug.focus;
        update(state, Action::NextFocus);
        assert_ne!(state.debug.focus, before, "next panel moves the focus");
        assert_ne!(
            state.debug.focus,
            DebugFocus::Traces,
            "the changes list is one of the panels"
        );
    }
}

fn copied(commands: &[Command]) -> Vec<&str> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::Copy { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_change_in_the_debug_list_opens_its_detail_and_y_copies_its_revision() {
    let mut state = demo_state().await;
    changes_list(&mut state);
    let screen_80 = screen(&state, 80, 24);
    // Newest first: the bad deploy, then the config change on inventory (which checkout calls).
    let deploy = screen_80
        .lines()
        .position(|l| l.contains("checkout") && l.contains("1.42 → 1.43"))
        .unwrap_or_else(|| panic!("{screen_80}"));
    let config = screen_80
        .lines()
        .position(|l| l.contains("inventory") && l.contains("config"))
        .unwrap_or_else(|| panic!("{screen_80}"));
    assert!(deploy < config, "{screen_80}");
    insta::assert_snapshot!("changes_debug_list_80x24", screen_80);
    insta::assert_snapshot!("changes_debug_list_160x48", screen(&state, 160, 48));

    assert_eq!(copied(&update(&mut state, Action::Copy)), ["1.43"]);
    update(&mut state, Action::Open);
    assert_eq!(state.overlay, Some(Overlay::Detail));
    let detail = screen(&state, 80, 24);
    assert!(detail.contains("by        ci-bot"), "{detail}");
    assert!(
        detail.contains("https://argocd.example.com/applications/checkout"),
        "{detail}"
    );
    insta::assert_snapshot!("changes_detail_80x24", detail);
    // y in the detail copies the same change's revision.
    assert_eq!(copied(&update(&mut state, Action::Copy)), ["1.43"]);
    update(&mut state, Action::Back);
    assert_eq!(state.overlay, None);

    // The config change has no revision or link: y copies what it says.
    update(&mut state, Action::Down);
    assert_eq!(
        copied(&update(&mut state, Action::Copy)),
        ["reservation cache TTL 60s → 30s"]
    );
}

#[tokio::test]
async fn the_rollback_that_ends_the_burn_is_marked_on_the_axis_and_in_the_list() {
    // Fifty minutes in: checkout's burn ended at 45 with the rollback to 1.42.
    let mut state = demo_state_at(chrono::Duration::minutes(50)).await;
    changes_list(&mut state);
    let wide = screen(&state, 160, 48);
    let rows: Vec<&str> = wide.lines().collect();
    let axis = rows
        .iter()
        .find(|l| l.contains("│changes"))
        .unwrap_or_else(|| panic!("{wide}"));
    // Five minutes ago, on the hour's axis; the deploy (81 minutes ago) is before the hour.
    assert_eq!(axis.matches('↶').count(), 1, "{axis}");
    assert!(!axis.contains('▲'), "{axis}");
    // In the list, newest first: the rollback above the deploy it undid.
    let at = |needle: &str| {
        rows.iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle}: {wide}"))
    };
    let rollback = at("rollback");
    assert!(
        rows[rollback].contains("│↶ "),
        "the rollback's mark: {}",
        rows[rollback]
    );
    assert!(rows[rollback].contains("1.43 → 1.42"), "{}", rows[rollback]);
    assert!(rollback < at("1.42 → 1.43"), "{wide}");
    insta::assert_snapshot!("changes_rollback_debug_160x48", wide);
    insta::assert_snapshot!("changes_rollback_debug_80x24", screen(&state, 80, 24));
}
