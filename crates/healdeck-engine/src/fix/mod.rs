//! Safe auto-fix. Safe by construction: actions are argv (never a shell) built only from the
//! user's settings and validated names — nothing from a log line reaches a command; class A
//! runs unattended, class B only with an approval by fingerprint, class C is advice; packages
//! must be vetted to stay class A; everything changed is backed up first; every action is
//! audited before and after; one fixer at a time; at most 3 actions per run; a time limit per
//! action; `--dry-run` changes nothing at all.

pub mod audit;
pub mod backup;
pub mod config;
pub mod exec;
pub mod lock;
pub mod packages;
pub mod plan;
pub mod run;
pub mod session;

pub use config::FixerConfig;
pub use plan::{Action, Decision, IssuePlan, PlanContext, PlannedFix, plan};
pub use run::{Outcome, Runner, Step};
pub use session::{FixError, FixRequest, FixSession, SessionEvent, session};
