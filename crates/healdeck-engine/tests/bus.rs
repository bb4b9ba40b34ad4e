//! The in-process path the GUI uses: a `LiveWatcher` on its own thread publishes
//! `TroubleAlert`s on an `AlertBus`; a subscriber receives each new or updated issue.

use healdeck_engine::bus::{AlertBus, AlertKind};
use healdeck_engine::watch::{LiveWatcher, WatchOptions};
use healdeck_engine::{Engine, RuleSources};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::channel;
use std::time::Duration;

#[test]
fn watcher_publishes_trouble_alerts_to_subscribers() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("svc.log");
    std::fs::write(
        &log,
        "INFO up\nOSError: [Errno 28] No space left on device\n",
    )
    .expect("write");
    // A failure that is not at the end of its file is reported while the file is first read.
    std::fs::write(
        dir.path().join("other.log"),
        "ModuleNotFoundError: No module named 'zzqq_history'\nINFO after\n",
    )
    .expect("write");
    let (engine, _) = Engine::load(&RuleSources::default());
    let bus = AlertBus::new();
    let alerts = bus.subscribe();
    let stop = AtomicBool::new(false);
    let (ready_tx, ready_rx) = channel();
    std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            let mut w = LiveWatcher::new(
                &engine,
                &[dir.path().to_path_buf()],
                WatchOptions::default(),
            );
            w.run(
                &stop,
                |a| bus.publish(a),
                |n| ready_tx.send(n).unwrap_or(()),
            )
        });
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            assert_eq!(ready_rx.recv_timeout(Duration::from_secs(10)).ok(), Some(2));
            let existing: Vec<_> = (0..2)
                .map(|_| {
                    alerts
                        .recv_timeout(Duration::from_secs(10))
                        .expect("existing issue")
                })
                .collect();
            for a in &existing {
                assert_eq!(a.kind, AlertKind::New);
                assert!(!a.live, "the log held it already: {:?}", a.issue.title);
            }
            assert!(
                existing
                    .iter()
                    .any(|a| a.issue.rule.as_deref() == Some("disk.full"))
            );
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&log)
                .expect("open");
            writeln!(f, "OSError: [Errno 28] No space left on device").expect("append");
            let second = alerts
                .recv_timeout(Duration::from_secs(10))
                .expect("update");
            assert_eq!(second.kind, AlertKind::Updated);
            assert!(second.live, "written while following");
            assert_eq!(second.issue.count, 2);
            assert_eq!(second.issue.latest.line, 3);
            // A new failure written later carries the lines before it, as a rescan would,
            // although they were read (and reported nothing) earlier.
            writeln!(f, "INFO request 1\nINFO request 2").expect("append");
            f.flush().expect("flush");
            std::thread::sleep(Duration::from_millis(400));
            writeln!(f, "ModuleNotFoundError: No module named 'zzqq'").expect("append");
            let third = alerts
                .recv_timeout(Duration::from_secs(10))
                .expect("new issue");
            assert_eq!(third.kind, AlertKind::New);
            assert_eq!(
                third.issue.context_before,
                [
                    "INFO up",
                    "OSError: [Errno 28] No space left on device",
                    "OSError: [Errno 28] No space left on device",
                    "INFO request 1",
                    "INFO request 2"
                ]
            );
        }));
        stop.store(true, Ordering::Relaxed);
        assert!(watcher.join().is_ok_and(|r| r.is_ok()));
        if let Err(e) = result {
            std::panic::resume_unwind(e);
        }
    });
}
