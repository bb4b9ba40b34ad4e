//! Credentials placed by syntax rather than named: URL userinfo (`postgres://user:pass@`,
//! `redis://:pass@`, `https://<token>@`), `Authorization:` schemes (Basic, Bearer, token,
//! SSWS, …) and a bare `Bearer <token>`, `Cookie`/`Set-Cookie` values, tool command lines
//! (`curl -u user:pass`, `mysql -pPASS`, `docker login -p`, `sshpass -p`, `redis-cli -a`,
//! `zip -P`, `openssl … pass:…`), `.netrc` lines, SQL `IDENTIFIED BY '…'` and `PASSWORD '…'`,
//! Digest `response=`, and signed URLs (`X-Amz-Signature`, `X-Amz-Security-Token`, Azure SAS
//! `sig=`, `Signature=`).

use super::keyed::is_not_a_secret;
use super::{Span, looks_random};
use regex::Regex;
use std::sync::LazyLock;

/// (kind, pattern, group): the group holds the secret.
type Rule = (&'static str, &'static str, usize);

const RULES: &[Rule] = &[
    // Authorization headers: everything after the scheme word up to the end of the value.
    (
        "authorization",
        r"(?i)\b(?:proxy-)?authorization\s*\\*[\x22']?\s*[:=]\s*\[?\s*\\*[\x22']?\s*(?:(?:basic|bearer|token|ssws|geniekey|splunk|dsn|api-key|apikey|key|negotiate|ntlm|aws4-hmac-sha256)\s+|token\s+token=)?([^\s\x22'\\\],]{8,})",
        1,
    ),
    (
        "bearer_token",
        r"(?i)\bbearer\s+([A-Za-z0-9._~+/\-]{16,}=*)",
        1,
    ),
    (
        "digest_response",
        r"(?i)\bresponse\s*=\s*\x22([0-9a-f]{32})\x22",
        1,
    ),
    ("url_signature", r"\bSignature=([0-9a-f]{64})\b", 1),
    // Tools.
    (
        "password",
        r"\bcurl\b[^\n]*?[\s'\x22,](?:-u|--user)(?:\s+|=)[\x22']?([^\s\x22':]*:[^\s\x22']+)",
        1,
    ),
    (
        "password",
        r"\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n]*?[\s'\x22,]-p([^\s'\x22,\]]+)",
        1,
    ),
    (
        "password",
        r"\bdocker\s+login\b[^\n]*?\s-p\s+([^\s'\x22]+)",
        1,
    ),
    (
        "password",
        r"\bsshpass\b[^\n]*?\s-p\s*(\x22[^\x22\n]*\x22|'[^'\n]*'|[^\s'\x22]+)",
        1,
    ),
    ("password", r"\bredis-cli\b[^\n]*?\s-a\s+([^\s'\x22]+)", 1),
    (
        "password",
        r"\b(?:zip|unzip)\b[^\n]*?\s-P\s+([^\s'\x22]+)",
        1,
    ),
    ("password", r"\b7za?\b[^\n]*?\s-p([^\s'\x22]+)", 1),
    ("password", r"(?i)-pass(?:in|out)?\s+pass:([^\s'\x22]+)", 1),
    (
        "password",
        r"\bAUTH\s+(?:[A-Za-z0-9_\-]+\s+)?([^\s'\x22]{8,})\s*$",
        1,
    ),
    // .netrc: `machine h login u password p`, or `password p` alone on its line.
    (
        "password",
        r"(?i)\b(?:machine|default)\b[^\n]*?\bpassword\s+([^\s]+)",
        1,
    ),
    ("password", r"(?im)^\s*password\s+([^\s]+)\s*$", 1),
    // SQL.
    (
        "password",
        r"(?i)\bIDENTIFIED\s+(?:WITH\s+\w+\s+)?BY\s+'([^'\n]*)'",
        1,
    ),
    (
        "password",
        r"(?i)\b(?:WITH\s+)?PASSWORD\s*=?\s*'([^'\n]*)'",
        1,
    ),
    // Signed URLs.
    (
        "url_signature",
        r"(?i)[?&;](?:X-Amz-Signature|X-Goog-Signature|Signature|sig)=([^&\s\x22'#]+)",
        1,
    ),
    (
        "aws_session_token",
        r"(?i)[?&;](?:X-Amz-Security-Token)=([^&\s\x22'#]+)",
        1,
    ),
    (
        "url_secret",
        r"(?i)[?&#](?:access_token|id_token|refresh_token|token|api_key|apikey|key|client_secret|password|secret|auth|private_token|feed_token|code)=([^&\s\x22'#]{8,})",
        1,
    ),
];

static COMPILED: LazyLock<Vec<Regex>> =
    LazyLock::new(|| RULES.iter().map(|r| super::regex(r.1)).collect());

static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(
        r"(?i)\b[a-z][a-z0-9+.\-]*://([^\s/?#@\x22'<>]*(?:@[^\s/?#@\x22'<>]*)*)@[A-Za-z0-9\[]",
    )
});

static COOKIE: LazyLock<Regex> = LazyLock::new(|| {
    super::regex(r"(?i)\b(?:set-)?cookie\\*[\x22']?\s*[:=]\s*\\*[\x22']?([^\r\n]*)")
});

/// Spans of credentials found by their place in the syntax.
pub(super) fn find(text: &str, out: &mut Vec<Span>) {
    for (rule, re) in RULES.iter().zip(COMPILED.iter()) {
        for c in re.captures_iter(text) {
            let Some(m) = c.get(rule.2) else { continue };
            let v = m.as_str().trim_matches(|c| c == '"' || c == '\'');
            if is_not_a_secret(v) || (rule.0 == "url_secret" && v.len() < 12 && !looks_random(v)) {
                continue;
            }
            let inner = m.as_str().find(v).unwrap_or(0);
            out.push(Span::new(
                m.start() + inner,
                m.start() + inner + v.len(),
                rule.0,
            ));
        }
    }
    userinfo(text, out);
    cookies(text, out);
}

/// `scheme://user:password@host`: user and password go together; `scheme://:password@` and
/// `https://<token>@` too. An already masked `user:****@` is left alone.
fn userinfo(text: &str, out: &mut Vec<Span>) {
    for c in USERINFO.captures_iter(text) {
        let Some(m) = c.get(1) else { continue };
        let ui = m.as_str();
        let secret = match ui.split_once(':') {
            Some((_, pass)) => !pass.is_empty() && !is_not_a_secret(pass),
            None => ui.len() >= 16 && (looks_random(ui) || ui.contains('_')),
        };
        if secret {
            out.push(Span::new(m.start(), m.end(), "url_password"));
        }
    }
}

/// Every cookie value in `Cookie:` and `Set-Cookie:` lines; names and attributes stay.
fn cookies(text: &str, out: &mut Vec<Span>) {
    const ATTRIBUTES: &[&str] = &[
        "path",
        "domain",
        "expires",
        "max-age",
        "samesite",
        "httponly",
        "secure",
        "priority",
        "partitioned",
        "version",
        "comment",
    ];
    for c in COOKIE.captures_iter(text) {
        let Some(list) = c.get(1) else { continue };
        // A header inside a quoted or escaped dump ends at the quote or the `\r\n`.
        let cut = ["\\r", "\\n", "'", "\""]
            .iter()
            .filter_map(|s| list.as_str().find(s))
            .min()
            .unwrap_or(list.len());
        let mut pos = list.start();
        for part in list.as_str()[..cut].split(';') {
            let here = pos;
            pos += part.len() + 1;
            let Some((name, value)) = part.split_once('=') else {
                continue;
            };
            let name = name.trim().to_ascii_lowercase();
            let value_trim = value.trim().trim_end_matches(['"', '\'', '\\']);
            if ATTRIBUTES.contains(&name.as_str()) || value_trim.len() < 6 {
                continue;
            }
            let start = here
                + part.find('=').map_or(0, |e| e + 1)
                + (value.len() - value.trim_start().len());
            out.push(Span::new(start, start + value_trim.len(), "cookie"));
        }
    }
}
