//! A real `sshd` for tests: on a loopback port, with a host key, a user key and a client
//! configuration made for the test (`<home>/ssh_config`, host `healdeck-test`; host keys
//! checked against the test's known_hosts).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A real `sshd` on a loopback port, with a host key, a user key and a client configuration
/// made for the test (host keys checked against the test's known_hosts).
pub(crate) struct Sshd {
    pub(crate) dir: PathBuf,
    pub(crate) port: u16,
    /// Where sshd writes its log (`-E`, at `LogLevel INFO`); none: errors only, to nowhere.
    log: Option<PathBuf>,
    child: Option<Child>,
}

pub(crate) fn keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen (openssh-client)");
    assert!(ok.success());
}

impl Sshd {
    pub(crate) fn new(home: &Path) -> Sshd {
        Sshd::logging(home, None)
    }

    /// A real `sshd` that logs its sessions (`LogLevel INFO`) to `log`.
    pub(crate) fn logging_to(home: &Path, log: &Path) -> Sshd {
        Sshd::logging(home, Some(log.to_path_buf()))
    }

    fn logging(home: &Path, log: Option<PathBuf>) -> Sshd {
        let dir = home.join("sshd");
        std::fs::create_dir_all(&dir).expect("mkdir");
        keygen(&dir.join("host_key"));
        keygen(&dir.join("user_key"));
        std::fs::copy(dir.join("user_key.pub"), dir.join("authorized_keys")).expect("keys");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let host_pub = std::fs::read_to_string(dir.join("host_key.pub")).expect("host key");
        std::fs::write(
            dir.join("known_hosts"),
            format!("[127.0.0.1]:{port} {host_pub}"),
        )
        .expect("known_hosts");
        std::fs::write(
            dir.join("sshd_config"),
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\n\
                 AuthorizedKeysFile {d}/authorized_keys\nPidFile {d}/sshd.pid\nUsePAM no\n\
                 StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                 PermitRootLogin prohibit-password\nLogLevel {level}\n",
                d = dir.display(),
                level = if log.is_some() { "INFO" } else { "ERROR" },
            ),
        )
        .expect("sshd_config");
        let user = std::env::var("USER")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| {
                let out = Command::new("id").arg("-un").output().expect("id");
                String::from_utf8_lossy(&out.stdout).trim().to_string()
            });
        std::fs::write(
            home.join("ssh_config"),
            format!(
                "Host healdeck-test\n  HostName 127.0.0.1\n  Port {port}\n  User {user}\n  \
                 IdentityFile {d}/user_key\n  IdentitiesOnly yes\n  \
                 UserKnownHostsFile {d}/known_hosts\n  GlobalKnownHostsFile /dev/null\n  \
                 StrictHostKeyChecking yes\n",
                d = dir.display()
            ),
        )
        .expect("ssh_config");
        let mut sshd = Sshd {
            dir,
            port,
            log,
            child: None,
        };
        sshd.start();
        sshd
    }

    pub(crate) fn start(&mut self) {
        // Privilege separation needs its empty folder when sshd runs as root.
        let _ = std::fs::create_dir_all("/run/sshd");
        let mut command = Command::new("/usr/sbin/sshd");
        match &self.log {
            Some(log) => command.arg("-E").arg(log),
            None => command.arg("-e"),
        };
        let child = command
            .args(["-D", "-f"])
            .arg(self.dir.join("sshd_config"))
            .stderr(Stdio::null())
            .spawn()
            .expect("/usr/sbin/sshd (openssh-server; .ci/run installs it)");
        self.child = Some(child);
        let until = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < until,
                "sshd did not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills sshd and every session it serves: the client sees its connection drop.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = child.id().to_string();
            let _ = Command::new("pkill").args(["-KILL", "-P", &pid]).status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}
