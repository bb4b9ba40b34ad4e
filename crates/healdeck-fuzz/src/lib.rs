//! Fuzz harnesses. Each takes arbitrary bytes, sends them through one way hostile input
//! enters healdeck — by its real entry point, files included — and panics only when a
//! property the product promises is broken: no panic, no hang, bounded memory, errors that
//! name the file, and the properties listed on each harness.
//!
//! `fuzz/` holds the cargo-fuzz targets (one line each, calling these; nightly only, run by
//! `scripts/fuzz.sh`). `tests/replay.rs` replays the kept corpora (`fuzz/corpus/<target>/`)
//! and every input that once failed (`fuzz/regressions/<target>/`) as ordinary tests.

mod logs;
mod models;
mod redaction;
mod scratch;
mod settings;

pub use logs::{log_bytes, rules_file};
pub use models::{garment_spec, gltf_import, obj_import};
pub use redaction::redaction;
pub use settings::settings_files;

/// A harness: bytes in, a panic when a property breaks.
pub type Harness = fn(&[u8]);

/// Every harness by its target's name.
pub const TARGETS: &[(&str, Harness)] = &[
    ("log_bytes", log_bytes),
    ("rules_file", rules_file),
    ("redaction", redaction),
    ("garment_spec", garment_spec),
    ("obj_import", obj_import),
    ("gltf_import", gltf_import),
    ("settings_files", settings_files),
];

/// For the import targets, whose entry point turns a panic inside the third-party parsers
/// into an error for the file. libFuzzer's panic hook aborts on every panic, even one the
/// product catches; this hook instead prints each new place a caught panic came from, once
/// (the fuzz log is read for them), and lets the guard work. A panic that escapes a harness
/// still aborts: libFuzzer checks for that itself.
pub fn report_caught_panics() {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map_or_else(|| "unknown".to_string(), ToString::to_string);
        let mut seen = SEEN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.get_or_insert_with(HashSet::new).insert(place.clone()) {
            #[allow(clippy::print_stderr)] // the fuzz log is where this is read
            {
                eprintln!("healdeck-fuzz: caught panic at {place}: {info}");
            }
        }
    }));
}
