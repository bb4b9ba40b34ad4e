//! `healdeck selftest`: the Full System Test on the command line, each check printed as it
//! ends (or one JSON document); exit 1 when a check failed.

use clap::Args;
use healdeck_config::Dirs;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct SelftestArgs {
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn selftest(args: &SelftestArgs, dirs: Option<&Dirs>) -> ExitCode {
    let checks = healdeck::selftest::run(None, dirs, |c| {
        if !args.json {
            println!(
                "{} {:<24} {:>7.0} ms  {}",
                if c.ok { "✅" } else { "❌" },
                c.name,
                c.millis,
                c.detail
            );
        }
    });
    let summary = healdeck::selftest::summary(&checks);
    let ok = checks.iter().all(|c| c.ok);
    if args.json {
        let v = serde_json::json!({
            "version": healdeck::VERSION,
            "ok": ok,
            "summary": summary,
            "checks": checks,
        });
        match serde_json::to_string_pretty(&v) {
            Ok(text) => println!("{text}"),
            Err(e) => return super::fail(e),
        }
    } else {
        println!("{summary}");
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
