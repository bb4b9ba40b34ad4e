//! `healdeck fix` with real tools: a real virtualenv and a real `pip install` of a wheel the
//! test builds (offline: --no-index --find-links), a real npm install of a local package, real
//! cache folders with symlinks, real lock files — and `--dry-run` proven to change nothing by
//! hashing the whole tree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(dir.path().join("project/logs")).expect("mkdir");
        Env { dir }
    }
    fn root(&self) -> &Path {
        self.dir.path()
    }
    fn p(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }
    fn write(&self, rel: &str, text: &str) {
        let p = self.p(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    fn config(&self, json: serde_json::Value) {
        self.write("config/fixer.json", &json.to_string());
    }
    fn healdeck(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_healdeck"))
            .args(args)
            .current_dir(self.root())
            .env("HEALDECK_CONFIG_DIR", self.p("config"))
            .env("HEALDECK_DATA_DIR", self.p("data"))
            .env("NO_COLOR", "1")
            .output()
            .expect("run healdeck")
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn audit(env: &Env) -> Vec<serde_json::Value> {
    std::fs::read_to_string(env.p("data/fix-audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
        .collect()
}

/// A real virtualenv at `rel`; returns its interpreter.
fn venv(env: &Env, rel: &str) -> PathBuf {
    let venv = env.p(rel);
    let ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3 -m venv");
    assert!(ok.success(), "python3 -m venv failed");
    venv.join("bin/python")
}

/// A real virtualenv, and a wheel for `healdeck_demo`.
fn venv_and_wheel(env: &Env) -> (PathBuf, PathBuf) {
    (venv(env, "venv"), wheel(env))
}

/// A wheel for `healdeck_demo` built with Python's zipfile; returns its folder.
fn wheel(env: &Env) -> PathBuf {
    let wheels = env.p("wheels");
    std::fs::create_dir_all(&wheels).expect("mkdir");
    let script = r#"
import sys, zipfile, base64, hashlib
path = sys.argv[1] + "/healdeck_demo-1.0-py3-none-any.whl"
files = {
    "healdeck_demo/__init__.py": "VALUE = 42\n",
    "healdeck_demo-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: healdeck-demo\nVersion: 1.0\n",
    "healdeck_demo-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: healdeck-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
with zipfile.ZipFile(path, "w") as z:
    for name, body in files.items():
        z.writestr(name, body)
        digest = base64.urlsafe_b64encode(hashlib.sha256(body.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(body)}")
    record.append("healdeck_demo-1.0.dist-info/RECORD,,")
    z.writestr("healdeck_demo-1.0.dist-info/RECORD", "\n".join(record) + "\n")
"#;
    let ok = Command::new("python3")
        .args(["-c", script])
        .arg(&wheels)
        .status()
        .expect("build wheel");
    assert!(ok.success());
    wheels
}

fn imports(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn fingerprint_of(out: &Output, needle: &str) -> String {
    let t = text(out);
    let line = t
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no '{needle}' in:\n{t}"));
    line.rsplit("id ").next().expect("id").trim().to_string()
}

#[test]
fn pip_install_end_to_end_with_vetting_approval_verify_retry_and_history() {
    let env = Env::new();
    let (python, wheels) = venv_and_wheel(&env);
    env.config(serde_json::json!({
        "pip_args": ["--no-index", "--find-links", wheels, "--disable-pip-version-check"],
        "cache_folders": [],
        "timeout_secs": 120
    }));
    env.write(
        "project/logs/app.log",
        "2024-05-01 10:00:00,000 ERROR worker: job failed\nTraceback (most recent call last):\n  File \"/srv/app/jobs.py\", line 1, in <module>\n    import healdeck_demo\nModuleNotFoundError: No module named 'healdeck_demo'\n",
    );
    let py = python.to_str().expect("utf8");
    assert!(!imports(&python, "healdeck_demo"));

    // Not in the vetted table and not in the project's requirements: class B, not run.
    let out = env.healdeck(&["fix", "--python", py, "project/logs"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("[B ") && t.contains("needs approval") && t.contains("typosquatting"),
        "{t}"
    );
    assert!(t.contains("Nothing to run unattended"), "{t}");
    assert!(!imports(&python, "healdeck_demo"));
    let fp = fingerprint_of(&out, "healdeck_demo' is not installed");

    // Named in requirements.txt next to the logs: vetted, class A, runs, verifies.
    env.write("project/requirements.txt", "healdeck-demo==1.0\n");
    let out = env.healdeck(&["fix", "--python", py, "project/logs"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("[A ") && t.contains("will run:") && t.contains("-m pip install"),
        "{t}"
    );
    assert!(
        t.contains("✔ verified: `import healdeck_demo` works"),
        "{t}"
    );
    assert!(
        imports(&python, "healdeck_demo"),
        "the package is really installed"
    );
    assert_audited_and_backed_up(&env, &fp);

    // A vetted package that cannot be installed: attempt recorded, next fix is advice only,
    // the issue is marked unfixable; exit 1.
    env.write(
        "project/requirements.txt",
        "healdeck-demo==1.0\nhealdeck-absent\n",
    );
    env.write(
        "project/logs/app.log",
        "ModuleNotFoundError: No module named 'healdeck_absent'\n",
    );
    let out = env.healdeck(&["fix", "--python", py, "project/logs"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("marked unfixable after 1 attempt"), "{t}");
    let last = audit(&env);
    assert_eq!(last.last().expect("entry")["phase"], "unfixable");
    let failed = last
        .iter()
        .find(|e| e["result"] == "failed")
        .expect("a failed attempt");
    assert!(
        failed["argv"]
            .as_array()
            .expect("argv")
            .iter()
            .any(|a| a == "healdeck_absent"),
        "{failed}"
    );
    assert_ne!(failed["exit_status"], 0);

    assert_history_stats_and_prompt(&env, py);
}

/// The successful install left a start and an end entry, the argv, and a backup.
fn assert_audited_and_backed_up(env: &Env, fp: &str) {
    let entries = audit(env);
    let phases: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["phase"].as_str().expect("phase"),
                e["result"].as_str().expect("result"),
            )
        })
        .collect();
    assert_eq!(phases, vec![("start", "running"), ("end", "fixed")]);
    let end = &entries[1];
    assert_eq!(end["fingerprint"], fp);
    assert_eq!(end["exit_status"], 0);
    assert!(
        end["argv"]
            .as_array()
            .expect("argv")
            .iter()
            .any(|a| a == "healdeck_demo")
    );
    let backup = end["backup"].as_str().expect("backup id");
    assert!(
        env.p(&format!("data/backups/{backup}/pip-freeze-before.txt"))
            .exists()
    );
}

/// History, stats, and the prompt shows the failed attempt.
fn assert_history_stats_and_prompt(env: &Env, py: &str) {
    let h = text(&env.healdeck(&["fix", "--history"]));
    assert!(
        h.contains("pip_install")
            && h.contains("→ fixed")
            && h.contains("→ failed")
            && h.contains("marked unfixable"),
        "{h}"
    );
    let s = text(&env.healdeck(&["fix", "--stats"]));
    assert!(
        s.contains("fixed: 1") && s.contains("unfixable: 1") && s.contains("success rate: 50%"),
        "{s}"
    );
    let p = env.healdeck(&["prompt", "--python", py, "project/logs"]);
    let pt = String::from_utf8_lossy(&p.stdout);
    assert!(
        pt.contains("## Fixes already tried") && pt.contains("→ failed"),
        "{pt}"
    );
}

fn hash_tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(root)
                .expect("under root")
                .display()
                .to_string();
            let meta = std::fs::symlink_metadata(&p).expect("meta");
            if meta.file_type().is_symlink() {
                out.insert(
                    rel,
                    format!("link:{}", std::fs::read_link(&p).expect("link").display()),
                );
            } else if meta.is_dir() {
                out.insert(rel.clone(), "dir".into());
                walk(root, &p, out);
            } else {
                let bytes = std::fs::read(&p).expect("read");
                let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                    (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
                });
                out.insert(rel, format!("{h:x}:{}", bytes.len()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn dry_run_changes_nothing_at_all() {
    let env = Env::new();
    env.write("cache/blob.bin", "cached");
    env.config(
        serde_json::json!({"cache_folders": [env.p("cache")], "services": {"app": ["true"]}}),
    );
    env.write(
        "project/logs/app.log",
        "OSError: [Errno 28] No space left on device\nModuleNotFoundError: No module named 'yaml'\n2024/01/15 10:23:45 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"x\"\n",
    );
    let before = hash_tree(env.root());
    let out = env.healdeck(&[
        "fix",
        "--dry-run",
        "--approve",
        "0000000000000000",
        "project/logs",
    ]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("dry run: nothing will change") && t.contains("will run:"),
        "{t}"
    );
    assert_eq!(
        hash_tree(env.root()),
        before,
        "the tree changed during --dry-run"
    );
    assert!(!env.p("data").exists());
}

#[test]
fn clear_cache_backs_up_without_following_symlinks_and_restores() {
    let env = Env::new();
    env.write("outside/precious.txt", "do not touch");
    env.write("cache/a.bin", "A");
    env.write("cache/sub/b.bin", "B");
    std::os::unix::fs::symlink(env.p("outside"), env.p("cache/link-out")).expect("symlink");
    env.config(serde_json::json!({"cache_folders": [env.p("cache")]}));
    env.write(
        "project/logs/app.log",
        "OSError: [Errno 28] No space left on device: '/var/cache/x'\n",
    );
    let out = env.healdeck(&["fix", "project/logs"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("moved 3 entries") && t.contains("✔ verified"),
        "{t}"
    );
    assert_eq!(std::fs::read_dir(env.p("cache")).expect("cache").count(), 0);
    assert_eq!(
        std::fs::read_to_string(env.p("outside/precious.txt")).expect("kept"),
        "do not touch"
    );
    let id = audit(&env)[1]["backup"]
        .as_str()
        .expect("backup")
        .to_string();
    let r = env.healdeck(&["fix", "--restore", &id]);
    assert_eq!(r.status.code(), Some(0), "{}", text(&r));
    assert_eq!(
        std::fs::read_to_string(env.p("cache/sub/b.bin")).expect("back"),
        "B"
    );
    assert!(
        std::fs::symlink_metadata(env.p("cache/link-out"))
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        env.healdeck(&["fix", "--restore", "no-such-id"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn one_fixer_at_a_time_limits_and_timeouts() {
    let env = Env::new();
    env.write("cache/a", "x");
    env.config(serde_json::json!({
        "cache_folders": [env.p("cache")],
        "max_fixes_per_run": 1,
        "timeout_secs": 1,
        "services": {"app": ["sleep", "10"]}
    }));
    env.write(
        "project/logs/app.log",
        "OSError: [Errno 28] No space left on device\nwrite failed: Disk quota exceeded\n",
    );
    // A live process holds the lock.
    std::fs::create_dir_all(env.p("data")).expect("mkdir");
    std::fs::write(env.p("data/fix.lock"), std::process::id().to_string()).expect("lock");
    let out = env.healdeck(&["fix", "project/logs"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("another healdeck fix is running"));
    std::fs::remove_file(env.p("data/fix.lock")).expect("unlock");
    // Two issues, a limit of one action.
    let out = env.healdeck(&["fix", "project/logs"]);
    let t = text(&out);
    assert!(t.contains("limit of 1 action(s) per run"), "{t}");
    assert_eq!(
        audit(&env).iter().filter(|e| e["phase"] == "end").count(),
        1
    );
    assert!(!env.p("data/fix.lock").exists(), "the lock is released");

    // A configured service restart (class B, approved) that outlives its time limit.
    env.write(
        "project/logs/app.log",
        "2024/01/15 10:23:45 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"x\"\n",
    );
    let plan = env.healdeck(&["fix", "--dry-run", "project/logs"]);
    let fp = fingerprint_of(&plan, "nginx cannot reach");
    let t0 = std::time::Instant::now();
    let out = env.healdeck(&["fix", "--approve", &fp, "project/logs"]);
    let t = text(&out);
    assert!(t0.elapsed().as_secs() < 8, "the time limit stopped it");
    assert!(t.contains("timed out"), "{t}");
    assert_eq!(
        audit(&env)
            .iter()
            .filter(|e| e["result"] == "timed_out")
            .count(),
        1
    );
}

#[test]
fn npm_install_restores_a_declared_package() {
    if Command::new("npm").arg("--version").output().is_err() {
        eprintln!("npm is not installed; skipping");
        return;
    }
    let env = Env::new();
    env.write(
        "project/local-dep/package.json",
        r#"{"name":"healdeck-local-dep","version":"1.0.0","main":"index.js"}"#,
    );
    env.write("project/local-dep/index.js", "module.exports = 42;\n");
    env.write("project/package.json", r#"{"name":"app","version":"1.0.0","dependencies":{"healdeck-local-dep":"file:./local-dep"}}"#);
    env.config(serde_json::json!({"npm_args": ["--offline", "--no-audit", "--no-fund"], "cache_folders": [], "timeout_secs": 120}));
    env.write(
        "project/logs/server.log",
        "Error: Cannot find module 'healdeck-local-dep'\nRequire stack:\n- /app/server.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1077:15)\n",
    );
    let out = env.healdeck(&["fix", "project/logs"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("npm install --offline --no-audit --no-fund (in"),
        "{t}"
    );
    assert!(
        t.contains("✔ verified: `healdeck-local-dep` resolves"),
        "{t}"
    );
    assert!(env.p("project/node_modules/healdeck-local-dep").exists());
}

#[test]
fn bad_settings_are_named() {
    let env = Env::new();
    env.write("config/fixer.json", r#"{"max_fixes_per_run": 7}"#);
    env.write(
        "project/logs/app.log",
        "ModuleNotFoundError: No module named 'yaml'\n",
    );
    let out = env.healdeck(&["fix", "project/logs"]);
    assert_eq!(out.status.code(), Some(2));
    let t = text(&out);
    assert!(
        t.contains("fixer.json") && t.contains("max_fixes_per_run is 7"),
        "{t}"
    );
}

/// Runs `argv` in `dir` and writes what it printed to `log` (a real failing application).
fn run_into_log(env: &Env, argv: &[&Path], log: &str) {
    let out = Command::new(argv[0])
        .args(&argv[1..])
        .current_dir(env.root())
        .output()
        .expect("run the application");
    assert!(!out.status.success(), "the application should fail");
    env.write(log, &text(&out));
}

#[test]
fn each_fix_lands_in_the_interpreter_that_failed() {
    let env = Env::new();
    let wheels = wheel(&env);
    let py_a = venv(&env, "a/venv");
    let py_b = venv(&env, "b/.venv");
    env.config(serde_json::json!({
        "pip_args": ["--no-index", "--find-links", wheels, "--disable-pip-version-check"],
        "cache_folders": [],
        "timeout_secs": 120
    }));
    for app in ["a", "b", "c"] {
        env.write(&format!("{app}/requirements.txt"), "healdeck-demo==1.0\n");
    }
    // App A: a library in A's site-packages imports the missing module; the traceback's
    // site-packages frame names the environment.
    let site = Command::new(&py_a)
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ])
        .output()
        .expect("purelib");
    let site = PathBuf::from(String::from_utf8_lossy(&site.stdout).trim());
    std::fs::create_dir_all(site.join("consumer")).expect("mkdir");
    std::fs::write(site.join("consumer/__init__.py"), "import healdeck_demo\n").expect("write");
    run_into_log(
        &env,
        &[&py_a, Path::new("-c"), Path::new("import consumer")],
        "a/logs/app.log",
    );
    // App B: a script whose #! names B's interpreter; its traceback names only the script.
    let script = env.p("b/tool.py");
    let shebang = format!("#!{}\nimport healdeck_demo\n", py_b.display());
    std::fs::write(&script, shebang).expect("write");
    run_into_log(&env, &[&py_b, &script], "b/logs/tool.log");
    // App C: the same kind of failure, with nothing saying which Python ran it.
    env.write(
        "c/logs/job.log",
        "Traceback (most recent call last):\n  File \"/nowhere/job.py\", line 1, in <module>\n    import healdeck_demo\nModuleNotFoundError: No module named 'healdeck_demo'\n",
    );

    let out = env.healdeck(&["fix", "--dry-run", "a/logs", "b/logs", "c/logs"]);
    let t = text(&out);
    let a = py_a.display().to_string();
    let b = py_b.display().to_string();
    // A's interpreter as the traceback names it: `…/a/venv/bin/python3.X`.
    assert!(t.contains(&format!("will run: {a}")), "{t}");
    assert!(
        t.lines()
            .any(|l| l.contains(&format!("→ in Python {a}")) && l.contains("from the traceback")),
        "{t}"
    );
    assert!(t.contains(&format!("will run: {b} -m pip install")), "{t}");
    assert!(
        t.contains(&format!("→ in Python {b}, from the #! line of")),
        "{t}"
    );
    assert!(t.contains("needs approval (--approve"), "{t}");
    assert!(
        t.contains("healdeck cannot tell which Python ran this"),
        "{t}"
    );

    // The prompt describes the interpreter that failed, not the system's.
    let p = text(&env.healdeck(&["prompt", "b/logs"]));
    assert!(p.contains(&format!("({b}, from the #! line of")), "{p}");
    assert!(p.contains("healdeck_demo (not installed)"), "{p}");

    // The real run: each install lands in its own venv and is verified there.
    let out = env.healdeck(&["fix", "a/logs", "b/logs", "c/logs"]);
    let t = text(&out);
    assert!(imports(&py_a, "healdeck_demo"), "{t}");
    assert!(imports(&py_b, "healdeck_demo"), "{t}");
    assert_eq!(
        t.matches("✔ verified: `import healdeck_demo` works")
            .count(),
        2,
        "{t}"
    );
    assert!(
        !imports(Path::new("python3"), "healdeck_demo"),
        "system Python changed"
    );
    let attempts = audit(&env);
    assert!(
        attempts
            .iter()
            .all(|e| !e.to_string().contains("\"python3\"")),
        "{attempts:?}"
    );

    // Fixed, and not seen since: not fixed again.
    let t = text(&env.healdeck(&["fix", "--dry-run", "a/logs", "b/logs"]));
    assert_eq!(t.matches("already fixed at").count(), 2, "{t}");
    assert!(t.contains("(`import healdeck_demo` works)"), "{t}");
    // It comes back in A's log: A's fix is planned again, B's is still held.
    let log = std::fs::read_to_string(env.p("a/logs/app.log")).expect("read");
    env.write("a/logs/app.log", &format!("{log}{log}"));
    let t = text(&env.healdeck(&["fix", "--dry-run", "a/logs", "b/logs"]));
    assert_eq!(t.matches("already fixed at").count(), 1, "{t}");
    assert!(t.contains(&format!("will run: {a}")), "{t}");

    // C's folder gets a setting: its fix now knows the interpreter and may run unattended.
    let c_logs = env.p("c/logs").canonicalize().expect("abs");
    env.config(serde_json::json!({
        "pip_args": ["--no-index", "--find-links", wheels, "--disable-pip-version-check"],
        "cache_folders": [],
        "folders": {c_logs.display().to_string(): {"python": py_b}}
    }));
    let t = text(&env.healdeck(&["fix", "--dry-run", "c/logs"]));
    assert!(t.contains(&format!("will run: {b} -m pip install")), "{t}");
    assert!(t.contains(&format!("set for {}", c_logs.display())), "{t}");
}

#[test]
fn what_worked_before_for_a_rule_moves_its_fixes_confidence_and_order() {
    let env = Env::new();
    env.config(serde_json::json!({"cache_folders": [env.p("cache")]}));
    env.write(
        "project/logs/app.log",
        "OSError: [Errno 28] No space left on device: '/var/lib/app/cache/x.bin'\n",
    );
    // Three earlier clear_cache attempts for disk.full that did not fix it.
    let failed = serde_json::json!({"time": 1, "fingerprint": "f", "issue": "Disk full",
        "phase": "end", "action": "clear_cache", "argv": [], "attempt": 1,
        "result": "verify_failed", "rule": "disk.full"});
    env.write(
        "data/fix-audit.jsonl",
        &format!("{failed}\n{failed}\n{failed}\n"),
    );
    let out = env.healdeck(&["fix", "--dry-run", "project/logs"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("fixed it 0 of 3 time(s) for this rule (the rule says 50%)"),
        "{t}"
    );
    // 50 % counted as 4 attempts, then 0 of 3: 2/7 = 29 %, now below the 50 % advice.
    let clear = t.find("[A 29%]").expect("clear_cache at 29 %");
    let manual = t.find("[B 50%]").expect("the manual fix at 50 %");
    assert!(
        manual < clear,
        "the fix that kept failing is still first:\n{t}"
    );
    let stats = text(&env.healdeck(&["fix", "--stats"]));
    assert!(
        stats.contains("disk.full") && stats.contains("0/3 fixed"),
        "{stats}"
    );
}

#[test]
fn with_a_project_named_verified_means_its_own_check_passes_too() {
    for (check, verified) in [
        ("pass", true),
        ("raise SystemExit('2 tests failed')", false),
    ] {
        let env = Env::new();
        std::fs::create_dir_all(env.p("cache/old")).expect("mkdir");
        env.config(serde_json::json!({
            "cache_folders": [env.p("cache")],
            "project": {"dir": env.p("project"), "check": ["python3", "-c", check]}
        }));
        env.write(
            "project/logs/app.log",
            "OSError: [Errno 28] No space left on device: '/var/lib/app/cache/x.bin'\n",
        );
        let out = env.healdeck(&["fix", "project/logs"]);
        let t = text(&out);
        if verified {
            assert!(t.contains("✔ verified:") && t.contains("passes"), "{t}");
        } else {
            assert!(
                t.contains("✘ not fixed:") && t.contains("2 tests failed"),
                "{t}"
            );
        }
    }
}
