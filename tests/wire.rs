//! What ondeck sends to the terminal, read back by a small terminal emulator: every frame of
//! a session through panes, overlays, selection moves and refreshes shows on the emulated
//! screen exactly as rendered, in every colour depth; and a full redraw of any screen costs
//! less than 8 KB at 200x50 — the budget for a bastion host on a slow SSH link.

#[path = "support/demo.rs"]
mod demo;
#[path = "support/vt.rs"]
mod vt;

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use ondeck::action::Action;
use ondeck::config::{ColorDepth, Keymap, Theme};
use ondeck::state::State;
use ondeck::ui::terminal::QuietBackend;
use ondeck::ui::{UiContext, render, wire};
use ondeck::update::update;

use demo::{demo_state, demo_state_at, screens};
use vt::Vt;

/// The budget for redrawing a whole 200x50 screen (a resize, `fg` after Ctrl-Z).
const FULL_REDRAW_BUDGET: usize = 8_000;

const DEPTHS: [ColorDepth; 4] = [
    ColorDepth::TrueColor,
    ColorDepth::Ansi256,
    ColorDepth::Ansi16,
    ColorDepth::Mono,
];

/// The bytes written to the terminal since the last take.
#[derive(Clone, Default)]
struct Wire(Rc<RefCell<Vec<u8>>>);

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Wire {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

/// A terminal of `width` x `height` just cleared, as after a resize, and its wire.
fn cleared_terminal(width: u16, height: u16) -> (Terminal<QuietBackend<Wire>>, Wire) {
    let wire = Wire::default();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
    };
    let mut terminal = Terminal::with_options(QuietBackend::new(wire.clone()), options).unwrap();
    terminal.backend_mut().clear().unwrap();
    (terminal, wire)
}

/// Draws `state` as the cockpit does (render, then the wire's canonical form); returns the
/// frame and the bytes it cost.
fn draw(
    terminal: &mut Terminal<QuietBackend<Wire>>,
    wire: &Wire,
    state: &State,
    theme: &Theme,
) -> (Buffer, Vec<u8>) {
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme,
        keymap: &keymap,
    };
    let frame = terminal
        .draw(|frame| {
            render(frame, state, &ctx);
            wire::canonicalize(frame.buffer_mut());
        })
        .unwrap()
        .buffer
        .clone();
    (frame, wire.take())
}

#[tokio::test]
async fn a_full_redraw_of_any_screen_is_under_8_kb_at_200x50() {
    let mut report = Vec::new();
    for depth in DEPTHS {
        let theme = Theme::dark().for_depth(depth);
        for (name, state) in screens(demo_state().await) {
            let (mut terminal, wire) = cleared_terminal(200, 50);
            wire.take();
            let (_, bytes) = draw(&mut terminal, &wire, &state, &theme);
            report.push(format!("{depth:?} {name}: {} B", bytes.len()));
            assert!(
                bytes.len() <= FULL_REDRAW_BUDGET,
                "{name} at {depth:?} costs {} bytes to redraw",
                bytes.len()
            );
        }
    }
    eprintln!("{}", report.join("\n"));
}

#[tokio::test]
async fn the_terminal_shows_every_frame_exactly_as_rendered() {
    let states = [
        demo_state_at(chrono::Duration::seconds(120)).await,
        demo_state_at(chrono::Duration::seconds(125)).await,
        demo_state_at(chrono::Duration::seconds(190)).await,
    ];
    for depth in DEPTHS {
        let theme = Theme::dark().for_depth(depth);
        for (width, height) in [(80, 24), (200, 50)] {
            let (mut terminal, wire) = cleared_terminal(width, height);
            let mut vt = Vt::new(width, height);
            let mut check = |state: &State, what: &str| {
                let (frame, bytes) = draw(&mut terminal, &wire, state, &theme);
                vt.feed(&bytes);
                let wrong = vt.differences(&frame);
                assert!(
                    wrong.is_empty(),
                    "{what} at {width}x{height}, {depth:?}: {} cells differ, first {:?}",
                    wrong.len(),
                    &wrong[..wrong.len().min(3)]
                );
            };
            // Refreshes: the same screens with the numbers of five seconds and a minute later.
            for state in &states {
                for (name, screen) in screens(state.clone()) {
                    check(&screen, &name);
                }
            }
            // Moving through lists and panes, one key at a time.
            let mut state = states[2].clone();
            for action in [
                Action::Down,
                Action::Down,
                Action::ShowOncall,
                Action::Down,
                Action::NextFocus,
                Action::ShowDebug,
                Action::Down,
                Action::Back,
                Action::ShowExecutive,
                Action::Up,
            ] {
                let name = format!("{action:?}");
                update(&mut state, action);
                check(&state, &name);
            }
        }
    }
}

/// A small deterministic generator (splitmix64), so a failing frame can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[(self.next() % from.len() as u64) as usize]
    }
}

#[test]
fn random_frames_show_exactly_as_drawn() {
    use ratatui::style::{Color, Modifier, Style};
    let symbols = ["a", "Z", "7", " ", " ", " ", "█", "▏", "─", "·", "コ", "×"];
    let colours = [
        Color::Reset,
        Color::Red,
        Color::LightCyan,
        Color::DarkGray,
        Color::Indexed(3),
        Color::Indexed(237),
        Color::Rgb(40, 50, 70),
    ];
    let modifiers = [
        Modifier::empty(),
        Modifier::empty(),
        Modifier::BOLD,
        Modifier::DIM,
        Modifier::REVERSED,
        Modifier::UNDERLINED,
        Modifier::BOLD | Modifier::REVERSED,
    ];
    let (width, height) = (30, 8);
    for seed in 0..100 {
        let mut rng = Rng(seed);
        let (mut terminal, wire) = cleared_terminal(width, height);
        let mut vt = Vt::new(width, height);
        vt.feed(&wire.take());
        let mut cells: Vec<(u16, u16, &str, Style)> = Vec::new();
        for frame_number in 0..30 {
            // Each frame changes a few cells of the last, as a refresh or a key press does.
            for _ in 0..(rng.next() % 40) {
                let style = Style::default()
                    .fg(rng.pick(&colours))
                    .bg(rng.pick(&colours))
                    .add_modifier(rng.pick(&modifiers));
                let mut x = (rng.next() % u64::from(width)) as u16;
                let y = (rng.next() % u64::from(height)) as u16;
                let symbol = rng.pick(&symbols);
                // Wide characters on even columns only: ratatui's diff does not repaint the
                // orphaned half of a wide character overlapped one column to its left.
                if symbol == "コ" {
                    x &= !1;
                }
                cells.push((x, y, symbol, style));
            }
            let frame = terminal
                .draw(|frame| {
                    let buf = frame.buffer_mut();
                    for &(x, y, symbol, style) in &cells {
                        buf.set_string(x, y, symbol, style);
                    }
                    // As every widget leaves it: the cell a wide character covers is blank.
                    for y in 0..height {
                        for x in 0..width - 1 {
                            if buf[(x, y)].symbol() == "コ" {
                                buf[(x + 1, y)].reset();
                            }
                        }
                    }
                    wire::canonicalize(buf);
                })
                .unwrap()
                .buffer
                .clone();
            vt.feed(&wire.take());
            let wrong = vt.differences(&frame);
            assert!(
                wrong.is_empty(),
                "seed {seed}, frame {frame_number}: {:?}",
                &wrong[..wrong.len().min(3)]
            );
        }
    }
}
