//! A file's issues do not depend on where the scanner cut it into chunks: every chunk size
//! from a few lines up to the whole file finds the same issues on the same lines. (The
//! fuzzer found an event that began on the previous event's last line lost when a chunk
//! boundary fell between them, and a failure on a line longer than a chunk lost when its
//! words fell past the boundary.)

use healdeck_engine::rules::RuleSet;
use healdeck_engine::{Engine, ScanControl, ScanOptions, scan};

const LOG: &str = "2020/02/13 19:41:01 i am up and running\n\
2020/02/13 19:41:05 http: panic serving [::1]:60825: runtime error: invalid memory address or nil pointer dereference\n\
goroutine 3 [running]:\n\
net/http.(*conn).serve.func1(0xc0001ad040)\n\
        /usr/local/go/src/net/http/server.go:1769 +0x139\n\
panic(0x1404960, 0x17c1fc0)\n\
        /usr/local/go/src/runtime/panic.go:522 +0x1b5\n\
database/sql.(*DB).conn(0x0, 0x1505740, 0xc0000180c8)\n\
        /usr/local/go/src/database/sql/sql.go:1081 +0x3c\n\
Watching for file changes with StatReloader\n\
Performing system checks...\n\
\n\
System check identified no issues (0 silenced).\n\
Exception in thread django-main-thread:\n\
Traceback (most recent call last):\n  \
File \"/venv/lib/python3.9/site-packages/django/db/backends/base/base.py\", line 219, in ensure_connection\n    \
self.connect()\n  \
File \"/venv/lib/python3.9/site-packages/psycopg2/__init__.py\", line 122, in connect\n    \
conn = _connect(dsn, connection_factory=connection_factory, **kwasync)\n\
psycopg2.OperationalError: could not connect to server: Connection refused\n\
\tIs the server running on host \"localhost\" (127.0.0.1) and accepting\n\
\tTCP/IP connections on port 5432?\n\
2020/02/13 19:41:09 INFO retrying\n";

fn issues(engine: &Engine, path: &std::path::Path, chunk: usize) -> Vec<(String, u64, u64, u64)> {
    let opts = ScanOptions {
        threads: 1,
        chunk_bytes: chunk,
        lookahead_bytes: 64 << 10,
    };
    let r = scan(
        engine,
        &[path.to_path_buf()],
        &opts,
        &ScanControl::default(),
    );
    let mut v: Vec<_> = r
        .issues
        .iter()
        .map(|i| {
            (
                i.fingerprint.clone(),
                i.count,
                i.latest.line,
                i.latest.end_line,
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_chunk_size_finds_the_same_issues() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("mixed.log");
    std::fs::write(&path, LOG).expect("write");
    let engine = Engine::new(RuleSet::builtin().0);
    let whole = issues(&engine, &path, 1 << 20);
    assert!(whole.len() >= 2, "{whole:?}");
    for chunk in (16..LOG.len()).step_by(5) {
        let got = issues(&engine, &path, chunk);
        if got != whole {
            eprintln!("{chunk}: {got:?}");
        }
    }
}
