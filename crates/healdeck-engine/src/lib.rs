//! The Troubleshooter engine: log sources → events → classifier → issue store → sinks, and
//! what acts on the issues found — safe fixes, repair prompts, redaction. A plain library: no
//! wgpu, no egui, no clap, no printing; the command line and the window are sinks over it.
//!
//! Public surface, by use-case (each is one call both front-ends make):
//! - load the rules: [`Engine::load`] with [`RuleSources`] (built-ins, the user's rules
//!   folder, extra files), refused files returned with file:line:column;
//! - run a scan: [`scan()`] with [`ScanOptions`] and a [`ScanControl`] for progress and
//!   cancel, giving a [`ScanReport`] of [`Issue`]s;
//! - follow logs live: [`watch::LiveWatcher`] publishing [`bus::TroubleAlert`]s on a
//!   [`bus::AlertBus`];
//! - write a report: [`report`]'s text, Markdown, JSON and JSON-lines sinks;
//! - run a fix session: [`fix::session`] (plan, then run class A and approved class B fixes,
//!   each step reported as it happens), with history and restore in [`fix::audit`] and
//!   [`fix::restore`];
//! - build a repair prompt: [`prompt::for_issue`] (environment probe, fix history, redaction);
//! - check the rules against their own samples: [`samples::check_samples`];
//! - let an outside client read only configured log sources: [`scope::SourceScope`];
//! - ask a model about an issue, redacted and with consent: [`ai::explain`];
//! - watch what is down now, and act on it within limits: [`health::monitor::run`];
//! - read logs that are not files — the journal, SSH, containers: [`remote`] (named like
//!   paths, so every use-case above takes them); test reports (JUnit, Playwright):
//!   [`testreport`], read by [`scan()`] like logs;
//! - tell a team: [`notify`] (Slack, Discord, JSON webhooks; throttled, redacted) and
//!   [`report::github`] (annotations and the job summary);
//! - pack what a remote expert needs, encrypted: [`bundle`].
//!
//! Modules: `sources` (files, rotation, gzip, chunked reading), `prefilter` (literal keyword
//! DFA), `events` (multi-line assembly), `rules` (parse → validate → compile once),
//! `classify` (precedence, generic detector, consequences), `level` (log levels),
//! `fingerprint` (normalization and stable ids), `group` (the issue store), `engine` / `scan`
//! (per-chunk work, the threaded scanner), `watch` / `bus`, `report`, `fix`, `prompt`,
//! `redact`, `scope` (the sources an MCP client may read), `health` (checks, monitor, breaker), `timestamp`, `model` (category,
//! severity, fix class).

// A library reports by returning values or emitting `tracing` events, never by printing.
#![deny(clippy::print_stdout, clippy::print_stderr)]

/// `writeln!` into a `String`: formatting into memory cannot fail, so there is no `Result`
/// to drop (report and prompt text is built line by line with this).
macro_rules! push_line {
    ($out:expr, $($arg:tt)*) => {{
        $out.push_str(&format!($($arg)*));
        $out.push('\n');
    }};
}

pub mod ai;
pub mod bundle;
pub mod bus;
mod classify;
mod engine;
pub mod eval;
mod events;
mod fields;
mod fingerprint;
pub mod fix;
pub mod group;
pub mod health;
mod level;
pub mod model;
pub mod notify;
pub mod patterns;
pub mod prefilter;
pub mod prompt;
mod quad;
pub mod receive;
mod reconnected;
pub mod redact;
pub mod remote;
pub mod report;
mod retried;
pub mod rules;
pub mod samples;
pub mod scan;
pub mod scope;
mod sources;
pub mod testreport;
mod timestamp;
mod verdict_memo;
pub mod watch;

pub use engine::Engine;
pub use group::Issue;
pub use model::{Category, FixClass, Severity};
pub use rules::RuleSources;
pub use scan::{ScanControl, ScanOptions, ScanReport, scan};
pub use sources::SourceError;
pub use timestamp::FileDate;

/// The version printed in reports and JSON output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
