//! Runs one step's command off the UI task: `sh -c <block>` in its own process group, in a
//! clean environment — the shell's basics, the incident as `ONDECK_*` variables, and only
//! what `runbook_env` names, so no token ondeck holds is within a step's reach — with stdout
//! and stderr streamed line by line, and a timeout or a cancel that kills the whole group
//! (SIGTERM, then SIGKILL after a grace).

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;
use tokio::sync::{mpsc, oneshot};

/// How long a group gets between SIGTERM and SIGKILL.
pub const KILL_GRACE: Duration = Duration::from_secs(2);

/// How long to wait for output still buffered in the pipes once the shell has exited.
const DRAIN: Duration = Duration::from_millis(500);

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecSpec {
    /// The code block, passed to `sh -c` verbatim.
    pub code: String,
    /// `sh` or `bash`.
    pub shell: String,
    /// The incident's `ONDECK_*` variables.
    pub env: Vec<(String, String)>,
    /// Names of further variables passed from ondeck's own environment (`runbook_env`).
    pub pass: Vec<String>,
    /// Kill the group after this long.
    pub timeout: Duration,
}

/// Which pipe a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum ExitStatus {
    /// The shell exited with this code.
    Code(i32),
    /// Killed by a signal (number) not sent by ondeck.
    Signal(i32),
    /// ondeck killed the group after the timeout.
    TimedOut,
    /// The responder cancelled it (Ctrl-C).
    Cancelled,
    /// The shell could not be started.
    SpawnFailed(String),
}

impl ExitStatus {
    /// True only for exit code 0.
    pub fn success(&self) -> bool {
        *self == ExitStatus::Code(0)
    }

    /// How the end reads in the output view and the audit log.
    pub fn describe(&self) -> String {
        match self {
            ExitStatus::Code(code) => format!("exit {code}"),
            ExitStatus::Signal(sig) => format!("killed by signal {sig}"),
            ExitStatus::TimedOut => "timed out, process group killed".into(),
            ExitStatus::Cancelled => "cancelled, process group killed".into(),
            ExitStatus::SpawnFailed(e) => format!("could not start: {e}"),
        }
    }
}

/// The end of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// How it ended.
    pub status: ExitStatus,
    /// Wall time from spawn to end.
    pub duration: Duration,
}

/// Runs `spec`, sending each output line to `lines` as it arrives. Resolves when the shell
/// has ended and its group is gone; `cancel` firing kills the group early.
pub async fn run(
    spec: &ExecSpec,
    lines: mpsc::Sender<(Stream, String)>,
    cancel: oneshot::Receiver<()>,
) -> Finished {
    let started = Instant::now();
    let mut command = Command::new(&spec.shell);
    command
        .arg("-c")
        .arg(&spec.code)
        .env_clear()
        .envs(inherited(&spec.pass, std::env::vars_os()))
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return Finished {
                status: ExitStatus::SpawnFailed(e.to_string()),
                duration: started.elapsed(),
            };
        }
    };
    let pgid = child.id().and_then(|id| i32::try_from(id).ok());
    let mut guard = GroupGuard(pgid);
    let readers = [
        child
            .stdout
            .take()
            .map(|out| tokio::spawn(pump(out, Stream::Stdout, lines.clone()))),
        child
            .stderr
            .take()
            .map(|err| tokio::spawn(pump(err, Stream::Stderr, lines.clone()))),
    ];
    drop(lines);
    let status = tokio::select! {
        waited = child.wait() => match waited {
            Ok(s) => exit_status(s),
            Err(e) => ExitStatus::SpawnFailed(e.to_string()),
        },
        () = tokio::time::sleep(spec.timeout) => ExitStatus::TimedOut,
        Ok(()) = cancel => ExitStatus::Cancelled,
    };
    if let Some(pgid) = pgid {
        // Also reaps background jobs a finished step left behind holding the pipes.
        terminate_group(pgid, &mut child).await;
    }
    guard.disarm();
    for reader in readers.into_iter().flatten() {
        let _ = tokio::time::timeout(DRAIN, reader).await;
    }
    Finished {
        status,
        duration: started.elapsed(),
    }
}

/// Variables every shell needs and that carry no secret.
const BASICS: [&str; 7] = [
    "PATH",
    "HOME",
    "USER",
    "LANG",
    "TERM",
    "TZ",
    "SSH_AUTH_SOCK",
];

/// The variables of `environment` a step gets: [`BASICS`], `LC_*`, and those named in
/// `pass`. Nothing else — `ONDECK_*` included, since a token may live in one — leaves.
pub fn inherited(
    pass: &[String],
    environment: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    environment
        .filter(|(name, _)| {
            let name = name.to_string_lossy();
            BASICS.contains(&name.as_ref())
                || name.starts_with("LC_")
                || pass.iter().any(|p| *p == name)
        })
        .collect()
}

fn exit_status(status: std::process::ExitStatus) -> ExitStatus {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => ExitStatus::Code(code),
        (None, Some(sig)) => ExitStatus::Signal(sig),
        (None, None) => ExitStatus::Code(-1),
    }
}

async fn pump(pipe: impl AsyncRead + Unpin, stream: Stream, lines: mpsc::Sender<(Stream, String)>) {
    let mut reader = BufReader::new(pipe).lines();
    while let Ok(Some(line)) = reader.next_line().await {
        if lines.send((stream, line)).await.is_err() {
            return;
        }
    }
}

/// Kills a step's whole process group if the step's task is dropped before it finished: the
/// responder quit, the runtime shut down, or a panic unwound. `kill_on_drop` alone would kill
/// only the shell and leave its children running.
struct GroupGuard(Option<i32>);

impl GroupGuard {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            signal_group(pgid, libc::SIGKILL);
        }
    }
}

/// True while any process of the group exists.
fn group_alive(pgid: i32) -> bool {
    // SAFETY: killpg with signal 0 only checks for existence; pgid is the group ondeck made.
    unsafe { libc::killpg(pgid, 0) == 0 }
}

fn signal_group(pgid: i32, signal: i32) {
    // SAFETY: the group was created for this step by process_group(0), so only its processes
    // receive the signal.
    unsafe {
        libc::killpg(pgid, signal);
    }
}

/// SIGTERM the group, wait up to [`KILL_GRACE`] for it to go, then SIGKILL what is left.
async fn terminate_group(pgid: i32, child: &mut tokio::process::Child) {
    if !group_alive(pgid) {
        return;
    }
    signal_group(pgid, libc::SIGTERM);
    let deadline = Instant::now() + KILL_GRACE;
    while Instant::now() < deadline {
        // Reap the shell so it does not linger as a zombie member of the group.
        let _ = child.try_wait();
        if !group_alive(pgid) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    signal_group(pgid, libc::SIGKILL);
    let _ = child.wait().await;
}
