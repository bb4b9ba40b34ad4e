//! The `healdeck` binary: the folders are decided once, then the arguments pick a front-end —
//! a subcommand runs on the command line (`cli/`), no subcommand opens the window (`ui/`).

// The command line's sinks are stdout and stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;

use clap::Parser;
use healdeck::dirs::NoDirs;
use healdeck_config::Dirs;
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let args = cli::Cli::parse();
    let dirs = healdeck::dirs::resolve();
    match args.command {
        Some(command) => cli::run(command, dirs),
        None => window(dirs),
    }
}

/// A reader that stops early (`healdeck diagnose --watch … | head -3`) closes the pipe, and
/// the next line printed panics with "failed printing to stdout: Broken pipe": that is where
/// the output ends, not a crash — exit quietly, as `cat` does.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// No subcommand: the desktop window, with healdeck's own log file when it can be opened.
fn window(dirs: Result<Dirs, NoDirs>) -> ExitCode {
    let opened = dirs.map_err(anyhow::Error::from).and_then(|dirs| {
        let log = dirs.log_file();
        let own_log = match healdeck::logging::init_file(&log) {
            Ok(()) => Some(log),
            Err(e) => {
                eprintln!("healdeck: no log file: {e}");
                None
            }
        };
        healdeck::ui::open_window(dirs, own_log)
    });
    match opened {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("healdeck: cannot open the window: {e:#}");
            eprintln!("healdeck: the command line works without a display; try `healdeck --help`");
            ExitCode::from(2)
        }
    }
}
