//! Search answers shaped as the Elasticsearch reference shows them, read into lines.

use super::*;
use crate::config::SourceKind;

fn source() -> ElasticsearchSource {
    let mut config = SourceConfig::demo("es");
    config.kind = SourceKind::Elasticsearch;
    config.url = Some("http://127.0.0.1:9200".into());
    config.logs = LogOptions::defaults_for(SourceKind::Elasticsearch);
    ElasticsearchSource::new(&config).unwrap()
}

#[test]
fn ecs_documents_become_lines_nested_or_dotted() {
    let text = include_str!("../../../tests/fixtures/elasticsearch/search_ecs.json");
    let answer: wire::SearchAnswer = serde_json::from_str(text).unwrap();
    let es = source();
    let mut missing = 0;
    let lines: Vec<LogLine> = answer
        .hits
        .hits
        .into_iter()
        .filter_map(|hit| es.line(hit, &mut missing))
        .collect();
    assert_eq!(missing, 0);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].level, LogLevel::Error);
    assert_eq!(
        lines[0].trace_id.as_deref(),
        Some("4bf92f3577b34da6a3ce929d0e0e4736"),
        "from trace.id"
    );
    assert_eq!(
        lines[0].key,
        ".ds-logs-checkout-default-2026.11.21-000001/v4xOnJMBqk2XWiN7qa0R"
    );
    assert_eq!(
        lines[0].at.timestamp_micros(),
        1_795_230_718_240_578,
        "microseconds kept"
    );
    assert_eq!(lines[1].level, LogLevel::Info);
    assert_eq!(
        lines[1].trace_id.as_deref(),
        Some("0af7651916cd43dd8448eb211c80319c"),
        "from the text when no field holds it"
    );
    assert!(
        lines[0]
            .labels
            .contains(&("host.name".to_string(), "checkout-7f9c-2".to_string()))
    );
}

#[test]
fn timestamps_read_in_every_form_documents_use() {
    let want = chrono::DateTime::from_timestamp_millis(1_795_230_718_240).unwrap();
    for value in [
        serde_json::json!("2026-11-21T03:11:58.240Z"),
        serde_json::json!("2026-11-21T04:11:58.240+01:00"),
        serde_json::json!("2026-11-21T03:11:58.240"),
        serde_json::json!(1_795_230_718_240_i64),
    ] {
        assert_eq!(parse_time(&value), Some(want), "{value}");
    }
    assert_eq!(
        sort_time(&serde_json::json!(1_795_230_718_240_000_000_i64)),
        Some(want),
        "date_nanos sort values"
    );
}
