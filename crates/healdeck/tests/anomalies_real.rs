//! Anomalies in a real program's log: a real `sshd` (Debian's openssh-server, started by the
//! test on a loopback port) logs a healthy period — logins with the right key, now and then a
//! user offering a wrong one — that is saved as a baseline; then a brute-force burst — logins
//! as users that do not exist, and the wrong key offered again and again. `healdeck patterns
//! --baseline` must name the unknown-user lines as a new pattern and the wrong-key lines as a
//! rate spike over their baseline, with sshd's own words in the titles; the healthy period
//! against itself gives neither.

#[path = "common/patterns_json.rs"]
mod patterns_json;
#[path = "common/sshd.rs"]
mod sshd;
#[path = "common/watch.rs"]
mod watch;

use patterns_json::{kinds, patterns_json};
use sshd::{Sshd, keygen};
use std::path::Path;
use std::process::{Command, Stdio};

/// One `ssh` login as `user` offering only `key`; whether it got in.
fn login(sshd: &Sshd, user: &str, key: &Path) -> bool {
    Command::new("ssh")
        .args(["-F", "/dev/null", "-p", &sshd.port.to_string(), "-i"])
        .arg(key)
        .args(["-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o"])
        .arg(format!(
            "UserKnownHostsFile={}",
            sshd.dir.join("known_hosts").display()
        ))
        .args(["-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=10"])
        .arg(format!("{user}@127.0.0.1"))
        .arg("true")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("ssh (openssh-client)")
        .success()
}

/// The logins of `who` (user, key), four at a time; how many got in.
fn logins(sshd: &Sshd, who: &[(String, &Path)]) -> usize {
    who.chunks(4)
        .map(|group| {
            std::thread::scope(|scope| {
                let runs: Vec<_> = group
                    .iter()
                    .map(|(user, key)| scope.spawn(move || login(sshd, user, key)))
                    .collect();
                runs.into_iter()
                    .map(|r| r.join().is_ok_and(|ok| ok))
                    .filter(|&ok| ok)
                    .count()
            })
        })
        .sum()
}

/// sshd writes a session's last line after the client has gone: waits until `log` stops
/// growing.
fn settle(log: &Path) {
    let mut last = u64::MAX;
    for _ in 0..50 {
        let now = std::fs::metadata(log).map_or(0, |m| m.len());
        if now == last {
            return;
        }
        last = now;
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// Logs a healthy period, saved as `healthy.log`, then a brute-force burst left in `log`;
/// the healthy log and how many `Invalid user` lines the burst made.
fn healthy_then_burst(sshd: &Sshd, log: &Path, home: &Path) -> (std::path::PathBuf, usize) {
    let right = sshd.dir.join("user_key");
    let wrong = home.join("wrong_key");
    keygen(&wrong);
    let me = {
        let out = Command::new("id").arg("-un").output().expect("id");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };

    // A healthy period: 150 logins, and a wrong key offered 4 times among them.
    let mut healthy: Vec<(String, &Path)> = Vec::new();
    for i in 0..150 {
        healthy.push((me.clone(), &right));
        if i % 40 == 20 {
            healthy.push(("nobody".into(), &wrong));
        }
    }
    assert_eq!(logins(sshd, &healthy), 150, "every right-key login gets in");
    settle(log);
    let healthy_log = home.join("healthy.log");
    std::fs::copy(log, &healthy_log).expect("copy the healthy period");
    // sshd appends (-E), so emptying its log starts the next period in the same file.
    std::fs::File::create(log).expect("empty the log");

    // The burst: 40 logins as users that do not exist (the names a brute-force list tries),
    // and the wrong key 40 times.
    let ghosts: Vec<String> = [
        "admin",
        "oracle",
        "test",
        "guest",
        "ubuntu",
        "postgres",
        "git",
        "ftpuser",
        "user",
        "support",
        "deploy",
        "jenkins",
        "hadoop",
        "mysql",
        "pi",
        "tomcat",
        "dev",
        "ansible",
        "backup",
        "minecraft",
    ]
    .iter()
    .flat_map(|name| [name.to_string(), format!("{name}x")])
    .collect();
    let mut burst: Vec<(String, &Path)> = Vec::new();
    for ghost in &ghosts {
        burst.push((ghost.clone(), &wrong));
        burst.push(("nobody".into(), &wrong));
    }
    assert_eq!(logins(sshd, &burst), 0, "no wrong login gets in");
    settle(log);
    let burst_text = std::fs::read_to_string(log).expect("read the burst");
    // A name that is an account on this machine is refused with other words; the rest are
    // `Invalid user NAME from …`.
    let invalid = burst_text
        .lines()
        .filter(|l| l.starts_with("Invalid user "))
        .count();
    assert!(invalid >= 30, "sshd logged the burst:\n{burst_text}");

    (healthy_log, invalid)
}

#[test]
fn a_brute_force_burst_on_a_real_sshd_is_new_and_spiking_against_its_healthy_baseline() {
    let home = tempfile::tempdir().expect("tmp");
    let log = home.path().join("sshd.log");
    let sshd = Sshd::logging_to(home.path(), &log);
    let (healthy_log, invalid) = healthy_then_burst(&sshd, &log, home.path());
    let healthy_arg = healthy_log.to_str().expect("utf-8");
    let saved = patterns_json(
        home.path(),
        &["--save-baseline", "ssh-healthy", healthy_arg],
    );
    assert!(
        kinds(&saved).is_empty(),
        "a healthy period has nothing odd in itself: {:#?}",
        kinds(&saved)
    );
    let against_itself = patterns_json(home.path(), &["--baseline", "ssh-healthy", healthy_arg]);
    assert!(
        kinds(&against_itself).is_empty(),
        "the healthy period against itself: {:#?}",
        kinds(&against_itself)
    );

    let report = patterns_json(
        home.path(),
        &["--baseline", "ssh-healthy", log.to_str().expect("utf-8")],
    );
    let found = kinds(&report);
    let templates = &report["templates"];
    let has = |kind: &str, words: &[&str]| {
        found
            .iter()
            .any(|(k, t)| k == kind && words.iter().all(|w| t.contains(w)))
    };
    assert!(
        has(
            "new_pattern",
            &["Invalid user <*> from", &format!("×{invalid}")]
        ),
        "the unknown users are a new pattern: {found:#?}\n{templates:#}"
    );
    // sshd ends both kinds of failed login with `Connection closed by … user NAME …`; the
    // burst's names widen that pattern, which still counts the healthy period's wrong-key
    // lines as its baseline, so it is a spike, not new.
    assert!(
        has("rate_spike", &["`Connection closed by <*> user <*>", "×80"]),
        "the failed logins' closing lines spike over their baseline: {found:#?}"
    );
    assert!(
        !found.iter().any(|(_, t)| t.contains("Accepted publickey")),
        "the healthy logins' pattern is not anomalous: {found:#?}"
    );
}
