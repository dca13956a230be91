//! The terminal side on the real demo fleet: `--ascii` leaves no byte above 0x7f on any pane or
//! overlay, no size from 1x1 to 100x40 panics, and mouse clicks select what is under them.

#[path = "support/demo.rs"]
mod demo;

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use ondeck::action::Action;
use ondeck::config::{Keymap, Theme};
use ondeck::state::{Pane, State};
use ondeck::ui::symbols::ASCII;
use ondeck::ui::{UiContext, mouse, render};
use ondeck::update::update;

use demo::{demo_state, screens};

fn draw(state: &State, theme: &Theme, width: u16, height: u16) -> Buffer {
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(frame, state, &ctx)).unwrap();
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> String {
    let width = usize::from(buffer.area.width);
    let symbols: Vec<&str> = buffer.content.iter().map(|c| c.symbol()).collect();
    symbols
        .chunks(width)
        .map(|row| row.concat())
        .collect::<Vec<_>>()
        .join("\n")
}

fn ascii_theme() -> Theme {
    Theme::dark().with_symbols(&ASCII)
}

#[tokio::test]
async fn ascii_mode_draws_no_byte_above_0x7f_anywhere() {
    let theme = ascii_theme();
    let state = demo_state().await;
    insta::assert_snapshot!("ascii_executive_80x24", text(&draw(&state, &theme, 80, 24)));
    for (name, screen) in screens(state) {
        for (w, h) in [(80, 24), (160, 48), (40, 10)] {
            let shown = text(&draw(&screen, &theme, w, h));
            let bad: Vec<char> = shown.chars().filter(|c| !c.is_ascii()).collect();
            assert!(bad.is_empty(), "{name} at {w}x{h} drew {bad:?}:\n{shown}");
        }
    }
}

#[tokio::test]
async fn ascii_mode_keeps_borders_bars_and_sparklines_recognisable() {
    let state = demo_state().await;
    let shown = text(&draw(&state, &ascii_theme(), 160, 48));
    let unicode = text(&draw(&state, &Theme::dark(), 160, 48));
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with("+ SLOs (12) ") && l.ends_with("---"))
            && shown.contains("\n|SERVICE"),
        "borders become +-|:\n{shown}"
    );
    assert!(shown.contains('#'), "gauge blocks become #");
    // Same layout: every line is as wide in ASCII as in Unicode.
    for (a, u) in shown.lines().zip(unicode.lines()) {
        assert_eq!(a.chars().count(), u.chars().count());
    }
}

#[tokio::test]
async fn no_size_from_1x1_to_100x40_panics_and_small_ones_say_so() {
    let state = demo_state().await;
    let screens = screens(state);
    let theme = Theme::dark();
    // Every size of every screen: 32,000 frames, spread over the machine's cores.
    std::thread::scope(|scope| {
        for (name, screen) in &screens {
            let theme = &theme;
            scope.spawn(move || {
                for w in 1..=100 {
                    for h in 1..=40 {
                        let shown = text(&draw(screen, theme, w, h));
                        if w >= 80 && h >= 24 {
                            assert!(!shown.contains("terminal too small"), "{name} {w}x{h}");
                        } else if w >= 20 && h >= 3 {
                            assert!(shown.contains("too small"), "{name} {w}x{h}:\n{shown}");
                        }
                    }
                }
            });
        }
    });
}

fn click(column: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

fn apply(state: &mut State, actions: Vec<Action>) {
    for action in actions {
        update(state, action);
    }
}

#[tokio::test]
async fn a_click_selects_the_row_under_it_and_a_tab_switches_panes() {
    let mut state = demo_state().await;
    let theme = Theme::dark();
    let (w, h) = (160, 48);
    let shown = draw(&state, &theme, w, h);
    assert_eq!(state.selected_slo_index(), 0);
    // Executive: tab line, 4-row overview, then the SLO table's title rule and header: the
    // first SLO row is screen row 7, so row 10 is the fourth SLO.
    let actions = mouse::actions(&state, &theme, &shown, &click(40, 10));
    assert_eq!(actions, vec![Action::Down; 3]);
    apply(&mut state, actions);
    assert_eq!(state.selected_slo_index(), 3);
    let shown = draw(&state, &theme, w, h);
    let line = text(&shown).lines().nth(10).unwrap_or_default().to_string();
    let name = &state.slos[3].report.spec.name;
    assert!(line.contains(name.as_str()), "{line} should show {name}");
    // Back up by clicking the first row; clicks on the header or the overview do nothing.
    let actions = mouse::actions(&state, &theme, &shown, &click(40, 7));
    apply(&mut state, actions);
    assert_eq!(state.selected_slo_index(), 0);
    let shown = draw(&state, &theme, w, h);
    assert!(mouse::actions(&state, &theme, &shown, &click(40, 6)).is_empty());
    assert!(mouse::actions(&state, &theme, &shown, &click(40, 2)).is_empty());
    // The wheel moves the selection; the tab line switches panes.
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        ..click(40, 20)
    };
    assert_eq!(
        mouse::actions(&state, &theme, &shown, &wheel),
        vec![Action::Down]
    );
    // " 1 Executive  2 On-call ..." — column 16 is inside the second tab.
    let tab = mouse::actions(&state, &theme, &shown, &click(16, 0));
    apply(&mut state, tab);
    assert_eq!(state.pane, Pane::Oncall);
}
