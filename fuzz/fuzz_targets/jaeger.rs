//! libFuzzer target: arbitrary bytes into the jaeger parsers; any panic is a finding.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ondeck_fuzz::jaeger(data));
