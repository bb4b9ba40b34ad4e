//! Carrying out a plan: class A fixes (and approved class B), one action at a time, each
//! audited before and after, backed up first, verified after, retried with the next
//! recommended fix on failure (3 attempts at most), within the per-run action limit.

use super::audit::{AuditEntry, AuditLog, end_entry};
use super::backup::{Backup, BackupError};
use super::config::FixerConfig;
use super::exec::{RunOutput, run, run_with, tail};
use super::plan::{Action, Decision, IssuePlan, PlannedFix};
use crate::engine::Engine;
use crate::redact::redact;
use healdeck_config::clock::now_unix;
use regex::Regex;
use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Duration;

/// Attempts per issue before it is marked unfixable.
pub(crate) const MAX_ATTEMPTS: usize = 3;

static PY_MODULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// Something that happened while fixing, for a live display.
#[derive(Debug, Clone)]
pub enum Step {
    Start {
        fingerprint: String,
        attempt: usize,
        action: String,
        command: String,
    },
    /// A line the action printed, as it printed it (secrets redacted).
    Output {
        fingerprint: String,
        line: String,
    },
    Finished {
        fingerprint: String,
        output: RunOutput,
        backup: Option<String>,
    },
    Verified {
        fingerprint: String,
        ok: bool,
        detail: String,
    },
    Unfixable {
        fingerprint: String,
        attempts: usize,
    },
    LimitReached {
        fingerprint: String,
        limit: u32,
    },
}

/// What an action is for: an issue from the logs, or a failing health check.
pub(crate) struct Target<'a> {
    pub fingerprint: &'a str,
    pub title: &'a str,
    pub rule: Option<String>,
    pub source: Option<String>,
    pub seen_line: Option<u64>,
}

/// How each issue ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Fixed { attempts: usize },
    Unfixable { attempts: usize },
    NotRun,
    Skipped,
}

pub(crate) struct Runner<'a> {
    pub config: &'a FixerConfig,
    /// Reads new log lines to see whether a failure recurred (none for health actions,
    /// which are verified by their check).
    pub engine: Option<&'a Engine>,
    pub data_dir: PathBuf,
    pub audit: AuditLog,
}

impl Runner<'_> {
    /// Runs `plans`; `on_step` hears each step as it happens.
    pub(crate) fn run(
        &self,
        plans: &[IssuePlan],
        mut on_step: impl FnMut(&Step),
    ) -> Vec<(String, Outcome)> {
        let limit = self
            .config
            .max_fixes_per_run
            .min(super::config::MAX_FIXES_CEILING);
        let mut actions = 0u32;
        let mut outcomes = Vec::new();
        for plan in plans {
            let fp = plan.issue.fingerprint.clone();
            let runnable: Vec<&PlannedFix> = plan
                .fixes
                .iter()
                .filter(|f| f.decision == Decision::Run)
                .collect();
            if runnable.is_empty() {
                outcomes.push((fp, Outcome::NotRun));
                continue;
            }
            if actions >= limit {
                on_step(&Step::LimitReached {
                    fingerprint: fp.clone(),
                    limit,
                });
                outcomes.push((fp, Outcome::Skipped));
                continue;
            }
            let mut attempts = 0;
            let mut fixed = false;
            for pf in runnable.into_iter().take(MAX_ATTEMPTS) {
                if actions >= limit {
                    on_step(&Step::LimitReached {
                        fingerprint: fp.clone(),
                        limit,
                    });
                    break;
                }
                actions += 1;
                attempts += 1;
                if self.attempt(plan, pf, attempts, &mut on_step) {
                    fixed = true;
                    break;
                }
            }
            let outcome = if fixed {
                Outcome::Fixed { attempts }
            } else {
                self.record(&AuditEntry {
                    time: now_unix(),
                    fingerprint: fp.clone(),
                    issue: plan.issue.title.clone(),
                    phase: "unfixable".into(),
                    action: String::new(),
                    argv: Vec::new(),
                    attempt: attempts as u32,
                    exit_status: None,
                    output_tail: String::new(),
                    backup: None,
                    result: "unfixable".into(),
                    verified: None,
                    seen_line: None,
                    source: None,
                    rule: plan.issue.rule.clone(),
                });
                on_step(&Step::Unfixable {
                    fingerprint: fp.clone(),
                    attempts,
                });
                Outcome::Unfixable { attempts }
            };
            outcomes.push((fp, outcome));
        }
        outcomes
    }

    fn attempt(
        &self,
        plan: &IssuePlan,
        pf: &PlannedFix,
        attempt: usize,
        on_step: &mut impl FnMut(&Step),
    ) -> bool {
        let fp = &plan.issue.fingerprint;
        // Where the logs end now: verification looks only at what is written after the fix.
        let marks: Vec<(PathBuf, u64)> = plan
            .issue
            .occurrences
            .iter()
            .map(|o| PathBuf::from(&o.source))
            .filter_map(|p| std::fs::metadata(&p).ok().map(|m| (p, m.len())))
            .collect();
        let target = Target {
            fingerprint: fp,
            title: &plan.issue.title,
            rule: plan.issue.rule.clone(),
            source: Some(plan.issue.latest.source.clone()),
            seen_line: Some(plan.issue.latest.line),
        };
        self.act(
            &target,
            &pf.action,
            attempt,
            &mut |action| self.verify_with_project(action, fp, &marks),
            on_step,
        )
    }

    /// Runs one action for `target`: audited before (an action whose start cannot be
    /// audited does not run) and after, backed up first, within the time limit, then
    /// `verify` says whether it worked. True when it did.
    pub(crate) fn act(
        &self,
        target: &Target<'_>,
        action: &Action,
        attempt: usize,
        verify: &mut dyn FnMut(&Action) -> (bool, String),
        on_step: &mut dyn FnMut(&Step),
    ) -> bool {
        let fp = target.fingerprint.to_string();
        let start = AuditEntry {
            time: now_unix(),
            fingerprint: fp.clone(),
            issue: target.title.to_string(),
            phase: "start".into(),
            action: action.name().into(),
            argv: action.argv(),
            attempt: attempt as u32,
            exit_status: None,
            output_tail: String::new(),
            backup: None,
            result: "running".into(),
            verified: None,
            seen_line: None,
            source: target.source.clone(),
            rule: target.rule.clone(),
        };
        on_step(&Step::Start {
            fingerprint: fp.clone(),
            attempt,
            action: action.name().into(),
            command: action.describe(),
        });
        let (mut out, backup) = match self.backup_first(action, &fp) {
            Ok(backup) => {
                let mut start = start.clone();
                start.backup.clone_from(&backup);
                if let Err(e) = self.audit.append(&start) {
                    (
                        failed(format!(
                            "cannot write the audit log {}: {e}",
                            self.audit.path.display()
                        )),
                        backup,
                    )
                } else {
                    let mut on_line = |l: &str| {
                        on_step(&Step::Output {
                            fingerprint: fp.clone(),
                            line: redact(l).text,
                        });
                    };
                    (
                        self.execute(action, backup.as_deref(), &mut on_line),
                        backup,
                    )
                }
            }
            Err(e) => (
                failed(format!("backup failed, nothing was changed: {e}")),
                None,
            ),
        };
        out.output_tail = redact(&out.output_tail).text;
        on_step(&Step::Finished {
            fingerprint: fp.clone(),
            output: out.clone(),
            backup: backup.clone(),
        });
        let (ok, detail) = if out.success() {
            verify(action)
        } else {
            (false, "the action failed; not verified".into())
        };
        on_step(&Step::Verified {
            fingerprint: fp.clone(),
            ok,
            detail: detail.clone(),
        });
        let result = match (out.timed_out, out.success(), ok) {
            (true, _, _) => "timed_out",
            (_, false, _) => "failed",
            (_, true, false) => "verify_failed",
            _ => "fixed",
        };
        let mut end = end_entry(&start, &out, result);
        end.backup = backup;
        end.seen_line = target.seen_line;
        end.source.clone_from(&target.source);
        if ok {
            end.verified = Some(detail.clone());
        }
        if !ok && out.success() {
            end.output_tail.push_str(&format!("\n[verify] {detail}"));
        }
        self.record(&end);
        ok
    }

    /// Appends an entry after the fact. The start entry was written before the action ran
    /// (an action whose start cannot be audited does not run); a later entry that cannot be
    /// written is reported in healdeck's log, since the action has happened either way.
    pub(crate) fn record(&self, entry: &AuditEntry) {
        if let Err(e) = self.audit.append(entry) {
            tracing::error!(
                "[TROUBLE] cannot write the audit log {}: {e}",
                self.audit.path.display()
            );
        }
    }

    fn backup_first(&self, action: &Action, fp: &str) -> Result<Option<String>, BackupError> {
        let label = &fp[..fp.len().min(8)];
        match action {
            Action::ClearCache { .. } | Action::PipInstall { .. } | Action::NpmInstall { .. } => {}
            _ => return Ok(None),
        }
        let mut b = Backup::create(&self.data_dir, label, action.name())?;
        match action {
            Action::PipInstall { python, .. } => {
                // The environment before the install, to pin back to if needed.
                let freeze = run(
                    &[
                        python.display().to_string(),
                        "-m".into(),
                        "pip".into(),
                        "freeze".into(),
                    ],
                    None,
                    Duration::from_secs(self.config.timeout_secs),
                );
                b.keep_text("pip-freeze-before.txt", &freeze.output_tail)?;
            }
            Action::NpmInstall { dir, .. } => {
                b.snapshot(&dir.join("package.json"))?;
                b.snapshot(&dir.join("package-lock.json"))?;
            }
            _ => {}
        }
        b.finish().map(Some)
    }

    fn execute(
        &self,
        action: &Action,
        backup: Option<&str>,
        on_line: &mut dyn FnMut(&str),
    ) -> RunOutput {
        let timeout = Duration::from_secs(self.config.timeout_secs);
        match action {
            Action::ClearCache { folders } => {
                let Some(id) = backup else {
                    return failed("no backup to move the cache into".into());
                };
                let dir = self.data_dir.join("backups").join(id);
                let mut b = match Backup::reopen(&dir, id) {
                    Ok(b) => b,
                    Err(e) => return failed(e.to_string()),
                };
                let mut log = String::new();
                for f in folders {
                    match b.take_contents(f) {
                        Ok(n) => {
                            let line =
                                format!("moved {n} entries from {} into backup {id}", f.display());
                            on_line(&line);
                            log.push_str(&line);
                            log.push('\n');
                        }
                        Err(e) => return failed(format!("{log}{e}")),
                    }
                }
                if let Err(e) = b.finish() {
                    return failed(e.to_string());
                }
                RunOutput {
                    exit: Some(0),
                    timed_out: false,
                    output_tail: log,
                }
            }
            Action::NpmInstall { dir, .. } => run_with(&action.argv(), Some(dir), timeout, on_line),
            Action::PipInstall { .. } | Action::RestartService { .. } | Action::Command { .. } => {
                run_with(&action.argv(), None, timeout, on_line)
            }
            Action::Advice => failed("advice is not executed".into()),
        }
    }

    /// The action's own verification, then — when fixer.json names a project — its check
    /// command: "verified" means the project's own tests pass too.
    fn verify_with_project(
        &self,
        action: &Action,
        fp: &str,
        marks: &[(PathBuf, u64)],
    ) -> (bool, String) {
        let (ok, detail) = self.verify(action, fp, marks);
        let Some(project) = self.config.project.as_ref().filter(|_| ok) else {
            return (ok, detail);
        };
        let check = super::verify::run_check(project);
        let command = project.check.join(" ");
        if check.passed {
            (true, format!("{detail}; `{command}` passes"))
        } else {
            let why = redact(check.output.output_tail.trim()).text;
            (
                false,
                format!("{detail}, but `{command}` fails: {}", tail(&why, 600)),
            )
        }
    }

    fn verify(&self, action: &Action, fp: &str, marks: &[(PathBuf, u64)]) -> (bool, String) {
        let timeout = Duration::from_secs(self.config.timeout_secs);
        match action {
            Action::PipInstall { python, module, .. } => {
                if !PY_MODULE.is_match(module) {
                    return (
                        false,
                        format!("'{module}' is not a module name; cannot verify"),
                    );
                }
                let out = run(
                    &[
                        python.display().to_string(),
                        "-c".into(),
                        format!("import {module}"),
                    ],
                    None,
                    timeout,
                );
                if out.success() {
                    (true, format!("`import {module}` works"))
                } else {
                    (
                        false,
                        format!("`import {module}` still fails: {}", out.output_tail.trim()),
                    )
                }
            }
            Action::NpmInstall { dir, package, .. } => {
                let out = run(
                    &[
                        "node".into(),
                        "-e".into(),
                        "require.resolve(process.argv[1])".into(),
                        package.clone(),
                    ],
                    Some(dir),
                    timeout,
                );
                if out.success() {
                    (true, format!("`{package}` resolves"))
                } else {
                    (
                        false,
                        format!(
                            "`{package}` still does not resolve: {}",
                            out.output_tail.trim()
                        ),
                    )
                }
            }
            Action::ClearCache { folders } => {
                let left: Vec<String> = folders
                    .iter()
                    .filter(|f| {
                        std::fs::read_dir(f)
                            .map(|mut d| d.next().is_some())
                            .unwrap_or(false)
                    })
                    .map(|f| f.display().to_string())
                    .collect();
                if !left.is_empty() {
                    return (false, format!("not empty: {}", left.join(", ")));
                }
                self.recurred(fp, marks)
            }
            Action::RestartService { .. } => self.recurred(fp, marks),
            Action::Command { .. } => (false, "a check's command is verified by its check".into()),
            Action::Advice => (false, "advice is not verified".into()),
        }
    }

    /// Re-scans the lines written to the issue's logs since the fix started.
    fn recurred(&self, fp: &str, marks: &[(PathBuf, u64)]) -> (bool, String) {
        for (path, from) in marks {
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            let new = bytes.get(*from as usize..).unwrap_or(&[]);
            let Some(engine) = self.engine else {
                break;
            };
            let r = engine.process_chunk(
                new,
                new.len(),
                false,
                crate::timestamp::FileDate::year(1970),
            );
            let again = r.events.iter().any(
                |e| matches!(&e.verdict, crate::classify::Verdict::Issue(c) if c.fingerprint == fp),
            );
            if again {
                return (
                    false,
                    format!("the failure appeared again in {}", path.display()),
                );
            }
        }
        (
            true,
            "no recurrence in the lines written since the fix".into(),
        )
    }
}

fn failed(message: String) -> RunOutput {
    RunOutput {
        exit: None,
        timed_out: false,
        output_tail: message,
    }
}
