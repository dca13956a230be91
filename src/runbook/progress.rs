//! Where a responder is in a runbook, per incident: each step's state, output and times.
//! Saved atomically (write a temp file, fsync, rename) in the state dir, so a dropped SSH
//! session or a restart resumes where they were.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::exec::{ExitStatus, Stream};

/// Output lines kept per step; older lines are dropped so memory stays bounded.
pub const MAX_OUTPUT_LINES: usize = 2_000;

/// Where a step stands. "Current" is where the cursor is, not a stored state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepState {
    /// Not done yet.
    Pending,
    /// Marked done, or its command exited 0.
    Done,
    /// Deliberately skipped.
    Skipped,
    /// Its command failed, timed out or was cancelled.
    Failed,
}

impl StepState {
    /// Lower-case name for the audit log and the step list.
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Done => "done",
            StepState::Skipped => "skipped",
            StepState::Failed => "failed",
        }
    }
}

/// One line a command printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputLine {
    /// stdout or stderr.
    pub stream: Stream,
    /// The text, without its newline.
    pub text: String,
}

/// One step's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Where it stands.
    pub state: StepState,
    /// The last [`MAX_OUTPUT_LINES`] lines of its last run.
    pub output: VecDeque<OutputLine>,
    /// Lines dropped from the front of `output`.
    pub dropped: usize,
    /// How its last run ended.
    pub exit: Option<ExitStatus>,
    /// How long its last run took, in milliseconds.
    pub duration_ms: Option<u64>,
    /// When its last run started.
    pub started_at: Option<DateTime<Utc>>,
    /// When its state last changed.
    pub changed_at: Option<DateTime<Utc>>,
}

impl StepRecord {
    fn new() -> Self {
        Self {
            state: StepState::Pending,
            output: VecDeque::new(),
            dropped: 0,
            exit: None,
            duration_ms: None,
            started_at: None,
            changed_at: None,
        }
    }

    /// Appends a line, dropping the oldest beyond the cap.
    pub fn push_line(&mut self, stream: Stream, text: String) {
        if self.output.len() >= MAX_OUTPUT_LINES {
            self.output.pop_front();
            self.dropped += 1;
        }
        self.output.push_back(OutputLine { stream, text });
    }
}

/// A responder's progress through one runbook for one incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Which runbook.
    pub runbook_id: String,
    /// Step under the cursor.
    pub current: usize,
    /// One record per step.
    pub steps: Vec<StepRecord>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Progress {
    /// Fresh progress: every step pending, the cursor on the first.
    pub fn new(runbook_id: &str, steps: usize, now: DateTime<Utc>) -> Self {
        Self {
            runbook_id: runbook_id.to_string(),
            current: 0,
            steps: (0..steps).map(|_| StepRecord::new()).collect(),
            updated_at: now,
        }
    }

    /// Fits saved progress to the runbook as it is now (steps added or removed since).
    pub fn fit(mut self, steps: usize) -> Self {
        self.steps.resize_with(steps, StepRecord::new);
        self.current = self.current.min(steps.saturating_sub(1));
        self
    }
}

/// The progress file for an incident's runbook under `state_dir`.
pub fn path(state_dir: &Path, source: &str, incident: &str, runbook: &str) -> PathBuf {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    state_dir.join("runbooks").join(format!(
        "{}--{}--{}.json",
        safe(source),
        safe(incident),
        safe(runbook)
    ))
}

/// Writes `progress` to `path` atomically.
pub fn save(path: &Path, progress: &Progress) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(progress).map_err(std::io::Error::other)?;
    write_atomic(path, &bytes)
}

/// Reads saved progress; `Ok(None)` when there is none yet.
pub fn load(path: &Path) -> std::io::Result<Option<Progress>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(std::io::Error::other),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes a temp file next to `path`, fsyncs it, renames it over `path` and fsyncs the
/// directory, so a crash leaves either the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
