//! Values after a name that says secret, in every syntax logs use:
//! `password=v`, `"api_key": "v"`, escaped and double-escaped JSON (`\"token\":\"v\"`),
//! Ruby `"password"=>"v"` and `:token=>"v"`, Go `{Token:v}` and `map[password:v]`, Rust
//! `token: Some("v")`, Python `connect(password="v")` and argv lists `['--token', 'v']`,
//! `--password v`, XML `<password>v</password>` and `<add key="ApiKey" value="v"/>`, YAML
//! `password: v`, ECS/Kubernetes `{"name":"DB_PASSWORD","value":"v"}`, and percent-encoded
//! `password%3Dv`, `password%253Dv`, `%22client_secret%22%3A%22v%22`.
//!
//! A name that clearly says secret (password, token, secret, api key, credential…) hides any
//! value that is not a placeholder or a state word — a hex string or UUID included
//! (`DD_API_KEY=<32 hex>`, `SECRET_KEY_BASE=<128 hex>`). A name that only says `key` hides
//! values that look random. Names that identify rather than hold a secret (`key_id`,
//! `token_type`, `max_tokens`, `password_policy`, `secret_name`, `--key-file`) hide nothing.

use super::{Span, entropy, looks_random};
use regex::Regex;
use std::sync::LazyLock;

/// How much a name says about its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strength {
    /// Not a secret's name.
    None,
    /// `key`, `code`: only random-looking values are secrets.
    Weak,
    /// Any real value is a secret.
    Strong,
}

/// Words that make a name an identifier, a setting or a count rather than a secret.
const NOT_SECRET_WORDS: &[&str] = &[
    "id",
    "ids",
    "kid",
    "name",
    "names",
    "type",
    "types",
    "path",
    "paths",
    "file",
    "files",
    "dir",
    "url",
    "uri",
    "endpoint",
    "count",
    "counts",
    "length",
    "len",
    "size",
    "limit",
    "policy",
    "ttl",
    "expires",
    "expiry",
    "expiration",
    "max",
    "min",
    "prompt",
    "total",
    "ref",
    "hint",
    "format",
    "header",
    "field",
    "kind",
    "version",
    "enabled",
    "required",
    "rotation",
    "public",
    "pub",
    "fingerprint",
    "reset",
    "strength",
    "provider",
    "issuer",
    "audience",
    "scope",
    "grant",
    "method",
    "mode",
    "usage",
    "used",
    "rate",
    "stdin",
    "tokens",
    "tokenizer",
    "encoding",
    "generated",
    "location",
    "store",
    "manager",
    "env",
    "label",
    "prefix",
    "suffix",
    "regex",
    "pattern",
    "algorithm",
    "alg",
    "bits",
    "hash",
    "less",
    "forgot",
    "changed",
    "updated",
    "error",
    "errors",
    "exception",
    "expired",
    "invalid",
    "missing",
    "failed",
    "failure",
    "warning",
    "not",
    "found",
    "denied",
];

/// Roots that make a word name a secret wherever they appear in it (`PGPASSWORD`,
/// `keystorePassword`, `clientSecret`, `authToken`).
const SECRET_ROOTS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "apikey",
    "privatekey",
    "accesskey",
    "sessionid",
    "signature",
    "privkey",
    "mnemonic",
    "seedphrase",
    "geniekey",
];

/// Whole words that name a secret.
const SECRET_WORDS: &[&str] = &["pwd", "pass", "pw", "sig", "auth", "sas", "creds"];

/// Word pairs that name a secret (`api key`, `account key`, `client secret`…).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("access", "key"),
    ("private", "key"),
    ("secret", "key"),
    ("account", "key"),
    ("subscription", "key"),
    ("app", "key"),
    ("application", "key"),
    ("master", "key"),
    ("signing", "key"),
    ("encryption", "key"),
    ("license", "key"),
    ("functions", "key"),
    ("session", "id"),
    ("session", "key"),
    ("auth", "key"),
    ("genie", "key"),
    ("private", "key"),
];

/// Splits `DD_API_KEY`, `SecretAccessKey`, `x-api-key`, `db.password` into lowercase words.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Fragments one of which every secret's name contains: names without any are skipped before
/// splitting them into words (most `name:` in a log line is a timestamp field or a logger).
static HINTS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([
            "pass", "pwd", "pw", "secret", "token", "key", "auth", "sig", "cred", "session", "sas",
            "mnemonic", "seed", "code",
        ])
        .unwrap_or_else(|e| panic!("name hints: {e}"))
});

/// A source file before `:line` (`NpgsqlConnector.Auth.cs:line 118`, `auth.py:42`): a
/// location in a stack frame, no key.
fn is_source_file(name: &str) -> bool {
    const CODE: &[&str] = &[
        "cs", "java", "kt", "py", "rb", "go", "rs", "js", "mjs", "ts", "tsx", "php", "c", "cc",
        "cpp", "h", "hpp", "swift", "scala",
    ];
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| CODE.contains(&ext.to_ascii_lowercase().as_str()))
}

/// A value made of dash-separated words, a version and a hash (`pip-Linux-3.12-6f0e8c4b`, a
/// CI cache key): a label someone composed, which a bare `key:` does not make a secret.
fn is_composed_label(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    parts.len() >= 3
        && parts
            .iter()
            .filter(|p| p.len() >= 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
            .count()
            >= 2
}

/// What a name says about its value.
pub(super) fn strength(name: &str) -> Strength {
    if !HINTS.is_match(name) || is_source_file(name) {
        return Strength::None;
    }
    let w = words(name);
    if w.is_empty() || w.len() > 8 {
        return Strength::None;
    }
    let pair = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
    // An id is not a secret, except a session's, and a private key's id names the key file.
    let secret_id = pair("session", "id") || pair("private", "key");
    if !secret_id
        && w.iter().any(|x| {
            NOT_SECRET_WORDS.contains(&x.as_str())
                || matches!(
                    x.as_str(),
                    "passwordless" | "keyless" | "tokenless" | "secretless"
                )
                || x.ends_with("tokens")
                || x.ends_with("policy")
        })
    {
        return Strength::None;
    }
    let strong = w.iter().any(|x| {
        SECRET_WORDS.contains(&x.as_str())
            || SECRET_ROOTS.iter().any(|r| x.contains(r))
            || (x.ends_with("pass") && x.len() <= 8)
    }) || SECRET_PAIRS.iter().any(|(a, b)| pair(a, b));
    if strong {
        Strength::Strong
    } else if w.last().is_some_and(|x| x == "key" || x == "code") {
        Strength::Weak
    } else {
        Strength::None
    }
}

/// Values that are not secrets even after a secret's name: states, booleans, placeholders,
/// templates, masks and references.
pub(super) fn is_not_a_secret(value: &str) -> bool {
    const STATES: &[&str] = &[
        "expired",
        "invalid",
        "incorrect",
        "missing",
        "required",
        "rejected",
        "revoked",
        "none",
        "null",
        "nil",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "set",
        "unset",
        "empty",
        "hidden",
        "masked",
        "redacted",
        "filtered",
        "sensitive",
        "bearer",
        "basic",
        "n/a",
        "na",
        "ok",
        "error",
        "failed",
        "valid",
        "present",
        "provided",
        "supplied",
        "refreshed",
        "unknown",
        "undefined",
        "disabled",
        "enabled",
        "omitted",
        "optional",
        "string",
        "str",
        "bytes",
        "int",
        "object",
    ];
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let lower = v.to_ascii_lowercase();
    v.chars().count() < 3
        || STATES.contains(&lower.as_str())
        || v.chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '•' | '.' | '#' | '-' | '_'))
        || (v.starts_with('<') && v.ends_with('>'))
        || v.starts_with("${")
        || v.starts_with("$(")
        || v.starts_with("{{")
        || v.starts_with("%(")
        || v.starts_with("%s")
        || (v.starts_with('$') && v[1..].chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        || (v.starts_with('%') && v.ends_with('%') && v.len() > 2)
        || (v.starts_with('@') && v.ends_with('@') && v.len() > 2)
        || v.starts_with("[REDACTED")
        || v.starts_with("[FILTERED")
        || v.starts_with("(sensitive")
        || lower.starts_with("your")
        || lower.ends_with("_here")
        || lower.starts_with("env:")
        || lower.starts_with("vault:")
        || lower.starts_with("arn:aws:secretsmanager:")
        || matches!(v, "|" | ">" | "|-" | ">-" | "|+" | ">+")
}

/// Whether a value after a name of `strength` is a secret.
fn secret_value(strength: Strength, value: &str) -> bool {
    match strength {
        Strength::None => false,
        _ if is_not_a_secret(value) => false,
        Strength::Strong => true,
        Strength::Weak => {
            let classes = [
                value.bytes().any(|c| c.is_ascii_lowercase()),
                value.bytes().any(|c| c.is_ascii_uppercase()),
                value.bytes().any(|c| c.is_ascii_digit()),
            ]
            .iter()
            .filter(|&&x| x)
            .count();
            looks_random(value)
                && value.len() >= 16
                && (classes == 3 || entropy(value) >= 4.0)
                && !is_composed_label(value)
        }
    }
}

/// Where a value starting at `from` ends: a quoted value runs to its closing quote (the same
/// run of backslashes before it, for escaped JSON); `Some(` is looked through; an unquoted
/// value stops at whitespace, a quote, a backslash or punctuation that ends a field.
fn value_at(text: &str, from: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut i = from;
    if text[i..].starts_with("Some(") {
        i += 5;
    }
    let quote_start = i;
    while i < b.len() && b[i] == b'\\' {
        i += 1;
    }
    if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
        let opener = &text[quote_start..=i];
        let body = i + 1;
        let end = text[body..].find(opener).map_or(text.len(), |e| body + e);
        let end = end.min(text[body..].find('\n').map_or(text.len(), |e| body + e));
        return (end > body).then_some((body, end));
    }
    let i = quote_start;
    let end = text[i..]
        .find(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\'' | '`' | '\\' | ',' | ';' | '&' | '}' | ']' | ')' | '<' | '>' | '|'
                )
        })
        .map_or(text.len(), |e| i + e);
    (end > i).then_some((i, end))
}

static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|[^A-Za-z0-9_.])([A-Za-z_][A-Za-z0-9_.\-]{0,80})(?:\\*["'])?\s*(?:=>|:=|=|:)[ \t]*"#,
    )
    .unwrap_or_else(|e| panic!("keyed assignment: {e}"))
});

static PERCENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|[^A-Za-z0-9_.%]|%25[0-9A-F]{2}|%[0-9A-F]{2})([A-Za-z_][A-Za-z0-9_.\-]{0,80}?)(?:%22|%2522)?(?:%3D|%253D|%3A%22|%253A%2522|%3A%20%22)",
    )
    .unwrap_or_else(|e| panic!("keyed percent: {e}"))
});

static XML_ELEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<(?:[\w.\-]+:)?([\w.\-]+)(?:\s[^>]*)?>(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))</"#)
        .unwrap_or_else(|e| panic!("keyed xml: {e}"))
});

static XML_KEYED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"<[\w.:\-]+\s+(?:key|name)\s*=\s*["']([^"']+)["']\s+value\s*=\s*["']([^"']*)["']|<[\w.:\-]+\s+(?:key|name)\s*=\s*["']([^"']+)["'][^>]*>(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))<"#,
    )
    .unwrap_or_else(|e| panic!("keyed xml attribute: {e}"))
});

static ARGV_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'](?:--?)?([A-Za-z][A-Za-z0-9_\-.]*)["']\s*,\s*["']([^"'\n]*)["']"#)
        .unwrap_or_else(|e| panic!("keyed argv: {e}"))
});

static FLAG_SPACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[\s'"(])--?([A-Za-z][A-Za-z0-9_\-.]*)[ \t]+("[^"\n]*"|'[^'\n]*'|[^\s'"]+)"#)
        .unwrap_or_else(|e| panic!("keyed flag: {e}"))
});

static NAME_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\\*"name\\*"\s*:\s*\\*"([^"\\]+)\\*"\s*,\s*\\*"value\\*"\s*:\s*\\*"([^"\\]*)\\*"|name:\s*["']?([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*\n\s*value:\s*["']?([^\s"'\n]+)"#,
    )
    .unwrap_or_else(|e| panic!("keyed name/value: {e}"))
});

static HIGH_ENTROPY: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?i)\b(?:key|secret|token|credential|passphrase)s?\b[^\n\w]{1,3}([A-Za-z0-9+/_\-]{24,}={0,2})",
    )
});

fn push(out: &mut Vec<Span>, kind: &'static str, start: usize, end: usize) {
    if start < end {
        out.push(Span::new(start, end, kind));
    }
}

/// The kind a name gives its secret: `password` for password-like names, else `secret`.
fn kind_of(name: &str) -> &'static str {
    let w = words(name);
    let has = |s: &str| w.iter().any(|x| x == s);
    if has("aws") && has("secret") {
        "aws_secret_access_key"
    } else if w
        .iter()
        .any(|x| x.contains("pass") || x == "pwd" || x == "pw")
    {
        "password"
    } else {
        "secret"
    }
}

/// Spans of values after secret names.
pub(super) fn find(text: &str, out: &mut Vec<Span>) {
    // Resume after each name, not after its separator: the character that ends one field
    // may be the one that starts the next (`config: password: v`).
    let mut pos = 0;
    while let Some(c) = ASSIGN.captures_at(text, pos) {
        let (Some(name), Some(all)) = (c.get(1), c.get(0)) else {
            break;
        };
        pos = name.end();
        let s = strength(name.as_str());
        // `scheme://user:pass@host` is URL userinfo, not `name: value`: the structural pass
        // masks `user:pass` and keeps the host.
        if s == Strength::None || text[..name.start()].ends_with("//") {
            continue;
        }
        if let Some((vs, ve)) = value_at(text, all.end())
            && secret_value(s, &text[vs..ve])
        {
            push(out, kind_of(name.as_str()), vs, ve);
        }
    }
    percent_encoded(text, out);
    pairs(text, out);
    for c in HIGH_ENTROPY.captures_iter(text) {
        if let Some(m) = c.get(1)
            && looks_random(m.as_str())
        {
            push(out, "high_entropy", m.start(), m.end());
        }
    }
}

/// `password%3Dv`, `password%253Dv` and URL-encoded JSON: the value runs to the next encoded
/// (or plain) separator.
fn percent_encoded(text: &str, out: &mut Vec<Span>) {
    let mut pos = 0;
    while let Some(c) = PERCENT.captures_at(text, pos) {
        let (Some(name), Some(all)) = (c.get(1), c.get(0)) else {
            break;
        };
        pos = name.end();
        let s = strength(name.as_str());
        let start = all.end();
        let rest = &text[start..];
        let mut end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '&' | '"' | '\''))
            .unwrap_or(rest.len());
        for stop in ["%26", "%2526", "%22", "%2522", "%2C", "%7D", "%257D"] {
            if let Some(p) = rest[..end].find(stop) {
                end = p;
            }
        }
        if secret_value(s, &rest[..end]) {
            push(out, kind_of(name.as_str()), start, start + end);
        }
    }
}

/// Secrets whose name and value sit in separate places: XML elements and `key=… value=…`
/// attributes, argv list pairs, `--flag value`, name/value lists.
fn pairs(text: &str, out: &mut Vec<Span>) {
    for c in XML_ELEMENT.captures_iter(text) {
        let Some(name) = c.get(1) else { continue };
        let s = strength(name.as_str());
        if let Some(v) = c.get(2).or(c.get(3))
            && secret_value(s, v.as_str())
        {
            push(out, kind_of(name.as_str()), v.start(), v.end());
        }
    }
    for c in XML_KEYED.captures_iter(text) {
        let (name, value) = match (c.get(1), c.get(2)) {
            (Some(n), Some(v)) => (n, v),
            _ => match (c.get(3), c.get(4).or(c.get(5))) {
                (Some(n), Some(v)) => (n, v),
                _ => continue,
            },
        };
        if secret_value(strength(name.as_str()), value.as_str()) {
            push(out, kind_of(name.as_str()), value.start(), value.end());
        }
    }
    for re in [&*ARGV_PAIR, &*FLAG_SPACE] {
        // Resume after each name: a value may be the next pair's name (`'--env', 'prod'`).
        let mut pos = 0;
        while let Some(c) = re.captures_at(text, pos) {
            let (Some(name), Some(v)) = (c.get(1), c.get(2)) else {
                break;
            };
            pos = name.end();
            // `"kind":"Secret","data":{…}` is JSON, not an argv pair: a value followed by `:`
            // is the next key.
            let after = c.get(0).map_or("", |all| &text[all.end()..]);
            if after.trim_start().starts_with(':') {
                continue;
            }
            let value = v.as_str().trim_matches(|c| c == '"' || c == '\'');
            let quoted = v.as_str().len() - value.len();
            if strength(name.as_str()) == Strength::Strong
                && !value.starts_with('-')
                && secret_value(Strength::Strong, value)
            {
                let start = v.start() + quoted / 2;
                push(out, kind_of(name.as_str()), start, start + value.len());
            }
        }
    }
    for c in NAME_VALUE.captures_iter(text) {
        let (name, value) = match (c.get(1), c.get(2)) {
            (Some(n), Some(v)) => (n, v),
            _ => match (c.get(3), c.get(4)) {
                (Some(n), Some(v)) => (n, v),
                _ => continue,
            },
        };
        if secret_value(strength(name.as_str()), value.as_str()) {
            push(out, kind_of(name.as_str()), value.start(), value.end());
        }
    }
}
