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
    let args = cli::Cli::parse();
    let dirs = healdeck::dirs::resolve();
    match args.command {
        Some(command) => cli::run(command, dirs),
        None => window(dirs),
    }
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
