//! The debug pane's per-service trends from a real Prometheus: p50/p95/p99 latency and the
//! error rate over the last hour, one point a minute, each equal to Prometheus's own answer
//! for the hand-written PromQL at that minute.

#[path = "support/prometheus.rs"]
mod support;

use std::time::Duration;

use chrono::{TimeZone, Utc};

use ondeck::config::{SloConfig, SloSliConfig};
use ondeck::model::ServiceMetrics;
use ondeck::slo::Window;
use ondeck::sources::prometheus::PrometheusSource;
use support::{assert_same, prometheus_says_at};

fn slo(service: &str, name: &str, sli: SloSliConfig) -> SloConfig {
    SloConfig {
        name: name.into(),
        service: service.into(),
        objective: 0.999,
        window: Window::days(30),
        period: None,
        source: None,
        sli,
    }
}

fn requests(service: &str, extra: &str) -> String {
    format!(r#"http_requests_total{{service="{service}"{extra}}}"#)
}

fn fleet() -> Vec<SloConfig> {
    let latency = |s: &str| SloSliConfig::Latency {
        metric: format!(r#"http_request_duration_seconds{{service="{s}"}}"#),
        threshold: 0.25,
    };
    let errors = |s: &str| SloSliConfig::BadRatio {
        bad: requests(s, r#",code=~"5..""#),
        total: requests(s, ""),
    };
    vec![
        slo("checkout", "latency", latency("checkout")),
        slo("search", "latency", latency("search")),
        slo("checkout", "availability", errors("checkout")),
        slo(
            "search",
            "success",
            SloSliConfig::GoodRatio {
                good: requests("search", r#",code="200""#),
                total: requests("search", ""),
            },
        ),
        slo("idle", "availability", errors("idle")),
    ]
}

async fn services() -> Vec<ServiceMetrics> {
    let source = support::source_config("prom", &support::server().url, Duration::from_secs(20));
    let prom = PrometheusSource::new(&source, fleet()).unwrap();
    let at = Utc.timestamp_opt(support::END, 0).unwrap();
    let fetched = prom.fetch(at).await.unwrap();
    assert!(fetched.warnings.is_empty(), "{:?}", fetched.warnings);
    fetched.snapshot.services
}

/// Compares every tenth point and the newest with Prometheus at that minute.
async fn assert_trend(what: &str, trend: &[f64], promql: &str) {
    assert_eq!(trend.len(), 60, "{what}");
    for i in (0..60).step_by(10).chain([59]) {
        let time = support::END - (59 - i as i64) * 60;
        let expected = prometheus_says_at(promql, time).await;
        assert_same(&format!("{what} point {i}"), Some(trend[i]), expected);
    }
}

#[tokio::test]
async fn latency_and_error_trends_of_each_service_match_prometheus() {
    let services = services().await;
    let names: Vec<&str> = services.iter().map(|s| s.service.as_str()).collect();
    assert_eq!(names, ["checkout", "idle", "search"]);
    for service in services.iter().filter(|s| s.service != "idle") {
        let name = &service.service;
        assert_eq!(service.step_seconds, 60);
        let bucket = format!(r#"http_request_duration_seconds_bucket{{service="{name}"}}"#);
        for (q, trend) in [
            (0.5, &service.p50),
            (0.95, &service.p95),
            (0.99, &service.p99),
        ] {
            let promql = format!("histogram_quantile({q}, sum by (le) (rate({bucket}[5m])))");
            assert_trend(&format!("{name} p{}", q * 100.0), trend, &promql).await;
        }
    }
    let rate = |s: &str, extra: &str| format!("sum(rate({}[5m]))", requests(s, extra));
    let checkout = &services[0];
    let promql = format!(
        "{} / {}",
        rate("checkout", r#",code=~"5..""#),
        rate("checkout", "")
    );
    assert_trend("checkout errors", &checkout.error_rate, &promql).await;
    let search = &services[2];
    let promql = format!(
        "1 - {} / {}",
        rate("search", r#",code="200""#),
        rate("search", "")
    );
    assert_trend("search errors", &search.error_rate, &promql).await;
    // The burst: checkout's newest error rate is far above its baseline an hour ago.
    assert!(checkout.error_rate[59] > 10.0 * checkout.error_rate[0]);
}

#[tokio::test]
async fn a_service_without_traffic_has_no_points_rather_than_zeros() {
    let services = services().await;
    let idle = services.iter().find(|s| s.service == "idle").unwrap();
    assert!(idle.error_rate.is_empty(), "{:?}", idle.error_rate);
    assert!(idle.p95.is_empty(), "idle has no latency SLO");
}
