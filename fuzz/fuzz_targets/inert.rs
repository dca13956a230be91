//! libFuzzer target: arbitrary text through the sanitiser of outside text; a hostile
//! character in what it outputs, or a change to text that had none, is a finding.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ondeck_fuzz::inert(data));
