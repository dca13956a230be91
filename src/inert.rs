//! Outside text made inert for a terminal. Anything a backend, a file or a command's output
//! says is data: before it is displayed — in a cockpit cell or on a subcommand's text output —
//! every character that could act on the terminal is shown visibly escaped instead: C0 and C1
//! controls (ESC, BEL, CR, …), DEL, and the bidirectional controls that make text read
//! differently from what it is — Unicode's `Bidi_Control` characters: the overrides and
//! isolates (U+202A–U+202E, U+2066–U+2069) and the three marks (U+061C, U+200E, U+200F).
//!
//! [`line`] is for one-line places (a title, a label, a table cell): line breaks and tabs
//! become spaces, so no text can start a line of its own and pass for another row.
//! [`block`] is for multi-line places (a description, a step's output, a code block): line
//! breaks stay line breaks and tabs become spaces. JSON output is escaped as JSON instead,
//! by [`json`]. Both functions are idempotent and leave text without hostile characters
//! (and without tabs or, for [`line`], line breaks) untouched and unallocated.

pub mod json;

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is shown escaped rather than emitted: a control character (C0, DEL, C1) or a
/// bidirectional control.
pub fn is_hostile(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Unicode's `Bidi_Control` property: the characters that reorder how text around them is
/// displayed (Trojan Source, CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// The visible form of a hostile character: `\e` for ESC, `\a` for BEL, `\r` for CR,
/// `\n` and `\t` (for places that keep neither), `\u{202e}` for the rest.
fn escape(c: char, out: &mut String) {
    match c {
        '\u{1b}' => out.push_str("\\e"),
        '\u{07}' => out.push_str("\\a"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\u{08}' => out.push_str("\\b"),
        '\0' => out.push_str("\\0"),
        other => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(other));
        }
    }
}

/// Whether `text` holds a hostile character (other than a line break, when `keep_newlines`).
/// Every frame asks this of every string it draws, so it looks at bytes: each hostile
/// character's UTF-8 encoding starts with a byte below 0x20, 0x7F, or one of the lead bytes
/// 0xC2 (C1), 0xD8 (U+061C) and 0xE2 (the other bidirectional controls) — lead bytes never
/// occur inside another character's encoding — and only those few are decoded.
fn has_hostile(text: &str, keep_newlines: bool) -> bool {
    let bytes = text.as_bytes();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\n' => !keep_newlines,
        0x00..=0x1f | 0x7f => true,
        0xc2 => matches!(at(i + 1), 0x80..=0x9f),
        0xd8 => at(i + 1) == 0x9c,
        0xe2 => matches!(
            (at(i + 1), at(i + 2)),
            (0x80, 0x8e | 0x8f | 0xaa..=0xae) | (0x81, 0xa6..=0xa9)
        ),
        _ => false,
    })
}

fn clean(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !has_hostile(text, keep_newlines) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // CR LF is a line break as web forms send it, not a carriage return that could
            // overwrite what the line began with.
            '\r' if chars.peek() == Some(&'\n') => {}
            '\t' => out.push(' '),
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push(' '),
            c if is_hostile(c) => escape(c, &mut out),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` for a one-line place: line breaks (LF or CR LF) and tabs as spaces, the rest
/// escaped visibly.
pub fn line(text: &str) -> Cow<'_, str> {
    clean(text, false)
}

/// `text` for a multi-line place: line breaks kept (CR LF as LF), tabs as spaces, the rest
/// escaped visibly.
pub fn block(text: &str) -> Cow<'_, str> {
    clean(text, true)
}

/// The first character of a command that would not reach the shell as it is shown (a
/// control other than line break and tab, or a bidirectional override), with its visible
/// form: such a command is refused, never run.
pub fn hidden_in_command(code: &str) -> Option<String> {
    code.chars()
        .find(|&c| c != '\n' && c != '\t' && is_hostile(c))
        .map(shown)
}

/// The first character of `text` that would act when pasted into a shell — a line break or
/// tab as much as a control or bidirectional character — in its visible form.
pub fn unsafe_to_paste(text: &str) -> Option<String> {
    text.chars().find(|&c| is_hostile(c)).map(shown)
}

/// The visible form of one character.
fn shown(c: char) -> String {
    let mut out = String::new();
    escape(c, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_overrides_are_shown_not_sent() {
        let osc52 = "copy \u{1b}]52;c;cm0gLXJmIH4=\u{07} clear \u{1b}[2J";
        assert_eq!(line(osc52), "copy \\e]52;c;cm0gLXJmIH4=\\a clear \\e[2J");
        assert_eq!(
            line("evil\u{202e}txt.sh\u{2066}x\u{2069}"),
            "evil\\u{202e}txt.sh\\u{2066}x\\u{2069}"
        );
        assert_eq!(line("C1 \u{9b}31m DEL \u{7f}"), "C1 \\u{9b}31m DEL \\u{7f}");
        assert_eq!(line("over\rwrite"), "over\\rwrite");
    }

    #[test]
    fn line_breaks_and_tabs_follow_the_layout() {
        assert_eq!(line("a\tb\nc"), "a b c");
        assert_eq!(block("a\tb\nc"), "a b\nc");
        assert!(matches!(line("plain text ✓"), Cow::Borrowed(_)));
        assert!(matches!(block("two\nlines"), Cow::Borrowed(_)));
    }

    #[test]
    fn cr_lf_is_a_line_break_and_a_lone_cr_is_shown() {
        assert_eq!(block("one\r\ntwo\r\n"), "one\ntwo\n");
        assert_eq!(line("one\r\ntwo"), "one two");
        assert_eq!(block("ok\rFAIL"), "ok\\rFAIL");
        assert_eq!(block("end\r"), "end\\r");
    }

    #[test]
    fn every_bidi_control_is_shown() {
        for c in ['\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{2069}'] {
            assert!(is_hostile(c), "{c:?}");
            assert_eq!(
                line(&format!("a{c}b")),
                format!("a\\u{{{:x}}}b", u32::from(c))
            );
        }
        // Joiners and other format characters stay: emoji sequences and scripts need them.
        assert_eq!(line("👩\u{200d}💻"), "👩\u{200d}💻");
    }

    #[test]
    fn the_byte_scan_finds_exactly_the_hostile_characters() {
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            for keep in [false, true] {
                let text = format!("a{c}b");
                let hostile = is_hostile(c) && !(keep && c == '\n');
                assert_eq!(has_hostile(&text, keep), hostile, "{c:?}");
            }
        }
    }

    #[test]
    fn escaping_twice_changes_nothing() {
        let hostile = "\u{1b}]52;c;eA==\u{7}\r\n\t\u{9b}\u{202e}\u{7f}\\e";
        for clean in [line, block] {
            let once = clean(hostile).into_owned();
            assert_eq!(clean(&once), once);
            assert!(
                !once.chars().any(|c| is_hostile(c) && c != '\n'),
                "{once:?}"
            );
        }
    }

    #[test]
    fn text_that_would_act_in_a_shell_is_named() {
        assert_eq!(unsafe_to_paste("4bf92f3577b34da6a3ce929d0e0e4736"), None);
        assert_eq!(unsafe_to_paste("id\nrm -rf ~"), Some("\\n".into()));
        assert_eq!(unsafe_to_paste("id\tx"), Some("\\t".into()));
        assert_eq!(unsafe_to_paste("id\u{1b}[2J"), Some("\\e".into()));
        assert_eq!(unsafe_to_paste("id\u{202e}"), Some("\\u{202e}".into()));
    }

    #[test]
    fn a_command_with_a_hidden_character_is_named() {
        assert_eq!(hidden_in_command("ls -la\n\tdf -h"), None);
        assert_eq!(
            hidden_in_command("echo ok \u{202e}; rm -rf ~"),
            Some("\\u{202e}".into())
        );
        assert_eq!(hidden_in_command("echo \u{1b}[8m"), Some("\\e".into()));
    }
}
