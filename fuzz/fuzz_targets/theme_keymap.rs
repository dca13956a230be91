//! libFuzzer target: arbitrary bytes into the theme and keymap parsers; any panic is a finding.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ondeck_fuzz::theme_keymap(data));
