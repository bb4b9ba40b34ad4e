//! The `healdeck diagnose` and `healdeck rules` commands, run as a user runs them: the real
//! binary in a fresh temp folder per test, with its own config folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn healdeck(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .args(args)
        .current_dir(dir)
        .env("HEALDECK_CONFIG_DIR", dir.join("config"))
        .env("HEALDECK_DATA_DIR", dir.join("data"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run healdeck")
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(path, bytes).expect("write");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gz");
    enc.finish().expect("gz")
}

const MODULE: &str = "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n    import yaml\nModuleNotFoundError: No module named 'yaml'\n";

fn rules_of(v: &serde_json::Value) -> Vec<String> {
    let mut r: Vec<String> = v["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| i["rule"].as_str().unwrap_or("unknown").to_string())
        .collect();
    r.sort();
    r
}

#[test]
fn folders_are_walked_for_logs_rotations_and_gzip() {
    let t = tempfile::tempdir().expect("tmp");
    let d = t.path().join("logs");
    write(&d.join("app.log"), MODULE.as_bytes());
    write(
        &d.join("sub/deeper/worker.out"),
        b"INFO ok\nError: connect ECONNREFUSED 127.0.0.1:6379\n",
    );
    write(
        &d.join("app.log.1"),
        b"OSError: [Errno 28] No space left on device\n",
    );
    write(&d.join("old/app.log.2.gz"), &gzip(b"INFO x\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n"));
    write(
        &d.join("job.err"),
        b"PermissionError: [Errno 13] Permission denied: '/srv/x'\n",
    );
    write(&d.join("notes.md"), b"ERROR this is not a log file\n");
    write(&d.join("data.json"), b"{\"level\":\"error\"}\n");
    let out = healdeck(t.path(), &["diagnose", "--format", "json", "logs"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    assert_eq!(v["scanned"]["files"], 5);
    assert_eq!(
        rules_of(&v),
        vec![
            "disk.full",
            "node.heap_oom",
            "os.permission_denied",
            "python.module_not_found",
            "redis.unreachable"
        ]
    );
    let srcs: Vec<&str> = v["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| i["occurrences"][0]["source"].as_str().expect("source"))
        .collect();
    assert!(srcs.iter().any(|s| s.ends_with("app.log.2.gz")), "{srcs:?}");
}

#[test]
fn hostile_bytes_do_not_panic_and_lines_stay_right() {
    let t = tempfile::tempdir().expect("tmp");
    let mut bytes = b"INFO start\r\nERROR \xff\xfe\x00 bad bytes\r\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 1_100_000));
    bytes.extend_from_slice(b"\r\nINFO after the long line\r\n");
    bytes.extend_from_slice(MODULE.replace('\n', "\r\n").as_bytes());
    write(&t.path().join("weird.log"), &bytes);
    let out = healdeck(t.path(), &["diagnose", "--format", "json", "weird.log"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_eq!(v["scanned"]["lines"], 8);
    let issues = v["issues"].as_array().expect("issues");
    let module = issues
        .iter()
        .find(|i| i["rule"] == "python.module_not_found")
        .expect("traceback after the 1 MB line");
    assert_eq!(module["occurrences"][0]["line"], 5);
    assert_eq!(module["occurrences"][0]["end_line"], 8);
    assert!(!module["excerpt"].as_str().expect("excerpt").contains('\r'));
    let bad = issues
        .iter()
        .find(|i| i["category"] == "unknown")
        .expect("ERROR line");
    assert_eq!(bad["occurrences"][0]["line"], 2);
    assert!(
        bad["excerpt"]
            .as_str()
            .expect("excerpt")
            .contains('\u{fffd}')
    );
}

#[test]
fn unreadable_file_is_named_and_the_rest_scanned() {
    let t = tempfile::tempdir().expect("tmp");
    write(&t.path().join("good.log"), MODULE.as_bytes());
    let mut corrupt = gzip(b"ERROR one\nERROR two\n");
    corrupt.truncate(corrupt.len() / 2);
    write(&t.path().join("broken.log.gz"), &corrupt);
    let out = healdeck(
        t.path(),
        &[
            "diagnose",
            "--format",
            "json",
            "good.log",
            "broken.log.gz",
            "missing.log",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.log.gz"), "{stderr}");
    assert!(stderr.contains("missing.log"), "{stderr}");
    let v = json_of(&out);
    assert_eq!(rules_of(&v), vec!["python.module_not_found"]);
    let errs: Vec<&str> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["path"].as_str().expect("path"))
        .collect();
    assert_eq!(errs.len(), 2, "{errs:?}");
}

#[test]
fn nothing_usable_exits_2_with_a_message() {
    let t = tempfile::tempdir().expect("tmp");
    let out = healdeck(t.path(), &["diagnose", "nope.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.log"));
    let out = healdeck(t.path(), &["diagnose", "--format", "yaml", "x.log"]);
    assert_eq!(out.status.code(), Some(2));
    let out = healdeck(t.path(), &["diagnose", "--fail-on", "urgent", "x.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("urgent"));
}

#[test]
fn fail_on_sets_exit_status_for_cron() {
    let t = tempfile::tempdir().expect("tmp");
    write(&t.path().join("a.log"), MODULE.as_bytes()); // high
    assert_eq!(
        healdeck(t.path(), &["diagnose", "a.log"]).status.code(),
        Some(0)
    );
    let hit = healdeck(t.path(), &["diagnose", "--fail-on", "high", "a.log"]);
    assert_eq!(hit.status.code(), Some(1));
    let miss = healdeck(t.path(), &["diagnose", "--fail-on", "critical", "a.log"]);
    assert_eq!(miss.status.code(), Some(0));
}

#[test]
fn repeats_group_and_fingerprints_are_stable() {
    let t = tempfile::tempdir().expect("tmp");
    let mut log = String::new();
    for i in 0..5 {
        log.push_str(&format!(
            "2024-01-0{} 10:00:0{i} ERROR [req 8f14e45f-ceea-467f-a0e8-2c5e2d7b1c1{i}] worker {i} at 0x7f00{i}: \nModuleNotFoundError: No module named 'yaml'\n",
            i + 1
        ));
    }
    log.push_str("ModuleNotFoundError: No module named 'cv2'\n");
    write(&t.path().join("r.log"), log.as_bytes());
    let a = json_of(&healdeck(
        t.path(),
        &["diagnose", "--format", "json", "r.log"],
    ));
    let b = json_of(&healdeck(
        t.path(),
        &["diagnose", "--format", "json", "r.log"],
    ));
    let issues = a["issues"].as_array().expect("issues");
    assert_eq!(issues.len(), 2, "{issues:#?}");
    let yaml = issues
        .iter()
        .find(|i| i["captures"]["module"] == "yaml")
        .expect("yaml");
    assert_eq!(yaml["count"], 5);
    assert_eq!(yaml["first_seen"], "2024-01-01T10:00:00");
    assert_eq!(yaml["last_seen"], "2024-01-05T10:00:04");
    assert_eq!(yaml["occurrences"].as_array().expect("occ").len(), 5);
    assert_eq!(yaml["occurrences"][1]["line"], 3);
    let fps = |v: &serde_json::Value| -> Vec<String> {
        v["issues"]
            .as_array()
            .expect("i")
            .iter()
            .map(|i| i["fingerprint"].to_string())
            .collect()
    };
    assert_eq!(fps(&a), fps(&b));
}

#[test]
fn json_has_the_documented_shape_worst_first() {
    let t = tempfile::tempdir().expect("tmp");
    let log = format!(
        "{MODULE}thread 'main' panicked at src/main.rs:4:5:\nboom\n10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] \"GET /favicon.ico HTTP/1.1\" 404 1 \"-\" \"x\"\n"
    );
    write(&t.path().join("a.log"), log.as_bytes());
    let v = json_of(&healdeck(
        t.path(),
        &["diagnose", "--format", "json", "a.log"],
    ));
    assert_eq!(v["healdeck"], env!("CARGO_PKG_VERSION"));
    for k in ["files", "bytes", "lines", "seconds"] {
        assert!(v["scanned"][k].is_number(), "scanned.{k}");
    }
    let issues = v["issues"].as_array().expect("issues");
    let sev: Vec<&str> = issues
        .iter()
        .map(|i| i["severity"].as_str().expect("s"))
        .collect();
    assert_eq!(sev, vec!["critical", "high", "low"]);
    let cats = [
        "dependency",
        "import",
        "syntax",
        "type",
        "file_not_found",
        "permission",
        "network",
        "database",
        "auth",
        "http",
        "resource_memory",
        "resource_disk",
        "gpu",
        "config",
        "timeout",
        "runtime_panic",
        "unknown",
    ];
    for i in issues {
        for k in [
            "fingerprint",
            "title",
            "rule",
            "count",
            "excerpt",
            "root_cause",
        ] {
            assert!(!i[k].is_null(), "{k} in {i}");
        }
        assert!(cats.contains(&i["category"].as_str().expect("cat")));
        let o = &i["occurrences"][0];
        assert!(o["source"].is_string() && o["line"].is_u64() && o["end_line"].is_u64());
        assert!(o.get("timestamp").is_some());
    }
    let fix = &issues[1]["fixes"][0];
    assert_eq!(fix["kind"], "pip_install");
    assert_eq!(fix["class"], "A");
    assert_eq!(fix["module"], "yaml");
    assert!(fix["confidence"].as_f64().expect("conf") > 0.5);
}

#[test]
fn text_and_markdown_reports() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        &t.path().join("a.log"),
        format!("{MODULE}INFO ``` not a fence\n").as_bytes(),
    );
    let text = healdeck(t.path(), &["diagnose", "a.log"]);
    let s = String::from_utf8_lossy(&text.stdout);
    assert!(
        s.contains("HIGH") && s.contains("Python module 'yaml' is not installed"),
        "{s}"
    );
    assert!(
        !s.contains("\x1b["),
        "no color when NO_COLOR / not a terminal"
    );
    let colored = healdeck(t.path(), &["diagnose", "--color", "always", "a.log"]);
    assert!(String::from_utf8_lossy(&colored.stdout).contains("\x1b["));
    let md = healdeck(t.path(), &["diagnose", "--format", "markdown", "a.log"]);
    let m = String::from_utf8_lossy(&md.stdout);
    assert!(m.starts_with("# healdeck report"));
    assert!(
        m.contains("| 🟠 high | Python module 'yaml' is not installed | import | 1 |"),
        "{m}"
    );
    assert!(m.contains("```text\nTraceback"), "{m}");
}

#[test]
fn rules_override_add_and_refuse_with_place() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        &t.path().join("a.log"),
        format!("{MODULE}2024-01-01 WARN payment gateway said FROBNICATE-42\n").as_bytes(),
    );
    write(
        &t.path().join("extra.json"),
        br#"{"rules": [
  {"id": "python.module_not_found", "pattern": "ModuleNotFoundError: No module named '(?P<module>[\\w.]+)'",
   "category": "import", "severity": "medium", "title": "Overridden: {module}", "root_cause": "r"},
  {"id": "acme.frobnicate", "pattern": "FROBNICATE-(?P<code>\\d+)", "category": "http",
   "severity": "low", "title": "Gateway code {code}", "root_cause": "The gateway refused.",
   "samples": [{"text": "WARN payment gateway said FROBNICATE-7", "captures": {"code": "7"}}]}
]}"#,
    );
    let v = json_of(&healdeck(
        t.path(),
        &[
            "diagnose",
            "--format",
            "json",
            "--rules",
            "extra.json",
            "a.log",
        ],
    ));
    let titles: Vec<&str> = v["issues"]
        .as_array()
        .expect("i")
        .iter()
        .map(|i| i["title"].as_str().expect("t"))
        .collect();
    assert_eq!(titles, vec!["Overridden: yaml", "Gateway code 42"]);

    // A broken file: named with rule id and line:column; built-ins still work; exit 0.
    write(
        &t.path().join("bad.json"),
        b"{\"rules\": [\n  {\"id\": \"ok.one\", \"pattern\": \"x\", \"category\": \"config\", \"severity\": \"low\", \"title\": \"t\", \"root_cause\": \"r\"},\n  {\"id\": \"bad.regex\",\n   \"pattern\": \"([unclosed\", \"category\": \"config\", \"severity\": \"low\", \"title\": \"t\", \"root_cause\": \"r\"}\n]}\n",
    );
    let out = healdeck(
        t.path(),
        &[
            "diagnose", "--format", "json", "--rules", "bad.json", "a.log",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.json:4:4: rule 'bad.regex': invalid regex"),
        "{err}"
    );
    let v = json_of(&out);
    assert_eq!(rules_of(&v), vec!["python.module_not_found"]);
    assert_eq!(v["rules_errors"].as_array().expect("errs").len(), 1);

    // Truncated JSON: a syntax error with its place.
    write(&t.path().join("cut.json"), b"{\"rules\": [ {\"id\": \"x\",");
    let out = healdeck(t.path(), &["rules", "--rules", "cut.json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.json:1:"), "{err}");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn user_config_folder_rules_are_read() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        &t.path().join("a.log"),
        b"2024-01-01 WARN vendor said QUUX-9\n",
    );
    write(
        &t.path().join("config/rules/mine.json"),
        br#"{"rules": [{"id": "mine.quux", "pattern": "QUUX-\\d+", "category": "config", "severity": "medium", "title": "Quux", "root_cause": "r"}]}"#,
    );
    let v = json_of(&healdeck(
        t.path(),
        &["diagnose", "--format", "json", "a.log"],
    ));
    assert_eq!(rules_of(&v), vec!["mine.quux"]);
    let v = json_of(&healdeck(
        t.path(),
        &["diagnose", "--format", "json", "--no-user-rules", "a.log"],
    ));
    assert_eq!(rules_of(&v), Vec::<String>::new());
}

#[test]
fn rules_check_runs_every_sample() {
    let t = tempfile::tempdir().expect("tmp");
    let out = healdeck(t.path(), &["rules", "--check"]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}");
    assert!(s.contains(" failed") && s.contains("0 failed"), "{s}");
    write(
        &t.path().join("wrong.json"),
        br#"{"rules": [{"id": "w.rule", "pattern": "QUUX-\\d+", "category": "config", "severity": "medium", "title": "Quux", "root_cause": "r",
            "samples": [{"text": "ERROR nothing to see"}]}]}"#,
    );
    let out = healdeck(t.path(), &["rules", "--check", "--rules", "wrong.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL rule 'w.rule'"));
}

#[test]
fn mentions_only_logs_raise_nothing() {
    let t = tempfile::tempdir().expect("tmp");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../healdeck-engine/tests/corpus");
    let out = healdeck(
        t.path(),
        &[
            "diagnose",
            "--format",
            "json",
            dir.join("clean_app.log").to_str().expect("p"),
            dir.join("pytest_output.txt").to_str().expect("p"),
        ],
    );
    assert_eq!(json_of(&out)["issues"].as_array().expect("i").len(), 0);
}

#[test]
fn selftest_runs_every_check_and_names_what_failed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = healdeck(dir.path(), &["selftest", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    assert_eq!(v["ok"], true);
    let checks = v["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), healdeck::selftest::CHECKS.len());
    assert!(checks.iter().all(|c| c["ok"] == true), "{v}");
    assert_eq!(
        v["summary"],
        format!("✅ System Operational v{}", healdeck::VERSION)
    );

    // A broken user rules file: the rules check fails naming it, the rest still runs.
    write(
        &dir.path().join("config/rules/bad.json"),
        b"{ \"rules\": [ }",
    );
    let out = healdeck(dir.path(), &["selftest"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("❌ Rules load") && text.contains("bad.json:1:"),
        "{text}"
    );
    assert!(
        text.contains("❌ 1 of 7 checks failed: Rules load"),
        "{text}"
    );
}

#[test]
fn eval_scores_the_corpus_and_names_what_it_cannot_read() {
    let t = tempfile::tempdir().expect("tmp");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../healdeck-engine/tests/corpus");
    let corpus = corpus.to_string_lossy().to_string();
    let out = healdeck(t.path(), &["eval", &corpus, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    assert!(v["recall"].as_f64().unwrap_or(0.0) >= 0.99, "{v}");
    assert!(v["false_issues"].as_u64().unwrap_or(99) <= 2, "{v}");
    assert!(v["expected"].as_u64().unwrap_or(0) >= 178, "{v}");
    // --strict: a false issue (a failure in a file that expects none) exits 1, naming it.
    let strict = t.path().join("strict");
    std::fs::create_dir_all(&strict).expect("mkdir");
    write(
        &strict.join("x.log"),
        b"2024-01-01 12:00:00 ERROR write failed: No space left on device\n",
    );
    write(
        &strict.join("expected.json"),
        b"{\"files\": {\"x.log\": []}}",
    );
    let out = healdeck(t.path(), &["eval", &strict.to_string_lossy(), "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("x.log:1"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A corpus whose manifest is broken is named, with exit 2.
    write(&t.path().join("expected.json"), b"{\"files\": [");
    let dir = t.path().to_string_lossy().to_string();
    let out = healdeck(t.path(), &["eval", &dir]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("expected.json"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
