//! The upstream examples (tests/fixtures/slo_files/upstream, see NOTICE.md there), each
//! loaded alone as a user would: it either loads and every burn rate and SLI equals
//! Prometheus's own answer on data made for its metrics, or it fails with exactly the
//! messages listed here.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{TimeZone, Utc};

use ondeck::config::{Config, ConfigLocation, SloConfig, SloSliConfig, WINDOW_PLACEHOLDER};
use ondeck::slo::{STANDARD_WINDOWS, Window, evaluate};
use ondeck::sources::prometheus::PrometheusSource;

use crate::support::{self, assert_same};
use crate::upstream_cases::CASES;

fn upstream_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/slo_files/upstream")
}

/// A config loading only `file`, with the sources the examples name pointing at `url`.
fn load_alone(file: &str, source: Option<&str>, url: &str) -> Config {
    let dir = std::env::temp_dir().join(format!(
        "ondeck-upstream-{}-{}",
        std::process::id(),
        file.replace('/', "_")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = upstream_dir().join(file);
    let entry = match source {
        Some(s) => format!(
            "{{ path = {:?}, source = \"{s}\" }}",
            path.display().to_string()
        ),
        None => format!("{:?}", path.display().to_string()),
    };
    let mut text = format!("slo_files = [{entry}]\n");
    for name in ["prom", "thanos", "my-prometheus"] {
        text.push_str(&format!(
            "\n[[source]]\nname = \"{name}\"\nkind = \"prometheus\"\nurl = \"{url}\"\ntimeout = \"20s\"\n"
        ));
    }
    std::fs::write(dir.join("ondeck.toml"), text).unwrap();
    let config = ondeck::config::load(&ConfigLocation::Explicit(dir.join("ondeck.toml")))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    config
}

#[test]
fn every_upstream_example_loads_or_fails_with_its_exact_messages() {
    let mut wrong = Vec::new();
    for case in CASES {
        let config = load_alone(case.file, case.source, "http://127.0.0.1:9");
        let ids: Vec<String> = config.slos.iter().map(|s| s.spec().id).collect();
        if ids != case.loads {
            wrong.push(format!(
                "{}: loads {ids:?}, expected {:?}",
                case.file, case.loads
            ));
        }
        let prefix = format!("{}: ", upstream_dir().join(case.file).display());
        let warnings: Vec<&str> = config
            .warnings
            .iter()
            .map(|w| w.strip_prefix(&prefix).unwrap_or(w))
            .collect();
        if warnings != case.warnings {
            wrong.push(format!(
                "{}: warnings {warnings:#?}\nexpected {:#?}",
                case.file, case.warnings
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn sloth_alert_windows_are_the_tiers_of_their_period() {
    let config = load_alone("sloth/examples/windows/7d.yaml", None, "http://127.0.0.1:9");
    let tiers = &config.period_tiers[&Window::days(7)];
    let shown: Vec<String> = tiers
        .iter()
        .map(|t| {
            format!(
                "{:?} {}/{} {}",
                t.severity, t.long_window, t.short_window, t.budget_share
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            "Page 1h/5m 0.08",
            "Page 6h/30m 0.125",
            "Ticket 1d/2h 0.2",
            "Ticket 3d/6h 0.42"
        ]
    );
    assert_eq!(
        config.tiers_for(Window::days(30)),
        ondeck::slo::default_tiers().as_slice()
    );
    let custom = load_alone(
        "sloth/examples/windows/custom-30d.yaml",
        None,
        "http://127.0.0.1:9",
    );
    let factors: Vec<f64> = custom
        .tiers_for(Window::days(30))
        .iter()
        .map(|t| t.factor(Window::days(30)))
        .collect();
    // 1% of 30 days in 30 minutes is 14.4x; 2% in 3h 4.8x; 5% in 12h 3x; 5% in 36h 1x.
    for (got, want) in factors.iter().zip([14.4, 4.8, 3.0, 1.0]) {
        assert!((got - want).abs() < 1e-9, "{factors:?}");
    }
}

/// The error ratio of `sli` over `w`, by `group` labels when grouped, as hand-written PromQL.
pub fn ratio_promql(sli: &SloSliConfig, w: &str, by: &str) -> String {
    let sum = |inner: String| format!("sum{by}({inner})");
    match sli {
        SloSliConfig::BadRatio { bad, total } => {
            format!(
                "({} / {})",
                sum(format!("rate({bad}[{w}])")),
                sum(format!("rate({total}[{w}])"))
            )
        }
        SloSliConfig::GoodRatio { good, total } => format!(
            "(1 - {} / {})",
            sum(format!("rate({good}[{w}])")),
            sum(format!("rate({total}[{w}])"))
        ),
        SloSliConfig::Latency { metric, threshold } => {
            let (name, labels) = metric.split_once('{').unwrap_or((metric, "}"));
            let labels = labels.trim_end_matches('}');
            let sep = if labels.is_empty() { "" } else { "," };
            let le = if threshold.fract() == 0.0 {
                format!(r#"le=~"{threshold}|{threshold}\\.0""#)
            } else {
                format!(r#"le="{threshold}""#)
            };
            format!(
                "(1 - {} / {})",
                sum(format!("rate({name}_bucket{{{labels}{sep}{le}}}[{w}])")),
                sum(format!("rate({name}_count{{{labels}}}[{w}])"))
            )
        }
        SloSliConfig::BoolGauge { metric } => format!(
            "(1 - {} / {})",
            sum(format!("sum_over_time({metric}[{w}])")),
            sum(format!("count_over_time({metric}[{w}])"))
        ),
        SloSliConfig::ErrorEvents { errors, total } => format!(
            "(({}) / ({}))",
            errors.replace(WINDOW_PLACEHOLDER, w),
            total.replace(WINDOW_PLACEHOLDER, w)
        ),
        SloSliConfig::ErrorRatio { ratio } => format!("({})", ratio.replace(WINDOW_PLACEHOLDER, w)),
        SloSliConfig::Grouped { .. } => unreachable!("ungrouped first"),
    }
}

/// Prometheus's answers at END, by the values of `label` (`""` for an ungrouped answer).
pub async fn answers_by(promql: &str, label: &str) -> BTreeMap<String, f64> {
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/query", support::server().url))
        .form(&[("query", promql), ("time", &support::END.to_string())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "success", "{promql}: {body}");
    body["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            let key = r["metric"][label].as_str().unwrap_or_default().to_string();
            let value: f64 = r["value"][1].as_str()?.parse().ok()?;
            value.is_finite().then_some((key, value))
        })
        .collect()
}

/// The window an SLO's SLI covers at END: its period, or for the go-sdk calendar week (from
/// Saturday noon in New York) the 79 hours since Saturday 28 December 2024, 17:00 UTC.
fn budget_window(slo: &SloConfig) -> Window {
    match &slo.period {
        None => slo.window,
        Some(_) => Window::hours(79),
    }
}

#[tokio::test]
async fn every_upstream_slo_that_loads_measures_what_prometheus_says() {
    let url = crate::server().url.clone();
    let at = Utc.timestamp_opt(support::END, 0).unwrap();
    let mut checked = 0;
    for case in CASES.iter().filter(|c| !c.loads.is_empty()) {
        let config = load_alone(case.file, case.source, &url);
        for slo in &config.slos {
            let source = config
                .sources
                .iter()
                .find(|s| Some(&s.name) == slo.source.as_ref())
                .unwrap();
            let prom =
                PrometheusSource::with_windows(source, vec![slo.clone()], &config.tier_windows())
                    .unwrap();
            let fetched = prom.fetch(at).await.unwrap();
            let what = format!("{} {}", case.file, slo.spec().id);
            assert!(fetched.issues.is_empty(), "{what}: {:?}", fetched.issues);
            let (sli, labels) = slo.sli.ungrouped();
            let label = labels.first().cloned().unwrap_or_default();
            let by = if label.is_empty() {
                String::new()
            } else {
                format!(" by ({label})")
            };
            let budget = 1.0 - slo.objective;
            assert!(!fetched.snapshot.slos.is_empty(), "{what}: no observation");
            for observation in &fetched.snapshot.slos {
                let tiers = config.tiers_for(observation.spec.period);
                let report = evaluate(&observation.spec, &observation.counts, tiers);
                // A grouped SLO's id ends in {label="value"}.
                let key = observation
                    .spec
                    .name
                    .split_once("=\"")
                    .map(|(_, v)| v.trim_end_matches("\"}").to_string())
                    .unwrap_or_default();
                for w in STANDARD_WINDOWS {
                    let promql = format!("{} / {budget}", ratio_promql(sli, &w.to_string(), &by));
                    let expected = answers_by(&promql, &label).await.get(&key).copied();
                    assert!(
                        expected.is_some(),
                        "{what} {key}: no data for {w}: {promql}"
                    );
                    assert_same(
                        &format!("{what} {key} burn {w}"),
                        report.burn_rates[&w],
                        expected,
                    );
                }
                let period = budget_window(slo).to_string();
                let promql = format!("1 - {}", ratio_promql(sli, &period, &by));
                let expected = answers_by(&promql, &label).await.get(&key).copied();
                assert_same(&format!("{what} {key} SLI"), report.sli, expected);
                checked += 1;
            }
        }
    }
    assert!(checked >= 24, "{checked} SLOs measured");
}

#[tokio::test]
async fn the_victoria_metrics_example_loads_and_prometheus_says_why_it_cannot_answer() {
    let url = crate::server().url.clone();
    let config = load_alone("sloth/examples/victoria-metrics.yml", Some("prom"), &url);
    assert_eq!(config.slos.len(), 2, "{:?}", config.warnings);
    let prom = PrometheusSource::new(&config.sources[0], config.slos.clone()).unwrap();
    // Every query uses MetricsQL's histogram_share: Prometheus refuses them all, so the
    // source reports Prometheus's own reason instead of numbers.
    let error = prom
        .fetch(Utc.timestamp_opt(support::END, 0).unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"rejected: bad_data: invalid parameter "query": 1:5: parse error: unknown function with name "histogram_share""#
    );
}
