//! One entry point per parser family, each feeding arbitrary bytes to every parser of
//! untrusted input in that family. The targets in `fuzz_targets/` call these; an `Err` is a
//! fine answer, only a panic (or a hang, or a crash) is a finding. [`inert`] is the
//! exception: it checks the sanitiser's promises and panics when one is broken.

use std::path::Path;

use ondeck::model::TraceKind;
use ondeck::sources::{alerta, alertmanager, jaeger, opsgenie, pagerduty, prometheus, tempo};

/// The HTTP statuses a parser that reads error bodies is tried with.
const STATUSES: [u16; 5] = [200, 400, 422, 500, 503];

fn status(data: &[u8]) -> u16 {
    STATUSES[data.first().map_or(0, |b| usize::from(*b) % STATUSES.len())]
}

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Prometheus query, range and exemplar answers, and the selector syntax.
pub fn prometheus(data: &[u8]) {
    let status = status(data);
    let _ = prometheus::api::parse_response(status, data);
    let _ = prometheus::api::parse_range_response(status, data);
    let _ = prometheus::explore::parse_exemplars(status, data);
    if let Some(text) = text(data) {
        let _ = prometheus::selector::Selector::parse(text);
    }
}

/// Alertmanager alerts, silences, silence ids, and the mapping to incidents.
pub fn alertmanager(data: &[u8]) {
    let _ = alertmanager::parse_alerts(data);
    let _ = alertmanager::parse_silences(data);
    let _ = alertmanager::parse_silence_id(data);
    let group_by = ["alertname".to_string(), "service".to_string()];
    let half = data.len() / 2;
    let _ = alertmanager::parse_incidents("am", &group_by, data, Some(data));
    let _ = alertmanager::parse_incidents("am", &[], &data[..half], Some(&data[half..]));
}

/// Alerta alert lists and single alerts.
pub fn alerta(data: &[u8]) {
    let _ = alerta::parse_alerts(data, "alerta");
    let _ = alerta::parse_alert(data, "alerta");
    let _ = alerta::history::parse_history(data);
}

/// PagerDuty incident pages, single incidents, user lookups and on-call lists.
pub fn pagerduty(data: &[u8]) {
    let _ = pagerduty::parse_incidents(data, "pd");
    let _ = pagerduty::parse_incident(data, "pd");
    let _ = pagerduty::parse_user_id(data, "alice@example.com");
    let _ = pagerduty::parse_oncalls(data);
    let _ = pagerduty::parse_first_acknowledgement(data);
}

/// Opsgenie alerts, request status polling and on-call answers.
pub fn opsgenie(data: &[u8]) {
    let _ = opsgenie::parse_alerts(data, "og");
    let _ = opsgenie::parse_alert(data, "og");
    let _ = opsgenie::parse_history_page(data);
    let _ = opsgenie::parse_accepted(data);
    let _ = opsgenie::parse_request_status(data);
    let _ = opsgenie::parse_on_calls(data);
    let _ = opsgenie::parse_next_on_calls(data);
}

/// Jaeger traces, searches, dependencies, names and error bodies.
pub fn jaeger(data: &[u8]) {
    let _ = jaeger::parse_error(status(data), data);
    let _ = jaeger::parse_traces(data);
    let _ = jaeger::parse_trace(data);
    let _ = jaeger::parse_search(data, TraceKind::Slow, 20);
    let _ = jaeger::parse_search(data, TraceKind::Errors, 3);
    let _ = jaeger::parse_dependencies(data);
    let _ = jaeger::parse_names(data);
}

/// Tempo OTLP traces and TraceQL search answers.
pub fn tempo(data: &[u8]) {
    let _ = tempo::parse_trace(data, "0af7651916cd43dd8448eb211c80319c");
    let _ = tempo::parse_trace(data, "");
    let _ = tempo::parse_search(data, TraceKind::Slow);
    let _ = tempo::parse_search(data, TraceKind::Errors);
}

/// The config file (TOML, validated), which also carries keymaps and theme overrides.
pub fn config(data: &[u8]) {
    if let Some(text) = text(data) {
        let _ = ondeck::config::parse(text, Path::new("/nonexistent/ondeck.toml"));
    }
}

/// Runbook markdown (front matter, steps, fenced commands) and alert matchers.
pub fn runbook(data: &[u8]) {
    if let Some(text) = text(data) {
        let _ = ondeck::runbook::parse("fuzz.md", text);
        let _ = ondeck::runbook::parse_fetched("https://runbooks.example.com/fuzz.md", text);
        let _ = ondeck::runbook::Matcher::parse(text);
    }
}

/// Theme files, theme overrides and keymap tables.
pub fn theme_keymap(data: &[u8]) {
    let Some(text) = text(data) else {
        return;
    };
    let _ = ondeck::config::Theme::from_toml("fuzz", text);
    let mut keymap = ondeck::config::Keymap::defaults();
    let _ = keymap.merge_toml(text);
    if let Ok(table) = text.parse::<toml::Table>() {
        let _ = ondeck::config::Theme::dark().with_overrides(&table);
        let mut keymap = ondeck::config::Keymap::defaults();
        let _ = keymap.merge_table(&table);
    }
}

/// The promises of `ondeck::inert` for any text: nothing it outputs holds a character that
/// could act on a terminal (line breaks only from `block`), text without one passes through
/// unchanged, escaping twice changes nothing, no other character is lost, and the JSON form
/// holds none either and parses back to the same text.
pub fn inert(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let acting = |s: &str, keep_line_breaks: bool| {
        s.chars()
            .find(|&c| ondeck::inert::is_hostile(c) && !(keep_line_breaks && c == '\n'))
    };
    for (keep, shown) in [
        (false, ondeck::inert::line(text)),
        (true, ondeck::inert::block(text)),
    ] {
        assert_eq!(acting(&shown, keep), None, "{text:?} shown as {shown:?}");
        if acting(text, keep).is_none() {
            assert!(matches!(shown, std::borrow::Cow::Borrowed(_)), "{text:?}");
        }
        let again = if keep {
            ondeck::inert::block(&shown)
        } else {
            ondeck::inert::line(&shown)
        };
        assert_eq!(again, shown, "escaping {text:?} twice");
        let mut out = shown.chars();
        for c in text.chars().filter(|&c| !ondeck::inert::is_hostile(c)) {
            assert!(out.any(|o| o == c), "{c:?} of {text:?} lost in {shown:?}");
        }
    }
    assert_eq!(
        ondeck::inert::unsafe_to_paste(text).is_none(),
        acting(text, false).is_none()
    );
    let json = ondeck::inert::json::to_string_pretty(text).expect("a string serialises");
    assert_eq!(acting(&json, false), None, "{text:?} as JSON {json}");
    let back: String = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(back, text);
}
