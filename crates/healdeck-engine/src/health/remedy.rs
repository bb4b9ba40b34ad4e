//! A failing check's action, run through the fixer like every other fix: `fixer.json` names
//! the services and cache folders, the fixer's lock keeps it to one fixer at a time, the
//! audit log hears it before and after, its time limit stops it, `clear_cache` backs up
//! first — and the check itself, passing again, is what verifies it.

use super::spec::{Action as CheckAction, Check};
use crate::fix::audit::AuditLog;
use crate::fix::config::FixerConfig;
use crate::fix::lock::FixLock;
use crate::fix::run::{Runner, Target};
use crate::fix::{Action, Step};
use healdeck_config::{Dirs, SettingsFile};

/// The fixer's action for a check's configured one, or why there is none.
pub fn resolve(check: &Check, fixer: &FixerConfig) -> Result<Action, String> {
    let spec = check
        .action
        .as_ref()
        .ok_or_else(|| format!("check '{}' has no action", check.name))?;
    match &spec.action {
        CheckAction::RestartService(name) => fixer
            .services
            .get(name)
            .map(|argv| Action::RestartService {
                name: name.clone(),
                argv: argv.clone(),
            })
            .ok_or_else(|| {
                format!(
                    "check '{}': fixer.json has no service '{name}' (add it under \"services\")",
                    check.name
                )
            }),
        CheckAction::Command(argv) => Ok(Action::Command {
            check: check.name.clone(),
            argv: argv.clone(),
        }),
        CheckAction::ClearCache if fixer.cache_folders.is_empty() => Err(format!(
            "check '{}': fixer.json names no cache_folders to clear",
            check.name
        )),
        CheckAction::ClearCache => Ok(Action::ClearCache {
            folders: fixer.cache_folders.clone(),
        }),
    }
}

/// Who the action is for, as the audit log records it.
pub struct ForIssue<'a> {
    pub fingerprint: &'a str,
    pub title: &'a str,
    pub rule: String,
    pub source: String,
}

/// Runs `check`'s action once (attempt number `attempt`), verified by `verify`; true when it
/// verified. `Err` when it could not start: no such service, no cache folders, a broken
/// `fixer.json`, or another fixer holding the lock.
pub fn run(
    dirs: &Dirs,
    check: &Check,
    issue: &ForIssue<'_>,
    attempt: usize,
    verify: &mut dyn FnMut() -> (bool, String),
    on_step: &mut dyn FnMut(&Step),
) -> Result<bool, String> {
    let fixer = FixerConfig::load_or_default(dirs).map_err(|e| e.to_string())?;
    let action = resolve(check, &fixer)?;
    let _lock = FixLock::acquire(dirs.data()).map_err(|e| e.to_string())?;
    let runner = Runner {
        config: &fixer,
        engine: None,
        data_dir: dirs.data().to_path_buf(),
        audit: AuditLog::in_dir(dirs.data()),
    };
    let target = Target {
        fingerprint: issue.fingerprint,
        title: issue.title,
        rule: Some(issue.rule.clone()),
        source: Some(issue.source.clone()),
        seen_line: None,
    };
    Ok(runner.act(&target, &action, attempt, &mut |_| verify(), on_step))
}
