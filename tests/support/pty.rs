//! The built cockpit in a real pseudo-terminal, as a responder's SSH session runs it: the
//! slave side of a new pseudo-terminal as its controlling terminal, keys written to the
//! master side, and what it draws read back through the test terminal emulator.
//!
//! A test file that includes this also includes `support/vt.rs` as `mod vt`.
// Each test file that includes this uses a part of it.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::vt::Vt;

/// Generous: a loaded 2-core CI machine runs the debug build.
pub const WAIT: Duration = Duration::from_secs(15);

pub fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-life-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn is_cooked(terminal: &OwnedFd) -> bool {
    // SAFETY: termios is plain data, filled by tcgetattr on an open descriptor.
    let mut modes: libc::termios = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::tcgetattr(terminal.as_raw_fd(), &mut modes) };
    assert_eq!(got, 0, "tcgetattr: {}", std::io::Error::last_os_error());
    modes.c_lflag & (libc::ICANON | libc::ECHO) == (libc::ICANON | libc::ECHO)
}

/// The cockpit on the demo, its terminal the slave side of a new 120x40 pseudo-terminal.
pub struct Session {
    /// `None` once the link dropped.
    pub master: Option<File>,
    /// Kept open so the terminal's modes can be read after the cockpit is gone.
    pub slave: OwnedFd,
    pub child: Child,
    pub output: Vec<u8>,
    pub home: PathBuf,
    /// Columns and rows.
    pub size: (u16, u16),
}

impl Drop for Session {
    fn drop(&mut self) {
        // A failed test must not leave a cockpit running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Session {
    pub fn master(&self) -> &File {
        self.master.as_ref().expect("the terminal is still open")
    }

    pub fn start(home: &Path) -> Self {
        Self::start_with(home, Command::new(env!("CARGO_BIN_EXE_ondeck")))
    }

    /// The cockpit as a job of a shell with job control, the way a login shell runs it: only
    /// then can Ctrl-Z stop it (the kernel does not stop an orphaned process group). After the
    /// job stops, the shell waits for a line on the terminal and then resumes it with `fg`.
    pub fn start_in_shell(home: &Path) -> Self {
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
    pub fn cockpit_pid(&self) -> u32 {
        let id = self.child.id();
        let children =
            std::fs::read_to_string(format!("/proc/{id}/task/{id}/children")).unwrap_or_default();
        children
            .split_whitespace()
            .next()
            .and_then(|pid| pid.parse().ok())
            .unwrap_or(id)
    }

    pub fn start_with(home: &Path, mut command: Command) -> Self {
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
    pub fn pump(&mut self, wait: Duration) -> Option<usize> {
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

    /// Reads what the cockpit writes until `done` holds for it; panics showing the screen
    /// after [`WAIT`] or when the terminal closes first.
    pub fn read_until(&mut self, what: &str, done: impl Fn(&[u8]) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !done(&self.output) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let mut screen = Vt::lenient(self.size.0, self.size.1);
                screen.feed(&self.output);
                panic!("no {what} within {WAIT:?}; the screen:\n{}", screen.text());
            }
            if self.pump(left).is_none() {
                let mut screen = Vt::lenient(self.size.0, self.size.1);
                screen.feed(&self.output);
                panic!(
                    "the terminal closed (the cockpit exited?) before {what}; the screen:\n{}",
                    screen.text()
                );
            }
        }
    }

    /// Waits, reading the output meanwhile, until `done` holds, or panics after [`WAIT`].
    pub fn wait_for(&mut self, what: &str, mut done: impl FnMut(&mut Self) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !done(self) {
            if Instant::now() >= deadline {
                panic!("no {what} within {WAIT:?}; the screen:\n{}", self.screen());
            }
            self.pump(Duration::from_millis(20));
        }
    }

    /// Waits for `text` on the screen: the diff leaves unchanged cells out of the output, so
    /// a word is only whole on the screen the output paints.
    pub fn shows(&mut self, text: &str) {
        let size = self.size;
        self.read_until(text, |out| {
            let mut screen = Vt::lenient(size.0, size.1);
            screen.feed(out);
            screen.text().contains(text)
        });
    }

    /// Waits for `text` in what was written after the first `mark` bytes.
    pub fn shows_since(&mut self, mark: usize, text: &str) {
        let needle = text.as_bytes().to_vec();
        self.read_until(text, |out| {
            out[mark.min(out.len())..]
                .windows(needle.len())
                .any(|w| w == needle)
        });
    }

    /// The text on screen now.
    pub fn screen(&self) -> String {
        let mut screen = Vt::lenient(self.size.0, self.size.1);
        screen.feed(&self.output);
        screen.text()
    }

    /// The process's state letter from /proc (`T`: stopped).
    pub fn state(&self) -> char {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.cockpit_pid()))
            .unwrap_or_default();
        // After "pid (comm) ": the comm may hold spaces, so look past its closing parenthesis.
        stat.rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next())
            .unwrap_or('?')
    }

    /// Resizes the terminal as a terminal emulator does; the kernel sends SIGWINCH.
    pub fn resize(&mut self, cols: u16, rows: u16) {
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

    pub fn keys(&mut self, keys: &str) {
        self.master().write_all(keys.as_bytes()).unwrap();
    }

    /// Waits for the cockpit to exit, reading its last output meanwhile.
    pub fn exit_status(&mut self) -> std::process::ExitStatus {
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
    pub fn assert_acknowledge_kept(&self, audit: bool) {
        let outbox = self.outbox();
        assert!(outbox.contains("acknowledge"), "outbox: {outbox}");
        if audit {
            let log = self.audit();
            assert!(log.contains("acknowledge"), "audit log: {log}");
        }
    }

    /// The terminal's line discipline flags: canonical input and echo mean cooked mode.
    pub fn cooked(&self) -> bool {
        is_cooked(&self.slave)
    }

    pub fn audit(&self) -> String {
        std::fs::read_to_string(self.home.join("state/ondeck/audit.jsonl")).unwrap_or_default()
    }

    pub fn outbox(&self) -> String {
        std::fs::read_to_string(self.home.join("state/ondeck/outbox.jsonl")).unwrap_or_default()
    }

    /// Opens the on-call pane and acknowledges the selected page, confirming the dialog.
    pub fn acknowledge(&mut self) {
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
