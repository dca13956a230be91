//! The audit log: one JSON object per line in `audit.jsonl` in the state dir, appended and
//! fsynced, never rewritten. Every acknowledge, resolve, note and runbook step lands here.
//!
//! The log shows tampering: each line carries its sequence number and the sha256 of the
//! line before it, and `audit.head` beside it records the last line's number and hash, so
//! `ondeck audit --verify` names the first line that was changed, removed or inserted
//! (including lines cut from the end). It is evidence against edits by hand, not against
//! someone who rewrites the whole chain: nothing here is secret. Appends take an exclusive
//! lock on `audit.lock`, so two ondeck processes never fork the chain.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::runbook::provenance::sha256_hex;

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
    /// What: `acknowledge`, `resolve`, `note`, `step_done`, `step_skipped`, `step_executed`.
    pub action: String,
    /// Detail: the runbook and step, or the command run.
    pub note: Option<String>,
    /// How it went: `ok`, `exit 0`, `failed: …`.
    pub outcome: String,
}

impl AuditEntry {
    /// One readable line for `ondeck audit` (outside text made inert).
    pub fn display_line(&self) -> String {
        let inert = crate::inert::line;
        let mut line = format!(
            "{}  {:<10} {:<14} {}/{}  {}",
            self.time.format("%Y-%m-%d %H:%M:%S"),
            inert(&self.user),
            inert(&self.action),
            inert(&self.source),
            inert(&self.incident),
            inert(&self.outcome)
        );
        if let Some(note) = &self.note {
            line.push_str("  — ");
            line.push_str(&inert(note));
        }
        line
    }
}

/// A line as written: the entry, its place in the chain, and the hash of the line before.
#[derive(Debug, Serialize, Deserialize)]
struct Chained {
    #[serde(flatten)]
    entry: AuditEntry,
    /// 1 for the first chained line.
    seq: u64,
    /// sha256 of the previous line's bytes (without its newline); empty for the first line.
    prev: String,
}

/// The last line's number and hash, kept beside the log.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Head {
    seq: u64,
    hash: String,
}

/// `audit.jsonl` under `state_dir`.
pub fn audit_path(state_dir: &Path) -> PathBuf {
    state_dir.join("audit.jsonl")
}

fn head_path(log: &Path) -> PathBuf {
    log.with_extension("head")
}

/// The last non-empty line of `text`.
fn last_line(text: &str) -> Option<&str> {
    text.lines().rev().find(|l| !l.trim().is_empty())
}

/// Appends one entry as a JSON line, chained to the line before, and fsyncs it. Every secret
/// ondeck holds is masked in it first.
pub fn append(path: &Path, entry: &AuditEntry) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path.with_extension("lock"))?;
    lock.lock()?;
    let mask = |text: &str| crate::secrets::mask(text).into_owned();
    let entry = AuditEntry {
        note: entry.note.as_deref().map(mask),
        outcome: mask(&entry.outcome),
        ..entry.clone()
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let (seq, prev) = match last_line(&text) {
        None => (1, String::new()),
        Some(last) => {
            let seq = serde_json::from_str::<Chained>(last).map_or(1, |c| c.seq + 1);
            (seq, sha256_hex(last.as_bytes()))
        }
    };
    let line = crate::inert::json::to_string(&Chained { entry, seq, prev })
        .map_err(std::io::Error::other)?;
    let mut out = Vec::with_capacity(line.len() + 2);
    if !text.is_empty() && !text.ends_with('\n') {
        // A line cut short by a crash: start afresh so it cannot swallow this one.
        out.push(b'\n');
    }
    out.extend_from_slice(line.as_bytes());
    out.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(&out)?;
    file.sync_data()?;
    let head = Head {
        seq,
        hash: sha256_hex(line.as_bytes()),
    };
    let head_file = head_path(path);
    let temporary = head_file.with_extension("head.tmp");
    std::fs::write(
        &temporary,
        serde_json::to_vec(&head).map_err(std::io::Error::other)?,
    )?;
    std::fs::rename(&temporary, &head_file)?;
    let _ = lock.unlock();
    Ok(())
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

/// What `ondeck audit --verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every chained line follows the one before, and the last matches the head record.
    Intact {
        /// Lines checked.
        lines: usize,
        /// Lines written before the log was chained, which cannot be checked.
        unchained: usize,
    },
    /// The first place the chain breaks: the 1-based line and what happened there.
    Broken {
        /// The line.
        line: usize,
        /// Changed, removed or inserted, in words.
        what: String,
    },
}

/// Walks the chain of the log at `path`.
pub fn verify(path: &Path) -> std::io::Result<Verdict> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let head: Option<Head> = std::fs::read(head_path(path))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
        .collect();
    let broken = |line: usize, what: String| Ok(Verdict::Broken { line, what });
    let mut unchained = 0;
    let mut previous: Option<(usize, &str, u64)> = None;
    for &(number, line) in &lines {
        let Ok(chained) = serde_json::from_str::<Chained>(line) else {
            if previous.is_some_and(|(_, _, seq)| seq > 0)
                || serde_json::from_str::<AuditEntry>(line).is_err()
            {
                return broken(number, "changed: not a chained audit record".into());
            }
            unchained += 1;
            previous = Some((number, line, 0));
            continue;
        };
        let expected_seq = previous.map_or(1, |(_, _, seq)| seq + 1);
        let expected_prev =
            previous.map_or_else(String::new, |(_, text, _)| sha256_hex(text.as_bytes()));
        if chained.seq > expected_seq {
            return broken(
                number,
                format!(
                    "removed: {} line(s) before it are missing (seq {} follows seq {})",
                    chained.seq - expected_seq,
                    chained.seq,
                    expected_seq - 1
                ),
            );
        }
        if chained.seq < expected_seq {
            return broken(
                number,
                format!(
                    "inserted: seq {} does not follow seq {}",
                    chained.seq,
                    expected_seq - 1
                ),
            );
        }
        if chained.prev != expected_prev {
            let before = previous.map_or(number, |(n, _, _)| n);
            return broken(
                before,
                "changed: the next line recorded a different hash for it".into(),
            );
        }
        previous = Some((number, line, chained.seq));
    }
    if let Some((number, line, seq)) = previous.filter(|(_, _, seq)| *seq > 0) {
        match &head {
            Some(head) if head.seq > seq => {
                return broken(
                    number,
                    format!(
                        "removed: {} line(s) after it are missing (the log ended at seq {})",
                        head.seq - seq,
                        head.seq
                    ),
                );
            }
            Some(head) if head.seq < seq => {
                return broken(
                    number,
                    "inserted: the log was last written at an earlier line".into(),
                );
            }
            Some(head) if head.hash != sha256_hex(line.as_bytes()) => {
                return broken(number, "changed: it differs from what was written".into());
            }
            Some(_) => {}
            None => return broken(number, "the head record (audit.head) is missing".into()),
        }
    } else if head.is_some_and(|h| h.seq > 0) {
        return broken(1, "removed: the log is empty but was written before".into());
    }
    Ok(Verdict::Intact {
        lines: lines.len(),
        unchained,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u32) -> AuditEntry {
        AuditEntry {
            time: DateTime::UNIX_EPOCH,
            user: "sam".into(),
            source: "pd".into(),
            incident: format!("P{n}"),
            action: "acknowledge".into(),
            note: None,
            outcome: "ok".into(),
        }
    }

    fn log(name: &str, n: u32) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ondeck-audit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = audit_path(&dir);
        for i in 1..=n {
            append(&path, &entry(i)).unwrap();
        }
        path
    }

    fn edit(path: &Path, change: impl FnOnce(&mut Vec<String>)) {
        let mut lines: Vec<String> = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        change(&mut lines);
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    fn verdict(path: &Path) -> Verdict {
        verify(path).unwrap()
    }

    #[test]
    fn an_untouched_log_verifies() {
        let path = log("intact", 5);
        assert_eq!(
            verdict(&path),
            Verdict::Intact {
                lines: 5,
                unchained: 0
            }
        );
        assert_eq!(read_all(&path).unwrap().len(), 5);
    }

    #[test]
    fn the_first_changed_removed_or_inserted_line_is_named() {
        let path = log("changed", 5);
        edit(&path, |l| {
            l[2] = l[2].replace("\"ok\"", "\"failed: nothing\"")
        });
        assert!(
            matches!(verdict(&path), Verdict::Broken { line: 3, ref what } if what.starts_with("changed")),
            "{:?}",
            verdict(&path)
        );

        let path = log("removed", 5);
        edit(&path, |l| {
            l.remove(1);
        });
        assert!(
            matches!(verdict(&path), Verdict::Broken { line: 2, ref what } if what.starts_with("removed")),
            "{:?}",
            verdict(&path)
        );

        let path = log("inserted", 5);
        edit(&path, |l| {
            let forged = l[1].replace("P2", "P7");
            l.insert(2, forged);
        });
        assert!(
            matches!(verdict(&path), Verdict::Broken { line: 3, ref what } if what.starts_with("inserted")),
            "{:?}",
            verdict(&path)
        );

        let path = log("truncated", 5);
        edit(&path, |l| {
            l.pop();
        });
        assert!(
            matches!(verdict(&path), Verdict::Broken { line: 4, ref what } if what.starts_with("removed")),
            "{:?}",
            verdict(&path)
        );

        let path = log("last", 5);
        edit(&path, |l| l[4] = l[4].replace("P5", "P9"));
        assert!(
            matches!(verdict(&path), Verdict::Broken { line: 5, ref what } if what.starts_with("changed")),
            "{:?}",
            verdict(&path)
        );
    }

    #[test]
    fn lines_from_before_the_chain_are_counted_and_the_chain_continues_from_them() {
        let dir = std::env::temp_dir().join(format!("ondeck-audit-legacy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = audit_path(&dir);
        let old = serde_json::to_string(&entry(0)).unwrap();
        std::fs::write(&path, format!("{old}\n")).unwrap();
        append(&path, &entry(1)).unwrap();
        append(&path, &entry(2)).unwrap();
        assert_eq!(
            verdict(&path),
            Verdict::Intact {
                lines: 3,
                unchained: 1
            }
        );
    }

    #[test]
    fn secrets_are_masked_in_the_log() {
        crate::secrets::remember("audit-secret-value-42");
        let path = log("masked", 0);
        let mut leaked = entry(1);
        leaked.note = Some("curl -H 'Authorization: Bearer audit-secret-value-42'".into());
        append(&path, &leaked).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("audit-secret-value-42"), "{text}");
        assert!(text.contains("Bearer ***"), "{text}");
    }
}
