#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| healdeck_fuzz::rules_file(data));
