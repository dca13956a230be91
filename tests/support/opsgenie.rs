//! The Opsgenie stub tests' shared setup: the key, the fixtures written from the vendor's
//! Swagger schemas, and a source pointed at a stub.
// Each test file that includes this uses a part of it.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::config::parse;
use ondeck::sources::SourceError;
use ondeck::sources::opsgenie::OpsgenieSource;

pub const TOKEN_ENV: &str = "ONDECK_TEST_OPSGENIE_TOKEN";
pub const TOKEN: &str = "og-test-7Hq2Lp";
pub const AUTH: &str = "GenieKey og-test-7Hq2Lp";
pub const ALERT: &str = "c1a2b3c4-0000-4d5e-8f90-123456789abc";
pub const REQUEST: &str = "43a29c5c-3dbf-4fa4-9c26-f4f71023e120";

pub fn fixture(name: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/opsgenie")
        .join(name);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

pub fn json_reply(status: u16, fixture_name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "application/json")
        .set_body_string(fixture(fixture_name))
}

/// An Opsgenie source pointed at `server`, acting as `earline`, asking for request
/// outcomes three times 20 ms apart.
pub fn source(server: &MockServer, extra: &str) -> OpsgenieSource {
    // SAFETY: every test sets the same value, so concurrent writers cannot disagree.
    unsafe { std::env::set_var(TOKEN_ENV, TOKEN) };
    let text = format!(
        r#"[[source]]
name = "og"
kind = "opsgenie"
url = "{}"
token_env = "{TOKEN_ENV}"
{extra}
"#,
        server.uri()
    );
    let config = parse(&text, Path::new("ondeck.toml")).unwrap_or_else(|e| panic!("{e}"));
    OpsgenieSource::new(&config.sources[0], "earline")
        .unwrap()
        .with_status_polling(3, Duration::from_millis(20))
}

pub fn secret_free(error: SourceError) -> SourceError {
    assert!(!error.to_string().contains(TOKEN), "{error}");
    assert!(!format!("{error:?}").contains(TOKEN), "{error:?}");
    error
}

pub fn list(offset: &str) -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .and(query_param("query", "status:open"))
        .and(query_param("limit", "100"))
        .and(query_param("offset", offset))
        .and(query_param("sort", "createdAt"))
        .and(query_param("order", "desc"))
        .and(header("authorization", AUTH))
}
