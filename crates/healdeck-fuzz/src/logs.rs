//! Log bytes and rules files: the engine's two hostile inputs.

use crate::scratch;
use healdeck_engine::report::{self, Format, Secrets};
use healdeck_engine::rules::RuleSet;
use healdeck_engine::samples::check_samples;
use healdeck_engine::{Engine, ScanControl, ScanOptions, ScanReport, scan};
use std::sync::LazyLock;

static BUILTIN: LazyLock<Engine> = LazyLock::new(|| Engine::new(RuleSet::builtin().0));

/// Inputs are at most 16 KiB (the fuzz script's `-max_len`): one chunk of this size holds a
/// whole input, and this much lookahead lets every chunk see to its end. (The defaults,
/// 4 MiB + 256 KiB per buffer, made each run spend its time allocating.)
const WHOLE: usize = 64 << 10;

fn scan_file(data: &[u8], chunk_bytes: usize) -> ScanReport {
    let path = scratch::file("fuzz.log", data);
    let opts = ScanOptions {
        threads: 1,
        chunk_bytes: chunk_bytes.min(WHOLE),
        lookahead_bytes: WHOLE.max(data.len()),
    };
    scan(&BUILTIN, &[path], &opts, &ScanControl::default())
}

/// What must not depend on where the file was cut into chunks.
fn outcome(r: &ScanReport) -> Vec<(String, u64, u64, u64)> {
    let mut v: Vec<_> = r
        .issues
        .iter()
        .map(|i| {
            (
                i.fingerprint.clone(),
                i.count,
                i.latest.line,
                i.latest.end_line,
            )
        })
        .collect();
    v.sort();
    v
}

/// Arbitrary bytes as a log file (gzip too, when they start like one), scanned with the
/// built-in rules: line numbers stay within the file and in order, every issue was seen at
/// least once, the result does not depend on the chunk size (the first byte picks a small
/// one), and every report format renders.
pub fn log_bytes(data: &[u8]) {
    let whole = scan_file(data, usize::MAX);
    let chunk = 16 + usize::from(data.first().copied().unwrap_or(0)) * 16;
    let chunked = scan_file(data, chunk);
    let gzip = data.starts_with(&[0x1f, 0x8b]);
    if !gzip {
        let newlines = data.iter().filter(|&&b| b == b'\n').count() as u64;
        let lines = newlines + u64::from(data.last().is_some_and(|&b| b != b'\n'));
        assert_eq!(whole.stats.lines, lines, "lines counted");
    }
    for i in &whole.issues {
        assert!(i.count >= 1, "{}: count {}", i.fingerprint, i.count);
        let o = &i.latest;
        assert!(
            1 <= o.line && o.line <= o.end_line && (gzip || o.end_line <= whole.stats.lines),
            "{}: lines {}..{} of {}",
            i.fingerprint,
            o.line,
            o.end_line,
            whole.stats.lines
        );
    }
    assert_eq!(
        outcome(&whole),
        outcome(&chunked),
        "issues differ with {chunk}-byte chunks"
    );
    for format in [
        Format::Text { color: true },
        Format::Markdown,
        Format::Json,
        Format::Jsonl,
    ] {
        let out = report::render(&whole, &[], format, Secrets::Redact);
        if matches!(format, Format::Json) {
            let parsed: Result<serde_json::Value, _> = serde_json::from_str(&out.text);
            assert!(parsed.is_ok(), "the JSON report parses");
        }
    }
}

/// Arbitrary bytes as a rules file: parsed and compiled on their own (without the built-ins),
/// every error names the file, and the rules that loaded run over their own samples.
pub fn rules_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (set, errors) = RuleSet::from_text(&text, "fuzz_rules.json");
    for e in &errors {
        let message = e.to_string();
        assert!(
            message.contains("fuzz_rules.json"),
            "unnamed error: {message}"
        );
    }
    let engine = Engine::new(set);
    let _ = check_samples(&engine);
}
