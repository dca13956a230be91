//! The built binary against a real Prometheus: `snapshot --at` (time travel) evaluates every
//! query at the given instant and reports it as `generated_at`, with burn rates equal to
//! Prometheus's own answer at that instant.

#[path = "support/prometheus.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use ondeck::slo::STANDARD_WINDOWS;
use support::{assert_same, prometheus_says};

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-promcli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary with config, state and log dirs isolated in `home`.
fn ondeck(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ondeck"));
    cmd.env_remove("ONDECK_CONFIG")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"));
    cmd
}

/// A config with one Prometheus source and two SLOs of the test fleet.
fn write_config(home: &Path, url: &str) -> PathBuf {
    let text = format!(
        r#"
[[source]]
name = "prom"
kind = "prometheus"
url = "{url}"
timeout = "20s"

[[slo]]
name = "availability"
service = "checkout"
objective = 99.9
bad = 'http_requests_total{{service="checkout",code=~"5.."}}'
total = 'http_requests_total{{service="checkout"}}'

[[slo]]
name = "availability"
service = "payments"
objective = 99.9
bad = 'http_requests_total{{service="payments",code=~"5.."}}'
total = 'http_requests_total{{service="payments"}}'
"#
    );
    let path = home.join("ondeck.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn snapshot_at(home: &Path, config: &Path, at: &str) -> Value {
    let out = ondeck(home)
        .arg("--config")
        .arg(config)
        .args(["snapshot", "--format", "json", "--at", at])
        .output()
        .expect("the ondeck binary runs");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn burn_promql(service: &str, w: &str) -> String {
    let rate = |extra: &str| {
        format!(r#"sum(rate(http_requests_total{{service="{service}"{extra}}}[{w}]))"#)
    };
    format!("({} / {}) / (1 - 0.999)", rate(r#",code=~"5..""#), rate(""))
}

#[tokio::test]
async fn snapshot_at_a_past_instant_shows_prometheus_numbers_of_that_instant() {
    let home = temp_home("at");
    let config = write_config(&home, &support::server().url);
    let rfc3339 = snapshot_at(&home, &config, "2025-01-01T00:00:00Z");
    let epoch = snapshot_at(&home, &config, &support::END.to_string());
    for json in [&rfc3339, &epoch] {
        assert_eq!(json["generated_at"], "2025-01-01T00:00:00Z");
        assert_eq!(json["sources"][0]["status"], "fresh", "{json}");
    }
    assert_eq!(rfc3339["slos"], epoch["slos"]);
    let slos = rfc3339["slos"].as_array().unwrap();
    assert_eq!(slos.len(), 2);
    for slo in slos {
        let service = slo["service"].as_str().unwrap();
        for w in STANDARD_WINDOWS {
            let w = w.to_string();
            let ondeck = slo["burn_rates"][&w].as_f64();
            let expected = prometheus_says(&burn_promql(service, &w)).await;
            assert_same(&format!("{service} burn {w}"), ondeck, expected);
        }
    }
    // The checkout burst is in the data's last 50 minutes: it pages at the end time.
    let checkout = slos.iter().find(|s| s["service"] == "checkout").unwrap();
    assert!(checkout["burn_rates"]["1h"].as_f64().unwrap() > 14.4);
}

#[tokio::test]
async fn an_instant_before_the_burst_shows_no_burst() {
    let home = temp_home("before");
    let config = write_config(&home, &support::server().url);
    // Two hours before the end, checkout's errors were at their 0.05% baseline.
    let two_hours_before = (support::END - 2 * 3600).to_string();
    let json = snapshot_at(&home, &config, &two_hours_before);
    assert_eq!(json["generated_at"], "2024-12-31T22:00:00Z");
    let slos = json["slos"].as_array().unwrap();
    let checkout = slos.iter().find(|s| s["service"] == "checkout").unwrap();
    let burn = checkout["burn_rates"]["1h"].as_f64().unwrap();
    assert!(burn < 1.0, "{burn}");
}
