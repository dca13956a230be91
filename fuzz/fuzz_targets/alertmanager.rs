//! libFuzzer target: arbitrary bytes into the alertmanager parsers; any panic is a finding.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ondeck_fuzz::alertmanager(data));
