//! `y` inside a real tmux, at its default settings (`set-clipboard external`, passthrough
//! off), as responders on a bastion run it: the copied text reaches tmux's paste buffer, and
//! the status line says where it went rather than claiming a clipboard write tmux dropped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs (scripts/install-test-deps installs it)")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p"]).stdout).into_owned()
    }

    /// Waits until the pane shows `text`; panics with the pane after [`WAIT`].
    fn shows(&self, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "no {text:?} within {WAIT:?}; the pane:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-tmux-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start(home: &Path) -> Tmux {
    let tmux = Tmux {
        socket: home.join("tmux.sock"),
    };
    let cockpit = format!(
        "env HOME={h} XDG_CONFIG_HOME={h}/config XDG_STATE_HOME={h}/state {bin}",
        h = home.display(),
        bin = env!("CARGO_BIN_EXE_ondeck")
    );
    // -f /dev/null: tmux's own defaults, not this machine's ~/.tmux.conf.
    let started = tmux.run(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        &cockpit,
    ]);
    assert!(started.status.success(), "{started:?}");
    tmux
}

#[test]
fn y_inside_tmux_fills_its_paste_buffer_and_says_so() {
    let home = home("copy");
    let tmux = start(&home);
    // The first SLO row is selected once the demo's numbers are in.
    tmux.shows("SLOs (12)");
    // A key typed while the cockpit still sets up its terminal can be lost; copying twice
    // is harmless, so press again until the status line answers.
    let deadline = Instant::now() + WAIT;
    let screen = loop {
        tmux.run(&["send-keys", "y"]);
        let pressed = Instant::now();
        let answered = loop {
            let screen = tmux.screen();
            if screen.contains("tmux's paste buffer") || pressed.elapsed() > Duration::from_secs(3)
            {
                break screen;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        if answered.contains("tmux's paste buffer") {
            break answered;
        }
        assert!(
            Instant::now() < deadline,
            "y never answered; the pane:\n{answered}"
        );
    };
    let buffer = String::from_utf8(tmux.run(&["show-buffer"]).stdout).unwrap();
    assert!(!buffer.is_empty(), "nothing in tmux's buffer:\n{screen}");
    assert!(
        screen.contains(&format!("copied {buffer} into tmux's paste buffer")),
        "the status line names what is in the buffer ({buffer:?}):\n{screen}"
    );
    tmux.run(&["send-keys", "q"]);
}
