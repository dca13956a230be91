//! Stubs of the backends that cannot run here, answering with their vendor-shaped fixtures
//! poisoned ([`super::poison`]).

use std::path::Path;

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{hostile, poison};

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
