//! Log lines in one shape, whatever the log backend (Loki, Elasticsearch, the systemd
//! journal, the demo), and the question the cockpit asks of them.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// How severe a log line is, as its backend labelled it (or, failing that, as its text says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Emergency, alert, critical, fatal, panic.
    Critical,
    /// Error.
    Error,
    /// Warning.
    Warn,
    /// Notice and info.
    Info,
    /// Debug and trace.
    Debug,
    /// The backend gave no level and the text names none.
    Unknown,
}

impl LogLevel {
    /// Reads a level as backends write it: `error`, `ERR`, `Warning`, `fatal`, `crit`,
    /// `notice`, … (case-insensitive). `None` for words that name no level.
    pub fn parse(text: &str) -> Option<Self> {
        let word = text.trim().to_ascii_lowercase();
        let level = match word.as_str() {
            "emerg" | "emergency" | "alert" | "crit" | "critical" | "fatal" | "panic"
            | "dpanic" => LogLevel::Critical,
            "err" | "error" | "eror" | "severe" => LogLevel::Error,
            "warn" | "warning" | "wrn" => LogLevel::Warn,
            "info" | "information" | "informational" | "notice" | "inf" => LogLevel::Info,
            "debug" | "dbg" | "trace" | "trc" | "verbose" | "fine" | "finer" | "finest" => {
                LogLevel::Debug
            }
            _ => return None,
        };
        Some(level)
    }

    /// A syslog priority (the journal's `PRIORITY`): 0–2 critical, 3 error, 4 warning,
    /// 5–6 info, 7 debug.
    pub fn from_syslog(priority: u8) -> Self {
        match priority {
            0..=2 => LogLevel::Critical,
            3 => LogLevel::Error,
            4 => LogLevel::Warn,
            5 | 6 => LogLevel::Info,
            7 => LogLevel::Debug,
            _ => LogLevel::Unknown,
        }
    }

    /// Error, critical or warning: what the logs panel lists first.
    pub fn is_trouble(self) -> bool {
        matches!(self, LogLevel::Critical | LogLevel::Error | LogLevel::Warn)
    }

    /// A short upper-case tag for the panel and text output.
    pub fn tag(self) -> &'static str {
        match self {
            LogLevel::Critical => "CRIT",
            LogLevel::Error => "ERROR",
            LogLevel::Warn => "WARN",
            LogLevel::Info => "INFO",
            LogLevel::Debug => "DEBUG",
            LogLevel::Unknown => "-",
        }
    }
}

/// One log line as its backend returned it. The text is kept whole and as received; it is
/// outside text, made inert only where it is shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogLine {
    /// When the line was logged (nanosecond precision where the backend has it).
    pub at: DateTime<Utc>,
    /// Its level.
    pub level: LogLevel,
    /// The configured log source that returned it.
    pub source: String,
    /// The line itself.
    pub message: String,
    /// Stream labels (Loki), document fields (Elasticsearch) or journal fields, in name order
    /// (in JSON, an object).
    #[serde(serialize_with = "labels_as_object")]
    pub labels: Vec<(String, String)>,
    /// The trace the line belongs to, from the source's trace field or its trace regex.
    pub trace_id: Option<String>,
    /// What identifies the line within its source (journal cursor, document id, or the
    /// timestamp and stream for Loki): two answers that both hold it hold it once.
    pub key: String,
}

fn labels_as_object<S: serde::Serializer>(
    labels: &[(String, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(labels.len()))?;
    for (key, value) in labels {
        map.serialize_entry(key, value)?;
    }
    map.end()
}

/// What lines a query is after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum LogTarget {
    /// Every line of one service.
    Service(String),
    /// Lines that carry one trace id, whatever service logged them.
    Trace(String),
    /// Lines of one service that carry one trace id.
    ServiceTrace {
        /// The service.
        service: String,
        /// The trace id.
        trace_id: String,
    },
}

impl LogTarget {
    /// The service asked about, if the query names one.
    pub fn service(&self) -> Option<&str> {
        match self {
            LogTarget::Service(service) | LogTarget::ServiceTrace { service, .. } => Some(service),
            LogTarget::Trace(_) => None,
        }
    }

    /// The trace id asked about, if the query names one.
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            LogTarget::Trace(id) | LogTarget::ServiceTrace { trace_id: id, .. } => Some(id),
            LogTarget::Service(_) => None,
        }
    }

    /// In words, for titles and messages: `checkout`, `trace 4bf9…`, `checkout, trace 4bf9…`.
    pub fn describe(&self) -> String {
        match self {
            LogTarget::Service(service) => service.clone(),
            LogTarget::Trace(id) => format!("trace {id}"),
            LogTarget::ServiceTrace { service, trace_id } => format!("{service}, trace {trace_id}"),
        }
    }
}

/// A question for a log source: which lines, over which window, how many at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogQuery {
    /// Which lines.
    pub target: LogTarget,
    /// Window start (inclusive).
    pub since: DateTime<Utc>,
    /// Window end (inclusive).
    pub until: DateTime<Utc>,
    /// Only lines containing this text, ignoring case; sent to the backend where it can
    /// filter, and always checked again on the answer.
    pub grep: Option<String>,
    /// At most this many lines, the newest; the source's own `max_lines` caps it too.
    pub limit: usize,
    /// Only error, critical and warning lines.
    pub trouble_only: bool,
}

impl LogQuery {
    /// Whether `line` answers this query: inside the window, carrying the trace id asked
    /// about, containing the text asked for, of a level asked for. Sources check every line
    /// against it, so a backend that ignores part of a request cannot widen the answer.
    pub fn admits(&self, line: &LogLine) -> bool {
        let in_window = line.at >= self.since && line.at <= self.until;
        let trace = self
            .target
            .trace_id()
            .is_none_or(|id| line_carries_trace(line, id));
        let text = self
            .grep
            .as_deref()
            .is_none_or(|g| contains_ignoring_case(&line.message, g));
        let level = !self.trouble_only || line.level.is_trouble();
        in_window && trace && text && level
    }
}

/// Whether `line` carries trace `id`: as its trace field, or anywhere in its text or labels
/// (a backend may have matched it in a field ondeck does not read).
fn line_carries_trace(line: &LogLine, id: &str) -> bool {
    let same = |found: &str| found.eq_ignore_ascii_case(id);
    line.trace_id.as_deref().is_some_and(same)
        || contains_ignoring_case(&line.message, id)
        || line.labels.iter().any(|(_, v)| same(v))
}

/// Whether `text` contains `needle`, ignoring ASCII and Unicode case.
pub fn contains_ignoring_case(text: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if text.is_ascii() && needle.is_ascii() {
        let (text, needle) = (text.as_bytes(), needle.as_bytes());
        return text
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle));
    }
    text.to_lowercase().contains(&needle.to_lowercase())
}

/// What one log source answered.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LogBatch {
    /// The lines, newest first.
    pub lines: Vec<LogLine>,
    /// Why the answer is not every line of the window (a cap reached, a response cut), in
    /// words the panel and `ondeck logs` show. Empty when the answer is whole.
    pub warnings: Vec<String>,
    /// Why the answer is empty when ondeck can tell (Loki has no such label, …).
    pub hint: Option<String>,
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn line(message: &str, level: LogLevel) -> LogLine {
        LogLine {
            at: Utc.with_ymd_and_hms(2026, 11, 21, 3, 10, 0).unwrap(),
            level,
            source: "loki".into(),
            message: message.into(),
            labels: vec![("service".into(), "checkout".into())],
            trace_id: None,
            key: "1".into(),
        }
    }

    #[test]
    fn levels_read_as_backends_write_them() {
        assert_eq!(LogLevel::parse("ERROR"), Some(LogLevel::Error));
        assert_eq!(LogLevel::parse(" Warning "), Some(LogLevel::Warn));
        assert_eq!(LogLevel::parse("crit"), Some(LogLevel::Critical));
        assert_eq!(LogLevel::parse("notice"), Some(LogLevel::Info));
        assert_eq!(LogLevel::parse("checkout"), None);
        assert_eq!(LogLevel::from_syslog(3), LogLevel::Error);
        assert_eq!(LogLevel::from_syslog(4), LogLevel::Warn);
        assert_eq!(LogLevel::from_syslog(0), LogLevel::Critical);
        assert_eq!(LogLevel::from_syslog(6), LogLevel::Info);
        assert!(LogLevel::Warn.is_trouble() && !LogLevel::Info.is_trouble());
    }

    #[test]
    fn a_query_admits_only_what_it_asked_for() {
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 3, 10, 0).unwrap();
        let mut query = LogQuery {
            target: LogTarget::Trace("4BF92F35".into()),
            since: at - chrono::Duration::minutes(1),
            until: at,
            grep: Some("Redis".into()),
            limit: 10,
            trouble_only: true,
        };
        let mut hit = line("redis timeout trace_id=4bf92f35", LogLevel::Error);
        assert!(query.admits(&hit));
        hit.level = LogLevel::Info;
        assert!(!query.admits(&hit), "not a trouble line");
        query.trouble_only = false;
        assert!(query.admits(&hit));
        assert!(
            !query.admits(&line("redis timeout", LogLevel::Error)),
            "no trace id"
        );
        let mut labelled = line("redis timeout", LogLevel::Error);
        labelled.trace_id = Some("4bf92f35".into());
        assert!(query.admits(&labelled));
        labelled.at = at + chrono::Duration::seconds(1);
        assert!(!query.admits(&labelled), "after the window");
        assert!(contains_ignoring_case("Zürich ÖL", "öl"));
    }
}
