//! Multi-line secrets.
//!
//! Key material: PEM (`-----BEGIN … PRIVATE KEY-----`), OpenSSH, PGP private key blocks,
//! PuTTY files and ssh.com blocks are hidden from BEGIN through END — across lines (LF or
//! CRLF), across `\n` escapes inside one JSON line, and with log prefixes on each line. When
//! the BEGIN line is out of view (a key longer than the excerpt), the END line hides the
//! base64 body above it; with neither in view, two or more consecutive base64 lines of key
//! width (60–76 characters) are taken for a key body. Public keys and certificates stay.
//!
//! YAML: a block scalar under a secret name (`private_key: |`, `client_secret: >-`) hides its
//! indented lines; a Kubernetes `kind: Secret` hides every value under `data:` and
//! `stringData:`, in YAML or JSON.

use super::keyed::{Strength, strength};
use super::{Span, entropy};
use regex::Regex;
use std::sync::LazyLock;

/// The first line of any private key armor.
static BEGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----|PuTTY-User-Key-File-[23]:")
        .unwrap_or_else(|e| panic!("key begin: {e}"))
});

/// Its last line (PuTTY files end with their MAC).
static END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|---- END SSH2 ENCRYPTED PRIVATE KEY ----|Private-MAC:\s*[0-9a-f]+")
        .unwrap_or_else(|e| panic!("key end: {e}"))
});

/// Armor header lines inside a key block (encrypted PEM, PuTTY, PGP).
static ARMOR_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:Proc-Type|DEK-Info|Comment|Encryption|Public-Lines|Private-Lines|Version|Charset|Hash):")
        .unwrap_or_else(|e| panic!("armor header: {e}"))
});

static END_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
        .unwrap_or_else(|e| panic!("key end: {e}"))
});

/// The base64 at the end of a line (after any log prefix): a key body line; or a whole
/// line of base64 (the short last line of a body).
static BODY_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([A-Za-z0-9+/]{40,}={0,2})\s*$|^\s*([A-Za-z0-9+/]{4,}={0,2})\s*$")
        .unwrap_or_else(|e| panic!("key body: {e}"))
});

static BLOCK_SCALAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^([ \t-]*)["']?([A-Za-z_][A-Za-z0-9_.\-]*)["']?:[ \t]*[|>][-+0-9]*[ \t]*$"#)
        .unwrap_or_else(|e| panic!("block scalar: {e}"))
});

static K8S_SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^kind:\s*Secret\s*$").unwrap_or_else(|e| panic!("k8s secret: {e}"))
});

static JSON_SECRET_KIND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\\*"kind\\*"\s*:\s*\\*"Secret\\*""#)
        .unwrap_or_else(|e| panic!("k8s json secret: {e}"))
});

static JSON_DATA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\\*"(?:data|stringData)\\*"\s*:\s*\{([^{}]*)\}"#)
        .unwrap_or_else(|e| panic!("k8s json data: {e}"))
});

static JSON_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\\*"[^"\\]*\\*"\s*:\s*\\*"([^"\\]+)"#)
        .unwrap_or_else(|e| panic!("k8s json value: {e}"))
});

/// Spans of multi-line secrets.
pub(super) fn find(text: &str, out: &mut Vec<Span>) {
    armored(text, out);
    body_lines(text, out);
    block_scalars(text, out);
    kubernetes_secrets(text, out);
}

/// BEGIN through END, on one line (escaped `\n`) or many. An END is looked for only before
/// the next BEGIN: a key without one ends with its body (the lines of key material after
/// BEGIN), never at another key's END — which once swallowed every line in between.
fn armored(text: &str, out: &mut Vec<Span>) {
    let begins: Vec<_> = BEGIN.find_iter(text).collect();
    for (k, b) in begins.iter().enumerate() {
        let limit = begins.get(k + 1).map_or(text.len(), |n| n.start());
        let end = match END.find(&text[b.end()..limit]) {
            Some(e) => b.end() + e.end(),
            None => unterminated_end(text, b.end(), limit),
        };
        out.push(Span::new(b.start(), end, "private_key"));
    }
}

/// Where a key with no END in view ends: the closing quote of a one-line JSON string, or the
/// last line of key material (base64, armor headers, a mangled END line) below BEGIN.
fn unterminated_end(text: &str, from: usize, limit: usize) -> usize {
    let line_end = text[from..].find('\n').map_or(text.len(), |i| from + i);
    let rest = &text[from..line_end];
    if rest.contains("\\n") {
        let close = rest
            .char_indices()
            .find(|&(i, c)| c == '"' && !rest[..i].ends_with('\\'))
            .map_or(line_end, |(i, _)| from + i);
        return close.min(limit);
    }
    let mut end = line_end;
    let mut pos = line_end + 1;
    while pos < limit.min(text.len()) {
        let next = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..next].trim_end_matches('\r');
        let mangled_end = line.contains("-----END") || line.contains("---- END");
        if mangled_end
            || ARMOR_HEADER.is_match(line)
            || body_tail(text, (pos, pos + line.len()), false).is_some()
        {
            end = pos + line.len();
            if mangled_end {
                break;
            }
            pos = next + 1;
        } else {
            break;
        }
    }
    end.min(limit).max(from)
}

/// Byte ranges of each line: (start, end without the line break).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            out.push((start, end));
            start = i + 1;
        }
    }
    out.push((start, text.len()));
    out
}

/// The base64 tail of a line when it can be a key body line: long and, when `strict` (no
/// key marker in view), random-looking.
fn body_tail(text: &str, (s, e): (usize, usize), strict: bool) -> Option<(usize, usize)> {
    let line = &text[s..e];
    let c = BODY_TAIL.captures(line)?;
    let m = c.get(1).or(if strict { None } else { c.get(2) })?;
    let b64 = m.as_str();
    if !strict {
        return Some((s + m.start(), s + m.end()));
    }
    let classes = [
        b64.bytes().any(|c| c.is_ascii_lowercase()),
        b64.bytes().any(|c| c.is_ascii_uppercase()),
        b64.bytes().any(|c| c.is_ascii_digit()),
    ]
    .iter()
    .filter(|&&x| x)
    .count();
    (classes >= 2 && entropy(b64) >= 4.0).then_some((s + m.start(), s + m.end()))
}

/// Key body lines whose BEGIN is out of view: above an END line, and runs of two or more
/// key-width base64 lines.
fn body_lines(text: &str, out: &mut Vec<Span>) {
    let ls = lines(text);
    for (i, &(s, e)) in ls.iter().enumerate() {
        if !END_LINE.is_match(&text[s..e]) {
            continue;
        }
        for &l in ls[..i].iter().rev() {
            let Some(b) = body_tail(text, l, false) else {
                break;
            };
            out.push(Span::new(b.0, b.1, "private_key"));
        }
    }
    let bodies: Vec<Option<(usize, usize)>> =
        ls.iter().map(|&l| body_tail(text, l, true)).collect();
    let width = |b: (usize, usize)| (60..=76).contains(&(b.1 - b.0));
    let mut i = 0;
    while i < bodies.len() {
        let mut j = i;
        while j < bodies.len() && bodies[j].is_some_and(width) {
            j += 1;
        }
        if j - i >= 2 {
            // The last line of a body is usually shorter; it belongs to the run too.
            let end = if j < bodies.len() { j + 1 } else { j };
            for b in bodies[i..end].iter().flatten() {
                out.push(Span::new(b.0, b.1, "private_key"));
            }
        }
        i = j.max(i + 1);
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// `name: |` (or `>-` …) under a secret name: the more indented lines below are its value.
fn block_scalars(text: &str, out: &mut Vec<Span>) {
    for c in BLOCK_SCALAR.captures_iter(text) {
        let (Some(all), Some(lead), Some(name)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        if strength(name.as_str()) != Strength::Strong {
            continue;
        }
        indented_below(text, all.end(), lead.as_str().len(), "secret", out);
    }
}

/// Hides the lines after `from` that are indented deeper than `level` (blank lines included).
fn indented_below(text: &str, from: usize, level: usize, kind: &'static str, out: &mut Vec<Span>) {
    let mut pos = from + usize::from(text[from..].starts_with('\n'));
    let (mut first, mut last) = (None, None);
    for line in text[pos..].split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if !content.trim().is_empty() && indent(content) <= level {
            break;
        }
        if !content.trim().is_empty() {
            first.get_or_insert(pos + indent(content));
            last = Some(pos + content.len());
        }
        pos += line.len();
    }
    if let (Some(f), Some(l)) = (first, last) {
        out.push(Span::new(f, l, kind));
    }
}

/// A Kubernetes Secret: every value under `data:` and `stringData:` (base64 or plain).
fn kubernetes_secrets(text: &str, out: &mut Vec<Span>) {
    if JSON_SECRET_KIND.is_match(text) {
        json_secret_data(text, out);
    }
    if !K8S_SECRET.is_match(text) {
        return;
    }
    let mut in_data: Option<usize> = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        let level = indent(content);
        match in_data {
            Some(l) if !trimmed.is_empty() && level > l => {
                if let Some((_, v)) = trimmed.split_once(':')
                    && v.trim().len() >= 3
                {
                    let vs = pos + content.len() - v.trim_start().len();
                    out.push(Span::new(
                        vs,
                        pos + content.trim_end().len(),
                        "kubernetes_secret",
                    ));
                }
            }
            _ if trimmed.starts_with("data:") || trimmed.starts_with("stringData:") => {
                in_data = trimmed
                    .split_once(':')
                    .filter(|(_, v)| v.trim().is_empty())
                    .map(|_| level);
            }
            _ if !trimmed.is_empty() => in_data = None,
            _ => {}
        }
        pos += line.len();
    }
}

/// A Kubernetes Secret as JSON (`kubectl get -o json`, the last-applied annotation, audit
/// logs), escaped or not: every value in its `data` and `stringData` objects.
fn json_secret_data(text: &str, out: &mut Vec<Span>) {
    for data in JSON_DATA.captures_iter(text) {
        let Some(body) = data.get(1) else { continue };
        for v in JSON_VALUE.captures_iter(body.as_str()) {
            if let Some(m) = v.get(1) {
                out.push(Span::new(
                    body.start() + m.start(),
                    body.start() + m.end(),
                    "kubernetes_secret",
                ));
            }
        }
    }
}
