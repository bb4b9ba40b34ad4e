//! Folders on other machines: `ssh://host/var/log/myapp` is expanded, when reading starts,
//! into one source per log file below it (the names healdeck takes from local folders), found
//! by the remote `find` (a POSIX tool, nothing to install). Each file is then read and resumed
//! on its own. A path that is a file stays itself; a machine that cannot be reached now keeps
//! the source as given, so its reader reports why and retries. While following, the live
//! watcher lists each folder again (`WatchOptions::rescan`) and follows the files that appeared.

use super::command::SshSettings;
use super::spec::{RemoteTarget, StreamSpec, check_remote_path};
use std::process::{Command, Stdio};

/// Files taken from one remote folder at most.
const MAX_FILES: usize = 64;
/// Folder levels searched below the path.
const MAX_DEPTH: u32 = 4;

/// `spec` (an SSH source) pointed at the file `path` on the same machine.
fn with_file(spec: &StreamSpec, path: &str) -> StreamSpec {
    let mut out = spec.clone();
    if let StreamSpec::Ssh { target, .. } = &mut out {
        *target = RemoteTarget::File(path.to_string());
    }
    out
}

/// The argv that lists the regular files at and below `path` on `spec`'s machine.
fn find_argv(spec: &StreamSpec, path: &str, ssh: &SshSettings) -> Option<(String, Vec<String>)> {
    let listing = with_file(spec, path);
    let base = super::command::argv(
        &listing,
        super::command::Phase::History,
        &super::command::Position::Start,
        ssh,
    );
    let mut args = base.args;
    // The remote command is the last argument; the path was validated and is quoted.
    let command = args.pop()?;
    let quoted = command.rsplit(" -- ").next()?.to_string();
    args.push(format!("exec find {quoted} -maxdepth {MAX_DEPTH} -type f"));
    Some((base.program, args))
}

/// What `find` printed, as sources: the path itself when it is the only file (a file), or the
/// log files below it, sorted; names that are not safe on a remote command line are skipped.
pub(crate) fn sources_from_listing(
    spec: &StreamSpec,
    path: &str,
    listing: &str,
) -> Vec<StreamSpec> {
    let files: Vec<&str> = listing
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    if files.is_empty() || files == [path] {
        return vec![spec.clone()];
    }
    let mut logs: Vec<&str> = files
        .into_iter()
        .filter(|f| {
            f.rsplit('/')
                .next()
                .is_some_and(|n| crate::sources::is_log_name(n) && !n.ends_with(".gz"))
        })
        .filter(|f| check_remote_path(f).is_ok())
        .collect();
    logs.sort_unstable();
    logs.truncate(MAX_FILES);
    logs.into_iter().map(|f| with_file(spec, f)).collect()
}

/// Expands the SSH file sources that are folders; every other source passes unchanged.
pub fn expand(specs: Vec<StreamSpec>, ssh: &SshSettings) -> Vec<StreamSpec> {
    let mut out = Vec::new();
    for spec in specs {
        let StreamSpec::Ssh {
            target: RemoteTarget::File(path),
            ..
        } = &spec
        else {
            out.push(spec);
            continue;
        };
        let listed = find_argv(&spec, path, ssh).and_then(|(program, args)| {
            Command::new(program)
                .args(args)
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output()
                .ok()
                .filter(|o| o.status.success())
        });
        let found = match listed {
            Some(o) => sources_from_listing(&spec, path, &String::from_utf8_lossy(&o.stdout)),
            None => vec![spec.clone()],
        };
        for f in found {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_becomes_its_log_files_and_a_file_stays_itself() {
        let spec: StreamSpec = "ssh://u@h:22/var/log/app".parse().expect("spec");
        let listing = "/var/log/app/b.log\n/var/log/app/a.log\n/var/log/app/core.dump\n\
                       /var/log/app/old.log.1.gz\n/var/log/app/x;y.log\n/var/log/app/sub/c.txt\n";
        let names: Vec<String> = sources_from_listing(&spec, "/var/log/app", listing)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            names,
            [
                "ssh://u@h:22/var/log/app/a.log",
                "ssh://u@h:22/var/log/app/b.log",
                "ssh://u@h:22/var/log/app/sub/c.txt"
            ]
        );
        let file: StreamSpec = "ssh://h/var/log/syslog".parse().expect("spec");
        assert_eq!(
            sources_from_listing(&file, "/var/log/syslog", "/var/log/syslog\n"),
            std::slice::from_ref(&file)
        );
        let (program, args) =
            find_argv(&file, "/var/log/syslog", &SshSettings::default()).expect("argv");
        assert_eq!(program, "ssh");
        assert_eq!(
            args.last().map(String::as_str),
            Some("exec find '/var/log/syslog' -maxdepth 4 -type f")
        );
    }
}
