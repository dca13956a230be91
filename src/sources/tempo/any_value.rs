//! OTLP JSON `AnyValue`s as text: `{"stringValue":"x"}`, `{"intValue":"42"}` (int64 is a
//! string in protobuf's JSON mapping, but some writers send a number), `boolValue`,
//! `doubleValue`, `bytesValue` (base64, kept as is), and nested `arrayValue`/`kvlistValue`.

use serde_json::Value;

/// The value as a responder reads it; an empty or unknown value is empty text.
pub fn any_value_text(value: &Value) -> String {
    let Value::Object(fields) = value else {
        return plain(value);
    };
    let Some((kind, inner)) = fields.iter().next() else {
        return String::new();
    };
    match kind.as_str() {
        "arrayValue" => {
            let items: Vec<String> = values(inner).iter().map(any_value_text).collect();
            format!("[{}]", items.join(", "))
        }
        "kvlistValue" => {
            let items: Vec<String> = values(inner)
                .iter()
                .map(|kv| {
                    let key = kv.get("key").map(plain).unwrap_or_default();
                    let value = kv.get("value").map(any_value_text).unwrap_or_default();
                    format!("{key}: {value}")
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        _ => plain(inner),
    }
}

fn values(container: &Value) -> &[Value] {
    container
        .get("values")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_value_type_reads_as_text() {
        assert_eq!(any_value_text(&json!({"stringValue": "GET"})), "GET");
        assert_eq!(any_value_text(&json!({"intValue": "500"})), "500");
        assert_eq!(any_value_text(&json!({"intValue": 500})), "500");
        assert_eq!(any_value_text(&json!({"boolValue": true})), "true");
        assert_eq!(any_value_text(&json!({"doubleValue": 0.25})), "0.25");
        assert_eq!(
            any_value_text(
                &json!({"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": "2"}]}})
            ),
            "[a, 2]"
        );
        assert_eq!(
            any_value_text(
                &json!({"kvlistValue": {"values": [{"key": "k", "value": {"boolValue": false}}]}})
            ),
            "{k: false}"
        );
        assert_eq!(any_value_text(&json!({})), "");
        assert_eq!(any_value_text(&json!({"arrayValue": {}})), "[]");
    }
}
