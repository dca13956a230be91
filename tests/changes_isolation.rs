//! A slow or failing change source never delays the SLOs or the pages: the pollers the
//! cockpit runs deliver the demo's metrics and incidents while a Grafana that answers only
//! after a minute and an Argo CD that answers 500 are still out, and when those fail, only
//! the changes feed says so — the SLOs and pages stay current.

use std::time::Duration;

use serde_json::json;
use tokio::sync::{mpsc, watch};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::action::Action;
use ondeck::event::Event;
use ondeck::sources::{Clock, Feed};
use ondeck::state::Freshness;
use ondeck::update::update;

#[tokio::test]
async fn pages_and_slos_arrive_while_a_change_source_hangs_and_stay_current_when_it_fails() {
    let slow = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/annotations"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .set_delay(Duration::from_secs(60)),
        )
        .mount(&slow)
        .await;
    let failing = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/applications"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream connect error"))
        .mount(&failing)
        .await;
    let text = format!(
        r#"
[[source]]
name = "demo"
kind = "demo"

[[source]]
name = "grafana"
kind = "grafana"
url = "{}"
timeout = "1s"

[[source]]
name = "argo"
kind = "argocd"
url = "{}"
timeout = "1s"
"#,
        slow.uri(),
        failing.uri()
    );
    let config = ondeck::config::parse(&text, std::path::Path::new("ondeck.toml")).unwrap();
    let clock = Clock::System;
    let app = ondeck::setup::build(&config, &Default::default(), clock).unwrap();
    let mut state = app.state.clone();
    let (tx, mut rx) = mpsc::channel::<Event>(64);
    let (_refresh_tx, refresh_rx) = watch::channel(0u64);
    ondeck::app::spawn_pollers(&app.backends, clock, &tx, &refresh_rx);

    // Everything arrives on one channel, in the order it finished.
    let mut order = Vec::new();
    let wait = Duration::from_secs(60);
    while !(order.contains(&("grafana".to_string(), Feed::Changes))
        && order.contains(&("argo".to_string(), Feed::Changes)))
    {
        let event = tokio::time::timeout(wait, rx.recv())
            .await
            .expect("every feed reports within a minute")
            .expect("the pollers are running");
        if let Event::Source(polled) = event {
            order.push((polled.source.clone(), polled.feed));
            update(&mut state, Action::Ingest(polled));
        }
    }
    let place = |source: &str, feed| {
        order
            .iter()
            .position(|o| o.0 == source && o.1 == feed)
            .unwrap_or_else(|| panic!("{source} {feed:?} never reported: {order:?}"))
    };
    let grafana = place("grafana", Feed::Changes);
    assert!(
        place("demo", Feed::Metrics) < grafana && place("demo", Feed::Incidents) < grafana,
        "the hanging change source held nothing back: {order:?}"
    );

    update(&mut state, Action::Tick(chrono::Utc::now()));
    assert_eq!(state.freshness("demo", Feed::Metrics), Freshness::Current);
    assert_eq!(state.freshness("demo", Feed::Incidents), Freshness::Current);
    assert!(!state.slos.is_empty() && state.open_incidents().len() > 1);
    let failure = |name: &str| {
        state
            .feed_status(name, Feed::Changes)
            .and_then(|s| s.failure.clone())
            .map(|f| f.error)
            .unwrap_or_default()
    };
    assert_eq!(failure("grafana"), "timed out after 1000 ms");
    assert_eq!(failure("argo"), "HTTP 500: changes: upstream connect error");
    assert_eq!(
        state.freshness("argo", Feed::Changes),
        Freshness::Missing { failed: true }
    );
}
