//! The checks that nothing an attacker chose reaches a terminal raw: in a subcommand's
//! output, and in the bytes the cockpit writes to its terminal.

/// The first character in `bytes` (as the terminal decodes them) that could act on a
/// terminal — any control but a line break, or a bidirectional control — with where it is.
pub fn first_acting(bytes: &[u8]) -> Option<(usize, char)> {
    String::from_utf8_lossy(bytes)
        .char_indices()
        .find(|&(_, c)| (c.is_control() && c != '\n') || is_bidi_control(c))
}

/// Unicode's `Bidi_Control` characters.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Panics, showing where, unless `bytes` — a subcommand's stdout or stderr — hold nothing a
/// terminal would act on.
pub fn assert_inert(bytes: &[u8], what: &str) {
    if let Some((at, c)) = first_acting(bytes) {
        let text = String::from_utf8_lossy(bytes);
        let from = text[..at]
            .char_indices()
            .rev()
            .nth(60)
            .map_or(0, |(i, _)| i);
        panic!(
            "{what} writes {c:?} raw at byte {at}: …{:?}…\nall of it:\n{text}",
            &text[from..(at + 20).min(text.len())]
        );
    }
}

/// Panics unless everything the cockpit wrote to its terminal is its own: no control but
/// CR, LF and ESC, no C1 control, DEL or bidirectional control, and every escape sequence a
/// CSI (cursor, colour, screen modes) — except the clipboard's OSC 52, whose payload (base64)
/// must decode to text with nothing in it a shell or a terminal would act on. Returns the
/// texts put on the clipboard.
pub fn assert_terminal_output_own(bytes: &[u8], what: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let context = |at: usize| {
        let from = text[..at]
            .char_indices()
            .rev()
            .nth(60)
            .map_or(0, |(i, _)| i);
        format!("{:?}", &text[from..(at + 40).min(text.len())])
    };
    let mut copied = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\r' | '\n' => {}
            '\u{1b}' => match chars.next() {
                Some((_, '[')) => {
                    // Parameters, intermediates, then one final byte.
                    let closed = chars.by_ref().any(|(_, c)| ('@'..='~').contains(&c));
                    assert!(closed, "{what}: an unterminated CSI at {}", context(at));
                }
                Some((_, ']')) => {
                    let rest = &text[at + 2..];
                    let end = rest
                        .find('\u{7}')
                        .unwrap_or_else(|| panic!("{what}: an OSC at {}", context(at)));
                    let payload = rest[..end]
                        .strip_prefix("52;c;")
                        .unwrap_or_else(|| panic!("{what}: an OSC at {}", context(at)));
                    let decoded = decode_base64(payload)
                        .unwrap_or_else(|| panic!("{what}: OSC 52 of {payload:?}"));
                    let decoded = String::from_utf8(decoded).unwrap();
                    assert!(
                        first_acting(decoded.as_bytes()).is_none() && !decoded.contains('\n'),
                        "{what}: copied {decoded:?}"
                    );
                    copied.push(decoded);
                    for _ in 0..end + 1 {
                        chars.next();
                    }
                }
                other => panic!("{what}: ESC then {other:?} at {}", context(at)),
            },
            c if c.is_control() || is_bidi_control(c) => {
                panic!("{what}: {c:?} raw at {}", context(at))
            }
            _ => {}
        }
    }
    copied
}

/// Standard base64 (RFC 4648, padded), as OSC 52 carries it.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut bits = 0u32;
    let mut count = 0;
    for b in text.bytes().filter(|&b| b != b'=') {
        let value = ALPHABET.iter().position(|&a| a == b)? as u32;
        bits = bits << 6 | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}
