//! The template miner against the standard log-parsing benchmark and against Drain3.
//!
//! Accuracy: grouping accuracy (GA, as Loghub's evaluator computes it) on the 16 Loghub-2k
//! datasets with the corrected Loghub-2.0 ground truth, one set of parameters for all. The
//! data is not part of healdeck (its licence asks for attribution, not redistribution): fetch
//! it with `scripts/fetch-loghub.sh` (into `target/loghub-2k`) or point `LOGHUB_2K` at a copy.
//!
//! Speed: the 16 datasets' messages repeated into one stream, mined by healdeck and by Drain3
//! (`pip install drain3` into `target/tmp/drain3-venv`, made here the first time) on the same
//! file in the same run; `HEALDECK_BENCH_REPEAT` sets the repeats (default 40: 1,280,000
//! lines). healdeck is timed on one core (`Miner::add`, line by line) and on every core
//! (`Miner::add_lines`: the text's lines shaped on every core, placed in order), best of three.
//!
//! `cargo bench -p healdeck-engine --bench patterns`

use healdeck_engine::patterns::{Miner, MinerOptions, TemplateId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const DATASETS: [&str; 16] = [
    "Android",
    "Apache",
    "BGL",
    "Hadoop",
    "HDFS",
    "HealthApp",
    "HPC",
    "Linux",
    "Mac",
    "OpenSSH",
    "OpenStack",
    "Proxifier",
    "Spark",
    "Thunderbird",
    "Windows",
    "Zookeeper",
];

/// The rows of a CSV file (RFC 4180: quoted fields, doubled quotes, commas and newlines
/// inside quotes).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// (content, ground-truth template) of each message of a dataset.
fn dataset(root: &Path, name: &str) -> Option<Vec<(String, String)>> {
    let file = root
        .join(name)
        .join(format!("{name}_2k.log_structured_corrected.csv"));
    let text = std::fs::read_to_string(&file).ok()?;
    let rows = csv_rows(&text);
    let header = rows.first()?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let (content, template) = (col("Content")?, col("EventTemplate")?);
    Some(
        rows[1..]
            .iter()
            .filter(|r| r.len() > content.max(template))
            .map(|r| (r[content].clone(), r[template].clone()))
            .collect(),
    )
}

/// Loghub's grouping accuracy: a ground-truth group counts when all its messages got one
/// predicted group and that predicted group holds exactly them.
fn grouping_accuracy(truth: &[String], predicted: &[String]) -> f64 {
    let mut predicted_sizes: HashMap<&str, usize> = HashMap::new();
    for p in predicted {
        *predicted_sizes.entry(p).or_default() += 1;
    }
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in truth.iter().enumerate() {
        groups.entry(t).or_default().push(i);
    }
    let mut correct = 0;
    for members in groups.values() {
        let first = &predicted[members[0]];
        if members.iter().all(|&i| predicted[i] == *first)
            && predicted_sizes.get(first.as_str()) == Some(&members.len())
        {
            correct += members.len();
        }
    }
    correct as f64 / truth.len().max(1) as f64
}

/// Each ground-truth group the miner got wrong: its template, and the templates (with counts)
/// its messages went to (`HEALDECK_BENCH_EXPLAIN=Dataset`).
fn explain(rows: &[(String, String)], truth: &[String], ours: &[String], miner: &Miner) {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in truth.iter().enumerate() {
        groups.entry(t).or_default().push(i);
    }
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for p in ours {
        *sizes.entry(p).or_default() += 1;
    }
    for (t, members) in groups {
        let mut got: HashMap<&str, usize> = HashMap::new();
        for &i in &members {
            *got.entry(ours[i].as_str()).or_default() += 1;
        }
        let ok = got.len() == 1 && got.keys().all(|p| sizes[p] == members.len());
        if ok {
            continue;
        }
        println!(
            "TRUTH ({}) {t}\n  e.g. {}",
            members.len(),
            rows[members[0]].0
        );
        for (p, n) in got {
            let text = p
                .parse()
                .ok()
                .and_then(|id| miner.text(id))
                .unwrap_or_default();
            println!("  -> {n}/{} {text}", sizes[p]);
        }
    }
}

/// A venv with drain3, made the first time; `None` (said why) when PyPI cannot be reached.
fn drain3_python() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tmp/drain3-venv");
    let python = venv.join("bin").join("python");
    if !python.exists() {
        let made = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status();
        let installed = made.is_ok_and(|s| s.success())
            && Command::new(&python)
                .args(["-m", "pip", "install", "-q", "drain3"])
                .status()
                .is_ok_and(|s| s.success());
        if !installed {
            eprintln!("drain3 could not be installed: Drain3 columns left out");
            return None;
        }
    }
    Some(python)
}

/// Drain3 (its defaults: depth 4, sim_th 0.4, max_children 100, no masking) over the lines of
/// `file`: (cluster id per line, seconds spent mining, as Drain3's own loop measures it).
fn drain3(python: &Path, file: &Path) -> Option<(Vec<String>, f64)> {
    let script = r#"
import sys, time, logging
logging.disable(logging.CRITICAL)
from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig
config = TemplateMinerConfig()
config.profiling_enabled = False
miner = TemplateMiner(config=config)
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
if lines and lines[-1] == '':
    lines.pop()
start = time.perf_counter()
ids = [miner.add_log_message(l)['cluster_id'] for l in lines]
spent = time.perf_counter() - start
out = sys.stdout
out.write('%f\n' % spent)
out.write('\n'.join(str(i) for i in ids))
out.write('\n')
"#;
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("drain3: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines();
    let spent: f64 = lines.next()?.parse().ok()?;
    Some((lines.map(str::to_string).collect(), spent))
}

/// The miner's options, `HEALDECK_SIM` / `HEALDECK_DEPTH` overriding the defaults (for
/// trying one setting over every dataset).
fn options() -> MinerOptions {
    let mut o = MinerOptions::default();
    if let Some(v) = std::env::var("HEALDECK_SIM")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        o.similarity = v;
    }
    if let Some(v) = std::env::var("HEALDECK_DEPTH")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        o.depth = v;
    }
    if std::env::var("HEALDECK_JOIN_WORDS").is_ok_and(|v| v == "0") {
        o.join_by_words = false;
    }
    o
}

fn main() {
    let root = std::env::var_os("LOGHUB_2K").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/loghub-2k"),
        PathBuf::from,
    );
    let python = if std::env::var_os("HEALDECK_BENCH_NO_DRAIN3").is_some() {
        None
    } else {
        drain3_python()
    };
    let tmp = tempfile::tempdir().expect("tmp");
    println!(
        "grouping accuracy, Loghub-2k with the corrected Loghub-2.0 ground truth ({})",
        root.display()
    );
    println!("| dataset | templates (truth) | healdeck GA | Drain3 GA |");
    println!("|---|---:|---:|---:|");
    let (mut sum, mut sum3, mut n) = (0.0, 0.0, 0);
    let mut all_messages = Vec::new();
    for name in DATASETS {
        let Some(rows) = dataset(&root, name) else {
            println!("| {name} | missing: run scripts/fetch-loghub.sh | | |");
            continue;
        };
        let truth: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
        let mut miner = Miner::new(options());
        let ours: Vec<String> = rows.iter().map(|r| miner.add(&r.0).to_string()).collect();
        let ga = grouping_accuracy(&truth, &ours);
        if std::env::var("HEALDECK_BENCH_EXPLAIN").is_ok_and(|d| d == name) {
            explain(&rows, &truth, &ours, &miner);
        }
        let file = tmp.path().join(format!("{name}.txt"));
        let contents: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        std::fs::write(&file, contents.join("\n") + "\n").expect("write");
        let ga3 = python
            .as_deref()
            .and_then(|p| drain3(p, &file))
            .map(|(ids, _)| grouping_accuracy(&truth, &ids));
        let distinct: std::collections::HashSet<&String> = truth.iter().collect();
        println!(
            "| {name} | {} | {ga:.3} | {} |",
            distinct.len(),
            ga3.map_or("—".to_string(), |g| format!("{g:.3}"))
        );
        sum += ga;
        sum3 += ga3.unwrap_or(0.0);
        n += 1;
        all_messages.extend(rows.into_iter().map(|r| r.0));
    }
    if n == 0 {
        return;
    }
    println!(
        "| **average** | | **{:.3}** | {} |",
        sum / n as f64,
        if python.is_some() {
            format!("{:.3}", sum3 / n as f64)
        } else {
            "—".into()
        }
    );
    speed(&all_messages, python.as_deref(), tmp.path());
}

/// Mines the messages repeated into one stream, by healdeck and by Drain3, on the same file.
fn speed(messages: &[String], python: Option<&Path>, tmp: &Path) {
    let repeat: usize = std::env::var("HEALDECK_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let mut stream = String::new();
    for _ in 0..repeat {
        for m in messages {
            stream.push_str(m);
            stream.push('\n');
        }
    }
    let file = tmp.join("stream.txt");
    std::fs::write(&file, &stream).expect("write");
    let lines = messages.len() * repeat;
    let text = std::fs::read_to_string(&file).expect("read");
    // Best of three, each with a new miner: the first run also warms the caches.
    let best = |mine: &dyn Fn() -> (usize, TemplateId)| {
        (0..3)
            .map(|_| {
                let started = Instant::now();
                let (templates, last) = mine();
                (started.elapsed().as_secs_f64(), templates, last)
            })
            .fold((f64::MAX, 0, 0), |a, b| if b.0 < a.0 { b } else { a })
    };
    let (ours, templates, last) = best(&|| {
        let mut miner = Miner::new(MinerOptions::default());
        let mut last = 0;
        for line in text.lines() {
            last = miner.add(line);
        }
        (miner.len(), last)
    });
    println!(
        "\nspeed on {lines} lines ({:.1} MB), best of 3: healdeck on one core {ours:.3} s = {:.2} M lines/s, {templates} templates (last id {last})",
        stream.len() as f64 / 1e6,
        lines as f64 / ours / 1e6,
    );
    let (parallel, templates, last) = best(&|| {
        let mut miner = Miner::new(MinerOptions::default());
        let ids = miner.add_lines(&text);
        (miner.len(), ids.last().copied().unwrap_or(0))
    });
    println!(
        "healdeck on every core ({} threads) {parallel:.3} s = {:.2} M lines/s, {templates} templates (last id {last})",
        std::thread::available_parallelism().map_or(1, usize::from),
        lines as f64 / parallel / 1e6,
    );
    if let Some((_, spent)) = python.and_then(|p| drain3(p, &file)) {
        println!(
            "Drain3 {spent:.2} s = {:.0} lines/s; healdeck is {:.0}× faster on one core, {:.0}× on every core",
            lines as f64 / spent,
            spent / ours,
            spent / parallel
        );
    }
}
