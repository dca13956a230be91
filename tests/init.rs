//! `ondeck init` against what a new user has: a real Prometheus with history, a real
//! Alertmanager, and a PagerDuty stub that accepts only the right token. The file it writes
//! must load, measure what Prometheus itself says, hold no secret, and never overwrite a
//! config by surprise.

#[path = "support/alertmanager.rs"]
mod alertmanager;
#[path = "support/prometheus.rs"]
mod prometheus;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use alertmanager::Alertmanager;
use prometheus::{END, assert_same, prometheus_says, server};

const TOKEN_ENV: &str = "ONDECK_INIT_PD_TOKEN";
const TOKEN: &str = "pd-init-secret-7Hq2";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-init-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `ondeck` at the history's end, with a home of its own (no user config, no state).
fn ondeck(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ondeck"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .args(["--at", &END.to_string()])
        .args(args);
    command
}

async fn run(command: Command) -> Output {
    let mut command = command;
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A PagerDuty that answers its incident list only to `Token token=<TOKEN>`.
async fn pagerduty() -> MockServer {
    let stub = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .and(header(
            "authorization",
            format!("Token token={TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "incidents": [], "limit": 1, "offset": 0, "more": false, "total": null
        })))
        .mount(&stub)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": {"message": "Unauthorized", "code": 2006}
        })))
        .mount(&stub)
        .await;
    stub
}

/// The config a new user gets from their Prometheus, Alertmanager and PagerDuty: it loads,
/// every SLO in it measures, its numbers are Prometheus's own, and the token is named, never
/// written.
#[tokio::test(flavor = "multi_thread")]
async fn init_writes_a_config_that_loads_and_measures_what_prometheus_says() {
    let prom = server();
    let am = Alertmanager::start();
    let pd = pagerduty().await;
    let home = temp_dir("full");
    let file = home.join("ondeck.toml");
    let mut init = ondeck(
        &home,
        &[
            "init",
            "--prometheus",
            &prom.url,
            "--alertmanager",
            &am.url,
            "--pagerduty-token-env",
            TOKEN_ENV,
            "--pagerduty-from",
            "oncall@example.com",
            "--pagerduty-url",
            &pd.uri(),
            "--output",
            file.to_str().unwrap(),
        ],
    );
    init.env(TOKEN_ENV, TOKEN);
    let output = run(init).await;
    let said = text(&output.stdout);
    assert!(output.status.success(), "{said}{}", text(&output.stderr));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        !written.contains(TOKEN),
        "the token was written:\n{written}"
    );
    assert!(!said.contains(TOKEN), "the token was printed:\n{said}");
    assert!(written.contains(&format!("token_env = \"{TOKEN_ENV}\"")));
    assert!(said.contains(&format!("export {TOKEN_ENV}=")), "{said}");
    for source in ["prom", "alertmanager", "pagerduty"] {
        assert!(said.contains(&format!("{source}: ok")), "{said}");
    }
    // The probe read Alertmanager's version from its own status endpoint.
    assert!(
        written.contains("# checked: answers, version 0."),
        "{written}"
    );

    // Every proposed SLO of the fleet is there and none was left out: each measured.
    for id in [
        "checkout/availability",
        "search/availability",
        "payments/availability",
        "shop/availability",
        "checkout/latency",
    ] {
        let (service, name) = id.split_once('/').unwrap();
        let block = format!("[[slo]]\nservice = \"{service}\"\nname = \"{name}\"");
        assert!(written.contains(&block), "{id} missing:\n{written}");
    }
    assert!(
        !written.contains("#[[slo]]"),
        "an SLO was left out:\n{written}"
    );

    // check-config accepts it as written, once the token's variable is exported.
    let mut check = ondeck(&home, &["--config", file.to_str().unwrap(), "check-config"]);
    check.env(TOKEN_ENV, TOKEN);
    let checked = run(check).await;
    assert!(checked.status.success(), "{}", text(&checked.stderr));

    // The snapshot of the written config says what Prometheus says for the same SLI.
    let mut snapshot = ondeck(
        &home,
        &[
            "--config",
            file.to_str().unwrap(),
            "snapshot",
            "--format",
            "json",
        ],
    );
    snapshot.env(TOKEN_ENV, TOKEN);
    let snap = run(snapshot).await;
    assert!(snap.status.success(), "{}", text(&snap.stderr));
    let json: Value = serde_json::from_slice(&snap.stdout).unwrap();
    let slo = |id: &str| {
        json["slos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id} not in the snapshot"))
            .clone()
    };
    let availability = slo("checkout/availability");
    assert_same(
        "checkout availability SLI over 30d",
        availability["sli"].as_f64(),
        prometheus_says(
            r#"1 - sum(rate(http_requests_total{service="checkout",code=~"5.."}[30d])) / sum(rate(http_requests_total{service="checkout"}[30d]))"#,
        )
        .await,
    );
    // search has burned below 99.9% over the history: it starts at the strictest usual
    // objective it meets, not on a budget already spent.
    let search_sli = prometheus_says(
        r#"1 - sum(rate(http_requests_total{service="search",code=~"5.."}[30d])) / sum(rate(http_requests_total{service="search"}[30d]))"#,
    )
    .await
    .unwrap();
    let expected = [99.99, 99.95, 99.9, 99.5, 99.0]
        .into_iter()
        .find(|o| search_sli * 100.0 >= *o)
        .unwrap();
    // The snapshot states objectives as shares.
    let objective = slo("search/availability")["objective"].as_f64().unwrap();
    assert!(
        (objective * 100.0 - expected).abs() < 1e-9,
        "{objective} vs {expected}"
    );
    assert!(expected < 99.9, "the fleet's search SLI is {search_sli}");
    // The latency threshold is a real bucket bound at or above the last hour's p99.
    let threshold: f64 = written
        .split("metric = 'http_request_duration_seconds{service=\"checkout\"}'\nthreshold = ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no checkout latency threshold:\n{written}"));
    let p99 = prometheus_says(
        r#"histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="checkout"}[1h])))"#,
    )
    .await
    .unwrap();
    assert!(threshold >= p99, "threshold {threshold} below p99 {p99}");
    assert!(
        [0.1, 0.25, 0.5, 1.0].contains(&threshold),
        "{threshold} is not a bucket bound"
    );
    assert_same(
        "checkout latency SLI over 30d",
        slo("checkout/latency")["sli"].as_f64(),
        prometheus_says(&format!(
            r#"sum(rate(http_request_duration_seconds_bucket{{service="checkout",le="{threshold}"}}[30d])) / sum(rate(http_request_duration_seconds_count{{service="checkout"}}[30d]))"#
        ))
        .await,
    );
}

/// A backend that does not answer or refuses the token is written, marked as not working,
/// and the run says so with exit 1; the token never appears.
#[tokio::test(flavor = "multi_thread")]
async fn a_backend_that_refuses_or_does_not_answer_is_marked_and_the_run_fails() {
    let pd = pagerduty().await;
    let home = temp_dir("refused");
    let file = home.join("ondeck.toml");
    let mut init = ondeck(
        &home,
        &[
            "init",
            "--alertmanager",
            "http://127.0.0.1:9",
            "--pagerduty-token-env",
            TOKEN_ENV,
            "--pagerduty-from",
            "oncall@example.com",
            "--pagerduty-url",
            &pd.uri(),
            "--output",
            file.to_str().unwrap(),
        ],
    );
    init.env(TOKEN_ENV, "a-wrong-token-4411");
    let output = run(init).await;
    let said = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(said.contains("alertmanager: NOT working"), "{said}");
    assert!(
        said.contains("pagerduty: NOT working: refused the credentials (HTTP 401)"),
        "{said}"
    );
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(!written.contains("a-wrong-token-4411"), "{written}");
    assert!(written.contains("# NOT working: refused the credentials"));
    // It still loads: the user fixes the token and runs it.
    let checked = run(ondeck(
        &home,
        &["--config", file.to_str().unwrap(), "check-config"],
    ))
    .await;
    assert!(
        text(&checked.stderr).contains(TOKEN_ENV),
        "check-config names the unset variable: {}",
        text(&checked.stderr)
    );
}

/// An existing config is never replaced without --force; a missing backend list or a
/// PagerDuty without its acting user is a usage error with the fix.
#[tokio::test(flavor = "multi_thread")]
async fn init_refuses_to_overwrite_and_says_what_is_missing() {
    let home = temp_dir("refuse");
    let file = home.join("ondeck.toml");
    std::fs::write(&file, "# the team's config\n").unwrap();
    let output = run(ondeck(
        &home,
        &[
            "init",
            "--alertmanager",
            "http://127.0.0.1:9",
            "--output",
            file.to_str().unwrap(),
        ],
    ))
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("--force"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "# the team's config\n"
    );

    let nothing = run(ondeck(&home, &["init", "--output", "x.toml"])).await;
    assert_eq!(nothing.status.code(), Some(2));
    assert!(text(&nothing.stderr).contains("--prometheus URL"));

    let no_from = run(ondeck(
        &home,
        &[
            "init",
            "--pagerduty-token-env",
            TOKEN_ENV,
            "--output",
            "y.toml",
        ],
    ))
    .await;
    assert_eq!(no_from.status.code(), Some(2));
    assert!(text(&no_from.stderr).contains("--pagerduty-from"));
}
