//! healdeck: a desktop control panel whose engines are plain libraries.
//!
//! The Troubleshooter engine (`troubleshoot`) finds, classifies and groups failures in
//! application logs. The command line (`cli`) and, later, the GUI are thin front-ends over it:
//! they choose the inputs and a sink (text, Markdown, JSON, JSON lines, an event bus).

pub mod cli;
pub mod gpu;
pub mod paths;
pub mod render;
pub mod troubleshoot;

/// The version printed in reports and JSON output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
