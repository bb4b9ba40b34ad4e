//! Real virtualenvs with real packages from PyPI, made once per target folder and reused.
//! Tests running at once wait on a lock file, so one of them builds the venv and the
//! others reuse it (two `python3 -m venv` on one folder fail with "File exists").

use std::path::{Path, PathBuf};
use std::process::Command;

/// The interpreter of the virtualenv `name` in the target folder, with `packages` installed
/// (`import_check` imports when they are there already).
pub(crate) fn python_with(name: &str, packages: &[&str], import_check: &str) -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let python = venv.join("bin/python");
    let lock_path = venv.with_extension("lock");
    let lock = std::fs::File::create(&lock_path).expect("venv lock file");
    lock.lock()
        .expect("lock the venv while it is checked or built");
    let ready = |p: &Path| {
        Command::new(p)
            .args(["-c", import_check])
            .status()
            .is_ok_and(|s| s.success())
    };
    if python.exists() && ready(&python) {
        return python;
    }
    let made = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status()
        .expect("python3 -m venv");
    assert!(made.success(), "python3 -m venv failed");
    let pip = Command::new(&python)
        .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
        .args(packages)
        .status()
        .expect("pip");
    assert!(
        pip.success(),
        "pip install {packages:?} failed: this test needs PyPI"
    );
    python
}
