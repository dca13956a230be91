//! JSON output that is inert on a terminal. serde_json escapes the C0 controls inside strings
//! but writes DEL, the C1 controls (U+0080–U+009F, which some terminals read as CSI, OSC, …)
//! and the bidirectional controls as they are; `ondeck incidents --format json | less -R`, or
//! the JSON on a terminal, would then act on them. Every JSON output goes through
//! [`to_string_pretty`], whose formatter writes each [`is_hostile`] character as a `\uXXXX`
//! escape instead: still valid JSON, and it parses back to the very same string.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use super::is_hostile;

/// A formatter that escapes every hostile character serde_json would write raw, and
/// otherwise formats as `F` does.
struct Inert<F>(F);

impl<F: Formatter> Formatter for Inert<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_hostile(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // Hostile characters are all in the Basic Multilingual Plane: one escape each.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    // The layout is the inner formatter's.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `value` as indented JSON (serde_json's pretty layout) with every hostile character in a
/// string escaped as `\uXXXX`.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    write(value, Inert(PrettyFormatter::new()))
}

/// `value` as one line of JSON (a JSON Lines record: an outbox or audit line that someone may
/// `cat`) with every hostile character in a string escaped as `\uXXXX`.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    write(value, Inert(CompactFormatter))
}

fn write<T: Serialize + ?Sized, F: Formatter>(
    value: &T,
    formatter: F,
) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(1024);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut serializer)?;
    // The serializer writes only UTF-8: the input's own text and ASCII around it.
    String::from_utf8(out).map_err(<serde_json::Error as serde::ser::Error>::custom)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn controls_c1_del_and_bidi_are_escaped_and_parse_back_the_same() {
        let hostile =
            "osc\u{1b}]52;c;eA==\u{7} csi\u{9b}2J del\u{7f} rlo\u{202e} lri\u{2066} ok ✓ 👩‍💻";
        let value = json!({ hostile: [hostile, {"nested": hostile}], "n": 1.5 });
        let text = to_string_pretty(&value).unwrap();
        assert!(!text.chars().any(|c| is_hostile(c) && c != '\n'), "{text}");
        for escaped in [
            "\\u001b", "\\u0007", "\\u009b", "\\u007f", "\\u202e", "\\u2066",
        ] {
            assert!(text.contains(escaped), "{escaped} in {text}");
        }
        assert!(
            text.contains("ok ✓ 👩‍💻"),
            "other text stays as it is: {text}"
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn the_layout_is_serde_jsons() {
        let value = json!({"a": [1, {"b": null}], "c": "d", "e": [], "f": {}});
        assert_eq!(
            to_string_pretty(&value).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
        assert_eq!(
            to_string(&value).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
        let line = to_string(&json!({"note": "a\nb\u{9b}"})).unwrap();
        assert_eq!(line, r#"{"note":"a\nb\u009b"}"#);
    }
}
