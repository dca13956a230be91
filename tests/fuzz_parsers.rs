//! Property-style fuzzing in `cargo test`: every parser of untrusted input — each backend's
//! `parse_*` functions, the config loader, themes, keymaps, runbooks, and the outbox and audit
//! line readers — gets a few thousand deterministic pseudo-random inputs built from the
//! fixtures in `tests/fixtures/**` (byte flips, truncations, splices, deep nesting, huge
//! numbers, invalid UTF-8). Any answer is fine, `Err` included; a panic fails the test.
//! The same families run under libFuzzer in `fuzz/` for longer campaigns.

use std::path::{Path, PathBuf};

use ondeck::config::{Keymap, Theme};
use ondeck::model::TraceKind;
use ondeck::sources::{alerta, alertmanager, jaeger, opsgenie, pagerduty, prometheus, tempo};

/// Inputs per parser family; the whole file stays within a few seconds in debug builds.
const ROUNDS: usize = 1200;

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

/// Every fixture file under `tests/fixtures/<dir>` (recursively), as bytes.
fn fixtures(dir: &str) -> Vec<Vec<u8>> {
    fn walk(path: &Path, out: &mut Vec<Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                walk(&path, out);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.push(bytes);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(dir),
        &mut out,
    );
    assert!(!out.is_empty(), "no fixtures under tests/fixtures/{dir}");
    out
}

const HUGE_NUMBERS: [&str; 6] = [
    "1e999999",
    "-1e999999",
    "340282366920938463463374607431768211456",
    "-9223372036854775809",
    "18446744073709551616",
    "0.00000000000000000000000000000000000000000000000000000001e-400",
];

/// One mutation of a seed: what a broken proxy, a cut connection or a hostile server sends.
fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(3) {
        let at = rng.below(data.len() + 1);
        match rng.below(9) {
            0 => {
                for _ in 0..=rng.below(8) {
                    if !data.is_empty() {
                        let i = rng.below(data.len());
                        data[i] ^= 1 << rng.below(8);
                    }
                }
            }
            1 => data.truncate(at),
            2 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                let to = from + rng.below(other.len() - from + 1);
                data.splice(at..at, other[from..to].iter().copied());
            }
            3 => {
                let depth = 1 + rng.below(5000);
                let open: &[u8] = [b"[".as_slice(), b"{\"a\":", b"a=[", b"> "][rng.below(4)];
                let nested: Vec<u8> = open.repeat(depth);
                data.splice(at..at, nested);
            }
            4 => {
                // Replace the next number (or insert one) with an absurd one.
                let start = data[at..]
                    .iter()
                    .position(u8::is_ascii_digit)
                    .map(|p| at + p);
                let start = start.unwrap_or(at);
                let end = start
                    + data[start..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                let huge = HUGE_NUMBERS[rng.below(HUGE_NUMBERS.len())].as_bytes();
                data.splice(start..end, huge.iter().copied());
            }
            5 => {
                let bad: &[u8] =
                    [&[0xff, 0xfe][..], &[0xed, 0xa0, 0x80], &[0xc3], &[0]][rng.below(4)];
                data.splice(at..at, bad.iter().copied());
            }
            6 => {
                let len = rng.below(data.len() - at + 1).min(4096);
                let copy = data[at..at + len].to_vec();
                for _ in 0..=rng.below(4) {
                    data.splice(at..at, copy.iter().copied());
                }
            }
            7 => {
                let tokens: [&[u8]; 8] = [
                    b"null", b"\"\"", b"[]", b"{}", b"-", b"\"\\u", b"```", b"\n---\n",
                ];
                let token = tokens[rng.below(tokens.len())];
                data.splice(at..at, token.iter().copied());
            }
            _ => {
                let end = at + rng.below(data.len() - at + 1);
                data.drain(at..end);
            }
        }
    }
    data
}

/// Runs `parse` on the seeds themselves and then on [`ROUNDS`] mutations of them.
fn fuzz(seed: u64, seeds: &[Vec<u8>], parse: impl Fn(&[u8])) {
    for input in seeds {
        parse(input);
    }
    let mut rng = Rng(seed);
    for _ in 0..ROUNDS {
        parse(&mutate(&mut rng, seeds));
    }
}

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

fn status(data: &[u8]) -> u16 {
    [200, 400, 422, 500, 503][data.len() % 5]
}

/// JSON seeds of one backend plus every other backend's, for cross-pollination.
fn json_seeds(dir: &str) -> Vec<Vec<u8>> {
    let mut seeds = fixtures(dir);
    seeds.extend(fixtures("prometheus"));
    seeds.push(br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1,"1"],[2,"NaN"]]}]}}"#.to_vec());
    seeds
}

#[test]
fn prometheus_answers_never_panic() {
    fuzz(1, &json_seeds("prometheus"), |data| {
        let status = status(data);
        let _ = prometheus::api::parse_response(status, data);
        let _ = prometheus::api::parse_range_response(status, data);
        let _ = prometheus::explore::parse_exemplars(status, data);
        if let Some(text) = text(data) {
            let _ = prometheus::selector::Selector::parse(text);
        }
    });
}

#[test]
fn alertmanager_answers_never_panic() {
    let group_by = ["alertname".to_string(), "service".to_string()];
    fuzz(2, &json_seeds("alertmanager"), |data| {
        let _ = alertmanager::parse_alerts(data);
        let _ = alertmanager::parse_silences(data);
        let _ = alertmanager::parse_silence_id(data);
        let _ = alertmanager::parse_incidents("am", &group_by, data, Some(data));
    });
}

#[test]
fn alerta_answers_never_panic() {
    fuzz(3, &json_seeds("alerta"), |data| {
        let _ = alerta::parse_alerts(data, "alerta");
        let _ = alerta::parse_alert(data, "alerta");
        let _ = alerta::history::parse_history(data);
    });
}

#[test]
fn pagerduty_answers_never_panic() {
    fuzz(4, &json_seeds("pagerduty"), |data| {
        let _ = pagerduty::parse_incidents(data, "pd");
        let _ = pagerduty::parse_incident(data, "pd");
        let _ = pagerduty::parse_user_id(data, "alice@example.com");
        let _ = pagerduty::parse_oncalls(data);
        let _ = pagerduty::parse_first_acknowledgement(data);
    });
}

#[test]
fn opsgenie_answers_never_panic() {
    fuzz(5, &json_seeds("opsgenie"), |data| {
        let _ = opsgenie::parse_alerts(data, "og");
        let _ = opsgenie::parse_alert(data, "og");
        let _ = opsgenie::parse_history_page(data);
        let _ = opsgenie::parse_accepted(data);
        let _ = opsgenie::parse_request_status(data);
        let _ = opsgenie::parse_on_calls(data);
        let _ = opsgenie::parse_next_on_calls(data);
    });
}

#[test]
fn jaeger_answers_never_panic() {
    fuzz(6, &json_seeds("jaeger"), |data| {
        let _ = jaeger::parse_error(status(data), data);
        let _ = jaeger::parse_trace(data);
        let _ = jaeger::parse_search(data, TraceKind::Slow, 20);
        let _ = jaeger::parse_search(data, TraceKind::Errors, 3);
        let _ = jaeger::parse_dependencies(data);
        let _ = jaeger::parse_names(data);
    });
}

#[test]
fn tempo_answers_never_panic() {
    fuzz(7, &json_seeds("tempo"), |data| {
        let _ = tempo::parse_trace(data, "0af7651916cd43dd8448eb211c80319c");
        let _ = tempo::parse_trace(data, "");
        let _ = tempo::parse_search(data, TraceKind::Slow);
        let _ = tempo::parse_search(data, TraceKind::Errors);
    });
}

#[test]
fn config_files_never_panic() {
    let mut seeds = fixtures("config");
    seeds.extend(fixtures("slo_files"));
    fuzz(8, &seeds, |data| {
        if let Some(text) = text(data) {
            let _ = ondeck::config::parse(text, Path::new("/nonexistent/ondeck.toml"));
        }
    });
}

#[test]
fn themes_and_keymaps_never_panic() {
    let mut seeds = fixtures("config/valid");
    seeds.push(b"[global]\n\"ctrl-alt-shift-f12\" = \"quit\"\n\"\" = \"\"\n".to_vec());
    seeds.push(b"text = { fg = \"#zzzzzz\", bg = \"indexed(999)\", bold = 1 }\n".to_vec());
    fuzz(9, &seeds, |data| {
        let Some(text) = text(data) else {
            return;
        };
        let _ = Theme::from_toml("fuzz", text);
        let _ = Keymap::defaults().merge_toml(text);
        if let Ok(table) = text.parse::<toml::Table>() {
            let _ = Theme::dark().with_overrides(&table);
            for value in table.values() {
                if let Some(inner) = value.as_table() {
                    let _ = Theme::dark().with_overrides(inner);
                }
            }
            let _ = Keymap::defaults().merge_table(&table);
        }
    });
}

#[test]
fn runbooks_never_panic() {
    let mut seeds = fixtures("runbooks");
    seeds.push(b"alertname=~\"High.*\", service!=\"x\"".to_vec());
    fuzz(10, &seeds, |data| {
        if let Some(text) = text(data) {
            let _ = ondeck::runbook::parse("fuzz.md", text);
            let _ = ondeck::runbook::parse_fetched("https://runbooks.example.com/fuzz.md", text);
            let _ = ondeck::runbook::Matcher::parse(text);
        }
    });
}

/// The outbox and the audit log are read back line by line after a crash or a full disk;
/// damaged lines must be skipped, never fatal.
#[test]
fn outbox_and_audit_readers_never_panic() {
    let dir = std::env::temp_dir().join(format!("ondeck-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let outbox = dir.join("outbox.jsonl");
    let audit = dir.join("audit.jsonl");
    let seeds = vec![
        br#"{"op":"queued","id":"1-1","queued_at":"2026-11-21T03:12:00Z","user":"alice","source":"pd","incident":"P1","kind":"acknowledge","note":null}
{"op":"queued","id":"1-2","queued_at":"2026-11-21T03:12:01Z","user":"alice","source":"am","incident":"g1","kind":"note","note":"rolled back"}
{"op":"done","id":"1-1","time":"2026-11-21T03:12:05Z","outcome":"delivered"}
"#
        .to_vec(),
        br#"{"time":"2026-11-21T03:12:00Z","user":"alice","source":"pd","incident":"P1","action":"acknowledge","note":"on it","outcome":"ok"}
"#
        .to_vec(),
    ];
    let mut rng = Rng(11);
    // File IO per input: fewer rounds than the in-memory parsers.
    for _ in 0..ROUNDS / 5 {
        let data = mutate(&mut rng, &seeds);
        std::fs::write(&outbox, &data).unwrap();
        let _ = ondeck::outbox::Store::open(&outbox);
        std::fs::write(&audit, &data).unwrap();
        let _ = ondeck::journal::read_all(&audit);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
