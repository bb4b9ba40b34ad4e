//! `healdeck propose` end to end on a real small Python project with a real failing pytest
//! test: a scripted model (a local server speaking Ollama's wire format) answers a patch that
//! applies but fails the check, then one that passes; each is tried in a throwaway git
//! worktree, the person's tree is untouched until `--apply`, which keeps a backup ref first.
//! A model whose patches never apply leaves the issue unfixable after 3 attempts.

mod common;

use common::llm::{Server, ndjson, ok};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASSWORD: &str = "Tr0ub4dor-Horse-77";
const CALC: &str = "def average(values):\n    return sum(values) / len(values)\n";

const WRONG: &str = "```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,4 @@\n def average(values):\n+    if not values:\n+        return 1\n     return sum(values) / len(values)\n```\n";
const RIGHT: &str = "An empty list has no average; return 0 for it.\n\n```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,4 @@\n def average(values):\n+    if not values:\n+        return 0\n     return sum(values) / len(values)\n```\n";
const STRAY: &str = "```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def mean(xs):\n-    return 0\n+    return 1\n```\n";

struct Project {
    dir: tempfile::TempDir,
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Project {
    fn new(model: &Server) -> Project {
        let dir = tempfile::tempdir().expect("tmp");
        let p = Project { dir };
        let repo = p.p("project");
        std::fs::create_dir_all(&repo).expect("mkdir");
        std::fs::write(repo.join("calc.py"), CALC).expect("write");
        std::fs::write(
            repo.join("test_calc.py"),
            "from calc import average\n\n\ndef test_average():\n    assert average([2, 4, 6]) == 4\n\n\n\
             def test_empty_list_averages_to_zero():\n    assert average([]) == 0\n",
        )
        .expect("write");
        git(&repo, &["init", "-q"]);
        git(
            &repo,
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "add",
                ".",
            ],
        );
        git(
            &repo,
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "commit",
                "-qm",
                "calc",
            ],
        );
        std::fs::create_dir_all(p.p("logs")).expect("mkdir");
        std::fs::write(
            p.p("logs/report.log"),
            format!(
                "2024-05-01 10:00:00,000 INFO report job using postgresql://rep:{PASSWORD}@db/app\n\
                 2024-05-01 10:00:01,000 ERROR report job failed\n\
                 Traceback (most recent call last):\n  File \"/srv/app/report.py\", line 4, in build\n\
                 \x20   mean = average(values)\n  File \"/srv/app/calc.py\", line 2, in average\n\
                 \x20   return sum(values) / len(values)\nZeroDivisionError: division by zero\n"
            ),
        )
        .expect("write");
        std::fs::create_dir_all(p.p("config")).expect("mkdir");
        std::fs::write(
            p.p("config/fixer.json"),
            serde_json::json!({"project": {"dir": repo, "check": [pytest_python(), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"], "check_timeout_secs": 120}}).to_string(),
        )
        .expect("write");
        p.use_model(model);
        p
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Points ai.json at `model` (an Ollama wire-format server).
    fn use_model(&self, model: &Server) {
        std::fs::write(
            self.p("config/ai.json"),
            serde_json::json!({"provider": "ollama",
                "ollama": {"url": format!("http://{}", model.addr), "model": "coder"}})
            .to_string(),
        )
        .expect("write");
    }

    fn healdeck(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_healdeck"))
            .args(args)
            .current_dir(self.dir.path())
            .env("HEALDECK_CONFIG_DIR", self.p("config"))
            .env("HEALDECK_DATA_DIR", self.p("data"))
            .output()
            .expect("run healdeck")
    }

    fn audit(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.p("data/fix-audit.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect()
    }

    fn calc(&self) -> String {
        std::fs::read_to_string(self.p("project/calc.py")).expect("calc.py")
    }
}

/// A real virtualenv with pytest from PyPI.
fn pytest_python() -> PathBuf {
    common::venv::python_with("pytest-venv", &["pytest==8.3.4"], "import pytest")
}

fn answer(text: &str) -> common::llm::Script {
    ok("application/x-ndjson", ndjson(&[text]))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_failing_patch_is_retried_with_the_check_output_and_the_passing_one_applied_on_request() {
    let model = Server::start_seq("127.0.0.1", vec![answer(WRONG), answer(RIGHT)]);
    let project = Project::new(&model);
    let o = project.healdeck(&["propose", "logs"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("✘ attempt 1: the check failed"), "{t}");
    assert!(t.contains("✔ attempt 2: the check passes"), "{t}");
    assert!(t.contains("Not applied"), "{t}");
    assert_eq!(
        project.calc(),
        CALC,
        "the working tree changed before --apply"
    );
    let worktrees = git(&project.p("project"), &["worktree", "list"]);
    assert_eq!(
        worktrees.lines().count(),
        1,
        "a worktree was left: {worktrees}"
    );

    let asked = model.requests();
    assert_eq!(asked.len(), 2);
    assert!(
        asked[0].body.contains("### calc.py"),
        "the project file was not given"
    );
    assert!(asked[0].body.contains("return sum(values) / len(values)"));
    let second = &asked[1].body;
    assert!(second.contains("Attempt 1 (failed)"), "{second}");
    assert!(
        second.contains("test_empty_list_averages_to_zero"),
        "the check output was not sent back"
    );
    for r in &asked {
        assert!(!r.body.contains(PASSWORD), "a secret reached the model");
    }
    let audit = project.audit();
    let results: Vec<&str> = audit
        .iter()
        .filter(|e| e["action"] == "ai_patch")
        .filter_map(|e| e["result"].as_str())
        .collect();
    assert_eq!(results, ["check_failed", "fixed"]);
    assert!(
        audit[0]["output_tail"]
            .as_str()
            .expect("tail")
            .contains("return 1")
    );

    // The person applies it: a backup ref first, then the patch, audited.
    let model = Server::start("127.0.0.1", answer(RIGHT));
    project.use_model(&model);
    let o = project.healdeck(&["propose", "--apply", "logs"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(project.calc().contains("return 0"), "not applied: {t}");
    let refs = git(&project.p("project"), &["for-each-ref", "refs/healdeck/"]);
    assert_eq!(refs.lines().count(), 1, "no backup ref: {refs}");
    assert!(
        project
            .audit()
            .iter()
            .any(|e| e["action"] == "apply_patch" && e["result"] == "applied")
    );
    let pytest = Command::new(pytest_python())
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .current_dir(project.p("project"))
        .output()
        .expect("pytest");
    assert!(pytest.status.success(), "{}", text(&pytest));
}

#[test]
fn patches_that_do_not_apply_leave_the_issue_unfixable_after_three_attempts() {
    let model = Server::start("127.0.0.1", answer(STRAY));
    let project = Project::new(&model);
    let o = project.healdeck(&["propose", "logs"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert_eq!(
        t.matches(": does not apply: error: patch failed: calc.py:1")
            .count(),
        3,
        "{t}"
    );
    assert!(t.contains("marked unfixable"), "{t}");
    assert_eq!(model.requests().len(), 3);
    assert_eq!(project.calc(), CALC);
    let audit = project.audit();
    assert!(audit.iter().any(|e| e["phase"] == "unfixable"), "{audit:?}");
    let history = project.healdeck(&["fix", "--history"]);
    assert!(
        text(&history).contains("marked unfixable after 3 attempt(s)"),
        "{}",
        text(&history)
    );
}

const CHEAT: &str = "```diff\n--- a/test_calc.py\n+++ b/test_calc.py\n@@ -7,2 +7,2 @@\n def test_empty_list_averages_to_zero():\n-    assert average([]) == 0\n+    pass\n```\n";

#[test]
fn a_patch_that_edits_the_tests_is_refused_and_a_dirty_tree_is_not_patched() {
    let model = Server::start("127.0.0.1", answer(CHEAT));
    let project = Project::new(&model);
    let o = project.healdeck(&["propose", "logs"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert_eq!(
        t.matches("refused: it changes test_calc.py").count(),
        3,
        "{t}"
    );
    assert!(model.requests()[1].body.contains("The patch was refused"));

    // A passing patch is not applied over uncommitted changes to the same file.
    let model = Server::start("127.0.0.1", answer(RIGHT));
    project.use_model(&model);
    let edited = format!("{CALC}# a note of mine\n");
    std::fs::write(project.p("project/calc.py"), &edited).expect("write");
    let o = project.healdeck(&["propose", "--apply", "logs"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("calc.py changed since the last commit"), "{t}");
    assert_eq!(project.calc(), edited, "the person's edit was touched");
}
