//! The redactor's own cases: one of each kind, values gone, look-alikes kept, idempotence.

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
        "slack_webhook",
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
    // One marker per line: the text keeps its lines (an excerpt's line numbers stay right),
    // and the key is one finding.
    let marker = "[REDACTED:private_key]";
    assert_eq!(
        r.text,
        format!("loaded key\n{marker}\n{marker}\n{marker}\n{marker}\nnext line")
    );
    assert_eq!(r.findings.len(), 1);
    let cut = redact("-----BEGIN OPENSSH PRIVATE KEY-----\r\nb3BlbnNzaC1rZXktdjE");
    assert_eq!(cut.text, format!("{marker}\r\n{marker}"));
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
