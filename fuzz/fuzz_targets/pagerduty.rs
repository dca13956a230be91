//! libFuzzer target: arbitrary bytes into the pagerduty parsers; any panic is a finding.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ondeck_fuzz::pagerduty(data));
