//! Jaeger answer parsing: tag types, references, logs, the `errors` field, hostile bytes.

use super::parse::*;
use crate::model::TraceKind;
use crate::sources::SourceError;

const TRACE: &str = r#"{"data":[{"traceID":"00F067AA0BA902B7","spans":[
 {"traceID":"00f067aa0ba902b7","spanID":"a1","operationName":"GET /cart","references":[],
  "startTime":1700000000000000,"duration":9000,"processID":"p1","warnings":null,
  "tags":[{"key":"http.status_code","type":"int64","value":200},
          {"key":"sampler.param","type":"float64","value":0.5},
          {"key":"cache.hit","type":"bool","value":false}],
  "logs":[{"timestamp":1700000000004000,"fields":[{"key":"event","type":"string","value":"retry"},{"key":"attempt","type":"int64","value":2}]}]},
 {"traceID":"00f067aa0ba902b7","spanID":"b2","operationName":"enqueue","startTime":1700000000001000,"duration":100,
  "references":[{"refType":"FOLLOWS_FROM","traceID":"00f067aa0ba902b7","spanID":"a1"}],
  "processID":"p2","tags":[{"key":"otel.status_code","type":"string","value":"ERROR"}],"logs":null},
 {"traceID":"00f067aa0ba902b7","spanID":"c3","operationName":"SELECT","startTime":1700000000002000,"duration":100,
  "references":[{"refType":"FOLLOWS_FROM","spanID":"b2"},{"refType":"CHILD_OF","spanID":"a1"}],
  "process":{"serviceName":"db","tags":[]},"tags":null}],
 "processes":{"p1":{"serviceName":"frontend","tags":[]},"p2":{"serviceName":"queue","tags":[]}},"warnings":null}],
 "total":0,"limit":0,"offset":0,"errors":null}"#;

#[test]
fn typed_tags_become_text_and_logs_become_named_events() {
    let trace = parse_trace(TRACE.as_bytes()).unwrap();
    assert_eq!(trace.summary.trace_id, "00f067aa0ba902b7");
    let root = &trace.spans[0];
    assert_eq!(root.service, "frontend");
    assert_eq!(
        root.attributes,
        [
            ("http.status_code".to_string(), "200".to_string()),
            ("sampler.param".to_string(), "0.5".to_string()),
            ("cache.hit".to_string(), "false".to_string()),
        ]
    );
    assert_eq!(root.events[0].name, "retry");
    assert_eq!(root.events[0].offset_us, 4_000);
    assert!(!root.error);
}

#[test]
fn child_of_wins_over_follows_from_and_otel_status_marks_errors() {
    let trace = parse_trace(TRACE.as_bytes()).unwrap();
    assert_eq!(trace.spans[1].parent_id.as_deref(), Some("a1"));
    assert!(trace.spans[1].error);
    assert_eq!(trace.spans[2].parent_id.as_deref(), Some("a1"));
    assert_eq!(trace.spans[2].service, "db");
    assert!(trace.summary.error);
}

#[test]
fn the_errors_field_is_an_error_with_jaegers_message() {
    let body = br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":400,"msg":"parameter 'service' is required"}]}"#;
    let error = parse_search(body, TraceKind::Slow, 10).unwrap_err();
    assert_eq!(
        error,
        SourceError::Http {
            status: 400,
            message: "parameter 'service' is required".into()
        }
    );
    assert!(!error.is_transient());
    let body = br#"{"data":null,"errors":[{"code":500,"msg":"storage down"}]}"#;
    assert!(parse_traces(body).unwrap_err().is_transient());
}

#[test]
fn an_unknown_trace_is_rejected_without_retrying() {
    let error = parse_trace(br#"{"data":[],"errors":null}"#).unwrap_err();
    assert!(matches!(error, SourceError::Rejected(_)), "{error:?}");
}

#[test]
fn garbage_is_malformed_never_a_panic() {
    let cases: [&[u8]; 6] = [
        b"",
        b"<html>",
        br#"{"data":[{"traceID":"zz!","spans":[]}]}"#,
        br#"{"data":[{"traceID":"ab","spans":[{"spanID":"a","startTime":-1}]}]}"#,
        br#"{"data":[{"traceID":"ab","spans":[{"spanID":"a","startTime":18446744073709551615,"duration":18446744073709551615}]}]}"#,
        br#"{"data":"services"}"#,
    ];
    for body in cases {
        assert!(
            parse_traces(body).is_err(),
            "{}",
            String::from_utf8_lossy(body)
        );
        let _ = parse_names(body);
        let _ = parse_dependencies(body);
    }
    for end in 0..TRACE.len() {
        let _ = parse_traces(&TRACE.as_bytes()[..end]);
    }
}

#[test]
fn dependencies_keep_call_counts_busiest_first() {
    let body = br#"{"data":[{"parent":"frontend","child":"checkout","callCount":12},
        {"parent":"checkout","child":"redis","callCount":40,"source":"jaeger"}],"total":2,"errors":null}"#;
    let edges = parse_dependencies(body).unwrap();
    assert_eq!(edges[0].child, "redis");
    assert_eq!(edges[0].calls, 40);
    assert_eq!(edges[1].parent, "frontend");
}
