//! `healdeck mcp`: serve the Model Context Protocol on stdin/stdout for a coding assistant,
//! over the log sources given with `--source` (default: the folders the window follows).

use super::{RuleArgs, fail, load_engine};
use clap::Args;
use healdeck::dirs::NoDirs;
use healdeck::mcp::{McpOptions, serve_stdio};
use healdeck::ui::settings::UiSettings;
use healdeck_config::{Dirs, SettingsFile};
use healdeck_engine::scope::SourceScope;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct McpArgs {
    /// A log file or folder the server may read (repeatable). Default: the folders the
    /// window's Troubleshooter follows (ui.json's log_paths).
    #[arg(long = "source", value_name = "PATH")]
    sources: Vec<PathBuf>,
    /// Python interpreter for pip fixes and prompts (default: fixer.json, then python3).
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
}

pub(crate) fn mcp(args: &McpArgs, dirs: Result<Dirs, NoDirs>) -> ExitCode {
    let dirs = match dirs {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let roots = if args.sources.is_empty() {
        match UiSettings::load_or_default(&dirs) {
            Ok(s) => s.log_paths,
            Err(e) => return fail(format!("cannot read the window's log folders: {e}")),
        }
    } else {
        args.sources.clone()
    };
    // stdout carries the protocol: everything else goes to stderr.
    let (scope, problems) = SourceScope::new(&roots);
    for p in &problems {
        eprintln!("healdeck mcp: source left out: {p}");
    }
    if scope.roots().is_empty() {
        return fail(
            "no log sources: pass --source PATH, or add log folders in the window's \
             Troubleshooter",
        );
    }
    let (engine, _) = load_engine(&args.rules, Some(&dirs));
    eprintln!(
        "healdeck mcp: serving {} source(s) on stdio: {}",
        scope.roots().len(),
        scope
            .roots()
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let options = McpOptions {
        engine,
        dirs,
        scope,
        python: args.python.clone(),
    };
    match serve_stdio(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("mcp: {e:#}")),
    }
}
