//! Planning: for each issue, its rule's fixes become concrete actions with an effective safety
//! class and a decision — run, wait for a person's approval, advice only, or refused (and why).
//! Nothing here executes anything; `healdeck fix --dry-run` prints exactly this plan.

use super::config::FixerConfig;
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
    Advice,
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::PipInstall { .. } => "pip_install",
            Action::NpmInstall { .. } => "npm_install",
            Action::ClearCache { .. } => "clear_cache",
            Action::RestartService { .. } => "restart_service",
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
            Action::RestartService { argv, .. } => argv.clone(),
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

pub(crate) fn plan(issues: &[Issue], ctx: &PlanContext) -> Vec<IssuePlan> {
    issues
        .iter()
        .filter(|i| !i.fixes.is_empty())
        .map(|issue| IssuePlan {
            issue: issue.clone(),
            fixes: issue
                .fixes
                .iter()
                .map(|f| plan_fix(issue, f, ctx))
                .collect(),
        })
        .collect()
}

fn param<'f>(fix: &'f Fix, key: &str) -> Option<&'f str> {
    fix.params
        .get(key)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

fn plan_fix(issue: &Issue, fix: &Fix, ctx: &PlanContext) -> PlannedFix {
    let mut warnings = Vec::new();
    let mut class = fix.class;
    let refuse = |why: String| (Action::Advice, Some(why));
    let (action, refusal) = match fix.kind.as_str() {
        "pip_install" => {
            match param(fix, "module").map(|m| (m, python_distribution(m, ctx.manifests))) {
                Some((module, Some((package, vetting)))) => {
                    note_vetting(&vetting, &package, "PyPI", &mut class, &mut warnings);
                    (
                        Action::PipInstall {
                            python: ctx.config.python(ctx.python),
                            package,
                            module: module.to_string(),
                            args: ctx.config.pip_args.clone(),
                        },
                        None,
                    )
                }
                Some((module, None)) => {
                    refuse(format!("'{module}' is not a valid package name (PEP 508)"))
                }
                None => refuse("the rule gives no module name".into()),
            }
        }
        "npm_install" => match param(fix, "package").map(|p| (p, npm_package(p, ctx.manifests))) {
            Some((_, Some((package, vetting)))) => {
                let dir = match &vetting {
                    Vetting::Project(p) => p.parent().map(Path::to_path_buf),
                    _ => ctx.manifests.npm_roots.iter().next().cloned(),
                };
                note_vetting(&vetting, &package, "npmjs.com", &mut class, &mut warnings);
                match dir {
                    Some(dir) => (
                        Action::NpmInstall {
                            npm: ctx.config.npm.clone(),
                            dir,
                            package,
                            declared: matches!(vetting, Vetting::Project(_)),
                            args: ctx.config.npm_args.clone(),
                        },
                        None,
                    ),
                    None => refuse("no package.json near the logs to install into".into()),
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
        warnings,
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
