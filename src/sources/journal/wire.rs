//! systemd-journal-gatewayd's answers: `GET /entries` with `Accept: application/json` sends
//! one JSON object per line, every field a string — or, for a field that is not text or has
//! several values, an array (of byte values, or of the values). `/fields/<FIELD>` lists a
//! field's values one per line.

use serde_json::{Map, Value};

/// One journal entry's fields.
pub type Entry = Map<String, Value>;

/// A field as text: a string as it is, an array of bytes decoded as UTF-8 (invalid bytes
/// replaced), several values joined by newlines.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(Value::is_u64) => {
            let bytes: Vec<u8> = items
                .iter()
                .filter_map(Value::as_u64)
                .map(|b| u8::try_from(b).unwrap_or(b'?'))
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join("\n"),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The entries of an answer: each complete line that is a JSON object. A line that is not
/// is counted, not fatal: one bad entry should not hide the rest.
pub fn entries(body: &[u8]) -> (Vec<Entry>, usize) {
    let mut out = Vec::new();
    let mut bad = 0;
    for line in body.split(|b| *b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Value>(line) {
            Ok(Value::Object(entry)) => out.push(entry),
            _ => bad += 1,
        }
    }
    (out, bad)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fields_read_as_text_whatever_their_shape() {
        assert_eq!(text(&json!("boom")), "boom");
        assert_eq!(text(&json!([104, 105, 255])), "hi\u{fffd}");
        assert_eq!(text(&json!(["a", "b"])), "a\nb");
        let (list, bad) = entries(b"{\"MESSAGE\":\"a\"}\nnot json\n\n{\"MESSAGE\":\"b\"}\n");
        assert_eq!((list.len(), bad), (2, 1));
    }
}
