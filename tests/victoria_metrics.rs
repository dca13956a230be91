//! The exactness tests against VictoriaMetrics, the other Prometheus-compatible backend that
//! runs here: with the same history, every burn rate, SLI and tier ondeck shows equals
//! VictoriaMetrics's own answer to the equivalent query (its `rate` differs from
//! Prometheus's, so each backend is compared with itself), the silently-wrong latency cases
//! are caught the same way, and SLO files (Sloth, OpenSLO time slices and calendar windows)
//! measure what it says. Needs `victoria-metrics` (scripts/install-test-deps).

#[allow(dead_code)]
#[path = "support/prometheus.rs"]
mod support;
#[path = "support/victoria.rs"]
mod victoria;

use std::path::Path;
use std::time::Duration;

use chrono::{TimeZone, Utc};

use ondeck::config::{ConfigLocation, SloConfig, SloSliConfig, WINDOW_PLACEHOLDER};
use ondeck::model::SloObservation;
use ondeck::slo::{STANDARD_WINDOWS, SloReport, Window, default_tiers, evaluate};
use ondeck::sources::prometheus::PrometheusSource;
use support::assert_same;
use victoria::says;

fn slo(service: &str, name: &str, objective: f64, sli: SloSliConfig) -> SloConfig {
    SloConfig {
        name: name.into(),
        service: service.into(),
        objective,
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
    let mut out: Vec<SloConfig> = ["checkout", "search", "payments", "idle"]
        .iter()
        .map(|s| {
            let sli = SloSliConfig::BadRatio {
                bad: requests(s, r#",code=~"5..""#),
                total: requests(s, ""),
            };
            slo(s, "availability", 0.999, sli)
        })
        .collect();
    out.push(slo(
        "checkout",
        "success",
        0.995,
        SloSliConfig::GoodRatio {
            good: requests("checkout", r#",code="200""#),
            total: requests("checkout", ""),
        },
    ));
    for (service, metric) in [
        (
            "checkout",
            r#"http_request_duration_seconds{service="checkout"}"#,
        ),
        (
            "search",
            r#"http_request_duration_seconds_bucket{service="search"}"#,
        ),
    ] {
        let sli = SloSliConfig::Latency {
            metric: metric.into(),
            threshold: 0.25,
        };
        out.push(slo(service, "latency", 0.99, sli));
    }
    out
}

/// The error ratio of a fleet SLO over `w`, written by hand.
fn ratio(slo: &SloConfig, w: Window) -> String {
    let rate = |e: &str| format!("sum(rate({e}[{w}]))");
    match &slo.sli {
        SloSliConfig::BadRatio { bad, total } => format!("({} / {})", rate(bad), rate(total)),
        SloSliConfig::GoodRatio { good, total } => {
            format!("(1 - {} / {})", rate(good), rate(total))
        }
        SloSliConfig::Latency { .. } => {
            let s = &slo.service;
            format!(
                r#"(1 - {} / {})"#,
                rate(&format!(
                    r#"http_request_duration_seconds_bucket{{service="{s}",le="0.25"}}"#
                )),
                rate(&format!(
                    r#"http_request_duration_seconds_count{{service="{s}"}}"#
                ))
            )
        }
        SloSliConfig::ErrorEvents { errors, total } => format!(
            "(({}) / ({}))",
            errors.replace(WINDOW_PLACEHOLDER, &w.to_string()),
            total.replace(WINDOW_PLACEHOLDER, &w.to_string())
        ),
        SloSliConfig::ErrorRatio { ratio } => {
            format!("({})", ratio.replace(WINDOW_PLACEHOLDER, &w.to_string()))
        }
        other => panic!("not in these tests: {other:?}"),
    }
}

async fn observe(slos: Vec<SloConfig>) -> Vec<(SloObservation, SloReport)> {
    let source = support::source_config("vm", &victoria::server().url, Duration::from_secs(20));
    let prom = PrometheusSource::new(&source, slos).unwrap();
    let fetched = prom
        .fetch(Utc.timestamp_opt(support::END, 0).unwrap())
        .await
        .unwrap();
    fetched
        .snapshot
        .slos
        .into_iter()
        .map(|o| {
            let report = evaluate(&o.spec, &o.counts, &default_tiers());
            (o, report)
        })
        .collect()
}

#[tokio::test]
async fn burn_rates_sli_budget_and_tiers_match_victoria_metrics() {
    let slos = fleet();
    let observed = observe(slos.clone()).await;
    let mut fired = Vec::new();
    for (slo, (observation, report)) in slos.iter().zip(&observed) {
        let id = &observation.spec.id;
        assert!(
            observation.issues.is_empty(),
            "{id}: {:?}",
            observation.issues
        );
        let budget = 1.0 - slo.objective;
        for w in STANDARD_WINDOWS {
            let expected = says(&format!("{} / {budget}", ratio(slo, w))).await;
            assert_same(&format!("{id} burn {w}"), report.burn_rates[&w], expected);
        }
        let sli = says(&format!("1 - {}", ratio(slo, slo.window))).await;
        assert_same(&format!("{id} SLI"), report.sli, sli);
        let left = says(&format!("1 - {} / {budget}", ratio(slo, slo.window))).await;
        assert_same(&format!("{id} budget"), report.budget_remaining, left);
        for tier in &report.alerts {
            let f = tier.factor;
            let burn = |w: Window| format!("({} / {budget})", ratio(slo, w));
            let both = format!(
                "({} > bool {f}) * ({} > bool {f})",
                burn(tier.spec.long_window),
                burn(tier.spec.short_window)
            );
            assert_eq!(
                tier.firing,
                says(&both).await == Some(1.0),
                "{id} {:?}",
                tier.spec
            );
            if tier.firing {
                fired.push(format!("{id} {}", tier.spec.long_window));
            }
        }
    }
    assert!(
        fired.contains(&"checkout/availability 1h".to_string()),
        "{fired:?}"
    );
}

#[tokio::test]
async fn a_threshold_that_is_not_a_bucket_bound_lists_the_bounds_victoria_metrics_has() {
    let sli = SloSliConfig::Latency {
        metric: r#"http_request_duration_seconds_bucket{service="checkout"}"#.into(),
        threshold: 0.3,
    };
    let observed = observe(vec![slo("checkout", "latency", 0.99, sli)]).await;
    let (observation, report) = &observed[0];
    assert_eq!(report.sli, None);
    assert!(report.alerts.iter().all(|t| !t.firing));
    assert_eq!(
        observation.issues,
        [
            r#"threshold 0.3 is not a bucket bound of http_request_duration_seconds{service="checkout"}: its bounds are 0.1, 0.25, 0.5, 1, +Inf"#
        ]
    );
}

#[tokio::test]
async fn slo_files_with_time_slices_and_calendar_windows_measure_what_victoria_metrics_says() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/slo_files");
    let dir = std::env::temp_dir().join(format!("ondeck-vm-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = format!(
        "slo_files = [{:?}, {:?}, {:?}]\n\n[[source]]\nname = \"prom\"\nkind = \"prometheus\"\nurl = \"{}\"\ntimeout = \"20s\"\n",
        fixtures.join("sloth/checkout.yaml").display().to_string(),
        fixtures.join("openslo.yaml").display().to_string(),
        fixtures
            .join("budgeting/openslo.yaml")
            .display()
            .to_string(),
        victoria::server().url
    );
    std::fs::write(dir.join("ondeck.toml"), text).unwrap();
    let config = ondeck::config::load(&ConfigLocation::Explicit(dir.join("ondeck.toml"))).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(config.slos.len(), 8, "{:?}", config.warnings);
    let prom = PrometheusSource::new(&config.sources[0], config.slos.clone()).unwrap();
    let fetched = prom
        .fetch(Utc.timestamp_opt(support::END, 0).unwrap())
        .await
        .unwrap();
    assert!(fetched.issues.is_empty(), "{:?}", fetched.issues);
    for (slo, observation) in config.slos.iter().zip(&fetched.snapshot.slos) {
        let id = &observation.spec.id;
        let report = evaluate(&observation.spec, &observation.counts, &default_tiers());
        let budget = 1.0 - slo.objective;
        let hand = |w: Window| match &slo.sli {
            SloSliConfig::BadRatio { bad, total } => {
                format!("(sum(rate({bad}[{w}])) / sum(rate({total}[{w}])))")
            }
            SloSliConfig::GoodRatio { good, total } => {
                format!("(1 - sum(rate({good}[{w}])) / sum(rate({total}[{w}])))")
            }
            _ => ratio(slo, w),
        };
        for w in STANDARD_WINDOWS {
            let expected = says(&format!("{} / {budget}", hand(w))).await;
            assert_same(&format!("{id} burn {w}"), report.burn_rates[&w], expected);
        }
        let sli = says(&format!("1 - {}", hand(observation.spec.budget_window()))).await;
        assert_same(&format!("{id} SLI"), report.sli, sli);
    }
}
