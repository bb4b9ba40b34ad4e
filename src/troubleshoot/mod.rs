//! The Troubleshooter engine: log sources → events → classifier → issue store → sinks.
//!
//! - `sources`: finding log files and reading them as line-aligned chunks (gzip too).
//! - `prefilter`: the literal scan that picks candidate lines.
//! - `events`: assembling multi-line failures (tracebacks, panics, stacks) into one event.
//! - `rules` / `classify`: the user-editable rules file, compiled once; rule selection by
//!   TRIAGE.md's category precedence; the generic detector for failures no rule knows.
//! - `group`: fingerprints and the issue store (one incident, one issue).
//! - `engine` / `scan`: per-chunk work and the multi-core scanner.
//! - `watch` / `bus`: following files live and publishing `TroubleAlert`s.
//! - `report`: text, Markdown, JSON and JSON-lines sinks.
//!
//! Nothing here knows about egui or the terminal beyond `report`'s text sink.

pub mod bus;
pub mod classify;
pub mod engine;
pub mod events;
pub mod fix;
pub mod group;
pub mod model;
pub mod prefilter;
pub mod prompt;
pub mod redact;
pub mod report;
pub mod rules;
pub mod samples;
pub mod scan;
pub mod sources;
pub mod timestamp;
pub mod watch;

pub use engine::Engine;
pub use group::{Issue, IssueStore};
pub use model::{Category, FixClass, Severity};
pub use scan::{ScanControl, ScanOptions, ScanReport, scan};
