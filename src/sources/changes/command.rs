//! A command the user configures as a change source (`helm history … -o json | jq -c …`,
//! `kubectl rollout history`, a script): run with `sh -c` on the refresh interval, killed
//! with its whole process group after the source's timeout, in the same clean environment as
//! runbook steps (the shell's basics, the variables `env` names, and `ONDECK_SINCE` /
//! `ONDECK_UNTIL` as RFC 3339) — so no token ondeck holds reaches it.
//!
//! It prints one change per line as JSON, the shape `ondeck changes --format json` prints:
//! `time` (RFC 3339 or unix seconds), `service`, `kind` (deploy, rollback, config, flag,
//! scale), `summary`, and optionally `from`, `to`, `link`, `author`, `id`. A line that is not
//! such a change is skipped with a warning naming its line number; what it prints is outside
//! text and is shown inert.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::Deserialize;
use tokio::sync::{mpsc, oneshot};

use crate::config::SourceConfig;
use crate::model::{Change, ChangeKind, ChangeSnapshot};
use crate::runbook::exec::{ExecSpec, ExitStatus, Stream, run};
use crate::sources::SourceError;

/// Lines read from one run at most; more are drained and counted, not kept.
const MAX_LINES: usize = 10_000;
/// Lines of standard error kept to explain a failed run.
const STDERR_TAIL: usize = 3;
/// Problems listed one by one before the rest are only counted.
const MAX_WARNINGS: usize = 5;

/// A configured command.
#[derive(Clone)]
pub struct CommandChanges {
    name: String,
    command: String,
    env: Vec<String>,
    timeout: Duration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireLine {
    time: WireTime,
    service: String,
    kind: String,
    summary: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    id: Option<String>,
    /// Accepted so `ondeck changes --format json` output can be fed back; the change is
    /// this source's whatever it says.
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum WireTime {
    Text(String),
    Seconds(f64),
}

impl WireTime {
    fn instant(&self) -> Result<DateTime<Utc>, String> {
        match self {
            WireTime::Text(text) => DateTime::parse_from_rfc3339(text.trim())
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| format!("time `{text}` is not RFC 3339 (2026-11-21T03:12:00Z)")),
            WireTime::Seconds(s) if s.is_finite() && s.abs() < 1e12 => Utc
                .timestamp_millis_opt((s * 1000.0).round() as i64)
                .single()
                .ok_or_else(|| format!("time {s} is not unix seconds")),
            WireTime::Seconds(s) => Err(format!("time {s} is not unix seconds")),
        }
    }
}

/// One line of output as a change, or why it is not one.
pub fn parse_line(source: &str, number: usize, line: &str) -> Result<Change, String> {
    let wire: WireLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let at = wire.time.instant()?;
    let kind = ChangeKind::parse(wire.kind.trim()).ok_or_else(|| {
        format!(
            "kind `{}` is not deploy, rollback, config, flag or scale",
            wire.kind
        )
    })?;
    if wire.service.trim().is_empty() {
        return Err("service is empty".to_string());
    }
    Ok(Change {
        source: source.to_string(),
        id: wire
            .id
            .unwrap_or_else(|| format!("{number}:{}:{}", at.timestamp(), wire.service)),
        at,
        service: wire.service,
        kind,
        summary: wire.summary,
        from: wire.from,
        to: wire.to,
        link: wire.link,
        author: wire.author,
    })
}

impl CommandChanges {
    /// The command `source` configures.
    pub fn new(source: &SourceConfig) -> Self {
        Self {
            name: source.name.clone(),
            command: source.changes.command.clone().unwrap_or_default(),
            env: source.changes.env.clone(),
            timeout: source.timeout,
        }
    }

    /// Runs the command once for `[since, until]` and reads what it printed.
    pub async fn fetch(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<ChangeSnapshot, SourceError> {
        let spec = ExecSpec {
            code: self.command.clone(),
            shell: "sh".to_string(),
            env: vec![
                (
                    "ONDECK_SINCE".to_string(),
                    since.to_rfc3339_opts(SecondsFormat::Secs, true),
                ),
                (
                    "ONDECK_UNTIL".to_string(),
                    until.to_rfc3339_opts(SecondsFormat::Secs, true),
                ),
            ],
            pass: self.env.clone(),
            timeout: self.timeout,
        };
        let (tx, mut rx) = mpsc::channel::<(Stream, String)>(256);
        // Never cancelled: the timeout and a dropped poll (which kills the group) end it.
        let (_cancel, cancelled) = oneshot::channel();
        let collect = async {
            let (mut stdout, mut stderr, mut dropped) = (Vec::new(), Vec::new(), 0usize);
            while let Some((stream, line)) = rx.recv().await {
                match stream {
                    Stream::Stdout if stdout.len() < MAX_LINES => stdout.push(line),
                    Stream::Stdout => dropped += 1,
                    Stream::Stderr => {
                        stderr.push(line);
                        if stderr.len() > STDERR_TAIL {
                            stderr.remove(0);
                        }
                    }
                }
            }
            (stdout, stderr, dropped)
        };
        let (finished, (stdout, stderr, dropped)) =
            tokio::join!(run(&spec, tx, cancelled), collect);
        match finished.status {
            ExitStatus::Code(0) => {}
            ExitStatus::TimedOut => {
                return Err(SourceError::Timeout(self.timeout.as_millis() as u64));
            }
            other => {
                let tail = stderr.join(" / ");
                let why = if tail.trim().is_empty() {
                    other.describe()
                } else {
                    format!("{}: {tail}", other.describe())
                };
                return Err(SourceError::Unreachable(format!(
                    "the command failed, {why}"
                )));
            }
        }
        let mut snapshot = ChangeSnapshot::default();
        let mut problems = Vec::new();
        for (index, line) in stdout.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match parse_line(&self.name, index + 1, line) {
                Ok(change) if change.at >= since && change.at <= until => {
                    snapshot.changes.push(change);
                }
                Ok(_) => {}
                Err(why) => problems.push(format!("line {}: {why}", index + 1)),
            }
        }
        if !problems.is_empty() {
            let count = problems.len();
            let mut shown: Vec<String> = problems.into_iter().take(MAX_WARNINGS).collect();
            if count > MAX_WARNINGS {
                shown.push(format!("and {} more lines", count - MAX_WARNINGS));
            }
            snapshot.warnings.push(format!(
                "{count} output lines are not changes: {}",
                shown.join("; ")
            ));
        }
        if dropped > 0 {
            snapshot.warnings.push(format!(
                "the command printed {dropped} lines past the {MAX_LINES} ondeck reads"
            ));
        }
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_a_change_in_the_json_changes_prints_or_says_why_not() {
        let line = r#"{"time":"2026-11-21T03:05:00Z","service":"checkout","kind":"deploy","summary":"helm upgrade","from":"41","to":"42","author":"ci-bot"}"#;
        let change = parse_line("helm", 1, line).unwrap();
        assert_eq!(change.what(), "41 → 42");
        assert_eq!(
            change.at,
            Utc.with_ymd_and_hms(2026, 11, 21, 3, 5, 0).unwrap()
        );
        let seconds = r#"{"time":1795230300,"service":"a","kind":"scale","summary":"x"}"#;
        assert_eq!(
            parse_line("helm", 2, seconds).unwrap().at.timestamp(),
            1_795_230_300
        );
        let bad_kind = r#"{"time":1,"service":"a","kind":"release","summary":"x"}"#;
        assert!(
            parse_line("h", 3, bad_kind)
                .unwrap_err()
                .contains("release")
        );
        let bad_time = r#"{"time":"yesterday","service":"a","kind":"deploy","summary":"x"}"#;
        assert!(
            parse_line("h", 4, bad_time)
                .unwrap_err()
                .contains("RFC 3339")
        );
        assert!(parse_line("h", 5, "REVISION  UPDATED").is_err());
        let unknown = r#"{"time":1,"service":"a","kind":"deploy","summary":"x","colour":"red"}"#;
        assert!(parse_line("h", 6, unknown).unwrap_err().contains("colour"));
    }
}
