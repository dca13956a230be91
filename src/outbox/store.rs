//! `outbox.jsonl`: an append-only log of what is owed and what became of it, one JSON object
//! per line. Every ondeck process of one user shares it (two cockpits in two tmux windows,
//! `ondeck ack` from a script), so every change happens under an exclusive lock on
//! `outbox.lock` beside it: an append is one write of whole lines, fsynced before the lock
//! is released, and compaction (rewrite by rename) runs under the same lock, so it can never
//! drop a line another process appended. A lock file rather than the log itself, because
//! compaction replaces the log's inode.
//!
//! Records: `queued` (the write, as the responder confirmed it), `attempt` (an attempt is on
//! its way: if ondeck dies now, the outcome is in doubt), `retry` (it failed transiently; when
//! the next one starts) and `done` (delivered, or settled for good, with the outcome).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Makes ids unique within a process, however many stores it opens.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::entry::{OutboxEntry, Target, WriteKind};

/// Settled records younger than this survive compaction, so a process that reads the log a
/// little later (another cockpit, one that was suspended) still learns how its write ended.
const KEEP_SETTLED: chrono::Duration = chrono::Duration::minutes(30);

/// Compact once the log has this many lines: it stays small however long a backend is down.
const COMPACT_AFTER_LINES: usize = 256;

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Record {
    /// A write the responder confirmed.
    Queued(OutboxEntry),
    /// Attempt `n` of write `id` starts now, made by process `pid`.
    Attempt {
        /// The write.
        id: String,
        /// When.
        time: DateTime<Utc>,
        /// 1 for the first attempt.
        n: u32,
        /// The delivering process.
        pid: u32,
    },
    /// Attempt `n` failed transiently; the next starts at `retry_at`.
    Retry {
        /// The write.
        id: String,
        /// When it failed.
        time: DateTime<Utc>,
        /// Which attempt failed.
        n: u32,
        /// Why.
        error: String,
        /// When the next attempt starts.
        retry_at: DateTime<Utc>,
    },
    /// Settled: delivered (`ok`) or refused for good, in words.
    Done {
        /// The write.
        id: String,
        /// When.
        time: DateTime<Utc>,
        /// `delivered`, `refused: …`, `dropped by …`.
        outcome: String,
        /// Whether the backend took it (older logs wrote only `outcome: "ok"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ok: Option<bool>,
    },
}

impl Record {
    fn id(&self) -> &str {
        match self {
            Record::Queued(entry) => &entry.id,
            Record::Attempt { id, .. } | Record::Retry { id, .. } | Record::Done { id, .. } => id,
        }
    }
}

/// The last transient failure of a write still owed.
#[derive(Debug, Clone, PartialEq)]
pub struct LastFailure {
    /// Why.
    pub error: String,
    /// When the next attempt starts.
    pub retry_at: DateTime<Utc>,
}

/// A write still owed, with what the log says of its attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct Owed {
    /// The write.
    pub entry: OutboxEntry,
    /// Attempts started so far.
    pub attempts: u32,
    /// An attempt started and nothing was recorded after it: on its way now, or its
    /// process died and whether the backend took it is unknown.
    pub in_flight: bool,
    /// The last transient failure, if the last attempt failed.
    pub failure: Option<LastFailure>,
}

/// A write settled for good.
#[derive(Debug, Clone, PartialEq)]
pub struct SettledWrite {
    /// The write (present while its `queued` line is still in the log).
    pub entry: Option<OutboxEntry>,
    /// Its id.
    pub id: String,
    /// When it settled.
    pub time: DateTime<Utc>,
    /// Whether the backend took it.
    pub ok: bool,
    /// The outcome in words.
    pub outcome: String,
}

/// What the log says, oldest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ledger {
    /// Writes still owed, in queue order.
    pub owed: Vec<Owed>,
    /// Writes settled, in the order they settled.
    pub settled: Vec<SettledWrite>,
    /// Unreadable lines, with their line numbers.
    pub warnings: Vec<String>,
    /// Lines in the file.
    pub lines: usize,
}

impl Ledger {
    /// The write with this id, if still owed.
    pub fn owed(&self, id: &str) -> Option<&Owed> {
        self.owed.iter().find(|o| o.entry.id == id)
    }

    /// The outcome of this write, if settled.
    pub fn settled(&self, id: &str) -> Option<&SettledWrite> {
        self.settled.iter().rev().find(|s| s.id == id)
    }
}

/// `outbox.jsonl` under `state_dir`.
pub fn outbox_path(state_dir: &Path) -> PathBuf {
    state_dir.join("outbox.jsonl")
}

/// The outbox file, shared with every other ondeck process of this user.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    lock_path: PathBuf,
}

impl Store {
    /// Opens the outbox at `path` (creating its directory) and compacts it.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let store = Self {
            path: path.to_path_buf(),
            lock_path: path.with_extension("lock"),
        };
        store.with_lock(|file_len| {
            if file_len > 0 {
                store.compact(Utc::now())?;
            }
            Ok(())
        })?;
        Ok(store)
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory the log lives in (lane locks live beside it).
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// A new entry with an id no other process or run can produce (not yet written).
    pub fn entry(&self, draft: Draft, now: DateTime<Utc>) -> OutboxEntry {
        let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        OutboxEntry {
            id: format!("{}-{}-{n}", now.timestamp_millis(), std::process::id()),
            queued_at: now,
            user: draft.user,
            source: draft.source,
            incident: draft.incident,
            kind: draft.kind,
            note: draft.note,
            target: draft.target,
            labels: draft.labels,
        }
    }

    /// Appends the records and fsyncs them; returns once they are on disk.
    pub fn append(&self, records: &[Record]) -> std::io::Result<()> {
        let mut text = Vec::new();
        for record in records {
            // One line someone may `cat`: hostile characters in notes escaped as JSON.
            let line = crate::inert::json::to_string(record).map_err(std::io::Error::other)?;
            text.extend_from_slice(line.as_bytes());
            text.push(b'\n');
        }
        self.with_lock(|_| {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .read(true)
                .append(true)
                .open(&self.path)?;
            // A process killed mid-write leaves a line without its newline; start on a
            // fresh line so that fragment cannot swallow this record.
            let len = file.metadata()?.len();
            if len > 0 {
                let mut last = [0u8; 1];
                file.seek(SeekFrom::Start(len - 1))?;
                file.read_exact(&mut last)?;
                if last[0] != b'\n' {
                    text.insert(0, b'\n');
                }
            }
            file.write_all(&text)?;
            file.sync_data()?;
            drop(file);
            self.compact_if_worth_it(Utc::now())
        })
    }

    /// Reads the whole log.
    pub fn read(&self) -> std::io::Result<Ledger> {
        self.with_lock(|_| Ok(replay(&self.read_text()?, &self.path)))
    }

    fn read_text(&self) -> std::io::Result<String> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(e),
        }
    }

    /// Runs `work` holding the exclusive lock on `outbox.lock`; `work` gets the log's size.
    fn with_lock<T>(&self, work: impl FnOnce(u64) -> std::io::Result<T>) -> std::io::Result<T> {
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)?;
        lock.lock()?;
        let len = std::fs::metadata(&self.path).map_or(0, |m| m.len());
        let result = work(len);
        // Closing the file releases the lock too; unlocking first says so.
        let _ = lock.unlock();
        result
    }

    /// Compacts once the log is long and much of it is history (a long outage's retries, old
    /// outcomes); a log that is long because much is owed is left alone. Caller holds the lock.
    fn compact_if_worth_it(&self, now: DateTime<Utc>) -> std::io::Result<()> {
        let text = self.read_text()?;
        let lines = text.lines().count();
        if lines < COMPACT_AFTER_LINES {
            return Ok(());
        }
        let ledger = replay(&text, &self.path);
        let attempted = ledger.owed.iter().filter(|o| o.attempts > 0).count();
        let recent = ledger
            .settled
            .iter()
            .filter(|s| now - s.time < KEEP_SETTLED)
            .count();
        let kept = ledger.owed.len() + attempted + recent;
        // Worth a rewrite when it drops at least a quarter of the lines.
        if kept * 4 < lines * 3 {
            self.compact(now)?;
        }
        Ok(())
    }

    /// Rewrites the log with only what is still owed (and recent outcomes). Caller holds
    /// the lock.
    fn compact(&self, now: DateTime<Utc>) -> std::io::Result<()> {
        let text = self.read_text()?;
        let mut keep: Vec<Record> = Vec::new();
        let ledger = replay(&text, &self.path);
        for owed in &ledger.owed {
            keep.push(Record::Queued(owed.entry.clone()));
            if owed.attempts > 0 {
                // The last attempt's story: counts continue and an unfinished attempt stays
                // in doubt.
                let id = owed.entry.id.clone();
                match (&owed.failure, owed.in_flight) {
                    (_, true) => keep.push(Record::Attempt {
                        id,
                        time: now,
                        n: owed.attempts,
                        pid: 0,
                    }),
                    (Some(failure), false) => keep.push(Record::Retry {
                        id,
                        time: now,
                        n: owed.attempts,
                        error: failure.error.clone(),
                        retry_at: failure.retry_at,
                    }),
                    (None, false) => {}
                }
            }
        }
        for settled in ledger
            .settled
            .iter()
            .filter(|s| now - s.time < KEEP_SETTLED)
        {
            keep.push(Record::Done {
                id: settled.id.clone(),
                time: settled.time,
                outcome: settled.outcome.clone(),
                ok: Some(settled.ok),
            });
        }
        let mut out = Vec::new();
        for record in &keep {
            let line = crate::inert::json::to_string(record).map_err(std::io::Error::other)?;
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        let temporary = self.path.with_extension("jsonl.tmp");
        let mut file = File::create(&temporary)?;
        file.write_all(&out)?;
        file.sync_all()?;
        std::fs::rename(&temporary, &self.path)?;
        if let Ok(dir) = File::open(self.dir()) {
            // The rename is durable only once the directory is synced.
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// What a new entry says, before it has an id.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// Who asks.
    pub user: String,
    /// Source name.
    pub source: String,
    /// Incident id within the source.
    pub incident: String,
    /// What to do.
    pub kind: WriteKind,
    /// The responder's note.
    pub note: Option<String>,
    /// The backend it is for.
    pub target: Option<Target>,
    /// What the backend needs to act on the incident later, when it may not list it.
    pub labels: BTreeMap<String, String>,
}

/// The log's story per write: owed in queue order, settled in settle order, plus a warning
/// per unreadable line. A `done` for an id never queued (its `queued` line compacted away,
/// or written by a newer ondeck) still counts as settled.
pub fn replay(text: &str, path: &Path) -> Ledger {
    let mut owed: BTreeMap<usize, Owed> = BTreeMap::new();
    let mut position: BTreeMap<String, usize> = BTreeMap::new();
    let mut settled_ids: std::collections::BTreeSet<String> = Default::default();
    let mut ledger = Ledger::default();
    for (index, line) in text.lines().enumerate() {
        ledger.lines += 1;
        if line.trim().is_empty() {
            continue;
        }
        let record = match serde_json::from_str::<Record>(line) {
            Ok(record) => record,
            // A line cut short by a crash mid-write is the usual cause.
            Err(e) => {
                let at = format!("{}:{}", path.display(), index + 1);
                ledger.warnings.push(format!("{at}: skipped: {e}"));
                continue;
            }
        };
        if settled_ids.contains(record.id()) {
            continue;
        }
        let slot = position.get(record.id()).copied();
        match record {
            Record::Queued(entry) => {
                if slot.is_none() {
                    position.insert(entry.id.clone(), index);
                    owed.insert(
                        index,
                        Owed {
                            entry,
                            attempts: 0,
                            in_flight: false,
                            failure: None,
                        },
                    );
                }
            }
            Record::Attempt { n, .. } => {
                if let Some(o) = slot.and_then(|at| owed.get_mut(&at)) {
                    o.attempts = o.attempts.max(n);
                    o.in_flight = true;
                    // Superseded by the attempt now on its way.
                    o.failure = None;
                }
            }
            Record::Retry {
                n, error, retry_at, ..
            } => {
                if let Some(o) = slot.and_then(|at| owed.get_mut(&at)) {
                    o.attempts = o.attempts.max(n);
                    o.in_flight = false;
                    o.failure = Some(LastFailure { error, retry_at });
                }
            }
            Record::Done {
                id,
                time,
                outcome,
                ok,
            } => {
                let entry = slot.and_then(|at| owed.remove(&at)).map(|o| o.entry);
                settled_ids.insert(id.clone());
                ledger.settled.push(SettledWrite {
                    entry,
                    ok: ok.unwrap_or(outcome == "ok"),
                    id,
                    time,
                    outcome,
                });
            }
        }
    }
    ledger.owed = owed.into_values().collect();
    ledger
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
    }

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ondeck-outbox-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        outbox_path(&dir)
    }

    fn draft(incident: &str, kind: WriteKind) -> Draft {
        Draft {
            user: "sam".into(),
            source: "pd".into(),
            incident: incident.into(),
            kind,
            note: Some("on it".into()),
            target: None,
            labels: BTreeMap::new(),
        }
    }

    fn done(id: &str) -> Record {
        Record::Done {
            id: id.into(),
            time: Utc::now(),
            outcome: "delivered".into(),
            ok: Some(true),
        }
    }

    #[test]
    fn queued_entries_survive_a_reopen_until_marked_done() {
        let path = temp("reopen");
        let store = Store::open(&path).unwrap();
        assert!(store.read().unwrap().owed.is_empty());
        let ack = store.entry(draft("P1", WriteKind::Acknowledge), now());
        let resolve = store.entry(draft("P2", WriteKind::Resolve), now());
        assert_ne!(ack.id, resolve.id);
        store.append(&[Record::Queued(ack.clone())]).unwrap();
        store.append(&[Record::Queued(resolve.clone())]).unwrap();
        store.append(&[done(&resolve.id)]).unwrap();
        drop(store);

        let store = Store::open(&path).unwrap();
        let ledger = store.read().unwrap();
        assert_eq!(ledger.owed.len(), 1);
        assert_eq!(ledger.owed[0].entry, ack);
        assert!(ledger.warnings.is_empty());
        assert!(ledger.settled(&resolve.id).is_some_and(|s| s.ok));
        store.append(&[done(&ack.id)]).unwrap();
        let store = Store::open(&path).unwrap();
        assert!(store.read().unwrap().owed.is_empty());
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn attempts_and_retries_survive_compaction() {
        let path = temp("compact");
        let store = Store::open(&path).unwrap();
        let ack = store.entry(draft("P1", WriteKind::Acknowledge), now());
        let mut records = vec![Record::Queued(ack.clone())];
        for n in 1..=3 {
            records.push(Record::Attempt {
                id: ack.id.clone(),
                time: now(),
                n,
                pid: 1,
            });
            records.push(Record::Retry {
                id: ack.id.clone(),
                time: now(),
                n,
                error: "unreachable".into(),
                retry_at: now(),
            });
        }
        records.push(Record::Attempt {
            id: ack.id.clone(),
            time: now(),
            n: 4,
            pid: 1,
        });
        store.append(&records).unwrap();
        let before = store.read().unwrap().owed;
        let store = Store::open(&path).unwrap();
        let after = store.read().unwrap();
        assert_eq!(after.owed, before);
        assert_eq!(after.owed[0].attempts, 4);
        assert!(
            after.owed[0].in_flight,
            "an unfinished attempt stays in doubt"
        );
        assert_eq!(after.lines, 2, "one queued line and the last attempt");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_line_cut_short_by_a_crash_is_skipped_and_cannot_swallow_the_next_record() {
        let path = temp("torn");
        let store = Store::open(&path).unwrap();
        let first = store.entry(draft("P1", WriteKind::Acknowledge), now());
        store.append(&[Record::Queued(first.clone())]).unwrap();
        // A process killed in the middle of its write.
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        file.write_all(br#"{"op":"queued","id":"2","queued_at":"2026-11-22T03:"#)
            .unwrap();
        drop(file);
        let second = store.entry(draft("P3", WriteKind::Resolve), now());
        store.append(&[Record::Queued(second.clone())]).unwrap();
        let ledger = store.read().unwrap();
        let owed: Vec<&str> = ledger
            .owed
            .iter()
            .map(|o| o.entry.incident.as_str())
            .collect();
        assert_eq!(owed, ["P1", "P3"]);
        assert_eq!(ledger.warnings.len(), 1);
        assert!(
            ledger.warnings[0].contains("outbox.jsonl:2: skipped"),
            "{:?}",
            ledger.warnings
        );
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_log_written_before_attempt_records_still_reads() {
        let text = concat!(
            r#"{"op":"queued","id":"1","queued_at":"2026-11-22T03:00:00Z","user":"sam","source":"pd","incident":"P1","kind":"acknowledge","note":null}"#,
            "\n",
            r#"{"op":"queued","id":"2","queued_at":"2026-11-22T03:00:00Z","user":"sam","source":"pd","incident":"P2","kind":"resolve","note":null}"#,
            "\n",
            r#"{"op":"done","id":"2","time":"2026-11-22T03:00:01Z","outcome":"ok"}"#,
            "\n",
        );
        let ledger = replay(text, Path::new("outbox.jsonl"));
        assert_eq!(ledger.owed.len(), 1);
        assert_eq!(ledger.owed[0].entry.incident, "P1");
        assert_eq!(ledger.owed[0].entry.target, None);
        assert!(ledger.settled("2").is_some_and(|s| s.ok));
    }

    #[test]
    fn compaction_keeps_every_line_appended_by_another_writer() {
        // Two stores on one file stand for two processes: appends from both, interleaved
        // with the compactions the settled history triggers, lose nothing.
        let path = temp("two-writers");
        let one = Store::open(&path).unwrap();
        let two = Store::open(&path).unwrap();
        let mut owed_ids = Vec::new();
        let mut written = 0;
        for i in 0..(COMPACT_AFTER_LINES * 2) {
            let store = if i % 2 == 0 { &one } else { &two };
            let entry = store.entry(draft(&format!("P{i}"), WriteKind::Note), now());
            store.append(&[Record::Queued(entry.clone())]).unwrap();
            written += 1;
            if i % 3 == 0 {
                owed_ids.push(entry.id);
            } else {
                store.append(&[done(&entry.id)]).unwrap();
                written += 1;
            }
        }
        let ledger = one.read().unwrap();
        let owed: Vec<String> = ledger.owed.into_iter().map(|o| o.entry.id).collect();
        assert_eq!(owed, owed_ids);
        assert!(
            ledger.lines < written,
            "settled writes' queued lines were compacted away: {} of {written} lines left",
            ledger.lines
        );
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
