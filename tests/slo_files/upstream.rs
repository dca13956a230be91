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

/// One upstream file: the source its entry names, the SLOs that load, and every warning
/// (after the file's path).
struct Case {
    file: &'static str,
    source: Option<&'static str>,
    loads: &'static [&'static str],
    warnings: &'static [&'static str],
}

const SUM_REFUSED: &str = "document 1, item 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.ratioMetric.good.metricSource.spec.query: `sum(http_requests{k8s_cluster=\"prod\",component=\"web\",code=~\"2xx|4xx\"})` already applies sum; ondeck queries sum(rate(<selector>[window])) for every window itself: write the counter selector alone, `http_requests{k8s_cluster=\"prod\",component=\"web\",code=~\"2xx|4xx\"}` — this document's SLOs are skipped";
const ANY_GAUGES: &str = "document 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.ratioMetric.counter: is not set: the queries are read as gauges (OpenSLO's default); write counter: true for counters";
const ANY_REFUSED: &str = "document 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.ratioMetric.good.metricSource.type: `Any` metric sources are not read: ondeck measures SLOs with Prometheus-compatible sources (type: Prometheus) — this document's SLOs are skipped";

const CASES: &[Case] = &[
    Case {
        file: "sloth/examples/getting-started.yml",
        source: Some("prom"),
        loads: &["myservice/requests-availability"],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/k8s-getting-started.yml",
        source: Some("prom"),
        loads: &["myservice/requests-availability"],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/multifile.yml",
        source: Some("prom"),
        loads: &[
            "myservice/requests-availability",
            "myservice2/requests-availability",
        ],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/k8s-multifile.yml",
        source: Some("prom"),
        loads: &[
            "myservice/requests-availability",
            "myservice2/requests-availability",
        ],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/no-alerts.yml",
        source: Some("prom"),
        loads: &["myapp/http-availability"],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/kubernetes-apiserver.yml",
        source: Some("prom"),
        loads: &[
            "k8s-apiserver/requests-availability",
            "k8s-apiserver/requests-latency",
        ],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/home-wifi.yml",
        source: Some("prom"),
        loads: &[
            "home-wifi/good-wifi-client-satisfaction",
            "home-wifi/risk-wifi-client-satisfaction",
        ],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/raw-home-wifi.yml",
        source: Some("prom"),
        loads: &["home-wifi/wifi-client-satisfaction"],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/contrib-slo-plugins.yml",
        source: Some("prom"),
        loads: &[
            "myservice/requests-availability-contrib-plugin-info-labels-v1",
            "myservice/requests-availability-contrib-plugin-rule-intervals-v1",
        ],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/plugin-getting-started.yml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1 (version prometheus/v1): slos[0].sli.plugin: SLI plugin `getting_started_availability` builds its query in Sloth's plugin code, which ondeck cannot run: write the SLI as events (error and total queries) or raw — SLO `myservice/requests-availability` is skipped",
        ],
    },
    Case {
        file: "sloth/examples/openslo-getting-started.yml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1 (apiVersion openslo/v1alpha, kind SLO): OpenSLO `openslo/v1alpha` is not read: ondeck reads apiVersion openslo/v1 — this document is skipped",
        ],
    },
    Case {
        file: "sloth/examples/windows/7d.yaml",
        source: None,
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/windows/custom-30d.yaml",
        source: None,
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "sloth/internal/alert/windows/google-28d.yaml",
        source: None,
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "openslo/examples/budgeting-method/occurences-slo.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.thresholdMetric.metricSource.type: `Any` metric sources are not read: ondeck measures SLOs with Prometheus-compatible sources (type: Prometheus) — this document's SLOs are skipped",
        ],
    },
    Case {
        file: "openslo/examples/budgeting-method/ratio-timeslices.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[ANY_GAUGES, ANY_REFUSED],
    },
    Case {
        file: "openslo/examples/budgeting-method/timeslices-slo.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[ANY_GAUGES, ANY_REFUSED],
    },
    Case {
        file: "openslo/examples/treat-low-traffic-as-equally-important/timeslices-slo.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[ANY_GAUGES, ANY_REFUSED],
    },
    Case {
        file: "oslo/test/inputs/validate/v1.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[SUM_REFUSED],
    },
    Case {
        file: "oslo/test/inputs/validate/mix/1.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1, item 1 (apiVersion openslo/v1alpha, kind Service): OpenSLO `openslo/v1alpha` is not read: ondeck reads apiVersion openslo/v1 — this document is skipped",
        ],
    },
    Case {
        file: "oslo/test/inputs/validate/invalid-apiversion.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1 (apiVersion foo, kind Service): not a document ondeck reads: ondeck reads Sloth (version: prometheus/v1; apiVersion: sloth.slok.dev/v1 with kind PrometheusServiceLevel or AlertWindows), OpenSLO (apiVersion: openslo/v1) and Pyrra (apiVersion: pyrra.dev/v1alpha1, kind: ServiceLevelObjective) — this document is skipped",
        ],
    },
    Case {
        file: "oslo/internal/files/testdata/format/two-documents.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "go-sdk/pkg/openslo/v1/examples/slos.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[SUM_REFUSED],
    },
    Case {
        file: "go-sdk/pkg/openslo/v1/examples/slis.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "go-sdk/pkg/openslo/v1/examples/data_sources.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "go-sdk/pkg/openslosdk/test_data/decode/v1_slos.yaml",
        source: None,
        loads: &["foo/foo-slo"],
        warnings: &[
            "document 1, item 1 (apiVersion openslo/v1, kind SLO): spec.timeWindow: is not set: measured over a rolling 30d",
            "document 1, item 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.ratioMetric.good.metricSource.spec.dimensions: is not a field ondeck knows: ignored",
            "document 1, item 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.ratioMetric.total.metricSource.spec.dimensions: is not a field ondeck knows: ignored",
        ],
    },
    Case {
        file: "go-sdk/pkg/openslosdk/test_data/inline/inputs/v1_slo.yaml",
        source: None,
        loads: &["web/my-slo-1", "web/my-slo-2"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/caddy-response-latency.yaml",
        source: Some("prom"),
        loads: &["default/caddy-response-latency"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/nginx.yaml",
        source: Some("prom"),
        loads: &[
            "monitoring/nginx-api-errors",
            "monitoring/nginx-api-latency",
        ],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/prometheus-http.yaml",
        source: Some("prom"),
        loads: &["default/prometheus-api-query"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/prometheus-probe-success.yaml",
        source: Some("prom"),
        loads: &["default/prometheus-blackbox-probe-success"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/pyrra-connect-latency.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1 (apiVersion pyrra.dev/v1alpha1, kind ServiceLevelObjective): spec.indicator.latencyNative: native histograms are not read by ondeck: use a latency indicator on a classic histogram — this document's SLOs are skipped",
        ],
    },
    Case {
        file: "pyrra/examples/parca-grpc-queryrange-errors.yaml",
        source: Some("prom"),
        loads: &["parca/parca-grpc-queryrange-errors"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/thanos-http.yaml",
        source: Some("prom"),
        loads: &["monitoring/thanos-query"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/pyrra-kubernetes-errors.yaml",
        source: Some("prom"),
        loads: &["monitoring/pyrra-kubernetes-errors"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/pyrra-filesystem-errors.yaml",
        source: Some("prom"),
        loads: &["monitoring/pyrra-filesystem-errors"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/mimir/example-slo.yaml",
        source: Some("prom"),
        loads: &["default/apiserver-read-cluster-latency"],
        warnings: &[],
    },
];

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
