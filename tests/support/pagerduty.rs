//! The PagerDuty stub tests' shared setup: the token, the fixtures' clock, the fixtures
//! from the vendor's API reference, and a source pointed at a stub.
// Each test file that includes this uses a part of it.
#![allow(dead_code)]

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::config::parse;
use ondeck::sources::pagerduty::{ACCEPT, PagerdutySource};
use ondeck::sources::{Clock, SourceError};

pub const TOKEN_ENV: &str = "ONDECK_TEST_PAGERDUTY_TOKEN";
pub const TOKEN: &str = "pd-test-Zq8xK2";
pub const AUTH: &str = "Token token=pd-test-Zq8xK2";
pub const FROM: &str = "earline@example.com";

/// The fixtures' clock: 03:12:45 UTC on 21 November 2026.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 45).unwrap()
}

pub fn fixture(name: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pagerduty")
        .join(name);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

pub fn json_reply(status: u16, fixture_name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "application/json")
        .set_body_string(fixture(fixture_name))
}

/// A PagerDuty source pointed at `server`, with extra config lines.
pub fn source(server: &MockServer, extra: &str) -> PagerdutySource {
    source_at(&server.uri(), extra)
}

/// A PagerDuty source pointed at `url`, with extra config lines.
pub fn source_at(url: &str, extra: &str) -> PagerdutySource {
    // SAFETY: every test sets the same value, so concurrent writers cannot disagree.
    unsafe { std::env::set_var(TOKEN_ENV, TOKEN) };
    let text = format!(
        r#"[[source]]
name = "pd"
kind = "pagerduty"
url = "{url}"
token_env = "{TOKEN_ENV}"
from_email = "{FROM}"
{extra}
"#
    );
    let config = parse(&text, Path::new("ondeck.toml")).unwrap_or_else(|e| panic!("{e}"));
    PagerdutySource::new(&config.sources[0], "earline")
        .unwrap()
        .with_clock(Clock::Fixed(now()))
}

/// The error, after checking it never shows the token.
pub fn secret_free(error: SourceError) -> SourceError {
    assert!(!error.to_string().contains(TOKEN), "{error}");
    assert!(!format!("{error:?}").contains(TOKEN), "{error:?}");
    error
}

pub fn list(offset: &str) -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .and(query_param("statuses[]", "triggered"))
        .and(query_param("statuses[]", "acknowledged"))
        .and(query_param("limit", "100"))
        .and(query_param("offset", offset))
        .and(header("authorization", AUTH))
        .and(header("accept", ACCEPT))
}

/// A PagerDuty whose incident list answers only `Token token=<token>` (with no incidents,
/// `more` false and `total` null, as the reference allows) and refuses anything else with
/// 401: what `ondeck init` probes and a fresh config polls.
pub async fn accepting_only(token: &str) -> MockServer {
    let stub = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .and(header(
            "authorization",
            format!("Token token={token}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "incidents": [], "limit": 25, "offset": 0, "more": false, "total": null
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
