//! libFuzzer target: arbitrary bytes into the tempo parsers; any panic is a finding.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ondeck_fuzz::tempo(data));
