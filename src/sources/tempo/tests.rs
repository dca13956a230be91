//! Tempo answer parsing: both trace-by-id shapes, id encodings, status codes, search
//! results, hostile bytes.

use super::*;

const V1_BASE64: &str = r#"{"batches":[{"resource":{"attributes":[
  {"key":"service.name","value":{"stringValue":"checkout"}}]},
  "instrumentationLibrarySpans":[{"spans":[
   {"traceId":"S/kvNXezTaajzpKdDg5HNg==","spanId":"APBnqgupArc=","parentSpanId":"",
    "name":"POST /pay","kind":"SPAN_KIND_SERVER",
    "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000250000000",
    "status":{"code":"STATUS_CODE_ERROR","message":"card declined"},
    "events":[{"timeUnixNano":"1700000000200000000","name":"exception",
      "attributes":[{"key":"exception.type","value":{"stringValue":"Declined"}}]}]},
   {"traceId":"S/kvNXezTaajzpKdDg5HNg==","spanId":"ERERERERERE=","parentSpanId":"APBnqgupArc=",
    "name":"redis GET","kind":3,"startTimeUnixNano":1700000000010000000,"endTimeUnixNano":1700000000020000000,
    "attributes":[{"key":"db.index","value":{"intValue":"2"}}],"status":{}}]}]}]}"#;

#[test]
fn v1_base64_ids_become_hex_and_status_error_marks_the_span() {
    let trace = parse_trace(V1_BASE64.as_bytes(), "ignored").unwrap();
    assert_eq!(trace.summary.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(trace.spans[0].span_id, "00f067aa0ba902b7");
    assert_eq!(trace.spans[0].parent_id, None);
    assert_eq!(trace.spans[1].span_id, "1111111111111111");
    assert_eq!(
        trace.spans[1].parent_id.as_deref(),
        Some("00f067aa0ba902b7")
    );
    assert!(trace.spans[0].error);
    assert!(!trace.spans[1].error);
    assert_eq!(trace.summary.duration_us, 250_000);
    assert_eq!(trace.spans[1].start_offset_us, 10_000);
    assert_eq!(trace.spans[0].events[0].offset_us, 200_000);
    assert!(
        trace.spans[1]
            .attributes
            .contains(&("span.kind".to_string(), "client".to_string()))
    );
    assert!(trace.spans[0].attributes.contains(&(
        "otel.status_description".to_string(),
        "card declined".to_string()
    )));
}

#[test]
fn v2_wraps_resource_spans_and_numeric_status_two_is_an_error() {
    let body = r#"{"trace":{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{"name":"x"},"spans":[
      {"traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"00F067AA0BA902B7","name":"GET",
       "startTimeUnixNano":"1000","endTimeUnixNano":"5000","status":{"code":2}}]}]}]},"status":"COMPLETE"}"#;
    let trace = parse_trace(body.as_bytes(), "x").unwrap();
    assert_eq!(trace.summary.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(trace.spans[0].service, "unknown");
    assert!(trace.summary.error);
    assert_eq!(trace.summary.duration_us, 4);
}

#[test]
fn an_empty_trace_is_not_found_and_garbage_is_malformed() {
    assert!(matches!(
        parse_trace(b"{}", "abc"),
        Err(SourceError::Rejected(_))
    ));
    assert!(matches!(
        parse_trace(b"not json", "abc"),
        Err(SourceError::Malformed(_))
    ));
    let bad_id =
        r#"{"batches":[{"scopeSpans":[{"spans":[{"spanId":"!!","startTimeUnixNano":"1"}]}]}]}"#;
    assert!(matches!(
        parse_trace(bad_id.as_bytes(), "abc"),
        Err(SourceError::Malformed(_))
    ));
    for end in 0..V1_BASE64.len() {
        let _ = parse_trace(&V1_BASE64.as_bytes()[..end], "abc");
    }
}

#[test]
fn search_results_pad_ids_and_count_matched_spans() {
    let body = br#"{"traces":[{"traceID":"2f3e0cee77ae5dc9c17ade3689eb2e54","rootServiceName":"shop-backend",
      "rootTraceName":"update-billing","startTimeUnixNano":"1684778327699392724","durationMs":557,
      "spanSets":[{"spans":[{"spanID":"563d623c76514f8e","attributes":[{"key":"status","value":{"stringValue":"error"}}]}],"matched":1},
                  {"spans":[],"matched":2}]},
      {"traceID":"e0cee77ae5dc9c17ade3689eb2e54","rootServiceName":"shop-backend","startTimeUnixNano":"1684778327000000000",
       "spanSet":{"spans":[],"matched":3}}],"metrics":{"totalJobs":1}}"#;
    let found = parse_search(body, TraceKind::Slow).unwrap();
    assert_eq!(found[0].span_count, 3);
    assert_eq!(found[0].duration_us, 557_000);
    assert!(found[0].error);
    assert_eq!(found[1].trace_id, "000e0cee77ae5dc9c17ade3689eb2e54");
    assert_eq!(found[1].duration_us, 0);
    assert!(!found[1].error);
    assert!(parse_search(body, TraceKind::Errors).unwrap()[1].error);
    assert!(
        parse_search(br#"{"traces":null}"#, TraceKind::Slow)
            .unwrap()
            .is_empty()
    );
    assert!(parse_search(br#"{"traces":[{"traceID":"x"}]}"#, TraceKind::Slow).is_err());
}
