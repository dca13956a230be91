//! Property-style fuzzing of the sanitiser of outside text (`ondeck::inert`) in `cargo test`:
//! a few thousand deterministic pseudo-random strings built from what an attacker sends
//! (every C0 and C1 control, DEL, ESC sequences, bidirectional controls, CR LF) mixed with
//! ordinary and multi-byte text, and the backend fixtures with such characters spliced in.
//! For each: nothing the sanitiser outputs could act on a terminal, text without such a
//! character passes through unchanged, escaping twice changes nothing, no other character is
//! lost, and the JSON form holds none either and parses back to the same text. The same
//! promises run under libFuzzer in `fuzz/` (target `inert`).

use std::borrow::Cow;
use std::path::Path;

use ondeck::inert::{self, is_hostile};

/// Strings tried; the file stays within a second or two in debug builds.
const ROUNDS: usize = 4000;

/// xorshift64*: deterministic, so a failure reproduces with the same round number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What strings are made of: attacks, their pieces, and ordinary text.
const PIECES: [&str; 24] = [
    "\u{1b}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u{7}",
    "\u{1b}[2J",
    "\u{1b}[31m",
    "\u{1b}P",
    "\u{1b}\\",
    "\u{9b}1m",
    "\u{9d}0;title\u{9c}",
    "\u{202e}",
    "\u{2066}",
    "\u{200f}",
    "\u{61c}",
    "\r\n",
    "\r",
    "\n",
    "\t",
    "\u{7f}",
    "\\e",
    "checkout 5xx",
    "é",
    "コンテナ",
    "👩\u{200d}💻",
    "e\u{301}",
    " ",
    "—",
];

/// A random character: any control, a bidirectional control, or anything else.
fn any_char(rng: &mut Rng) -> char {
    match rng.below(4) {
        0 => char::from_u32(rng.below(0x20) as u32).unwrap_or('?'),
        1 => char::from_u32(0x7f + rng.below(0x21) as u32).unwrap_or('?'),
        2 => ['\u{202a}', '\u{202d}', '\u{2069}', '\u{200e}', '\u{feff}'][rng.below(5)],
        _ => char::from_u32(rng.below(0x3_0000) as u32).unwrap_or('\u{fffd}'),
    }
}

fn random_text(rng: &mut Rng, seeds: &[String]) -> String {
    let mut text = if rng.below(3) == 0 {
        seeds[rng.below(seeds.len())].clone()
    } else {
        String::new()
    };
    for _ in 0..rng.below(12) {
        let at = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .nth(rng.below(text.chars().count() + 1))
            .unwrap_or(text.len());
        let piece = if rng.below(2) == 0 {
            PIECES[rng.below(PIECES.len())].to_string()
        } else {
            any_char(rng).to_string()
        };
        text.insert_str(at, &piece);
    }
    text
}

/// What could act on a terminal, written out here rather than taken from the code under
/// test: controls (C0, DEL, C1) and Unicode's `Bidi_Control` characters.
fn acts(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// The first character of `s` that could act on a terminal (line breaks allowed by `block`).
fn acting(s: &str, keep_line_breaks: bool) -> Option<char> {
    s.chars()
        .find(|&c| acts(c) && !(keep_line_breaks && c == '\n'))
}

fn check(text: &str) {
    for (keep, shown) in [(false, inert::line(text)), (true, inert::block(text))] {
        assert_eq!(acting(&shown, keep), None, "{text:?} shown as {shown:?}");
        if acting(text, keep).is_none() {
            assert!(matches!(shown, Cow::Borrowed(_)), "{text:?} was changed");
        }
        let again = if keep {
            inert::block(&shown)
        } else {
            inert::line(&shown)
        };
        assert_eq!(again, shown, "escaping {text:?} twice");
        let mut out = shown.chars();
        for c in text.chars().filter(|&c| !acts(c)) {
            assert!(out.any(|o| o == c), "{c:?} of {text:?} lost in {shown:?}");
        }
    }
    assert_eq!(
        inert::block(text).lines().count(),
        text.replace("\r\n", "\n").lines().count(),
        "block keeps the lines of {text:?}"
    );
    assert_eq!(
        inert::unsafe_to_paste(text).is_none(),
        acting(text, false).is_none()
    );
    let json = inert::json::to_string_pretty(text).unwrap();
    assert_eq!(acting(&json, false), None, "{text:?} as JSON {json}");
    let back: String = serde_json::from_str(&json).unwrap();
    assert_eq!(back, text);
}

/// Every backend fixture, as text.
fn fixtures() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for kind in [
        "alertmanager",
        "alerta",
        "pagerduty",
        "opsgenie",
        "jaeger",
        "tempo",
    ] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(kind))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        paths.sort();
        for path in paths {
            out.push(String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned());
        }
    }
    out
}

#[test]
fn nothing_shown_can_act_on_a_terminal_and_clean_text_is_untouched() {
    let seeds = fixtures();
    for seed in &seeds {
        check(seed);
    }
    let mut rng = Rng(15);
    for _ in 0..ROUNDS {
        check(&random_text(&mut rng, &seeds));
    }
    // Every character of the planes text comes in, one at a time.
    for c in (0..0x3_0000).filter_map(char::from_u32) {
        assert_eq!(is_hostile(c), acts(c), "{c:?}");
    }
}
