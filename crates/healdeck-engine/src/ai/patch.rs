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
    DoesNotApply(String),
    CheckFailed(String),
    CheckPassed(String),
}

impl PatchOutcome {
    fn result(&self) -> &'static str {
        match self {
            PatchOutcome::NoDiff(_) => "no_diff",
            PatchOutcome::DoesNotApply(_) => "does_not_apply",
            PatchOutcome::CheckFailed(_) => "check_failed",
            PatchOutcome::CheckPassed(_) => "fixed",
        }
    }

    /// What the next attempt is told about this one.
    fn told(&self) -> String {
        match self {
            PatchOutcome::NoDiff(why) => format!("No diff could be read from the answer ({why})."),
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
    let base = base_prompt(issue, dirs, &root, project)?;
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
            (Some(d), _) => try_patch(&root, project, d),
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
    // The check runs where the project's folder sits inside the repository.
    let sub = project.dir.strip_prefix(root).unwrap_or(Path::new(""));
    let check = run_check(&ProjectCheck {
        dir: tree.path.join(sub),
        ..project.clone()
    });
    let output = tail(&redact(&check.output.output_tail).text, 3000);
    if check.passed {
        PatchOutcome::CheckPassed(output)
    } else if check.output.timed_out {
        PatchOutcome::CheckFailed(format!("(timed out)\n{output}"))
    } else {
        PatchOutcome::CheckFailed(output)
    }
}

/// The repair prompt, the project files it names, and the task.
fn base_prompt(
    issue: &Issue,
    dirs: &Dirs,
    root: &Path,
    project: &ProjectCheck,
) -> Result<String, String> {
    let prompt = super::preview(issue, dirs, None).map_err(|e| e.to_string())?;
    let mut text = prompt.text;
    let files = project_files(&issue.excerpt, root);
    if !files.is_empty() {
        push_line!(text, "\n## Project files (git HEAD of the repository)\n");
        for (rel, content) in &files {
            push_line!(text, "### {rel}\n\n```\n{}\n```\n", redact(content).text);
        }
    }
    push_line!(
        text,
        "\n## Task\n\nPropose a fix as a unified diff against these files, with paths relative \
         to the repository root (`--- a/PATH`, `+++ b/PATH`), in one ```diff block. Change as \
         little as possible. After the patch, `{}` must pass.",
        project.check.join(" ")
    );
    Ok(text)
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
    let id = format!(
        "{}-{}",
        now_unix(),
        &issue.fingerprint[..issue.fingerprint.len().min(8)]
    );
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
