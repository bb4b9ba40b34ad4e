//! What a repair prompt says about the machine: the OS, the Python interpreter and the
//! installed versions of the packages a traceback names, and Node or Rust when the failure is
//! theirs. Each probe runs a real command (argv, with a time limit) and may find nothing.

use crate::fix::exec::run;
use crate::fix::origin::Interpreter;
use crate::fix::packages::{ProjectManifests, python_distribution};
use crate::group::Issue;
use regex::Regex;
use std::collections::HashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// What the prompt says about the machine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Environment {
    pub os: String,
    pub python: Option<String>,
    /// (distribution, installed version or `None` when not installed).
    pub packages: Vec<(String, Option<String>)>,
    pub node: Option<String>,
    pub rust: Option<String>,
}

static SITE_PACKAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:site|dist)-packages/([A-Za-z_][A-Za-z0-9_]*)").unwrap_or_else(|e| panic!("{e}"))
});
static FROM_MODULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"from '([A-Za-z_][A-Za-z0-9_.]*)'").unwrap_or_else(|e| panic!("{e}"))
});

fn is_python(issue: &Issue) -> bool {
    let r = issue.rule.as_deref().unwrap_or("");
    r.starts_with("python.")
        || r.starts_with("pip.")
        || issue.excerpt.contains("Traceback (most recent call last)")
}

fn first_line(out: &str) -> Option<String> {
    out.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

/// Python distributions a traceback points at: its site-packages frames and named modules.
pub(crate) fn named_packages(issue: &Issue) -> Vec<String> {
    let mut modules = BTreeSet::new();
    for c in SITE_PACKAGE.captures_iter(&issue.excerpt) {
        modules.insert(c[1].to_string());
    }
    for c in FROM_MODULE.captures_iter(&issue.excerpt) {
        modules.insert(c[1].split('.').next().unwrap_or("").to_string());
    }
    if let Some(m) = issue.captures.get("module") {
        modules.insert(m.split('.').next().unwrap_or("").to_string());
    }
    let none = ProjectManifests::default();
    let mut dists: Vec<String> = modules
        .iter()
        .filter(|m| !m.is_empty())
        .filter_map(|m| python_distribution(m, &none).map(|d| d.0))
        .collect();
    dists.sort();
    dists.dedup();
    dists.truncate(12);
    dists
}

/// How long a probe's answer is reused: Copy Prompt and the window's warm-up ask for the same
/// interpreter and packages within moments, and each probe starts an interpreter.
const FRESH_FOR: Duration = Duration::from_secs(30);

/// What the probes found, by what they asked; a fix session clears it (it changes packages).
type ProbeKey = (String, String, Vec<String>, bool, bool);
static PROBED: LazyLock<Mutex<HashMap<ProbeKey, (Instant, Environment)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Forgets every probe's answer (after a fix, versions may have changed).
pub(crate) fn forget_probes() {
    if let Ok(mut p) = PROBED.lock() {
        p.clear();
    }
}

/// Probes the machine for what the issue needs (each probe bounded by `timeout`); the same
/// question within `FRESH_FOR` gets the answer already found.
pub fn environment(issue: &Issue, python: &Interpreter, timeout: Duration) -> Environment {
    let key: ProbeKey = (
        python.path.display().to_string(),
        python.evidence.describe(),
        if is_python(issue) {
            named_packages(issue)
        } else {
            Vec::new()
        },
        needs_node(issue),
        needs_rust(issue),
    );
    if let Ok(p) = PROBED.lock()
        && let Some((at, env)) = p.get(&key)
        && at.elapsed() < FRESH_FOR
    {
        return env.clone();
    }
    let env = probe(issue, python, timeout);
    if let Ok(mut p) = PROBED.lock() {
        p.retain(|_, (at, _)| at.elapsed() < FRESH_FOR);
        p.insert(key, (Instant::now(), env.clone()));
    }
    env
}

fn needs_node(issue: &Issue) -> bool {
    let rule = issue.rule.as_deref().unwrap_or("");
    rule.starts_with("node.")
        || rule.starts_with("npm.")
        || rule.starts_with("js.")
        || issue.excerpt.contains("node:internal")
}

fn needs_rust(issue: &Issue) -> bool {
    let rule = issue.rule.as_deref().unwrap_or("");
    rule.starts_with("rust.") || rule.starts_with("cargo.")
}

/// The OS for people: `Debian GNU/Linux 12 (bookworm) (x86_64, kernel 6.1.0)`.
pub(crate) fn os_description() -> String {
    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let pretty = os_release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|k| k.trim().to_string());
    format!(
        "{} ({}{})",
        pretty.unwrap_or_else(|| std::env::consts::OS.to_string()),
        std::env::consts::ARCH,
        kernel.map(|k| format!(", kernel {k}")).unwrap_or_default()
    )
}

fn probe(issue: &Issue, python: &Interpreter, timeout: Duration) -> Environment {
    let mut env = Environment {
        os: os_description(),
        ..Environment::default()
    };
    let py = python.path.display().to_string();
    if is_python(issue) {
        // One interpreter start answers both: its version, then each package's.
        let names = named_packages(issue);
        let script = "import sys, platform\nfrom importlib import metadata as m\nprint('Python', platform.python_version())\nfor n in sys.argv[1:]:\n    try:\n        print(n, m.version(n))\n    except Exception:\n        print(n, '-')";
        let mut argv = vec![py.clone(), "-c".into(), script.into()];
        argv.extend(names.iter().cloned());
        let out = run(&argv, None, timeout);
        if out.success() {
            env.python = first_line(&out.output_tail)
                .map(|l| format!("{l} ({py}, {})", python.evidence.describe()));
            let found: BTreeMap<&str, &str> = out
                .output_tail
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(' '))
                .collect();
            env.packages = names
                .iter()
                .map(|n| {
                    (
                        n.clone(),
                        found
                            .get(n.as_str())
                            .filter(|v| **v != "-")
                            .map(|v| v.to_string()),
                    )
                })
                .collect();
        }
    }
    if needs_node(issue) {
        env.node =
            first_line(&run(&["node".into(), "--version".into()], None, timeout).output_tail);
    }
    if needs_rust(issue) {
        env.rust =
            first_line(&run(&["rustc".into(), "--version".into()], None, timeout).output_tail);
    }
    env
}
