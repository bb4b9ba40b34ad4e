//! Secret redaction: every prompt, audit entry and copied text passes through here first.
//!
//! Shapes follow what gitleaks and similar scanners detect: cloud and SaaS token formats with
//! fixed prefixes (AWS, GitHub, GitLab, Slack, Stripe, OpenAI, Anthropic, Google), JWTs,
//! `Authorization:` headers, passwords inside URLs, `password=`/`secret=`/`token=`/`api_key=`
//! style pairs, PEM private keys, and long high-entropy strings right after a key-like name.
//! Each is replaced by `[REDACTED:<kind>]`. Look-alikes that are not secrets — git SHAs, UUIDs,
//! an ordinary word after "token" — are left alone (tested).

use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

struct Shape {
    kind: &'static str,
    regex: Regex,
    /// Capture group holding the secret (0 = whole match).
    group: usize,
    /// Only redact when the secret looks random (generic key=value pairs).
    needs_entropy: bool,
}

fn shape(kind: &'static str, pattern: &str, group: usize, needs_entropy: bool) -> Shape {
    Shape {
        kind,
        regex: Regex::new(pattern).unwrap_or_else(|e| panic!("redaction pattern {kind}: {e}")),
        group,
        needs_entropy,
    }
}

static SHAPES: LazyLock<Vec<Shape>> = LazyLock::new(|| {
    vec![
        shape(
            "private_key",
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
            0,
            false,
        ),
        shape(
            "anthropic_key",
            r"\bsk-ant-(?:api\d\d-|admin\d\d-)?[A-Za-z0-9_\-]{20,}",
            0,
            false,
        ),
        shape(
            "openai_key",
            r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}",
            0,
            false,
        ),
        shape(
            "github_token",
            r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}\b",
            0,
            false,
        ),
        shape("gitlab_token", r"\bglpat-[A-Za-z0-9_\-]{20,}", 0, false),
        shape(
            "slack_token",
            r"\bxox[abposr]-[A-Za-z0-9\-]{10,}|https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]+",
            0,
            false,
        ),
        shape(
            "stripe_key",
            r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b",
            0,
            false,
        ),
        shape("google_api_key", r"\bAIza[0-9A-Za-z_\-]{35}\b", 0, false),
        shape(
            "aws_access_key_id",
            r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b",
            0,
            false,
        ),
        shape(
            "aws_secret_access_key",
            r#"(?i)aws[\w.\-]{0,20}(?:secret|private)[\w.\-]{0,20}["']?\s*[=:]\s*["']?([A-Za-z0-9/+=]{40})\b"#,
            1,
            false,
        ),
        shape(
            "jwt",
            r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
            0,
            false,
        ),
        shape(
            "authorization",
            r"(?i)\b(?:authorization|proxy-authorization)\s*[:=]\s*(?:bearer|basic|token|digest)?\s*([A-Za-z0-9._~+/=\-]{8,})",
            1,
            false,
        ),
        shape(
            "bearer_token",
            r"(?i)\bbearer\s+([A-Za-z0-9._~+/\-]{16,}=*)",
            1,
            false,
        ),
        shape(
            "url_password",
            r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]+:([^\s@/]+)@",
            1,
            false,
        ),
        shape(
            "password",
            r#"(?i)\b[\w.\-]*(?:password|passwd|pwd|passphrase)[\w.\-]*["']?\s*[=:]\s*["']?([^\s"',;&}<>]{3,})"#,
            1,
            false,
        ),
        shape(
            "secret",
            r#"(?i)\b[\w.\-]*(?:secret|token|api[_\-]?key|apikey|access[_\-]?key|private[_\-]?key|credential|auth[_\-]?key)[\w.\-]*["']?\s*[=:]\s*["']?([^\s"',;&}<>]{8,})"#,
            1,
            true,
        ),
        shape(
            "high_entropy",
            r"(?i)\b(?:key|secret|token|credential|passphrase)s?\b[^\n\w]{1,3}([A-Za-z0-9+/_\-]{24,}={0,2})",
            1,
            true,
        ),
    ]
});

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

/// Text with secrets replaced, and how many of each kind were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    pub counts: BTreeMap<&'static str, usize>,
}

impl Redacted {
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }
}

/// Replaces every secret in `text` with `[REDACTED:<kind>]`.
pub fn redact(text: &str) -> Redacted {
    let mut out = text.to_string();
    let mut counts = BTreeMap::new();
    for s in SHAPES.iter() {
        let mut replaced = String::with_capacity(out.len());
        let mut last = 0;
        for caps in s.regex.captures_iter(&out) {
            let Some(m) = caps.get(s.group) else { continue };
            let value = m.as_str();
            if value.starts_with("[REDACTED") || (s.needs_entropy && !looks_random(value)) {
                continue;
            }
            replaced.push_str(&out[last..m.start()]);
            replaced.push_str("[REDACTED:");
            replaced.push_str(s.kind);
            replaced.push(']');
            last = m.end();
            *counts.entry(s.kind).or_insert(0) += 1;
        }
        if last > 0 {
            replaced.push_str(&out[last..]);
            out = replaced;
        }
    }
    Redacted { text: out, counts }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fake secrets of every kind (made up; shaped like the real formats).
    const SECRETS: &[(&str, &str, &str)] = &[
        (
            "aws id",
            "key id AKIAIOSFODNN7EXAMPLE used",
            "aws_access_key_id",
        ),
        (
            "aws secret",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key",
        ),
        (
            "github",
            "push with ghp_16C7e42F292c6912E7710c838347Ae178B4a failed",
            "github_token",
        ),
        (
            "github pat",
            "GITHUB_TOKEN github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            "github_token",
        ),
        (
            "gitlab",
            "clone https://gitlab.com using glpat-xYz12345678901234567",
            "gitlab_token",
        ),
        (
            "slack",
            "posting with xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
            "slack_token",
        ),
        (
            "slack webhook",
            "hook https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXX",
            "slack_token",
        ),
        (
            "stripe",
            "charge failed for sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "stripe_key",
        ),
        (
            "openai",
            "openai.AuthenticationError: Incorrect API key provided: sk-proj-abcDEF1234567890ghiJKL",
            "openai_key",
        ),
        (
            "anthropic",
            "x-api-key: sk-ant-api03-AbCdEf1234567890_GhIjKlMnOpQr-stuv",
            "anthropic_key",
        ),
        (
            "google",
            "maps key AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY rejected",
            "google_api_key",
        ),
        (
            "jwt",
            "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U expired",
            "jwt",
        ),
        (
            "bearer",
            "Authorization: Bearer abc123DEF456ghi789JKL",
            "authorization",
        ),
        (
            "bearer bare",
            "sent header bearer Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==",
            "bearer_token",
        ),
        (
            "url password",
            "could not connect to postgres://app:S3cr3tP4ss@db:5432/shop",
            "url_password",
        ),
        (
            "password pair",
            "login failed password=hunter2 for admin",
            "password",
        ),
        (
            "json password",
            "{\"user\": \"a\", \"password\": \"correct-horse\"}",
            "password",
        ),
        (
            "secret pair",
            "SECRET_KEY=9f8Ks02LmQx7Zp3Vb6Nc1Rt4",
            "secret",
        ),
        (
            "api_key pair",
            "calling api with api_key: Xy7Pq2Lm9Ns4Kd8Wf3Bv",
            "secret",
        ),
        (
            "token pair",
            "refresh token=Zm9vYmFyMTIzNDU2Nzg5MGFiY2Rl",
            "secret",
        ),
        (
            "entropy",
            "client secret   Qk8s7Dj2Lp0Xz5Cv1Bn3Mf6Gh9Rt4Yw",
            "high_entropy",
        ),
    ];

    #[test]
    fn every_kind_is_redacted_and_named() {
        for (name, text, kind) in SECRETS {
            let r = redact(text);
            let tag = format!("[REDACTED:{kind}]");
            assert!(r.text.contains(&tag), "{name}: {text:?} → {:?}", r.text);
            assert!(r.total() >= 1, "{name}");
        }
    }

    #[test]
    fn secret_values_are_gone() {
        for (name, text, _) in SECRETS {
            let r = redact(text);
            for needle in [
                "EXAMPLE",
                "hunter2",
                "S3cr3tP4ss",
                "horse",
                "9f8Ks02",
                "Xy7Pq2",
                "Qk8s7Dj",
                "Zm9vYmFy",
                "abc123DEF",
            ] {
                if text.contains(needle) {
                    assert!(
                        !r.text.contains(needle),
                        "{name}: {needle} left in {:?}",
                        r.text
                    );
                }
            }
        }
    }

    #[test]
    fn pem_private_keys_are_redacted_whole() {
        let text = "loaded key\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq7\nk2Y0fake0line==\n-----END RSA PRIVATE KEY-----\nnext line";
        let r = redact(text);
        assert_eq!(r.text, "loaded key\n[REDACTED:private_key]\nnext line");
        let cut = redact("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE");
        assert_eq!(cut.text, "[REDACTED:private_key]");
    }

    #[test]
    fn look_alikes_survive() {
        for text in [
            "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 deployed",
            "request 8f14e45f-ceea-467f-a0e8-2c5e2d7b1c11 failed",
            "TokenExpiredError: jwt expired",
            "the token was rejected by the server",
            "token: expired",
            "auth token refreshed, expires in 3600s",
            "password authentication failed for user \"app\"",
            "api_key: <your key here>",
            "sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "https://example.com/path?page=2",
            "ModuleNotFoundError: No module named 'secrets'",
        ] {
            let r = redact(text);
            assert_eq!(r.text, text, "changed: {:?}", r.counts);
        }
    }

    #[test]
    fn redaction_is_idempotent() {
        let once = redact("password=hunter2 and postgres://u:pw123@h/db");
        assert_eq!(redact(&once.text).text, once.text);
    }
}
