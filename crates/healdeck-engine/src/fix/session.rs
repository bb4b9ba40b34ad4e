//! A fix session, the one use-case behind `healdeck fix`, the window's Auto-Fix and the Full
//! System Test's dry run: load `fixer.json`, look for the project's manifests near the logs,
//! plan every issue, then — unless it is a dry run or nothing may run unattended — take the
//! fixer lock and run class A and approved class B fixes, each step reported as it happens.

use super::audit::{AuditLog, FixRecord};
use super::config::FixerConfig;
use super::learn::Outcomes;
use super::lock::{FixLock, LockError};
use super::packages::ProjectManifests;
use super::plan::{Decision, IssuePlan, PlanContext, plan};
use super::run::{Outcome, Runner, Step};
use crate::engine::Engine;
use crate::group::Issue;
use healdeck_config::clock::iso_of_unix;
use healdeck_config::{Dirs, SettingsError, SettingsFile};
use std::path::PathBuf;

/// What a session is asked to do.
#[derive(Debug, Clone, Default)]
pub struct FixRequest {
    pub issues: Vec<Issue>,
    /// The logs the issues came from: manifests (requirements.txt, package.json) are looked
    /// for beside them to vet package names.
    pub log_paths: Vec<PathBuf>,
    /// Python interpreter for pip fixes (`--python`); else `fixer.json`'s, else `python3`.
    pub python: Option<PathBuf>,
    /// Fingerprints whose class B fixes the person approved.
    pub approved: Vec<String>,
    /// Plan only the approved issues (the window's second round, after its approval dialog).
    pub only_approved: bool,
    /// Plan, report the plan, change nothing (not even `fixer.json`).
    pub dry_run: bool,
}

/// What a session reports while it works.
#[derive(Debug)]
pub enum SessionEvent<'a> {
    /// The plan, before anything runs (also the whole of a dry run).
    Planned(&'a [IssuePlan]),
    /// A step of a running fix: start, output line, finish, verification, limits.
    Step(&'a Step),
}

/// How a session ended.
#[derive(Debug, Default)]
pub struct FixSession {
    pub plans: Vec<IssuePlan>,
    /// Each planned issue's outcome; empty when nothing ran (a dry run, or nothing runnable).
    pub outcomes: Vec<(String, Outcome)>,
}

impl FixSession {
    /// Whether any fix may run without asking (class A, or approved class B).
    pub fn runnable(plans: &[IssuePlan]) -> bool {
        plans
            .iter()
            .any(|p| p.fixes.iter().any(|f| f.decision == Decision::Run))
    }

    pub fn fixed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Fixed { .. }))
    }

    pub fn unfixable(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Unfixable { .. }))
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.outcomes.iter().filter(|(_, o)| f(o)).count()
    }
}

/// Why a session could not plan or run.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(transparent)]
    Config(#[from] SettingsError),
    #[error(transparent)]
    Lock(#[from] LockError),
}

/// Plans `request.issues` and runs what may run; `on_event` hears the plan, then each step.
/// A real run writes `fixer.json`'s defaults first when there is none, so the person finds
/// the file that governs what healdeck may do.
pub fn session(
    engine: &Engine,
    dirs: &Dirs,
    request: &FixRequest,
    mut on_event: impl FnMut(SessionEvent<'_>),
) -> Result<FixSession, FixError> {
    let config = if request.dry_run {
        FixerConfig::load_or_default(dirs)?
    } else {
        FixerConfig::load_or_create(dirs)?
    };
    let manifests = ProjectManifests::near(&request.log_paths);
    let ctx = PlanContext {
        config: &config,
        python: request.python.as_deref(),
        approved: &request.approved,
        manifests: &manifests,
    };
    // What worked before for each rule moves the confidence and the order fixes are tried in.
    let audit = AuditLog::in_dir(dirs.data());
    let outcomes = Outcomes::from_audit(&audit.read().0);
    let mut issues = request.issues.clone();
    for issue in &mut issues {
        outcomes.adjust(issue);
    }
    let mut plans = plan(&issues, &ctx);
    if request.only_approved {
        plans.retain(|p| request.approved.contains(&p.issue.fingerprint));
    }
    hold_fixed(&mut plans, &audit);
    on_event(SessionEvent::Planned(&plans));
    if request.dry_run || !FixSession::runnable(&plans) {
        return Ok(FixSession {
            plans,
            outcomes: Vec::new(),
        });
    }
    let _lock = FixLock::acquire(dirs.data())?;
    let runner = Runner {
        config: &config,
        engine: Some(engine),
        data_dir: dirs.data.clone(),
        audit: AuditLog::in_dir(dirs.data()),
    };
    let outcomes = runner.run(&plans, |step| on_event(SessionEvent::Step(step)));
    // Packages may have changed: a prompt made now probes again.
    crate::prompt::forget_probes();
    Ok(FixSession { plans, outcomes })
}

/// An issue fixed before, and not seen since, is not fixed again: its fixes say so instead.
fn hold_fixed(plans: &mut [IssuePlan], audit: &AuditLog) {
    let fixed = audit.fixed();
    for p in plans {
        let Some(record) = fixed
            .get(&p.issue.fingerprint)
            .and_then(|rs| FixRecord::for_source(rs, &p.issue.latest))
        else {
            continue;
        };
        if record.recurred(&p.issue.latest) {
            continue;
        }
        let why = format!(
            "already fixed at {} ({}); it has not occurred since",
            iso_of_unix(record.fixed_at as i64),
            record.verified
        );
        for f in &mut p.fixes {
            if matches!(f.decision, Decision::Run | Decision::NeedsApproval) {
                f.decision = Decision::Refused(why.clone());
            }
        }
    }
}
