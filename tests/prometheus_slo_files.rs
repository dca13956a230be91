//! SLOs as code against a real Prometheus: Sloth `prometheus/v1` and OpenSLO v1 files from
//! tests/fixtures/slo_files load through the config, every field ondeck cannot honour is a
//! warning naming file and field, and every burn rate equals Prometheus's own answer.

#[path = "support/prometheus.rs"]
mod support;

use std::path::Path;
use std::time::Duration;

use chrono::{TimeZone, Utc};

use ondeck::config::{Config, ConfigLocation, SloConfig, SloSliConfig, WINDOW_PLACEHOLDER};
use ondeck::slo::{STANDARD_WINDOWS, Window, default_tiers, evaluate};
use ondeck::sources::prometheus::PrometheusSource;
use support::{assert_same, prometheus_says};

const CONFIG: &str = "tests/fixtures/slo_files/ondeck.toml";

fn load() -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CONFIG);
    ondeck::config::load(&ConfigLocation::Explicit(path)).unwrap_or_else(|e| panic!("{e}"))
}

fn prometheus(slos: Vec<SloConfig>) -> PrometheusSource {
    let source = support::source_config("prom", &support::server().url, Duration::from_secs(20));
    PrometheusSource::new(&source, slos).unwrap()
}

/// The error ratio over `w` as hand-written PromQL, from the SLO as loaded.
fn error_ratio(slo: &SloConfig, w: Window) -> String {
    let w = w.to_string();
    let rate = |e: &str| format!("sum(rate({e}[{w}]))");
    match &slo.sli {
        SloSliConfig::ErrorEvents { errors, total } => format!(
            "({}) / ({})",
            errors.replace(WINDOW_PLACEHOLDER, &w),
            total.replace(WINDOW_PLACEHOLDER, &w)
        ),
        SloSliConfig::ErrorRatio { ratio } => {
            format!("({})", ratio.replace(WINDOW_PLACEHOLDER, &w))
        }
        SloSliConfig::BadRatio { bad, total } => format!("({} / {})", rate(bad), rate(total)),
        SloSliConfig::GoodRatio { good, total } => {
            format!("(1 - {} / {})", rate(good), rate(total))
        }
        other => panic!("not from an SLO file: {other:?}"),
    }
}

#[test]
fn sloth_and_openslo_files_load_with_warnings_naming_file_and_field() {
    let config = load();
    let ids: Vec<String> = config
        .slos
        .iter()
        .map(|s| format!("{}/{} {} {}", s.service, s.name, s.objective, s.window))
        .collect();
    assert_eq!(
        ids,
        [
            "checkout/requests-availability 0.999 30d",
            "checkout/requests-latency 0.99 30d",
            "payments/payments-availability 0.999 28d",
            "search/search-success 0.995 7d",
        ]
    );
    let expected = [
        "ondeck.toml: slo_files: `missing/*.yml` matches no file",
        "sloth/checkout.yaml: slos[0].alerting: not supported",
        "sloth/checkout.yaml: slos[2].sli.plugin: not supported: SLO `checkout/from-plugin` is skipped",
        "openslo.yaml: kind: `Service` documents are not used by ondeck",
        "openslo.yaml: spec.owner: is not a field ondeck knows",
        "openslo.yaml: spec.alertPolicies: not supported",
    ];
    for part in expected {
        assert!(
            config.warnings.iter().any(|w| w.contains(part)),
            "no warning contains {part:?}: {:#?}",
            config.warnings
        );
    }
    assert_eq!(
        config.warnings.len(),
        expected.len(),
        "{:#?}",
        config.warnings
    );
}

#[tokio::test]
async fn burn_rates_sli_and_budget_from_slo_files_match_prometheus() {
    let slos = load().slos;
    let prom = prometheus(slos.clone());
    let at = Utc.timestamp_opt(support::END, 0).unwrap();
    let fetched = prom.fetch(at).await.unwrap();
    assert!(fetched.issues.is_empty(), "{:?}", fetched.issues);
    for (slo, observation) in slos.iter().zip(&fetched.snapshot.slos) {
        let report = evaluate(&observation.spec, &observation.counts, &default_tiers());
        let id = &observation.spec.id;
        let budget = 1.0 - slo.objective;
        for w in STANDARD_WINDOWS {
            let expected = prometheus_says(&format!("{} / {budget}", error_ratio(slo, w))).await;
            assert_same(&format!("{id} burn {w}"), report.burn_rates[&w], expected);
        }
        let sli = prometheus_says(&format!("1 - {}", error_ratio(slo, slo.window))).await;
        assert_same(&format!("{id} SLI"), report.sli, sli);
        let left = format!("1 - {} / {budget}", error_ratio(slo, slo.window));
        let left = prometheus_says(&left).await;
        assert_same(&format!("{id} budget"), report.budget_remaining, left);
    }
}

#[test]
fn sloth_queries_are_sent_per_window_as_written_and_openslo_ones_are_batched() {
    let prom = prometheus(load().slos);
    let queries: Vec<String> = prom
        .plan()
        .queries()
        .into_iter()
        .filter(|q| q.window == Window::hours(1))
        .map(|q| q.promql)
        .collect();
    assert!(queries.contains(
        &r#"sum(rate(http_requests_total{service="checkout",code=~"5.."}[1h]))"#.to_string()
    ));
    assert!(
        queries.contains(&r#"sum(rate(http_requests_total{service="checkout"}[1h]))"#.to_string())
    );
    assert!(
        queries
            .iter()
            .any(|q| q.contains(r#"le="0.25"}[1h]"#) && !q.contains("{{"))
    );
    // Both OpenSLO totals share one batched query.
    assert!(
        queries.contains(
            &r#"sum by (service) (rate(http_requests_total{service=~"payments|search"}[1h]))"#
                .to_string()
        )
    );
    // Sloth events: 2, Sloth raw: 1, OpenSLO: payments 5xx, search 200, shared total.
    assert_eq!(queries.len(), 6, "{queries:#?}");
}

#[test]
fn a_broken_slo_file_is_an_error_naming_file_and_field() {
    let dir = std::env::temp_dir().join(format!("ondeck-slofiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("ondeck.toml");
    std::fs::write(&config, "slo_files = [\"slo.yaml\"]\n").unwrap();
    let cases = [
        (
            "version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    sli:\n      raw:\n        error_ratio_query: up\n",
            "slo.yaml: slos[0].objective: is required",
        ),
        (
            "version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    objective: 99\n    sli:\n      raw:\n        error_ratio_query: sum(rate(x[5m]))\n",
            "slo.yaml: slos[0].sli.raw.error_ratio_query: must use {{.window}}",
        ),
        ("version: [unclosed\n", "slo.yaml:2:1: not valid YAML"),
        ("name: neither\n", "slo.yaml: not a Sloth spec"),
    ];
    for (yaml, error) in cases {
        std::fs::write(dir.join("slo.yaml"), yaml).unwrap();
        let err = ondeck::config::load(&ConfigLocation::Explicit(config.clone())).unwrap_err();
        assert!(err.to_string().contains(error), "{err}\nexpected {error}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_config_prints_the_warnings_and_succeeds() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CONFIG);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ondeck"))
        .arg("check-config")
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("checkout/requests-availability"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: ") && stderr.contains("slos[2].sli.plugin"),
        "{stderr}"
    );
}
