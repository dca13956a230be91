//! The built cockpit in a real pseudo-terminal, as a responder's SSH session runs it: it takes
//! the terminal, answers keys, and gives the terminal back — main screen, cursor shown, cooked
//! mode — when told to stop (SIGTERM), and exits cleanly when the terminal goes away (SIGHUP,
//! the SSH link dropped). An acknowledge sent just before is in the outbox and the audit log.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vt::Vt;

#[path = "support/vt.rs"]
mod vt;

/// Generous: a loaded 2-core CI machine runs the debug build.
const WAIT: Duration = Duration::from_secs(15);

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-life-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn is_cooked(terminal: &OwnedFd) -> bool {
    // SAFETY: termios is plain data, filled by tcgetattr on an open descriptor.
    let mut modes: libc::termios = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::tcgetattr(terminal.as_raw_fd(), &mut modes) };
    assert_eq!(got, 0, "tcgetattr: {}", std::io::Error::last_os_error());
    modes.c_lflag & (libc::ICANON | libc::ECHO) == (libc::ICANON | libc::ECHO)
}

/// The cockpit on the demo, its terminal the slave side of a new 120x40 pseudo-terminal.
struct Session {
    /// `None` once the link dropped.
    master: Option<File>,
    /// Kept open so the terminal's modes can be read after the cockpit is gone.
    slave: OwnedFd,
    child: Child,
    output: Vec<u8>,
    home: PathBuf,
    /// Columns and rows.
    size: (u16, u16),
}

impl Drop for Session {
    fn drop(&mut self) {
        // A failed test must not leave a cockpit running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Session {
    fn master(&self) -> &File {
        self.master.as_ref().expect("the terminal is still open")
    }

    fn start(home: &Path) -> Self {
        Self::start_with(home, Command::new(env!("CARGO_BIN_EXE_ondeck")))
    }

    /// The cockpit as a job of a shell with job control, the way a login shell runs it: only
    /// then can Ctrl-Z stop it (the kernel does not stop an orphaned process group). After the
    /// job stops, the shell waits for a line on the terminal and then resumes it with `fg`.
    fn start_in_shell(home: &Path) -> Self {
        let mut shell = Command::new("bash");
        shell
            .args([
                "--norc",
                "--noprofile",
                "-c",
                "set -m; \"$0\"; read -r _; fg",
            ])
            .arg(env!("CARGO_BIN_EXE_ondeck"));
        Self::start_with(home, shell)
    }

    /// The process running the cockpit: the child itself, or the shell's job.
    fn cockpit_pid(&self) -> u32 {
        let id = self.child.id();
        let children =
            std::fs::read_to_string(format!("/proc/{id}/task/{id}/children")).unwrap_or_default();
        children
            .split_whitespace()
            .next()
            .and_then(|pid| pid.parse().ok())
            .unwrap_or(id)
    }

    fn start_with(home: &Path, mut command: Command) -> Self {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 40,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two descriptors we then own.
        let opened = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
        // The cockpit must not inherit the master side: while any process holds it open,
        // closing ours would not hang the terminal up (sshd keeps it to itself too).
        // SAFETY: sets a flag on a descriptor just opened.
        unsafe { libc::fcntl(master, libc::F_SETFD, libc::FD_CLOEXEC) };
        // SAFETY: both descriptors were just opened and are owned here alone.
        let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        // Else the checks that the cockpit left it cooked would prove nothing.
        assert!(is_cooked(&slave), "a new terminal starts cooked");
        command
            .env_remove("ONDECK_CONFIG")
            .env_remove("NO_COLOR")
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave.try_clone().unwrap()));
        // SAFETY: only async-signal-safe calls between fork and exec: a new session whose
        // controlling terminal is the pseudo-terminal, as sshd gives a login shell.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("the ondeck binary starts");
        Self {
            master: Some(master),
            slave,
            child,
            output: Vec::new(),
            home: home.to_path_buf(),
            size: (120, 40),
        }
    }

    /// Waits up to `wait` for output and keeps what came: how many bytes, or `None` once the
    /// terminal is closed.
    fn pump(&mut self, wait: Duration) -> Option<usize> {
        let Some(master) = &self.master else {
            std::thread::sleep(wait);
            return None;
        };
        let mut poll = libc::pollfd {
            fd: master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut poll, 1, wait.as_millis() as i32) } > 0 {
            let mut buf = [0u8; 65536];
            return match (&*master).read(&mut buf) {
                Ok(0) | Err(_) => None,
                Ok(n) => {
                    self.output.extend_from_slice(&buf[..n]);
                    Some(n)
                }
            };
        }
        Some(0)
    }

    /// Reads what the cockpit writes until `done` holds for it, or panics after [`WAIT`]
    /// showing the screen.
    fn read_until(&mut self, what: &str, done: impl Fn(&[u8]) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !done(&self.output) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let mut screen = Vt::lenient(self.size.0, self.size.1);
                screen.feed(&self.output);
                panic!("no {what} within {WAIT:?}; the screen:\n{}", screen.text());
            }
            if self.pump(left).is_none() {
                return;
            }
        }
    }

    /// Waits, reading the output meanwhile, until `done` holds, or panics after [`WAIT`].
    fn wait_for(&mut self, what: &str, mut done: impl FnMut(&mut Self) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !done(self) {
            assert!(Instant::now() < deadline, "no {what} within {WAIT:?}");
            self.pump(Duration::from_millis(20));
        }
    }

    /// Waits for `text` on the screen: the diff leaves unchanged cells out of the output, so
    /// a word is only whole on the screen the output paints.
    fn shows(&mut self, text: &str) {
        let size = self.size;
        self.read_until(text, |out| {
            let mut screen = Vt::lenient(size.0, size.1);
            screen.feed(out);
            screen.text().contains(text)
        });
    }

    /// Waits for `text` in what was written after the first `mark` bytes.
    fn shows_since(&mut self, mark: usize, text: &str) {
        let needle = text.as_bytes().to_vec();
        self.read_until(text, |out| {
            out[mark.min(out.len())..]
                .windows(needle.len())
                .any(|w| w == needle)
        });
    }

    /// The process's state letter from /proc (`T`: stopped).
    fn state(&self) -> char {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.cockpit_pid()))
            .unwrap_or_default();
        // After "pid (comm) ": the comm may hold spaces, so look past its closing parenthesis.
        stat.rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next())
            .unwrap_or('?')
    }

    /// Resizes the terminal as a terminal emulator does; the kernel sends SIGWINCH.
    fn resize(&mut self, cols: u16, rows: u16) {
        self.size = (cols, rows);
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: sets the size of the terminal this test opened.
        let set = unsafe { libc::ioctl(self.master().as_raw_fd(), libc::TIOCSWINSZ, &size) };
        assert_eq!(set, 0, "TIOCSWINSZ: {}", std::io::Error::last_os_error());
    }

    fn keys(&mut self, keys: &str) {
        self.master().write_all(keys.as_bytes()).unwrap();
    }

    /// Waits for the cockpit to exit, reading its last output meanwhile.
    fn exit_status(&mut self) -> std::process::ExitStatus {
        let mut status = None;
        self.wait_for("exit", |session| {
            status = session.child.try_wait().unwrap();
            status.is_some()
        });
        // Whatever the cockpit wrote last, until the terminal has nothing more to read.
        while self.pump(Duration::ZERO).is_some_and(|read| read > 0) {}
        status.unwrap()
    }

    /// Panics unless the outbox holds the acknowledge (and the audit log too, with `audit`).
    fn assert_acknowledge_kept(&self, audit: bool) {
        let outbox = self.outbox();
        assert!(outbox.contains("acknowledge"), "outbox: {outbox}");
        if audit {
            let log = self.audit();
            assert!(log.contains("acknowledge"), "audit log: {log}");
        }
    }

    /// The terminal's line discipline flags: canonical input and echo mean cooked mode.
    fn cooked(&self) -> bool {
        is_cooked(&self.slave)
    }

    fn audit(&self) -> String {
        std::fs::read_to_string(self.home.join("state/ondeck/audit.jsonl")).unwrap_or_default()
    }

    fn outbox(&self) -> String {
        std::fs::read_to_string(self.home.join("state/ondeck/outbox.jsonl")).unwrap_or_default()
    }

    /// Opens the on-call pane and acknowledges the selected page, confirming the dialog.
    fn acknowledge(&mut self) {
        self.shows("SLOs");
        self.keys("2");
        // A triggered page on screen: the demo's incidents have arrived.
        self.shows("TRIG");
        self.keys("a");
        self.shows("Confirm");
        self.keys("y");
        self.wait_for("acknowledge in the audit log", |s| {
            s.audit().contains("acknowledge")
        });
    }
}

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
    session.shows("fold/unfold");
    session.keys("q");
    let status = session.exit_status();
    assert!(status.success(), "{status:?}");
    assert!(session.cooked());
}
