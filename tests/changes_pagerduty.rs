//! PagerDuty change events against a stub written from PagerDuty's API reference: the
//! documented path, parameters and headers; pages as the server reports them (a smaller
//! page than asked, `more` ending the list, `total: null`); services named by reference
//! looked up once; the changes PagerDuty relates to a page; and refusals and rate limits
//! reported as the changes feed's, never the incidents'.

#[path = "support/pagerduty.rs"]
mod support;

use std::path::Path;

use chrono::{TimeZone, Utc};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::config::parse;
use ondeck::model::ChangeKind;
use ondeck::sources::pagerduty::{ACCEPT, PagerdutyChanges};
use ondeck::sources::{SourceError, SourceMeta};
use support::{AUTH, FROM, TOKEN, TOKEN_ENV};

fn changes_fixture(name: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/changes")
        .join(name);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn reply(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/json")
        .set_body_string(changes_fixture(name))
}

fn changes(server: &MockServer) -> PagerdutyChanges {
    // SAFETY: every test sets the same value, so concurrent writers cannot disagree.
    unsafe { std::env::set_var(TOKEN_ENV, TOKEN) };
    let text = format!(
        r#"[[source]]
name = "pd"
kind = "pagerduty"
url = "{}"
token_env = "{TOKEN_ENV}"
from_email = "{FROM}"
change_events = true
"#,
        server.uri()
    );
    let config = parse(&text, Path::new("ondeck.toml")).unwrap_or_else(|e| panic!("{e}"));
    PagerdutyChanges::new(&config.sources[0], "earline").unwrap()
}

fn window() -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let until = Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 45).unwrap();
    (until - chrono::Duration::hours(24), until)
}

fn listing(offset: &str) -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path("/change_events"))
        .and(query_param("since", "2026-11-20T03:12:45Z"))
        .and(query_param("until", "2026-11-21T03:12:45Z"))
        .and(query_param("limit", "100"))
        .and(query_param("offset", offset))
        .and(header("authorization", AUTH))
        .and(header("accept", ACCEPT))
}

#[tokio::test]
async fn change_events_are_read_page_by_page_as_the_server_reports_them() {
    let server = MockServer::start().await;
    // Asked for 100, the server used 2 and said more follow; the next page starts at 2.
    listing("0")
        .respond_with(reply("pagerduty_change_events_page1.json"))
        .expect(2)
        .mount(&server)
        .await;
    listing("2")
        .respond_with(reply("pagerduty_change_events_page2.json"))
        .expect(2)
        .mount(&server)
        .await;
    // The events name checkout by reference only: looked up once, kept across polls.
    Mock::given(method("GET"))
        .and(path("/services/PEYSGRV"))
        .and(header("authorization", AUTH))
        .and(header("accept", ACCEPT))
        .respond_with(reply("pagerduty_service_checkout.json"))
        .expect(1)
        .mount(&server)
        .await;
    let source = changes(&server);
    let (since, until) = window();
    for _ in 0..2 {
        let snapshot = source.fetch(since, until).await.unwrap();
        assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
        let mut got: Vec<_> = snapshot
            .changes
            .iter()
            .map(|c| {
                (
                    c.at.format("%H:%M:%S").to_string(),
                    c.service.as_str(),
                    c.kind,
                    c.what(),
                    c.author.as_deref(),
                    c.link.as_deref(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                (
                    "02:31:00".to_string(),
                    "inventory",
                    ChangeKind::Config,
                    "Config: inventory reservation cache TTL 60s -> 30s".to_string(),
                    Some("luis.ortega"),
                    None,
                ),
                (
                    "02:42:58".to_string(),
                    "checkout",
                    ChangeKind::Deploy,
                    "1.42 → 1.43".to_string(),
                    Some("ci-bot"),
                    Some("https://acme.pagerduty.dev/build/2"),
                ),
                (
                    "03:08:10".to_string(),
                    "checkout",
                    ChangeKind::Rollback,
                    "1.43 → 1.42".to_string(),
                    Some("sam.okafor"),
                    Some("https://ci.example.com/deploys/912"),
                ),
            ]
        );
        assert!(snapshot.changes.iter().all(|c| c.source == "pd"));
    }
}

#[tokio::test]
async fn the_changes_pagerduty_relates_to_a_page_say_why() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/incidents/Q1R2DLCB21K7/related_change_events"))
        .and(query_param("limit", "100"))
        .and(header("authorization", AUTH))
        .and(header("accept", ACCEPT))
        .respond_with(reply("pagerduty_related_change_events.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/services/PEYSGRV"))
        .respond_with(reply("pagerduty_service_checkout.json"))
        .mount(&server)
        .await;
    let related = changes(&server).related("Q1R2DLCB21K7").await.unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(related[0].service, "checkout");
    assert!(
        related[0]
            .summary
            .ends_with("(PagerDuty relates it: related service)"),
        "{}",
        related[0].summary
    );
}

#[tokio::test]
async fn a_refused_or_rate_limited_read_is_the_changes_feeds_failure_and_keeps_the_token_out() {
    let server = MockServer::start().await;
    listing("0")
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("content-type", "application/json")
                .set_body_string(
                    r#"{"error":{"message":"Access Denied","code":2010,"errors":["Scope change_events.read required"]}}"#,
                ),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    listing("0")
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "30"))
        .mount(&server)
        .await;
    let backend = ondeck::sources::changes::ChangeBackend::Pagerduty(changes(&server));
    let meta = SourceMeta {
        name: "pd".into(),
        kind: "pagerduty".into(),
        refresh: std::time::Duration::from_secs(30),
        timeout: std::time::Duration::from_secs(10),
        url: Some(server.uri()),
    };
    let (since, until) = window();
    let refused = ondeck::sources::changes::read(&meta, &backend, since, until)
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "HTTP 403: changes: Access Denied",
        "says it is the changes that failed"
    );
    assert!(!refused.to_string().contains(TOKEN));
    let limited = ondeck::sources::changes::read(&meta, &backend, since, until)
        .await
        .unwrap_err();
    assert_eq!(limited, SourceError::RateLimited(Some(30)));
}
