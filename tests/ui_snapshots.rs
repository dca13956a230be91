//! Screen snapshots of every pane and overlay at the minimum (80x24) and a roomy (160x48)
//! size, drawn from a fixed hand-made state; plus a sweep proving no size makes render panic.

#[path = "support/fixture.rs"]
mod fixture;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ondeck::config::{Keymap, Theme};
use ondeck::model::IncidentAction;
use ondeck::state::{Confirm, IncidentKey, Overlay, Pane, State};
use ondeck::ui::{UiContext, render, waterfall_rows};

fn draw(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(frame, state, &ctx)).unwrap();
    terminal
}

fn on(pane: Pane) -> State {
    let mut state = fixture::state();
    state.pane = pane;
    state
}

fn confirm() -> Overlay {
    Overlay::Confirm(Confirm {
        key: IncidentKey {
            source: "demo".to_string(),
            id: "DEMO-1042".to_string(),
        },
        title: "Checkout error rate burning 20x budget".to_string(),
        action: IncidentAction::Acknowledge,
        backend_kind: "demo".to_string(),
        effect: "Marks the incident acknowledged on demo.".to_string(),
        note: Default::default(),
    })
}

fn with_overlay(pane: Pane, overlay: Overlay) -> State {
    let mut state = on(pane);
    state.overlay = Some(overlay);
    state
}

macro_rules! snapshot {
    ($name:ident, $state:expr, $w:expr, $h:expr) => {
        #[test]
        fn $name() {
            let terminal = draw(&$state, $w, $h);
            insta::assert_snapshot!(terminal.backend());
        }
    };
}

snapshot!(executive_80x24, on(Pane::Executive), 80, 24);
snapshot!(executive_160x48, on(Pane::Executive), 160, 48);
snapshot!(oncall_80x24, on(Pane::Oncall), 80, 24);
snapshot!(oncall_160x48, on(Pane::Oncall), 160, 48);
snapshot!(debug_80x24, on(Pane::Debug), 80, 24);
snapshot!(debug_160x48, on(Pane::Debug), 160, 48);
snapshot!(
    help_80x24,
    with_overlay(Pane::Executive, Overlay::Help),
    80,
    24
);
snapshot!(
    help_160x48,
    with_overlay(Pane::Oncall, Overlay::Help),
    160,
    48
);
snapshot!(confirm_80x24, with_overlay(Pane::Oncall, confirm()), 80, 24);
snapshot!(
    confirm_160x48,
    with_overlay(Pane::Oncall, confirm()),
    160,
    48
);
snapshot!(
    incident_detail_80x24,
    with_overlay(Pane::Oncall, Overlay::Detail),
    80,
    24
);
snapshot!(
    span_detail_80x24,
    with_overlay(Pane::Debug, Overlay::Detail),
    80,
    24
);
snapshot!(too_small_60x20, on(Pane::Executive), 60, 20);

/// The debug pane with the fixture trace laid out, its critical path marked, and the first
/// subtree below the root's child folded (and selected).
fn folded_waterfall() -> State {
    let mut state = on(Pane::Debug);
    state.debug.show_trace(fixture::trace());
    let waterfall = &state.debug.waterfall;
    let folded = (2..waterfall.len())
        .find(|&p| waterfall.row_at(p).is_some_and(|r| r.descendants > 0))
        .unwrap();
    state.debug.waterfall.fold(folded);
    state.debug.selected_span = folded;
    state
}

snapshot!(waterfall_folded_80x24, folded_waterfall(), 80, 24);
snapshot!(waterfall_folded_160x48, folded_waterfall(), 160, 48);

fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    terminal.backend().to_string()
}

#[test]
fn debug_pane_without_a_service_says_how_to_pick_one() {
    let mut state = on(Pane::Debug);
    state.debug = Default::default();
    let text = screen_text(&draw(&state, 80, 24));
    assert!(text.contains("select an SLO and press Enter"), "{text}");
}

#[test]
fn readonly_is_announced_on_the_tab_line() {
    let mut state = on(Pane::Executive);
    state.readonly = true;
    let terminal = draw(&state, 80, 24);
    let top: String = (0..80)
        .map(|x| terminal.backend().buffer()[(x, 0)].symbol().to_string())
        .collect();
    assert!(top.contains("READONLY"), "{top}");
    assert!(top.contains("03:12:45 UTC"), "{top}");
}

#[test]
fn the_waterfall_has_one_row_per_span() {
    let trace = fixture::trace();
    let rows = waterfall_rows(&trace);
    assert_eq!(rows.len(), trace.spans.len());
    let first: Vec<&str> = rows
        .iter()
        .take(4)
        .map(|r| trace.spans[r.span_index].span_id.as_str())
        .collect();
    // Root, its only child, then that child's children by start time (cart before inventory).
    assert_eq!(first, ["s1", "s2", "s3", "s4"]);
}

#[test]
fn a_thousand_slos_scroll_to_the_selection() {
    let mut state = on(Pane::Executive);
    let template = state.slos[0].clone();
    state.slos = (0..1000)
        .map(|i| {
            let mut row = template.clone();
            row.report.spec.id = format!("svc-{i}/availability");
            row.report.spec.service = format!("svc-{i}");
            row
        })
        .collect();
    state.selected_slo = Some(state.slos[937].key());
    let text = screen_text(&draw(&state, 80, 24));
    assert!(text.contains("svc-937"), "{text}");
    assert!(text.contains("938/1000"), "{text}");
    assert!(!text.contains("svc-0 "), "{text}");
}

#[test]
fn no_size_makes_render_panic() {
    let overlays = [
        None,
        Some(Overlay::Help),
        Some(confirm()),
        Some(Overlay::Detail),
    ];
    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    for pane in Pane::ALL {
        for overlay in &overlays {
            let mut state = on(pane);
            state.overlay = overlay.clone();
            for width in 1..=100 {
                for height in 1..=40 {
                    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
                    terminal.draw(|frame| render(frame, &state, &ctx)).unwrap();
                }
            }
        }
    }
}
