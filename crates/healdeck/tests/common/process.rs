//! Processes and ports for tests: a free loopback port, and a child process killed when the
//! test ends, passed or not.

#![allow(dead_code)]

use std::process::Child;

/// A loopback TCP port free a moment ago (another process may take it before it is used).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A child process killed and reaped when dropped.
pub(crate) struct Killed(pub(crate) Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
