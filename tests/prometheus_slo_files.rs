//! SLOs as code against a real Prometheus: Sloth, OpenSLO and Pyrra files from
//! tests/fixtures/slo_files load through the config, every problem and every field ondeck
//! cannot honour is a warning naming file, document and field, one file's problem never
//! stops the others (or incidents and acknowledges), and every burn rate equals
//! Prometheus's own answer. The upstream examples are checked in `upstream`.

#[path = "slo_files/budgeting.rs"]
mod budgeting;
#[path = "slo_files/docs.rs"]
mod docs;
#[path = "support/prometheus.rs"]
mod support;
#[path = "slo_files/upstream.rs"]
mod upstream;
#[path = "slo_files/upstream_cases.rs"]
mod upstream_cases;
#[path = "support/upstream_data.rs"]
mod upstream_data;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{TimeZone, Utc};

use ondeck::config::{Config, ConfigLocation, SloConfig, SloSliConfig, WINDOW_PLACEHOLDER};
use ondeck::slo::{STANDARD_WINDOWS, Window, default_tiers, evaluate};
use ondeck::sources::prometheus::PrometheusSource;
use support::{assert_same, prometheus_says};

const CONFIG: &str = "tests/fixtures/slo_files/ondeck.toml";

/// This binary's Prometheus: the shared history plus data for the upstream examples' metrics.
fn server() -> &'static support::Server {
    support::also_backfill(upstream_data::openmetrics);
    support::server()
}

fn load() -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CONFIG);
    ondeck::config::load(&ConfigLocation::Explicit(path)).unwrap_or_else(|e| panic!("{e}"))
}

fn prometheus(slos: Vec<SloConfig>) -> PrometheusSource {
    let source = support::source_config("prom", &server().url, Duration::from_secs(20));
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
fn sloth_and_openslo_files_load_with_warnings_naming_file_document_and_field() {
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
    assert!(
        config
            .slos
            .iter()
            .all(|s| s.source.as_deref() == Some("prom"))
    );
    let expected = [
        "ondeck.toml: slo_files: `missing/*.yml` matches no file",
        "sloth/checkout.yaml: document 1 (version prometheus/v1): slos[2].sli.plugin: SLI plugin `sloth-common/kubernetes/apiserver/availability` builds its query in Sloth's plugin code, which ondeck cannot run: write the SLI as events (error and total queries) or raw — SLO `checkout/from-plugin` is skipped",
        "openslo.yaml: document 2 (apiVersion openslo/v1, kind SLO): spec.owner: is not a field ondeck knows: ignored",
    ];
    for part in expected {
        assert!(
            config.warnings.iter().any(|w| w.ends_with(part)),
            "no warning ends with {part:?}: {:#?}",
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

/// A directory of team files where most are broken in a different way, next to a demo
/// source (incidents and acknowledges) and a Prometheus source.
fn broken_team_dir(name: &str, url: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-slofiles-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("slos")).unwrap();
    let files = [
        (
            "a-good.yaml",
            "version: prometheus/v1\nservice: checkout\nslos:\n  - name: availability\n    objective: 99.9\n    sli:\n      events:\n        error_query: sum(rate(http_requests_total{service=\"checkout\",code=~\"5..\"}[{{.window}}]))\n        total_query: sum(rate(http_requests_total{service=\"checkout\"}[{{.window}}]))\n",
        ),
        (
            "b-not-yaml.yaml",
            "version: prometheus/v1\nservice: [unclosed\n",
        ),
        (
            "c-k8s.yaml",
            "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\nmetadata:\n  name: search\nspec:\n  service: search\n  slos:\n    - name: no-objective\n      sli:\n        raw:\n          errorRatioQuery: sum(rate(x[{{.window}}]))\n    - name: availability\n      objective: 99.5\n      sli:\n        events:\n          errorQuery: sum(rate(http_requests_total{service=\"search\",code=~\"5..\"}[{{.window}}]))\n          totalQuery: sum(rate(http_requests_total{service=\"search\"}[{{.window}}]))\n",
        ),
        (
            "d-list.yaml",
            "- apiVersion: openslo/v1\n  kind: Service\n  metadata:\n    name: payments\n- apiVersion: openslo/v1\n  kind: SLO\n  metadata:\n    name: payments-availability\n  spec:\n    service: payments\n    budgetingMethod: Occurrences\n    indicator:\n      spec:\n        ratioMetric:\n          counter: true\n          bad:\n            metricSource:\n              type: Prometheus\n              spec:\n                query: sum(rate(http_requests_total{service=\"payments\",code=~\"5..\"}[5m]))\n          total:\n            metricSource:\n              type: Prometheus\n              spec:\n                query: http_requests_total{service=\"payments\"}\n    objectives:\n      - target: 0.999\n",
        ),
        (
            "e-other.yaml",
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n",
        ),
    ];
    for (file, text) in files {
        std::fs::write(dir.join("slos").join(file), text).unwrap();
    }
    let config = format!(
        "slo_files = [\"slos/*.yaml\", \"gone.yaml\"]\n\n[[source]]\nname = \"demo\"\nkind = \"demo\"\n\n[[source]]\nname = \"prom\"\nkind = \"prometheus\"\nurl = \"{url}\"\ntimeout = \"20s\"\n"
    );
    std::fs::write(dir.join("ondeck.toml"), config).unwrap();
    dir
}

/// Every problem of every file, in one run, each naming file, document, field and what was
/// found; only the SLOs concerned are skipped.
const BROKEN_TEAM_WARNINGS: [&str; 6] = [
    "slos/b-not-yaml.yaml:3:1: not valid YAML: did not find expected ',' or ']' at line 3 column 1, while parsing a flow sequence at line 2 column 10; the documents from there on are skipped",
    "slos/d-list.yaml: document 1, item 2 (apiVersion openslo/v1, kind SLO): spec.timeWindow: is not set: measured over a rolling 30d",
    "slos/c-k8s.yaml: document 1 (apiVersion sloth.slok.dev/v1, kind PrometheusServiceLevel): spec.slos[0].objective: is required — SLO `search/no-objective` is skipped",
    "slos/d-list.yaml: document 1, item 2 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.ratioMetric.bad.metricSource.spec.query: `sum(rate(http_requests_total{service=\"payments\",code=~\"5..\"}[5m]))` already applies rate/sum; ondeck queries sum(rate(<selector>[window])) for every window itself: write the counter selector alone, `http_requests_total{service=\"payments\",code=~\"5..\"}` — this document's SLOs are skipped",
    "slos/e-other.yaml: document 1 (apiVersion monitoring.coreos.com/v1, kind PrometheusRule): not a document ondeck reads: ondeck reads Sloth",
    "gone.yaml: cannot read this SLO file (No such file or directory (os error 2)): its SLOs are skipped",
];

#[test]
fn every_problem_of_every_file_is_reported_and_only_its_slos_are_skipped() {
    let dir = broken_team_dir("load", "http://127.0.0.1:9");
    let config = ondeck::config::load(&ConfigLocation::Explicit(dir.join("ondeck.toml"))).unwrap();
    let ids: Vec<String> = config.slos.iter().map(|s| s.spec().id).collect();
    assert_eq!(ids, ["checkout/availability", "search/availability"]);
    let missing: Vec<&str> = BROKEN_TEAM_WARNINGS
        .iter()
        .copied()
        .filter(|part| !config.warnings.iter().any(|w| w.contains(part)))
        .collect();
    assert!(
        missing.is_empty(),
        "missing {missing:#?} in {:#?}",
        config.warnings
    );
    assert_eq!(config.warnings.len(), 6, "{:#?}", config.warnings);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The binary with its state and config dirs in `dir`.
fn ondeck_in(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ondeck"));
    cmd.env_remove("ONDECK_CONFIG")
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("xdg-config"))
        .env("XDG_STATE_HOME", dir.join("xdg-state"))
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .arg("--config")
        .arg(dir.join("ondeck.toml"));
    cmd
}

#[test]
fn broken_slo_files_leave_snapshot_incidents_and_acknowledge_working() {
    let dir = broken_team_dir("cli", &server().url);
    let at = support::END.to_string();
    let out = ondeck_in(&dir)
        .args(["snapshot", "--format", "json", "--at", &at])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 6, "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.contains("search/no-objective")));
    let measured: Vec<&str> = json["slos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"] == "prom")
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(measured.len(), 2, "{measured:?}");
    assert!(
        measured.contains(&"checkout/availability") && measured.contains(&"search/availability")
    );

    let out = ondeck_in(&dir)
        .args(["incidents", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let incidents: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = incidents["incidents"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = ondeck_in(&dir)
        .args(["ack", &id, "--source", "demo"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_status_bar_keeps_the_skipped_slos_in_view() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let dir = broken_team_dir("screen", "http://127.0.0.1:9");
    let config = ondeck::config::load(&ConfigLocation::Explicit(dir.join("ondeck.toml"))).unwrap();
    let overrides = ondeck::setup::Overrides::default();
    let clock = ondeck::sources::Clock::Fixed(Utc.timestamp_opt(support::END, 0).unwrap());
    let app = ondeck::setup::build(&config, &overrides, clock).unwrap();
    let ctx = ondeck::ui::UiContext {
        theme: &app.theme,
        keymap: &app.keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
    terminal
        .draw(|frame| ondeck::ui::render(frame, &app.state, &ctx))
        .unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        screen.contains("! 6 config warnings (ondeck check-config)"),
        "{screen}"
    );
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

/// Silently wrong once: with a second Prometheus-compatible source every SLO from
/// `slo_files` vanished from the cockpit and `snapshot`, without a word. Now an entry names
/// its source, and one that does not is skipped with the sources that could measure it.
#[tokio::test]
async fn with_two_prometheus_sources_each_file_names_its_source_or_says_why_not() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/slo_files");
    let dir = std::env::temp_dir().join(format!("ondeck-slofiles-two-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = &server().url;
    let config = format!(
        "slo_files = [{{ path = \"{0}/sloth/*.yaml\", source = \"vm\" }}, \"{0}/openslo.yaml\"]\n\n\
         [[source]]\nname = \"prom\"\nkind = \"prometheus\"\nurl = \"{url}\"\ntimeout = \"20s\"\n\n\
         [[source]]\nname = \"vm\"\nkind = \"prometheus\"\nurl = \"{url}\"\ntimeout = \"20s\"\n",
        fixtures.display()
    );
    std::fs::write(dir.join("ondeck.toml"), config).unwrap();
    let out = ondeck_in(&dir)
        .args([
            "snapshot",
            "--format",
            "json",
            "--at",
            &support::END.to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let slos = json["slos"].as_array().unwrap();
    let by_vm: Vec<&str> = slos
        .iter()
        .filter(|s| s["source"] == "vm")
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(by_vm.len(), 2, "{slos:#?}");
    for slo in slos.iter().filter(|s| s["source"] == "vm") {
        assert!(slo["error"].is_null(), "{slo}");
        assert!(slo["burn_rates"]["1h"].as_f64().is_some(), "{slo}");
    }
    let config = load();
    let checkout = &config.slos[0];
    let expected = prometheus_says(&format!(
        "{} / {}",
        error_ratio(checkout, Window::hours(1)),
        1.0 - checkout.objective
    ))
    .await;
    let shown = slos
        .iter()
        .find(|s| s["id"] == "checkout/requests-availability")
        .unwrap();
    assert_same("vm burn 1h", shown["burn_rates"]["1h"].as_f64(), expected);
    let warnings = json["warnings"].as_array().unwrap();
    let ambiguous = warnings
        .iter()
        .filter_map(|w| w.as_str())
        .filter(|w| {
            w.contains("it names no source and 2 prometheus sources could measure it (`prom`, `vm`): name one in its slo_files entry")
        })
        .count();
    assert_eq!(ambiguous, 2, "{warnings:#?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An `AlertWindows` document gives the tiers of every SLO with its period: the cockpit
/// queries their windows and fires them exactly as Prometheus's booleans say.
#[tokio::test]
async fn alert_windows_are_the_tiers_the_cockpit_evaluates() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/slo_files/windows/alert-windows-30d.yaml");
    let dir = std::env::temp_dir().join(format!("ondeck-slofiles-windows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = format!(
        "slo_files = [{:?}]\n\n[[source]]\nname = \"prom\"\nkind = \"prometheus\"\nurl = \"{}\"\ntimeout = \"20s\"\n",
        fixture.display().to_string(),
        server().url
    );
    std::fs::write(dir.join("ondeck.toml"), text).unwrap();
    let config = ondeck::config::load(&ConfigLocation::Explicit(dir.join("ondeck.toml"))).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    let slo = &config.slos[0];
    let tiers = config.tiers_for(slo.window);
    assert_ne!(tiers, default_tiers().as_slice());
    let prom = PrometheusSource::with_windows(
        &config.sources[0],
        config.slos.clone(),
        &config.tier_windows(),
    )
    .unwrap();
    let at = Utc.timestamp_opt(support::END, 0).unwrap();
    let fetched = prom.fetch(at).await.unwrap();
    let observation = &fetched.snapshot.slos[0];
    let report = evaluate(&observation.spec, &observation.counts, tiers);
    let mut fired = 0;
    for tier in &report.alerts {
        let burn = |w: Window| format!("{} / (1 - {})", error_ratio(slo, w), slo.objective);
        let (long, short) = (tier.spec.long_window, tier.spec.short_window);
        assert_same(
            &format!("{long} burn"),
            tier.long_burn,
            prometheus_says(&burn(long)).await,
        );
        assert_same(
            &format!("{short} burn"),
            tier.short_burn,
            prometheus_says(&burn(short)).await,
        );
        let f = tier.factor;
        let both = format!("({} > bool {f}) * ({} > bool {f})", burn(long), burn(short));
        assert_eq!(
            tier.firing,
            prometheus_says(&both).await == Some(1.0),
            "{long}/{short}"
        );
        fired += usize::from(tier.firing);
    }
    // 1% errors for 8 hours on 99.9%: a 10x burn pages on 15m/3h (4.8x) and tickets on
    // 1h/12h (3x) and 3h/36h (1x).
    assert_eq!(fired, 3, "{:?}", report.alerts);
}
