//! The audit log: one JSON object per line in `audit.jsonl` in the state dir, appended and
//! fsynced, never rewritten. Every acknowledge, resolve and runbook step lands here.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One thing a responder did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When.
    pub time: DateTime<Utc>,
    /// Who (the config's `user`).
    pub user: String,
    /// Source of the incident.
    pub source: String,
    /// Incident id.
    pub incident: String,
    /// What: `acknowledge`, `resolve`, `step_done`, `step_skipped`, `step_executed`.
    pub action: String,
    /// Detail: the runbook and step, or the command run.
    pub note: Option<String>,
    /// How it went: `ok`, `exit 0`, `failed: …`.
    pub outcome: String,
}

impl AuditEntry {
    /// One readable line for `ondeck audit`.
    pub fn display_line(&self) -> String {
        let mut line = format!(
            "{}  {:<10} {:<14} {}/{}  {}",
            self.time.format("%Y-%m-%d %H:%M:%S"),
            self.user,
            self.action,
            self.source,
            self.incident,
            self.outcome
        );
        if let Some(note) = &self.note {
            line.push_str("  — ");
            line.push_str(note);
        }
        line
    }
}

/// `audit.jsonl` under `state_dir`.
pub fn audit_path(state_dir: &Path) -> PathBuf {
    state_dir.join("audit.jsonl")
}

/// Appends one entry as a JSON line and fsyncs it.
pub fn append(path: &Path, entry: &AuditEntry) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    // One write call per line, so concurrent appenders never interleave within a line.
    file.write_all(&line)?;
    file.sync_data()
}

/// Every entry in the log, oldest first. Lines that do not parse are returned as errors with
/// their line number, so a damaged log still shows everything readable.
pub fn read_all(path: &Path) -> std::io::Result<Vec<Result<AuditEntry, String>>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect())
}
