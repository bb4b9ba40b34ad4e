//! Every kept fuzz input, replayed through its harness as an ordinary test: the minimized
//! corpora (`fuzz/corpus/<target>/`) and each input that once crashed, hung or broke a
//! property (`fuzz/regressions/<target>/`, named after what it found).

use std::path::{Path, PathBuf};

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(kind: &str) -> usize {
    let mut n = 0;
    for (target, harness) in healdeck_fuzz::TARGETS {
        for file in inputs(kind, target) {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let outcome = std::panic::catch_unwind(|| harness(&data));
            assert!(outcome.is_ok(), "{target}: {} fails", file.display());
            n += 1;
        }
    }
    n
}

#[test]
fn every_regression_input_passes() {
    let n = replay("regressions");
    eprintln!("{n} regression inputs replayed");
}

#[test]
fn every_kept_corpus_input_passes() {
    let n = replay("corpus");
    eprintln!("{n} corpus inputs replayed");
    assert!(
        n >= healdeck_fuzz::TARGETS.len(),
        "the corpora are missing: {n} inputs"
    );
}
