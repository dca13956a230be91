//! Settings of log sources (Loki, Elasticsearch/OpenSearch, the systemd journal, the demo):
//! how a service's lines are selected, where the level and trace id live, and how much one
//! answer may hold. Each field is refused on a kind that does not read it, and a setting that
//! cannot work (a selector that ignores the service, a trace regex without a group) is refused
//! with the fix.

mod validate;

use std::collections::BTreeMap;

use super::model::SourceKind;

pub(crate) use validate::{ByteSize, RawLogFields, validate_logs};

/// Where a service's name goes in a selector, match or query.
pub const SERVICE_PLACEHOLDER: &str = "$service";

/// Lines one source answers with at most, and the panel keeps from it, by default.
pub const DEFAULT_MAX_LINES: usize = 2_000;
/// The largest response body read from a log source by default.
pub const DEFAULT_MAX_BYTES: usize = 8 * 1024 * 1024;

/// What finds a trace id in a line's text when no field carries it: `trace_id=…`,
/// `traceId: "…"`, `"trace.id":"…"` with 16 or 32 hex digits.
pub const DEFAULT_TRACE_REGEX: &str =
    r#"(?i)\btrace[_.-]?id["']?\s*[=:]\s*["']?([0-9a-f]{32}|[0-9a-f]{16})\b"#;

/// How a log source finds lines, levels and trace ids, and how much it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogOptions {
    /// Loki: the stream selector of a service, `$service` standing for its name.
    pub selector: String,
    /// Loki: selectors of single services, overriding `selector`.
    pub selectors: BTreeMap<String, String>,
    /// Elasticsearch: the index pattern searched.
    pub index: String,
    /// Elasticsearch: the timestamp field.
    pub timestamp_field: String,
    /// Elasticsearch: the field holding the service name.
    pub service_field: String,
    /// Elasticsearch: the field holding the line.
    pub message_field: String,
    /// Loki: the label (or structured metadata) holding the level; Elasticsearch: the level
    /// field.
    pub level_field: String,
    /// The label, field or journal field holding the trace id (`None`: only the text says).
    pub trace_field: Option<String>,
    /// What finds a trace id in a line's text; group 1 is the id.
    pub trace_regex: String,
    /// Journal: the field match of a service, `FIELD=value` with `$service` in the value.
    pub journal_match: String,
    /// Lines asked for and kept at most per query.
    pub max_lines: usize,
    /// The largest response read.
    pub max_bytes: usize,
}

impl LogOptions {
    /// The defaults of `kind`: ECS field names for Elasticsearch, `TRACE_ID` for the journal.
    pub fn defaults_for(kind: SourceKind) -> Self {
        let (level, trace) = match kind {
            SourceKind::Elasticsearch => ("log.level", Some("trace.id")),
            SourceKind::Journal => ("PRIORITY", Some("TRACE_ID")),
            _ => ("level", None),
        };
        Self {
            selector: format!("{{service=\"{SERVICE_PLACEHOLDER}\"}}"),
            selectors: BTreeMap::new(),
            index: "logs-*".to_string(),
            timestamp_field: "@timestamp".to_string(),
            service_field: "service.name".to_string(),
            message_field: "message".to_string(),
            level_field: level.to_string(),
            trace_field: trace.map(str::to_string),
            trace_regex: DEFAULT_TRACE_REGEX.to_string(),
            journal_match: format!("_SYSTEMD_UNIT={SERVICE_PLACEHOLDER}.service"),
            max_lines: DEFAULT_MAX_LINES,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// Loki's selector for `service`: its own entry in `selectors`, else `selector` with the
    /// name put in (escaped for a LogQL string).
    pub fn selector_for(&self, service: &str) -> String {
        match self.selectors.get(service) {
            Some(own) => own.clone(),
            None => self
                .selector
                .replace(SERVICE_PLACEHOLDER, &escape_logql(service)),
        }
    }

    /// What `check-config` says about a log source of `kind`: how it finds a service's lines
    /// and trace ids, and its caps. `None` for kinds that are not log sources.
    pub fn describe(&self, kind: SourceKind) -> Option<String> {
        let lines = match kind {
            SourceKind::Loki => {
                let mut text = format!("selector {}", self.selector);
                if !self.selectors.is_empty() {
                    let own: Vec<&str> = self.selectors.keys().map(String::as_str).collect();
                    text.push_str(&format!(" (own selectors: {})", own.join(", ")));
                }
                text
            }
            SourceKind::Elasticsearch => format!(
                "index {}, fields {} {} {} {}",
                self.index,
                self.timestamp_field,
                self.service_field,
                self.level_field,
                self.message_field
            ),
            SourceKind::Journal => format!("match {}", self.journal_match),
            _ => return None,
        };
        let trace = match &self.trace_field {
            Some(field) => format!("trace id in {field} or the text"),
            None => "trace id in the text".to_string(),
        };
        Some(format!(
            "{lines}, {trace}, at most {} lines and {} KiB per answer",
            self.max_lines,
            self.max_bytes / 1024
        ))
    }

    /// The journal's `(field, value)` match for `service`.
    pub fn journal_match_for(&self, service: &str) -> (String, String) {
        let (field, value) = self
            .journal_match
            .split_once('=')
            .unwrap_or(("_SYSTEMD_UNIT", SERVICE_PLACEHOLDER));
        (
            field.to_string(),
            value.replace(SERVICE_PLACEHOLDER, service),
        )
    }
}

impl Default for LogOptions {
    /// The defaults of a source that is not a log backend (Loki's field names).
    fn default() -> Self {
        Self::defaults_for(SourceKind::Demo)
    }
}

/// `text` inside a LogQL double-quoted string: backslashes and quotes escaped.
pub fn escape_logql(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_and_matches_put_the_service_in() {
        let mut options = LogOptions::defaults_for(SourceKind::Loki);
        assert_eq!(options.selector_for("checkout"), r#"{service="checkout"}"#);
        assert_eq!(options.selector_for(r#"a"b"#), r#"{service="a\"b"}"#);
        options
            .selectors
            .insert("search".into(), r#"{app="search-api"}"#.into());
        assert_eq!(options.selector_for("search"), r#"{app="search-api"}"#);
        let journal = LogOptions::defaults_for(SourceKind::Journal);
        assert_eq!(
            journal.journal_match_for("checkout"),
            ("_SYSTEMD_UNIT".to_string(), "checkout.service".to_string())
        );
        assert_eq!(journal.trace_field.as_deref(), Some("TRACE_ID"));
        let es = LogOptions::defaults_for(SourceKind::Elasticsearch);
        assert_eq!(
            (es.level_field.as_str(), es.trace_field.as_deref()),
            ("log.level", Some("trace.id"))
        );
    }

    #[test]
    fn the_default_trace_regex_finds_ids_as_loggers_write_them() {
        let re = regex::Regex::new(DEFAULT_TRACE_REGEX).unwrap();
        let id = "4bf92f3577b34da6a3ce929d0e0e4736";
        for text in [
            format!("GET /cart 502 trace_id={id} took 3s"),
            format!(r#"{{"msg":"boom","traceId":"{id}"}}"#),
            format!(r#"{{"trace.id": "{id}"}}"#),
            format!("TraceID: {id}"),
        ] {
            let found = re
                .captures(&text)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str());
            assert_eq!(found, Some(id), "{text}");
        }
        assert!(re.captures("trace_id=xyz").is_none());
    }
}
