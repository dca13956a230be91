//! Every `[[slo]]` and `slo_files` example of config.example.toml and the README, run as
//! written against the real Prometheus (only the URL is this test's, and the README's
//! `token_env` is left out: no token is set here). Each loads without a warning and measures
//! exactly what Prometheus says.

use std::path::Path;

use chrono::{TimeZone, Utc};

use ondeck::config::{Config, ConfigLocation};
use ondeck::slo::{STANDARD_WINDOWS, evaluate};
use ondeck::sources::prometheus::PrometheusSource;

use crate::support::{self, assert_same};
use crate::upstream::{answers_by, ratio_promql};

fn read(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap()
}

/// The `#[[slo]]` tables of config.example.toml, uncommented.
fn example_slos() -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in read("config.example.toml").lines() {
        if line == "#[[slo]]" {
            inside = true;
        }
        match line.strip_prefix('#') {
            Some(setting) if inside && !setting.starts_with(' ') && !setting.is_empty() => {
                out.push_str(setting);
                out.push('\n');
            }
            _ if inside => {
                inside = false;
                out.push('\n');
            }
            _ => {}
        }
    }
    out
}

/// The fenced block of `lang` that follows `heading` in the README.
fn readme_block(heading: &str, lang: &str, nth: usize) -> String {
    let text = read("README.md");
    let after = &text[text.find(heading).unwrap()..];
    let fence = format!("```{lang}\n");
    let mut rest = after;
    for _ in 0..nth {
        rest = &rest[rest.find(&fence).unwrap() + fence.len()..];
    }
    let start = rest.find(&fence).unwrap() + fence.len();
    let end = start + rest[start..].find("```").unwrap();
    rest[start..end].to_string()
}

fn load(dir: &Path, text: &str) -> Config {
    std::fs::write(dir.join("ondeck.toml"), text).unwrap();
    ondeck::config::load(&ConfigLocation::Explicit(dir.join("ondeck.toml")))
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Measures every SLO of `config` and compares each burn rate and SLI with Prometheus.
async fn measure(config: &Config) -> usize {
    let at = Utc.timestamp_opt(support::END, 0).unwrap();
    let mut checked = 0;
    for slo in &config.slos {
        let source = config
            .sources
            .iter()
            .find(|s| Some(&s.name) == slo.source.as_ref())
            .unwrap();
        let prom = PrometheusSource::new(source, vec![slo.clone()]).unwrap();
        let fetched = prom.fetch(at).await.unwrap();
        let id = slo.spec().id;
        assert!(fetched.issues.is_empty(), "{id}: {:?}", fetched.issues);
        let (sli, labels) = slo.sli.ungrouped();
        let label = labels.first().cloned().unwrap_or_default();
        let by = if label.is_empty() {
            String::new()
        } else {
            format!(" by ({label})")
        };
        for observation in &fetched.snapshot.slos {
            let report = evaluate(&observation.spec, &observation.counts, &config.tiers);
            let key = observation
                .spec
                .name
                .split_once("=\"")
                .map(|(_, v)| v.trim_end_matches("\"}").to_string())
                .unwrap_or_default();
            let budget = 1.0 - slo.objective;
            for w in STANDARD_WINDOWS {
                let promql = format!("{} / {budget}", ratio_promql(sli, &w.to_string(), &by));
                let expected = answers_by(&promql, &label).await.get(&key).copied();
                let what = format!("{} burn {w}", observation.spec.id);
                assert_same(&what, report.burn_rates[&w], expected);
            }
            let promql = format!("1 - {}", ratio_promql(sli, &slo.window.to_string(), &by));
            let expected = answers_by(&promql, &label).await.get(&key).copied();
            assert_same(
                &format!("{} SLI", observation.spec.id),
                report.sli,
                expected,
            );
            checked += 1;
        }
    }
    checked
}

#[tokio::test]
async fn every_slo_example_of_config_example_toml_measures_what_prometheus_says() {
    let dir = std::env::temp_dir().join(format!("ondeck-docs-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = &crate::server().url;
    let text = format!(
        "[[source]]\nname = \"prom\"\nkind = \"prometheus\"\nurl = \"{url}\"\ntimeout = \"20s\"\n\n{}",
        example_slos()
    );
    let config = load(&dir, &text);
    assert_eq!(config.slos.len(), 4, "{text}");
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    // Four definitions; the shop one is one SLO per route.
    assert!(measure(&config).await >= 6);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_readme_prometheus_example_and_its_sloth_file_measure_what_prometheus_says() {
    let dir = std::env::temp_dir().join(format!("ondeck-docs-readme-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("slos")).unwrap();
    let heading = "### Prometheus (and Thanos, Mimir, VictoriaMetrics)";
    std::fs::write(
        dir.join("slos/checkout.yaml"),
        readme_block(heading, "yaml", 0),
    )
    .unwrap();
    let url = &crate::server().url;
    let toml: String = readme_block(heading, "toml", 0)
        .lines()
        .filter(|l| !l.starts_with("token_env"))
        .map(|l| {
            if l.starts_with("url = ") {
                format!("url = \"{url}\"\ntimeout = \"20s\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let config = load(&dir, &toml);
    let ids: Vec<String> = config.slos.iter().map(|s| s.spec().id).collect();
    assert_eq!(
        ids,
        [
            "shop/availability",
            "checkout/latency",
            "checkout/requests-availability"
        ]
    );
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    assert!(measure(&config).await >= 5);
    let _ = std::fs::remove_dir_all(&dir);
}
