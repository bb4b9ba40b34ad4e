//! Walking each kind of event to its last line: Python tracebacks (chained ones too), Rust
//! panics with backtraces, Go panics with goroutine dumps, Java/Node stacks, tool error
//! blocks, records that announce a body, and one-line records with indented continuations.

use super::Lines;
use super::MAX_EVENT_LINES;
use super::lines::{behind_step, contains, is_blank, is_chain_marker, is_indented};
use super::lines::{find, run_prefix, step_prefix_len};
use super::lines::{is_traceback_start, starts_failure, starts_record, trim_start};

pub(super) fn python(it: &mut Lines, lines: &mut usize, _first: &[u8]) {
    #[derive(PartialEq)]
    enum St {
        Frames,
        AfterException,
        ExpectTraceback,
    }
    let mut st = St::Frames;
    let mut message_read = false;
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        match st {
            St::Frames => {
                // Twisted marks where the exception was caught among the frames.
                if is_indented(l)
                    || is_traceback_start(l)
                    || l.starts_with(b"--- <exception caught here> ---")
                {
                } else if is_blank(l) || starts_record(l) {
                    // A record after the frames (Twisted indents its exception line too:
                    // `        twisted.cred.error.UnauthorizedLogin: `, then the next
                    // `2026-12-06 09:05:23+0000 [Broker,3,…] Unhandled Error`) is the next event.
                    break;
                } else {
                    st = St::AfterException;
                }
            }
            St::AfterException => {
                if is_chain_marker(l) {
                    st = St::ExpectTraceback;
                } else if is_blank(l) {
                    // A blank line continues the event only when a chain marker follows it
                    // (two blank lines when the message ended in a newline of its own, as
                    // psycopg2's do).
                    if !it.peek_past_blanks(2).is_some_and(is_chain_marker) {
                        break;
                    }
                } else if !is_indented(l) {
                    // The exception's message goes on over lines of its own, up to a blank
                    // line (Ray's `OutOfMemoryError: Task was killed …` over its table of
                    // processes and its advice).
                    let more = (!message_read).then(|| message_lines(it)).flatten();
                    let Some(more) = more else { break };
                    message_read = true;
                    for _ in 0..more {
                        it.advance();
                    }
                    *lines += more;
                    continue;
                }
            }
            St::ExpectTraceback => {
                if is_traceback_start(l) {
                    st = St::Frames;
                } else if !is_blank(l) {
                    break;
                }
            }
        }
        it.advance();
        *lines += 1;
    }
}

/// How many lines from `it` go on an exception's message: plain text only — no record, level,
/// time or other failure — ending at a blank line, within 12 lines.
fn message_lines(it: &Lines) -> Option<usize> {
    let mut probe = Lines {
        buf: it.buf,
        next: it.next,
    };
    for n in 0..12 {
        // Lines up to the end of the text could as well be what ran after.
        let (_, l) = probe.peek()?;
        if is_blank(l) {
            return (n > 0).then_some(n);
        }
        // A time of day anywhere is a record's (`07/12/2026 06:10:15 :: Sorted …`).
        let clock = l.windows(8).any(super::lines::is_clock);
        if starts_record(l)
            || clock
            || super::level_of(l).is_some()
            || has_timestamp(l)
            || starts_failure(l)
            || is_traceback_start(l)
            || is_chain_marker(l)
        {
            return None;
        }
        probe.advance();
    }
    None
}

pub(super) fn rust(it: &mut Lines, lines: &mut usize, first: &[u8]) {
    // Since Rust 1.73 the message is on the line after "panicked at file:line:col:".
    if first.ends_with(b":")
        && let Some((_, l)) = it.peek()
        && !is_blank(l)
    {
        it.advance();
        *lines += 1;
    }
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        let ok = l.starts_with(b"note: ")
            || l.starts_with(b"stack backtrace:")
            || l.starts_with(b"fatal runtime error:")
            || is_indented(l)
            || (l.starts_with(b"thread '") && contains(l, b"panicked"));
        if !ok {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

pub(super) fn go(it: &mut Lines, lines: &mut usize) {
    let mut in_dump = false;
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        let ok = if is_blank(l) {
            it.peek2()
                .is_some_and(|n| n.starts_with(b"goroutine ") || n.starts_with(b"runtime stack:"))
        } else if l.starts_with(b"goroutine ") || l.starts_with(b"runtime stack:") {
            in_dump = true;
            true
        } else {
            (in_dump && is_go_frame(l))
                || l.starts_with(b"[signal ")
                || is_indented(l)
                || l.starts_with(b"exit status ")
        };
        if !ok {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

/// A function line of a goroutine dump: `main.main()`, `net/http.(*conn).serve(0xc0)`,
/// `created by main.main in goroutine 1`, `...additional frames elided...`.
pub(super) fn is_go_frame(l: &[u8]) -> bool {
    if l.starts_with(b"created by ") || l.starts_with(b"...") {
        return true;
    }
    let Some(open) = l.iter().position(|&b| b == b'(') else {
        return false;
    };
    open > 0
        && !l[..open].iter().any(|b| b.is_ascii_whitespace())
        && (l.ends_with(b")") || l.ends_with(b"...)") || l.ends_with(b"..."))
}

pub(super) fn stack(it: &mut Lines, lines: &mut usize, first: &[u8]) {
    // An exception message that runs over lines before the frames.
    if let Some(between) = frames_follow(it, 0).filter(|&n| n > 0) {
        for _ in 0..between {
            it.advance();
            *lines += 1;
        }
    }
    let mut in_require_stack = false;
    let mut after_chain = false;
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        let t = trim_start(l);
        let ok = if l.starts_with(b"Require stack:") {
            in_require_stack = true;
            true
        } else if is_serialized_chain(l) {
            after_chain = true;
            true
        } else if std::mem::take(&mut after_chain) {
            super::lines::looks_like_exception_line(l)
        } else if is_blank(l) {
            // A serialized Python error (Dagster's) leaves a blank line between its message
            // and its frames and before the exception that caused it.
            it.peek2().is_some_and(|n| {
                (super::lines::is_frame(n) && trim_start(n).starts_with(b"File \""))
                    || is_serialized_chain(n)
            })
        } else {
            is_indented(l)
                || t.starts_with(b"Caused by:")
                || t.starts_with(b"Suppressed:")
                || t.starts_with(b"Wrapped by:")
                || (in_require_stack && l.starts_with(b"- "))
                || l.starts_with(b"}")
                || l.starts_with(b"Node.js v")
                || is_dotnet_stack_seam(l)
                || repeats_the_records_exception(first, l)
        };
        if !ok {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

/// A frame of a Ruby backtrace below its exception: `\tfrom app/x.rb:12:in 'm'`.
pub(super) fn is_ruby_frame(l: &[u8]) -> bool {
    trim_start(l).starts_with(b"from ") && find(l, b".rb:").is_some()
}

/// The first line of a Ruby exception's report: where it was raised, what it says and its
/// class (`lib/sessions.rb:780:in 'thread_client': STOP … (RuntimeError)`).
pub(super) fn is_ruby_raise_site(l: &[u8]) -> bool {
    let t = l.trim_ascii_end();
    !is_indented(l)
        && t.ends_with(b")")
        && find(t, b".rb:").is_some()
        && find(t, b":in ").is_some()
        && find(t, b"': ").is_some()
}

/// How a serialized Python error (Dagster's `SerializableErrorInfo`) joins an exception to
/// its cause or context: `The above exception was caused by the following exception:`.
fn is_serialized_chain(l: &[u8]) -> bool {
    let t = trim_start(l).trim_ascii_end();
    t == b"The above exception was caused by the following exception:"
        || t == b"The above exception occurred during handling of the following exception:"
}

/// An exception printed in full after the frames of the record that quoted it: Solr's
/// `Error waiting for SolrCore to be loaded on startup => org.apache.solr.common.SolrException:
/// Unable to create core [products]`, a frame, then `org.apache.solr.common.SolrException:
/// Unable to create core [products]` with its own frames and causes. Only a qualified class
/// the record's first line names.
fn repeats_the_records_exception(first: &[u8], l: &[u8]) -> bool {
    let Some(colon) = memchr::memmem::find(l, b": ") else {
        return false;
    };
    let class = &l[..colon];
    class.contains(&b'.')
        && !class.contains(&b' ')
        && class.first().is_some_and(u8::is_ascii_alphabetic)
        && super::lines::looks_like_exception_line(l)
        && memchr::memmem::find(first, &l[..colon + 2]).is_some()
}

pub(super) fn tool_block(it: &mut Lines, lines: &mut usize, first: &[u8]) {
    if let Some(prefix) = run_prefix(first) {
        // Inside a build step the block's lines carry the step's prefix too (`#6 0.742 `).
        let step = step_of(first);
        while *lines < MAX_EVENT_LINES {
            let Some((_, l)) = it.peek() else { break };
            let rest = behind_step(l);
            let continues = step_of(l) == step
                && (rest.starts_with(prefix) || rest.trim_ascii_end() == prefix.trim_ascii_end());
            if !continues {
                break;
            }
            it.advance();
            *lines += 1;
        }
        return;
    }
    // Inside a build step (`#5 18.31 error: failed to run custom build command …`) the
    // block is read behind the step's prefix, and ends with the step's lines.
    let step = step_of(first);
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        if step_of(l) != step {
            break;
        }
        let l = behind_step(l);
        let ok = if is_blank(l) {
            it.peek2()
                .map(behind_step)
                .is_some_and(|n| is_indented(n) || n.starts_with(b"Caused by:"))
        } else {
            is_indented(l)
                || l.starts_with(b"Caused by:")
                || l.starts_with(b"  |")
                || l.first().is_some_and(|b| b.is_ascii_digit()) && contains(l, b" |")
        };
        if !ok {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

/// pytest's section of one failure: `____ ERROR collecting tests/test_config.py ____` (or a
/// test's name between the rules) over the traceback and the `E   …` lines.
pub(super) fn is_pytest_section(first: &[u8]) -> bool {
    let t = first.trim_ascii();
    t.len() > 8 && t.starts_with(b"___") && t.ends_with(b"___") && t.contains(&b' ')
}

/// The section's lines, up to the next section's rule (`____ … ____`, `==== … ====`) or a
/// log record.
/// opam's `[ERROR] The compilation of liquidsoap failed at "/usr/bin/make".`, over its
/// `#=== ERROR while compiling … ===#` box of the build's output and its `<><> Error report`.
pub(super) fn is_opam_failure(first: &[u8]) -> bool {
    let t = trim_start(first);
    t.starts_with(b"[ERROR] The compilation of ") && contains(t, b" failed at ")
}

/// A line of opam's failure report: the compile box's `#` lines, the error report's heading
/// and its box-drawn lines.
fn is_opam_report_line(l: &[u8]) -> bool {
    let t = trim_start(l);
    t.starts_with(b"#")
        || t.starts_with(b"<><> ")
        || ["┌─", "│", "└─", "╶─"]
            .iter()
            .any(|m| t.starts_with(m.as_bytes()))
}

/// Walks opam's report (see [`is_opam_failure`]): its lines and the blank lines between them.
pub(super) fn opam_report(it: &mut Lines, lines: &mut usize) {
    walk_lines(it, lines, 300, |it, l| {
        let goes_on = if is_blank(l) {
            it.peek_past_blanks(4).is_some_and(is_opam_report_line)
        } else {
            is_opam_report_line(l)
        };
        Step::take_if(goes_on)
    });
}

/// What a report's walker does with the next line.
#[derive(PartialEq)]
enum Step {
    Take,
    /// Take it and stop: the report's last line.
    TakeLast,
    Stop,
}

impl Step {
    fn take_if(goes_on: bool) -> Step {
        if goes_on { Step::Take } else { Step::Stop }
    }
}

/// Takes lines while `step` says so, at most `most`.
fn walk_lines(
    it: &mut Lines,
    lines: &mut usize,
    most: usize,
    step: impl Fn(&Lines, &[u8]) -> Step,
) {
    let start_lines = *lines;
    while *lines - start_lines < most {
        let Some((_, l)) = it.peek() else { break };
        let next = step(it, l);
        if next == Step::Stop {
            break;
        }
        it.advance();
        *lines += 1;
        if next == Step::TakeLast {
            break;
        }
    }
}

/// esbuild's `✘ [ERROR] Expected ">" but found "{"` over its indented paragraphs (the file and
/// position, the quoted line and its marker), blank lines between, and its count of errors
/// (`1 error`) last.
pub(super) fn indented_paragraphs(it: &mut Lines, lines: &mut usize) {
    let is_count = |l: &[u8]| {
        let t = l.trim_ascii_end();
        let digits = t.iter().take_while(|b| b.is_ascii_digit()).count();
        digits > 0 && matches!(&t[digits..], b" error" | b" errors")
    };
    walk_lines(it, lines, 60, |it, l| {
        if is_count(l) {
            Step::TakeLast
        } else if is_blank(l) {
            Step::take_if(
                it.peek_past_blanks(2)
                    .is_some_and(|n| is_indented(n) || is_count(n)),
            )
        } else {
            Step::take_if(is_indented(l))
        }
    });
}

/// Nextflow's `ERROR ~ Error executing process > '…'` over its report: `Caused by:`,
/// `Command executed:`, `Work dir:` and the like over indented paragraphs, a `Tip:`, and
/// ` -- Check '.nextflow.log' file for details` last.
pub(super) fn nextflow_report(it: &mut Lines, lines: &mut usize) {
    walk_lines(it, lines, 120, |_, l| {
        if l.starts_with(b" -- Check ") {
            Step::TakeLast
        } else {
            Step::take_if(is_blank(l) || is_indented(l) || l.starts_with(b"Tip: ") || is_section(l))
        }
    });
}

/// A heading of Nextflow's report: a few words ending in `:` (`Command exit status:`).
fn is_section(l: &[u8]) -> bool {
    let t = l.trim_ascii_end();
    t.ends_with(b":") && t.len() <= 32 && t.first().is_some_and(u8::is_ascii_uppercase)
}

pub(super) fn pytest_section(it: &mut Lines, lines: &mut usize) {
    const MOST: usize = 400;
    let start_lines = *lines;
    while *lines - start_lines < MOST {
        let Some((_, l)) = it.peek() else { break };
        let t = l.trim_ascii_start();
        if t.starts_with(b"___") || t.starts_with(b"===") || starts_record(l) {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

/// Whether a frame line comes within a few lines after `skip` lines from the cursor, with
/// only message lines between (no log record, no tool prefix): a Java exception whose
/// message runs over lines (`stdout:`, `stderr: remote: Invalid username or password.`,
/// `fatal: Authentication failed …`) before its `\tat` frames. How many lines lie between.
pub(super) fn frames_follow(it: &Lines, skip: usize) -> Option<usize> {
    const REACH: usize = 10;
    let mut probe = Lines {
        buf: it.buf,
        next: it.next,
    };
    for _ in 0..skip {
        probe.advance();
    }
    for n in 0..REACH {
        let (_, l) = probe.peek()?;
        if super::lines::is_frame(l) {
            return Some(n);
        }
        if starts_record(l) || super::lines::run_prefix(l).is_some() {
            return None;
        }
        probe.advance();
    }
    None
}

/// Terraform's error report: `Error: Unsupported argument` alone on its line, a blank line,
/// then paragraphs (`on main.tf line 18, in module "network":`, the source line, the
/// explanation) separated by single blank lines, up to the next command's `$ ` line, another
/// `Error:`/`Warning:`, a log record or two blank lines. Trailing blank lines are left out.
pub(super) fn is_report_summary(first: &[u8], it: &Lines) -> bool {
    let t = first
        .strip_prefix("│ ".as_bytes())
        .unwrap_or(first)
        .trim_ascii_end();
    let Some(summary) = t.strip_prefix(b"Error: ") else {
        return false;
    };
    summary.first().is_some_and(u8::is_ascii_uppercase)
        && summary.len() < 80
        && !summary.contains(&b':')
        && !summary.contains(&b'\'')
        && it.peek().is_some_and(|(_, l)| is_blank(l))
        && it.peek2().is_some_and(|l| !is_blank(l) && !ends_report(l))
}

fn ends_report(l: &[u8]) -> bool {
    let t = l.strip_prefix("│ ".as_bytes()).unwrap_or(l);
    t.starts_with(b"$ ")
        || t.starts_with(b"Error: ")
        || t.starts_with(b"Warning: ")
        || starts_record(t)
}

pub(super) fn report_paragraphs(it: &mut Lines, lines: &mut usize) {
    const MOST: usize = 80;
    let start_lines = *lines;
    let (mut end_next, mut end_lines) = (it.next, *lines);
    while *lines - start_lines < MOST {
        let Some((_, l)) = it.peek() else { break };
        if ends_report(l) || (is_blank(l) && it.peek2().is_none_or(is_blank)) {
            break;
        }
        it.advance();
        *lines += 1;
        if !is_blank(l) {
            (end_next, end_lines) = (it.next, *lines);
        }
    }
    it.next = end_next;
    *lines = end_lines;
}

/// An exception named alone on its line, its message on the lines below (Prisma's
/// `PrismaClientInitializationError:`, then the invocation, blank lines, `Can't reach database
/// server at …`, advice, then the stack): the class ends in `Error`/`Exception`, nothing
/// follows its colon, and message text (not a record) comes next.
pub(super) fn is_headline_exception(first: &[u8], it: &Lines) -> bool {
    let t = first.trim_ascii_end();
    let Some(name) = t.strip_suffix(b":") else {
        return false;
    };
    name.first().is_some_and(u8::is_ascii_uppercase)
        && name.len() < 80
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
        && (name.ends_with(b"Error") || name.ends_with(b"Exception"))
        && it
            .peek()
            .is_some_and(|(_, l)| !is_blank(l) && !starts_record(l) && !is_indented(l))
}

/// The body of a headline exception: message paragraphs (single or double blank lines
/// between them), then its frames, up to the first line after the frames that is not one, a
/// record, or three blank lines. Trailing blank lines are left out.
pub(super) fn headline_body(it: &mut Lines, lines: &mut usize) {
    let (mut in_frames, mut blanks) = (false, 0usize);
    take_block(it, lines, 80, |l| {
        let frame = super::lines::is_frame(l);
        if starts_record(l) || (in_frames && !frame) || blanks > 2 {
            return false;
        }
        in_frames |= frame;
        blanks = if is_blank(l) { blanks + 1 } else { 0 };
        true
    });
}

/// A report that runs to the next timestamped record: Oracle's `Fatal NI connect error
/// 12170` block (the address, version lines, `Tns error struct:`, `TNS-12535: TNS:operation
/// timed out`, the error codes). Trailing blank lines are left out.
pub(super) fn until_next_record(it: &mut Lines, lines: &mut usize) {
    take_block(it, lines, 40, |l| !starts_record(l));
}

/// A record of Event Viewer's text export (`Error⇥11/22/2026 3:15:23 AM⇥Service Control
/// Manager⇥7000⇥None⇥"The … service failed to start due to the following error: `) whose
/// quoted message runs on over the lines below, to the line that closes the quote.
pub(super) fn is_windows_export_record(first: &[u8]) -> bool {
    let levels: [&[u8]; 5] = [
        b"Error\t",
        b"Warning\t",
        b"Critical\t",
        b"Information\t",
        b"Audit Failure\t",
    ];
    levels.iter().any(|l| first.starts_with(l))
        && first.iter().filter(|&&b| b == b'\t').count() >= 5
        && first.iter().filter(|&&b| b == b'"').count() % 2 == 1
}

/// The rest of such a record: its lines to the one that ends the quoted message (`""` is a
/// quote inside it), at most 60.
pub(super) fn windows_export_record(it: &mut Lines, lines: &mut usize) {
    let mut open = true;
    take_block(it, lines, 60, |l| {
        let take = open;
        let quotes = l.iter().filter(|&&b| b == b'"').count();
        if quotes % 2 == 1 {
            open = false;
        }
        take
    });
}

/// PowerShell's error record: `Remove-Item : Cannot remove item …` over the script position
/// it was raised at (`At C:\Scripts\Sync.ps1:131 char:13`), the offending code and its
/// `~~~` underline, `+ CategoryInfo …` and `+ FullyQualifiedErrorId …`.
pub(super) fn is_powershell_position(l: &[u8]) -> bool {
    let t = l.trim_ascii_end();
    t.starts_with(b"At ")
        && t.windows(6).any(|w| w == b" char:")
        && t.last().is_some_and(u8::is_ascii_digit)
}

/// A line of such a record under its position: the code and underline (`+     Remove-Item
/// …`, `+ ~~~`) and the record's fields (`    + CategoryInfo : …`).
pub(super) fn is_powershell_record_line(l: &[u8]) -> bool {
    trim_start(l).starts_with(b"+")
}

/// The rest of a PowerShell error record: its position and the `+` lines under it.
pub(super) fn powershell_record(it: &mut Lines, lines: &mut usize) {
    let mut first = true;
    take_block(it, lines, 12, |l| {
        let take = if first {
            is_powershell_position(l)
        } else {
            is_powershell_record_line(l)
        };
        first = false;
        take
    });
}

/// A report framed by rulers, as Chef prints a failed resource or run: a `====` ruler, the
/// headline (``Error executing action `create` on resource …``), the ruler again, then
/// sections under `----` underlines (the exception, `Resource Declaration:`, `System Info:`).
/// The headline is where it starts; the next line must be the ruler.
pub(super) fn is_ruled_headline(first: &[u8], it: &Lines) -> bool {
    let ruler = |l: &[u8]| {
        let t = l.trim_ascii();
        t.len() >= 40 && t.iter().all(|&b| b == b'=')
    };
    !ruler(first) && it.peek().is_some_and(|(_, l)| ruler(l))
}

/// The rest of such a report: to the next record, or to the line where the tool moves on
/// (Chef's `Running handlers:`), at most 80 lines.
pub(super) fn ruled_report(it: &mut Lines, lines: &mut usize) {
    take_block(it, lines, 80, |l| {
        !starts_record(l) && l.trim_ascii() != b"Running handlers:"
    });
}

/// Takes lines while `take` says so, at most `most`, leaving out the blank lines at its end.
fn take_block(it: &mut Lines, lines: &mut usize, most: usize, mut take: impl FnMut(&[u8]) -> bool) {
    let start_lines = *lines;
    let (mut end_next, mut end_lines) = (it.next, *lines);
    while *lines - start_lines < most {
        let Some((_, l)) = it.peek() else { break };
        if !take(l) {
            break;
        }
        it.advance();
        *lines += 1;
        if !is_blank(l) {
            (end_next, end_lines) = (it.next, *lines);
        }
    }
    it.next = end_next;
    *lines = end_lines;
}

/// A record announces a body on the lines after it when it ends with `:` (Spring's failure
/// analysis, "Exception in worker process:") or a goroutine dump follows (`http: panic serving`).
pub(super) fn announces_body(first: &[u8], it: &Lines) -> bool {
    let t = first.trim_ascii_end();
    t.ends_with(b":") || it.peek().is_some_and(|(_, l)| l.starts_with(b"goroutine "))
}

/// How many unstamped message lines lie between a record and the traceback logged with it
/// (`None` when a record, a frame, another failure or `REACH` lines come first, or when the
/// traceback follows at once — that is the plain header-then-traceback shape).
pub(super) fn traceback_below(it: &Lines) -> Option<usize> {
    // Message text only: a record (a timestamp or a level of its own, an access log's
    // `[01/May/2024:12:00:00 +0000]` anywhere in it), a frame (indented, or a Go dump's
    // `+0x` lines), or another failure ends the search.
    lines_before(it, is_traceback_start, |l| {
        starts_record(l)
            || (super::level_of(l).is_some() && !is_sentence(l))
            || has_timestamp(l)
            || is_indented(l)
            || starts_failure(l)
            || l.starts_with(b"goroutine ")
            || contains(l, b"+0x")
    })
}

/// How many lines lie between `it` and the first line that is `wanted`, within 24 lines and
/// none of them one that `ends` the search; `None` when there is none, or it is the next.
fn lines_before(
    it: &Lines,
    wanted: impl Fn(&[u8]) -> bool,
    ends: impl Fn(&[u8]) -> bool,
) -> Option<usize> {
    const REACH: usize = 24;
    let mut probe = Lines {
        buf: it.buf,
        next: it.next,
    };
    for n in 0..REACH {
        let (_, l) = probe.peek()?;
        if wanted(l) {
            return (n > 0).then_some(n);
        }
        if ends(l) {
            return None;
        }
        probe.advance();
    }
    None
}

/// How many unstamped lines lie between an error record and the stack frames under them
/// (electron-log's `[error] Error: … HttpError: 404` over the response it quotes — a
/// quoted body, `Headers: {`, its indented fields, `}` — then `    at createHttpError (…)`).
/// `None` when a record, a blank line, another failure or `REACH` lines come first, or when
/// the frames follow at once.
pub(super) fn frames_below(it: &Lines) -> Option<usize> {
    lines_before(it, is_call_frame, |l| {
        starts_record(l)
            || is_blank(l)
            || starts_failure(l)
            || is_traceback_start(l)
            // Another record of any format (logfmt, JSON, an access log) at the margin; a
            // sentence naming an error (`Failed to renew … with error: …`) is none.
            || (!is_indented(l)
                && ((super::level_of(l).is_some() && !is_sentence(l)) || has_timestamp(l)))
    })
}

/// A JavaScript, Java or .NET frame: `    at createHttpError (C:\app\x.js:21:12)`,
/// `    at node:events:519:28` — not prose that starts with "at" (`    at least 2 replicas`).
fn is_call_frame(l: &[u8]) -> bool {
    let t = trim_start(l).trim_ascii_end();
    let Some(rest) = t.strip_prefix(b"at ") else {
        return false;
    };
    let ends_in_position = {
        let digits = rest.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        digits > 0 && rest[..rest.len() - digits].ends_with(b":")
    };
    is_indented(l) && (rest.ends_with(b")") || ends_in_position)
}

/// Whether a line carries a time of its own, wherever the record puts it.
fn has_timestamp(l: &[u8]) -> bool {
    crate::timestamp::present(&String::from_utf8_lossy(l))
}

/// A line of prose (`The delivery info for this task is:`): a capitalised word, then words
/// — a level word inside it is part of the sentence, not a record's level.
fn is_sentence(l: &[u8]) -> bool {
    let word = l.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    word >= 2
        && l[0].is_ascii_uppercase()
        && l[1..word].iter().all(u8::is_ascii_lowercase)
        && l.get(word) == Some(&b' ')
}

/// The body of a timestamped record: following lines up to the next record start (Spring's
/// failure reports, Go's `http: panic serving` dumps, messages with blank lines inside).
/// Trailing blank lines are left out.
pub(super) fn record_body(it: &mut Lines, lines: &mut usize) {
    body_until(it, lines, false);
}

/// The lines of a record's body up to the next record (or, unless `past_failures`, the next
/// failure after its first line), trailing blank lines left out.
fn body_until(it: &mut Lines, lines: &mut usize, past_failures: bool) {
    const MAX_BODY_LINES: usize = 300;
    let start_lines = *lines;
    let mut end_next = it.next;
    let mut end_lines = *lines;
    while *lines < MAX_EVENT_LINES && *lines - start_lines < MAX_BODY_LINES {
        let Some((_, l)) = it.peek() else { break };
        let first_body_line = *lines == start_lines;
        if starts_record(l) || (!past_failures && !first_body_line && starts_failure(l)) {
            break;
        }
        // Another program's record in its own format: a JSON line with a level, a line behind
        // `docker compose`'s prefix.
        if !is_indented(l)
            && ((l.starts_with(b"{\"") && super::level_of(l).is_some())
                || super::carrier::behind_compose_prefix(l).len() < l.len())
        {
            break;
        }
        it.advance();
        *lines += 1;
        if !is_blank(l) {
            end_next = it.next;
            end_lines = *lines;
        }
    }
    it.next = end_next;
    *lines = end_lines;
}

/// A record whose report follows after a blank line, unstamped (Ghost's `[2026-12-07
/// 07:12:44] ERROR "GET /tag/homelab/" 500 60013ms`, a blank line, then `Knex: Timeout
/// acquiring a connection…`, its `Error ID:` and its stack); not a tool's summary table after
/// its last record (fastlane's `+------+`).
pub(super) fn body_after_blank(it: &Lines) -> bool {
    it.peek().is_some_and(|(_, l)| is_blank(l))
        && it
            .peek2()
            .is_some_and(|l| l.first().is_some_and(u8::is_ascii_alphabetic) && !starts_record(l))
}

/// [`record_body`] for a report set off by blank lines: it runs to the next record, through
/// the exception lines it holds.
pub(super) fn record_body_past_failures(it: &mut Lines, lines: &mut usize) {
    body_until(it, lines, true);
}

/// A one-line record keeps its indented continuation lines (multi-line messages, psql's
/// hints) and a tool's closing `fatal:` line (git).
pub(super) fn line_trailer(it: &mut Lines, lines: &mut usize) {
    // Elixir's exception (`** (MatchError) no match of right hand side value:`) is followed by
    // the value and the stack, indented, with blank lines between.
    let mut elixir = false;
    // PHP's uncaught exception (`PHP Fatal error:  Uncaught …`, through PHP-FPM and nginx
    // too): `Stack trace:`, then numbered frames (`#0 /app/x.php(39): f()`, `#1 {main}`) and
    // `  thrown in … on line N`.
    let mut php = false;
    // Ruby prints an exception's cause after its frames, from the frame it was raised in
    // (`db.rb:55:in 'exec': PG::UnableToSend: … (ActiveRecord::StatementInvalid)`).
    let mut after_ruby_frame = false;
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        if std::mem::replace(&mut after_ruby_frame, is_ruby_frame(l)) && is_ruby_raise_site(l) {
            it.advance();
            *lines += 1;
            continue;
        }
        php |= l.trim_ascii_end() == b"Stack trace:" || l.starts_with(b"PHP Stack trace:");
        if php && (l.trim_ascii_end().ends_with(b"Stack trace:") || is_php_frame(l)) {
            it.advance();
            *lines += 1;
            continue;
        }
        // Erlang's report lines (`** Reason for termination =`) continue their heading;
        // xcodebuild's `** ARCHIVE FAILED **` banner does not.
        let erlang = l.starts_with(b"** ") && !l.trim_ascii_end().ends_with(b" **");
        elixir |= l.starts_with(b"** (");
        let gap = elixir && is_blank(l) && it.peek_past_blanks(1).is_some_and(is_indented);
        if !(is_indented(l) || l.starts_with(b"fatal: ") || erlang || gap)
            || super::lines::is_indented_record(l)
            || is_test_mark(l)
        {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

/// A frame of PHP's stack trace: `#0 /app/x.php(39): f()`, `#1 {main}`, or `PHP   1. …`.
fn is_php_frame(l: &[u8]) -> bool {
    let t = l.strip_prefix(b"PHP ").unwrap_or(l).trim_ascii_start();
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    match t.strip_prefix(b"#") {
        Some(rest) => digits(rest) > 0 && rest[digits(rest)..].starts_with(b" "),
        None => digits(t) > 0 && t[digits(t)..].starts_with(b". "),
    }
}

/// A test runner's line for one test, marked passed or failed (`✓ renders the 404 page
/// (633ms)`, `✕ …`), behind a CI step's prefix: a record of its own, not a continuation of the
/// heading above it (Cypress's `  Error pages` suite over its tests).
fn is_test_mark(l: &[u8]) -> bool {
    let t = behind_step(l).trim_ascii_start();
    ["✓ ", "✔ ", "√ ", "✕ ", "✗ ", "× "]
        .iter()
        .any(|m| t.starts_with(m.as_bytes()))
}

/// The further records of a tagged Ruby Logger report (see
/// [`super::lines::tagged_record_key`]): the same request's records at the same level.
pub(super) fn tagged_report(it: &mut Lines, lines: &mut usize, key: [&[u8]; 3]) {
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        if super::lines::tagged_record_key(l) != Some(key) {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

/// .NET's seams inside one stack: `--- End of stack trace from previous location … ---`,
/// `--- End of inner exception stack trace ---`.
fn is_dotnet_stack_seam(l: &[u8]) -> bool {
    l.starts_with(b"--- End of ")
}

/// The BuildKit step a line belongs to (`#6`), if it names one.
fn step_of(l: &[u8]) -> &[u8] {
    match step_prefix_len(l) {
        0 => b"",
        _ => l.split(|&b| b == b' ').next().unwrap_or(b""),
    }
}
