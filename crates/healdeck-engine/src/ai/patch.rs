//! Patches proposed by a model and verified by the project's own tests: the model gets the
//! repair prompt and the project files the failure names (from HEAD, redacted) and answers
//! with a unified diff; the diff is applied in a throwaway `git worktree` (never the person's
//! working tree) and the project's check command runs there. A failing check's output
//! (redacted) goes back with the earlier attempts; after 3 attempts the issue is marked
//! unfixable. Every attempt — diff, check result — goes to the audit log. Applying a passing
//! patch to the working tree is the person's decision (class C): a backup ref first, then
//! `git apply`, audited.

use super::git::{self, Worktree};
use super::{AiConfig, Provider, SYSTEM_PROMPT};
use crate::fix::ProjectCheck;
use crate::fix::audit::{AuditEntry, AuditLog};
use crate::fix::exec::tail;
use crate::fix::verify::run_check;
use crate::group::Issue;
use crate::prompt::Prompt;
use crate::redact::redact;
use healdeck_config::Dirs;
use healdeck_config::clock::now_unix;
use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Attempts before the issue is marked unfixable.
pub const MAX_ATTEMPTS: u32 = 3;
/// Project files given to the model, and the most of each.
const MAX_FILES: usize = 3;
const MAX_FILE_CHARS: usize = 20_000;

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchOutcome {
    /// The model answered no diff (or could not answer: why).
    NoDiff(String),
    /// The diff touches what a fix may not change (tests, build or CI files).
    Refused(String),
    DoesNotApply(String),
    CheckFailed(String),
    CheckPassed(String),
}

impl PatchOutcome {
    fn result(&self) -> &'static str {
        match self {
            PatchOutcome::NoDiff(_) => "no_diff",
            PatchOutcome::Refused(_) => "refused",
            PatchOutcome::DoesNotApply(_) => "does_not_apply",
            PatchOutcome::CheckFailed(_) => "check_failed",
            PatchOutcome::CheckPassed(_) => "fixed",
        }
    }

    /// What the next attempt is told about this one.
    fn told(&self) -> String {
        match self {
            PatchOutcome::NoDiff(why) => format!("No diff could be read from the answer ({why})."),
            PatchOutcome::Refused(why) => format!("The patch was refused: {why}"),
            PatchOutcome::DoesNotApply(why) => format!("The patch does not apply: {why}"),
            PatchOutcome::CheckFailed(out) => {
                format!("The patch applied, but the check failed:\n```text\n{out}\n```")
            }
            PatchOutcome::CheckPassed(_) => "The check passed.".into(),
        }
    }
}

/// One attempt: the diff the model gave (if any) and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchAttempt {
    pub attempt: u32,
    pub diff: Option<String>,
    pub outcome: PatchOutcome,
}

/// What happened while proposing, as it happens.
#[derive(Debug, Clone)]
pub enum ProposeEvent {
    Asking(u32),
    Text(String),
    Tried(PatchAttempt),
}

/// The attempts, and the passing diff if one passed.
#[derive(Debug, Clone, Default)]
pub struct Proposal {
    pub attempts: Vec<PatchAttempt>,
    pub passing: Option<String>,
}

/// Asks for patches until one passes the project's check, at most [`MAX_ATTEMPTS`] times.
pub fn propose(
    issue: &Issue,
    dirs: &Dirs,
    (config, provider): (&AiConfig, &Provider),
    project: &ProjectCheck,
    cancel: &AtomicBool,
    mut on_event: impl FnMut(ProposeEvent),
) -> Result<Proposal, String> {
    let root = git::toplevel(&project.dir)?;
    let base = first_prompt(issue, dirs, project)?.text;
    let audit = AuditLog::in_dir(dirs.data());
    let limits = (
        Duration::from_secs(config.timeout_secs),
        config.max_answer_chars,
    );
    let mut proposal = Proposal::default();
    for n in 1..=MAX_ATTEMPTS {
        on_event(ProposeEvent::Asking(n));
        let user = with_attempts(&base, &proposal.attempts);
        let answer = provider.ask(SYSTEM_PROMPT, &user, limits, cancel, |t| {
            on_event(ProposeEvent::Text(t.to_string()));
        });
        let diff = extract_diff(&answer.text);
        let outcome = match (&diff, &answer.error) {
            (_, Some(super::AiError::Cancelled)) => return Err("cancelled".into()),
            (None, Some(e)) => PatchOutcome::NoDiff(e.to_string()),
            (None, None) => PatchOutcome::NoDiff("no ```diff block in the answer".into()),
            (Some(d), _) => match protected_paths(d) {
                touched if !touched.is_empty() => PatchOutcome::Refused(format!(
                    "it changes {}; only the project's own code may change (not its tests, \
                     build or CI files)",
                    touched.join(", ")
                )),
                _ => try_patch(&root, project, d),
            },
        };
        let attempt = PatchAttempt {
            attempt: n,
            diff,
            outcome,
        };
        record(&audit, issue, project, &attempt);
        on_event(ProposeEvent::Tried(attempt.clone()));
        let passed = matches!(attempt.outcome, PatchOutcome::CheckPassed(_));
        if passed {
            proposal.passing.clone_from(&attempt.diff);
        }
        proposal.attempts.push(attempt);
        if passed {
            return Ok(proposal);
        }
    }
    mark_unfixable(&audit, issue, MAX_ATTEMPTS);
    Ok(proposal)
}

/// Applies `diff` in a fresh worktree of HEAD and runs the check there.
fn try_patch(root: &Path, project: &ProjectCheck, diff: &str) -> PatchOutcome {
    let tree = match Worktree::at_head(root) {
        Ok(t) => t,
        Err(e) => return PatchOutcome::DoesNotApply(e),
    };
    if let Err(e) = git::apply(&tree.path, diff) {
        return PatchOutcome::DoesNotApply(redact(&e).text);
    }
    // The check runs where the project's folder sits inside the repository, without network
    // where the system allows it: the code it runs was written by a model.
    let sub = git::prefix(&project.dir).unwrap_or_default();
    let (check, isolated) = isolated(&project.check);
    let check = run_check(&ProjectCheck {
        dir: tree.path.join(sub),
        check,
        ..project.clone()
    });
    let mut output = tail(&redact(&check.output.output_tail).text, 3000);
    if !isolated {
        output.push_str("\n(no network sandbox on this system: the check ran with network)");
    }
    if check.passed {
        PatchOutcome::CheckPassed(output)
    } else if check.output.timed_out {
        PatchOutcome::CheckFailed(format!("(timed out)\n{output}"))
    } else {
        PatchOutcome::CheckFailed(output)
    }
}

/// The first request for a patch, exactly as it is sent: the repair prompt, the project files
/// the failure names (from HEAD, redacted), and the task. Shown before the first call to a
/// provider off this machine.
pub fn first_prompt(issue: &Issue, dirs: &Dirs, project: &ProjectCheck) -> Result<Prompt, String> {
    let root = git::toplevel(&project.dir)?;
    let mut prompt = super::preview(issue, dirs, None).map_err(|e| e.to_string())?;
    let files = project_files(&issue.excerpt, &root);
    if !files.is_empty() {
        push_line!(
            prompt.text,
            "\n## Project files (git HEAD of the repository)\n"
        );
        for (rel, content) in &files {
            let clean = redact(content);
            for f in clean.findings {
                *prompt.redactions.entry(f.kind).or_default() += 1;
                prompt.findings.push(f);
            }
            push_line!(prompt.text, "### {rel}\n\n```\n{}\n```\n", clean.text);
        }
    }
    push_line!(
        prompt.text,
        "\n## Task\n\nPropose a fix as a unified diff against these files, with paths relative \
         to the repository root (`--- a/PATH`, `+++ b/PATH`), in one ```diff block. Change as \
         little as possible, and only the project's code: a patch that changes tests, build or \
         CI files is refused. After the patch, `{}` must pass.",
        project.check.join(" ")
    );
    Ok(prompt)
}

/// `argv` run with no network (`unshare --map-current-user --net`), when this system allows
/// it; whether it does.
fn isolated(argv: &[String]) -> (Vec<String>, bool) {
    static CAN: LazyLock<bool> = LazyLock::new(|| {
        std::process::Command::new("unshare")
            .args(["--map-current-user", "--net", "true"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if !*CAN {
        return (argv.to_vec(), false);
    }
    let mut wrapped: Vec<String> = ["unshare", "--map-current-user", "--net", "--"]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    wrapped.extend(argv.iter().cloned());
    (wrapped, true)
}

/// The paths a diff touches (its `---`/`+++`/`diff --git` lines, `/dev/null` left out).
pub fn touched_paths(diff: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in diff.lines() {
        let path = if let Some(rest) = line.strip_prefix("+++ ").or(line.strip_prefix("--- ")) {
            rest.split('\t').next().unwrap_or(rest).trim()
        } else if let Some(rest) = line.strip_prefix("diff --git ") {
            rest.split_whitespace().next_back().unwrap_or("")
        } else {
            continue;
        };
        if path == "/dev/null" || path.is_empty() {
            continue;
        }
        let path = path
            .strip_prefix("a/")
            .or(path.strip_prefix("b/"))
            .unwrap_or(path);
        if !out.iter().any(|p| p == path) {
            out.push(path.to_string());
        }
    }
    out
}

/// The paths a diff touches that a fix may not change: tests (which would make "the check
/// passes" prove nothing), build, packaging and CI configuration, git's own files.
pub fn protected_paths(diff: &str) -> Vec<String> {
    touched_paths(diff)
        .into_iter()
        .filter(|p| is_protected(p))
        .collect()
}

fn is_protected(path: &str) -> bool {
    const FILES: &[&str] = &[
        "conftest.py",
        "pytest.ini",
        "tox.ini",
        "setup.cfg",
        "setup.py",
        "pyproject.toml",
        "noxfile.py",
        "package.json",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "Makefile",
        "makefile",
        "CMakeLists.txt",
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "go.mod",
        "go.sum",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "Gemfile",
        "Gemfile.lock",
        "Rakefile",
        "composer.json",
        ".gitlab-ci.yml",
        "Jenkinsfile",
        "Dockerfile",
        ".gitattributes",
        ".gitmodules",
        ".gitignore",
    ];
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let Some(name) = parts.last() else {
        return true;
    };
    let in_tests = parts[..parts.len() - 1].iter().any(|d| {
        matches!(
            d.to_ascii_lowercase().as_str(),
            "test"
                | "tests"
                | "spec"
                | "specs"
                | "__tests__"
                | "testing"
                | ".github"
                | ".git"
                | ".circleci"
                | ".husky"
        )
    });
    let lower = name.to_ascii_lowercase();
    let test_file = lower.starts_with("test_")
        || lower.contains("_test.")
        || lower.contains(".test.")
        || lower.contains(".spec.")
        || lower.contains("_spec.");
    in_tests || test_file || FILES.contains(name) || lower.ends_with(".sh") || path.contains("..")
}

/// `base` and what became of each earlier attempt.
fn with_attempts(base: &str, attempts: &[PatchAttempt]) -> String {
    let mut text = base.to_string();
    for a in attempts {
        push_line!(text, "\n### Attempt {} (failed)\n", a.attempt);
        if let Some(d) = &a.diff {
            push_line!(text, "```diff\n{}\n```", tail(d, 4000).trim_end());
        }
        push_line!(text, "{}", a.outcome.told());
    }
    if !attempts.is_empty() {
        push_line!(
            text,
            "\nPropose a different patch that makes the check pass."
        );
    }
    text
}

static FENCED_DIFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)```(?:diff|patch)[^\n]*\n(.*?)```")
        .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// The diff in an answer: a ```diff block, else everything from `diff --git` or `--- `.
pub fn extract_diff(answer: &str) -> Option<String> {
    let body = if let Some(c) = FENCED_DIFF.captures(answer) {
        c.get(1).map_or("", |m| m.as_str()).to_string()
    } else {
        let start = answer
            .lines()
            .position(|l| l.starts_with("diff --git") || l.starts_with("--- "))?;
        answer.lines().skip(start).collect::<Vec<_>>().join("\n")
    };
    let body = body.trim_end().to_string();
    (body.contains("\n+++ ") || body.starts_with("+++ ") || body.contains("@@"))
        .then(|| format!("{body}\n"))
}

static SOURCE_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([\w.\-/\\]+\.(?:py|js|mjs|cjs|ts|tsx|rb|go|rs|java|kt|php|cs|c|cc|cpp|h))\b"#)
        .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// The repository files the excerpt names (a traceback's `File "…"`, a stack's `(path:line)`),
/// read from HEAD; third-party code (site-packages, node_modules) left out.
fn project_files(excerpt: &str, root: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for m in SOURCE_PATH.captures_iter(excerpt) {
        let named = m.get(1).map_or("", |m| m.as_str());
        if named.contains("site-packages") || named.contains("node_modules") {
            continue;
        }
        let Some(rel) = in_repository(Path::new(named), root) else {
            continue;
        };
        if out.iter().any(|(r, _)| *r == rel) {
            continue;
        }
        if let Some(content) = git::show_head(root, &rel) {
            out.push((rel, tail_chars(&content, MAX_FILE_CHARS)));
        }
        if out.len() == MAX_FILES {
            break;
        }
    }
    out
}

/// `named` as a path relative to the repository: itself when it is inside, else its longest
/// tail that names a file there (a traceback from a deployed copy: /srv/app/calc.py).
fn in_repository(named: &Path, root: &Path) -> Option<String> {
    if let Ok(rel) = named.strip_prefix(root) {
        return Some(rel.to_string_lossy().into_owned());
    }
    let parts: Vec<_> = named
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .collect();
    (0..parts.len()).find_map(|skip| {
        let rel: PathBuf = parts[skip..].iter().collect();
        let full = root.join(&rel);
        let inside = full
            .canonicalize()
            .is_ok_and(|c| c.starts_with(root) && c.is_file());
        inside.then(|| rel.to_string_lossy().into_owned())
    })
}

fn tail_chars(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        format!("{} …[cut]", text.chars().take(n).collect::<String>())
    }
}

fn entry(issue: &Issue, action: &str, attempt: u32, result: &str) -> AuditEntry {
    AuditEntry {
        time: now_unix(),
        fingerprint: issue.fingerprint.clone(),
        issue: issue.title.clone(),
        phase: "end".into(),
        action: action.into(),
        argv: Vec::new(),
        attempt,
        exit_status: None,
        output_tail: String::new(),
        backup: None,
        result: result.into(),
        verified: None,
        seen_line: None,
        source: Some(issue.latest.source.clone()),
        rule: issue.rule.clone(),
    }
}

/// One attempt in the audit log: the diff, then what the check said.
fn record(audit: &AuditLog, issue: &Issue, project: &ProjectCheck, a: &PatchAttempt) {
    let mut e = entry(issue, "ai_patch", a.attempt, a.outcome.result());
    e.argv.clone_from(&project.check);
    let said = match &a.outcome {
        PatchOutcome::CheckPassed(out) | PatchOutcome::CheckFailed(out) => out.clone(),
        other => other.told(),
    };
    e.output_tail = format!(
        "{}\n--- result ---\n{}",
        tail(a.diff.as_deref().unwrap_or("(no diff)"), 4000),
        tail(&said, 2000)
    );
    if let PatchOutcome::CheckPassed(_) = a.outcome {
        e.verified = Some(format!(
            "`{}` passes with the patch",
            project.check.join(" ")
        ));
    }
    if let Err(err) = audit.append(&e) {
        tracing::warn!("audit log not written: {err}");
    }
}

fn mark_unfixable(audit: &AuditLog, issue: &Issue, attempts: u32) {
    let mut e = entry(issue, "ai_patch", attempts, "unfixable");
    e.phase = "unfixable".into();
    if let Err(err) = audit.append(&e) {
        tracing::warn!("audit log not written: {err}");
    }
}

/// Applies a passing patch to the person's working tree (their decision, class C): a backup
/// ref of the tree first, then `git apply`; audited either way. Returns the backup ref.
pub fn apply_patch(
    dirs: &Dirs,
    project: &ProjectCheck,
    issue: &Issue,
    diff: &str,
) -> Result<String, String> {
    let root = git::toplevel(&project.dir)?;
    // The patch passed against HEAD: files it touches must not hold other changes.
    let dirty = git::changed(&root, &touched_paths(diff));
    if !dirty.is_empty() {
        return Err(format!(
            "{} changed since the last commit; commit or stash first (the patch was checked \
             against HEAD)",
            dirty.join(", ")
        ));
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let short: String = issue.fingerprint.chars().take(8).collect();
    let id = format!("{}-{nanos:09}-{short}", now_unix());
    let backup = git::backup(&root, &id)?;
    let applied = git::apply(&root, diff);
    let mut e = entry(
        issue,
        "apply_patch",
        0,
        if applied.is_ok() { "applied" } else { "failed" },
    );
    e.argv = vec!["git".into(), "apply".into()];
    e.backup = Some(backup.clone());
    e.output_tail = match &applied {
        Ok(()) => tail(diff, 4000),
        Err(why) => why.clone(),
    };
    if let Err(err) = AuditLog::in_dir(dirs.data()).append(&e) {
        tracing::warn!("audit log not written: {err}");
    }
    applied.map(|()| backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_are_read_from_fenced_blocks_or_bare_headers() {
        let fenced =
            "Here:\n```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -1 +1 @@\n-x\n+y\n```\nDone.";
        assert_eq!(
            extract_diff(fenced).as_deref(),
            Some("--- a/calc.py\n+++ b/calc.py\n@@ -1 +1 @@\n-x\n+y\n")
        );
        let bare = "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-1\n+2";
        assert!(extract_diff(bare).is_some_and(|d| d.starts_with("diff --git")));
        assert_eq!(extract_diff("Just install PyYAML."), None);
        assert_eq!(extract_diff("```diff\nnot a diff\n```"), None);
    }

    #[test]
    fn paths_from_a_deployed_copy_map_to_the_repository() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().canonicalize().expect("c");
        std::fs::create_dir_all(root.join("app")).expect("mkdir");
        std::fs::write(root.join("app/calc.py"), "x = 1\n").expect("write");
        assert_eq!(
            in_repository(Path::new("/srv/deploy/app/calc.py"), &root).as_deref(),
            Some("app/calc.py")
        );
        assert_eq!(
            in_repository(Path::new("/usr/lib/python3/os.py"), &root),
            None
        );
        assert_eq!(
            in_repository(&root.join("app/calc.py"), &root).as_deref(),
            Some("app/calc.py")
        );
    }
}
