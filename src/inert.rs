//! Outside text made inert for a terminal. Anything a backend, a file or a command's output
//! says is data: before it is displayed — in a cockpit cell or on a subcommand's text output —
//! every character that could act on the terminal is shown visibly escaped instead: C0 and C1
//! controls (ESC, BEL, CR, …), DEL, and the bidirectional overrides and isolates that make
//! text read differently from what it is (U+202A–U+202E, U+2066–U+2069).
//!
//! [`line`] is for one-line places (a title, a label): line breaks and tabs become spaces.
//! [`block`] is for multi-line places (a description, a step's output, a code block): line
//! breaks stay line breaks and tabs become spaces. JSON output needs neither: serde escapes.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is shown escaped rather than emitted.
pub fn is_hostile(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The visible form of a hostile character: `\e` for ESC, `\a` for BEL, `\r` for CR,
/// `\u{202e}` for the rest.
fn escape(c: char, out: &mut String) {
    match c {
        '\u{1b}' => out.push_str("\\e"),
        '\u{07}' => out.push_str("\\a"),
        '\r' => out.push_str("\\r"),
        '\u{08}' => out.push_str("\\b"),
        '\0' => out.push_str("\\0"),
        other => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(other));
        }
    }
}

fn clean(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let needs = text.chars().any(|c| is_hostile(c) || c == '\t');
    if !needs {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push(' '),
            c if is_hostile(c) => escape(c, &mut out),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` for a one-line place: line breaks and tabs as spaces, the rest escaped visibly.
pub fn line(text: &str) -> Cow<'_, str> {
    clean(text, false)
}

/// `text` for a multi-line place: line breaks kept, tabs as spaces, the rest escaped visibly.
pub fn block(text: &str) -> Cow<'_, str> {
    clean(text, true)
}

/// The first character of a command that would not reach the shell as it is shown (a
/// control other than line break and tab, or a bidirectional override), with its visible
/// form: such a command is refused, never run.
pub fn hidden_in_command(code: &str) -> Option<String> {
    code.chars()
        .find(|&c| c != '\n' && c != '\t' && is_hostile(c))
        .map(|c| {
            let mut shown = String::new();
            escape(c, &mut shown);
            shown
        })
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
