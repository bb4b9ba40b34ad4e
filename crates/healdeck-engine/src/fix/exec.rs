//! Running a command safely: an argv (never a shell), a working folder, a time limit, and the
//! tail of its output kept for the audit log and the repair prompt.

use std::io::{BufRead, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Characters of output kept.
pub(crate) const OUTPUT_TAIL_CHARS: usize = 4000;

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunOutput {
    /// Exit code; `None` when it was killed or could not start.
    pub exit: Option<i32>,
    pub timed_out: bool,
    /// The last `OUTPUT_TAIL_CHARS` of stdout and stderr, interleaved by stream.
    pub output_tail: String,
}

impl RunOutput {
    pub fn success(&self) -> bool {
        self.exit == Some(0) && !self.timed_out
    }
}

/// One thread per output stream, sending each line (cut at `LINE_BYTES`) to `tx`.
fn spawn_readers(
    child: &mut std::process::Child,
    tx: &std::sync::mpsc::Sender<String>,
) -> Vec<std::thread::JoinHandle<()>> {
    [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|r| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut r = std::io::BufReader::new(r);
            let mut line = Vec::new();
            // A line is cut at LINE_BYTES: one endless line must not fill the memory.
            while matches!((&mut r).take(LINE_BYTES).read_until(b'\n', &mut line), Ok(n) if n > 0) {
                // A send fails only after the runner stopped listening (something the command
                // left behind still writes): that output is not wanted.
                let _ = tx.send(String::from_utf8_lossy(&line).into_owned());
                line.clear();
            }
        })
    })
    .collect()
}

/// Longest line read from a command; the rest of it comes as the next line.
const LINE_BYTES: u64 = 64 << 10;
/// Bytes of output held while a command runs (the tail kept is cut from these).
const KEPT_BYTES: usize = OUTPUT_TAIL_CHARS * 4;
/// How long the output readers may take after the command ended.
const READER_GRACE: Duration = Duration::from_secs(2);

/// Stops the process group `pid` leads (the command and what it started), without a shell
/// and without unsafe code: `kill -KILL -PID`.
fn kill_group(pid: u32) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// Keeps the end of a text.
pub(crate) fn tail(text: &str, chars: usize) -> String {
    let n = text.chars().count();
    if n <= chars {
        return text.to_string();
    }
    let cut: String = text.chars().skip(n - chars).collect();
    format!("…{cut}")
}

/// Runs `argv` in `cwd` for at most `timeout`, killing it past that.
pub(crate) fn run(argv: &[String], cwd: Option<&Path>, timeout: Duration) -> RunOutput {
    run_with(argv, cwd, timeout, |_| {})
}

/// Like [`run`], and `on_line` hears each line of stdout and stderr as it is written (on the
/// calling thread), for a live view of a long install.
pub(crate) fn run_with(
    argv: &[String],
    cwd: Option<&Path>,
    timeout: Duration,
    mut on_line: impl FnMut(&str),
) -> RunOutput {
    let Some((program, args)) = argv.split_first() else {
        return RunOutput {
            exit: None,
            timed_out: false,
            output_tail: "empty command".into(),
        };
    };
    let mut cmd = Command::new(program);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return RunOutput {
                exit: None,
                timed_out: false,
                output_tail: format!("could not start {program}: {e}"),
            };
        }
    };
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let readers = spawn_readers(&mut child, &tx);
    drop(tx);
    let mut output = String::new();
    let mut take = |l: String, output: &mut String| {
        on_line(l.trim_end_matches(['\n', '\r']));
        output.push_str(&l);
        // Only the tail is kept: drop the front once it is far past what is kept.
        if output.len() > 4 * KEPT_BYTES {
            let mut cut = output.len() - KEPT_BYTES;
            while !output.is_char_boundary(cut) {
                cut += 1;
            }
            output.drain(..cut);
        }
    };
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        while let Ok(l) = rx.try_recv() {
            take(l, &mut output);
        }
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= timeout => {
                timed_out = true;
                // The whole process group goes (a test runner's workers, npm's node); kill
                // fails only when it has just exited; wait() reaps the child either way.
                kill_group(child.id());
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break None,
        }
    };
    // Something the command left running may hold its pipes open: the readers get a moment,
    // then are left to finish on their own.
    let grace = Instant::now();
    while readers.iter().any(|h| !h.is_finished()) && grace.elapsed() < READER_GRACE {
        std::thread::sleep(Duration::from_millis(10));
        while let Ok(l) = rx.try_recv() {
            take(l, &mut output);
        }
    }
    for h in readers.into_iter().filter(|h| h.is_finished()) {
        // A reader thread only reads a pipe; if it panicked, the lines it had are already in.
        let _ = h.join();
    }
    while let Ok(l) = rx.try_recv() {
        take(l, &mut output);
    }
    let mut output_tail = tail(&output, OUTPUT_TAIL_CHARS);
    if timed_out {
        output_tail.push_str(&format!("\n[stopped after {} s]", timeout.as_secs()));
    }
    RunOutput {
        exit: if timed_out {
            None
        } else {
            status.and_then(|s| s.code())
        },
        timed_out,
        output_tail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn runs_without_a_shell_and_keeps_output() {
        let out = run(
            &argv(&["echo", "$(whoami) ; rm -rf /"]),
            None,
            Duration::from_secs(5),
        );
        assert!(out.success());
        assert_eq!(out.output_tail.trim(), "$(whoami) ; rm -rf /");
    }

    #[test]
    fn lines_are_heard_as_they_come() {
        let mut seen = Vec::new();
        let out = run_with(
            &argv(&["sh", "-c", "echo one; echo two >&2; sleep 0.2; echo three"]),
            None,
            Duration::from_secs(5),
            |l| seen.push(l.to_string()),
        );
        assert!(out.success());
        seen.sort();
        assert_eq!(seen, ["one", "three", "two"]);
        assert!(out.output_tail.contains("three"));
    }

    #[test]
    fn stops_at_the_time_limit() {
        let t = Instant::now();
        let out = run(&argv(&["sleep", "5"]), None, Duration::from_millis(300));
        assert!(out.timed_out && !out.success());
        assert!(t.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn missing_program_is_reported() {
        let out = run(&argv(&["/nonexistent/tool"]), None, Duration::from_secs(1));
        assert_eq!(out.exit, None);
        assert!(out.output_tail.contains("could not start"));
    }

    #[cfg(unix)]
    #[test]
    fn a_timeout_stops_what_the_command_started_and_output_stays_bounded() {
        let started = Instant::now();
        let out = run(
            &argv(&["sh", "-c", "sleep 30 & sleep 30"]),
            None,
            Duration::from_secs(1),
        );
        assert!(out.timed_out);
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "waited {:?} for a grandchild",
            started.elapsed()
        );
        let out = run(
            &argv(&["sh", "-c", "yes 0123456789 | head -c 30000000"]),
            None,
            Duration::from_secs(60),
        );
        assert!(out.success());
        assert!(out.output_tail.chars().count() <= OUTPUT_TAIL_CHARS + 1);
    }
}
