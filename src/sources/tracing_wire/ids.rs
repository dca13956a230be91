//! Trace and span ids: Jaeger and OTLP JSON write them as hex, but Tempo's v1 trace-by-id
//! JSON (protobuf's JSON mapping) writes the raw bytes as base64. ondeck keeps lowercase hex.

use crate::sources::SourceError;

/// The id as lowercase hex, from hex (any case) or base64 (standard or URL-safe alphabet,
/// padded or not) of the id's bytes. `None` when it is neither.
///
/// A 16- or 32-character hex string is hex; otherwise base64 that decodes to 8 or 16 bytes
/// (a span or trace id) wins; otherwise any hex string (Jaeger trims leading zeros).
pub fn normalize_id(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let is_hex = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hex && (raw.len() == 16 || raw.len() == 32) {
        return Some(raw.to_ascii_lowercase());
    }
    if let Some(bytes) = decode_base64(raw)
        && (bytes.len() == 8 || bytes.len() == 16)
    {
        return Some(hex(&bytes));
    }
    is_hex.then(|| raw.to_ascii_lowercase())
}

/// Whether an id means "no id": empty, or all zeros (how OTLP writes "no parent").
pub fn is_null_id(id: &str) -> bool {
    id.bytes().all(|b| b == b'0')
}

/// A trace id a user typed or a search returned, checked to be hex so it is safe in a URL
/// path, lowercased and left-padded with zeros to `width` hex digits (Tempo drops leading
/// zeros in search results; its trace-by-id wants all 32).
pub fn trace_id_for_path(raw: &str, width: usize) -> Result<String, SourceError> {
    let id = raw.trim();
    if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SourceError::Rejected(format!(
            "`{}` is not a trace id (up to 32 hex digits)",
            id.chars().take(40).collect::<String>()
        )));
    }
    Ok(format!("{:0>width$}", id.to_ascii_lowercase()))
}

/// `text` percent-encoded for one URL path segment: everything but RFC 3986 unreserved
/// characters is escaped, so a service named `a/b` stays one segment.
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sextet(c: u8) -> Option<u32> {
    let value = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    };
    Some(u32::from(value))
}

/// Decodes base64 in either alphabet; padding is optional but nothing may follow it.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let data = text.trim_end_matches('=');
    if text.len() - data.len() > 2 || data.len() % 4 == 1 || data.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    let mut bits: u32 = 0;
    let mut count = 0;
    for c in data.bytes() {
        bits = (bits << 6) | sextet(c)?;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(((bits >> count) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids_are_lowercased_and_base64_ids_become_hex() {
        assert_eq!(
            normalize_id("4BF92F3577B34DA6A3CE929D0E0E4736").as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        // The same trace id as protobuf's JSON mapping writes it.
        assert_eq!(
            normalize_id("S/kvNXezTaajzpKdDg5HNg==").as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(
            normalize_id("APBnqgupArc=").as_deref(),
            Some("00f067aa0ba902b7")
        );
        assert_eq!(
            normalize_id("APBnqgupArc").as_deref(),
            Some("00f067aa0ba902b7")
        );
        // Jaeger drops leading zeros.
        assert_eq!(
            normalize_id("f067aa0ba902b7").as_deref(),
            Some("f067aa0ba902b7")
        );
        assert_eq!(normalize_id("not an id!"), None);
        assert_eq!(normalize_id("===="), None);
    }

    #[test]
    fn null_parents_are_empty_or_zero() {
        assert!(is_null_id(""));
        assert!(is_null_id("0000000000000000"));
        assert!(!is_null_id("00f067aa0ba902b7"));
    }

    #[test]
    fn trace_ids_for_paths_are_hex_and_padded() {
        assert_eq!(
            trace_id_for_path(" 2F3E0CEE ", 32).unwrap(),
            "0000000000000000000000002f3e0cee"
        );
        assert!(trace_id_for_path("../../admin", 32).is_err());
        assert!(trace_id_for_path("", 32).is_err());
    }

    #[test]
    fn path_segments_escape_slashes_and_spaces() {
        assert_eq!(path_segment("front end/api"), "front%20end%2Fapi");
        assert_eq!(path_segment("checkout-v2.1_x~"), "checkout-v2.1_x~");
    }
}
