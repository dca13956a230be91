//! Every glyph the UI draws that is not plain ASCII, in one table with a Unicode and an ASCII
//! set: box borders, gauge blocks, sparkline bars, arrows, the ellipsis, status dots. Panes
//! ask `theme.symbols` for a glyph; with `--ascii` (or a non-UTF-8 locale) they get the ASCII
//! one. A final pass over the frame ([`asciify`]) catches whatever else slipped through — a
//! literal in a pane, braille from a chart, an incident title in Cyrillic — so an ASCII
//! terminal never receives a byte above 0x7f.

use ratatui::buffer::Buffer;
use ratatui::symbols::border;

/// A complete glyph set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Symbols {
    /// True for the ASCII set: the frame is also passed through [`asciify`].
    pub ascii: bool,
    /// Panel borders.
    pub border: border::Set<'static>,
    /// A full gauge or span-bar cell.
    pub block_full: &'static str,
    /// Gauge cells filled one to seven eighths.
    pub block_partial: [&'static str; 7],
    /// The unused part of a gauge.
    pub gauge_empty: &'static str,
    /// Sparkline bars, lowest first.
    pub spark: [&'static str; 8],
    /// Marks text that was cut.
    pub ellipsis: char,
    /// Separates items on one line.
    pub separator: &'static str,
    /// Escalates, callers, history up.
    pub up: &'static str,
    /// Calls, history down.
    pub down: &'static str,
    /// "then", "next on call".
    pub right: &'static str,
    /// A fresh source; "this service".
    pub dot: &'static str,
    /// A failed source.
    pub failed: &'static str,
    /// A stale source.
    pub stale: &'static str,
    /// Data that is there but not whole (a list cut short, a number leaving some out).
    pub warning: &'static str,
    /// A folded subtree; the selected row marker.
    pub collapsed: &'static str,
    /// An unfolded subtree.
    pub expanded: &'static str,
    /// The text cursor in an input field.
    pub cursor: &'static str,
    /// A step done.
    pub check: &'static str,
    /// A step failed.
    pub cross: &'static str,
    /// "No value".
    pub dash: &'static str,
    /// "Times", after a burn rate.
    pub times: &'static str,
}

/// Borders of `+`, `-` and `|`.
pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

/// The default set, for UTF-8 terminals.
pub static UNICODE: Symbols = Symbols {
    ascii: false,
    border: border::PLAIN,
    block_full: "█",
    block_partial: ["▏", "▎", "▍", "▌", "▋", "▊", "▉"],
    gauge_empty: "─",
    spark: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
    ellipsis: '…',
    separator: "·",
    up: "↑",
    down: "↓",
    right: "→",
    dot: "●",
    failed: "✕",
    stale: "◐",
    warning: "⚠",
    collapsed: "▸",
    expanded: "▾",
    cursor: "▏",
    check: "✓",
    cross: "✗",
    dash: "—",
    times: "×",
};

/// The ASCII set: every glyph one column wide, like the Unicode one, so layouts do not move.
pub static ASCII: Symbols = Symbols {
    ascii: true,
    border: ASCII_BORDER,
    block_full: "#",
    block_partial: ["|", "|", ":", ":", "=", "=", "#"],
    gauge_empty: "-",
    spark: ["_", "_", ".", "-", "-", "=", "*", "#"],
    ellipsis: '~',
    separator: "|",
    up: "^",
    down: "v",
    right: ">",
    dot: "*",
    failed: "x",
    stale: "~",
    warning: "!",
    collapsed: ">",
    expanded: "v",
    cursor: "_",
    check: "+",
    cross: "x",
    dash: "-",
    times: "x",
};

impl Symbols {
    /// The set for `ascii`.
    pub fn pick(ascii: bool) -> &'static Symbols {
        if ascii { &ASCII } else { &UNICODE }
    }
}

/// Glyphs drawn by ratatui itself or by literals, with their one-column ASCII stand-ins.
const FALLBACK: &[(char, char)] = &[
    ('─', '-'),
    ('━', '-'),
    ('│', '|'),
    ('┃', '|'),
    ('┌', '+'),
    ('┐', '+'),
    ('└', '+'),
    ('┘', '+'),
    ('├', '+'),
    ('┤', '+'),
    ('┬', '+'),
    ('┴', '+'),
    ('┼', '+'),
    ('╭', '+'),
    ('╮', '+'),
    ('╯', '+'),
    ('╰', '+'),
    ('█', '#'),
    ('▉', '#'),
    ('▊', '='),
    ('▋', '='),
    ('▌', ':'),
    ('▍', ':'),
    ('▎', '|'),
    ('▏', '|'),
    ('▁', '_'),
    ('▂', '_'),
    ('▃', '.'),
    ('▄', '-'),
    ('▅', '-'),
    ('▆', '='),
    ('▇', '*'),
    ('▀', '"'),
    ('…', '~'),
    ('·', '|'),
    ('•', '*'),
    ('↑', '^'),
    ('↓', 'v'),
    ('→', '>'),
    ('←', '<'),
    ('▲', '^'),
    ('▼', 'v'),
    ('▸', '>'),
    ('▶', '>'),
    ('▾', 'v'),
    ('●', '*'),
    ('◐', '~'),
    ('○', 'o'),
    ('✕', 'x'),
    ('✓', '+'),
    ('✗', 'x'),
    ('—', '-'),
    ('–', '-'),
    ('×', 'x'),
    ('≥', '>'),
    ('≤', '<'),
    ('µ', 'u'),
    ('⚠', '!'),
    ('↷', '-'),
    ('−', '-'),
    ('⏎', '<'),
    // Change markers on the debug pane's time axis.
    ('↶', '<'),
    ('◆', '*'),
    ('⚑', 'f'),
    ('↕', 's'),
    // "changes ‹2": changes left of a narrow sparkline.
    ('‹', '<'),
];

/// The ASCII stand-in of one character: itself when ASCII, the table's entry for a known
/// glyph, `*` for a dotted braille cell (charts), and `?` for anything else (text in other
/// scripts, emoji), which an ASCII terminal could not show anyway.
pub fn ascii_char(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    if let Some((_, ascii)) = FALLBACK.iter().find(|(glyph, _)| *glyph == c) {
        return *ascii;
    }
    match c {
        '\u{2800}' => ' ',
        '\u{2801}'..='\u{28ff}' => '*',
        _ => '?',
    }
}

/// Rewrites every cell of `buffer` that is not ASCII to its one-column stand-in.
pub fn asciify(buffer: &mut Buffer) {
    for cell in &mut buffer.content {
        let symbol = cell.symbol();
        if symbol.is_ascii() {
            continue;
        }
        let mut chars = symbol.chars();
        let first = chars.next().map_or(' ', ascii_char);
        // A combining mark or variation selector after the first char has no ASCII form.
        let mut one = [0u8; 4];
        cell.set_symbol(first.encode_utf8(&mut one));
    }
}

/// Whether the locale asks for UTF-8: the first of `LC_ALL`, `LC_CTYPE`, `LANG` that is set
/// and not empty decides, as the C library does. With none set (the "C" locale) the answer
/// is no.
pub fn locale_is_utf8(env: impl Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| env(name).filter(|v| !v.is_empty()))
        .is_some_and(|locale| {
            let lower = locale.to_ascii_lowercase();
            lower.contains("utf-8") || lower.contains("utf8")
        })
}

/// Whether to draw in ASCII: `--ascii` wins, then the config's `ascii`, then the locale.
pub fn want_ascii(flag: bool, config: Option<bool>, locale_utf8: bool) -> bool {
    flag || config.unwrap_or(!locale_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn the_locale_decides_in_libc_order() {
        assert!(locale_is_utf8(env(&[("LANG", "en_US.UTF-8")])));
        assert!(locale_is_utf8(env(&[("LANG", "de_DE.utf8")])));
        assert!(!locale_is_utf8(env(&[])), "no locale is C, not UTF-8");
        assert!(!locale_is_utf8(env(&[("LANG", "C")])));
        // LC_ALL overrides a UTF-8 LANG, LC_CTYPE overrides LANG, empty values are skipped.
        assert!(!locale_is_utf8(env(&[
            ("LC_ALL", "POSIX"),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(!locale_is_utf8(env(&[
            ("LC_CTYPE", "en_US.ISO-8859-1"),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(locale_is_utf8(env(&[
            ("LC_ALL", ""),
            ("LANG", "en_US.UTF-8")
        ])));
    }

    #[test]
    fn the_flag_beats_the_config_which_beats_the_locale() {
        assert!(want_ascii(true, Some(false), true));
        assert!(!want_ascii(false, Some(false), false));
        assert!(want_ascii(false, Some(true), true));
        assert!(want_ascii(false, None, false));
        assert!(!want_ascii(false, None, true));
    }

    #[test]
    fn every_ascii_glyph_is_ascii_and_as_wide_as_its_unicode_twin() {
        let (u, a) = (&UNICODE, &ASCII);
        let pairs: Vec<(&str, &str)> = [
            (u.block_full, a.block_full),
            (u.gauge_empty, a.gauge_empty),
            (u.separator, a.separator),
            (u.up, a.up),
            (u.down, a.down),
            (u.right, a.right),
            (u.dot, a.dot),
            (u.failed, a.failed),
            (u.stale, a.stale),
            (u.collapsed, a.collapsed),
            (u.expanded, a.expanded),
            (u.cursor, a.cursor),
            (u.check, a.check),
            (u.cross, a.cross),
            (u.dash, a.dash),
            (u.times, a.times),
        ]
        .into_iter()
        .chain(u.block_partial.into_iter().zip(a.block_partial))
        .chain(u.spark.into_iter().zip(a.spark))
        .collect();
        for (unicode, ascii) in pairs {
            assert!(ascii.is_ascii(), "{ascii:?}");
            assert_eq!(unicode.chars().count(), ascii.len(), "{unicode} vs {ascii}");
        }
        assert!(a.ellipsis.is_ascii());
    }

    #[test]
    fn the_fallback_agrees_with_the_ascii_set() {
        assert_eq!(ascii_char(UNICODE.ellipsis), ASCII.ellipsis);
        for (unicode, ascii) in [
            (UNICODE.up, ASCII.up),
            (UNICODE.dot, ASCII.dot),
            (UNICODE.failed, ASCII.failed),
            (UNICODE.block_full, ASCII.block_full),
        ] {
            let c = unicode.chars().next().unwrap_or(' ');
            assert_eq!(ascii_char(c).to_string(), ascii);
        }
    }

    #[test]
    fn a_frame_pass_leaves_nothing_above_ascii() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 12, 1));
        buffer.set_string(0, 0, "┌─●…⣿⠀ж日", ratatui::style::Style::default());
        asciify(&mut buffer);
        let text: String = buffer.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(text, "+-*~* ??    ");
        assert!(text.is_ascii());
    }
}
