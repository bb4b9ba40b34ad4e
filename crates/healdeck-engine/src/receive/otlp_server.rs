//! The OTLP/HTTP logs receiver: `POST /v1/logs` with a protobuf or JSON body (gzip or not),
//! answered as the OTLP specification says — 200 with an empty response in the request's
//! encoding, 400 for a body that is not a logs request, 413 past the size limit, 415 for
//! another content type, 503 with `Retry-After` while the watcher is behind (exporters retry
//! that). hyper serves HTTP/1.1 on a small single-threaded runtime; at most `max_connections`
//! connections are open at once and a connection must send its headers within 10 s.

use super::otlp::{ExportLogsServiceRequest, from_json, records};
use super::{Limits, Received, ReceiverMsg, ReceiverStats};
use crate::remote::StreamState;
use crate::remote::record::now_micros;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_ENCODING, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use prost::Message;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

/// A request body may hold this many bytes (compressed), and this many once inflated.
const MAX_BODY: usize = 8 << 20;
const MAX_INFLATED: u64 = 32 << 20;
/// Batches waiting between the HTTP side and the watcher.
const QUEUE: usize = 16;
/// How long a request waits for room in the queue before the sender is told to retry.
const QUEUE_WAIT: Duration = Duration::from_secs(5);

type Reply = Response<Full<Bytes>>;

fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn refuse(status: StatusCode, why: impl Into<String>) -> Reply {
    reply(status, "text/plain; charset=utf-8", why.into())
}

/// What the handlers share.
struct Shared {
    queue: mpsc::Sender<Vec<Received>>,
    max_text: usize,
    stats: Arc<ReceiverStats>,
}

/// The body, inflated when gzipped; a refusal (status and why) when it cannot be.
fn inflate(body: Bytes, gzip: bool) -> Result<Vec<u8>, (StatusCode, String)> {
    if !gzip {
        return Ok(body.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut out)
        .map_err(|e| (StatusCode::BAD_REQUEST, format!("gzip: {e}")))?;
    if out.len() as u64 > MAX_INFLATED {
        return Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            "inflated body over 32 MiB".into(),
        ));
    }
    Ok(out)
}

async fn handle(req: Request<Incoming>, peer: SocketAddr, shared: Arc<Shared>) -> Reply {
    if req.uri().path() != "/v1/logs" {
        return refuse(
            StatusCode::NOT_FOUND,
            "this receiver takes logs at /v1/logs",
        );
    }
    if req.method() != Method::POST {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, "POST logs to /v1/logs");
    }
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let content_type = header(CONTENT_TYPE);
    let json = content_type.starts_with("application/json");
    if !json && !content_type.starts_with("application/x-protobuf") {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send application/x-protobuf or application/json",
        );
    }
    let gzip = match header(CONTENT_ENCODING).as_str() {
        "" | "identity" => false,
        "gzip" => true,
        other => {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("encoding {other}"),
            );
        }
    };
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return refuse(StatusCode::PAYLOAD_TOO_LARGE, "body over 8 MiB"),
    };
    let body = match inflate(body, gzip) {
        Ok(b) => b,
        Err((status, why)) => return refuse(status, why),
    };
    let request = if json {
        from_json(&body)
    } else {
        ExportLogsServiceRequest::decode(body.as_slice())
            .map_err(|e| format!("not OTLP protobuf: {e}"))
    };
    let request = match request {
        Ok(r) => r,
        Err(e) => {
            shared.stats.malformed.fetch_add(1, Ordering::Relaxed);
            return refuse(StatusCode::BAD_REQUEST, e);
        }
    };
    let peer = peer.ip().to_string();
    let batch: Vec<Received> = records(request, &peer, now_micros(), shared.max_text)
        .into_iter()
        .map(|record| Received {
            host: record.host.clone(),
            record,
        })
        .collect();
    shared
        .stats
        .messages
        .fetch_add(batch.len() as u64, Ordering::Relaxed);
    // In the watcher's batch size, so what waits in its queue stays bounded in records.
    let mut batch = batch.into_iter().peekable();
    while batch.peek().is_some() {
        let part: Vec<Received> = batch.by_ref().take(super::syslog_server::BATCH).collect();
        if shared.queue.send_timeout(part, QUEUE_WAIT).await.is_err() {
            let mut r = refuse(StatusCode::SERVICE_UNAVAILABLE, "busy; retry");
            r.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
            return r;
        }
    }
    // An empty ExportLogsServiceResponse, in the request's encoding.
    if json {
        reply(StatusCode::OK, "application/json", "{}")
    } else {
        reply(StatusCode::OK, "application/x-protobuf", Bytes::new())
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    limits: Limits,
    shared: Arc<Shared>,
    quit: &AtomicBool,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    while !quit.load(Ordering::Relaxed) {
        let accepted = tokio::time::timeout(Duration::from_millis(100), listener.accept()).await;
        let Ok(Ok((stream, peer))) = accepted else {
            continue;
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            shared.stats.refused.fetch_add(1, Ordering::Relaxed);
            drop(stream);
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(req, peer, shared).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}

/// Serves `addr` until `quit`.
pub(crate) fn serve(
    addr: SocketAddr,
    limits: &Limits,
    stats: &Arc<ReceiverStats>,
    quit: &AtomicBool,
    send: &(impl Fn(ReceiverMsg) -> bool + Sync),
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            send(ReceiverMsg::State(StreamState::Failed {
                reason: format!("cannot start the OTLP receiver: {e}"),
            }));
            return;
        }
    };
    let listener = match runtime.block_on(tokio::net::TcpListener::bind(addr)) {
        Ok(l) => l,
        Err(e) => {
            send(ReceiverMsg::State(StreamState::Failed {
                reason: format!("cannot listen on {addr}: {e}"),
            }));
            return;
        }
    };
    send(ReceiverMsg::State(StreamState::Listening));
    let (queue, mut batches) = mpsc::channel::<Vec<Received>>(QUEUE);
    let shared = Arc::new(Shared {
        queue,
        max_text: limits.max_message,
        stats: stats.clone(),
    });
    std::thread::scope(|s| {
        // Batches go to the watcher from a plain thread: a full watcher queue makes the
        // HTTP side wait (and then answer 503), never blocks the runtime.
        s.spawn(|| {
            while let Some(batch) = batches.blocking_recv() {
                if !send(ReceiverMsg::Records(batch)) {
                    break;
                }
            }
        });
        runtime.block_on(accept_loop(listener, limits.clone(), shared, quit));
        // Ending the runtime drops the connections and, with them, the queue's senders.
        drop(runtime);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Bytes {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).expect("gzip");
        Bytes::from(e.finish().expect("gzip"))
    }

    #[test]
    fn gzip_bodies_inflate_within_the_limit() {
        assert_eq!(inflate(gzip(b"{}"), true).expect("small"), b"{}");
        // 40 MiB of zeros is a few KiB gzipped: refused once inflated past 32 MiB.
        let bomb = gzip(&vec![0u8; 40 << 20]);
        assert!(bomb.len() < 100_000);
        assert_eq!(
            inflate(bomb, true).map_err(|e| e.0),
            Err(StatusCode::PAYLOAD_TOO_LARGE)
        );
        assert_eq!(
            inflate(Bytes::from_static(b"not gzip"), true).map_err(|e| e.0),
            Err(StatusCode::BAD_REQUEST)
        );
    }
}
