//! Files for the harnesses that go through real paths: one private folder per thread
//! (under `TMPDIR`; the fuzz script points it at a RAM disk).

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

thread_local! {
    static FOLDER: OnceCell<PathBuf> = const { OnceCell::new() };
}

/// This thread's folder, made on first use.
pub(crate) fn folder() -> PathBuf {
    FOLDER.with(|f| {
        f.get_or_init(|| {
            let dir = std::env::temp_dir().join(format!(
                "healdeck-fuzz-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            // A harness cannot run without its folder: that is the fuzzing machine's fault.
            std::fs::create_dir_all(&dir)
                .unwrap_or_else(|e| panic!("scratch folder {}: {e}", dir.display()));
            dir
        })
        .clone()
    })
}

/// Writes `data` to `name` in this thread's folder.
pub(crate) fn file(name: &str, data: &[u8]) -> PathBuf {
    let path = folder().join(name);
    write(&path, data);
    path
}

pub(crate) fn write(path: &Path, data: &[u8]) {
    std::fs::write(path, data).unwrap_or_else(|e| panic!("scratch file {}: {e}", path.display()));
}
