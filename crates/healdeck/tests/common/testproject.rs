//! Small test projects run by the real test runners, for the tests of test-report triage:
//! pytest (`--junitxml`), Node's test runner (`--test-reporter=junit`) and Playwright (its
//! JSON and junit reporters, with a retry that makes one test flaky).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A planted secret: it must never come out of healdeck unredacted.
pub(crate) const SECRET: &str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB";

/// A pytest project with tests that pass, fail a check, error in a fixture (twice, the same
/// way), are skipped, and raise with a `%` and a `,` in the message; run by the system's
/// pytest into `<dir>/reports/junit.xml`.
pub(crate) fn pytest_report(dir: &Path) -> PathBuf {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    std::fs::write(
        dir.join("test_app.py"),
        format!(
            r#"import socket
import pytest

def test_ok():
    assert 1 + 1 == 2

def test_status():
    status = 401
    assert status == 200, "login returned 401"

@pytest.fixture
def db():
    socket.create_connection(("127.0.0.1", {closed}), timeout=2)

def test_db(db):
    pass

def test_db_again(db):
    pass

@pytest.mark.skip(reason="not yet")
def test_later():
    pass

def test_keys():
    print("using token {SECRET}")
    raise KeyError("50% of keys, missing")
"#
        ),
    )
    .expect("write test_app.py");
    let report = dir.join("reports").join("junit.xml");
    let out = Command::new("pytest")
        .current_dir(dir)
        .args(["-q", "-p", "no:cacheprovider", "--junitxml"])
        .arg(&report)
        .arg("test_app.py")
        .output()
        .expect("pytest (Debian python3-pytest; .ci/run installs it)");
    assert_eq!(
        out.status.code(),
        Some(1),
        "pytest: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(report.exists(), "pytest wrote no report");
    report
}

/// Node's version as (major, minor), when there is a `node`.
pub(crate) fn node_version() -> Option<(u32, u32)> {
    let out = Command::new("node").arg("--version").output().ok()?;
    let v = String::from_utf8_lossy(&out.stdout);
    let mut parts = v.trim().trim_start_matches('v').split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// A Node project run by `node --test --test-reporter=junit` into `<dir>/node.xml`.
pub(crate) fn node_report(dir: &Path) -> PathBuf {
    std::fs::write(
        dir.join("app.test.mjs"),
        "import test from 'node:test';\nimport assert from 'node:assert';\n\
         test('adds', () => { assert.strictEqual(1 + 1, 2); });\n\
         test('totals', () => { assert.strictEqual(1 + 1, 3); });\n\
         test('skipped', { skip: true }, () => {});\n",
    )
    .expect("write app.test.mjs");
    let report = dir.join("node.xml");
    let out = Command::new("node")
        .current_dir(dir)
        .args([
            "--test",
            "--test-reporter=junit",
            "--test-reporter-destination",
        ])
        .arg(&report)
        .arg("app.test.mjs")
        .output()
        .expect("node");
    assert!(
        report.exists(),
        "node wrote no report: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    report
}

/// `@playwright/test`, installed once with npm under target/tmp (no browser is needed: the
/// tests use none).
fn playwright_install() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("playwright-runner");
    let bin = dir.join("node_modules").join(".bin").join("playwright");
    if !bin.exists() {
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(
            dir.join("package.json"),
            r#"{"name":"runner","private":true}"#,
        )
        .expect("package.json");
        let out = Command::new("npm")
            .current_dir(&dir)
            .args(["install", "--no-audit", "--no-fund", "@playwright/test@1"])
            .output()
            .expect("npm");
        assert!(
            out.status.success(),
            "npm install @playwright/test: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    dir
}

/// A Playwright project whose tests pass, fail a check, fail on a refused connection, pass
/// only on their retry, and are skipped; run with one retry and the JSON and junit reporters
/// into `<dir>/results/report.json` and `<dir>/results/junit.xml`.
pub(crate) fn playwright_reports(dir: &Path) -> (PathBuf, PathBuf) {
    let runner = playwright_install();
    std::os::unix::fs::symlink(runner.join("node_modules"), dir.join("node_modules"))
        .expect("link node_modules");
    std::fs::create_dir_all(dir.join("tests")).expect("mkdir");
    std::fs::write(
        dir.join("tests").join("app.spec.ts"),
        "import { test, expect } from '@playwright/test';\n\
         test('adds', async () => { expect(1 + 1).toBe(2); });\n\
         test('login status', async () => { expect(401, 'login returned 401').toBe(200); });\n\
         test('retried', async ({}, testInfo) => { expect(testInfo.retry).toBe(1); });\n\
         test('database', async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:5432'); });\n\
         test.skip('later', async () => {});\n",
    )
    .expect("write spec");
    std::fs::write(
        dir.join("playwright.config.ts"),
        "import { defineConfig } from '@playwright/test';\n\
         export default defineConfig({ retries: 1, reporter: [['json', { outputFile: 'results/report.json' }], ['junit', { outputFile: 'results/junit.xml' }]] });\n",
    )
    .expect("write config");
    let out = Command::new(runner.join("node_modules").join(".bin").join("playwright"))
        .current_dir(dir)
        .arg("test")
        .env("CI", "1")
        .output()
        .expect("playwright");
    let (json, junit) = (
        dir.join("results/report.json"),
        dir.join("results/junit.xml"),
    );
    assert!(
        json.exists() && junit.exists(),
        "playwright wrote no reports: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (json, junit)
}
