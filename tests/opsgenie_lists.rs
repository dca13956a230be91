//! Opsgenie's alert list as the published API lets a server page it — pages smaller than
//! asked, the next page linked in `paging.next` (on Opsgenie's public host, not the proxy
//! ondeck talks to), no `paging` at all — and the alert history MTTA and MTTR come from.

#[path = "support/paging.rs"]
mod paging;
#[path = "support/opsgenie.rs"]
mod support;

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use ondeck::sources::IncidentSource;
use paging::{OpsgenieList, copies};
use support::{ALERT, AUTH, fixture, list, source};

/// Five open alerts shaped like the fixture's first one.
fn five_open() -> Vec<Value> {
    let page: Value = serde_json::from_str(&fixture("alerts_page.json")).unwrap();
    copies(&page["data"][0], "og", 5)
}

/// The `offset` and `limit` of every `GET /v2/alerts` the server received, in order.
async fn pages_asked(server: &MockServer) -> Vec<(String, String)> {
    let requests: Vec<Request> = server.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|r| r.url.path() == "/v2/alerts")
        .map(|r| {
            let get = |name: &str| {
                r.url
                    .query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            (get("offset"), get("limit"))
        })
        .collect()
}

fn ids(incidents: &[ondeck::model::Incident]) -> Vec<&str> {
    incidents.iter().map(|i| i.id.as_str()).collect()
}

#[tokio::test]
async fn a_server_that_pages_by_two_shows_all_five_open_alerts() {
    // Issue 13: the server caps pages at 2 and links the next page in `paging.next`;
    // ondeck used to take the short first page for the last and show 2 of 5.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .and(header("authorization", AUTH))
        .respond_with(OpsgenieList::new(five_open(), 2))
        .mount(&server)
        .await;
    let snapshot = source(&server, "").poll_incidents().await.unwrap();
    assert_eq!(
        ids(&snapshot.incidents),
        ["og-0", "og-1", "og-2", "og-3", "og-4"]
    );
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
    assert_eq!(
        pages_asked(&server).await,
        [
            ("0".to_string(), "100".to_string()),
            ("2".to_string(), "2".to_string()),
            ("4".to_string(), "2".to_string())
        ],
        "each next page is the one the server linked"
    );
}

#[tokio::test]
async fn a_next_link_to_opsgenies_public_host_is_read_from_the_configured_one() {
    // ondeck talks to a proxy; Opsgenie's links name its public host. Following the link as
    // is would send the key past the proxy (and fail here: no internet).
    let server = MockServer::start().await;
    let mut list = OpsgenieList::new(five_open(), 2);
    list.link_host = Some("https://api.opsgenie.com".to_string());
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .respond_with(list)
        .mount(&server)
        .await;
    let alerts = source(&server, "").fetch_incidents().await.unwrap();
    assert_eq!(alerts.len(), 5);
    assert_eq!(pages_asked(&server).await.len(), 3);
}

#[tokio::test]
async fn an_answer_without_paging_is_read_on_until_an_empty_page() {
    // A proxy that strips `paging`: a short page proves nothing, only an empty one ends it.
    let server = MockServer::start().await;
    let alerts = five_open();
    for (offset, slice) in [
        ("0", &alerts[..2]),
        ("2", &alerts[2..5]),
        ("5", &alerts[5..]),
    ] {
        list(offset)
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": slice, "took": 0.01, "requestId": "r"
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let incidents = source(&server, "").fetch_incidents().await.unwrap();
    assert_eq!(ids(&incidents), ["og-0", "og-1", "og-2", "og-3", "og-4"]);
}

#[tokio::test]
async fn the_safety_cap_stops_a_listing_with_a_warning() {
    let server = MockServer::start().await;
    let many = copies(
        &five_open()[0],
        "many",
        ondeck::sources::paging::MAX_ITEMS + 5,
    );
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .respond_with(OpsgenieList::new(many, 100))
        .mount(&server)
        .await;
    let snapshot = source(&server, "").poll_incidents().await.unwrap();
    assert_eq!(snapshot.incidents.len(), ondeck::sources::paging::MAX_ITEMS);
    assert_eq!(snapshot.warnings.len(), 1, "{:?}", snapshot.warnings);
    assert!(
        snapshot.warnings[0].starts_with("incomplete: 1000 open alerts shown, the server has more"),
        "{}",
        snapshot.warnings[0]
    );
}

// ---- History: MTTA and MTTR from every alert of the window ----

#[tokio::test]
async fn history_reads_every_alert_of_the_window_with_its_report() {
    let server = MockServer::start().await;
    let until: chrono::DateTime<chrono::Utc> = "2026-11-21T03:12:45Z".parse().unwrap();
    let since = until - chrono::Duration::days(30);
    let open: Value = serde_json::from_str(&fixture("alerts_page.json")).unwrap();
    let closed: Value = serde_json::from_str(&fixture("alert_closed.json")).unwrap();
    let mut acked_then_closed = closed["data"].clone();
    acked_then_closed["id"] = json!("og-closed-acked");
    acked_then_closed["report"] =
        json!({"ackTime": 90000, "closeTime": 1_800_000, "acknowledgedBy": "ann"});
    let mut reopened = open["data"][0].clone();
    reopened["id"] = json!("og-reopened");
    // Open again after an earlier close: the close time belongs to its earlier life.
    reopened["report"] = json!({"ackTime": 120000, "closeTime": 300000});
    let mut old = closed["data"].clone();
    old["id"] = json!("og-too-old");
    old["createdAt"] = json!("2026-09-01T00:00:00Z");
    let alerts = vec![closed["data"].clone(), acked_then_closed, reopened, old];
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .and(query_param(
            "query",
            format!("createdAt >= {}", since.timestamp_millis()),
        ))
        .and(header("authorization", AUTH))
        .respond_with(OpsgenieList::new(alerts, 2))
        .mount(&server)
        .await;
    let report = source(&server, "").history(since, until).await.unwrap();
    let ondeck::model::HistoryReport::Recorded(history) = report else {
        panic!("{report:?}")
    };
    assert_eq!(history.incomplete, None);
    let by_id = |id: &str| history.incidents.iter().find(|i| i.id == id);
    let minutes = |m: i64| Some(chrono::Duration::minutes(m));
    let closed = by_id(ALERT).unwrap();
    assert_eq!(
        (closed.to_acknowledge(), closed.to_resolve()),
        (None, minutes(10))
    );
    let acked = by_id("og-closed-acked").unwrap();
    assert_eq!(
        (acked.to_acknowledge(), acked.to_resolve()),
        (Some(chrono::Duration::seconds(90)), minutes(30))
    );
    let reopened = by_id("og-reopened").unwrap();
    assert_eq!(
        (reopened.to_acknowledge(), reopened.to_resolve()),
        (minutes(2), None)
    );
    assert!(
        by_id("og-too-old").is_none(),
        "an alert opened before the window does not count"
    );
    assert_eq!(pages_asked(&server).await.len(), 2);
}
