//! The healdeck application: the desktop window (`ui`, the only code that knows egui), the
//! Full System Test both front-ends run (`selftest`), where files live (`dirs`) and the app's
//! own log (`logging`), and the MCP server for coding assistants (`mcp`). The command line
//! (`cli/`, clap) sits beside `ui/` and belongs to the binary alone; `main.rs` picks one.
//!
//! Public surface: [`ui::open_window`] and, for the window's tests and benchmark,
//! [`ui::HealdeckApp`] with [`ui::AppOptions`]; [`selftest::run`]; [`dirs::resolve`];
//! [`logging::init_file`]; [`mcp::serve_stdio`]; [`VERSION`].

// A library reports by returning values or emitting `tracing` events, never by printing.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod dirs;
pub mod logging;
pub mod mcp;
pub mod selftest;
pub mod ui;

/// The version shown in the window and printed by `--version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
