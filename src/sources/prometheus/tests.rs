//! Planning and assembly without a server: batching by shape, and answers mapped back to
//! the right SLOs. The same numbers against a real Prometheus are in tests/prometheus.rs.

use std::collections::BTreeMap;

use super::api::{Answer, Sample};
use super::assemble::{Answers, Values, assemble};
use super::plan::{QueryPlan, ShapeKind};
use crate::config::{SloConfig, SloSliConfig};
use crate::slo::{Counts, STANDARD_WINDOWS, Window};
use crate::sources::SourceError;

fn avail(service: &str) -> SloConfig {
    SloConfig {
        name: "availability".into(),
        service: service.into(),
        objective: 0.999,
        window: Window::days(30),
        period: None,
        source: None,
        sli: SloSliConfig::BadRatio {
            bad: format!(r#"http_requests_total{{service="{service}",code=~"5.."}}"#),
            total: format!(r#"http_requests_total{{service="{service}"}}"#),
        },
    }
}

fn latency(service: &str) -> SloConfig {
    SloConfig {
        name: "latency".into(),
        sli: SloSliConfig::Latency {
            metric: format!(r#"http_request_duration_seconds{{service="{service}"}}"#),
            threshold: 0.25,
        },
        ..avail(service)
    }
}

#[test]
fn slos_of_one_shape_share_one_query_per_window() {
    let slos: Vec<SloConfig> = ["checkout", "search", "a.b"]
        .iter()
        .flat_map(|s| [avail(s), latency(s)])
        .collect();
    let plan = QueryPlan::build(&slos, &[]);
    // bad, total, bucket, count: four shapes, each over 7 standard windows + 30d.
    assert_eq!(plan.shapes.len(), 4);
    assert_eq!(plan.request_count(), 4 * (STANDARD_WINDOWS.len() + 1));
    let queries = plan.queries();
    assert_eq!(queries.len(), plan.request_count());
    let promql: Vec<&str> = queries
        .iter()
        .filter(|q| q.window == Window::hours(1))
        .map(|q| q.promql.as_str())
        .collect();
    assert_eq!(
        promql,
        [
            r#"sum by (service) (rate(http_requests_total{code=~"5..",service=~"a\\.b|checkout|search"}[1h]))"#,
            r#"sum by (service) (rate(http_requests_total{service=~"a\\.b|checkout|search"}[1h]))"#,
            r#"sum by (service) (rate(http_request_duration_seconds_bucket{le="0.25",service=~"a\\.b|checkout|search"}[1h]))"#,
            r#"sum by (service) (rate(http_request_duration_seconds_count{service=~"a\\.b|checkout|search"}[1h]))"#,
        ]
    );
}

#[test]
fn other_expressions_are_queried_alone_and_only_once() {
    let mut odd = avail("checkout");
    odd.sli = SloSliConfig::GoodRatio {
        good: "sum(x)".into(),
        total: r#"http_requests_total{job="api"}"#.into(),
    };
    let mut twin = odd.clone();
    twin.name = "twin".into();
    twin.window = Window::days(7);
    let plan = QueryPlan::build(&[odd, twin], &[Window::minutes(10)]);
    assert_eq!(plan.shapes.len(), 2);
    assert_eq!(
        plan.shapes[0].kind,
        ShapeKind::Single {
            expr: "sum(x)".into(),
            group: Vec::new(),
            func: super::plan::RangeFn::Rate,
        }
    );
    // Standard windows + the extra tier window + both periods.
    assert_eq!(plan.shapes[0].windows.len(), STANDARD_WINDOWS.len() + 3);
    let first = &plan.queries()[0];
    assert_eq!(first.promql, "sum(rate(sum(x)[5m]))");
    assert_eq!(
        plan.queries()[plan.shapes[0].windows.len()].promql,
        r#"sum(rate(http_requests_total{job="api"}[5m]))"#
    );
}

#[test]
fn an_unplannable_latency_slo_is_reported_not_dropped() {
    let mut slo = latency("checkout");
    slo.sli = SloSliConfig::Latency {
        metric: "histogram_quantile(0.9, x)".into(),
        threshold: 0.25,
    };
    let plan = QueryPlan::build(&[slo], &[]);
    assert_eq!(plan.request_count(), 0);
    let (observations, issues) = assemble(&plan, &Answers::new());
    assert_eq!(observations.len(), 1);
    assert!(observations[0].counts.is_empty());
    assert_eq!(issues[0].slo_id, "checkout/latency");
    assert!(matches!(
        issues[0].error,
        super::assemble::Cause::Definition(_)
    ));
}

fn answer(values: &[(&str, f64)]) -> Answer {
    Answer {
        samples: values
            .iter()
            .map(|(service, value)| Sample {
                labels: BTreeMap::from([("service".to_string(), service.to_string())]),
                value: *value,
            })
            .collect(),
        warnings: Vec::new(),
    }
}

#[test]
fn answers_go_back_to_their_slo_and_errors_only_to_theirs() {
    let slos = [avail("checkout"), avail("search"), avail("idle")];
    let plan = QueryPlan::build(&slos, &[]);
    let mut answers = Answers::new();
    for q in plan.queries() {
        let kind = &plan.shapes[q.shape].kind;
        let entry = match (q.shape, q.window == Window::hours(6)) {
            (_, true) => Err(SourceError::Rejected("bad_data: boom".into())),
            // No 5xx series for search; idle has no traffic.
            (0, false) => Ok(Values::from_answer(kind, &answer(&[("checkout", 2.0)]))),
            _ => Ok(Values::from_answer(
                kind,
                &answer(&[("checkout", 100.0), ("search", 50.0), ("idle", 0.0)]),
            )),
        };
        answers.insert((q.shape, q.window), entry);
    }
    let (obs, issues) = assemble(&plan, &answers);
    let h1 = Window::hours(1);
    assert_eq!(
        obs[0].counts[&h1],
        Counts {
            bad: 2.0,
            total: 100.0
        }
    );
    assert_eq!(
        obs[1].counts[&h1],
        Counts {
            bad: 0.0,
            total: 50.0
        }
    );
    assert_eq!(crate::slo::math::burn_rate(obs[2].counts[&h1], 0.999), None);
    assert!(!obs[0].counts.contains_key(&Window::hours(6)));
    assert_eq!(issues.len(), 3);
    assert!(issues.iter().all(|i| i.windows == [Window::hours(6)]));
}

#[test]
fn trend_points_land_on_their_instants_and_a_failed_range_leaves_no_trend() {
    use super::api::{RangeAnswer, Series};
    use super::trend::{TrendAnswers, TrendGrid, TrendValues, trend, trend_queries};

    let plan = QueryPlan::build(&[avail("checkout")], &[]);
    let ranges = trend_queries(&plan);
    assert_eq!(ranges.len(), 2, "one range query per shape");
    assert!(ranges[0].promql.ends_with("[1h]))"), "{}", ranges[0].promql);
    let grid = TrendGrid {
        step: 1800,
        end: 1_000_000 + 47 * 1800,
        points: 48,
    };
    let start = 1_000_000.0;
    let series = |points: Vec<(f64, f64)>| RangeAnswer {
        series: vec![Series {
            labels: BTreeMap::from([("service".to_string(), "checkout".to_string())]),
            points,
        }],
        warnings: Vec::new(),
    };
    // Errors at the first and the newest instant; traffic everywhere but instant 1.
    let bad = series(vec![(start, 1.0), (start + 47.0 * 1800.0, 2.0)]);
    let total_points = (0..grid.points)
        .filter(|&i| i != 1)
        .map(|i| (start + i as f64 * 1800.0, 1000.0))
        .collect();
    let total = series(total_points);
    let mut answers = TrendAnswers::new();
    answers.insert(0, TrendValues::from_range(&plan.shapes[0].kind, &bad, grid));
    let slo = &plan.slos[0];
    assert!(
        trend(slo, &[], &answers).is_empty(),
        "the total's range failed"
    );
    answers.insert(
        1,
        TrendValues::from_range(&plan.shapes[1].kind, &total, grid),
    );
    let points = trend(slo, &[], &answers);
    assert_eq!(points.len(), 48);
    assert!(
        (points[0] - 1.0).abs() < 1e-9,
        "1/1000 on a 99.9% SLO burns at 1x"
    );
    assert_eq!(points[1], 0.0, "no traffic is drawn as 0");
    assert_eq!(points[2], 0.0, "no errors");
    assert!((points[47] - 2.0).abs() < 1e-9);
}

fn by_route(slo: SloConfig) -> SloConfig {
    SloConfig {
        sli: SloSliConfig::Grouped {
            labels: vec!["route".into()],
            sli: Box::new(slo.sli),
        },
        ..slo
    }
}

fn sample(labels: &[(&str, &str)], value: f64) -> Sample {
    Sample {
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        value,
    }
}

#[test]
fn a_grouped_slo_becomes_one_slo_per_label_value_seen() {
    let slos = [by_route(avail("checkout")), by_route(avail("search"))];
    let plan = QueryPlan::build(&slos, &[]);
    assert_eq!(
        plan.shapes.len(),
        2,
        "both services share the grouped shapes"
    );
    let hour = plan
        .queries()
        .into_iter()
        .find(|q| q.window == Window::hours(1) && q.shape == 1)
        .unwrap();
    assert_eq!(
        hour.promql,
        r#"sum by (service, route) (rate(http_requests_total{service=~"checkout|search"}[1h]))"#
    );
    let mut answers = Answers::new();
    for query in plan.queries() {
        let samples = if query.shape == 0 {
            vec![sample(&[("service", "checkout"), ("route", "/cart")], 1.0)]
        } else {
            vec![
                sample(&[("service", "checkout"), ("route", "/cart")], 100.0),
                sample(&[("service", "checkout"), ("route", "/pay")], 50.0),
                sample(&[("service", "search"), ("route", "/q")], 10.0),
            ]
        };
        let answer = Answer {
            samples,
            warnings: Vec::new(),
        };
        let values = Values::from_answer(&plan.shapes[query.shape].kind, &answer);
        answers.insert((query.shape, query.window), Ok(values));
    }
    let (observations, issues) = assemble(&plan, &answers);
    assert!(issues.is_empty(), "{issues:?}");
    let ids: Vec<&str> = observations.iter().map(|o| o.spec.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            r#"checkout/availability{route="/cart"}"#,
            r#"checkout/availability{route="/pay"}"#,
            r#"search/availability{route="/q"}"#,
        ]
    );
    let hour = Window::hours(1);
    assert_eq!(
        observations[0].counts[&hour],
        Counts {
            bad: 1.0,
            total: 100.0
        }
    );
    // No 5xx series for /pay: zero bad events, not "no data".
    assert_eq!(observations[1].counts[&hour].bad, 0.0);
    assert_eq!(observations[2].counts[&hour].total, 10.0);
}

#[test]
fn sloth_queries_cannot_be_grouped() {
    let mut slo = avail("checkout");
    slo.sli = SloSliConfig::ErrorRatio {
        ratio: "sum(rate(x[{{.window}}]))".into(),
    };
    let plan = QueryPlan::build(&[by_route(slo)], &[]);
    assert!(plan.shapes.is_empty());
    assert!(
        plan.slos[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("group_by")
    );
}

/// `avail(service)` narrowed to one of its routes by a matcher.
fn on_route(service: &str, route: &str) -> SloConfig {
    let sel = format!(r#"service="{service}",route="{route}""#);
    SloConfig {
        name: format!("availability-{route}"),
        sli: SloSliConfig::BadRatio {
            bad: format!(r#"http_requests_total{{{sel},code=~"5.."}}"#),
            total: format!("http_requests_total{{{sel}}}"),
        },
        ..avail(service)
    }
}

#[test]
fn slos_one_per_route_share_a_shape_and_read_only_their_own_combination() {
    let slos = [on_route("a", "/x"), on_route("b", "/y")];
    let plan = QueryPlan::build(&slos, &[]);
    assert_eq!(plan.shapes.len(), 2, "{:?}", plan.shapes);
    let total = &plan.shapes[1].kind;
    assert_eq!(
        total.promql(Window::hours(1)),
        r#"sum by (service, route) (rate(http_requests_total{service=~"a|b",route=~"/x|/y"}[1h]))"#
    );
    // The narrowed selector also matches a's /y, which no SLO watches: it is not kept.
    let answer = Answer {
        samples: vec![
            sample(&[("service", "a"), ("route", "/x")], 10.0),
            sample(&[("service", "a"), ("route", "/y")], 1000.0),
            sample(&[("service", "b"), ("route", "/y")], 20.0),
        ],
        warnings: Vec::new(),
    };
    let values = Values::from_answer(total, &answer);
    assert_eq!(values.keys().count(), 2);
    let key = |s: &str, r: &str| [s.to_string(), r.to_string()];
    assert_eq!(values.get(&key("a", "/x")), Some(10.0));
    assert_eq!(values.get(&key("a", "/y")), None);
    assert_eq!(values.get(&key("b", "/y")), Some(20.0));
}
