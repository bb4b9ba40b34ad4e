//! `healdeck mcp` driven by a real MCP client nobody here wrote: the official Python SDK
//! (`pip install mcp`, in a virtualenv the test makes) starts the server over stdio,
//! initializes, lists the tools and calls each one on real corpus logs — a class A fix that
//! really runs (a cache folder moved to a backup), a class B fix refused, verification before
//! and after the failure recurs — and tries the refusals: paths outside the sources, `..`, a
//! symlink out, an unknown fingerprint, a bad category. No secret from the logs comes back.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The SDK version the test was written against.
const MCP_SDK: &str = "mcp==2.3.0";

/// A virtualenv with the MCP SDK; its interpreter.
fn client_python() -> PathBuf {
    common::venv::python_with("mcp-client-venv", &[MCP_SDK], "import mcp.client.stdio")
}

const SECRET_PASSWORD: &str = "Tr0ub4dor-Horse-77";
const SECRET_TOKEN: &str = "ghp_4cXk2Lr9QzWm7NvB1sT8yH3jD6fG0aPeRuKo";

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../healdeck-engine/tests/corpus");
        let logs = root.join("logs");
        std::fs::create_dir_all(logs.join("db")).expect("mkdir");
        for name in ["django_postgres.log", "app_sqlalchemy.log"] {
            std::fs::copy(corpus.join(name), logs.join("db").join(name)).expect("copy corpus");
        }
        std::fs::write(
            logs.join("uploads.log"),
            format!(
                "2024-05-01 10:00:00,000 INFO upload worker connected to \
                 postgresql://uploader:{SECRET_PASSWORD}@db.internal:5432/files\n\
                 2024-05-01 10:00:01,000 INFO auth header Authorization: token {SECRET_TOKEN}\n\
                 2024-05-01 10:00:02,000 ERROR upload failed\n\
                 Traceback (most recent call last):\n  File \"/srv/app/upload.py\", line 9, in save\n\
                 \x20   f.write(chunk)\n\
                 OSError: [Errno 28] No space left on device: '/var/lib/app/cache/x.bin'\n"
            ),
        )
        .expect("write");
        // Outside the sources, and a link to it from inside.
        std::fs::write(
            root.join("private.log"),
            format!("ERROR leaked password={SECRET_PASSWORD}\n"),
        )
        .expect("write");
        std::os::unix::fs::symlink(root.join("private.log"), logs.join("link-out.log"))
            .expect("symlink");
        // A cache folder the class A fix may clear, and a service it may not restart.
        std::fs::create_dir_all(root.join("cache/wheels")).expect("mkdir");
        std::fs::write(root.join("cache/wheels/big.whl"), vec![0u8; 4096]).expect("write");
        std::fs::create_dir_all(root.join("config")).expect("mkdir");
        let marker = root.join("postgres-restarted");
        std::fs::write(
            root.join("config/fixer.json"),
            serde_json::json!({
                "cache_folders": [root.join("cache")],
                "services": { "postgresql": ["touch", marker] },
                "timeout_secs": 60,
                "project": { "dir": root, "check": ["python3", "-c", "print('2 passed')"] }
            })
            .to_string(),
        )
        .expect("write");
        // A health check that fails (a port nobody listens on; a password in its URL that
        // must not come back), run once so the monitor has saved its state.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        std::fs::write(
            root.join("config/health.toml"),
            format!(
                "[[check]]\nname = \"files-api\"\nkind = \"http\"\ninterval_s = 30\n\
                 url = \"http://uploader:{SECRET_PASSWORD}@127.0.0.1:{port}/health\"\n\
                 severity = \"critical\"\nsource = \"uploads.log\"\n"
            ),
        )
        .expect("health.toml");
        let once = Command::new(env!("CARGO_BIN_EXE_healdeck"))
            .args(["health", "--once"])
            .env("HEALDECK_CONFIG_DIR", root.join("config"))
            .env("HEALDECK_DATA_DIR", root.join("data"))
            .output()
            .expect("healdeck health --once");
        assert!(
            once.status.success(),
            "{}",
            String::from_utf8_lossy(&once.stderr)
        );
        Setup { dir }
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
}

fn transcript(setup: &Setup) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/client.py");
    let out = Command::new(client_python())
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_healdeck"))
        .arg(setup.p("logs"))
        .arg(setup.p("private.log"))
        .arg(setup.p("logs/uploads.log"))
        .env("HEALDECK_CONFIG_DIR", setup.p("config"))
        .env("HEALDECK_DATA_DIR", setup.p("data"))
        .current_dir(setup.p("logs"))
        .output()
        .expect("run the MCP client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the client failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains(SECRET_PASSWORD),
        "a password came back: {text}"
    );
    assert!(!text.contains(SECRET_TOKEN), "a token came back: {text}");
    serde_json::from_str(&text).expect("the client prints JSON")
}

#[test]
fn the_official_python_sdk_lists_and_calls_every_tool_and_meets_the_refusals() {
    let setup = Setup::new();
    let t = transcript(&setup);
    assert_eq!(t["server"], "healdeck");
    let tools: Vec<&str> = t["tools"]
        .as_object()
        .expect("tools")
        .keys()
        .map(String::as_str)
        .collect();
    for name in [
        "list_issues",
        "get_issue",
        "get_repair_prompt",
        "plan_fixes",
        "run_safe_fix",
        "verify_issue",
        "health",
    ] {
        assert!(tools.contains(&name), "{name} missing from {tools:?}");
    }

    check_reading(&t);
    check_fixing(&t, &setup);
    check_refusals(&t);
    check_health(&t);
}

/// health: the failing check, its open issue, its URL without the password.
fn check_health(t: &serde_json::Value) {
    let h = &t["health"]["json"];
    let check = &h["checks"][0];
    assert_eq!(check["name"], "files-api", "{h}");
    assert_eq!(check["failing"], true, "{h}");
    assert_eq!(check["last_result"]["ok"], false, "{h}");
    assert_eq!(check["issue"]["state"], "open", "{h}");
    assert_eq!(check["issue"]["category"], "network", "{h}");
    assert_eq!(check["issue"]["severity"], "critical", "{h}");
    assert!(
        check["target"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://***@127.0.0.1:")),
        "the password is not in the target: {h}"
    );
}

/// list_issues, get_issue, get_repair_prompt.
fn check_reading(t: &serde_json::Value) {
    // list_issues: the corpus's database failures and the disk-full one, untrusted-marked.
    let listed = &t["list_issues"]["json"];
    assert!(
        listed["notice"]
            .as_str()
            .expect("notice")
            .contains("untrusted")
    );
    let rules: Vec<&str> = listed["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter_map(|i| i["rule"].as_str())
        .collect();
    assert!(
        rules.contains(&"postgres.unreachable") && rules.contains(&"disk.full"),
        "{rules:?}"
    );
    assert_eq!(listed["scanned"]["files"], 3, "{listed}");
    assert_eq!(
        listed["scanned"]["left_out_links_leading_outside"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "the symlink out is left out: {listed}"
    );
    let filtered = &t["list_critical_database"]["json"]["issues"];
    assert!(
        filtered
            .as_array()
            .expect("issues")
            .iter()
            .all(|i| i["category"] == "database" && i["severity"] == "critical")
    );

    // get_issue and the prompt: the excerpt and root cause, redacted.
    let issue = &t["get_issue"]["json"]["issue"];
    assert_eq!(issue["rule"], "postgres.unreachable");
    let excerpt = issue["excerpt"].as_str().expect("excerpt");
    assert!(
        excerpt.contains("could not connect") || excerpt.contains("Connection refused"),
        "{issue}"
    );
    assert!(!issue["root_cause"].as_str().expect("cause").is_empty());
    let prompt = &t["get_repair_prompt"]["json"];
    assert!(
        prompt["prompt"]
            .as_str()
            .expect("prompt")
            .contains("PostgreSQL")
    );
}

/// plan_fixes, run_safe_fix, verify_issue.
fn check_fixing(t: &serde_json::Value, setup: &Setup) {
    // plan_fixes: a dry run naming classes and decisions.
    let plans = t["plan_fixes"]["json"]["plans"].to_string();
    assert!(plans.contains("runs unattended (class A)"), "{plans}");
    assert!(
        plans.contains("needs a person's approval (class B)"),
        "{plans}"
    );

    // run_safe_fix: class B refused and not run; class A ran, backed up, verified, audited.
    assert_eq!(t["run_class_b"]["is_error"], true, "{}", t["run_class_b"]);
    assert!(
        t["run_class_b"]["text"]
            .as_str()
            .expect("text")
            .contains("need a person")
    );
    assert!(
        !setup.p("postgres-restarted").exists(),
        "a class B restart ran"
    );
    let run = &t["run_safe_fix"];
    assert_eq!(run["is_error"], false, "{run}");
    assert!(
        run["json"]["outcome"]
            .to_string()
            .contains("fixed after 1 attempt"),
        "{run}"
    );
    assert!(
        !setup.p("cache/wheels").exists(),
        "the cache was not cleared"
    );
    let audit = std::fs::read_to_string(setup.p("data/fix-audit.jsonl")).expect("audit log");
    assert!(audit.contains("\"result\":\"fixed\""), "{audit}");

    // verify_issue: holding after the fix, recurred once the failure is written again.
    let held = &t["verify_after_fix"]["json"]["verification"];
    assert_eq!(held["recurred_since_fix"], false, "{held}");
    assert_eq!(held["check"]["passed"], true, "{held}");
    assert!(
        held["check"]["output_tail"]
            .as_str()
            .expect("output")
            .contains("2 passed")
    );
    let back = &t["verify_after_recurrence"]["json"]["verification"];
    assert_eq!(back["recurred_since_fix"], true, "{back}");
    assert!(
        back["verdict"]
            .as_str()
            .expect("verdict")
            .contains("not fixed")
    );
}

fn check_refusals(t: &serde_json::Value) {
    // Refusals: tool errors that say why, and nothing read from outside.
    let refusals = t["refusals"].as_object().expect("refusals");
    for (name, r) in refusals {
        assert_eq!(r["is_error"], true, "{name} was not refused: {r}");
    }
    for name in [
        "outside_absolute",
        "outside_dotdot",
        "symlink_out",
        "etc_passwd",
    ] {
        let text = refusals[name]["text"].as_str().expect("text");
        assert!(
            text.contains("not a file or folder inside the log sources"),
            "{name}: {text}"
        );
    }
    assert!(
        refusals["unknown_fingerprint"]["text"]
            .as_str()
            .expect("text")
            .contains("no issue with fingerprint")
    );
}
