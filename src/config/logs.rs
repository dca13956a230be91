//! Settings of log sources (Loki, Elasticsearch/OpenSearch, the systemd journal, the demo):
//! how a service's lines are selected, where the level and trace id live, and how much one
//! answer may hold. Each field is refused on a kind that does not read it, and a setting that
//! cannot work (a selector that ignores the service, a trace regex without a group) is refused
//! with the fix.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Locator};
use super::file::RawSource;
use super::model::SourceKind;

type Checked<T> = Result<T, ConfigError>;

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

/// A byte count as written: `8388608`, `"8MiB"`, `"512KiB"`, `"16MB"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ByteSize(pub(crate) usize);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Count(u64),
            Text(String),
        }
        let bad = |text: &str| {
            serde::de::Error::custom(format!(
                "`{text}` is not a size: write bytes, or a number and KiB, MiB, KB or MB, e.g. \"8MiB\""
            ))
        };
        match Written::deserialize(deserializer)? {
            Written::Count(n) => usize::try_from(n)
                .map(ByteSize)
                .map_err(|_| bad(&n.to_string())),
            Written::Text(text) => {
                let trimmed = text.trim();
                let split = trimmed
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(trimmed.len());
                let (digits, unit) = trimmed.split_at(split);
                let n: usize = digits.parse().map_err(|_| bad(&text))?;
                let scale = match unit.trim() {
                    "" | "B" => 1,
                    "KiB" => 1024,
                    "MiB" => 1024 * 1024,
                    "KB" | "kB" => 1000,
                    "MB" => 1_000_000,
                    _ => return Err(bad(&text)),
                };
                n.checked_mul(scale).map(ByteSize).ok_or_else(|| bad(&text))
            }
        }
    }
}

/// The log fields of one `[[source]]`, taken out of the raw source.
pub(crate) struct RawLogFields {
    selector: Option<Spanned<String>>,
    selectors: Option<BTreeMap<String, Spanned<String>>>,
    index: Option<Spanned<String>>,
    timestamp_field: Option<Spanned<String>>,
    service_field: Option<Spanned<String>>,
    message_field: Option<Spanned<String>>,
    level_field: Option<Spanned<String>>,
    trace_field: Option<Spanned<String>>,
    trace_regex: Option<Spanned<String>>,
    journal_match: Option<Spanned<String>>,
    max_lines: Option<Spanned<u64>>,
    max_bytes: Option<Spanned<ByteSize>>,
}

impl RawLogFields {
    /// Moves the log fields out of `raw`.
    pub(crate) fn take(raw: &mut RawSource) -> Self {
        Self {
            selector: raw.selector.take(),
            selectors: raw.selectors.take(),
            index: raw.index.take(),
            timestamp_field: raw.timestamp_field.take(),
            service_field: raw.service_field.take(),
            message_field: raw.message_field.take(),
            level_field: raw.level_field.take(),
            trace_field: raw.trace_field.take(),
            trace_regex: raw.trace_regex.take(),
            journal_match: raw.journal_match.take(),
            max_lines: raw.max_lines.take(),
            max_bytes: raw.max_bytes.take(),
        }
    }
}

/// Rejects `field` unless the source's kind is one of `kinds`.
fn only_for<T>(
    value: Option<&Spanned<T>>,
    field: &str,
    kind: SourceKind,
    kinds: &[SourceKind],
    at: &Locator<'_>,
) -> Checked<()> {
    match value {
        Some(value) if !kinds.contains(&kind) => {
            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            Err(at.at(
                Some(value.span()),
                format!(
                    "`{field}` applies only to {} sources, not {}",
                    names.join(", "),
                    kind.as_str()
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// A field name as written: not empty, no spaces.
fn name(value: Option<Spanned<String>>, what: &str, at: &Locator<'_>) -> Checked<Option<String>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let text = value.get_ref().trim();
    if text.is_empty() || text.contains(char::is_whitespace) {
        return Err(at.at(
            Some(value.span()),
            format!("{what} must be a field name without spaces"),
        ));
    }
    Ok(Some(text.to_string()))
}

fn selector(value: &Spanned<String>, needs_service: bool, at: &Locator<'_>) -> Checked<String> {
    let text = value.get_ref().trim();
    if !(text.starts_with('{') && text.contains('}')) {
        return Err(at.at(
            Some(value.span()),
            format!("`{text}` is not a LogQL stream selector: write one like {{app=\"$service\"}}"),
        ));
    }
    if needs_service && !text.contains(SERVICE_PLACEHOLDER) {
        return Err(at.at(
            Some(value.span()),
            "selector must name $service, e.g. {app=\"$service\"}: without it every service shows the same lines (single services may have their own in `selectors`)",
        ));
    }
    Ok(text.to_string())
}

/// Checks the log fields against the source's kind and returns the options.
pub(crate) fn validate_logs(
    raw: RawLogFields,
    kind: SourceKind,
    at: &Locator<'_>,
) -> Checked<LogOptions> {
    use SourceKind::{Demo, Elasticsearch, Journal, Loki};
    let selectors_span = raw
        .selectors
        .as_ref()
        .and_then(|m| m.values().next())
        .map(Spanned::span);
    if let Some(span) = selectors_span
        && kind != Loki
    {
        return Err(at.at(
            Some(span),
            format!(
                "`selectors` applies only to loki sources, not {}",
                kind.as_str()
            ),
        ));
    }
    only_for(raw.selector.as_ref(), "selector", kind, &[Loki], at)?;
    only_for(raw.index.as_ref(), "index", kind, &[Elasticsearch], at)?;
    for (value, field) in [
        (&raw.timestamp_field, "timestamp_field"),
        (&raw.service_field, "service_field"),
        (&raw.message_field, "message_field"),
    ] {
        only_for(value.as_ref(), field, kind, &[Elasticsearch], at)?;
    }
    only_for(
        raw.level_field.as_ref(),
        "level_field",
        kind,
        &[Loki, Elasticsearch],
        at,
    )?;
    let logs = [Loki, Elasticsearch, Journal];
    only_for(raw.trace_field.as_ref(), "trace_field", kind, &logs, at)?;
    only_for(raw.trace_regex.as_ref(), "trace_regex", kind, &logs, at)?;
    only_for(raw.journal_match.as_ref(), "match", kind, &[Journal], at)?;
    only_for(raw.max_bytes.as_ref(), "max_bytes", kind, &logs, at)?;
    only_for(
        raw.max_lines.as_ref(),
        "max_lines",
        kind,
        &[Loki, Elasticsearch, Journal, Demo],
        at,
    )?;

    let mut options = LogOptions::defaults_for(kind);
    if let Some(value) = &raw.selector {
        options.selector = selector(value, true, at)?;
    }
    for (service, value) in raw.selectors.unwrap_or_default() {
        let text = selector(&value, false, at)?;
        options.selectors.insert(service, text);
    }
    if let Some(value) = raw.index {
        let text = value.get_ref().trim();
        let bad = text.is_empty()
            || text
                .chars()
                .any(|c| c.is_whitespace() || "/\\?\"<>|#".contains(c));
        if bad {
            return Err(at.at(
                Some(value.span()),
                format!("`{text}` is not an index pattern: write names or wildcards separated by commas, e.g. logs-*"),
            ));
        }
        options.index = text.to_string();
    }
    let set = |target: &mut String, value, what| -> Checked<()> {
        if let Some(text) = name(value, what, at)? {
            *target = text;
        }
        Ok(())
    };
    set(
        &mut options.timestamp_field,
        raw.timestamp_field,
        "timestamp_field",
    )?;
    set(
        &mut options.service_field,
        raw.service_field,
        "service_field",
    )?;
    set(
        &mut options.message_field,
        raw.message_field,
        "message_field",
    )?;
    set(&mut options.level_field, raw.level_field, "level_field")?;
    if let Some(field) = name(raw.trace_field, "trace_field", at)? {
        options.trace_field = Some(field);
    }
    if let Some(value) = raw.trace_regex {
        let text = value.get_ref();
        match regex::Regex::new(text) {
            Err(e) => {
                let why = e.to_string().lines().last().unwrap_or_default().to_string();
                return Err(at.at(
                    Some(value.span()),
                    format!("trace_regex is not a regex: {why}"),
                ));
            }
            Ok(re) if re.captures_len() < 2 => {
                return Err(at.at(
                    Some(value.span()),
                    "trace_regex needs a group around the id, e.g. trace_id=([0-9a-f]{32})",
                ));
            }
            Ok(_) => options.trace_regex = text.clone(),
        }
    }
    if let Some(value) = raw.journal_match {
        let text = value.get_ref().trim();
        let field_ok = |f: &str| {
            !f.is_empty()
                && f.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        };
        match text.split_once('=') {
            Some((field, value_text))
                if field_ok(field) && value_text.contains(SERVICE_PLACEHOLDER) =>
            {
                options.journal_match = text.to_string();
            }
            _ => {
                return Err(at.at(
                    Some(value.span()),
                    format!("`{text}` is not a journal match: write FIELD=value with $service in the value, e.g. _SYSTEMD_UNIT=$service.service or SYSLOG_IDENTIFIER=$service"),
                ));
            }
        }
    }
    if let Some(value) = raw.max_lines {
        let lines = *value.get_ref();
        if !(10..=50_000).contains(&lines) {
            return Err(at.at(
                Some(value.span()),
                format!("max_lines {lines} is out of range: use 10 to 50000 (default 2000)"),
            ));
        }
        options.max_lines = usize::try_from(lines).unwrap_or(DEFAULT_MAX_LINES);
    }
    if let Some(value) = raw.max_bytes {
        let bytes = value.get_ref().0;
        if !(64 * 1024..=256 * 1024 * 1024).contains(&bytes) {
            return Err(at.at(
                Some(value.span()),
                format!("max_bytes {bytes} is out of range: use 64KiB to 256MiB (default 8MiB)"),
            ));
        }
        options.max_bytes = bytes;
    }
    Ok(options)
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
