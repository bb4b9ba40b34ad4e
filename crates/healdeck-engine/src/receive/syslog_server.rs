//! The syslog receiver: one UDP socket and one TCP listener on the same address. Each
//! message becomes a record tagged with its sending host; records go to the watcher in
//! batches through a bounded queue, so a sender faster than the engine is slowed down (TCP:
//! its window fills; UDP: the kernel drops, as UDP does) instead of growing memory. At most
//! `max_connections` TCP connections are served at once — more are closed as they arrive —
//! and no message keeps more than `max_message` bytes.

use super::framing::Framer;
use super::syslog::parse;
use super::{Limits, Received, ReceiverMsg, ReceiverStats};
use crate::remote::StreamState;
use crate::remote::record::now_micros;
use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Records sent to the watcher at once (or after `BATCH_WAIT`): with the watcher's queue of
/// 256 messages, at most ~32,000 records wait in memory.
pub(crate) const BATCH: usize = 128;
const BATCH_WAIT: Duration = Duration::from_millis(20);

/// Collects records and sends them in batches.
struct Batcher<'a, S: Fn(ReceiverMsg) -> bool> {
    records: Vec<Received>,
    since: Instant,
    send: &'a S,
}

impl<S: Fn(ReceiverMsg) -> bool> Batcher<'_, S> {
    fn add(&mut self, message: &[u8], peer: &str) -> bool {
        let record = parse(message, peer, now_micros());
        if self.records.is_empty() {
            self.since = Instant::now();
        }
        self.records.push(Received {
            host: record.host.clone(),
            record,
        });
        self.records.len() < BATCH || self.flush()
    }

    fn due(&self) -> bool {
        !self.records.is_empty() && self.since.elapsed() >= BATCH_WAIT
    }

    fn flush(&mut self) -> bool {
        if self.records.is_empty() {
            return true;
        }
        (self.send)(ReceiverMsg::Records(std::mem::take(&mut self.records)))
    }
}

/// Serves `addr` until `quit`. Binding failures are told as a failed state.
/// With `tls`, only TCP, each connection in TLS (RFC 5425); without, UDP and TCP.
pub(crate) fn serve(
    addr: SocketAddr,
    limits: &Limits,
    stats: &ReceiverStats,
    quit: &AtomicBool,
    send: &(impl Fn(ReceiverMsg) -> bool + Sync),
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    let bound = if tls.is_some() {
        tcp_listener(addr).map(|tcp| (None, tcp))
    } else {
        UdpSocket::bind(addr).and_then(|udp| Ok((Some(udp), tcp_listener(addr)?)))
    };
    let (udp, tcp) = match bound {
        Ok(b) => b,
        Err(e) => {
            send(ReceiverMsg::State(StreamState::Failed {
                reason: format!("cannot listen on {addr}: {e}"),
            }));
            return;
        }
    };
    send(ReceiverMsg::State(StreamState::Listening));
    std::thread::scope(|s| {
        if let Some(udp) = &udp {
            s.spawn(|| serve_udp(udp, limits, stats, quit, send));
        }
        // Accepting blocks (a sender is served the moment it connects); at `quit` a
        // connection of our own wakes it.
        let wake = tcp.local_addr().ok().map(|mut a| {
            if a.ip().is_unspecified() {
                a.set_ip(if a.is_ipv4() {
                    std::net::Ipv4Addr::LOCALHOST.into()
                } else {
                    std::net::Ipv6Addr::LOCALHOST.into()
                });
            }
            a
        });
        s.spawn(move || {
            while !quit.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
            if let Some(a) = wake {
                let _ = TcpStream::connect_timeout(&a, Duration::from_secs(1));
            }
        });
        accept_tcp(s, &tcp, (limits, stats, quit), send, tls.as_ref());
    });
}

/// A TCP listener with a deep accept queue (1024), so a burst of connections waits in the
/// kernel instead of being dropped and retried a second later.
fn tcp_listener(addr: SocketAddr) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

fn serve_udp(
    udp: &UdpSocket,
    limits: &Limits,
    stats: &ReceiverStats,
    quit: &AtomicBool,
    send: &(impl Fn(ReceiverMsg) -> bool + Sync),
) {
    let _ = udp.set_read_timeout(Some(BATCH_WAIT));
    let mut buf = vec![0u8; 65_536];
    let mut batch = Batcher {
        records: Vec::new(),
        since: Instant::now(),
        send,
    };
    while !quit.load(Ordering::Relaxed) {
        match udp.recv_from(&mut buf) {
            Ok((n, peer)) => {
                stats.messages.fetch_add(1, Ordering::Relaxed);
                let n = n.min(limits.max_message);
                if !batch.add(&buf[..n], &peer.ip().to_string()) {
                    return;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => {}
        }
        if batch.due() && !batch.flush() {
            return;
        }
    }
}

fn accept_tcp<'s>(
    s: &'s std::thread::Scope<'s, '_>,
    tcp: &TcpListener,
    (limits, stats, quit): (&'s Limits, &'s ReceiverStats, &'s AtomicBool),
    send: &'s (impl Fn(ReceiverMsg) -> bool + Sync),
    tls: Option<&Arc<rustls::ServerConfig>>,
) {
    let active = Arc::new(AtomicUsize::new(0));
    while !quit.load(Ordering::Relaxed) {
        match tcp.accept() {
            Ok(_) if quit.load(Ordering::Relaxed) => break,
            Ok((stream, peer)) => {
                if active.load(Ordering::SeqCst) >= limits.max_connections {
                    stats.refused.fetch_add(1, Ordering::Relaxed);
                    drop(stream);
                    continue;
                }
                active.fetch_add(1, Ordering::SeqCst);
                let active = active.clone();
                let tls = tls.cloned();
                let spawned = std::thread::Builder::new()
                    .name("healdeck-syslog-conn".into())
                    .spawn_scoped(s, move || {
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(BATCH_WAIT));
                        match tls.map(rustls::ServerConnection::new) {
                            None => serve_connection(stream, peer, limits, stats, quit, send),
                            Some(Ok(conn)) => {
                                let stream = rustls::StreamOwned::new(conn, stream);
                                serve_connection(stream, peer, limits, stats, quit, send);
                            }
                            Some(Err(e)) => tracing::warn!("[SOURCE] TLS for {peer}: {e}"),
                        }
                        active.fetch_sub(1, Ordering::SeqCst);
                    });
                if spawned.is_err() {
                    stats.refused.fetch_add(1, Ordering::Relaxed);
                }
            }
            // Too many open files and the like: wait instead of spinning.
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

fn serve_connection(
    mut stream: impl Read,
    peer: SocketAddr,
    limits: &Limits,
    stats: &ReceiverStats,
    quit: &AtomicBool,
    send: &(impl Fn(ReceiverMsg) -> bool + Sync),
) {
    let peer = peer.ip().to_string();
    let mut framer = Framer::new(limits.max_message);
    let mut frames = Vec::new();
    let mut buf = vec![0u8; 65_536];
    let mut batch = Batcher {
        records: Vec::new(),
        since: Instant::now(),
        send,
    };
    let mut last_data = Instant::now();
    while !quit.load(Ordering::Relaxed) {
        let n = match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if last_data.elapsed() > limits.idle_timeout {
                    break;
                }
                if batch.due() && !batch.flush() {
                    return;
                }
                continue;
            }
            Err(_) => break,
        };
        last_data = Instant::now();
        if let Err(e) = framer.push(&buf[..n], &mut frames) {
            tracing::warn!("[SOURCE] syslog from {peer}: {}; connection closed", e.0);
            stats.malformed.fetch_add(1, Ordering::Relaxed);
            break;
        }
        for frame in frames.drain(..) {
            stats.messages.fetch_add(1, Ordering::Relaxed);
            if !batch.add(&frame, &peer) {
                return;
            }
        }
    }
    framer.close(&mut frames);
    stats.cut.fetch_add(framer.cut_messages, Ordering::Relaxed);
    for frame in frames.drain(..) {
        stats.messages.fetch_add(1, Ordering::Relaxed);
        batch.add(&frame, &peer);
    }
    batch.flush();
}

/// The TLS settings of a `syslog+tls://` receiver: its certificate chain and private key
/// (PEM files), read once at start; an error names the file.
pub(crate) fn tls_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: not a PEM certificate chain ({e})", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate in it", cert.display()));
    }
    let key_der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("{}: not a PEM private key ({e})", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key_der))
        .map(Arc::new)
        .map_err(|e| format!("{} and {}: {e}", cert.display(), key.display()))
}
