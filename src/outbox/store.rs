//! `outbox.jsonl`: an append-only log of `queued` and `done` records, one JSON object per
//! line, each appended with one write and fsynced. Opening the store replays the log, keeps
//! the entries without a `done`, and rewrites the file with only those (atomically, by
//! rename), so the file never grows past what is still owed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::IncidentAction;

/// What a queued write does to the incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WriteKind {
    /// Take the page.
    Acknowledge,
    /// Close it.
    Resolve,
    /// Give it back.
    Unacknowledge,
    /// Add a note to its timeline.
    Note,
}

impl WriteKind {
    /// The status change, for the three that are one.
    pub fn incident_action(self) -> Option<IncidentAction> {
        match self {
            WriteKind::Acknowledge => Some(IncidentAction::Acknowledge),
            WriteKind::Resolve => Some(IncidentAction::Resolve),
            WriteKind::Unacknowledge => Some(IncidentAction::Unacknowledge),
            WriteKind::Note => None,
        }
    }

    /// The verb, as the audit log and messages write it.
    pub fn verb(self) -> &'static str {
        match self.incident_action() {
            Some(action) => action.verb(),
            None => "note",
        }
    }
}

impl From<IncidentAction> for WriteKind {
    fn from(action: IncidentAction) -> Self {
        match action {
            IncidentAction::Acknowledge => WriteKind::Acknowledge,
            IncidentAction::Resolve => WriteKind::Resolve,
            IncidentAction::Unacknowledge => WriteKind::Unacknowledge,
        }
    }
}

/// One write owed to a backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Unique id of the write.
    pub id: String,
    /// When the responder asked for it.
    pub queued_at: DateTime<Utc>,
    /// Who asked.
    pub user: String,
    /// Source of the incident.
    pub source: String,
    /// Incident id within the source.
    pub incident: String,
    /// What to do.
    pub kind: WriteKind,
    /// The responder's note (the whole text for [`WriteKind::Note`]).
    pub note: Option<String>,
}

/// One line of the file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Record {
    Queued(OutboxEntry),
    Done {
        id: String,
        time: DateTime<Utc>,
        outcome: String,
    },
}

/// `outbox.jsonl` under `state_dir`.
pub fn outbox_path(state_dir: &Path) -> PathBuf {
    state_dir.join("outbox.jsonl")
}

/// The outbox file. Appends are serialized by a lock, so lanes of several sources can share it.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    lock: Mutex<()>,
    counter: AtomicU64,
}

impl Store {
    /// Opens (creating the directory) and compacts the outbox; returns the store and the
    /// entries still owed, oldest first. Unreadable lines are skipped and reported as
    /// warnings with their line number, never fatal: the rest of the outbox still goes out.
    pub fn open(path: &Path) -> std::io::Result<(Self, Vec<OutboxEntry>, Vec<String>)> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        let (pending, warnings) = replay(&text, path);
        let store = Self {
            path: path.to_path_buf(),
            lock: Mutex::new(()),
            counter: AtomicU64::new(0),
        };
        // Nothing written and nothing owed: leave no file (or directory) behind.
        if !text.is_empty() {
            store.rewrite(&pending)?;
        }
        Ok((store, pending, warnings))
    }

    /// A new entry with a fresh id (not yet written: [`Store::queue`] writes it).
    pub fn entry(
        &self,
        user: &str,
        source: &str,
        incident: &str,
        kind: WriteKind,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> OutboxEntry {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        OutboxEntry {
            id: format!("{}-{}-{n}", now.timestamp_millis(), std::process::id()),
            queued_at: now,
            user: user.to_string(),
            source: source.to_string(),
            incident: incident.to_string(),
            kind,
            note,
        }
    }

    /// Writes and fsyncs the entry. Returns only once it is on disk.
    pub fn queue(&self, entry: &OutboxEntry) -> std::io::Result<()> {
        self.append(&Record::Queued(entry.clone()))
    }

    /// Marks an entry settled (delivered, or refused for good) with the outcome in words.
    pub fn done(&self, id: &str, outcome: &str, now: DateTime<Utc>) -> std::io::Result<()> {
        self.append(&Record::Done {
            id: id.to_string(),
            time: now,
            outcome: outcome.to_string(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn append(&self, record: &Record) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(&line)?;
        file.sync_data()
    }

    /// Replaces the file with `pending` alone: written to a temporary file, fsynced, renamed.
    fn rewrite(&self, pending: &[OutboxEntry]) -> std::io::Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let temporary = self.path.with_extension("jsonl.tmp");
        let mut text = Vec::new();
        for entry in pending {
            serde_json::to_writer(&mut text, &Record::Queued(entry.clone()))
                .map_err(std::io::Error::other)?;
            text.push(b'\n');
        }
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&text)?;
        file.sync_all()?;
        std::fs::rename(&temporary, &self.path)?;
        if let Some(dir) = self.path.parent()
            && let Ok(dir) = std::fs::File::open(dir)
        {
            // The rename is durable only once the directory is synced.
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// Entries queued and not done, in queue order, plus a warning per unreadable line.
fn replay(text: &str, path: &Path) -> (Vec<OutboxEntry>, Vec<String>) {
    let mut queued: BTreeMap<usize, OutboxEntry> = BTreeMap::new();
    let mut position: BTreeMap<String, usize> = BTreeMap::new();
    let mut warnings = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Record>(line) {
            Ok(Record::Queued(entry)) => {
                if !position.contains_key(&entry.id) {
                    position.insert(entry.id.clone(), index);
                    queued.insert(index, entry);
                }
            }
            Ok(Record::Done { id, .. }) => {
                if let Some(at) = position.get(&id) {
                    queued.remove(at);
                }
            }
            // A line cut short by a crash mid-write is the usual cause.
            Err(e) => warnings.push(format!("{}:{}: skipped: {e}", path.display(), index + 1)),
        }
    }
    (queued.into_values().collect(), warnings)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
    }

    #[test]
    fn queued_entries_survive_a_reopen_until_marked_done() {
        let dir = std::env::temp_dir().join(format!("ondeck-outbox-{}", std::process::id()));
        let path = outbox_path(&dir);
        let _ = std::fs::remove_file(&path);
        let (store, pending, _) = Store::open(&path).unwrap();
        assert!(pending.is_empty());
        let ack = store.entry(
            "sam",
            "pd",
            "P1",
            WriteKind::Acknowledge,
            Some("on it".into()),
            now(),
        );
        let resolve = store.entry("sam", "pd", "P2", WriteKind::Resolve, None, now());
        store.queue(&ack).unwrap();
        store.queue(&resolve).unwrap();
        store.done(&resolve.id, "ok", now()).unwrap();
        drop(store);

        let (store, pending, warnings) = Store::open(&path).unwrap();
        assert_eq!(pending, vec![ack.clone()]);
        assert!(warnings.is_empty());
        // Compacted: only the owed entry is left in the file.
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 1);
        store.done(&ack.id, "ok", now()).unwrap();
        let (_, pending, _) = Store::open(&path).unwrap();
        assert!(pending.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_line_cut_short_by_a_crash_is_skipped_with_its_line_number() {
        let text = concat!(
            r#"{"op":"queued","id":"1","queued_at":"2026-11-22T03:00:00Z","user":"sam","source":"pd","incident":"P1","kind":"acknowledge","note":null}"#,
            "\n",
            r#"{"op":"queued","id":"2","queued_at":"2026-11-22T03:00:00Z","user":"sam","sou"#,
        );
        let (pending, warnings) = replay(text, Path::new("outbox.jsonl"));
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].incident, "P1");
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("outbox.jsonl:2: skipped"),
            "{}",
            warnings[0]
        );
    }
}
