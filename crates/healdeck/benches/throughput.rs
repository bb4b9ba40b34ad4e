//! Throughput benchmark: `healdeck diagnose` against `rg -c -f PATTERNS` on the same file.
//!
//! Run with `cargo bench --bench throughput` (needs `rg` on PATH: `apt-get install ripgrep`).
//! It generates a mixed log (default 512 MiB, `HEALDECK_BENCH_MIB` to change) of ordinary
//! records in several formats with ~0.1% failures taken from the rules' own samples plus
//! trap lines that only mention errors, writes every rule pattern to a patterns file for
//! ripgrep, then runs each tool three times (warm page cache) and prints the best wall time,
//! throughput, peak memory (via /usr/bin/time when present) and the ratio. It does so twice:
//! on an ASCII log, and on the same log with a non-ASCII name on every ordinary line (a
//! Unicode `\b` in a pattern once made that 40× slower).

use healdeck_engine::rules::RuleSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// A tiny deterministic generator (xorshift) so every run writes the same file.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const PATHS: [&str; 6] = [
    "/api/items",
    "/api/orders",
    "/static/app.js",
    "/login",
    "/api/users",
    "/healthz",
];
const WORDS: [&str; 8] = [
    "processed",
    "queued",
    "synced",
    "loaded",
    "cached",
    "indexed",
    "rendered",
    "accepted",
];
const TRAPS: [&str; 6] = [
    "INFO tests: 120 passed, 0 failed",
    "DEBUG metrics errors=0 warnings=2 error_count: 0",
    "INFO ui: ErrorBoundary mounted",
    "INFO config logging.level.org.springframework=ERROR",
    "INFO test_error_handling PASSED",
    "INFO panic hook installed",
];

/// Names for the UTF-8 variant: most lines of real logs from non-English apps carry a few.
const NAMES: [&str; 6] = ["José", "Zoë", "Łukasz", "Müller", "東京", "Ðorđe"];

/// What the generated log looks like beyond its everyday lines.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// ~0.1 % failures among everyday lines.
    Clean,
    /// The same with a non-ASCII name on every ordinary line.
    Utf8,
    /// ~8 % of the ordinary lines are WARN records that are no failure.
    Warn,
    /// Every ordinary line carries a benign mention of an error word.
    Benign,
    /// 20 % of the lines are failures.
    Failures,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Clean => "ascii",
            Shape::Utf8 => "utf8",
            Shape::Warn => "warn8pct",
            Shape::Benign => "benign-mentions",
            Shape::Failures => "failures20pct",
        }
    }
}

/// Ordinary WARN records: slow, retried, deprecated — nothing failed.
const WARNINGS: [&str; 4] = [
    "WARN  [worker-2] app.cache: slow response from cache in 812 ms (threshold 500 ms)",
    "WARN  [http-1] app.client: retrying GET /api/items (attempt 2 of 3)",
    "WARN  [main] app.config: setting 'pool.size' is deprecated, use 'pool.max'",
    "WARN  [sched-4] app.jobs: job 77 took longer than its interval",
];

/// Benign mentions of error words, one appended to every ordinary line of `Shape::Benign`.
const MENTIONS: [&str; 4] = [
    " errors=0",
    " {\"error\":null}",
    " error_count: 0",
    " ErrorBoundary=ok",
];

fn normal_line(rng: &mut Rng, i: u64, out: &mut Vec<u8>, shape: Shape) {
    let n = rng.below(100_000);
    if shape == Shape::Utf8 {
        write!(out, "[{}] ", NAMES[(n % 6) as usize]).ok();
    }
    if shape == Shape::Warn && n % 100 < 8 {
        writeln!(
            out,
            "2024-05-01T00:00:00.000Z {}",
            WARNINGS[(n % 4) as usize]
        )
        .ok();
        return;
    }
    let (h, m, s) = (i / 3_600_000 % 24, i / 60_000 % 60, i / 1000 % 60);
    match rng.below(5) {
        0 => writeln!(
            out,
            "2024-05-01T{h:02}:{m:02}:{s:02}.{:03}Z INFO  [worker-{}] app.service: {} order {n} in {} ms",
            i % 1000,
            n % 8,
            WORDS[(n % 8) as usize],
            n % 250
        ),
        1 => writeln!(
            out,
            "10.0.{}.{} - - [01/May/2024:{h:02}:{m:02}:{s:02} +0000] \"GET {}/{n} HTTP/1.1\" 200 {} \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"",
            n % 256,
            n % 200,
            PATHS[(n % 6) as usize],
            n % 9000
        ),
        2 => writeln!(
            out,
            "May  1 {h:02}:{m:02}:{s:02} web-1 systemd[1]: Started Session {n} of user deploy."
        ),
        3 => writeln!(
            out,
            "2024-05-01 {h:02}:{m:02}:{s:02},{:03} - app.jobs - DEBUG - job {n} {} with {} rows",
            i % 1000,
            WORDS[(n % 8) as usize],
            n % 5000
        ),
        _ => writeln!(
            out,
            "{{\"ts\":\"2024-05-01T{h:02}:{m:02}:{s:02}Z\",\"level\":\"info\",\"msg\":\"request done\",\"status\":200,\"duration_ms\":{}}}",
            n % 900
        ),
    }
    .ok();
    if shape == Shape::Benign {
        out.pop();
        out.extend_from_slice(MENTIONS[(n % 4) as usize].as_bytes());
        out.push(b'\n');
    }
}

fn generate(
    path: &Path,
    target_bytes: u64,
    samples: &[String],
    shape: Shape,
) -> std::io::Result<(u64, u64)> {
    // Failures per 10,000 lines.
    let failures = if shape == Shape::Failures { 2000 } else { 10 };
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut bytes, mut lines, mut planted) = (0u64, 0u64, 0u64);
    let mut buf = Vec::with_capacity(256);
    while bytes < target_bytes {
        buf.clear();
        let roll = rng.below(10_000);
        if roll < failures {
            let s = &samples[(planted as usize) % samples.len()];
            buf.extend_from_slice(s.as_bytes());
            buf.push(b'\n');
            planted += 1;
        } else if roll < failures + 5 {
            buf.extend_from_slice(TRAPS[(roll as usize) % TRAPS.len()].as_bytes());
            buf.push(b'\n');
        } else {
            normal_line(&mut rng, lines, &mut buf, shape);
        }
        lines += bytecount(&buf);
        bytes += buf.len() as u64;
        w.write_all(&buf)?;
    }
    w.flush()?;
    Ok((lines, planted))
}

fn bytecount(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

/// Runs a command `runs` times; returns the best wall seconds, its peak RSS (KiB) and stdout.
fn run_best(cmd: &[&str], runs: usize) -> (f64, Option<u64>, String) {
    let time = Path::new("/usr/bin/time").exists();
    let mut best: Option<(f64, Option<u64>, String)> = None;
    for _ in 0..runs {
        let mut c = if time {
            let mut c = Command::new("/usr/bin/time");
            c.arg("-f").arg("HEALDECK_RSS_KB=%M").args(cmd);
            c
        } else {
            let mut c = Command::new(cmd[0]);
            c.args(&cmd[1..]);
            c
        };
        let start = Instant::now();
        let out = match c.stdout(Stdio::piped()).stderr(Stdio::piped()).output() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("cannot run {}: {e}", cmd[0]);
                std::process::exit(2);
            }
        };
        let secs = start.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // `/usr/bin/time` exits 127 when the command is not installed: a peer that did not
        // run must not be reported as one that took a millisecond.
        if out.status.code() == Some(127) {
            eprintln!("cannot run {}: {}", cmd[0], stderr.trim());
            std::process::exit(2);
        }
        let rss = stderr
            .lines()
            .find_map(|l| l.strip_prefix("HEALDECK_RSS_KB="))
            .and_then(|v| v.trim().parse().ok());
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if best.as_ref().is_none_or(|b| secs < b.0) {
            best = Some((secs, rss, stdout));
        }
    }
    best.unwrap_or((f64::NAN, None, String::new()))
}

/// ripgrep's inputs: every rule pattern, and (a second, tougher peer) only the literal
/// keywords of healdeck's own prefilter — the cheapest possible first pass. Returns the two
/// files and the keyword count.
fn peer_inputs(dir: &std::path::Path, rules: &RuleSet) -> (PathBuf, PathBuf, usize) {
    let patterns = dir.join("patterns.txt");
    // ripgrep joins -f patterns with `|`: capture names would collide and a `(?i)` would leak
    // into later patterns, so names are dropped and each pattern gets its own group.
    let unname = regex::Regex::new(r"\(\?P<\w+>").expect("constant regex");
    let pat: String = rules
        .rules
        .iter()
        .map(|r| {
            let pattern = unname.replace_all(&r.spec.pattern, "(?:");
            format!("(?:{})\n", line_mode(&pattern))
        })
        .collect();
    std::fs::write(&patterns, pat).expect("write the patterns file");
    let keywords = dir.join("keywords.txt");
    let prefilter = healdeck_engine::prefilter::Prefilter::new(rules);
    // One literal per line: the line filter's `error\n`-style forms cannot be written so, and
    // ripgrep sees no newline inside a line anyway.
    let words: Vec<&str> = prefilter
        .words
        .iter()
        .map(String::as_str)
        .filter(|w| !w.contains(['\n', '\r']))
        .collect();
    std::fs::write(&keywords, words.join("\n") + "\n").expect("write the keywords");
    (patterns, keywords, words.len())
}

/// A rule pattern as ripgrep's line mode accepts it: a `\n` outside a character class (the
/// optional second line of a logcat crash) becomes `$`, since no match crosses a line there.
fn line_mode(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let (mut in_class, mut chars) = (false, pattern.chars());
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next();
                if next == Some('n') && !in_class {
                    out.push('$');
                } else {
                    out.push('\\');
                    out.extend(next);
                }
            }
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` probe harness=false targets.
    }
    let mib: u64 = std::env::var("HEALDECK_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-throughput");
    std::fs::create_dir_all(&dir).ok();
    let (rules, _) = RuleSet::builtin();
    let samples: Vec<String> = rules
        .rules
        .iter()
        .flat_map(|r| r.spec.samples.iter().map(|s| s.text.clone()))
        .collect();
    let peers = peer_inputs(&dir, &rules);
    startup(&dir, &peers.0);
    // The same log twice: ASCII, and with a non-ASCII name on every ordinary line. ripgrep
    // reads the second at well under 1 MB/s (its patterns' `\b` are Unicode too), so that one
    // is at most 64 MiB and ripgrep runs on it once.
    let shapes = [
        Shape::Clean,
        Shape::Warn,
        Shape::Benign,
        Shape::Failures,
        Shape::Utf8,
    ];
    // `HEALDECK_BENCH_SHAPES=ascii,failures20pct` runs only the named shapes.
    let only = std::env::var("HEALDECK_BENCH_SHAPES").ok();
    let chosen = |shape: Shape| {
        only.as_deref()
            .is_none_or(|list| list.split(',').any(|n| n.trim() == shape.name()))
    };
    for shape in shapes.into_iter().filter(|s| chosen(*s)) {
        let utf8 = shape == Shape::Utf8;
        let mib = if utf8 { mib.min(64) } else { mib };
        let log = dir.join(format!("mixed-{mib}MiB-{}.log", shape.name()));
        if !log.exists() {
            eprintln!("generating {} ...", log.display());
            match generate(&log, mib << 20, &samples, shape) {
                Ok((lines, planted)) => {
                    eprintln!("{lines} lines, {planted} planted failure events")
                }
                Err(e) => {
                    eprintln!("cannot write {}: {e}", log.display());
                    std::process::exit(2);
                }
            }
        }
        measure(&log, &peers, if utf8 { 1 } else { 3 });
    }
}

/// Start-up: an empty file, the rules loaded — what cron, CI and the window's first scan pay
/// on every run. Median of 21 runs each of `healdeck diagnose` and `rg -c -f PATTERNS`.
fn startup(dir: &Path, patterns: &Path) {
    let empty = dir.join("empty.log");
    std::fs::write(&empty, b"").expect("write the empty log");
    let empty_s = empty.to_string_lossy().to_string();
    let pat_s = patterns.to_string_lossy().to_string();
    let median = |cmd: &[&str]| {
        let mut times: Vec<f64> = (0..21).map(|_| run_best(cmd, 1).0).collect();
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let bin = env!("CARGO_BIN_EXE_healdeck");
    let hd = median(&[bin, "diagnose", "--no-user-rules", &empty_s]);
    let rg = median(&["rg", "-c", "-f", &pat_s, &empty_s]);
    println!(
        "start-up (empty file, rules loaded; median of 21): healdeck diagnose {:.1} ms, \
         rg -c -f PATTERNS {:.1} ms",
        hd * 1000.0,
        rg * 1000.0
    );
}

/// healdeck diagnose, `rg -c -f PATTERNS` (best of `rg_runs`) and `rg -c -i -F -f KEYWORDS`
/// on one log.
fn measure(
    log: &Path,
    (patterns, keywords, keyword_count): &(PathBuf, PathBuf, usize),
    rg_runs: usize,
) {
    let size = std::fs::metadata(log).map(|m| m.len()).unwrap_or(0);
    let log_s = log.to_string_lossy().to_string();
    let pat_s = patterns.to_string_lossy().to_string();
    let bin = env!("CARGO_BIN_EXE_healdeck");
    // Warm the page cache once (a failure shows up in the runs below).
    let _ = std::fs::read(log).map(|b| b.len());
    let (hd_s, hd_rss, hd_out) = run_best(
        &[
            bin,
            "diagnose",
            "--no-user-rules",
            "--format",
            "json",
            &log_s,
        ],
        3,
    );
    // `HEALDECK_BENCH_RG=0` leaves out ripgrep on the rule patterns (a minute per 256 MiB).
    let rg_runs = if std::env::var("HEALDECK_BENCH_RG").is_ok_and(|v| v == "0") {
        0
    } else {
        rg_runs
    };
    let rg = (rg_runs > 0).then(|| run_best(&["rg", "-c", "-f", &pat_s, &log_s], rg_runs));
    let kw_s = keywords.to_string_lossy().to_string();
    let (kw_t, kw_rss, kw_out) = run_best(&["rg", "-c", "-i", "-F", "-f", &kw_s, &log_s], 3);
    let issues = serde_json::from_str::<serde_json::Value>(&hd_out)
        .ok()
        .and_then(|v| {
            v["issues"].as_array().map(|a| {
                (
                    a.len(),
                    a.iter()
                        .map(|i| i["count"].as_u64().unwrap_or(0))
                        .sum::<u64>(),
                )
            })
        });
    let mb = size as f64 / 1e6;
    let rss = |r: Option<u64>| {
        r.map_or("n/a".to_string(), |k| {
            format!("{:.1} MB", k as f64 / 1024.0)
        })
    };
    println!();
    println!("file: {} ({mb:.0} MB)", log.display());
    println!(
        "healdeck diagnose: {hd_s:.3} s  {:.0} MB/s  peak RSS {}  issues {:?} (distinct, occurrences)",
        mb / hd_s,
        rss(hd_rss),
        issues
    );
    if let Some((rg_s, rg_rss, rg_out)) = &rg {
        println!(
            "rg -c -f PATTERNS: {rg_s:.3} s  {:.0} MB/s  peak RSS {}  matching lines {}",
            mb / rg_s,
            rss(*rg_rss),
            rg_out.trim()
        );
    }
    println!(
        "rg -c -i -F -f KEYWORDS ({} literals): {kw_t:.3} s  {:.0} MB/s  peak RSS {}  matching lines {}",
        keyword_count,
        mb / kw_t,
        rss(kw_rss),
        kw_out.trim()
    );
    // lnav (Debian's package) indexing the same file headless: the count forces every line
    // through its format detection and index.
    let lnav_query = ";SELECT count(*) FROM all_logs";
    if Command::new("lnav").arg("-V").output().is_ok() {
        let (ln_s, ln_rss, _) = run_best(&["lnav", "-n", "-c", lnav_query, &log_s], 3);
        println!(
            "lnav -n (indexing): {ln_s:.3} s  {:.0} MB/s  peak RSS {}",
            mb / ln_s,
            rss(ln_rss)
        );
        println!("ratio: healdeck is {:.2}x lnav's throughput", ln_s / hd_s);
    }
    if let Some((rg_s, _, _)) = &rg {
        println!(
            "ratio: healdeck is {:.2}x ripgrep's throughput (rule patterns)",
            rg_s / hd_s
        );
    }
    println!(
        "ratio: healdeck is {:.2}x ripgrep's throughput (literal keywords only)",
        kw_t / hd_s
    );
}
