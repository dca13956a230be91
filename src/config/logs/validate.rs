//! Reading the log fields of a `[[source]]`: each refused on a kind that does not read it,
//! and a value that cannot work refused with the fix.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::config::backend::only_for;

use super::{DEFAULT_MAX_LINES, LogOptions, SERVICE_PLACEHOLDER};
use crate::config::error::{ConfigError, Locator};
use crate::config::file::RawSource;
use crate::config::model::SourceKind;

type Checked<T> = Result<T, ConfigError>;

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
