//! Secret redaction: every report, export, prompt, audit entry and copied text passes through
//! here first, and the window masks what it shows with it.
//!
//! Detectors look at the same text and each proposes byte spans to hide; overlapping spans are
//! merged, so a secret is always replaced whole (never a tail left behind), and each span
//! becomes `[REDACTED:<kind>]`. The detectors:
//! - `shapes`: vendor tokens recognized by their own shape — prefixes, lengths, fixed markers —
//!   with no key name needed ("Incorrect API key provided: <token>");
//! - `keyed`: a value after a name that says secret, in every syntax logs use (`k=v`, JSON and
//!   escaped JSON, `=>`, Go and Rust struct dumps, Python calls and argv lists, XML elements
//!   and attributes, YAML, percent-encoded forms, `--flag value`);
//! - `structural`: credentials placed by syntax rather than by name — URL userinfo,
//!   `Authorization` schemes, cookies, tool command lines (`curl -u`, `mysql -p`, `docker
//!   login -p`, `sshpass`, `openssl pass:`), `.netrc`, SQL `IDENTIFIED BY`, signed URLs;
//! - `blocks`: multi-line key material (PEM, OpenSSH, PGP, PuTTY bodies, with or without their
//!   BEGIN line in view), YAML block scalars under a secret key, Kubernetes Secret data.
//!
//! Look-alikes stay: git SHAs, UUIDs and digests with no secret name beside them, state words
//! (`token: expired`), messages (`password authentication failed`), placeholders and masks.
//! Redaction is idempotent: a `[REDACTED:…]` marker is never matched again.

mod blocks;
mod issue;
mod keyed;
mod shapes;
mod structural;
#[cfg(test)]
mod tests;

pub use issue::{RedactMemo, redact_issue, redact_issue_with};

use regex::Regex;
use std::collections::BTreeMap;

/// One secret found: its kind and a masked preview that shows its shape, never its content
/// (`ghp_•••• (40 chars)`, `password=•••• (11 chars)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: &'static str,
    pub preview: String,
    /// A hash of the secret, so that one password seen in the title, a capture and the
    /// excerpt is listed once (see [`distinct`]); the secret itself is not kept.
    digest: u64,
}

/// The findings with repeats of the same secret left out, first sighting kept.
pub fn distinct(findings: impl IntoIterator<Item = Finding>) -> Vec<Finding> {
    let mut seen = std::collections::HashSet::new();
    findings
        .into_iter()
        .filter(|f| seen.insert((f.kind, f.digest)))
        .collect()
}

/// Text with secrets replaced, and what was replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    /// How many secrets of each kind.
    pub counts: BTreeMap<&'static str, usize>,
    /// Each secret, in the order found in the text.
    pub findings: Vec<Finding>,
}

impl Redacted {
    /// A further pass over this text: its text, and what it found besides.
    fn then(&mut self, next: Redacted) {
        self.text = next.text;
        for (kind, n) in next.counts {
            *self.counts.entry(kind).or_insert(0) += n;
        }
        self.findings.extend(next.findings);
    }

    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }
}

/// A byte range of the text to hide, and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    kind: &'static str,
    /// Bytes at the start that may stay visible in the preview (a public prefix like `ghp_`).
    visible: usize,
}

impl Span {
    fn new(start: usize, end: usize, kind: &'static str) -> Span {
        Span {
            start,
            end,
            kind,
            visible: 0,
        }
    }
}

const MARKER: &str = "[REDACTED:";
/// What the finders see in place of a marker's bytes: not a word, space, quote or base64.
const MARKER_FILLER: u8 = 0x01;

/// The pattern with ASCII word boundaries. Secrets are ASCII; a Unicode `\b` makes the regex
/// engine leave its fast DFA for the PikeVM on any text with a non-ASCII letter (a line with
/// one `é` took 50× longer).
pub(super) fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push_str("(?-u:\\b)"),
            Some(n) => {
                out.push('\\');
                out.push(n);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// A redaction regex (a constant of this module, tested in full: a bad one is a bug every
/// test catches).
pub(super) fn regex(pattern: &str) -> Regex {
    Regex::new(&ascii_boundaries(pattern))
        .unwrap_or_else(|e| panic!("redaction pattern {pattern}: {e}"))
}

/// Replaces every secret in `text` with `[REDACTED:<kind>]`.
/// Builds the redactor's automata (~15 ms of work, done once per process) on a thread of its
/// own, so that a scan's first issue is not kept waiting for them: its excerpt is redacted
/// before anything leaves the process.
pub fn warm_up() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let started = std::thread::Builder::new()
            .name("healdeck-redactor".into())
            .spawn(|| {
                let _ =
                    redact("password=hunter2 Authorization: Bearer abc.def.ghi user@example.com");
            });
        if let Err(e) = started {
            tracing::debug!("redactor warm-up thread not started: {e}");
        }
    });
}

pub fn redact(text: &str) -> Redacted {
    let first = spans(text);
    if first.is_empty() {
        return apply(text, &first);
    }
    let mut r = apply(text, &first);
    // Until nothing more is found: replacing a secret can put what followed it in a new
    // place (beside a key name, inside a quoted value), and redacting twice must change
    // nothing. One more look almost always finds nothing.
    for _ in 0..MAX_PASSES {
        let more = spans(&r.text);
        if more.is_empty() {
            break;
        }
        let next = apply(&r.text, &more);
        r.then(next);
    }
    r
}

/// Looks after the first (see [`redact`]).
const MAX_PASSES: usize = 4;

/// Where the secrets of `text` are, merged so each is hidden whole.
fn spans(text: &str) -> Vec<Span> {
    let original = text;
    let protected = markers(text);
    // The finders see markers as inert filler of the same length: the kind written in a
    // marker (`[REDACTED:secret]`) must not act as a key name for what follows it, or
    // redacting twice would find more than once.
    let masked;
    let text = if protected.is_empty() {
        text
    } else {
        let mut bytes = text.as_bytes().to_vec();
        for m in &protected {
            bytes[m.start..m.end].fill(MARKER_FILLER);
        }
        masked = String::from_utf8(bytes).unwrap_or_else(|_| text.to_string());
        masked.as_str()
    };
    let mut spans = Vec::new();
    blocks::find(text, &mut spans);
    shapes::find(text, &mut spans);
    structural::find(text, &mut spans);
    keyed::find(text, &mut spans);
    spans.retain(|s| s.start < s.end);
    if !protected.is_empty() {
        // A value that begins with a marker was redacted before: the marker stands for it,
        // and what follows was judged not part of it then.
        spans.retain(|s| {
            !protected
                .iter()
                .any(|m| m.start <= s.start && s.start < m.end)
        });
        spans = spans
            .into_iter()
            .flat_map(|s| around(original, s, &protected))
            .collect();
    }
    merge(spans)
}

/// The parts of `s` outside the markers (sorted, disjoint): a marker already in the text is
/// never matched again, and what a span held beside it is still hidden — unless it is only
/// punctuation (the quote and semicolon after a marker), which no secret is.
fn around(text: &str, s: Span, markers: &[Span]) -> Vec<Span> {
    let mut parts = Vec::new();
    let mut from = s.start;
    for m in markers.iter().filter(|m| overlaps(&s, m)) {
        if m.start > from {
            parts.push(Span {
                start: from,
                end: m.start,
                ..s
            });
        }
        from = from.max(m.end);
    }
    if from < s.end {
        parts.push(Span { start: from, ..s });
    }
    parts.retain(|p| {
        text.get(p.start..p.end)
            .is_some_and(|t| t.chars().any(char::is_alphanumeric))
    });
    parts
}

/// Redacts texts that belong together (the lines before an event, then the event) as one,
/// so a key whose BEGIN line is in one part and body in the next is still recognized; each
/// part comes back redacted on its own, and the findings count each secret once.
pub fn redact_parts(parts: &[&str]) -> (Vec<String>, Redacted) {
    let (mut out, mut joint) = redact_parts_once(parts);
    for _ in 0..MAX_PASSES {
        if joint.findings.is_empty() {
            break;
        }
        let refs: Vec<&str> = out.iter().map(String::as_str).collect();
        let (next, more) = redact_parts_once(&refs);
        if more.findings.is_empty() {
            break;
        }
        out = next;
        joint.then(more);
    }
    (out, joint)
}

fn redact_parts_once(parts: &[&str]) -> (Vec<String>, Redacted) {
    let joined = parts.join("\n");
    let all = spans(&joined);
    let mut out = Vec::with_capacity(parts.len());
    let mut offset = 0;
    for part in parts {
        let (a, b) = (offset, offset + part.len());
        let local: Vec<Span> = all
            .iter()
            .filter(|s| s.start < b && s.end > a)
            .map(|s| Span {
                start: s.start.max(a) - a,
                end: s.end.min(b) - a,
                ..*s
            })
            .collect();
        out.push(apply(part, &local).text);
        offset = b + 1;
    }
    (out, apply(&joined, &all))
}

fn overlaps(a: &Span, b: &Span) -> bool {
    a.start < b.end && b.start < a.end
}

/// The `[REDACTED:kind]` markers already in the text (exactly that: a kind of lowercase
/// letters, digits and `_`, then `]`), sorted.
fn markers(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(MARKER) {
        let start = from + i;
        let kind = &text[start + MARKER.len()..];
        let len = kind
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(kind.len());
        if len > 0 && kind[len..].starts_with(']') {
            let end = start + MARKER.len() + len + 1;
            out.push(Span::new(start, end, "marker"));
            from = end;
        } else {
            from = start + 1;
        }
    }
    out
}

/// Overlapping or touching spans become one; the earliest span names it (the longest when
/// two start together).
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

fn apply(text: &str, spans: &[Span]) -> Redacted {
    let mut out = String::with_capacity(text.len());
    let mut counts = BTreeMap::new();
    let mut findings = Vec::with_capacity(spans.len());
    let mut last = 0;
    for s in spans {
        let (start, end) = (floor_char(text, s.start), ceil_char(text, s.end));
        if start < last {
            continue;
        }
        out.push_str(&text[last..start]);
        push_marker(&mut out, &text[start..end], s.kind);
        last = end;
        *counts.entry(s.kind).or_insert(0) += 1;
        findings.push(Finding {
            kind: s.kind,
            preview: preview(&text[start..end], s.visible),
            digest: digest(&text[start..end]),
        });
    }
    out.push_str(&text[last..]);
    Redacted {
        text: out,
        counts,
        findings,
    }
}

/// The marker for `secret`, one per line it spans: the text keeps its lines, so an excerpt's
/// line numbers stay those of the file and what followed a key's END stays on its own line.
fn push_marker(out: &mut String, secret: &str, kind: &str) {
    for (i, line) in secret.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let body = line.strip_suffix('\r').unwrap_or(line);
        if i == 0 || !body.trim().is_empty() {
            let lead = &body[..body.len() - body.trim_start().len()];
            if i > 0 {
                out.push_str(lead);
            }
            out.push_str(MARKER);
            out.push_str(kind);
            out.push(']');
        } else {
            out.push_str(body);
        }
        if body.len() < line.len() {
            out.push('\r');
        }
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The first `visible` bytes (a public prefix), then dots, then the length.
fn digest(secret: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    secret.hash(&mut h);
    h.finish()
}

fn preview(secret: &str, visible: usize) -> String {
    let shown = &secret[..floor_char(secret, visible.min(secret.len() / 2))];
    format!("{shown}•••• ({} chars)", secret.chars().count())
}

/// Shannon entropy in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts: BTreeMap<char, usize> = BTreeMap::new();
    for c in s.chars() {
        *counts.entry(c).or_default() += 1;
    }
    let n = s.chars().count() as f64;
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Random-looking: long, mixed character classes, high entropy; not a hex digest or UUID
/// (those identify commits and requests, and are not credentials by themselves).
fn looks_random(s: &str) -> bool {
    let hexish = s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if hexish {
        return false;
    }
    let classes = [
        s.chars().any(|c| c.is_ascii_lowercase()),
        s.chars().any(|c| c.is_ascii_uppercase()),
        s.chars().any(|c| c.is_ascii_digit()),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    s.len() >= 8 && classes >= 2 && entropy(s) >= 3.0
}
