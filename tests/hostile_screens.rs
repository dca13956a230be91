//! Every pane and overlay of the cockpit, drawn from hostile backends — a real Alertmanager and
//! a real Alerta fed poisoned alerts, and PagerDuty, Opsgenie, Jaeger, Tempo and Prometheus
//! stubs whose every string starts with OSC 52, CSI, C1, BEL, DEL and bidi sequences — holds
//! none of them raw: not in a cell of the drawn frame (ratatui's `TestBackend`), and not in
//! the bytes the frame encoder sends for it, which the strict test terminal reads back (it
//! refuses any sequence but the encoder's own). Where the text is, it shows escaped (`\e]52;…`).
//!
//! The cockpit runs headless here, as the app loop would: real key presses through the live
//! keymap, `update`, and the same `perform` the cockpit uses. Needs the real servers
//! (scripts/install-test-deps); without them these tests fail, they never skip.

#[path = "support/alerta.rs"]
#[allow(dead_code)]
mod alerta;
#[path = "support/alertmanager.rs"]
mod alertmanager;
#[path = "support/hostile/mod.rs"]
mod hostile;
#[path = "support/vt.rs"]
mod vt;

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::{Backend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use ondeck::action::Action;
use ondeck::app::{action_for_key, perform};
use ondeck::config::{ConfigLocation, Keymap, Theme};
use ondeck::setup::{self, Overrides};
use ondeck::sources::{Backends, Clock};
use ondeck::state::{OncallFocus, Overlay, Pane, State};
use ondeck::ui::terminal::QuietBackend;
use ondeck::ui::{UiContext, render};
use ondeck::update::update;

use hostile::{SHOWN, Urls};

/// The sizes every screen is drawn at: the minimum and a roomy one.
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// The bytes the frame encoder writes.
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

struct Cockpit {
    state: State,
    keymap: Keymap,
    backends: Backends,
    clock: Clock,
    /// What each screen showed, by name, for the assertions after the walk.
    seen: Vec<(String, String)>,
}

impl Cockpit {
    /// The cockpit on the hostile config, after one poll of every source.
    async fn start(urls: &Urls, name: &str) -> Self {
        let home = hostile::temp_home(name);
        let path = home.join("config/ondeck/config.toml");
        std::fs::write(&path, hostile::config_text(urls)).unwrap();
        // SAFETY: set before any thread of this test reads the environment for it.
        unsafe { std::env::set_var(hostile::TOKEN_ENV, "hostile-test-token") };
        let config = ondeck::config::load(&ConfigLocation::Explicit(path)).unwrap();
        let overrides = Overrides {
            theme: None,
            readonly: false,
            state_dir: None,
        };
        let clock = Clock::System;
        let app = setup::build(&config, &overrides, clock).unwrap();
        let mut cockpit = Self {
            state: app.state,
            keymap: app.keymap,
            backends: app.backends,
            clock,
            seen: Vec::new(),
        };
        for source_update in ondeck::headless::poll_once(&cockpit.backends, clock).await {
            update(&mut cockpit.state, Action::Ingest(Box::new(source_update)));
        }
        cockpit
    }

    /// Presses a key and runs every command it causes to completion, as the app loop would.
    async fn press(&mut self, code: KeyCode) {
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        let Some(action) = action_for_key(&self.state, &self.keymap, &key) else {
            return;
        };
        let mut queue = update(&mut self.state, action);
        while let Some(command) = queue.pop() {
            if let Some(result) = perform(&self.backends, self.clock, command).await {
                queue.extend(update(&mut self.state, Action::Completed(Box::new(result))));
            }
        }
    }

    async fn keys(&mut self, keys: &str) {
        for c in keys.chars() {
            self.press(KeyCode::Char(c)).await;
        }
    }

    /// Draws the screen at every size and checks it; keeps the roomy one's text.
    fn look(&mut self, name: &str) {
        let theme = Theme::dark();
        let ctx = UiContext {
            theme: &theme,
            keymap: &self.keymap,
        };
        let mut text = String::new();
        for (width, height) in SIZES {
            let what = format!("{name} at {width}x{height}");
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            terminal.draw(|f| render(f, &self.state, &ctx)).unwrap();
            let frame = terminal.backend().buffer().clone();
            assert_cells_inert(&frame, &what);
            assert_wire_inert(&self.state, &ctx, width, height, &what);
            text = screen_text(&frame);
        }
        self.seen.push((name.to_string(), text));
    }

    /// The text of the screen called `name`.
    fn saw(&self, name: &str) -> &str {
        &self
            .seen
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no screen {name}"))
            .1
    }

    /// Panics unless the screen `name` shows `text`.
    fn shows(&self, name: &str, text: &str) {
        let screen = self.saw(name);
        assert!(
            screen.contains(text),
            "{name} does not show {text:?}:\n{screen}"
        );
    }
}

fn screen_text(buffer: &Buffer) -> String {
    let width = usize::from(buffer.area.width);
    buffer
        .content
        .chunks(width)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// No cell of the drawn frame holds a control or bidirectional character.
fn assert_cells_inert(frame: &Buffer, what: &str) {
    for (i, cell) in frame.content.iter().enumerate() {
        let symbol = cell.symbol();
        if let Some(c) = symbol
            .chars()
            .find(|&c| c.is_control() || hostile::is_bidi_control(c))
        {
            let (x, y) = frame.pos_of(i);
            panic!(
                "{what}: cell ({x},{y}) holds {c:?} raw ({symbol:?}); the screen:\n{}",
                screen_text(frame)
            );
        }
    }
}

/// The frame as the cockpit sends it to a terminal just cleared, read back by the strict test
/// terminal (which panics on any escape sequence but the encoder's own, and on any control
/// character): it shows what was drawn, and no bidirectional character is on the wire.
fn assert_wire_inert(state: &State, ctx: &UiContext, width: u16, height: u16, what: &str) {
    let wire = Wire::default();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
    };
    let mut terminal = Terminal::with_options(QuietBackend::new(wire.clone()), options).unwrap();
    terminal.backend_mut().clear().unwrap();
    let drawn = terminal
        .draw(|f| {
            render(f, state, ctx);
            ondeck::ui::wire::canonicalize(f.buffer_mut());
        })
        .unwrap()
        .buffer
        .clone();
    let bytes = wire.0.borrow().clone();
    let text = String::from_utf8(bytes.clone()).expect("the encoder writes UTF-8");
    if let Some(c) = text.chars().find(|&c| hostile::is_bidi_control(c)) {
        panic!("{what}: {c:?} on the wire");
    }
    let mut screen = vt::Vt::new(width, height);
    screen.feed(&bytes);
    let differences = screen.differences(&drawn);
    assert!(
        differences.is_empty(),
        "{what}: the terminal shows another screen: {differences:#?}"
    );
}

/// Walks every pane and overlay with the given trace backend.
async fn walk(traces: &'static str) -> Cockpit {
    let (urls, _am, _stubs) = hostile::backends(traces).await;
    let mut c = Cockpit::start(&urls, traces).await;
    let open = c.state.open_incidents().len();
    assert!(open >= 4, "an incident of every incident source: {open}");

    c.look("executive");
    c.state.overlay = Some(Overlay::Detail);
    c.look("slo detail");
    c.state.overlay = None;

    c.keys("2").await;
    c.look("oncall");
    for i in 0..open {
        c.state.selected_incident = c
            .state
            .open_incidents()
            .get(i)
            .map(|i| ondeck::state::IncidentKey::of(i));
        c.look(&format!("oncall row {i}"));
        c.press(KeyCode::Enter).await;
        assert_eq!(c.state.overlay, Some(Overlay::Detail));
        c.look(&format!("incident detail {i}"));
        c.keys("y").await;
        c.look(&format!("copy refused {i}"));
        c.press(KeyCode::Esc).await;
        c.keys("a").await;
        c.look(&format!("confirm {i}"));
        c.press(KeyCode::Esc).await;
    }
    c.keys("l").await;
    assert_eq!(c.state.oncall_focus, OncallFocus::Alerts);
    c.look("firing tiers");
    c.keys("l").await;
    c.keys("S").await;
    c.look("silences");
    c.keys("S").await;
    // No runbook matches these alerts: the flash that says so quotes the alert.
    c.keys("b").await;
    c.look("no runbook");
    c.press(KeyCode::Esc).await;

    c.keys("t").await;
    assert_eq!(c.state.pane, Pane::Debug);
    c.look("traces");
    c.press(KeyCode::Enter).await;
    c.look("waterfall");
    c.press(KeyCode::Enter).await;
    c.look("span detail");
    c.press(KeyCode::Esc).await;

    c.keys(":promql up").await;
    c.press(KeyCode::Enter).await;
    assert_eq!(c.state.overlay, Some(Overlay::Query));
    c.look("promql");
    c.press(KeyCode::Esc).await;

    c.keys("?").await;
    c.look("help");
    c
}

#[tokio::test(flavor = "multi_thread")]
async fn no_pane_or_overlay_lets_a_jaeger_backend_or_an_alert_act_on_the_terminal() {
    let c = walk("jaeger").await;
    for screen in [
        "executive",
        "slo detail",
        "oncall",
        "incident detail 0",
        "incident detail 3",
        "confirm 0",
        "firing tiers",
        "silences",
        "no runbook",
        "traces",
        "waterfall",
        "span detail",
        "promql",
    ] {
        c.shows(screen, SHOWN);
    }
    c.shows(
        "copy refused 0",
        "which a shell would act on when pasted: not copied",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_pane_or_overlay_lets_a_tempo_backend_act_on_the_terminal() {
    let c = walk("tempo").await;
    for screen in ["traces", "waterfall", "span detail"] {
        c.shows(screen, SHOWN);
    }
}
