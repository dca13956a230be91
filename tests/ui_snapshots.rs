//! Screen snapshots of every pane and overlay at the minimum (80x24) and a roomy (160x48)
//! size, drawn from a fixed hand-made state; plus a sweep proving no size makes render panic.

#[path = "support/fixture.rs"]
mod fixture;
#[path = "support/screen.rs"]
mod screen;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ondeck::config::{Keymap, Theme};
use ondeck::model::IncidentAction;
use ondeck::model::OnCall;
use ondeck::state::sources::Failure;
use ondeck::state::{Confirm, IncidentKey, Overlay, Pane, State};
use ondeck::ui::{UiContext, render, waterfall_rows};

fn draw(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    draw_with(state, width, height, &Theme::dark())
}

fn draw_with(state: &State, width: u16, height: u16, theme: &Theme) -> Terminal<TestBackend> {
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme,
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

/// The fixture after `prom` (which measured checkout and payments and brings the debug
/// pane's trends) and `pd` stopped answering: prom's last good data is 4 minutes old, pd's 6.
fn stale(pane: Pane) -> State {
    let mut state = on(pane);
    let now = fixture::now();
    for row in state.slos.iter_mut().take(2) {
        row.source = "prom".to_string();
    }
    for trends in state.services.values_mut() {
        trends.source = "prom".to_string();
    }
    for source in &mut state.sources {
        if source.name == "pd" {
            source.last_ok = Some(now - chrono::Duration::minutes(6));
            source.failure = Some(Failure {
                error: "HTTP 503: service unavailable".to_string(),
                since: now - chrono::Duration::minutes(5),
                retry_at: Some(now + chrono::Duration::seconds(30)),
            });
        }
    }
    let shift = |source: &str, schedule: &str, who: &str| OnCall {
        source: source.to_string(),
        schedule: schedule.to_string(),
        level: Some(1),
        now: Some(who.to_string()),
        now_until: None,
        next: None,
        next_from: None,
    };
    state.oncall = [
        ("demo".to_string(), vec![shift("demo", "platform", "alice")]),
        ("pd".to_string(), vec![shift("pd", "payments", "dave")]),
    ]
    .into();
    state.selected_incident = Some(IncidentKey {
        source: "pd".to_string(),
        id: "PD-Q2Y9".to_string(),
    });
    state
}

/// A screen of old data, each row followed by marks under the cells in the stale role.
macro_rules! stale_snapshot {
    ($name:ident, $pane:expr, $w:expr, $h:expr) => {
        #[test]
        fn $name() {
            let theme = screen::stale_marking_theme();
            let terminal = draw_with(&stale($pane), $w, $h, &theme);
            insta::assert_snapshot!(screen::marked(terminal.backend().buffer(), &theme));
        }
    };
}

stale_snapshot!(stale_executive_80x24, Pane::Executive, 80, 24);
stale_snapshot!(stale_executive_160x48, Pane::Executive, 160, 48);
stale_snapshot!(stale_oncall_80x24, Pane::Oncall, 80, 24);
stale_snapshot!(stale_oncall_160x48, Pane::Oncall, 160, 48);
stale_snapshot!(stale_debug_80x24, Pane::Debug, 80, 24);

#[test]
fn stale_incident_detail_80x24() {
    let theme = screen::stale_marking_theme();
    let mut state = stale(Pane::Oncall);
    state.overlay = Some(Overlay::Detail);
    let terminal = draw_with(&state, 80, 24, &theme);
    insta::assert_snapshot!(screen::marked(terminal.backend().buffer(), &theme));
}

/// Without colour (`NO_COLOR`) the stale role is only dim, as muted text is: the age and
/// the panel notes must say it in words.
#[test]
fn stale_executive_without_colour_80x24() {
    let terminal = draw_with(&stale(Pane::Executive), 80, 24, &Theme::monochrome());
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn old_rows_name_their_age_and_current_rows_do_not() {
    let text = screen_text(&draw(&stale(Pane::Executive), 160, 48));
    let row = |service: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("\"│{service} ")))
            .unwrap_or_else(|| panic!("no {service} row in {text}"))
            .to_string()
    };
    assert!(row("checkout").contains("4m ago"), "{text}");
    assert!(row("payments").contains("4m ago"), "{text}");
    assert!(!row("search").contains(" ago"), "{text}");
}

#[test]
fn an_empty_list_from_a_failed_source_is_not_good_news() {
    let mut state = stale(Pane::Oncall);
    state.incidents.clear();
    let text = screen_text(&draw(&state, 160, 48));
    assert!(
        text.contains("no open incidents — not certain: pd failed, data 6m old"),
        "{text}"
    );
    assert!(!text.contains("no open incidents\""), "{text}");
}

/// The help box keeps its place and width at every scroll position, on screens where it
/// scrolls in one column or several: scrolling moves lines, never the box or its columns.
#[test]
fn help_scrolls_without_moving_or_widening() {
    for (width, height) in [(80, 24), (100, 24), (120, 24), (130, 30)] {
        let mut state = with_overlay(Pane::Executive, Overlay::Help);
        let mut boxes = Vec::new();
        // Past the end too: the help clamps the scroll itself.
        for scroll in 0..=120 {
            state.help_scroll = scroll;
            let terminal = draw(&state, width, height);
            let buffer = terminal.backend().buffer();
            // The box's top corners: on the row of its title, around the title.
            let rows: Vec<Vec<String>> = (0..height)
                .map(|y| {
                    (0..width)
                        .map(|x| buffer[(x, y)].symbol().to_string())
                        .collect()
                })
                .collect();
            let (left, right) = rows
                .iter()
                .find_map(|row| {
                    let title = (0..row.len()).find(|&x| {
                        row[x..]
                            .iter()
                            .take(5)
                            .map(String::as_str)
                            .collect::<String>()
                            == " Keys"
                    })?;
                    let left = (0..title).rev().find(|&x| row[x] == "┌")?;
                    let right = (title..row.len()).find(|&x| row[x] == "┐")?;
                    Some((Some(left), Some(right)))
                })
                .unwrap_or((None, None));
            boxes.push((left, right));
        }
        let first = boxes[0];
        assert!(
            first.0.is_some() && first.1.is_some(),
            "{width}x{height}: no box"
        );
        assert!(
            boxes.iter().all(|b| *b == first),
            "{width}x{height}: the help box moved or widened while scrolling: {boxes:?}"
        );
    }
}
