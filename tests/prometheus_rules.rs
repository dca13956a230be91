//! Sloth recording rules against a real Prometheus: with `use_recording_rules = "auto"` an
//! SLO that has `slo:sli_error:ratio_rate<w>` rules reads every window from them — its burn
//! rates equal the rule series' values — and no raw query is sent for it; `"never"` sends
//! the raw queries. The rules `ondeck slo rules` writes are checked in `generated`.

#[path = "rules/generated.rs"]
mod generated;
#[path = "support/prometheus.rs"]
mod support;

use std::fmt::Write as _;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use ondeck::config::{RecordingRules, SloConfig, SloSliConfig, SourceConfig};
use ondeck::slo::{STANDARD_WINDOWS, Window, default_tiers, evaluate};
use ondeck::sources::prometheus::PrometheusSource;
use support::{END, assert_same};

const OBJECTIVE: f64 = 0.999;
const PERIOD: Window = Window::days(30);

/// Sloth-style rules for checkout/availability over every window Sloth records. Rules only
/// have samples from when Prometheus starts evaluating them, long after the history ends,
/// so each rate is pinned to the end of the history with `@`.
fn sloth_rules() -> String {
    let mut out =
        String::from("groups:\n- name: sloth-slo-sli-recordings-checkout-availability\n  rules:\n");
    for w in STANDARD_WINDOWS.into_iter().chain([PERIOD]) {
        let rate = |extra: &str| {
            format!(r#"sum(rate(http_requests_total{{service="checkout"{extra}}}[{w}] @ {END}))"#)
        };
        let _ = write!(
            out,
            "  - record: slo:sli_error:ratio_rate{w}\n    expr: '({}) / ({})'\n    labels: {{sloth_id: checkout-availability, sloth_service: checkout, sloth_slo: availability, sloth_window: {w}}}\n",
            rate(r#",code=~"5..""#),
            rate("")
        );
    }
    out
}

fn slos() -> Vec<SloConfig> {
    let availability = SloConfig {
        name: "availability".into(),
        service: "checkout".into(),
        objective: OBJECTIVE,
        window: PERIOD,
        period: None,
        source: None,
        sli: SloSliConfig::BadRatio {
            bad: r#"http_requests_total{service="checkout",code=~"5.."}"#.into(),
            total: r#"http_requests_total{service="checkout"}"#.into(),
        },
    };
    let latency = SloConfig {
        name: "latency".into(),
        service: "search".into(),
        sli: SloSliConfig::Latency {
            metric: r#"http_request_duration_seconds{service="search"}"#.into(),
            threshold: 0.25,
        },
        ..availability.clone()
    };
    vec![availability, latency]
}

fn source(url: &str, recording_rules: RecordingRules) -> SourceConfig {
    SourceConfig {
        recording_rules,
        ..support::source_config("prom", url, Duration::from_secs(20))
    }
}

/// Prometheus's answer for `promql` at `time` (seconds, milliseconds kept).
async fn says(url: &str, promql: &str, time: &str) -> Option<f64> {
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{url}/api/v1/query"))
        .form(&[("query", promql), ("time", time)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "success", "{promql}: {body}");
    let value: f64 = body["data"]["result"][0]["value"][1]
        .as_str()?
        .parse()
        .ok()?;
    value.is_finite().then_some(value)
}

/// An evaluation instant at which every rule has been evaluated at least once.
async fn evaluated(url: &str) -> DateTime<Utc> {
    for _ in 0..100 {
        let now = Utc::now();
        let time = format!("{:.3}", now.timestamp_millis() as f64 / 1000.0);
        let count = says(
            url,
            r#"count({__name__=~"slo:sli_error:ratio_rate.*"})"#,
            &time,
        )
        .await;
        if count == Some((STANDARD_WINDOWS.len() + 1) as f64) {
            return Utc.timestamp_millis_opt(now.timestamp_millis()).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the recording rules were never evaluated");
}

#[tokio::test]
async fn auto_reads_sloth_rules_and_sends_no_raw_query_for_their_slo() {
    let server = support::start_with_rules(&sloth_rules());
    let at = evaluated(&server.url).await;
    let time = format!("{:.3}", at.timestamp_millis() as f64 / 1000.0);

    let prom = PrometheusSource::new(&source(&server.url, RecordingRules::Auto), slos()).unwrap();
    let fetched = prom.fetch(at).await.unwrap();
    // The rules read the history through `@`; the raw latency queries ask about now, when
    // the history has long ended, and say so. The SLO reading rules has no issue.
    let issues: Vec<String> = fetched.issues.iter().map(|i| i.message()).collect();
    assert_eq!(
        issues,
        [
            r#"no series match http_request_duration_seconds_count{service="search"} (5m, 30m, 1h, 2h, 6h, 1d, 3d, 30d)"#
        ]
    );
    // One query asks which rule series exist and what they hold, before any raw query.
    assert!(
        fetched.sent[0].starts_with(r#"{__name__=~"slo:sli_error:ratio_rate"#),
        "{:?}",
        fetched.sent
    );
    let raw: Vec<&String> = fetched
        .sent
        .iter()
        .filter(|q| q.contains("http_requests_total"))
        .collect();
    assert!(
        raw.is_empty(),
        "raw queries sent for a covered SLO: {raw:?}"
    );
    // The latency SLO has no rules: its raw queries still go out.
    assert!(fetched.sent.iter().any(|q| q.contains("_bucket")));

    let checkout = &fetched.snapshot.slos[0];
    let report = evaluate(&checkout.spec, &checkout.counts, &default_tiers());
    for w in STANDARD_WINDOWS {
        let rule = format!(
            r#"slo:sli_error:ratio_rate{w}{{sloth_service="checkout",sloth_slo="availability"}}"#
        );
        let expected = says(&server.url, &rule, &time)
            .await
            .map(|r| r / (1.0 - OBJECTIVE));
        assert!(expected.is_some(), "rule {w} has a value");
        assert_same(&format!("burn {w}"), report.burn_rates[&w], expected);
    }
    let rule30d = says(&server.url, "slo:sli_error:ratio_rate30d", &time).await;
    assert_same("SLI over 30d", report.sli, rule30d.map(|r| 1.0 - r));
}

#[tokio::test]
async fn never_sends_the_raw_queries_even_when_rules_exist() {
    let server = support::start_with_rules(&sloth_rules());
    let at = evaluated(&server.url).await;
    let prom = PrometheusSource::new(&source(&server.url, RecordingRules::Never), slos()).unwrap();
    let fetched = prom.fetch(at).await.unwrap();
    assert!(!fetched.sent.iter().any(|q| q.contains("slo:sli_error")));
    let raw = fetched
        .sent
        .iter()
        .filter(|q| q.contains("http_requests_total"))
        .count();
    assert_eq!(
        raw,
        2 * (STANDARD_WINDOWS.len() + 1),
        "bad and total, every window"
    );
}
