//! The health monitor: what is down *now*, next to what the logs say went wrong.
//!
//! `health.toml` (in the config folder, or any file) lists checks — http, tcp, process, disk,
//! memory, file, systemd, command — parsed and validated once ([`config`]) into [`Check`]s.
//! The [`monitor`] probes each on its interval ([`probe`], [`host`], [`tls`]), keeps a day of
//! results per check ([`history`]) and each check's state ([`state`]: N-of-M failure
//! threshold, recovery, the circuit breaker) in the data folder, turns failures into
//! [`Issue`](crate::Issue)s for the same feed as log failures (`resolved` on recovery,
//! `unfixable` when the breaker opens), and runs a check's action through the fixer
//! ([`remedy`]: lock, audit, time limit, verified by the check passing again).

pub mod config;
pub mod history;
pub mod host;
mod kinds;
pub mod monitor;
pub mod probe;
pub mod related;
pub mod remedy;
pub mod spec;
pub mod state;
pub mod tls;

pub use config::{ConfigError, HealthConfig};
pub use kinds::fields_of as kind_fields;
pub use monitor::{CheckStatus, Control, HealthEvent, Options};
pub use spec::{Action, ActionSpec, Check, Kind};
pub use state::{CheckResult, CheckState};

use healdeck_config::Dirs;
use std::path::PathBuf;

/// `health.toml` in the config folder.
pub fn default_file(dirs: &Dirs) -> PathBuf {
    dirs.settings_file(config::FILE_NAME)
}
