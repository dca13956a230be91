//! Criterion benchmark of the span waterfall on a trace of 5,000 spans (a fan-out of 50
//! services × 100 calls, each with a child, plus skewed and orphaned spans): laying it out
//! once (tree, clamping, critical path), and drawing a frame of the debug pane at 160x48
//! into a `TestBackend` — what every keypress in the waterfall costs — scrolled to the
//! middle of the trace, and with half the subtrees folded.

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ondeck::config::{Keymap, Theme};
use ondeck::model::{Span, Trace, TraceSummary};
use ondeck::slo::default_tiers;
use ondeck::state::debug::SpanTree;
use ondeck::state::{DebugFocus, Pane, State};
use ondeck::ui::{UiContext, render};

const SPANS: usize = 5_000;

fn span(id: usize, parent: Option<usize>, start: u64, duration: u64) -> Span {
    Span {
        span_id: format!("{id:016x}"),
        parent_id: parent.map(|p| format!("{p:016x}")),
        service: format!("svc-{:02}", id % 50),
        operation: format!("GET /api/v1/items/{}", id % 97),
        start_offset_us: start,
        duration_us: duration,
        error: id.is_multiple_of(211),
        attributes: vec![("http.method".into(), "GET".into())],
        events: vec![],
    }
}

/// Root, 2,499 calls under it (every other one with one child), some starting before the
/// root (clock skew) and some whose parent is missing.
fn big_trace() -> Trace {
    let mut spans = vec![span(0, None, 0, 2_000_000)];
    let mut id: usize = 1;
    while spans.len() < SPANS {
        let start = (id as u64 * 397) % 1_900_000;
        let parent = if id.is_multiple_of(500) {
            Some(999_999)
        } else {
            Some(0)
        };
        let skew = if id.is_multiple_of(300) {
            2_050_000
        } else {
            start
        };
        spans.push(span(id, parent, skew, 40_000));
        if spans.len() < SPANS {
            spans.push(span(id + 1, Some(id), start + 1_000, 30_000));
        }
        id += 2;
    }
    Trace {
        summary: TraceSummary {
            trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
            root_service: "svc-00".into(),
            root_operation: "GET /".into(),
            start: Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap(),
            duration_us: 2_000_000,
            span_count: SPANS,
            error: true,
        },
        spans,
    }
}

fn state(trace: Trace) -> State {
    let mut state = State::new(
        Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap(),
        default_tiers(),
    );
    state.pane = Pane::Debug;
    state.debug.service = Some("svc-00".into());
    state.debug.trace_id = Some(trace.summary.trace_id.clone());
    state.debug.show_trace(trace);
    state.debug.focus = DebugFocus::Waterfall;
    state.debug.selected_span = SPANS / 2;
    state
}

fn bench(c: &mut Criterion) {
    let trace = big_trace();
    c.bench_function("waterfall layout, 5000 spans", |b| {
        b.iter(|| SpanTree::build(black_box(&trace)))
    });

    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut scrolled = state(trace.clone());
    c.bench_function("debug pane frame 160x48, 5000 spans", |b| {
        b.iter(|| {
            // A keypress moves the selection; the next frame draws around it.
            scrolled.debug.selected_span = (scrolled.debug.selected_span + 1) % SPANS;
            terminal
                .draw(|frame| render(frame, black_box(&scrolled), &ctx))
                .unwrap();
        })
    });

    let mut folded = state(trace);
    for position in (0..SPANS / 2).rev().step_by(2) {
        folded.debug.waterfall.fold(position);
    }
    folded.debug.selected_span = folded.debug.waterfall.len() / 2;
    c.bench_function("debug pane frame 160x48, 5000 spans, folded", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| render(frame, black_box(&folded), &ctx))
                .unwrap();
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
