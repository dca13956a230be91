//! Changes from a real Prometheus: deploys CI pushes through a real Pushgateway, scraped by
//! Prometheus with `honor_labels`, reach the cockpit's change list, the debug pane's time axis
//! (under the sample Prometheus itself says is the first at or after the deploy) and the
//! on-call line of a page from a real Alertmanager; and a version label changing in
//! backfilled history is found at the minute Prometheus's own data says it changed.

#[path = "support/alertmanager.rs"]
mod alertmanager;
// This test uses the server starters, not the comparison helpers.
#[allow(dead_code)]
#[path = "support/prometheus.rs"]
mod prometheus;
#[path = "support/pushgateway.rs"]
mod pushgateway;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use ondeck::action::Action;
use ondeck::config::changes::{ChangeQuery, Detect};
use ondeck::config::{Keymap, Theme};
use ondeck::headless::poll_once;
use ondeck::model::{Change, ChangeKind};
use ondeck::setup::{Overrides, build};
use ondeck::sources::Clock;
use ondeck::sources::changes::prometheus::PrometheusChanges;
use ondeck::state::State;
use ondeck::ui::{UiContext, render};
use ondeck::update::update;

fn screen(state: &State, width: u16, height: u16) -> Vec<String> {
    let theme = Theme::dark();
    let keymap = Keymap::defaults();
    let ctx = UiContext {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(frame, state, &ctx)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// The column (in cells) where `needle` starts on `row`.
fn column(row: &str, needle: &str) -> Option<usize> {
    row.find(needle).map(|byte| row[..byte].chars().count())
}

/// The README's change queries on a prometheus source and its SLO (its first `toml` block
/// under "### Changes"), run as written: only the URL and timeout are this test's.
fn readme_source(prometheus: &str) -> String {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = &readme[readme.find("### Changes").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + section[start..].find("```").unwrap();
    let block = &section[start..end];
    let url = r#"url = "http://prometheus.internal:9090""#;
    assert!(block.contains(url), "{block}");
    block.replace(url, &format!("url = \"{prometheus}\"\ntimeout = \"20s\""))
}

/// The README's block (its source and checkout's SLO) and a real Alertmanager.
fn config(prometheus: &str, alertmanager: &str) -> String {
    format!(
        r#"{}
[[source]]
name = "am"
kind = "alertmanager"
url = "{alertmanager}"
"#,
        readme_source(prometheus)
    )
}

/// The instants of Prometheus's own answer to the error-rate trend ondeck draws.
async fn trend_instants(url: &str, at: DateTime<Utc>) -> Vec<f64> {
    let end = at.timestamp_millis() as f64 / 1000.0;
    let form = [
        (
            "query",
            r#"sum by (service) (rate(http_requests_total{service="checkout",code=~"5.."}[5m])) / sum by (service) (rate(http_requests_total{service="checkout"}[5m]))"#.to_string(),
        ),
        ("start", format!("{:.3}", end - 59.0 * 60.0)),
        ("end", format!("{end:.3}")),
        ("step", "60".to_string()),
    ];
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{url}/api/v1/query_range"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["result"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_f64().unwrap())
        .collect()
}

#[tokio::test]
async fn deploys_pushed_through_the_pushgateway_reach_the_list_the_axis_and_the_page() {
    let start = Utc::now().timestamp();
    // The fleet's history (checkout's error burst in its last 50 minutes) ends just before
    // the scrapes begin.
    let history = prometheus::openmetrics_ending(start - start % 15 - 30);
    let stack = pushgateway::Stack::start(Some(history));
    let am = alertmanager::Alertmanager::start();
    let fired = start;
    let (first, second) = (fired - 40 * 60, fired - 390);
    let group = "job/deploy/service/checkout";
    stack
        .push(
            group,
            &format!("deploy_timestamp_seconds{{version=\"1.42\",deployer=\"ci-bot\"}} {first}\n"),
        )
        .await;
    stack
        .wait_for(r#"deploy_timestamp_seconds{version="1.42"}"#)
        .await;
    // CI pushes the next deploy to the same group: 1.42's series ends, 1.43's begins.
    stack
        .push(
            group,
            &format!("deploy_timestamp_seconds{{version=\"1.43\",deployer=\"ci-bot\"}} {second}\n"),
        )
        .await;
    stack
        .wait_for(r#"deploy_timestamp_seconds{version="1.43"}"#)
        .await;
    let page = json!([{
        "labels": {"alertname": "CheckoutErrors", "service": "checkout", "severity": "critical"},
        "annotations": {"summary": "checkout is failing requests"},
        "startsAt": Utc.timestamp_opt(fired, 0).unwrap().to_rfc3339_opts(SecondsFormat::Secs, true),
        "endsAt": (Utc::now() + chrono::Duration::days(1)).to_rfc3339_opts(SecondsFormat::Secs, true),
    }]);
    let posted = reqwest::Client::new()
        .post(format!("{}/api/v2/alerts", am.url))
        .json(&page)
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_success());
    am.wait_until("CheckoutErrors", "active").await;

    // Every query evaluates at one whole second after both scrapes.
    let at = Utc.timestamp_opt(Utc::now().timestamp() + 1, 0).unwrap();
    let clock = Clock::Fixed(at);
    let text = config(&stack.prometheus, &am.url);
    let path = std::env::temp_dir().join("ondeck-changes-prometheus.toml");
    let config = ondeck::config::parse(&text, &path).unwrap();
    let app = build(&config, &Overrides::default(), clock).unwrap();
    let mut state = app.state.clone();
    for source_update in poll_once(&app.backends, clock).await {
        update(&mut state, Action::Ingest(Box::new(source_update)));
    }
    update(&mut state, Action::Tick(at));
    let failed: Vec<_> = state
        .sources
        .iter()
        .filter(|s| s.failure.is_some() || !s.warnings.is_empty())
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");

    // The change list: both deploys, 1.43 from 1.42, at the times Prometheus holds.
    let mut changes: Vec<&Change> = state.all_changes().collect();
    changes.sort_by_key(|c| c.at);
    let got: Vec<_> = changes
        .iter()
        .map(|c| {
            (
                c.service.as_str(),
                c.kind,
                c.what(),
                c.author.as_deref(),
                c.source.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "checkout",
                ChangeKind::Deploy,
                "→ 1.42".to_string(),
                Some("ci-bot"),
                "prom"
            ),
            (
                "checkout",
                ChangeKind::Deploy,
                "1.42 → 1.43".to_string(),
                Some("ci-bot"),
                "prom"
            ),
        ]
    );
    for (change, version) in changes.iter().zip(["1.42", "1.43"]) {
        let said = stack
            .query(
                &format!(r#"max_over_time(deploy_timestamp_seconds{{version="{version}"}}[2h])"#),
                &at.timestamp().to_string(),
            )
            .await;
        assert_eq!(said.len(), 1, "{version}: {said:?}");
        assert_eq!(change.at.timestamp() as f64, said[0].1, "{version}");
    }

    // The debug pane: the deploy's mark sits under the first sample Prometheus answers at or
    // after it.
    update(&mut state, Action::Open);
    assert_eq!(state.debug.service.as_deref(), Some("checkout"));
    let instants = trend_instants(&stack.prometheus, at).await;
    assert_eq!(instants.len(), 60, "a full hour of trend");
    let sample = instants
        .iter()
        .position(|t| *t >= second as f64)
        .expect("a sample after the deploy");
    let rows = screen(&state, 160, 48);
    let err = rows
        .iter()
        .find(|r| r.contains("│err "))
        .unwrap_or_else(|| panic!("no error trend:\n{}", rows.join("\n")));
    let axis = rows
        .iter()
        .find(|r| r.contains("│changes "))
        .unwrap_or_else(|| panic!("no change axis:\n{}", rows.join("\n")));
    // The sparkline starts after the 13-column label and a space; 1.42's deploy, 40
    // minutes back, is on the hour's axis too.
    let spark_start = column(err, "│err ").unwrap() + 1 + 14;
    let first_sample = instants.iter().position(|t| *t >= first as f64).unwrap();
    let marks: Vec<usize> = axis
        .chars()
        .enumerate()
        .filter(|(_, c)| *c == '▲')
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        marks,
        vec![spark_start + first_sample, spark_start + sample],
        "\n{err}\n{axis}"
    );

    // The page: what changed before it, nearest first.
    update(&mut state, Action::ShowOncall);
    update(&mut state, Action::Open);
    let rows = screen(&state, 160, 48);
    let line = rows
        .iter()
        .find(|r| r.contains("changed before this page"))
        .unwrap_or_else(|| panic!("no changes line:\n{}", rows.join("\n")));
    assert!(
        line.contains(
            "changed before this page: checkout 1.42 → 1.43 deployed 6m before it fired (prom, by ci-bot)"
        ),
        "{line}"
    );
    let below = rows
        .iter()
        .skip_while(|r| !r.contains("changed before this page"))
        .nth(1)
        .unwrap();
    assert!(
        below.contains("checkout → 1.42 deployed 40m before it fired (prom, by ci-bot)"),
        "the older one next:\n{below}"
    );
}

/// `app_build_info` history: 1.42 until 47 minutes before the end, 1.43 from then, and 1.42
/// again (a rollback) for the last 10 minutes.
fn build_info_history() -> String {
    let end = prometheus::END;
    let switch = end - 47 * 60;
    let back = end - 10 * 60;
    let mut lines = "# TYPE app_build_info gauge\n".to_string();
    for (version, from, to) in [
        ("1.42", end - 3 * 3600, switch - 15),
        ("1.43", switch, back - 15),
    ] {
        let mut t = from;
        while t <= to {
            lines.push_str(&format!(
                "app_build_info{{service=\"checkout\",version=\"{version}\",restart=\"{from}\"}} 1 {t}\n"
            ));
            t += 15;
        }
    }
    let mut t = back;
    while t <= end {
        lines.push_str(&format!(
            "app_build_info{{service=\"checkout\",version=\"1.42\",restart=\"{back}\"}} 1 {t}\n"
        ));
        t += 15;
    }
    lines
}

#[tokio::test]
async fn a_version_label_changing_in_backfilled_history_is_found_at_its_minute() {
    let server = prometheus::start_with_extra_history(&build_info_history());
    // The README's version-label query, alone on the source.
    let readme = ondeck::config::parse(
        &readme_source(&server.url),
        std::path::Path::new("README.md"),
    )
    .unwrap();
    let mut source = readme.sources[0].clone();
    source
        .changes
        .queries
        .retain(|q| q.query == "app_build_info");
    assert_eq!(
        source.changes.queries,
        [ChangeQuery {
            query: "app_build_info".into(),
            detect: Detect::Label,
            service_label: "service".into(),
            version_label: Some("version".into()),
            author_label: None,
            kind: ChangeKind::Deploy,
        }]
    );
    let changes = PrometheusChanges::new(&source).unwrap();
    let end = Utc.timestamp_opt(prometheus::END, 0).unwrap();
    let snapshot = changes
        .fetch(end - chrono::Duration::hours(2), end)
        .await
        .unwrap();
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
    let got: Vec<_> = snapshot
        .changes
        .iter()
        .map(|c| (c.at, c.kind, c.what()))
        .collect();

    // Prometheus's own account of when each version's series first has a sample.
    let first_seen = |version: &str, restart: i64| {
        let url = server.url.clone();
        let promql = format!(
            "min_over_time(timestamp(app_build_info{{version=\"{version}\",restart=\"{restart}\"}})[3h:15s])"
        );
        async move {
            let body: serde_json::Value = reqwest::Client::new()
                .post(format!("{url}/api/v1/query"))
                .form(&[
                    ("query", promql.as_str()),
                    ("time", &prometheus::END.to_string()),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let value = body["data"]["result"][0]["value"][1].as_str().unwrap();
            Utc.timestamp_opt(value.parse::<f64>().unwrap() as i64, 0)
                .unwrap()
        }
    };
    let upgrade = first_seen("1.43", prometheus::END - 47 * 60).await;
    let rollback = first_seen("1.42", prometheus::END - 10 * 60).await;
    assert_eq!(
        upgrade,
        end - chrono::Duration::minutes(47),
        "the history as written"
    );
    assert_eq!(
        got,
        vec![
            (upgrade, ChangeKind::Deploy, "1.42 → 1.43".to_string()),
            (rollback, ChangeKind::Rollback, "1.43 → 1.42".to_string()),
        ]
    );
}
