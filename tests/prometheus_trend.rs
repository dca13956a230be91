//! The sparkline trend's cache against a real Prometheus: a later refresh asks only for the
//! instants after the last one it fetched, and the merged trend equals what a source with an
//! empty cache computes at the same instant; a new trend width changes the step, the number
//! of points, and refetches the whole day.

#[path = "support/prometheus.rs"]
mod support;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use ondeck::config::{SloConfig, SloSliConfig};
use ondeck::slo::Window;
use ondeck::sources::prometheus::{Fetched, PrometheusSource};
use support::assert_same;

fn source() -> PrometheusSource {
    let config = support::source_config("prom", &support::server().url, Duration::from_secs(20));
    PrometheusSource::new(&config, slos()).unwrap()
}

fn slos() -> Vec<SloConfig> {
    let requests = |s: &str, extra: &str| format!(r#"http_requests_total{{service="{s}"{extra}}}"#);
    let slo = |service: &str, name: &str, sli| SloConfig {
        name: name.into(),
        service: service.into(),
        objective: 0.999,
        window: Window::days(30),
        period: None,
        source: None,
        sli,
    };
    let errors = |s: &str| SloSliConfig::BadRatio {
        bad: requests(s, r#",code=~"5..""#),
        total: requests(s, ""),
    };
    vec![
        slo("checkout", "availability", errors("checkout")),
        slo("search", "availability", errors("search")),
        slo(
            "checkout",
            "latency",
            SloSliConfig::Latency {
                metric: r#"http_request_duration_seconds{service="checkout"}"#.into(),
                threshold: 0.25,
            },
        ),
    ]
}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(seconds, 0).unwrap()
}

fn assert_same_trends(what: &str, cached: &Fetched, fresh: &Fetched) {
    let (cached, fresh) = (&cached.snapshot.slos, &fresh.snapshot.slos);
    assert_eq!(cached.len(), fresh.len());
    for (c, f) in cached.iter().zip(fresh) {
        assert_eq!(c.trend.len(), f.trend.len(), "{what} {}", c.spec.id);
        assert!(!c.trend.is_empty(), "{what} {}", c.spec.id);
        for (i, (a, b)) in c.trend.iter().zip(&f.trend).enumerate() {
            let what = format!("{what} {} point {i}", c.spec.id);
            assert_same(&what, Some(*a), Some(*b));
        }
    }
}

#[tokio::test]
async fn a_later_refresh_fetches_only_the_newest_points_and_matches_a_fresh_fetch() {
    let prom = source();
    let first_at = at(support::END - 2 * 3600 + 7 * 60);
    let first = prom.fetch(first_at).await.unwrap();
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    assert!(!first.trend_requests.is_empty());
    let first_end = support::END - 2 * 3600;
    for request in &first.trend_requests {
        assert!(request.full, "{request:?}");
        assert_eq!(request.step, 1800);
        assert_eq!(request.end, first_end, "aligned to the step");
        assert_eq!(request.start, first_end - 47 * 1800);
    }

    let later = at(support::END + 11 * 60);
    let second = prom.fetch(later).await.unwrap();
    assert_eq!(second.trend_requests.len(), first.trend_requests.len());
    for request in &second.trend_requests {
        assert!(!request.full, "{request:?}");
        assert!(request.start > first_end, "{request:?}");
        assert_eq!(
            (request.start, request.end),
            (first_end + 1800, support::END)
        );
    }
    let fresh = source().fetch(later).await.unwrap();
    assert!(fresh.trend_requests.iter().all(|r| r.full));
    assert_same_trends("merged", &second, &fresh);
    assert_eq!(second.snapshot.slos[0].trend.len(), 48);

    // Nothing new on the grid: the trend comes from the cache alone.
    let again = prom.fetch(at(support::END + 20 * 60)).await.unwrap();
    assert!(
        again.trend_requests.is_empty(),
        "{:?}",
        again.trend_requests
    );
    assert_same_trends("cached", &again, &fresh);

    // An earlier instant than the cache holds fetches the whole day again.
    let back = prom.fetch(first_at).await.unwrap();
    assert!(
        back.trend_requests
            .iter()
            .all(|r| r.full && r.end == first_end)
    );
    assert_same_trends("back", &back, &first);
}

#[tokio::test]
async fn a_new_trend_width_changes_the_step_and_refetches() {
    let prom = source();
    let when = at(support::END);
    let narrow = prom.fetch(when).await.unwrap();
    assert_eq!(narrow.snapshot.slos[0].trend.len(), 48);

    prom.trend_width().set(100);
    let wide = prom.fetch(when).await.unwrap();
    assert!(!wide.trend_requests.is_empty());
    for request in &wide.trend_requests {
        // 24 h over 100 points is 14.4 minutes, rounded up to 15: 96 points fit in a day.
        assert!(request.full, "{request:?}");
        assert_eq!(request.step, 900);
        assert_eq!(request.start, support::END - 95 * 900);
    }
    assert_eq!(wide.snapshot.slos[0].trend.len(), 96);

    let fresh = source();
    fresh.trend_width().set(100);
    assert_same_trends("wide", &wide, &fresh.fetch(when).await.unwrap());
    // The 30-minute points are the same instants in both widths.
    let (narrow, wide) = (&narrow.snapshot.slos[0].trend, &wide.snapshot.slos[0].trend);
    assert_same("newest point", Some(narrow[47]), Some(wide[95]));
    assert_same("a day ago", Some(narrow[0]), Some(wide[1]));
}
