//! What a log line's text says when its backend does not: its level (`level=error`,
//! `"level":"warn"`, `[ERROR]`, `E1121 …`), and the trace it belongs to, from the source's
//! trace field or its trace regex.

use regex::Regex;

use crate::config::LogOptions;
use crate::model::LogLevel;
use crate::sources::SourceError;

/// Finds the trace id of a line: the configured field or label first, else the regex's
/// first group in the text. Ids are lower-cased hex, as tracing backends list them.
#[derive(Debug, Clone)]
pub struct TraceFinder {
    field: Option<String>,
    regex: Regex,
}

impl TraceFinder {
    /// The finder a source's options describe. The regex was checked when the config was
    /// read; one that still fails (a config built in code) stops the source from starting.
    pub fn new(options: &LogOptions) -> Result<Self, SourceError> {
        let regex = Regex::new(&options.trace_regex)
            .map_err(|e| SourceError::NotStarted(format!("trace_regex: {e}")))?;
        Ok(Self {
            field: options.trace_field.clone(),
            regex,
        })
    }

    /// The field or label holding trace ids, if one is configured.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The trace id of a line with `message` and `labels`.
    pub fn find(&self, message: &str, labels: &[(String, String)]) -> Option<String> {
        let labelled = self.field.as_deref().and_then(|field| {
            labels
                .iter()
                .find(|(name, _)| name == field)
                .map(|(_, value)| value.trim().to_ascii_lowercase())
                .filter(|value| !value.is_empty())
        });
        labelled.or_else(|| {
            self.regex
                .captures(message)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().to_ascii_lowercase())
        })
    }
}

/// The level a line's text names, looking only at its start (where loggers put it) and at
/// `level=`/`"level":` fields: `Unknown` when it names none.
pub fn level_in_text(message: &str) -> LogLevel {
    for key in ["level", "lvl", "severity", "loglevel"] {
        if let Some(level) = field_value(message, key).and_then(LogLevel::parse) {
            return level;
        }
    }
    let head: String = message.chars().take(48).collect();
    for word in head
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3)
        .take(6)
    {
        // A bare word counts only in upper case (`ERROR`), so "no error" is not an error.
        if word.bytes().all(|b| b.is_ascii_uppercase())
            && let Some(level) = LogLevel::parse(word)
        {
            return level;
        }
    }
    glog_level(message).unwrap_or(LogLevel::Unknown)
}

/// The value after `key=` (logfmt) or `"key":"` (JSON) in `text`.
fn field_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    for pattern in [format!("{key}="), format!("\"{key}\":")] {
        let mut from = 0;
        while let Some(found) = text[from..].find(&pattern) {
            let start = from + found;
            from = start + pattern.len();
            // `loglevel=` must not read as `level=`.
            let boundary = text[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
            if !boundary {
                continue;
            }
            let rest = text[from..].trim_start().trim_start_matches('"');
            let end = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            if end > 0 {
                return Some(&rest[..end]);
            }
        }
    }
    None
}

/// glog/klog lines start with the level letter and the date: `E1121 03:10:00.000 …`.
fn glog_level(message: &str) -> Option<LogLevel> {
    let bytes = message.as_bytes();
    let digits = bytes.get(1..5)?.iter().all(u8::is_ascii_digit);
    if !digits || bytes.get(5) != Some(&b' ') {
        return None;
    }
    match bytes.first()? {
        b'F' => Some(LogLevel::Critical),
        b'E' => Some(LogLevel::Error),
        b'W' => Some(LogLevel::Warn),
        b'I' => Some(LogLevel::Info),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SourceKind;

    #[test]
    fn levels_come_from_fields_words_and_glog_prefixes() {
        assert_eq!(level_in_text("ts=1 level=error msg=boom"), LogLevel::Error);
        assert_eq!(
            level_in_text(r#"{"level": "warn","msg":"slow"}"#),
            LogLevel::Warn
        );
        assert_eq!(
            level_in_text("2026-11-21 03:10 [ERROR] boom"),
            LogLevel::Error
        );
        assert_eq!(
            level_in_text("E1121 03:10:00.000 1 main.go:1] x"),
            LogLevel::Error
        );
        assert_eq!(
            level_in_text("GET /cart returned no error"),
            LogLevel::Unknown
        );
        assert_eq!(level_in_text("loglevel=info msg=x"), LogLevel::Info);
        assert_eq!(level_in_text("sublevel=error"), LogLevel::Unknown);
    }

    #[test]
    fn trace_ids_come_from_the_field_first_then_the_text() {
        let mut options = LogOptions::defaults_for(SourceKind::Loki);
        options.trace_field = Some("trace_id".into());
        let finder = TraceFinder::new(&options).unwrap();
        let labels = vec![("trace_id".to_string(), "ABCDEF0123456789".to_string())];
        assert_eq!(
            finder.find("x", &labels).as_deref(),
            Some("abcdef0123456789")
        );
        let text = "boom trace_id=4bf92f3577b34da6a3ce929d0e0e4736";
        assert_eq!(
            finder.find(text, &[]).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(finder.find("no id here", &[]), None);
    }
}
