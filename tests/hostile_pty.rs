//! The built cockpit in a real pseudo-terminal against hostile backends — a real Alertmanager
//! and a real Alerta fed poisoned alerts, and PagerDuty, Opsgenie, Jaeger and Prometheus stubs
//! whose every string starts with OSC 52, CSI, C1, BEL, DEL and bidi sequences — at 80x24 and
//! at 160x48, through every pane and overlay: every byte it writes to the terminal is its own
//! (no OSC but a clipboard copy of clean text, no C1, BEL, DEL or bidi), and the screen, read
//! back through the test terminal emulator, shows the attack escaped (`\e]52;c;…`). Needs the
//! real servers (scripts/install-test-deps); without them these tests fail, they never skip.

#[path = "support/alerta.rs"]
#[allow(dead_code)]
mod alerta;
#[path = "support/alertmanager.rs"]
mod alertmanager;
#[path = "support/hostile/mod.rs"]
mod hostile;
#[path = "support/pty.rs"]
mod pty;
#[path = "support/vt.rs"]
mod vt;

use std::process::Command;

use hostile::SHOWN;
use pty::Session;

/// Waits until the screen shows everything in `shows`, nothing in `gone`, and, somewhere,
/// the attack escaped.
fn look(session: &mut Session, what: &str, shows: &[&str], gone: &[&str]) {
    let (cols, rows) = session.size;
    let what = format!("{what} at {cols}x{rows} showing {shows:?} and {SHOWN:?}, not {gone:?}");
    session.read_until(&what, |out| {
        let mut screen = vt::Vt::lenient(cols, rows);
        screen.feed(out);
        let screen = screen.text();
        screen.contains(SHOWN)
            && shows.iter().all(|t| screen.contains(t))
            && !gone.iter().any(|t| screen.contains(t))
    });
}

/// Sends `keys` and waits for what they lead to. Never a key right after ESC before the
/// screen changed: the terminal would read the two as Alt+key.
fn press(session: &mut Session, keys: &str, what: &str, shows: &[&str], gone: &[&str]) {
    session.keys(keys);
    look(session, what, shows, gone);
}

/// The hint of the detail and help overlays: `q` goes back.
const OVERLAY: &str = "q:back";

/// Walks the panes and overlays at the session's size, checking the screen as it goes.
fn walk(session: &mut Session) {
    press(session, "1", "executive", &["SLOs (1)"], &[]);
    press(session, "2", "on-call", &["Incidents (5 open)"], &[OVERLAY]);
    press(session, "\r", "incident detail", &[OVERLAY, "created"], &[]);
    press(
        session,
        "\x1b",
        "on-call again",
        &["S:silences"],
        &[OVERLAY],
    );
    // The last row is Opsgenie's low-urgency alert, whose id is poisoned.
    press(session, "Gy", "copy refused", &["not copied"], &[]);
    press(session, "S", "silences", &["Silences (1 active)"], &[]);
    press(
        session,
        "S",
        "incidents again",
        &["Incidents (5 open)"],
        &[],
    );
    press(session, "t", "traces", &["ROOT OPERATION"], &[]);
    press(session, "\r", "waterfall", &["DUR 0"], &[]);
    press(session, "\r", "span detail", &["attributes", OVERLAY], &[]);
    press(session, "\x1b", "waterfall again", &["DUR 0"], &[OVERLAY]);
    press(session, ":promql up\r", "promql", &["1 series"], &[]);
    press(session, "\x1b", "debug again", &["DUR 0"], &["1 series"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cockpit_in_a_terminal_writes_nothing_an_attacker_chose() {
    let (urls, _am, _stubs) = hostile::backends("jaeger").await;
    let home = pty::temp_home("hostile");
    std::fs::create_dir_all(home.join("config/ondeck")).unwrap();
    std::fs::write(
        home.join("config/ondeck/config.toml"),
        hostile::config_text(&urls),
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ondeck"));
    command.env(hostile::TOKEN_ENV, "hostile-test-token");
    let mut session = Session::start_with(&home, command);
    for (cols, rows) in [(80, 24), (160, 48)] {
        session.resize(cols, rows);
        walk(&mut session);
    }
    // A clean trace id is copied; the escape carrying it holds nothing else.
    session.keys("3");
    session.keys("y");
    session.shows("copied trace id");
    session.keys("q");
    let status = session.exit_status();
    assert!(status.success(), "{status:?}");
    let copied = hostile::assert_terminal_output_own(&session.output, "the cockpit");
    assert_eq!(copied.len(), 1, "{copied:?}");
    assert!(
        copied[0].bytes().all(|b| b.is_ascii_hexdigit()),
        "{copied:?}"
    );
}
