//! The `healdeck` binary: all work happens in the library; this only hands over to the CLI.

use std::process::ExitCode;

fn main() -> ExitCode {
    healdeck::cli::main()
}
