//! GitHub Deployments as changes against a stub written from GitHub's REST API reference
//! (2022-11-28): `GET /repos/{owner}/{repo}/deployments` newest first, the next page only
//! where the `Link` header says (`rel="next"`, an absolute URL on the same host), statuses
//! per deployment, the documented `Accept` and `X-GitHub-Api-Version` headers and the token
//! as `Bearer`. A commit that was live before coming back is a rollback; a deployment that
//! never went live says so.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::config::parse;
use ondeck::model::ChangeKind;
use ondeck::sources::changes::github::{ACCEPT, API_VERSION, GithubChanges};

const TOKEN_ENV: &str = "ONDECK_TEST_GITHUB_TOKEN";
const TOKEN: &str = "ghp_test_4QwErTy";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 45).unwrap()
}

fn time(minutes_ago: i64) -> String {
    (now() - chrono::Duration::minutes(minutes_ago)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

const SHA_A: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const SHA_B: &str = "b2c3d4e5f60718293a4b5c6d7e8f901234567890";
const SHA_C: &str = "c3d4e5f60718293a4b5c6d7e8f90123456789012";

/// A deployment as the API reference's example shapes it.
fn deployment(id: i64, sha: &str, minutes_ago: i64, description: &str) -> Value {
    json!({
        "url": format!("https://api.github.com/repos/acme/checkout/deployments/{id}"),
        "id": id,
        "node_id": "MDEwOkRlcGxveW1lbnQx",
        "sha": sha,
        "ref": "main",
        "task": "deploy",
        "payload": {},
        "original_environment": "production",
        "environment": "production",
        "description": description,
        "creator": {"login": "ci-bot", "id": 1, "type": "Bot"},
        "created_at": time(minutes_ago),
        "updated_at": time(minutes_ago),
        "statuses_url": format!("https://api.github.com/repos/acme/checkout/deployments/{id}/statuses"),
        "repository_url": "https://api.github.com/repos/acme/checkout",
        "transient_environment": false,
        "production_environment": true
    })
}

fn status(state: &str, minutes_ago: i64) -> Value {
    json!({
        "id": minutes_ago,
        "state": state,
        "creator": {"login": "ci-bot"},
        "description": format!("Deployment {state}"),
        "environment": "production",
        "target_url": "https://ci.example.com/runs/1",
        "log_url": "https://ci.example.com/runs/1/log",
        "created_at": time(minutes_ago),
        "updated_at": time(minutes_ago),
        "environment_url": "https://checkout.example.com"
    })
}

fn source(server: &MockServer) -> GithubChanges {
    // SAFETY: every test sets the same value, so concurrent writers cannot disagree.
    unsafe { std::env::set_var(TOKEN_ENV, TOKEN) };
    let text = format!(
        r#"[[source]]
name = "github"
kind = "github"
url = "{}"
token_env = "{TOKEN_ENV}"
repo = "acme/checkout"
environment = "production"
"#,
        server.uri()
    );
    let config = parse(&text, Path::new("ondeck.toml")).unwrap_or_else(|e| panic!("{e}"));
    GithubChanges::new(&config.sources[0]).unwrap()
}

fn get(at: &str) -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path(at))
        .and(header("accept", ACCEPT))
        .and(header("x-github-api-version", API_VERSION))
        .and(header("authorization", format!("Bearer {TOKEN}")))
}

async fn statuses(server: &MockServer, id: i64, list: Value) {
    get(&format!("/repos/acme/checkout/deployments/{id}/statuses"))
        .and(query_param("per_page", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn deployments_follow_the_link_header_and_a_commit_coming_back_is_a_rollback() {
    let server = MockServer::start().await;
    let next = format!(
        "<{0}/repositories/42/deployments?environment=production&per_page=100&page=2>; rel=\"next\", \
         <{0}/repositories/42/deployments?environment=production&per_page=100&page=2>; rel=\"last\"",
        server.uri()
    );
    get("/repos/acme/checkout/deployments")
        .and(query_param("per_page", "100"))
        .and(query_param("environment", "production"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", next.as_str())
                .set_body_json(json!([
                    deployment(4, SHA_A, 10, "roll back to the last good build"),
                    deployment(3, SHA_C, 30, "checkout 1.44"),
                ])),
        )
        .expect(1)
        .mount(&server)
        .await;
    get("/repositories/42/deployments")
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            deployment(2, SHA_B, 90, "checkout 1.43"),
            deployment(1, SHA_A, 180, "checkout 1.42"),
        ])))
        .expect(1)
        .mount(&server)
        .await;
    // Newest status first, as GitHub lists them.
    statuses(
        &server,
        1,
        json!([status("inactive", 88), status("success", 179)]),
    )
    .await;
    statuses(
        &server,
        2,
        json!([
            status("inactive", 9),
            status("success", 88),
            status("in_progress", 89)
        ]),
    )
    .await;
    statuses(
        &server,
        3,
        json!([status("failure", 28), status("in_progress", 29)]),
    )
    .await;
    statuses(
        &server,
        4,
        json!([status("success", 9), status("queued", 10)]),
    )
    .await;
    let snapshot = source(&server)
        .fetch(now() - chrono::Duration::hours(2), now())
        .await
        .unwrap();
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
    let got: Vec<_> = snapshot
        .changes
        .iter()
        .map(|c| (c.id.as_str(), c.at, c.kind, c.what(), c.summary.as_str()))
        .collect();
    let at = |m: i64| now() - chrono::Duration::minutes(m);
    assert_eq!(
        got,
        vec![
            (
                "2",
                at(88),
                ChangeKind::Deploy,
                "a1b2c3d → b2c3d4e".to_string(),
                "main to production: checkout 1.43"
            ),
            (
                "3",
                at(30),
                ChangeKind::Deploy,
                "b2c3d4e → c3d4e5f".to_string(),
                "main to production: checkout 1.44 (failure, never live)"
            ),
            (
                "4",
                at(9),
                ChangeKind::Rollback,
                "b2c3d4e → a1b2c3d".to_string(),
                "main to production: roll back to the last good build"
            ),
        ]
    );
    let rollback = &snapshot.changes[2];
    assert_eq!(
        rollback.to.as_deref(),
        Some(SHA_A),
        "y copies the whole commit"
    );
    assert_eq!(rollback.author.as_deref(), Some("ci-bot"));
    assert_eq!(rollback.service, "checkout", "the repository's name");
    assert_eq!(
        rollback.link.as_deref(),
        Some("https://ci.example.com/runs/1/log")
    );
}

#[tokio::test]
async fn a_next_page_on_another_host_is_not_followed() {
    let server = MockServer::start().await;
    get("/repos/acme/checkout/deployments")
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    "<https://elsewhere.example.com/deployments?page=2>; rel=\"next\"",
                )
                .set_body_json(json!([deployment(4, SHA_A, 10, "checkout 1.44")])),
        )
        .mount(&server)
        .await;
    statuses(&server, 4, json!([status("success", 9)])).await;
    let snapshot = source(&server)
        .fetch(now() - chrono::Duration::hours(2), now())
        .await
        .unwrap();
    assert_eq!(snapshot.changes.len(), 1);
    assert_eq!(
        snapshot.warnings,
        vec![format!(
            "GitHub's next page of deployments is not under {}; not followed",
            server.uri()
        )]
    );
}
