//! Planning: for each issue, its rule's fixes become concrete actions with an effective safety
//! class and a decision — run, wait for a person's approval, advice only, or refused (and why).
//! Nothing here executes anything; `healdeck fix --dry-run` prints exactly this plan.

use super::config::FixerConfig;
use super::origin::{Evidence, node_project_in_text, per_source, python_for, source_of};
use super::packages::{ProjectManifests, Vetting, npm_package, python_distribution};
use crate::group::{Fix, Issue};
use crate::model::FixClass;
use std::path::{Path, PathBuf};

/// A concrete action; every field comes from the user's settings or a validated name.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    PipInstall {
        python: PathBuf,
        package: String,
        module: String,
        args: Vec<String>,
    },
    NpmInstall {
        npm: PathBuf,
        dir: PathBuf,
        package: String,
        /// The project's package.json declares it: a plain `npm install` restores it.
        declared: bool,
        args: Vec<String>,
    },
    ClearCache {
        folders: Vec<PathBuf>,
    },
    RestartService {
        name: String,
        argv: Vec<String>,
    },
    /// A health check's own command (argv, no shell), configured in `health.toml`.
    Command {
        check: String,
        argv: Vec<String>,
    },
    Advice,
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::PipInstall { .. } => "pip_install",
            Action::NpmInstall { .. } => "npm_install",
            Action::ClearCache { .. } => "clear_cache",
            Action::RestartService { .. } => "restart_service",
            Action::Command { .. } => "command",
            Action::Advice => "advice",
        }
    }

    /// The exact command line (empty for actions that are not a command).
    pub fn argv(&self) -> Vec<String> {
        let s = |p: &Path| p.display().to_string();
        match self {
            Action::PipInstall {
                python,
                package,
                args,
                ..
            } => [s(python), "-m".into(), "pip".into(), "install".into()]
                .into_iter()
                .chain(args.iter().cloned())
                .chain([package.clone()])
                .collect(),
            Action::NpmInstall {
                npm,
                package,
                declared,
                args,
                ..
            } => [s(npm), "install".into()]
                .into_iter()
                .chain(args.iter().cloned())
                .chain((!declared).then(|| package.clone()))
                .collect(),
            Action::RestartService { argv, .. } | Action::Command { argv, .. } => argv.clone(),
            Action::ClearCache { .. } | Action::Advice => Vec::new(),
        }
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Action::ClearCache { folders } => format!(
                "move the contents of {} into a restorable backup",
                folders
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Action::NpmInstall { dir, .. } => {
                format!("{} (in {})", self.argv().join(" "), dir.display())
            }
            Action::Advice => "advice only".into(),
            _ => self.argv().join(" "),
        }
    }
}

/// What will happen to a planned fix.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Run,
    NeedsApproval,
    AdviceOnly,
    Refused(String),
}

#[derive(Debug, Clone)]
pub struct PlannedFix {
    pub fix: Fix,
    /// The class after vetting (an unvetted package drops from A to B).
    pub class: FixClass,
    pub action: Action,
    pub decision: Decision,
    /// Where it acts and why there: "Python /app/venv/bin/python, from the traceback (…)".
    pub target: Option<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct IssuePlan {
    pub issue: Issue,
    pub fixes: Vec<PlannedFix>,
}

/// Inputs to planning.
pub(crate) struct PlanContext<'a> {
    pub config: &'a FixerConfig,
    pub python: Option<&'a Path>,
    pub approved: &'a [String],
    pub manifests: &'a ProjectManifests,
}

/// Plans every issue that has fixes: once per log it occurred in, when the logs' applications
/// run in different environments (one plan per distinct set of actions).
pub(crate) fn plan(issues: &[Issue], ctx: &PlanContext) -> Vec<IssuePlan> {
    let mut plans: Vec<IssuePlan> = Vec::new();
    for issue in issues.iter().filter(|i| !i.fixes.is_empty()) {
        let mut kept: Vec<Vec<Action>> = Vec::new();
        for view in per_source(issue) {
            let fixes: Vec<PlannedFix> =
                view.fixes.iter().map(|f| plan_fix(&view, f, ctx)).collect();
            let actions: Vec<Action> = fixes.iter().map(|f| f.action.clone()).collect();
            if !kept.contains(&actions) {
                kept.push(actions);
                plans.push(IssuePlan { issue: view, fixes });
            }
        }
    }
    plans
}

fn param<'f>(fix: &'f Fix, key: &str) -> Option<&'f str> {
    fix.params
        .get(key)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

fn plan_fix(issue: &Issue, fix: &Fix, ctx: &PlanContext) -> PlannedFix {
    let mut warnings = Vec::new();
    let mut target = None;
    let mut class = fix.class;
    let refuse = |why: String| (Action::Advice, Some(why));
    let (action, refusal) = match fix.kind.as_str() {
        "pip_install" => plan_pip(issue, fix, ctx, &mut class, &mut warnings, &mut target),
        "npm_install" => match param(fix, "package").map(|p| (p, npm_package(p, ctx.manifests))) {
            Some((_, Some((package, vetting)))) => {
                note_vetting(&vetting, &package, "npmjs.com", &mut class, &mut warnings);
                match node_project(issue, &vetting, ctx) {
                    Some((dir, why)) => {
                        target = Some(format!("Node project {}, {why}", dir.display()));
                        (
                            Action::NpmInstall {
                                npm: ctx.config.npm.clone(),
                                declared: matches!(&vetting, Vetting::Project(p) if p.parent() == Some(dir.as_path())),
                                dir,
                                package,
                                args: ctx.config.npm_args.clone(),
                            },
                            None,
                        )
                    }
                    None => refuse(UNKNOWN_NODE_PROJECT.into()),
                }
            }
            Some((name, None)) => refuse(format!(
                "'{name}' is a path or not a valid npm package name"
            )),
            None => refuse("the rule gives no package name".into()),
        },
        "clear_cache" => {
            let folders: Vec<PathBuf> = ctx
                .config
                .cache_folders
                .iter()
                .filter(|f| f.is_dir())
                .cloned()
                .collect();
            if folders.is_empty() {
                refuse("no configured cache folder exists (fixer.json: cache_folders)".into())
            } else {
                (Action::ClearCache { folders }, None)
            }
        }
        "restart_service" => {
            class = class.max(FixClass::B);
            match param(fix, "service").and_then(|n| ctx.config.services.get(n).map(|a| (n, a))) {
                Some((name, argv)) => (
                    Action::RestartService {
                        name: name.to_string(),
                        argv: argv.clone(),
                    },
                    None,
                ),
                None => refuse(format!(
                    "no service '{}' configured (fixer.json: services)",
                    param(fix, "service").unwrap_or("?")
                )),
            }
        }
        _ => (Action::Advice, None),
    };
    let decision = match (&action, refusal) {
        (_, Some(why)) => Decision::Refused(why),
        (Action::Advice, None) => Decision::AdviceOnly,
        _ => match class {
            FixClass::A => Decision::Run,
            FixClass::B if ctx.approved.iter().any(|a| a == &issue.fingerprint) => Decision::Run,
            FixClass::B => Decision::NeedsApproval,
            FixClass::C => Decision::AdviceOnly,
        },
    };
    PlannedFix {
        fix: fix.clone(),
        class,
        action,
        decision,
        target,
        warnings,
    }
}

/// A pip install into the interpreter that failed (see `origin`); one that nothing names
/// waits for a person.
fn plan_pip(
    issue: &Issue,
    fix: &Fix,
    ctx: &PlanContext,
    class: &mut FixClass,
    warnings: &mut Vec<String>,
    target: &mut Option<String>,
) -> (Action, Option<String>) {
    let Some(module) = param(fix, "module") else {
        return (Action::Advice, Some("the rule gives no module name".into()));
    };
    let Some((package, vetting)) = python_distribution(module, ctx.manifests) else {
        let why = format!("'{module}' is not a valid package name (PEP 508)");
        return (Action::Advice, Some(why));
    };
    note_vetting(&vetting, &package, "PyPI", class, warnings);
    let python = python_for(issue, ctx.config, ctx.python);
    *target = Some(format!(
        "Python {}, {}",
        python.path.display(),
        python.evidence.describe()
    ));
    if !python.evidence.is_known() {
        *class = (*class).max(FixClass::B);
        warnings.push(UNKNOWN_PYTHON.into());
    }
    let action = Action::PipInstall {
        python: python.path,
        package,
        module: module.to_string(),
        args: ctx.config.pip_args.clone(),
    };
    (action, None)
}

const UNKNOWN_PYTHON: &str = "healdeck cannot tell which Python ran this (no virtualenv path, #! line or sys.executable in the log): approve only if this is the right interpreter, or choose \"Python for this folder…\" in the sources list";

const UNKNOWN_NODE_PROJECT: &str = "healdeck cannot tell which Node project ran this (no script path in the stack trace and no single package.json beside the log): choose \"Node project for this folder…\" in the sources list";

/// The Node project to install into, and why there: the stack trace's own project, then the
/// person's folder setting, then the project whose package.json declares the package or the
/// only project beside the log.
fn node_project(issue: &Issue, vetting: &Vetting, ctx: &PlanContext) -> Option<(PathBuf, String)> {
    if let Some((dir, seen)) = node_project_in_text(issue) {
        return Some((dir, Evidence::Traceback(seen).describe()));
    }
    let source = source_of(issue);
    if let Some((folder, dir)) = ctx
        .config
        .folder_for(&source)
        .and_then(|(f, e)| e.node_project.as_ref().map(|d| (f, d)))
    {
        return Some((
            dir.clone(),
            Evidence::FolderSetting(folder.into()).describe(),
        ));
    }
    let beside = ProjectManifests::near(std::slice::from_ref(&source));
    if let Vetting::Project(manifest) = vetting {
        let dir = manifest.parent()?;
        if beside.npm_roots.contains(dir) {
            return Some((
                dir.to_path_buf(),
                format!("{} declares it", manifest.display()),
            ));
        }
    }
    let mut roots = beside.npm_roots.into_iter();
    match (roots.next(), roots.next()) {
        (Some(only), None) => Some((only, "the only package.json beside the log".into())),
        _ => None,
    }
}

fn note_vetting(
    v: &Vetting,
    package: &str,
    index: &str,
    class: &mut FixClass,
    warnings: &mut Vec<String>,
) {
    match v {
        Vetting::Table => {}
        Vetting::Project(p) => warnings.push(format!("vetted: named in {}", p.display())),
        Vetting::Unvetted => {
            if *class == FixClass::A {
                *class = FixClass::B;
            }
            warnings.push(format!(
                "'{package}' is not in healdeck's vetted list nor in the project's manifests: check the name on {index} before approving (typosquatting)"
            ));
        }
    }
}
