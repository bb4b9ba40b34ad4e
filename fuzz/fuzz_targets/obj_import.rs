#![no_main]

libfuzzer_sys::fuzz_target!(
    init: healdeck_fuzz::report_caught_panics(),
    |data: &[u8]| healdeck_fuzz::obj_import(data)
);
