//! Criterion benchmark of one frame: the executive pane with 1,000 SLOs and the on-call pane
//! with 500 incidents, rendered into a 160x48 `TestBackend` (render, diff, no IO) — the panes
//! build only the rows on screen, so the cost should not grow with the list — and a key press
//! on the demo at 200x50 through everything the cockpit does before the write; and the debug
//! pane with 500 changes in its hour, marked on the axis and listed.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use ondeck::action::Action;
use ondeck::config::{ColorDepth, Keymap, Theme};
use ondeck::model::{Change, ChangeKind};
use ondeck::state::{DebugFocus, State};
use ondeck::ui::terminal::QuietBackend;
use ondeck::ui::{UiContext, render, wire};
use ondeck::update::update;

#[path = "../tests/support/demo.rs"]
mod demo;

/// The demo fleet two minutes in, as the screen tests draw it.
fn demo_state() -> State {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(demo::demo_state())
}

/// The demo fleet two minutes in, its SLOs copied to 1,000 rows and its incidents to 500.
fn big_state() -> State {
    let mut state = demo_state();
    let slos = state.slos.clone();
    state.slos = (0..1000)
        .map(|i| {
            let mut row = slos[i % slos.len()].clone();
            row.report.spec.name = format!("{}-{i}", row.report.spec.name);
            row.report.spec.id = format!("{}-{i}", row.report.spec.id);
            row.trend = (0..40)
                .map(|t| f64::from((t * 7 + i as i32) % 13))
                .collect();
            row
        })
        .collect();
    for incidents in state.incidents.values_mut() {
        let base = incidents.clone();
        *incidents = (0..500)
            .map(|i| {
                let mut incident = base[i % base.len()].clone();
                incident.id = format!("{}-{i}", incident.id);
                incident
            })
            .collect();
    }
    // Mid-list, so the scroll window is neither at the top nor at the end.
    for _ in 0..500 {
        update(&mut state, Action::Down);
    }
    state
}

fn bench_render(c: &mut Criterion) {
    let mut state = big_state();
    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("executive pane, 1000 SLOs, 160x48", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| render(frame, black_box(&state), &ctx))
                .unwrap();
        })
    });
    update(&mut state, Action::ShowOncall);
    for _ in 0..250 {
        update(&mut state, Action::Down);
    }
    c.bench_function("on-call pane, 500 incidents, 160x48", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| render(frame, black_box(&state), &ctx))
                .unwrap();
        })
    });
}

/// A key press on the demo at 200x50, as the cockpit handles it: `update`, render, the wire's
/// canonical form, ratatui's diff and the encoded bytes (written to a sink).
/// The demo's debug pane on checkout with 500 changes to it and what it calls in the hour
/// its trends show, the changes list focused.
fn debug_with_changes() -> State {
    let mut state = demo_state();
    update(&mut state, Action::ShowDebug);
    let services = ["checkout", "inventory", "payments", "auth"];
    let kinds = [
        ChangeKind::Deploy,
        ChangeKind::Config,
        ChangeKind::Rollback,
        ChangeKind::Flag,
        ChangeKind::Scale,
    ];
    let now = state.now;
    let changes = (0..500)
        .map(|i| Change {
            source: "demo".into(),
            id: format!("bench-{i}"),
            at: now - chrono::Duration::seconds(7 * i64::from(i)),
            service: services[i as usize % services.len()].into(),
            kind: kinds[i as usize % kinds.len()],
            summary: format!("change {i}"),
            from: Some(format!("1.{i}")),
            to: Some(format!("1.{}", i + 1)),
            link: None,
            author: Some("ci-bot".into()),
        })
        .collect();
    state.changes.by_source.insert("demo".into(), changes);
    update(&mut state, Action::NextFocus);
    update(&mut state, Action::NextFocus);
    state
}

fn bench_debug_changes(c: &mut Criterion) {
    let state = debug_with_changes();
    assert_eq!(
        state.debug.focus,
        DebugFocus::Changes,
        "the list has the focus"
    );
    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("debug pane, 500 changes, 160x48", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| render(frame, black_box(&state), &ctx))
                .unwrap();
        })
    });
}

fn bench_key_press(c: &mut Criterion) {
    let mut state = demo_state();
    let theme = Theme::dark().for_depth(ColorDepth::Ansi256);
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 200, 50)),
    };
    let mut terminal = Terminal::with_options(QuietBackend::new(std::io::sink()), options).unwrap();
    let mut down = true;
    c.bench_function("key press to bytes, demo, 200x50", |b| {
        b.iter(|| {
            update(&mut state, if down { Action::Down } else { Action::Up });
            down = !down;
            terminal
                .draw(|frame| {
                    render(frame, black_box(&state), &ctx);
                    wire::canonicalize(frame.buffer_mut());
                })
                .unwrap();
        })
    });
}

criterion_group!(benches, bench_render, bench_debug_changes, bench_key_press);
criterion_main!(benches);
