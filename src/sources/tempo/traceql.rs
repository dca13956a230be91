//! The TraceQL query of a trace search, e.g.
//! `{ resource.service.name = "checkout" && duration > 500ms && status = error }`.
//!
//! Tag values that are integers or booleans are written unquoted: OpenTelemetry types
//! `http.status_code` as an integer, and TraceQL never matches an integer attribute
//! against a string literal.

use crate::model::{TraceKind, TraceSearch};
use crate::sources::tracing_wire::go_duration;

/// The TraceQL spanset filter for `search`.
pub fn traceql(search: &TraceSearch) -> String {
    let mut conditions = vec![format!(
        "resource.service.name = {}",
        quoted(&search.service)
    )];
    if let Some(min) = search.min_duration_us {
        conditions.push(format!("duration > {}", go_duration(min)));
    }
    if search.kind == TraceKind::Errors {
        conditions.push("status = error".to_string());
    }
    if let Some(operation) = &search.operation {
        conditions.push(format!("name = {}", quoted(operation)));
    }
    for (key, value) in &search.tags {
        conditions.push(format!("{} = {}", attribute(key), literal(value)));
    }
    format!("{{ {} }}", conditions.join(" && "))
}

/// A TraceQL string literal: quotes and backslashes escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A tag as a span attribute (`span.http.method`), unless it already names its scope
/// (`resource.`, `span.`, or `.` for either). Names with other characters than letters,
/// digits, `_` and `.` are quoted (`span."my key"`).
fn attribute(key: &str) -> String {
    let (scope, name) = ["resource.", "span.", "."]
        .iter()
        .find_map(|scope| key.strip_prefix(scope).map(|rest| (*scope, rest)))
        .unwrap_or(("span.", key));
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if plain {
        format!("{scope}{name}")
    } else {
        format!("{scope}{}", quoted(name))
    }
}

/// An integer or boolean as itself (only in its canonical spelling, so `007` stays text),
/// anything else as a string.
fn literal(value: &str) -> String {
    let integer = value.parse::<i64>().is_ok_and(|n| n.to_string() == value);
    if integer || value == "true" || value == "false" {
        value.to_string()
    } else {
        quoted(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_search_filters_service_and_duration() {
        let mut search = TraceSearch::new("checkout", TraceKind::Slow, 20);
        search.min_duration_us = Some(500_000);
        assert_eq!(
            traceql(&search),
            r#"{ resource.service.name = "checkout" && duration > 500ms }"#
        );
    }

    #[test]
    fn an_error_search_adds_status_operation_and_typed_tags() {
        let mut search = TraceSearch::new("check\"out", TraceKind::Errors, 20);
        search.operation = Some("POST /pay".into());
        search.tags = vec![
            ("http.status_code".into(), "500".into()),
            ("resource.k8s.namespace.name".into(), "prod".into()),
            ("peer service".into(), "0042".into()),
        ];
        assert_eq!(
            traceql(&search),
            r#"{ resource.service.name = "check\"out" && status = error && name = "POST /pay" && span.http.status_code = 500 && resource.k8s.namespace.name = "prod" && span."peer service" = "0042" }"#
        );
    }
}
