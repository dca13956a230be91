//! PagerDuty's lists as the published API lets a server page them — pages smaller than
//! asked, `more` false on a full page, records counted but not shown, `total: null` — and
//! the incident history MTTA and MTTR come from: every incident of the window, and the
//! first acknowledgement of resolved ones from their logs.

#[path = "support/paging.rs"]
mod paging;
#[path = "support/pagerduty.rs"]
mod support;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use ondeck::sources::IncidentSource;
use ondeck::sources::pagerduty::ACCEPT;
use paging::{PagerdutyList, copies};
use support::{AUTH, fixture, json_reply, list, now, source};

#[tokio::test]
async fn the_safety_cap_stops_an_endless_listing_with_a_warning() {
    // A server that always has more and always answers with the same incident.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .respond_with(json_reply(200, "incidents_page1.json"))
        .expect(ondeck::sources::paging::MAX_REQUESTS as u64)
        .mount(&server)
        .await;
    let snapshot = source(&server, "").poll_incidents().await.unwrap();
    assert_eq!(
        snapshot.incidents.len(),
        1,
        "the same incident on every page is listed once"
    );
    assert_eq!(snapshot.warnings.len(), 1, "{:?}", snapshot.warnings);
    let warning = &snapshot.warnings[0];
    assert!(
        warning.starts_with("incomplete: 1 open incidents shown, the server has more"),
        "{warning}"
    );
}

/// The triggered incident of the reference example, as a template for many.
fn triggered() -> serde_json::Value {
    let page: serde_json::Value = serde_json::from_str(&fixture("incidents_page1.json")).unwrap();
    page["incidents"][0].clone()
}

/// The `offset` of every `GET {path}` the server received, in order.
async fn offsets(server: &MockServer, at: &str) -> Vec<String> {
    let requests: Vec<Request> = server.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|r| r.url.path() == at)
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "offset")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect()
}

fn ids(incidents: &[ondeck::model::Incident]) -> Vec<&str> {
    incidents.iter().map(|i| i.id.as_str()).collect()
}

#[tokio::test]
async fn a_server_that_pages_by_two_shows_all_three_triggered_incidents() {
    // Issue 13: the server caps pages at 2 and says so (`limit: 2`); ondeck used to step
    // its offset by its own 100, skip the third incident and call the source fresh.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .and(header("authorization", AUTH))
        .respond_with(PagerdutyList::new(
            "incidents",
            copies(&triggered(), "PTRIG", 3),
            2,
        ))
        .mount(&server)
        .await;
    let snapshot = source(&server, "").poll_incidents().await.unwrap();
    assert_eq!(ids(&snapshot.incidents), ["PTRIG-0", "PTRIG-1", "PTRIG-2"]);
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
    assert_eq!(offsets(&server, "/incidents").await, ["0", "2"]);
}

#[tokio::test]
async fn more_false_on_a_full_page_ends_the_listing_there() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .respond_with(PagerdutyList::new(
            "incidents",
            copies(&triggered(), "P", 4),
            2,
        ))
        .mount(&server)
        .await;
    let incidents = source(&server, "").fetch_incidents().await.unwrap();
    assert_eq!(ids(&incidents), ["P-0", "P-1", "P-2", "P-3"]);
    assert_eq!(
        offsets(&server, "/incidents").await,
        ["0", "2"],
        "no request past a page that said more: false"
    );
}

#[tokio::test]
async fn a_page_shorter_than_its_limit_with_more_reads_on_without_skipping() {
    // The server counts records the key may not see in its pages but leaves them out: page
    // one holds one incident, says `limit: 2` and `more: true`.
    let server = MockServer::start().await;
    let mut list = PagerdutyList::new("incidents", copies(&triggered(), "P", 5), 2);
    list.hidden = BTreeSet::from([1]);
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .respond_with(list)
        .mount(&server)
        .await;
    let incidents = source(&server, "").fetch_incidents().await.unwrap();
    assert_eq!(ids(&incidents), ["P-0", "P-2", "P-3", "P-4"]);
    assert_eq!(offsets(&server, "/incidents").await, ["0", "2", "4"]);
}

#[tokio::test]
async fn on_call_shifts_are_read_to_the_end_of_smaller_pages() {
    let server = MockServer::start().await;
    list("0")
        .respond_with(json_reply(200, "incidents_page2.json"))
        .mount(&server)
        .await;
    let shifts: serde_json::Value =
        serde_json::from_str(&fixture("oncalls_schedules.json")).unwrap();
    let shifts = shifts["oncalls"].as_array().unwrap().clone();
    assert!(shifts.len() >= 3, "the fixture has several shifts");
    Mock::given(method("GET"))
        .and(path("/oncalls"))
        .and(query_param("schedule_ids[]", "PI7DH85"))
        .respond_with(PagerdutyList::new("oncalls", shifts.clone(), 1))
        .mount(&server)
        .await;
    let snapshot = source(&server, "schedules = [\"PI7DH85\"]")
        .poll_incidents()
        .await
        .unwrap();
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
    assert_eq!(
        offsets(&server, "/oncalls").await.len(),
        shifts.len(),
        "one request per shift at one shift a page"
    );
    let schedule = snapshot
        .oncall
        .iter()
        .find(|r| r.schedule == "Daily Engineering Rotation")
        .unwrap();
    // The next holder comes from a later page: read only when every page is.
    assert_eq!(schedule.next.as_deref(), Some("Tim Wright"));
}

// ---- History: MTTA and MTTR from every incident of the window ----

fn incident_from(fixture_name: &str, id: &str) -> serde_json::Value {
    let one: serde_json::Value = serde_json::from_str(&fixture(fixture_name)).unwrap();
    let mut incident = one["incident"].clone();
    incident["id"] = json!(id);
    incident
}

/// The log of the reference incident, with its acknowledgements left out when `acked` is
/// false (an incident resolved without anyone taking it).
fn log_entries(acked: bool) -> serde_json::Value {
    let mut log: serde_json::Value =
        serde_json::from_str(&fixture("log_entries_acknowledged.json")).unwrap();
    if !acked {
        let kept: Vec<serde_json::Value> = log["log_entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] != "acknowledge_log_entry")
            .cloned()
            .collect();
        log["log_entries"] = json!(kept);
    }
    log
}

fn recorded(report: ondeck::model::HistoryReport) -> ondeck::model::IncidentHistory {
    match report {
        ondeck::model::HistoryReport::Recorded(history) => history,
        other => panic!("no history: {other:?}"),
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[tokio::test]
async fn history_lists_every_status_of_the_window_and_reads_first_acks_from_the_log_once() {
    let server = MockServer::start().await;
    let since = now() - chrono::Duration::days(30);
    let records = vec![
        incident_from("incident_resolved.json", "PT4KHLK"),
        incident_from("incident_resolved.json", "PNOACK"),
        incident_from("incident_acknowledged.json", "PACKED"),
        copies(&triggered(), "PTRIG", 1).remove(0),
    ];
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .and(query_param("statuses[]", "resolved"))
        .and(query_param("statuses[]", "triggered"))
        .and(query_param("statuses[]", "acknowledged"))
        .and(query_param("since", "2026-10-22T03:12:45Z"))
        .and(query_param("until", "2026-11-21T03:12:45Z"))
        .and(query_param_is_missing("date_range"))
        .and(header("authorization", AUTH))
        .respond_with(PagerdutyList::new("incidents", records, 2))
        .mount(&server)
        .await;
    for (id, acked) in [("PT4KHLK", true), ("PNOACK", false)] {
        Mock::given(method("GET"))
            .and(path(format!("/incidents/{id}/log_entries")))
            .and(query_param("is_overview", "true"))
            .and(header("accept", ACCEPT))
            .respond_with(ResponseTemplate::new(200).set_body_json(log_entries(acked)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let pd = source(&server, "");
    let history = recorded(pd.history(since, now()).await.unwrap());
    assert_eq!(history.incomplete, None);
    let by_id = |id: &str| history.incidents.iter().find(|i| i.id == id).unwrap();
    let fire = by_id("PT4KHLK");
    // The first of two acknowledgements, though the incident was unacknowledged between.
    assert_eq!(fire.acknowledged_at, Some(at("2026-11-21T02:54:00Z")));
    assert_eq!(fire.resolved_at, Some(at("2026-11-21T03:05:00Z")));
    assert_eq!(by_id("PNOACK").acknowledged_at, None);
    assert!(by_id("PNOACK").resolved_at.is_some());
    let open = by_id("PACKED");
    assert!(open.acknowledged_at.is_some() && open.resolved_at.is_none());
    let paging = by_id("PTRIG-0");
    assert_eq!((paging.acknowledged_at, paging.resolved_at), (None, None));
    assert_eq!(history.incidents.len(), 4, "the third page was read");
    // A later read looks nothing up again: a first acknowledgement never changes.
    let again = recorded(pd.history(since, now()).await.unwrap());
    assert_eq!(again.incidents, history.incidents);
}

#[tokio::test]
async fn history_says_how_many_first_acks_it_has_not_read_yet() {
    let server = MockServer::start().await;
    let since = now() - chrono::Duration::days(30);
    let many = ondeck::sources::pagerduty::LOOKUPS_PER_READ + 3;
    let resolved = incident_from("incident_resolved.json", "R");
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .respond_with(PagerdutyList::new(
            "incidents",
            copies(&resolved, "R", many),
            100,
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            r"^/incidents/R-\d+/log_entries$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(log_entries(true)))
        .expect(many as u64)
        .mount(&server)
        .await;
    let pd = source(&server, "");
    let first = recorded(pd.history(since, now()).await.unwrap());
    assert_eq!(
        first.incidents.len(),
        many,
        "every resolved incident counts for MTTR"
    );
    let acked = first
        .incidents
        .iter()
        .filter(|i| i.acknowledged_at.is_some())
        .count();
    assert_eq!(acked, ondeck::sources::pagerduty::LOOKUPS_PER_READ);
    let note = first.incomplete.as_deref().unwrap_or_default();
    assert!(
        note.contains("MTTA leaves out 3 resolved incidents whose log is not read yet"),
        "{note}"
    );
    let second = recorded(pd.history(since, now()).await.unwrap());
    assert_eq!(second.incomplete, None);
    assert!(second.incidents.iter().all(|i| i.acknowledged_at.is_some()));
}

// ---- What a script sees: `ondeck incidents --format json` ----

/// `ondeck incidents --format json` against a PagerDuty source at `url`, as JSON.
async fn incidents_json(url: &str, name: &str) -> serde_json::Value {
    let home = std::env::temp_dir().join(format!("ondeck-pdlists-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let config = home.join("ondeck.toml");
    std::fs::write(
        &config,
        format!(
            "[[source]]\nname = \"pd\"\nkind = \"pagerduty\"\nurl = \"{url}\"\ntoken_env = \"{}\"\nfrom_email = \"{}\"\n",
            support::TOKEN_ENV,
            support::FROM
        ),
    )
    .unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ondeck"));
    command
        .env_remove("ONDECK_CONFIG")
        .env(support::TOKEN_ENV, support::TOKEN)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .arg("--config")
        .arg(&config)
        .args(["incidents", "--format", "json"]);
    // The stub answers on this runtime while the binary runs.
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("the ondeck binary runs");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_incidents_command_lists_every_page_and_says_when_the_cap_cut_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .respond_with(PagerdutyList::new(
            "incidents",
            copies(&triggered(), "PTRIG", 3),
            2,
        ))
        .mount(&server)
        .await;
    let listed = incidents_json(&server.uri(), "whole").await;
    assert_eq!(
        listed["incidents"].as_array().unwrap().len(),
        3,
        "{listed:#}"
    );
    assert_eq!(listed["sources"][0]["warnings"], json!([]));

    // A server that always has more: the cap stops it, and the JSON says so.
    let endless = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .respond_with(json_reply(200, "incidents_page1.json"))
        .mount(&endless)
        .await;
    let listed = incidents_json(&endless.uri(), "cut").await;
    let warnings = listed["sources"][0]["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.starts_with("incomplete: "))),
        "{listed:#}"
    );
}
