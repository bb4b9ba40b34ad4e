//! Where in the project a failure happened, read from its stack: pytest's `path.py:5: Error`
//! lines, JavaScript's `at … (file:///p/x.test.mjs:4:30)` frames, Rust's `panicked at
//! src/lib.rs:10:5`. Frames in the language's own library or in installed packages are not
//! the project's and are passed over.

use regex::Regex;
use std::sync::LazyLock;

static PYTHON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^(?P<file>[^\s:][^:\n]*\.py):(?P<line>\d+): ")
        .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

static SCRIPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^\s*at (?:[^\n(]*\()?(?:file://)?(?P<file>[^\s():]+\.(?:[cm]?[jt]sx?|vue|svelte)):(?P<line>\d+):\d+\)?\s*$",
    )
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

static RUST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"panicked at (?P<file>[^\s:]+\.rs):(?P<line>\d+):\d+")
        .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// Paths that belong to a runtime or to installed packages, not to the project.
fn is_outside_project(file: &str) -> bool {
    file.starts_with("node:")
        || file.starts_with("internal/")
        || file.starts_with("/usr/")
        || file.starts_with("<")
        || [
            "site-packages",
            "dist-packages",
            "node_modules",
            "/.cargo/registry/",
            "/rustc/",
        ]
        .iter()
        .any(|p| file.contains(p))
}

/// The project file and line a stack points at: Python's innermost project frame (its
/// frames run outermost first), JavaScript's and Rust's first.
pub(super) fn trace_location(trace: &str) -> Option<(String, u64)> {
    let pick = |c: regex::Captures<'_>| {
        let file = c.name("file")?.as_str();
        let line = c.name("line")?.as_str().parse().ok()?;
        (!is_outside_project(file)).then(|| (file.to_string(), line))
    };
    RUST.captures_iter(trace)
        .find_map(pick)
        .or_else(|| SCRIPT.captures_iter(trace).find_map(pick))
        .or_else(|| {
            let frames: Vec<_> = PYTHON.captures_iter(trace).collect();
            frames.into_iter().rev().find_map(pick)
        })
}

/// A path as the repository knows it: relative to `$GITHUB_WORKSPACE` or the working folder
/// when it is under one of them, else as given.
pub fn relative_file(path: &str) -> String {
    let path = path.strip_prefix("file://").unwrap_or(path);
    let roots = std::env::var("GITHUB_WORKSPACE")
        .ok()
        .map(std::path::PathBuf::from)
        .into_iter()
        .chain(std::env::current_dir().ok());
    for root in roots {
        if let Ok(rel) = std::path::Path::new(path).strip_prefix(&root) {
            return rel.to_string_lossy().into_owned();
        }
    }
    path.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_in_the_project_are_found() {
        let pytest = "def test_x():\n>       helper()\n\ntests/test_x.py:4: \n_ _ _\ntests/helpers.py:9: in helper\n    raise ValueError\n\ntests/helpers.py:12: ValueError";
        assert_eq!(
            trace_location(pytest),
            Some(("tests/helpers.py".into(), 12))
        );
        let node = "Error: boom\n    at TestContext.<anonymous> (file:///tmp/p/app.test.mjs:5:30)\n    at Test.runInAsyncScope (node:async_hooks:206:9)";
        assert_eq!(
            trace_location(node),
            Some(("/tmp/p/app.test.mjs".into(), 5))
        );
        let playwright = "Error: x\n    at /tmp/pw/tests/app.spec.ts:4:64";
        assert_eq!(
            trace_location(playwright),
            Some(("/tmp/pw/tests/app.spec.ts".into(), 4))
        );
        let rust = "thread 'a::b' panicked at src/lib.rs:10:5:\nassertion failed";
        assert_eq!(trace_location(rust), Some(("src/lib.rs".into(), 10)));
        let library = "/usr/lib/python3.11/socket.py:836: ConnectionRefusedError\n    at x (node:internal/x:1:2)";
        assert_eq!(trace_location(library), None);
    }
}
