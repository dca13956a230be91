//! The metrics feed: fleet shape, budgets, the checkout burn timing and window arithmetic.

use super::*;
use crate::model::{TraceKind, TraceSearch};
use crate::slo::{STANDARD_WINDOWS, Severity, SliKind, Window};
use crate::sources::{IncidentSource, TraceSource};

#[tokio::test]
async fn same_seed_and_instants_give_the_same_world() {
    let (a, b) = (demo(SEED), demo(SEED));
    for at in [secs(0), secs(47), secs(1234)] {
        assert_eq!(metrics(&a, at).await, metrics(&b, at).await);
    }
    assert_eq!(a.fetch_incidents().await, b.fetch_incidents().await);
    let search = TraceSearch::new("checkout", TraceKind::Slow, 10);
    assert_eq!(
        a.search_traces(&search, secs(5)).await,
        b.search_traces(&search, secs(5)).await
    );
    assert_ne!(
        metrics(&a, secs(0)).await,
        metrics(&demo(SEED + 1), secs(0)).await
    );
}

#[tokio::test]
async fn the_fleet_is_big_and_varied() {
    let snapshot = metrics(&demo(SEED), secs(0)).await;
    assert!(snapshot.services.len() >= 6);
    assert!(snapshot.slos.len() >= 10);
    let objectives: Vec<f64> = snapshot.slos.iter().map(|o| o.spec.objective).collect();
    assert!(
        objectives
            .iter()
            .all(|o| [0.99, 0.995, 0.999, 0.9995, 0.9999].contains(o))
    );
    assert!(objectives.contains(&0.99) && objectives.contains(&0.9999));
    assert!(
        snapshot
            .slos
            .iter()
            .all(|o| o.spec.period == Window::days(30))
    );
    let latency = snapshot
        .slos
        .iter()
        .filter(|o| matches!(o.spec.sli, SliKind::Latency { .. }))
        .count();
    assert!(latency >= 3 && latency < snapshot.slos.len());
}

#[tokio::test]
async fn budgets_range_from_healthy_to_exhausted() {
    for seed in [SEED, 1, 99] {
        let snapshot = metrics(&demo(seed), secs(0)).await;
        let left: Vec<f64> = reports(&snapshot)
            .values()
            .filter_map(|r| r.budget_remaining)
            .collect();
        let count = |lo: f64, hi: f64| left.iter().filter(|&&b| b >= lo && b < hi).count();
        assert!(count(0.5, 0.95) >= 7, "seed {seed}: {left:?}");
        assert!((1..=2).contains(&count(0.1, 0.3)), "seed {seed}: {left:?}");
        assert!(count(f64::NEG_INFINITY, 0.1) >= 1, "seed {seed}: {left:?}");
    }
}

#[tokio::test]
async fn checkout_pages_half_a_minute_after_the_start_and_keeps_paging() {
    for seed in [SEED, 0, 12_345, u64::MAX] {
        let source = demo(seed);
        let at_start = metrics(&source, secs(0)).await;
        assert!(
            !page_fast_firing(&at_start, "checkout/availability"),
            "seed {seed}"
        );
        // The short window is already hot: only the hour's budget spend is missing.
        let report = &reports(&at_start)["checkout/availability"];
        assert!(report.alerts[0].short_burn.unwrap() > 20.0);
        assert!(report.alerts[0].long_burn.unwrap() > 13.5);
        for later in [30, 60, 5 * 60, 20 * 60] {
            let snapshot = metrics(&source, secs(later)).await;
            assert!(
                page_fast_firing(&snapshot, "checkout/availability"),
                "seed {seed} +{later}s"
            );
        }
        // Nothing else pages at the start.
        let paging: Vec<String> = reports(&at_start)
            .values()
            .filter(|r| {
                r.alerts
                    .iter()
                    .any(|a| a.firing && a.spec.severity == Severity::Page)
            })
            .map(|r| r.spec.id.clone())
            .collect();
        assert!(paging.is_empty(), "{paging:?}");
    }
}

#[tokio::test]
async fn a_slow_burn_opens_a_ticket() {
    let snapshot = metrics(&demo(SEED), secs(0)).await;
    let ticketing: Vec<String> = reports(&snapshot)
        .values()
        .filter(|r| {
            r.worst_firing()
                .is_some_and(|t| t.spec.severity == Severity::Ticket)
        })
        .map(|r| r.spec.id.clone())
        .collect();
    assert_eq!(ticketing, vec!["inventory/availability".to_string()]);
}

#[tokio::test]
async fn window_counts_nest_and_never_show_more_bad_than_total() {
    let source = demo(SEED);
    for at in [secs(0), secs(333), secs(4 * 3600 + 7)] {
        let snapshot = metrics(&source, at).await;
        for o in &snapshot.slos {
            let mut windows: Vec<Window> = STANDARD_WINDOWS.to_vec();
            windows.push(o.spec.period);
            let mut previous = (0.0, 0.0);
            for w in windows {
                let c = o.counts[&w];
                assert!(c.bad >= 0.0 && c.bad <= c.total, "{} {w}", o.spec.id);
                assert!(
                    c.total >= previous.1 && c.bad >= previous.0,
                    "{} {w}",
                    o.spec.id
                );
                previous = (c.bad, c.total);
            }
            assert_eq!(o.trend.len(), 48);
        }
    }
}

#[tokio::test]
async fn numbers_move_every_few_seconds_and_trends_show_the_burn() {
    let source = demo(SEED);
    let (a, b) = (
        metrics(&source, secs(101)).await,
        metrics(&source, secs(111)).await,
    );
    let five = Window::minutes(5);
    assert!(
        a.slos
            .iter()
            .zip(&b.slos)
            .all(|(x, y)| x.counts[&five] != y.counts[&five])
    );
    let later = metrics(&source, secs(20 * 60)).await;
    let checkout = later
        .slos
        .iter()
        .find(|o| o.spec.id == "checkout/availability");
    let trend = &checkout.map(|o| o.trend.clone()).unwrap_or_default();
    assert!(trend[47] > 14.4 && trend[40] < 2.0, "{trend:?}");
    let service = later
        .services
        .iter()
        .find(|s| s.service == "checkout")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            service.p99.len(),
            service.error_rate.len(),
            service.step_seconds
        ),
        (60, 60, 60)
    );
    // An hour ago checkout was fine; now about 3% of requests fail and the tail is slow.
    assert!(
        service.error_rate[0] < 0.002 && service.error_rate[59] > 0.02,
        "{:?}",
        service.error_rate
    );
    assert!(service.p99[59] > 2.0 * service.p99[0]);
    for s in &later.services {
        for i in 0..60 {
            assert!(
                s.p50[i] <= s.p95[i] && s.p95[i] <= s.p99[i],
                "{}",
                s.service
            );
        }
    }
}
