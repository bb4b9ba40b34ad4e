//! Where a failure ran: the Python interpreter or Node project that produced it. A pip fix
//! must land in the environment that failed, not in whichever `python3` is first on PATH, so
//! the interpreter comes from the failure's own evidence — a traceback's `site-packages` or
//! virtualenv `bin/` paths, the script's `#!` line, a printed `sys.executable` — then the
//! person's setting for the log's folder (`fixer.json: folders`), then `fixer.json: python`.
//! When none of them says, healdeck cannot tell, and the fix asks instead of running.
//!
//! A path read from a log reaches a command only after it proves to be a real interpreter on
//! this machine: absolute, no `..`, named `python…`, an executable file, and neither it nor
//! its folder writable by other users.

use super::config::FixerConfig;
use crate::group::Issue;
use regex::Regex;
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

/// The interpreter a Python fix uses, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Interpreter {
    pub path: PathBuf,
    pub evidence: Evidence,
}

/// What named an interpreter or a project folder.
#[derive(Debug, Clone, PartialEq)]
pub enum Evidence {
    /// Given for this run (`--python`).
    Given,
    /// A path in the failure's own text (a traceback frame).
    Traceback(PathBuf),
    /// The `#!` line of this script (named by the traceback); `None`: one printed in the log.
    Shebang(Option<PathBuf>),
    /// `sys.executable` printed in the log.
    Printed,
    /// The person's setting for this log folder.
    FolderSetting(PathBuf),
    /// `fixer.json: python`, for every folder.
    Config,
    /// Nothing said; this is only a guess.
    Unknown,
}

impl Evidence {
    /// Whether the fix may act on it unattended.
    pub fn is_known(&self) -> bool {
        !matches!(self, Evidence::Unknown)
    }

    /// One line for people: "from the traceback (/app/venv/lib/…)".
    pub fn describe(&self) -> String {
        match self {
            Evidence::Given => "given for this run".into(),
            Evidence::Traceback(p) => format!("from the traceback ({})", p.display()),
            Evidence::Shebang(Some(p)) => format!("from the #! line of {}", p.display()),
            Evidence::Shebang(None) => "from a #! line in the log".into(),
            Evidence::Printed => "from sys.executable printed in the log".into(),
            Evidence::FolderSetting(f) => format!("set for {}", f.display()),
            Evidence::Config => "fixer.json: python".into(),
            Evidence::Unknown => "a guess: nothing says which Python ran this".into(),
        }
    }
}

static ABS_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(/[A-Za-z0-9_.+@~%-][A-Za-z0-9_.+@~%/-]*)").unwrap_or_else(|e| panic!("{e}"))
});
static LIB_PYTHON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?)/lib/python(3(?:\.\d+)?)/(?:site|dist)-packages/")
        .unwrap_or_else(|e| panic!("{e}"))
});
static SHEBANG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^#!\s*(/\S+)").unwrap_or_else(|e| panic!("{e}")));
static SYS_EXECUTABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:sys\.executable|python executable)\W{0,3}\s*['"]?(/[^\s'"]+)"#)
        .unwrap_or_else(|e| panic!("{e}"))
});
static TRACEBACK_FILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"File "(/[^"]+)", line \d+"#).unwrap_or_else(|e| panic!("{e}")));

/// The failure's own text: the lines before it, then the event.
fn texts(issue: &Issue) -> impl Iterator<Item = &str> {
    issue
        .context_before
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(issue.excerpt.as_str()))
}

/// The log file the issue was last seen in, as an absolute path where it exists.
pub(crate) fn source_of(issue: &Issue) -> PathBuf {
    let p = PathBuf::from(&issue.latest.source);
    p.canonicalize().unwrap_or(p)
}

/// The interpreter for `issue`'s Python fixes (see the module's order).
pub fn python_for(issue: &Issue, config: &FixerConfig, given: Option<&Path>) -> Interpreter {
    let found = |path: PathBuf, evidence| Interpreter { path, evidence };
    if let Some(p) = given {
        return found(p.to_path_buf(), Evidence::Given);
    }
    if let Some(i) = python_in_text(issue) {
        return i;
    }
    if let Some((folder, p)) = config
        .folder_for(&source_of(issue))
        .and_then(|(f, s)| s.python.as_ref().map(|p| (f, p)))
    {
        return found(p.clone(), Evidence::FolderSetting(folder.to_path_buf()));
    }
    match &config.python {
        Some(p) => found(p.clone(), Evidence::Config),
        None => found(PathBuf::from("python3"), Evidence::Unknown),
    }
}

/// Evidence in the log: the frame nearest the failure wins (tracebacks list it last).
fn python_in_text(issue: &Issue) -> Option<Interpreter> {
    let mut best = None;
    for text in texts(issue) {
        for line in text.lines() {
            if let Some(i) = python_on_line(line) {
                best = Some(i);
            }
        }
    }
    best.or_else(|| python_from_script(issue))
}

fn python_on_line(line: &str) -> Option<Interpreter> {
    if let Some(c) = SYS_EXECUTABLE.captures(line)
        && let Some(p) = checked_python(Path::new(&c[1]))
    {
        return Some(Interpreter {
            path: p,
            evidence: Evidence::Printed,
        });
    }
    if let Some(c) = SHEBANG.captures(line.trim_start())
        && let Some(p) = checked_python(Path::new(&c[1]))
    {
        return Some(Interpreter {
            path: p,
            evidence: Evidence::Shebang(None),
        });
    }
    let mut found = None;
    for m in ABS_PATH.find_iter(line) {
        let seen = Path::new(m.as_str());
        if let Some(p) = python_of_path(seen) {
            found = Some(Interpreter {
                path: p,
                evidence: Evidence::Traceback(seen.to_path_buf()),
            });
        }
    }
    found
}

/// `…/lib/python3.X/site-packages/…` → `…/bin/python3.X`; `…/<venv>/bin/tool` → its python.
fn python_of_path(seen: &Path) -> Option<PathBuf> {
    let text = seen.to_str()?;
    if let Some(c) = LIB_PYTHON.captures(text) {
        let bin = Path::new(&c[1]).join("bin");
        return [
            format!("python{}", &c[2]),
            "python3".into(),
            "python".into(),
        ]
        .iter()
        .find_map(|name| checked_python(&bin.join(name)));
    }
    let at = text.rfind("/bin/")?;
    let root = Path::new(&text[..at]);
    if !root.join("pyvenv.cfg").is_file() {
        return None;
    }
    ["python3", "python"]
        .iter()
        .find_map(|name| checked_python(&root.join("bin").join(name)))
}

/// The first script a traceback names that exists here, if its `#!` names an interpreter.
fn python_from_script(issue: &Issue) -> Option<Interpreter> {
    let script = texts(issue)
        .flat_map(|t| TRACEBACK_FILE.captures_iter(t))
        .map(|c| PathBuf::from(&c[1]))
        .find(|p| p.is_file())?;
    let first = first_line(&script)?;
    let c = SHEBANG.captures(&first)?;
    let path = checked_python(Path::new(&c[1]))?;
    Some(Interpreter {
        path,
        evidence: Evidence::Shebang(Some(script)),
    })
}

fn first_line(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    text.lines().next().map(str::to_string)
}

/// The path itself when it is an interpreter healdeck may run (see the module's checks).
fn checked_python(path: &Path) -> Option<PathBuf> {
    if !path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::CurDir))
    {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    let version = name.strip_prefix("python")?;
    if !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let real = path.canonicalize().ok()?;
    [path, real.as_path()]
        .iter()
        .all(|p| safe_executable(p))
        .then(|| path.to_path_buf())
}

#[cfg(unix)]
fn writable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map_or(true, |m| m.permissions().mode() & 0o002 != 0)
}

#[cfg(not(unix))]
fn writable_by_others(_: &Path) -> bool {
    false
}

#[cfg(unix)]
fn safe_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    meta.is_file()
        && meta.permissions().mode() & 0o111 != 0
        && !writable_by_others(path)
        && path.parent().is_some_and(|d| !writable_by_others(d))
}

#[cfg(not(unix))]
fn safe_executable(path: &Path) -> bool {
    path.is_file()
}

/// The Node project a failure ran in: the nearest folder with a `package.json` above a
/// script its stack trace names (above `node_modules` for a dependency's frame).
pub(crate) fn node_project_in_text(issue: &Issue) -> Option<(PathBuf, PathBuf)> {
    let mut best = None;
    for text in texts(issue) {
        for m in ABS_PATH.find_iter(text) {
            let seen = m.as_str().split(':').next().unwrap_or("");
            let is_script = [".js", ".mjs", ".cjs", ".ts"]
                .iter()
                .any(|e| seen.ends_with(e));
            if !is_script {
                continue;
            }
            let start = match seen.find("/node_modules/") {
                Some(at) => Path::new(&seen[..at]),
                None => Path::new(seen).parent().unwrap_or(Path::new("/")),
            };
            if let Some(dir) = start
                .ancestors()
                .find(|d| d.join("package.json").is_file())
                .filter(|d| !writable_by_others(d))
            {
                best = Some((dir.to_path_buf(), PathBuf::from(seen)));
            }
        }
    }
    best
}

/// Lines kept before an occurrence re-read from its log (as a scan keeps them).
const CONTEXT_LINES: u64 = 5;

/// The issue as seen from each log it occurred in. One issue can group the same failure
/// from two applications (the same missing module in two virtualenvs); each needs its own
/// fix, so each source gets a view of the issue with that source's own text, re-read from
/// the log (an empty text when it cannot be read: then nothing in it names an interpreter).
pub(crate) fn per_source(issue: &Issue) -> Vec<Issue> {
    let all = || {
        issue
            .occurrences
            .iter()
            .chain(std::iter::once(&issue.latest))
    };
    // Each view carries its source's latest occurrence (the fix record names it).
    let latest_in = |source: &str| all().rfind(|o| o.source == source).cloned();
    let first = issue.occurrences.first().unwrap_or(&issue.latest);
    let mut own = issue.clone();
    own.latest = latest_in(&first.source).unwrap_or_else(|| first.clone());
    let mut views = vec![own];
    let mut seen = vec![first.source.as_str()];
    for occ in all() {
        if seen.contains(&occ.source.as_str()) {
            continue;
        }
        seen.push(&occ.source);
        let mut view = issue.clone();
        view.latest = latest_in(&occ.source).unwrap_or_else(|| occ.clone());
        let (before, text) =
            read_lines(Path::new(&occ.source), occ.line, occ.end_line.max(occ.line))
                .unwrap_or_default();
        view.context_before = before;
        view.excerpt = text;
        views.push(view);
    }
    views
}

/// Lines `from..=to` (1-based) of a log, and up to `CONTEXT_LINES` before them.
fn read_lines(path: &Path, from: u64, to: u64) -> Option<(Vec<String>, String)> {
    use std::io::BufRead;
    if from == 0 || to - from > 10_000 {
        return None;
    }
    let reader = std::io::BufReader::new(std::fs::File::open(path).ok()?);
    let mut before = std::collections::VecDeque::new();
    let mut text = String::new();
    for (n, line) in (1u64..).zip(reader.split(b'\n')) {
        let line = String::from_utf8_lossy(&line.ok()?)
            .trim_end_matches('\r')
            .to_string();
        if n < from {
            if n + CONTEXT_LINES >= from {
                before.push_back(line);
            }
        } else {
            text.push_str(&line);
            text.push('\n');
            if n >= to {
                return Some((before.into(), text));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake interpreter file with `mode`, in a folder with `dir_mode`.
    #[cfg(unix)]
    fn fake_python(root: &Path, dir_mode: u32, mode: u32) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let bin = root.join("venv/bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        std::fs::write(root.join("venv/pyvenv.cfg"), "home = /usr/bin\n").expect("cfg");
        let py = bin.join("python3");
        std::fs::write(&py, "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(&py, std::fs::Permissions::from_mode(mode)).expect("chmod");
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(dir_mode)).expect("chmod");
        py
    }

    #[cfg(unix)]
    #[test]
    fn only_real_safely_owned_interpreters_are_taken_from_a_log() {
        let dir = tempfile::tempdir().expect("tmp");
        let py = fake_python(dir.path(), 0o755, 0o755);
        let root = dir.path().join("venv");
        let frame = root.join("lib/python3.11/site-packages/flask/app.py");
        assert_eq!(python_of_path(&frame), Some(py.clone()));
        assert_eq!(python_of_path(&root.join("bin/gunicorn")), Some(py.clone()));
        // Not an interpreter's name, a `..`, a relative path, a missing file.
        assert_eq!(checked_python(&root.join("bin/../bin/python3")), None);
        assert_eq!(checked_python(Path::new("venv/bin/python3")), None);
        assert_eq!(checked_python(&root.join("pyvenv.cfg")), None);
        assert_eq!(checked_python(&root.join("bin/python9")), None);
        // Writable by others (the file, or its folder): refused.
        let other = tempfile::tempdir().expect("tmp");
        let loose = fake_python(other.path(), 0o755, 0o777);
        assert_eq!(checked_python(&loose), None);
        let open_dir = tempfile::tempdir().expect("tmp");
        let loose = fake_python(open_dir.path(), 0o777, 0o755);
        assert_eq!(checked_python(&loose), None);
        // Not executable.
        let plain = tempfile::tempdir().expect("tmp");
        let loose = fake_python(plain.path(), 0o755, 0o644);
        assert_eq!(checked_python(&loose), None);
    }

    #[test]
    fn lines_are_re_read_with_their_context() {
        let dir = tempfile::tempdir().expect("tmp");
        let log = dir.path().join("app.log");
        let text: String = (1..=20).map(|i| format!("line {i}\r\n")).collect();
        std::fs::write(&log, text).expect("write");
        let (before, excerpt) = read_lines(&log, 10, 12).expect("read");
        assert_eq!(before, ["line 5", "line 6", "line 7", "line 8", "line 9"]);
        assert_eq!(excerpt, "line 10\nline 11\nline 12\n");
        assert_eq!(read_lines(&log, 19, 25), None, "past the end");
        assert_eq!(read_lines(&log, 0, 2), None);
    }
}
