//! `ondeck slo rules`: promtool accepts the rules in both formats; loaded into a Prometheus
//! whose history ends now, every recording rule's series equals the cockpit's burn rate at
//! the instant the rule was evaluated (1e-9), and the alerts that fire are exactly the
//! cockpit's firing tiers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use ondeck::config::{Config, ConfigLocation, RecordingRules};
use ondeck::slo::{Severity, evaluate};
use ondeck::sources::prometheus::PrometheusSource;

use crate::support::{self, assert_same};

/// SLOs of every kind the rules write: a bad ratio, a good ratio, latency, and a ratio
/// grouped by route.
const SLOS: &str = r#"
[[slo]]
name = "availability"
service = "checkout"
objective = 99.9
bad = 'http_requests_total{service="checkout",code=~"5.."}'
total = 'http_requests_total{service="checkout"}'

[[slo]]
name = "success"
service = "payments"
objective = 99.9
good = 'http_requests_total{service="payments",code="200"}'
total = 'http_requests_total{service="payments"}'

[[slo]]
name = "latency"
service = "search"
objective = 99
metric = 'http_request_duration_seconds_bucket{service="search"}'
threshold = 0.25

[[slo]]
name = "availability"
service = "shop"
objective = 99.5
group_by = ["route"]
bad = 'http_requests_total{service="shop",code=~"5.."}'
total = 'http_requests_total{service="shop"}'
"#;

fn config(dir: &Path, url: &str) -> Config {
    let text = format!(
        "[[source]]\nname = \"prom\"\nkind = \"prometheus\"\nurl = \"{url}\"\ntimeout = \"20s\"\n{SLOS}"
    );
    std::fs::write(dir.join("ondeck.toml"), text).unwrap();
    ondeck::config::load(&ConfigLocation::Explicit(dir.join("ondeck.toml"))).unwrap()
}

fn rules(dir: &Path, format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ondeck"))
        .arg("--config")
        .arg(dir.join("ondeck.toml"))
        .args(["slo", "rules", "--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn promtool_accepts(dir: &Path, name: &str, yaml: &str) {
    let file = dir.join(name);
    std::fs::write(&file, yaml).unwrap();
    let out = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn api(url: &str, path: &str, form: &[(&str, &str)]) -> serde_json::Value {
    let client = reqwest::Client::new();
    let request = if form.is_empty() {
        client.get(format!("{url}{path}"))
    } else {
        client.post(format!("{url}{path}")).form(form)
    };
    let body: serde_json::Value = request.send().await.unwrap().json().await.unwrap();
    assert_eq!(body["status"], "success", "{path} {form:?}: {body}");
    body["data"].clone()
}

/// Waits until every rule group has been evaluated at least twice.
async fn evaluated(url: &str) {
    for _ in 0..150 {
        let data = api(url, "/api/v1/rules", &[]).await;
        let groups = data["groups"].as_array().unwrap();
        let done = !groups.is_empty()
            && groups.iter().all(|g| {
                g["rules"].as_array().unwrap().iter().all(|r| {
                    r["lastEvaluation"]
                        .as_str()
                        .is_some_and(|t| !t.starts_with("0001"))
                })
            });
        if done {
            // One more interval, so alerts read recordings of a full evaluation.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the generated rules were never all evaluated");
}

/// Every sample of `selector` half a second ago, when every evaluation up to then is
/// complete: labels, timestamp and value.
async fn samples(url: &str, selector: &str) -> Vec<(BTreeMap<String, String>, f64, f64)> {
    let now = format!(
        "{:.3}",
        (Utc::now().timestamp_millis() - 500) as f64 / 1000.0
    );
    let promql = format!("timestamp({selector}) and {selector}");
    let stamps = api(url, "/api/v1/query", &[("query", &promql), ("time", &now)]).await;
    let values = api(url, "/api/v1/query", &[("query", selector), ("time", &now)]).await;
    let value_of = |labels: &serde_json::Value| {
        values["result"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                let mut a = r["metric"].clone();
                a.as_object_mut().unwrap().remove("__name__");
                &a == labels
            })
            .and_then(|r| r["value"][1].as_str()?.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    stamps["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let labels: BTreeMap<String, String> =
                serde_json::from_value(r["metric"].clone()).unwrap();
            let stamp: f64 = r["value"][1].as_str().unwrap().parse().unwrap();
            let value = value_of(&r["metric"]);
            (labels, stamp, value)
        })
        .collect()
}

#[tokio::test]
async fn generated_rules_equal_the_cockpit_and_alert_exactly_when_its_tiers_fire() {
    let dir = std::env::temp_dir().join(format!("ondeck-rulegen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    config(&dir, "http://127.0.0.1:9");
    let plain = rules(&dir, "prometheus");
    promtool_accepts(&dir, "plain.yml", &plain);
    let operator: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&rules(&dir, "prometheus-operator")).unwrap();
    assert_eq!(operator["kind"].as_str(), Some("PrometheusRule"));
    let spec = serde_yaml_ng::to_string(&operator["spec"]).unwrap();
    promtool_accepts(&dir, "operator.yml", &spec);
    assert_eq!(
        serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&plain).unwrap(),
        operator["spec"]
    );

    let end = Utc::now().timestamp() - 1;
    let server = support::start_with_rules_ending(&plain, end);
    evaluated(&server.url).await;
    let mut config = config(&dir, &server.url);
    config.sources[0].recording_rules = RecordingRules::Never;
    let mut cockpit_firing = BTreeSet::new();
    let mut compared = 0;
    for slo in &config.slos {
        let selector = format!(
            r#"{{__name__=~"slo:sli_error:ratio_rate.*",sloth_service="{}",sloth_slo="{}"}}"#,
            slo.service, slo.name
        );
        // One evaluation of the group writes every window: ask the cockpit at that instant.
        // A read that lands while the group is being written sees two instants; read again.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let recorded = loop {
            let recorded = samples(&server.url, &selector).await;
            assert!(!recorded.is_empty(), "{}: no rule series", slo.spec().id);
            if recorded.iter().all(|r| r.1 == recorded[0].1) {
                break recorded;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "one group, one instant: {recorded:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let stamp = recorded[0].1;
        let at: DateTime<Utc> = Utc
            .timestamp_millis_opt((stamp * 1000.0).round() as i64)
            .unwrap();
        let prom = PrometheusSource::with_windows(
            &config.sources[0],
            vec![slo.clone()],
            &config.tier_windows(),
        )
        .unwrap();
        let fetched = prom.fetch(at).await.unwrap();
        for observation in &fetched.snapshot.slos {
            let report = evaluate(&observation.spec, &observation.counts, &config.tiers);
            let route = observation
                .spec
                .name
                .split_once("=\"")
                .map(|(_, v)| v.trim_end_matches("\"}").to_string());
            for (labels, _, ratio) in &recorded {
                if labels.get("route") != route.as_ref() {
                    continue;
                }
                let window = labels["sloth_window"].parse().unwrap();
                let rule = Some(ratio / (1.0 - slo.objective)).filter(|b| b.is_finite());
                let what = format!("{} burn {window}", observation.spec.id);
                if window == slo.window {
                    assert_same(
                        &format!("{} SLI", observation.spec.id),
                        report.sli,
                        rule.map(|_| 1.0 - ratio),
                    );
                } else {
                    assert_same(&what, report.burn_rates[&window], rule);
                }
                compared += 1;
            }
            for tier in report.alerts.iter().filter(|t| t.firing) {
                cockpit_firing.insert((
                    observation.spec.service.clone(),
                    slo.name.clone(),
                    route.clone(),
                    tier.spec.severity,
                ));
            }
        }
    }
    assert!(compared >= 4 * 8, "{compared} rule series compared");
    let alerts = api(&server.url, "/api/v1/alerts", &[]).await;
    let rules_firing: BTreeSet<_> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["state"] == "firing")
        .map(|a| {
            let l = &a["labels"];
            let severity = if l["sloth_severity"] == "page" {
                Severity::Page
            } else {
                Severity::Ticket
            };
            (
                l["sloth_service"].as_str().unwrap().to_string(),
                l["sloth_slo"].as_str().unwrap().to_string(),
                l["route"].as_str().map(str::to_string),
                severity,
            )
        })
        .collect();
    assert_eq!(rules_firing, cockpit_firing);
    // The history pages checkout and pages and tickets payments, so the comparison is real.
    assert!(
        cockpit_firing
            .iter()
            .any(|f| f.0 == "checkout" && f.3 == Severity::Page)
    );
    assert!(
        cockpit_firing
            .iter()
            .any(|f| f.0 == "payments" && f.3 == Severity::Ticket)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
