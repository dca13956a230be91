//! Argo CD application history as changes against a stub written from Argo CD's API
//! (`GET /api/v1/applications?project=…`, `v1alpha1ApplicationList`, a token as `Bearer`):
//! each history entry in the window is a change from the entry before it, a revision going
//! back to one the history held is a rollback, the current sync status is said beside the
//! newest, and ids come as numbers or strings as different gateways write them.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::config::parse;
use ondeck::model::ChangeKind;
use ondeck::sources::changes::argocd::ArgoChanges;

const TOKEN_ENV: &str = "ONDECK_TEST_ARGOCD_TOKEN";
const TOKEN: &str = "argocd-test-kT3n";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 45).unwrap()
}

fn time(minutes_ago: i64) -> String {
    (now() - chrono::Duration::minutes(minutes_ago)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn source(server: &MockServer) -> ArgoChanges {
    // SAFETY: every test sets the same value, so concurrent writers cannot disagree.
    unsafe { std::env::set_var(TOKEN_ENV, TOKEN) };
    let text = format!(
        r#"[[source]]
name = "argo"
kind = "argocd"
url = "{}"
token_env = "{TOKEN_ENV}"
projects = ["shop"]
service_label = "acme.io/service"
"#,
        server.uri()
    );
    let config = parse(&text, Path::new("ondeck.toml")).unwrap_or_else(|e| panic!("{e}"));
    ArgoChanges::new(&config.sources[0]).unwrap()
}

#[tokio::test]
async fn each_sync_in_the_window_is_a_change_and_going_back_is_a_rollback() {
    let server = MockServer::start().await;
    let sha_old = "9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6";
    let sha_new = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
    let list = json!({
        "metadata": {"resourceVersion": "123456"},
        "items": [
            {
                "metadata": {"name": "checkout-prod", "namespace": "argocd",
                             "labels": {"acme.io/service": "checkout"}},
                "spec": {"project": "shop", "source": {"repoURL": "https://charts.example.com", "chart": "checkout", "targetRevision": "1.42"}},
                "status": {
                    "sync": {"status": "OutOfSync", "revision": "1.42"},
                    "health": {"status": "Healthy"},
                    "history": [
                        {"id": 10, "revision": "1.41", "deployedAt": time(300), "deployStartedAt": time(301), "source": {"targetRevision": "1.41"}},
                        {"id": 11, "revision": "1.42", "deployedAt": time(120), "initiatedBy": {"automated": true}},
                        {"id": 12, "revision": "1.43", "deployedAt": time(40), "initiatedBy": {"username": "ci-bot"}},
                        {"id": 13, "revision": "1.42", "deployedAt": time(5), "initiatedBy": {"username": "sam.okafor"}}
                    ]
                }
            },
            {
                "metadata": {"name": "inventory", "namespace": "argocd"},
                "spec": {"project": "shop"},
                "status": {
                    "sync": {"status": "Synced", "revision": sha_new},
                    "history": [
                        {"id": "3", "revision": sha_new, "deployedAt": time(60), "initiatedBy": {"automated": true}},
                        {"id": "2", "revision": sha_old, "deployedAt": time(400)},
                        {"id": "4", "revision": sha_new, "deployStartedAt": time(1)}
                    ]
                }
            },
            {"metadata": {"name": "never-synced"}, "status": {}}
        ]
    });
    Mock::given(method("GET"))
        .and(path("/api/v1/applications"))
        .and(query_param("project", "shop"))
        .and(header("authorization", format!("Bearer {TOKEN}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(list))
        .expect(1)
        .mount(&server)
        .await;
    let snapshot = source(&server)
        .fetch(now() - chrono::Duration::hours(3), now())
        .await
        .unwrap();
    let mut got: Vec<_> = snapshot
        .changes
        .iter()
        .map(|c| {
            (
                c.at,
                c.service.as_str(),
                c.kind,
                c.what(),
                c.author.clone(),
                c.summary.as_str(),
            )
        })
        .collect();
    got.sort_by_key(|g| g.0);
    let at = |m: i64| now() - chrono::Duration::minutes(m);
    assert_eq!(
        got,
        vec![
            (
                at(120),
                "checkout",
                ChangeKind::Deploy,
                "1.41 → 1.42".into(),
                Some("automated sync".into()),
                "checkout-prod synced"
            ),
            (
                at(60),
                "inventory",
                ChangeKind::Deploy,
                "9f1c2d3 → 0a1b2c3".into(),
                Some("automated sync".into()),
                "inventory synced (now Synced)"
            ),
            (
                at(40),
                "checkout",
                ChangeKind::Deploy,
                "1.42 → 1.43".into(),
                Some("ci-bot".into()),
                "checkout-prod synced"
            ),
            (
                at(5),
                "checkout",
                ChangeKind::Rollback,
                "1.43 → 1.42".into(),
                Some("sam.okafor".into()),
                "checkout-prod synced (now OutOfSync)"
            ),
        ]
    );
    assert_eq!(
        snapshot.warnings,
        vec!["1 history entries without deployedAt left out"]
    );
    let link = snapshot
        .changes
        .iter()
        .find_map(|c| c.link.clone())
        .unwrap();
    assert_eq!(link, format!("{}/applications/checkout-prod", server.uri()));
}

#[tokio::test]
async fn an_unauthorised_token_fails_the_read() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/applications"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": "invalid session: token is expired", "code": 16, "message": "invalid session: token is expired"})),
        )
        .mount(&server)
        .await;
    let error = source(&server)
        .fetch(now() - chrono::Duration::hours(3), now())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "HTTP 401: invalid session: token is expired"
    );
}
