//! Jobs that failed and then finished on a retry. A background-job runner (Sidekiq, Celery,
//! ActiveJob) logs a failed attempt with the job's id, retries it, and logs the same id again
//! when an attempt succeeds. A failure whose job later finished is *degraded but recovered by
//! itself* — medium, not high (`TRIAGE.md`): a mail job that timed out once and was delivered
//! on the retry 30 s later is not the outage a job that keeps failing is.

use crate::events::{line_at, line_start};
use regex::Regex;
use std::sync::LazyLock;

/// A job's id in a runner's failure or completion line: Sidekiq's `jid=…` or `"jid":"…"`,
/// ActiveJob's `Job ID: …`, Celery's `Task name[…]`.
static JOB_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?:\bjid[=:]\s*"?|"jid"\s*:\s*"|\bJob ID: |\bTask [\w.:]+\[)"#,
        r"([0-9A-Za-z][0-9A-Za-z-]{11,47})\b",
    ))
    .expect("job id pattern")
});

/// A runner's line for an attempt that finished: Sidekiq's `INFO: done`, ActiveJob's
/// `Performed`, Celery's `succeeded in`.
static FINISHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\bINFO: done\s*$|\bPerformed [\w:]+ \(Job ID: |\] succeeded in \d)")
        .expect("finished pattern")
});

/// How far past a failure the finishing line is looked for (bytes): a retry comes within
/// minutes, and a log's minutes are well under this.
const LOOK_AHEAD: usize = 4 << 20;

/// How many later lines naming the job are read for its success: its start line and a few
/// more attempts. A job id repeated in thousands of failures must not make each of them read
/// all the others (quadratic on a crash-looping runner's log).
const MOST_MENTIONS: usize = 32;

/// The job id a failure's line names, if any.
pub(crate) fn job_id(line: &str) -> Option<&str> {
    JOB_ID
        .captures(line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// Where (a byte offset into `buf`) the job named in `line` finished after `from`, if it
/// did within [`LOOK_AHEAD`] bytes and its next [`MOST_MENTIONS`] mentions.
pub(crate) fn finished_later(buf: &[u8], from: usize, line: &str) -> Option<usize> {
    let id = job_id(line)?;
    let from = from.min(buf.len());
    let window = &buf[from..(from + LOOK_AHEAD).min(buf.len())];
    let mut hits = memchr::memmem::find_iter(window, id.as_bytes()).take(MOST_MENTIONS);
    hits.find_map(|hit| {
        let start = line_start(window, hit);
        let text = String::from_utf8_lossy(line_at(window, start));
        FINISHED.is_match(text.trim_end()).then_some(from + start)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIDEKIQ: &str = concat!(
        "09:41:01 pid=1 tid=2c9 WARN: {\"context\":\"Job raised exception\",\"jid\":\"5e8b1c0d2f4a6b8c0d2e4f6a\",\"error_class\":\"Net::ReadTimeout\"}\n",
        "09:41:34 pid=1 tid=2dd class=MailDeliveryJob jid=5e8b1c0d2f4a6b8c0d2e4f6a INFO: start\n",
        "09:41:36 pid=1 tid=2dd class=MailDeliveryJob jid=5e8b1c0d2f4a6b8c0d2e4f6a elapsed=1.211 INFO: done\n",
    );

    #[test]
    fn a_sidekiq_job_that_finished_on_its_retry_is_found_at_its_done_line() {
        let first = SIDEKIQ.lines().next().expect("a line");
        let end = first.len() + 1;
        let at = finished_later(SIDEKIQ.as_bytes(), end, first).expect("finished");
        assert!(SIDEKIQ[at..].starts_with("09:41:36"), "{}", &SIDEKIQ[at..]);
    }

    #[test]
    fn a_job_that_only_started_again_or_failed_again_has_not_finished() {
        let failed_again = SIDEKIQ.replace("INFO: done", "INFO: fail");
        let first = SIDEKIQ.lines().next().expect("a line");
        assert_eq!(
            finished_later(failed_again.as_bytes(), first.len() + 1, first),
            None
        );
        // Another job's completion does not count.
        let other = SIDEKIQ.replace(
            "jid=5e8b1c0d2f4a6b8c0d2e4f6a elapsed",
            "jid=0c3d4e5f6a7b8c9d0e1f2a3b elapsed",
        );
        assert_eq!(
            finished_later(other.as_bytes(), first.len() + 1, first),
            None
        );
        // A line with no job id has nothing to look for.
        assert_eq!(job_id("ERROR: Net::ReadTimeout"), None);
    }

    #[test]
    fn a_job_that_failed_again_many_times_first_is_not_read_to_its_end() {
        let (first, rest) = SIDEKIQ.split_once('\n').expect("two lines");
        let failing = format!("{first}\n").repeat(MOST_MENTIONS + 1);
        let log = format!("{first}\n{failing}{rest}");
        let end = first.len() + 1;
        assert_eq!(finished_later(log.as_bytes(), end, first), None);
        let few = format!("{first}\n").repeat(MOST_MENTIONS - 2);
        let log = format!("{first}\n{few}{rest}");
        assert!(finished_later(log.as_bytes(), end, first).is_some());
    }

    #[test]
    fn celery_and_activejob_ids_are_read() {
        assert_eq!(
            job_id(
                "Task tasks.send_mail[2a2e8a94-6f3e-4f6b-9d0a-1c2b3d4e5f60] raised unexpected: TimeoutError()"
            ),
            Some("2a2e8a94-6f3e-4f6b-9d0a-1c2b3d4e5f60")
        );
        let log = "Task tasks.send_mail[2a2e8a94-6f3e-4f6b-9d0a-1c2b3d4e5f60] retry: Retry in 10s\n\
                   Task tasks.send_mail[2a2e8a94-6f3e-4f6b-9d0a-1c2b3d4e5f60] succeeded in 0.2s: None\n";
        let first = "Task tasks.send_mail[2a2e8a94-6f3e-4f6b-9d0a-1c2b3d4e5f60] raised unexpected: TimeoutError()";
        assert!(finished_later(log.as_bytes(), 0, first).is_some());
        assert_eq!(
            job_id(
                "Error performing MailJob (Job ID: 4c1f5a2e-0b7d-4e1a-9c3b-5d6e7f8a9b0c) from Async"
            ),
            Some("4c1f5a2e-0b7d-4e1a-9c3b-5d6e7f8a9b0c")
        );
    }
}
