//! OpenSLO budgeting methods and calendar windows mean what the file says, each checked
//! against numbers computed here independently of ondeck's queries:
//!
//! - Timeslices: Prometheus's per-slice ratios (`query_range` at the slice step), counted
//!   here: the share of slices whose ratio reaches `timeSliceTarget`.
//! - RatioTimeslices: the mean of those same per-slice ratios.
//! - Calendar windows: the period's start worked out here by hand, and Prometheus's ratio
//!   over exactly the seconds since then.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use ondeck::config::{Config, ConfigLocation};
use ondeck::model::SloObservation;
use ondeck::slo::{SloReport, Window, evaluate};
use ondeck::sources::prometheus::PrometheusSource;

use crate::support::{self, assert_same, prometheus_says};

fn at() -> DateTime<Utc> {
    Utc.timestamp_opt(support::END, 0).unwrap()
}

fn load() -> Config {
    let dir = std::env::temp_dir().join(format!("ondeck-budgeting-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/slo_files/budgeting/openslo.yaml");
    let text = format!(
        "slo_files = [{:?}]\n\n[[source]]\nname = \"prom\"\nkind = \"prometheus\"\nurl = \"{}\"\ntimeout = \"20s\"\n",
        fixture.display().to_string(),
        crate::server().url
    );
    std::fs::write(dir.join("ondeck.toml"), text).unwrap();
    let config = ondeck::config::load(&ConfigLocation::Explicit(dir.join("ondeck.toml"))).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    config
}

async fn observe(config: &Config) -> Vec<(SloObservation, SloReport)> {
    let prom = PrometheusSource::new(&config.sources[0], config.slos.clone()).unwrap();
    let fetched = prom.fetch(at()).await.unwrap();
    assert!(fetched.issues.is_empty(), "{:?}", fetched.issues);
    fetched
        .snapshot
        .slos
        .into_iter()
        .map(|o| {
            let report = evaluate(&o.spec, &o.counts, config.tiers_for(o.spec.period));
            (o, report)
        })
        .collect()
}

/// Checkout's good ratio in each 5-minute slice ending in the `w` before END (Prometheus
/// evaluates a subquery at every multiple of its step in that span, both ends included),
/// slices without traffic left out.
async fn slice_ratios(w: Window) -> Vec<f64> {
    let promql = r#"sum(rate(http_requests_total{service="checkout",code="200"}[5m])) / sum(rate(http_requests_total{service="checkout"}[5m]))"#;
    let start = (support::END - w.as_secs() as i64).to_string();
    let end = support::END.to_string();
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/query_range", crate::server().url))
        .form(&[
            ("query", promql),
            ("start", &start),
            ("end", &end),
            ("step", "300"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "success", "{body}");
    body["data"]["result"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p[1].as_str()?.parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .collect()
}

#[tokio::test]
async fn timeslices_count_good_slices_and_ratio_timeslices_average_them() {
    let config = load();
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    let observed = observe(&config).await;
    let (_, slices) = observed
        .iter()
        .find(|(o, _)| o.spec.id == "checkout/checkout-slices")
        .unwrap();
    let (_, ratio) = observed
        .iter()
        .find(|(o, _)| o.spec.id == "checkout/checkout-ratio-slices")
        .unwrap();
    let mut some_bad = false;
    for w in [
        Window::hours(1),
        Window::hours(6),
        Window::days(1),
        Window::days(3),
    ] {
        let ratios = slice_ratios(w).await;
        assert!(ratios.len() > 10, "{w}: {}", ratios.len());
        let good = ratios.iter().filter(|&&r| r >= 0.99).count() as f64;
        let share_good = good / ratios.len() as f64;
        some_bad |= share_good < 1.0;
        let expected_burn = (1.0 - share_good) / (1.0 - 0.95);
        assert_same(
            &format!("Timeslices burn {w}"),
            slices.burn_rates[&w],
            Some(expected_burn),
        );
        let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
        let expected_burn = (1.0 - mean) / (1.0 - 0.99);
        assert_same(
            &format!("RatioTimeslices burn {w}"),
            ratio.burn_rates[&w],
            Some(expected_burn),
        );
    }
    assert!(some_bad, "the checkout burst makes some slices bad");
    // The whole week: the history holds 3.5 days of slices.
    let ratios = slice_ratios(Window::days(7)).await;
    let good = ratios.iter().filter(|&&r| r >= 0.99).count() as f64 / ratios.len() as f64;
    assert_same("Timeslices SLI", slices.sli, Some(good));
}

#[tokio::test]
async fn calendar_windows_count_from_the_period_start_in_their_time_zone() {
    let config = load();
    let observed = observe(&config).await;
    // END is 2025-01-01T00:00Z: 31 December, 19:00 in New York. December began at midnight
    // New York time, 05:00 UTC, so the budget covers 30 days and 19 hours of a 31-day month.
    let (payments, report) = observed
        .iter()
        .find(|(o, _)| o.spec.id == "payments/payments-month")
        .unwrap();
    let december = Utc.with_ymd_and_hms(2024, 12, 1, 5, 0, 0).unwrap();
    let elapsed = Window::seconds((at() - december).num_seconds() as u64);
    assert_eq!(elapsed, Window::hours(30 * 24 + 19));
    assert_eq!(payments.spec.period, Window::days(31));
    assert_eq!(payments.spec.to_date, Some(elapsed));
    let ratio = |w: Window| {
        format!(
            r#"sum(rate(http_requests_total{{service="payments",code=~"5.."}}[{w}])) / sum(rate(http_requests_total{{service="payments"}}[{w}]))"#
        )
    };
    let sli = prometheus_says(&format!("1 - ({})", ratio(elapsed))).await;
    assert_same("December SLI", report.sli, sli);
    let left = prometheus_says(&format!("1 - ({}) / (1 - 0.999)", ratio(elapsed))).await;
    assert_same("December budget", report.budget_remaining, left);
    // The page tier's factor is 2% of a 31-day month in one hour.
    assert!((report.alerts[0].factor - 0.02 * 31.0 * 24.0).abs() < 1e-9);

    // Weeks from Monday midnight in Berlin: Monday 30 December, 23:00 UTC the day before.
    let (search, report) = observed
        .iter()
        .find(|(o, _)| o.spec.id == "search/search-week")
        .unwrap();
    assert_eq!(search.spec.period, Window::days(7));
    assert_eq!(search.spec.to_date, Some(Window::hours(49)));
    let sli = prometheus_says(
        r#"1 - sum(rate(http_requests_total{service="search",code=~"5.."}[49h])) / sum(rate(http_requests_total{service="search"}[49h]))"#,
    )
    .await;
    assert_same("week SLI", report.sli, sli);
}
