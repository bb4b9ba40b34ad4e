//! The git steps of a proposed patch, each an argv (no shell) with a time limit: a throwaway
//! worktree at HEAD to try a patch in (never the person's working tree), applying a diff,
//! and — when the person applies a passing patch — a backup ref of their working tree first.

use crate::fix::exec::{RunOutput, run};
use std::path::{Path, PathBuf};
use std::time::Duration;

const GIT_TIMEOUT: Duration = Duration::from_secs(60);

fn git(dir: &Path, args: &[&str]) -> RunOutput {
    let mut argv = vec!["git".to_string(), "-C".into(), dir.display().to_string()];
    argv.extend(args.iter().map(|a| (*a).to_string()));
    run(&argv, None, GIT_TIMEOUT)
}

/// What git printed on stdout alone, when it succeeded (quick queries).
fn git_stdout(dir: &Path, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Why a git step failed, with what git said.
fn failed(what: &str, out: &RunOutput) -> String {
    format!("{what}: {}", out.output_tail.trim())
}

/// The repository's top folder, or why `dir` is not one.
pub(crate) fn toplevel(dir: &Path) -> Result<PathBuf, String> {
    match git_stdout(dir, &["rev-parse", "--show-toplevel"]) {
        Some(top) if !top.trim().is_empty() => Ok(PathBuf::from(top.trim())),
        _ => Err(format!(
            "{} is not a git repository (fixer.json: project.dir)",
            dir.display()
        )),
    }
}

/// Where `dir` sits inside its repository (`git rev-parse --show-prefix`: `sub/dir/`, or
/// empty at the top).
pub(crate) fn prefix(dir: &Path) -> Option<String> {
    git_stdout(dir, &["rev-parse", "--show-prefix"]).map(|p| p.trim().to_string())
}

/// A detached worktree of HEAD in a temporary folder, removed when dropped.
pub(crate) struct Worktree {
    repo: PathBuf,
    pub(crate) path: PathBuf,
    _holder: tempfile::TempDir,
}

impl Worktree {
    pub(crate) fn at_head(repo: &Path) -> Result<Worktree, String> {
        let holder = tempfile::Builder::new()
            .prefix("healdeck-patch")
            .tempdir()
            .map_err(|e| format!("no temporary folder for the worktree: {e}"))?;
        let path = holder.path().join("worktree");
        let out = git(
            repo,
            &[
                "worktree",
                "add",
                "--detach",
                "--quiet",
                &path.display().to_string(),
                "HEAD",
            ],
        );
        if !out.success() {
            return Err(failed("git worktree add failed", &out));
        }
        Ok(Worktree {
            repo: repo.to_path_buf(),
            path,
            _holder: holder,
        })
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let path = self.path.display().to_string();
        let out = git(&self.repo, &["worktree", "remove", "--force", &path]);
        if !out.success() {
            tracing::warn!("could not remove the worktree {path}: {}", out.output_tail);
            let _ = git(&self.repo, &["worktree", "prune"]);
        }
    }
}

/// Applies `diff` in `dir` (`--recount`: a model's hunk counts are often off); checks first,
/// so a patch that does not apply changes nothing.
pub(crate) fn apply(dir: &Path, diff: &str) -> Result<(), String> {
    let holder = tempfile::Builder::new()
        .prefix("healdeck-diff")
        .tempdir()
        .map_err(|e| format!("no temporary folder for the patch: {e}"))?;
    let patch = holder.path().join("proposed.patch");
    std::fs::write(&patch, diff).map_err(|e| format!("cannot write the patch: {e}"))?;
    let p = patch.display().to_string();
    let check = git(
        dir,
        &["apply", "--check", "--recount", "--whitespace=nowarn", &p],
    );
    if !check.success() {
        let said: Vec<&str> = check.output_tail.lines().map(str::trim).collect();
        return Err(said.join("; "));
    }
    let out = git(dir, &["apply", "--recount", "--whitespace=nowarn", &p]);
    if !out.success() {
        return Err(failed("git apply failed", &out));
    }
    Ok(())
}

/// Keeps the working tree's state under `refs/healdeck/backup-<id>` (a stash commit when it
/// has changes, HEAD otherwise); returns the ref.
pub(crate) fn backup(dir: &Path, id: &str) -> Result<String, String> {
    let commit = git_stdout(
        dir,
        &["stash", "create", "healdeck: before applying a patch"],
    )
    .ok_or("git stash create failed")?
    .trim()
    .to_string();
    let target = if commit.is_empty() {
        "HEAD".to_string()
    } else {
        commit
    };
    let name = format!("refs/healdeck/backup-{id}");
    // A ref of that name already there is never overwritten (the empty old value).
    let out = git(dir, &["update-ref", &name, &target, ""]);
    if !out.success() {
        return Err(failed("git update-ref failed", &out));
    }
    Ok(name)
}

/// Which of `paths` have uncommitted changes (staged, unstaged or untracked).
pub(crate) fn changed(root: &Path, paths: &[String]) -> Vec<String> {
    if paths.is_empty() {
        return Vec::new();
    }
    let mut args = vec!["status", "--porcelain", "--"];
    args.extend(paths.iter().map(String::as_str));
    git_stdout(root, &args)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.get(3..))
        .map(str::to_string)
        .collect()
}

/// The file `rel` as committed at HEAD, if it is there and is text.
pub(crate) fn show_head(root: &Path, rel: &str) -> Option<String> {
    let spec = format!("HEAD:{}", rel.replace('\\', "/"));
    git_stdout(root, &["show", &spec]).filter(|t| !t.contains('\0'))
}
