//! Grouped SLOs (`group_by = ["route"]`) against a real Prometheus: one definition yields one
//! SLO per route seen, and each route's burn rates equal Prometheus's own per-route answer.

#[path = "support/prometheus.rs"]
mod support;

use std::path::Path;
use std::time::Duration;

use chrono::{TimeZone, Utc};

use ondeck::config::{SloConfig, SourceConfig};
use ondeck::model::SloObservation;
use ondeck::slo::{STANDARD_WINDOWS, Window, default_tiers, evaluate};
use ondeck::sources::prometheus::PrometheusSource;
use support::{ROUTES, assert_same, prometheus_says};

const OBJECTIVE: f64 = 0.999;

fn source() -> SourceConfig {
    support::source_config("prom", &support::server().url, Duration::from_secs(20))
}

/// Grouped SLOs as a user writes them: one batched by service, one plain expression.
fn slos() -> Vec<SloConfig> {
    let text = r#"
[[source]]
name = "prom"
kind = "prometheus"
url = "http://127.0.0.1:9"

[[slo]]
name = "availability"
service = "shop"
objective = 99.9
group_by = ["route"]
bad = 'http_requests_total{service="shop",code="500"}'
total = 'http_requests_total{service="shop"}'

[[slo]]
name = "success"
service = "storefront"
objective = 99.9
group_by = ["route"]
good = 'http_requests_total{code="200"}'
total = 'http_requests_total'
"#;
    let config = ondeck::config::parse(text, Path::new("grouped.toml")).unwrap();
    config.slos
}

async fn observe(slos: Vec<SloConfig>) -> Vec<SloObservation> {
    let prom = PrometheusSource::new(&source(), slos).unwrap();
    let at = Utc.timestamp_opt(support::END, 0).unwrap();
    let fetched = prom.fetch(at).await.unwrap();
    assert!(fetched.issues.is_empty(), "{:?}", fetched.issues);
    fetched.snapshot.slos
}

/// Prometheus's burn rate for one route over `w`, written by hand.
fn route_burn(route: &str, w: Window) -> String {
    let rate = |extra: &str| {
        format!(r#"sum(rate(http_requests_total{{service="shop",route="{route}"{extra}}}[{w}]))"#)
    };
    format!(
        "({} / {}) / (1 - {OBJECTIVE})",
        rate(r#",code="500""#),
        rate("")
    )
}

#[tokio::test]
async fn one_slo_per_route_each_burning_as_prometheus_says() {
    let observations = observe(slos()).await;
    let ids: Vec<&str> = observations.iter().map(|o| o.spec.id.as_str()).collect();
    let mut expected: Vec<String> = ROUTES
        .iter()
        .map(|r| format!(r#"shop/availability{{route="{r}"}}"#))
        .collect();
    expected.sort();
    let mut success: Vec<String> = ROUTES
        .iter()
        .map(|r| format!(r#"storefront/success{{route="{r}"}}"#))
        .collect();
    success.sort();
    expected.extend(success);
    assert_eq!(ids, expected, "every route seen, other services left out");
    for observation in &observations {
        let route = observation.spec.name.split('"').nth(1).unwrap();
        assert!(
            observation
                .spec
                .name
                .ends_with(&format!(r#"{{route="{route}"}}"#))
        );
        let report = evaluate(&observation.spec, &observation.counts, &default_tiers());
        for w in STANDARD_WINDOWS {
            let expected = prometheus_says(&route_burn(route, w)).await;
            let what = format!("{} burn {w}", observation.spec.id);
            assert_same(
                &what,
                report.burn_rates.get(&w).copied().flatten(),
                expected,
            );
        }
        assert_eq!(observation.trend.len(), 48, "{}", observation.spec.id);
    }
    let pay = &observations[3];
    assert_eq!(pay.spec.id, r#"shop/availability{route="/pay"}"#);
    let report = evaluate(&pay.spec, &pay.counts, &default_tiers());
    assert!(
        report.current_burn().unwrap() > 14.4,
        "the /pay burst shows"
    );
    // /ghost had no traffic for a day: "no data" for short windows, numbers for 3d.
    let ghost = &observations[1];
    assert_eq!(ghost.spec.id, r#"shop/availability{route="/ghost"}"#);
    let report = evaluate(&ghost.spec, &ghost.counts, &default_tiers());
    assert_eq!(report.burn_rates[&Window::hours(1)], None);
    assert!(report.burn_rates[&Window::days(3)].is_some());
}

#[tokio::test]
async fn grouped_slos_share_one_query_per_window_per_shape() {
    let prom = PrometheusSource::new(&source(), slos()).unwrap();
    let windows = STANDARD_WINDOWS.len() + 1;
    // Two shapes per definition; the plan does not grow with the number of routes.
    assert_eq!(prom.plan().shapes.len(), 4);
    assert_eq!(prom.plan().request_count(), 4 * windows);
}
