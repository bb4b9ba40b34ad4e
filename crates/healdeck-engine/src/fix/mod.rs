//! Safe auto-fix. Safe by construction: actions are argv (never a shell) built only from the
//! user's settings and validated names — nothing from a log line reaches a command except an
//! interpreter or project path that proves to be a real, safely owned one (`origin`); class A
//! runs unattended, class B only with an approval by fingerprint, class C is advice; packages
//! must be vetted to stay class A; everything changed is backed up first; every action is
//! audited before and after; one fixer at a time; at most 3 actions per run; a time limit per
//! action; `--dry-run` changes nothing at all.

pub mod audit;
mod backup;
pub(crate) mod config;
pub(crate) mod exec;
pub mod learn;
pub(crate) mod lock;
pub(crate) mod origin;
pub(crate) mod packages;
mod plan;
pub(crate) mod run;
mod session;
pub mod verify;

pub use backup::{BackupError, restore};
pub use config::{FixerConfig, FolderEnv, ProjectCheck};
pub use exec::RunOutput;
pub use lock::LockError;
pub use origin::{Evidence, Interpreter, python_for};
pub use plan::{Action, Decision, IssuePlan, PlannedFix};
pub use run::{Outcome, Step};
pub use session::{FixError, FixRequest, FixSession, SessionEvent, session};
