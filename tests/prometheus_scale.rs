//! What keeps a refresh cheap at thousands of SLOs, against the real Prometheus of
//! `support`: long windows evaluated less often than short ones, each value with its own
//! evaluation instant and still equal to Prometheus's answer at that instant; answers asked
//! for gzip-compressed; the service trends of grouped SLOs per service. Needs `prometheus`
//! and `promtool` (scripts/install-test-deps); without them these tests fail, they never skip.

#[path = "support/prometheus.rs"]
mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use ondeck::config::{SloConfig, SloSliConfig};
use ondeck::slo::{STANDARD_WINDOWS, Window, default_tiers, evaluate};
use ondeck::sources::prometheus::PrometheusSource;
use ondeck::sources::prometheus::cadence::cadence;
use support::{assert_same, prometheus_says_at};

const OBJECTIVE: f64 = 0.999;
const PERIOD: Window = Window::days(30);

fn at(t: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(t, 0).unwrap()
}

fn errors_slo(service: &str) -> SloConfig {
    SloConfig {
        name: "availability".into(),
        service: service.into(),
        objective: OBJECTIVE,
        window: PERIOD,
        period: None,
        source: None,
        sli: SloSliConfig::BadRatio {
            bad: format!(r#"http_requests_total{{service="{service}",code=~"5.."}}"#),
            total: format!(r#"http_requests_total{{service="{service}"}}"#),
        },
    }
}

fn source_at(url: &str, slos: Vec<SloConfig>) -> PrometheusSource {
    let config = support::source_config("prom", url, Duration::from_secs(20));
    PrometheusSource::new(&config, slos).unwrap()
}

fn burn_promql(service: &str, w: Window) -> String {
    let rate = |extra: &str| {
        format!(r#"sum(rate(http_requests_total{{service="{service}"{extra}}}[{w}]))"#)
    };
    format!(
        "({} / {}) / (1 - {OBJECTIVE})",
        rate(r#",code=~"5..""#),
        rate("")
    )
}

#[tokio::test]
async fn a_long_window_keeps_the_value_of_its_own_instant_until_its_cadence_passes() {
    let url = &support::server().url;
    let services = ["checkout", "payments"];
    let prom = source_at(url, services.map(errors_slo).to_vec());
    let first = support::END - 20 * 60;
    let second = first + 90;
    let fetched = prom.fetch(at(first)).await.unwrap();
    assert!(
        fetched.snapshot.evaluated.is_empty(),
        "all as of the refresh"
    );
    let later = prom.fetch(at(second)).await.unwrap();
    // 90 s later the 5m, 30m and 1h windows are due; 2h (every 2 minutes) and longer keep
    // the first refresh's values, and say so.
    let windows: Vec<Window> = STANDARD_WINDOWS.iter().copied().chain([PERIOD]).collect();
    for &w in &windows {
        let due = cadence(w) <= Duration::from_secs(90);
        let expected_at = if due { None } else { Some(at(first)) };
        assert_eq!(
            later.snapshot.evaluated.get(&w).copied(),
            expected_at,
            "{w}"
        );
    }
    let raw: Vec<&String> = later.sent.iter().collect();
    assert!(
        raw.iter()
            .all(|q| !q.contains("[2h]") && !q.contains("[3d]")),
        "windows not due are not asked for: {raw:?}"
    );
    for (observation, service) in later.snapshot.slos.iter().zip(services) {
        let report = evaluate(&observation.spec, &observation.counts, &default_tiers());
        let instant = |w| {
            later
                .snapshot
                .evaluated
                .get(&w)
                .copied()
                .unwrap_or(at(second))
        };
        for w in STANDARD_WINDOWS {
            let promql = burn_promql(service, w);
            let expected = prometheus_says_at(&promql, instant(w).timestamp()).await;
            assert_same(
                &format!("{service} burn {w} as of {}", instant(w)),
                report.burn_rates[&w],
                expected,
            );
        }
        let budget = format!("1 - {}", burn_promql(service, PERIOD));
        let expected = prometheus_says_at(&budget, instant(PERIOD).timestamp()).await;
        assert_same(
            &format!("{service} budget as of {}", instant(PERIOD)),
            report.budget_remaining,
            expected,
        );
    }
    // The same instant again (time travel) evaluates every window at it.
    let again = prom.fetch(at(second)).await.unwrap();
    assert!(
        again.snapshot.evaluated.is_empty(),
        "{:?}",
        again.snapshot.evaluated
    );
}

/// Every byte a proxy saw: sent upstream, and sent back.
type Wire = Arc<Mutex<(Vec<u8>, Vec<u8>)>>;

/// A TCP proxy in front of `upstream` that keeps every byte each way, so a test can read
/// the request and response heads as they crossed the wire.
fn recording_proxy(upstream: &str) -> (String, Wire) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_string();
    let seen = Arc::new(Mutex::new((Vec::new(), Vec::new())));
    let record = Arc::clone(&seen);
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let server = TcpStream::connect(&upstream).unwrap();
            for (from, to, upward) in [
                (
                    client.try_clone().unwrap(),
                    server.try_clone().unwrap(),
                    true,
                ),
                (server, client, false),
            ] {
                let record = Arc::clone(&record);
                std::thread::spawn(move || pipe(from, to, upward, &record));
            }
        }
    });
    (url, seen)
}

fn pipe(mut from: TcpStream, mut to: TcpStream, upward: bool, record: &Mutex<(Vec<u8>, Vec<u8>)>) {
    let mut buf = [0u8; 16384];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || to.write_all(&buf[..n]).is_err() {
            break;
        }
        let mut seen = record.lock().unwrap();
        let side = if upward { &mut seen.0 } else { &mut seen.1 };
        side.extend_from_slice(&buf[..n]);
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

#[tokio::test]
async fn answers_travel_gzip_compressed_and_give_the_same_numbers() {
    let (url, seen) = recording_proxy(&support::server().url);
    let prom = source_at(&url, vec![errors_slo("checkout")]);
    let direct = source_at(&support::server().url, vec![errors_slo("checkout")]);
    let when = at(support::END);
    let through = prom.fetch(when).await.unwrap();
    let plain = direct.fetch(when).await.unwrap();
    assert_eq!(through.snapshot.slos, plain.snapshot.slos);
    let (up, down) = &*seen.lock().unwrap();
    let up = String::from_utf8_lossy(up).to_ascii_lowercase();
    let down = String::from_utf8_lossy(down).to_ascii_lowercase();
    let requests = up.matches("post /api/v1/").count();
    assert!(requests > 0);
    assert_eq!(
        up.matches("accept-encoding: gzip").count(),
        requests,
        "every request asks for gzip"
    );
    assert_eq!(
        down.matches("content-encoding: gzip").count(),
        requests,
        "Prometheus compressed every answer"
    );
}

#[tokio::test]
async fn a_grouped_slo_gives_one_error_trend_per_service_not_per_group() {
    let mut shop = errors_slo("shop");
    shop.sli = SloSliConfig::Grouped {
        sli: Box::new(shop.sli.clone()),
        labels: vec!["route".into()],
    };
    let prom = source_at(&support::server().url, vec![shop]);
    let fetched = prom.fetch(at(support::END)).await.unwrap();
    assert!(fetched.snapshot.slos.len() > 1, "one SLO per route");
    let [trend] = &fetched.snapshot.services[..] else {
        panic!("one service: {:?}", fetched.snapshot.services);
    };
    assert_eq!(trend.service, "shop");
    assert_eq!(trend.error_rate.len(), 60);
    let promql = r#"sum(rate(http_requests_total{service="shop",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="shop"}[5m]))"#;
    for i in [0, 30, 59] {
        let time = support::END - (59 - i as i64) * 60;
        let expected = prometheus_says_at(promql, time).await;
        assert_same(
            &format!("shop error rate point {i}"),
            Some(trend.error_rate[i]),
            expected,
        );
    }
}

fn route_slo(route: &str) -> SloConfig {
    let selector = format!(r#"service="shop",route="{route}""#);
    SloConfig {
        name: format!("availability-{}", route.trim_start_matches('/')),
        sli: SloSliConfig::BadRatio {
            bad: format!(r#"http_requests_total{{{selector},code=~"5.."}}"#),
            total: format!("http_requests_total{{{selector}}}"),
        },
        ..errors_slo("shop")
    }
}

#[tokio::test]
async fn slos_written_one_per_route_share_one_query_per_window_with_the_same_numbers() {
    let url = &support::server().url;
    let slos: Vec<SloConfig> = support::ROUTES.iter().map(|r| route_slo(r)).collect();
    let batched = source_at(url, slos.clone());
    // Bad and total: two shapes for every route, not two per route.
    assert_eq!(
        batched.plan().shapes.len(),
        2,
        "{:?}",
        batched.plan().shapes
    );
    let when = at(support::END);
    let fetched = batched.fetch(when).await.unwrap();
    let raw: Vec<&String> = fetched
        .sent
        .iter()
        .filter(|q| q.contains("http_requests_total"))
        .collect();
    assert_eq!(raw.len(), 2 * (STANDARD_WINDOWS.len() + 1), "{raw:?}");
    assert!(
        raw.iter()
            .all(|q| q.starts_with("sum by (service, route) (")),
        "{raw:?}"
    );
    for (slo, observation) in slos.iter().zip(&fetched.snapshot.slos) {
        assert_eq!(observation.spec.name, slo.name);
        // The SLO alone is planned as its own query; both must give the same counts.
        let alone = source_at(url, vec![slo.clone()]).fetch(when).await.unwrap();
        assert_eq!(
            observation.counts, alone.snapshot.slos[0].counts,
            "{}",
            slo.name
        );
        let report = evaluate(&observation.spec, &observation.counts, &default_tiers());
        let SloSliConfig::BadRatio { bad, total } = &slo.sli else {
            unreachable!()
        };
        for w in STANDARD_WINDOWS {
            let promql =
                format!("(sum(rate({bad}[{w}])) / sum(rate({total}[{w}]))) / (1 - {OBJECTIVE})");
            let expected = prometheus_says_at(&promql, support::END).await;
            assert_same(
                &format!("{} burn {w}", slo.name),
                report.burn_rates[&w],
                expected,
            );
        }
    }
    let pay = &fetched.snapshot.slos[1];
    let report = evaluate(&pay.spec, &pay.counts, &default_tiers());
    assert!(
        report.current_burn().unwrap() > 14.4,
        "the /pay burst shows"
    );
}

/// An SLO counting only the `code` answers of `service` as bad.
fn code_slo(service: &str, code: &str) -> SloConfig {
    SloConfig {
        name: format!("errors-{code}"),
        sli: SloSliConfig::BadRatio {
            bad: format!(r#"http_requests_total{{service="{service}",code="{code}"}}"#),
            total: format!(r#"http_requests_total{{service="{service}"}}"#),
        },
        ..errors_slo(service)
    }
}

#[tokio::test]
async fn a_combination_no_slo_watches_is_summed_apart_and_never_read() {
    // `checkout` answers 500 and 503, `search` 500: the shared bad query narrows `service`
    // to checkout|search and `code` to 500|503, so it also selects checkout's 500s, which no
    // SLO here counts. Each SLO must still get exactly its own query's numbers.
    let url = &support::server().url;
    let slos = vec![code_slo("checkout", "503"), code_slo("search", "500")];
    let prom = source_at(url, slos.clone());
    assert_eq!(prom.plan().shapes.len(), 2, "{:?}", prom.plan().shapes);
    let fetched = prom.fetch(at(support::END)).await.unwrap();
    let bad_queries: Vec<&String> = fetched
        .sent
        .iter()
        .filter(|q| q.starts_with("sum by (service, code) ("))
        .collect();
    assert_eq!(
        bad_queries.len(),
        STANDARD_WINDOWS.len() + 1,
        "{:?}",
        fetched.sent
    );
    assert_eq!(fetched.snapshot.slos.len(), slos.len());
    for (slo, observation) in slos.iter().zip(&fetched.snapshot.slos) {
        assert_eq!(observation.spec.name, slo.name);
        let report = evaluate(&observation.spec, &observation.counts, &default_tiers());
        let SloSliConfig::BadRatio { bad, total } = &slo.sli else {
            unreachable!()
        };
        for w in STANDARD_WINDOWS {
            let promql =
                format!("(sum(rate({bad}[{w}])) / sum(rate({total}[{w}]))) / (1 - {OBJECTIVE})");
            let expected = prometheus_says_at(&promql, support::END).await;
            assert!(expected.is_some_and(|v| v > 0.0), "{promql}: {expected:?}");
            assert_same(
                &format!("{} {} burn {w}", slo.service, slo.name),
                report.burn_rates[&w],
                expected,
            );
        }
    }
}
