//! `healdeck propose`: ask the configured model (ai.json) for a patch that fixes an issue,
//! verify each patch with the project's own check command (fixer.json: project) in a
//! throwaway git worktree, retry with what failed (3 attempts), and — with `--apply`, the
//! person's decision — apply the passing patch to the working tree after a backup ref.

use super::explain::consented;
use super::{RuleArgs, fail, nothing_usable, pick_issue, scan_logs};
use clap::Args;
use healdeck::dirs::NoDirs;
use healdeck_config::{Dirs, SettingsFile};
use healdeck_engine::ai::consent::Purpose;
use healdeck_engine::ai::patch::{PatchOutcome, ProposeEvent, apply_patch, first_prompt, propose};
use healdeck_engine::ai::{self};
use healdeck_engine::fix::FixerConfig;
use healdeck_gpu::nvidia_present;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

#[derive(Args, Debug)]
pub(crate) struct ProposeArgs {
    /// Log files or folders, or sources such as journal:, ssh://host/path, docker://name.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The issue to fix (default: the worst one in the logs).
    #[arg(long, value_name = "FINGERPRINT")]
    fingerprint: Option<String>,
    /// Apply the patch that passed to the project's working tree (a backup ref first).
    #[arg(long)]
    apply: bool,
    /// Agree to send to a provider off this machine (asked once per endpoint).
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    sources: RuleArgs,
}

pub(crate) fn propose_command(args: &ProposeArgs, dirs: Result<Dirs, NoDirs>) -> ExitCode {
    let dirs = match dirs {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let project = match FixerConfig::load_or_default(&dirs).map(|c| c.project) {
        Ok(Some(p)) => p,
        Ok(None) => {
            return fail(format!(
                "no project to verify patches with: set \"project\": {{\"dir\": …, \"check\": \
                 [\"pytest\", \"-x\"]}} in {}",
                FixerConfig::path(&dirs).display()
            ));
        }
        Err(e) => return fail(e),
    };
    let (_, _, report) = scan_logs(&args.sources, Some(&dirs), &args.paths);
    if nothing_usable(&report) {
        return ExitCode::from(2);
    }
    let issue = match pick_issue(&report, args.fingerprint.as_deref(), "fix") {
        Ok(i) => i,
        Err(code) => return code,
    };
    let (config, provider) = match ai::provider(&dirs, nvidia_present()) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    // Exactly what the first request sends: the prompt and the project's files.
    let sent = match first_prompt(issue, &dirs, &project) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    if let Err(code) = consented(&dirs, (&provider, Purpose::Patch), &sent, args.yes) {
        return code;
    }
    println!(
        "Asking {} for a patch for {} ({}); check: `{}` in {}",
        provider.label(),
        issue.fingerprint,
        issue.title,
        project.check.join(" "),
        project.dir.display()
    );
    let cancel = AtomicBool::new(false);
    let result = propose(
        issue,
        &dirs,
        (&config, &provider),
        &project,
        &cancel,
        print_event,
    );
    let proposal = match result {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let Some(diff) = proposal.passing else {
        println!(
            "\n✘ no patch passed the check in {} attempt(s): the issue is marked unfixable \
             (history: healdeck fix --history)",
            proposal.attempts.len()
        );
        return ExitCode::from(1);
    };
    let saved = save(&dirs, &issue.fingerprint, &diff);
    println!("\n✔ a patch passed the check:\n\n{diff}");
    if let Some(path) = &saved {
        println!("saved as {}", path.display());
    }
    if !args.apply {
        println!("Not applied: review it, then `git apply` it, or run again with --apply.");
        return ExitCode::SUCCESS;
    }
    match apply_patch(&dirs, &project, issue, &diff) {
        Ok(backup) => {
            println!(
                "applied to {}; the working tree before it is kept as {backup} \
                 (`git stash apply {backup}` or `git checkout {backup} -- FILE` to go back)",
                project.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("the patch was not applied: {e}")),
    }
}

fn print_event(event: ProposeEvent) {
    match event {
        ProposeEvent::Asking(n) => println!("\n→ attempt {n}: asking for a patch…"),
        ProposeEvent::Text(_) => {}
        ProposeEvent::Tried(a) => {
            let (mark, what) = match &a.outcome {
                PatchOutcome::NoDiff(why) => ("✘", format!("no patch in the answer ({why})")),
                PatchOutcome::Refused(why) => ("✘", format!("refused: {why}")),
                PatchOutcome::DoesNotApply(why) => ("✘", format!("does not apply: {why}")),
                PatchOutcome::CheckFailed(out) => ("✘", format!("the check failed:\n{out}")),
                PatchOutcome::CheckPassed(_) => ("✔", "the check passes".to_string()),
            };
            if let Some(d) = &a.diff {
                println!("{}", d.trim_end());
            }
            println!("  {mark} attempt {}: {what}", a.attempt);
        }
    }
}

/// Keeps a passing patch in `<data>/patches/` for the record.
fn save(dirs: &Dirs, fingerprint: &str, diff: &str) -> Option<PathBuf> {
    let dir = dirs.data().join("patches");
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(format!(
        "{fingerprint}-{}.diff",
        healdeck_config::clock::now_unix()
    ));
    std::fs::write(&path, diff).ok().map(|()| path)
}
