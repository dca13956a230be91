//! Loki answers shaped as its HTTP API reference shows them, read into lines.

use chrono::{TimeZone, Utc};

use super::*;
use crate::config::SourceKind;
use crate::model::LogTarget;

fn source() -> LokiSource {
    let mut config = SourceConfig::demo("loki");
    config.kind = SourceKind::Loki;
    config.url = Some("http://127.0.0.1:3100".into());
    config.logs = LogOptions::defaults_for(SourceKind::Loki);
    LokiSource::new(&config).unwrap()
}

fn fixture() -> wire::QueryRange {
    let text = include_str!("../../../tests/fixtures/loki/query_range_streams.json");
    serde_json::from_str(text).unwrap()
}

#[test]
fn streams_become_lines_with_labels_levels_and_trace_ids() {
    let lines = source().lines(fixture());
    assert_eq!(lines.len(), 3);
    let first = &lines[0];
    assert_eq!(
        first.at.timestamp_nanos_opt(),
        Some(1_795_230_718_240_578_000)
    );
    assert_eq!(first.level, LogLevel::Error);
    assert_eq!(
        first.trace_id.as_deref(),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    assert!(
        first
            .labels
            .contains(&("service".into(), "checkout".into()))
    );
    // Loki 3's categorized labels land beside the stream's.
    let third = &lines[2];
    assert_eq!(third.level, LogLevel::Info);
    assert!(third.labels.contains(&("status".into(), "200".into())));
    assert!(
        third
            .labels
            .contains(&("trace_id".into(), "00f067aa0ba902b7a3ce929d0e0e4736".into()))
    );
    // The same line read twice has the same key; another line has another.
    let again = source().lines(fixture());
    assert_eq!(again[0].key, first.key);
    assert_ne!(lines[1].key, first.key);
}

#[test]
fn a_metric_answer_or_an_error_status_is_refused_in_lokis_words() {
    let reply = |body: &str| Reply {
        status: 200,
        content_type: Some("application/json".into()),
        retry_after: None,
        location: None,
        link: None,
        body: body.as_bytes().to_vec(),
    };
    let matrix = parse(&reply(
        r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
    ));
    assert!(matrix.unwrap_err().to_string().contains("matrix"));
    let error = parse(&reply(
        r#"{"status":"error","errorType":"bad_data","error":"parse error at line 1, col 1"}"#,
    ));
    assert_eq!(
        error.unwrap_err().to_string(),
        "rejected: parse error at line 1, col 1"
    );
}

#[test]
fn a_trace_query_asks_every_service_for_the_id() {
    let until = Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap();
    let query = LogQuery {
        target: LogTarget::Trace("4bf92f35".into()),
        since: until - chrono::Duration::minutes(5),
        until,
        grep: None,
        limit: 10,
        trouble_only: false,
    };
    assert_eq!(
        query::logql(&query, &source().options),
        r#"{service=~".+"} |= "4bf92f35""#
    );
}
