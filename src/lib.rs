//! healdeck: a desktop control panel whose engines are plain libraries.
//!
//! The Troubleshooter engine (`troubleshoot`) finds, classifies and groups failures in
//! application logs; the renderer (`render`) draws garments on avatars; the GPU meter (`gpu`)
//! watches the card. The command line (`cli`) and the GUI (`ui`, the only module that knows
//! egui) are thin front-ends over them: they choose the inputs and a sink (text, Markdown,
//! JSON, JSON lines, an event bus, a window).

pub mod cli;
pub mod gpu;
pub mod logging;
pub mod paths;
pub mod render;
pub mod selftest;
pub mod troubleshoot;
pub mod ui;

/// The version printed in reports and JSON output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
