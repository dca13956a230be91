//! Alertmanager incidents as scripts and the overview see them, through the built binary
//! against a real Alertmanager and a real Prometheus: `ondeck incidents --format json`
//! carries each incident's labels, annotations and links (scripts select by `alertname` and
//! `runbook_url`) and no escalation level Alertmanager does not have; MTTR comes from the
//! Prometheus `ALERTS` series, and without a Prometheus source it is missing with the reason.

#[path = "support/alertmanager.rs"]
mod am;
#[allow(dead_code)]
#[path = "support/prometheus.rs"]
mod prom;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use am::Alertmanager;

fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-amhist-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary with `args` on a config of `sources` (TOML), isolated in `home`; its
/// stdout as JSON.
fn ondeck_json(home: &Path, sources: &str, args: &[&str]) -> Value {
    let config = home.join("ondeck.toml");
    std::fs::write(&config, sources).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ondeck"))
        .env_remove("ONDECK_CONFIG")
        .env("HOME", home)
        .env("USER", "sam")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .arg("--config")
        .arg(&config)
        .args(args)
        .output()
        .expect("the ondeck binary runs");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn alertmanager_source(url: &str) -> String {
    format!("[[source]]\nname = \"am\"\nkind = \"alertmanager\"\nurl = \"{url}\"\n")
}

const RUNBOOK: &str = "https://runbooks.test/checkout-errors";

#[tokio::test]
async fn incidents_json_carries_labels_annotations_and_links_to_select_by() {
    let am = Alertmanager::start();
    am.fire(&[
        (
            json!({"alertname": "HighErrorRate", "service": "checkout", "severity": "critical", "instance": "a"}),
            json!({"summary": "checkout errors above 2%", "description": "5xx share is 4%",
                   "runbook_url": RUNBOOK}),
            20,
        ),
        (
            json!({"alertname": "HighErrorRate", "service": "checkout", "severity": "critical", "instance": "b"}),
            json!({"summary": "checkout errors above 2%", "runbook_url": RUNBOOK}),
            5,
        ),
        (
            json!({"alertname": "DiskFilling", "job": "node", "severity": "warning"}),
            json!({}),
            60,
        ),
    ])
    .await;
    let home = home("json");
    let listed = ondeck_json(
        &home,
        &alertmanager_source(&am.url),
        &["incidents", "--format", "json"],
    );
    let incidents = listed["incidents"].as_array().unwrap();
    // What a script does: pick the page by alertname, open its runbook.
    let page = incidents
        .iter()
        .find(|i| i["labels"]["alertname"] == "HighErrorRate")
        .unwrap_or_else(|| panic!("no HighErrorRate in {listed:#}"));
    assert_eq!(page["annotations"]["runbook_url"], RUNBOOK);
    assert_eq!(page["annotations"]["summary"], "checkout errors above 2%");
    assert!(
        page["annotations"].get("description").is_none(),
        "an annotation only one alert of the group has describes no single incident"
    );
    assert_eq!(page["labels"]["service"], "checkout");
    assert_eq!(page["labels"]["severity"], "critical");
    assert!(page["labels"].get("instance").is_none(), "{page:#}");
    let links: Vec<&str> = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["url"].as_str().unwrap())
        .collect();
    assert!(links.contains(&RUNBOOK), "{links:?}");
    assert!(
        page["escalation_level"].is_null(),
        "Alertmanager has no escalation level: {page:#}"
    );
    let by_runbook: Vec<&Value> = incidents
        .iter()
        .filter(|i| i["annotations"]["runbook_url"] == RUNBOOK)
        .collect();
    assert_eq!(by_runbook.len(), 1);
    let disk = incidents
        .iter()
        .find(|i| i["labels"]["alertname"] == "DiskFilling")
        .unwrap();
    assert_eq!(disk["annotations"], json!({}));
}

#[tokio::test]
async fn without_a_prometheus_source_mttr_is_missing_with_the_reason() {
    let am = Alertmanager::start();
    let home = home("noprom");
    let snapshot = ondeck_json(
        &home,
        &alertmanager_source(&am.url),
        &["snapshot", "--format", "json"],
    );
    let response = &snapshot["response"];
    assert!(response["mttr_seconds"].is_null(), "{response:#}");
    assert!(response["mtta_seconds"].is_null(), "{response:#}");
    let why = response["mttr_missing"].as_str().unwrap_or_default();
    assert!(
        why.contains("am:") && why.contains("configure a prometheus source"),
        "{why}"
    );
}

/// Minutes before [`prom::END`] of each firing of the backfilled `ALERTS` series, as
/// (labels, first sample, last sample); `None` as the last: still firing at the end.
const FIRINGS: [(&str, i64, Option<i64>); 4] = [
    (
        r#"alertname="HighErrorRate",service="checkout""#,
        180,
        Some(160),
    ),
    (
        r#"alertname="HighErrorRate",service="checkout""#,
        90,
        Some(45),
    ),
    (r#"alertname="DiskFilling",instance="db-1""#, 60, None),
    // Began a day before the 30-day window: its start is unknown to the window.
    (
        r#"alertname="Down",job="api""#,
        31 * 1440,
        Some(30 * 1440 - 10),
    ),
];

/// The `ALERTS` samples a rule evaluated every 15 s would have written for [`FIRINGS`].
fn alerts_history() -> String {
    let mut by_series: Vec<(&str, Vec<i64>)> = Vec::new();
    for (labels, from, to) in FIRINGS {
        let (first, last) = (prom::END - from * 60, prom::END - to.unwrap_or(0) * 60);
        let times = (first..=last).step_by(15);
        match by_series.iter_mut().find(|(l, _)| *l == labels) {
            Some((_, samples)) => samples.extend(times),
            None => by_series.push((labels, times.collect())),
        }
    }
    let mut out = "# TYPE ALERTS gauge\n".to_string();
    for (labels, samples) in by_series {
        for t in samples {
            let _ = writeln!(out, "ALERTS{{{labels},alertstate=\"firing\"}} 1 {t}");
        }
    }
    out
}

#[tokio::test]
async fn with_prometheus_mttr_is_the_mean_firing_of_its_alerts_series() {
    let prometheus = prom::start_with_extra_history(&alerts_history());
    let am = Alertmanager::start();
    let home = home("prom");
    let config = format!(
        "{}\n[[source]]\nname = \"prom\"\nkind = \"prometheus\"\nurl = \"{}\"\ntimeout = \"20s\"\n",
        alertmanager_source(&am.url),
        prometheus.url
    );
    let at = prom::END.to_string();
    let snapshot = ondeck_json(
        &home,
        &config,
        &["snapshot", "--format", "json", "--at", &at],
    );
    let response = &snapshot["response"];
    // The two resolved firings of the window, as written: 20 and 45 minutes.
    let resolved: Vec<i64> = FIRINGS
        .iter()
        .filter(|(_, from, _)| *from < 30 * 1440)
        .filter_map(|(_, from, to)| to.map(|to| (from - to) * 60))
        .collect();
    assert_eq!(resolved, [1200, 2700]);
    let mean = resolved.iter().sum::<i64>() as f64 / resolved.len() as f64;
    assert_eq!(response["mttr_seconds"], json!(mean), "{response:#}");
    assert_eq!(response["resolved"], 2);
    assert_eq!(response["opened"], 3, "the still-firing alert opened too");
    assert_eq!(response["history_age_seconds"], 0);
    assert!(response["mtta_seconds"].is_null());
    assert_eq!(
        response["mtta_missing"],
        "no source counted records acknowledgements"
    );
    let notes = response["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n.as_str().is_some_and(
            |n| n.starts_with("am: not in MTTA: Alertmanager has no acknowledgements")
        )),
        "{notes:?}"
    );
}
