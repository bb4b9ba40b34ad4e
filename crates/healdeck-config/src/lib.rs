//! The few things every healdeck crate shares about files: where they live (`Dirs`, resolved
//! once by the binary and handed down — no library reads the environment for folders), JSON
//! settings files read, validated and created with errors that name the file and the place
//! (`settings`), and UTC time stamps for audit entries and file names (`clock`).
//!
//! Public surface: [`Dirs`], the [`SettingsFile`] trait (with [`settings::read`],
//! [`settings::load_or_create`], [`settings::load_or_default`] underneath), [`SettingsError`],
//! [`Invalid`], and [`clock`]'s functions.

// A library reports by returning values or emitting `tracing` events, never by printing.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod clock;
mod dirs;
pub mod settings;

pub use dirs::Dirs;
pub use settings::{Invalid, SettingsError, SettingsFile};
