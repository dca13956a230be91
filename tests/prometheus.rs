//! ondeck's SLO numbers against a real Prometheus with known history: every burn rate, SLI,
//! budget and tier state must equal Prometheus's own answer for hand-written PromQL at the
//! same evaluation time, to a relative error of 1e-9. Needs `prometheus` and `promtool`
//! (scripts/install-test-deps); without them these tests fail, they never skip.

#[path = "support/prometheus.rs"]
mod support;

use support::{assert_same, prometheus_says, prometheus_says_at};

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};

use ondeck::config::{SloConfig, SloSliConfig, SourceConfig};
use ondeck::model::SloObservation;
use ondeck::slo::{STANDARD_WINDOWS, SloReport, Window, default_tiers, evaluate};
use ondeck::sources::SourceError;
use ondeck::sources::prometheus::{Cause, PrometheusSource};

const PERIOD: Window = Window::days(30);

fn at() -> DateTime<Utc> {
    Utc.timestamp_opt(support::END, 0).unwrap()
}

fn source(url: &str, timeout: Duration) -> SourceConfig {
    support::source_config("prom", url, timeout)
}

fn requests(service: &str, extra: &str) -> String {
    format!(r#"http_requests_total{{service="{service}"{extra}}}"#)
}

fn slo(service: &str, name: &str, objective: f64, sli: SloSliConfig) -> SloConfig {
    SloConfig {
        name: name.into(),
        service: service.into(),
        objective,
        window: PERIOD,
        period: None,
        source: None,
        sli,
    }
}

fn errors_slo(service: &str, objective: f64) -> SloConfig {
    let sli = SloSliConfig::BadRatio {
        bad: requests(service, r#",code=~"5..""#),
        total: requests(service, ""),
    };
    slo(service, "availability", objective, sli)
}

fn success_slo(service: &str) -> SloConfig {
    let sli = SloSliConfig::GoodRatio {
        good: requests(service, r#",code="200""#),
        total: requests(service, ""),
    };
    slo(service, "success", 0.995, sli)
}

fn latency_slo(service: &str) -> SloConfig {
    let sli = SloSliConfig::Latency {
        metric: format!(r#"http_request_duration_seconds{{service="{service}"}}"#),
        threshold: 0.25,
    };
    slo(service, "latency", 0.99, sli)
}

/// Ratio SLOs of both kinds and latency SLOs over four services: five shapes in all
/// (5xx, all requests, 200s, the 0.25 s bucket, the histogram count).
fn fleet() -> Vec<SloConfig> {
    vec![
        errors_slo("checkout", 0.999),
        errors_slo("search", 0.999),
        errors_slo("payments", 0.999),
        errors_slo("idle", 0.999),
        success_slo("checkout"),
        success_slo("search"),
        latency_slo("checkout"),
        latency_slo("search"),
    ]
}

/// The error ratio of an SLO over `w` as a hand-written PromQL expression.
fn error_ratio_promql(slo: &SloConfig, w: Window) -> String {
    let rate = |e: &str| format!("sum(rate({e}[{w}]))");
    match &slo.sli {
        SloSliConfig::BadRatio { bad, total } => format!("({} / {})", rate(bad), rate(total)),
        SloSliConfig::GoodRatio { good, total } => {
            format!("(1 - {} / {})", rate(good), rate(total))
        }
        SloSliConfig::Latency { metric, threshold } => {
            let (name, labels) = metric.split_once('{').unwrap();
            let labels = labels.trim_end_matches('}');
            let bucket = format!(r#"{name}_bucket{{{labels},le="{threshold}"}}"#);
            let count = format!("{name}_count{{{labels}}}");
            format!("(1 - {} / {})", rate(&bucket), rate(&count))
        }
        other => panic!("the fleet has no templated SLIs: {other:?}"),
    }
}

fn burn_promql(slo: &SloConfig, w: Window) -> String {
    format!("{} / (1 - {})", error_ratio_promql(slo, w), slo.objective)
}

async fn observe(slos: Vec<SloConfig>) -> (PrometheusSource, Vec<SloObservation>) {
    let url = &support::server().url;
    let prom = PrometheusSource::new(&source(url, Duration::from_secs(20)), slos).unwrap();
    let fetched = prom.fetch(at()).await.unwrap();
    assert!(fetched.issues.is_empty(), "{:?}", fetched.issues);
    assert_eq!(fetched.snapshot.at, at());
    (prom, fetched.snapshot.slos)
}

fn report(observation: &SloObservation) -> SloReport {
    evaluate(&observation.spec, &observation.counts, &default_tiers())
}

#[tokio::test]
async fn every_window_burn_rate_matches_prometheus() {
    let slos = fleet();
    let (_, observations) = observe(slos.clone()).await;
    for (slo, observation) in slos.iter().zip(&observations) {
        let report = report(observation);
        for w in STANDARD_WINDOWS {
            let expected = prometheus_says(&burn_promql(slo, w)).await;
            let what = format!("{} burn {w}", observation.spec.id);
            assert_same(&what, report.burn_rates[&w], expected);
        }
    }
    let checkout = report(&observations[0]);
    assert!(
        checkout.current_burn().unwrap() > 14.4,
        "the burst must be visible"
    );
}

#[tokio::test]
async fn sli_and_budget_over_the_period_match_prometheus() {
    let slos = fleet();
    let (_, observations) = observe(slos.clone()).await;
    for (slo, observation) in slos.iter().zip(&observations) {
        let report = report(observation);
        let id = &observation.spec.id;
        // The history covers 3.5 days, so Prometheus's 30d rate is over the data it has.
        let ratio = error_ratio_promql(slo, PERIOD);
        let sli = prometheus_says(&format!("1 - {ratio}")).await;
        assert_same(&format!("{id} SLI"), report.sli, sli);
        let budget = prometheus_says(&format!("1 - {}", burn_promql(slo, PERIOD))).await;
        assert_same(&format!("{id} budget"), report.budget_remaining, budget);
    }
}

#[tokio::test]
async fn tier_firing_matches_prometheus_booleans() {
    let slos = fleet();
    let (_, observations) = observe(slos.clone()).await;
    let mut fired = Vec::new();
    for (slo, observation) in slos.iter().zip(&observations) {
        for tier in report(observation).alerts {
            let f = tier.factor;
            let long = burn_promql(slo, tier.spec.long_window);
            let short = burn_promql(slo, tier.spec.short_window);
            let both = format!("({long} > bool {f}) * ({short} > bool {f})");
            let expected = prometheus_says(&both).await == Some(1.0);
            let what = format!("{} tier {}", observation.spec.id, tier.spec.long_window);
            assert_eq!(tier.firing, expected, "{what}");
            if tier.firing {
                fired.push(what);
            }
        }
    }
    // The history is built so that at least these tiers fire (1% errors on 99.9% is 10x).
    for expected in [
        "checkout/availability tier 1h",
        "payments/availability tier 6h",
    ] {
        assert!(fired.iter().any(|f| f == expected), "{fired:?}");
    }
}

#[tokio::test]
async fn the_trend_is_the_1h_burn_rate_every_30_minutes_over_a_day() {
    let slos = vec![
        errors_slo("checkout", 0.999),
        latency_slo("checkout"),
        errors_slo("idle", 0.999),
    ];
    let (_, observations) = observe(slos.clone()).await;
    for (slo, observation) in slos.iter().zip(&observations) {
        assert_eq!(observation.trend.len(), 48, "{}", observation.spec.id);
        let promql = burn_promql(slo, Window::hours(1));
        for (i, point) in observation.trend.iter().enumerate() {
            let time = support::END - (47 - i as i64) * 1800;
            // No traffic is drawn as 0 in the sparkline.
            let expected = prometheus_says_at(&promql, time).await.unwrap_or(0.0);
            let what = format!("{} trend point {i}", observation.spec.id);
            assert_same(&what, Some(*point), Some(expected));
        }
    }
    // The checkout burst began 50 minutes before the end: only the newest points show it.
    let checkout = &observations[0].trend;
    assert!(checkout[47] > 14.4 && checkout[44] < 1.0, "{checkout:?}");
}

#[tokio::test]
async fn a_service_without_traffic_has_no_data_not_zero() {
    let (_, observations) = observe(vec![errors_slo("idle", 0.999)]).await;
    let report = report(&observations[0]);
    for w in [Window::minutes(5), Window::hours(1), Window::hours(2)] {
        assert_eq!(report.burn_rates[&w], None, "{w}");
    }
    assert!(report.burn_rates[&Window::days(1)].is_some());
}

#[tokio::test]
async fn one_refresh_costs_windows_times_shapes_requests() {
    let (prom, _) = observe(fleet()).await;
    // Every window plus the 30d period, and one range request per shape for the trend; then
    // service trends: three quantiles of the one histogram, and one error rate from the
    // shape pair of each service's first availability SLO (5xx/all for every service); and
    // the one recording-rule probe (this Prometheus has no rules, so nothing is replaced).
    let per_shape = STANDARD_WINDOWS.len() + 1 + 1;
    let cost = (per_shape * 5 + 3 + 1 + 1) as u64;
    assert_eq!(prom.plan().shapes.len(), 5);
    assert_eq!(prom.requests_sent(), cost);
    // Twice the SLOs of the same shapes cost nothing more.
    let more: Vec<SloConfig> = fleet()
        .into_iter()
        .chain(["cart", "auth", "edge", "docs"].map(|s| errors_slo(s, 0.999)))
        .collect();
    let url = &support::server().url;
    let prom = PrometheusSource::new(&source(url, Duration::from_secs(20)), more).unwrap();
    let fetched = prom.fetch(at()).await.unwrap();
    assert_eq!(fetched.snapshot.slos.len(), 12);
    assert_eq!(prom.requests_sent(), cost);
    // Those services have no series at all: each says so instead of a quiet null.
    let quiet: Vec<&String> = fetched.snapshot.slos[8..]
        .iter()
        .flat_map(|o| &o.issues)
        .collect();
    assert_eq!(
        quiet,
        ["cart", "auth", "edge", "docs"].map(|s| format!(
            r#"no series match http_requests_total{{service="{s}"}} (5m, 30m, 1h, 2h, 6h, 1d, 3d, 30d)"#
        ))
        .iter()
        .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_rejected_query_is_reported_against_its_slo_only() {
    let mut slos = fleet();
    slos.push(slo(
        "broken",
        "availability",
        0.999,
        SloSliConfig::BadRatio {
            bad: r#"http_requests_total{service="broken""#.into(),
            total: requests("broken", ""),
        },
    ));
    let url = &support::server().url;
    let prom = PrometheusSource::new(&source(url, Duration::from_secs(20)), slos).unwrap();
    let fetched = prom.fetch(at()).await.unwrap();
    assert_eq!(fetched.issues.len(), 1, "{:?}", fetched.issues);
    let issue = &fetched.issues[0];
    assert_eq!(issue.slo_id, "broken/availability");
    assert_eq!(issue.windows.len(), STANDARD_WINDOWS.len() + 1);
    match &issue.error {
        Cause::Query(SourceError::Rejected(message)) => {
            assert!(message.starts_with("bad_data"), "{message}")
        }
        other => panic!("expected bad_data, got {other:?}"),
    }
    let observations = &fetched.snapshot.slos;
    assert!(observations.last().unwrap().counts.is_empty());
    assert!(report(&observations[0]).current_burn().is_some());
}

#[tokio::test]
async fn a_server_that_is_not_listening_is_unreachable_quickly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let prom = PrometheusSource::new(&source(&url, Duration::from_secs(10)), fleet()).unwrap();
    let started = Instant::now();
    let error = prom.fetch(at()).await.unwrap_err();
    assert!(matches!(error, SourceError::Unreachable(_)), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_server_that_never_answers_hits_the_timeout() {
    // The kernel accepts connections on a bound listener; nobody ever reads or answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let timeout = Duration::from_millis(500);
    let prom = PrometheusSource::new(&source(&url, timeout), vec![errors_slo("a", 0.99)]).unwrap();
    let started = Instant::now();
    let error = prom.fetch(at()).await.unwrap_err();
    assert_eq!(error, SourceError::Timeout(500));
    let took = started.elapsed();
    // The rule probe, then two shapes over eight windows, two trend ranges and one
    // error-rate range, four at a time: six rounds of one timeout each, never more.
    assert!(took >= timeout && took < Duration::from_secs(4), "{took:?}");
}

/// Silently wrong once: `metric = "…_seconds_bucket{…}"` (the form config.example.toml showed)
/// queried `…_bucket_bucket` and `…_bucket_count`, and every value was null without a word.
#[tokio::test]
async fn a_latency_metric_written_with_bucket_measures_the_same_histogram() {
    let plain = latency_slo("checkout");
    let mut suffixed = plain.clone();
    suffixed.name = "latency-bucket".into();
    suffixed.sli = SloSliConfig::Latency {
        metric: r#"http_request_duration_seconds_bucket{service="checkout"}"#.into(),
        threshold: 0.25,
    };
    let (_, observations) = observe(vec![plain.clone(), suffixed]).await;
    let (plain_report, suffixed_report) = (report(&observations[0]), report(&observations[1]));
    for w in STANDARD_WINDOWS {
        let expected = prometheus_says(&burn_promql(&plain, w)).await;
        assert!(expected.is_some(), "{w}: the histogram has data");
        assert_same(
            &format!("bucket form {w}"),
            suffixed_report.burn_rates[&w],
            expected,
        );
        assert_eq!(suffixed_report.burn_rates[&w], plain_report.burn_rates[&w]);
    }
    assert_eq!(suffixed_report.sli, plain_report.sli);
}

/// Silently wrong once: a threshold between two bucket bounds (0.3 between 0.25 and 0.5)
/// queried an `le` that does not exist: SLI 0%, budget -9900%, every tier paging. Now the
/// SLO has no numbers and an error that lists the bounds the histogram has.
#[tokio::test]
async fn a_threshold_that_is_not_a_bucket_bound_is_an_error_listing_the_bounds() {
    let mut between = latency_slo("checkout");
    between.sli = SloSliConfig::Latency {
        metric: r#"http_request_duration_seconds{service="checkout"}"#.into(),
        threshold: 0.3,
    };
    let url = &support::server().url;
    let prom = PrometheusSource::new(
        &source(url, Duration::from_secs(20)),
        vec![between, latency_slo("search")],
    )
    .unwrap();
    let fetched = prom.fetch(at()).await.unwrap();
    let checkout = &fetched.snapshot.slos[0];
    let report = report(checkout);
    assert_eq!(report.sli, None);
    assert_eq!(report.budget_remaining, None);
    assert!(
        report.alerts.iter().all(|t| !t.firing),
        "{:?}",
        report.alerts
    );
    assert!(checkout.counts.is_empty(), "{:?}", checkout.counts);
    assert_eq!(
        checkout.issues,
        [
            r#"threshold 0.3 is not a bucket bound of http_request_duration_seconds{service="checkout"}: its bounds are 0.1, 0.25, 0.5, 1, +Inf"#
        ]
    );
    // The other latency SLO of the same histogram keeps its numbers.
    assert!(fetched.snapshot.slos[1].issues.is_empty());
    assert!(self::report(&fetched.snapshot.slos[1]).sli.is_some());
}
