//! The LogQL ondeck sends, built without IO: a service's stream selector (configured per
//! source, or per service), a trace id as a label filter or a line filter, the text the
//! responder filters by as a case-insensitive regex, and the level filter for trouble lines.

use chrono::{DateTime, Utc};

use crate::config::LogOptions;
use crate::config::logs::{SERVICE_PLACEHOLDER, escape_logql};
use crate::model::{LogQuery, LogTarget};

/// Level words a trouble-only query keeps, as a LogQL regex.
const TROUBLE_LEVELS: &str = "(?i)(emerg.*|alert|crit.*|fatal|panic|err.*|warn.*)";

/// The selector of every service: the configured selector with its `$service` matcher made
/// a regex that matches any name (`{app="$service-api"}` → `{app=~".+-api"}`).
pub fn any_service_selector(options: &LogOptions) -> String {
    let template = &options.selector;
    let Some(at) = template.find(SERVICE_PLACEHOLDER) else {
        return template.clone();
    };
    // The quoted value around the placeholder, and the operator before it.
    let open = template[..at].rfind('"');
    let close = template[at..].find('"').map(|i| at + i);
    let (Some(open), Some(close)) = (open, close) else {
        return template.replace(SERVICE_PLACEHOLDER, ".+");
    };
    let operator_end = open;
    let operator_start = template[..operator_end]
        .rfind(|c: char| c != '=' && c != '~' && c != '!')
        .map_or(0, |i| i + 1);
    let prefix = &template[open + 1..at];
    let suffix = &template[at + SERVICE_PLACEHOLDER.len()..close];
    let pattern = format!(
        "{}.+{}",
        escape_logql(&regex::escape(prefix)),
        escape_logql(&regex::escape(suffix))
    );
    format!(
        "{}=~\"{pattern}\"{}",
        &template[..operator_start],
        &template[close + 1..]
    )
}

/// The LogQL for `query` on a source configured with `options`.
pub fn logql(query: &LogQuery, options: &LogOptions) -> String {
    let mut out = match query.target.service() {
        Some(service) => options.selector_for(service),
        None => any_service_selector(options),
    };
    if let Some(id) = query.target.trace_id() {
        match &options.trace_field {
            Some(field) => out.push_str(&format!(" | {field}=\"{}\"", escape_logql(id))),
            None => out.push_str(&format!(" |= \"{}\"", escape_logql(id))),
        }
    }
    if let Some(text) = query.grep.as_deref().filter(|t| !t.is_empty()) {
        let pattern = format!("(?i){}", regex::escape(text));
        out.push_str(&format!(" |~ \"{}\"", escape_logql(&pattern)));
    }
    if query.trouble_only {
        out.push_str(&format!(
            " | {}=~\"{}\"",
            options.level_field,
            escape_logql(TROUBLE_LEVELS)
        ));
    }
    out
}

/// Nanoseconds since the epoch, as Loki's `start` and `end` take them.
pub fn nanos(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(i64::MAX)
}

/// The query parameters of one `query_range` page: newest first (`backward`), `end`
/// exclusive in Loki, so it is one nanosecond past the last instant wanted.
pub fn page_params(
    logql: &str,
    since: DateTime<Utc>,
    end_exclusive_ns: i64,
    limit: usize,
) -> Vec<(&'static str, String)> {
    vec![
        ("query", logql.to_string()),
        ("start", nanos(since).to_string()),
        ("end", end_exclusive_ns.to_string()),
        ("limit", limit.to_string()),
        ("direction", "backward".to_string()),
    ]
}

/// The label names a stream selector matches on, in order: `{app="x", env!="dev"}` →
/// `app`, `env`.
pub fn selector_labels(selector: &str) -> Vec<String> {
    let mut out = Vec::new();
    let inner = selector
        .trim()
        .trim_start_matches('{')
        .split('}')
        .next()
        .unwrap_or_default();
    let mut rest = inner;
    while let Some(op) = rest.find(['=', '!']) {
        let name = rest[..op].trim().trim_start_matches(',').trim();
        if !name.is_empty() {
            out.push(name.to_string());
        }
        // Skip the quoted value.
        let after = &rest[op..];
        let Some(open) = after.find('"') else { break };
        let mut close = open + 1;
        let bytes = after.as_bytes();
        while close < bytes.len() && (bytes[close] != b'"' || bytes[close - 1] == b'\\') {
            close += 1;
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    out
}

/// The query a [`LogTarget::Service`] selector names its service in, for the hint on an
/// empty answer: the label whose matcher holds `$service`.
pub fn service_label(options: &LogOptions) -> Option<String> {
    let at = options.selector.find(SERVICE_PLACEHOLDER)?;
    let before = &options.selector[..at];
    let op = before.rfind(['=', '!'])?;
    let start = before[..op].rfind(['{', ',']).map_or(0, |i| i + 1);
    let name = before[start..op].trim().trim_end_matches(['!', '=', '~']);
    (!name.is_empty()).then(|| name.to_string())
}

/// Whether the target asks about one service, with nothing that narrows its lines further:
/// the only answer whose emptiness says the selector may be wrong.
pub fn is_plain_service(query: &LogQuery) -> bool {
    matches!(query.target, LogTarget::Service(_)) && query.grep.is_none() && !query.trouble_only
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::config::SourceKind;

    fn query(target: LogTarget) -> LogQuery {
        let until = Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap();
        LogQuery {
            target,
            since: until - chrono::Duration::minutes(15),
            until,
            grep: None,
            limit: 100,
            trouble_only: false,
        }
    }

    #[test]
    fn logql_selects_the_service_and_narrows_by_trace_text_and_level() {
        let mut options = LogOptions::defaults_for(SourceKind::Loki);
        let mut q = query(LogTarget::Service("checkout".into()));
        assert_eq!(logql(&q, &options), r#"{service="checkout"}"#);
        q.grep = Some("a.b \"c\"".into());
        q.trouble_only = true;
        assert_eq!(
            logql(&q, &options),
            r#"{service="checkout"} |~ "(?i)a\\.b \"c\"" | level=~"(?i)(emerg.*|alert|crit.*|fatal|panic|err.*|warn.*)""#
        );
        let trace = query(LogTarget::Trace("4bf92f35".into()));
        assert_eq!(logql(&trace, &options), r#"{service=~".+"} |= "4bf92f35""#);
        options.trace_field = Some("trace_id".into());
        assert_eq!(
            logql(&trace, &options),
            r#"{service=~".+"} | trace_id="4bf92f35""#
        );
    }

    #[test]
    fn any_service_keeps_the_rest_of_the_selector() {
        let mut options = LogOptions::defaults_for(SourceKind::Loki);
        options.selector = r#"{namespace="shop", app="$service-api"}"#.into();
        assert_eq!(
            any_service_selector(&options),
            r#"{namespace="shop", app=~".+\\-api"}"#
        );
        assert_eq!(service_label(&options).as_deref(), Some("app"));
        assert_eq!(
            selector_labels(&options.selector),
            ["namespace".to_string(), "app".to_string()]
        );
        assert_eq!(
            selector_labels(r#"{a!~"x\"y", b="z"}"#),
            ["a".to_string(), "b".to_string()]
        );
    }
}
