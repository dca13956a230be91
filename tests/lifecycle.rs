//! The built cockpit in a real pseudo-terminal, as a responder's SSH session runs it: it takes
//! the terminal, answers keys, and gives the terminal back — main screen, cursor shown, cooked
//! mode — when told to stop (SIGTERM), and exits cleanly when the terminal goes away (SIGHUP,
//! the SSH link dropped). An acknowledge sent just before is in the outbox and the audit log.

use pty::{Session, temp_home};

#[path = "support/pty.rs"]
mod pty;
#[path = "support/vt.rs"]
mod vt;

#[test]
fn sigterm_gives_the_terminal_back_with_the_acknowledge_kept() {
    let home = temp_home("term");
    let mut session = Session::start(&home);
    session.shows_since(0, "\x1b[?1049h");
    session.acknowledge();
    assert!(!session.cooked(), "the cockpit runs in raw mode");
    // SAFETY: signals the child this test started, by its PID.
    unsafe { libc::kill(session.child.id() as i32, libc::SIGTERM) };
    let status = session.exit_status();
    assert!(
        status.success(),
        "a requested stop is a clean exit: {status:?}"
    );
    let output = String::from_utf8_lossy(&session.output).into_owned();
    let left = output
        .rfind("\x1b[?1049l")
        .expect("the main screen is restored");
    let shown = output
        .rfind("\x1b[?25h")
        .expect("the cursor is shown again");
    assert!(
        shown > output.rfind("\x1b[?25l").unwrap_or(0),
        "nothing hides it after"
    );
    assert!(left > output.rfind("\x1b[?1049h").unwrap_or(0));
    assert!(session.cooked(), "cooked mode is back for the shell");
    session.assert_acknowledge_kept(true);
}

#[test]
fn a_dropped_link_ends_the_cockpit_cleanly_with_the_acknowledge_kept() {
    let home = temp_home("hup");
    let mut session = Session::start(&home);
    session.acknowledge();
    // The SSH link drops: sshd closes the master side, the kernel hangs up the terminal and
    // sends SIGHUP to the session's leader, and every write to the terminal now fails.
    session.master = None;
    let status = session.exit_status();
    assert!(status.success(), "SIGHUP is handled, not fatal: {status:?}");
    session.assert_acknowledge_kept(false);
}

#[test]
fn after_a_resize_and_ctrl_z_then_fg_the_cockpit_still_answers_keys() {
    let home = temp_home("tstp");
    let mut session = Session::start_in_shell(&home);
    session.shows("SLOs");

    session.resize(100, 30);
    session.keys("2");
    session.shows("Incidents");
    // Ctrl-Z: the main screen back for the shell, then the process stops.
    let mark = session.output.len();
    session.keys("\x1a");
    session.shows_since(mark, "\x1b[?1049l");
    session.wait_for("stop", |s| s.state() == 'T');
    // `fg`: the cockpit takes the terminal again, repaints, and keys work.
    let mark = session.output.len();
    session.keys("\n");
    session.shows_since(mark, "\x1b[?1049h");
    session.keys("3");
    // The debug pane's keys in the hint line.
    session.shows("longer range");
    session.keys("q");
    let status = session.exit_status();
    assert!(status.success(), "{status:?}");
    assert!(session.cooked());
}
