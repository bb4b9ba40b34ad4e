//! A scripted stand-in for a model server, speaking each provider's documented wire format
//! (no model can run here): Ollama's NDJSON, OpenAI's and Anthropic's server-sent events.
//! Every request is recorded; the n-th request gets the n-th script (the last one repeats).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the scripted server answers: status, headers, then body pieces with a pause before
/// each, and whether to hang (keep the connection open, silent) at the end.
#[derive(Clone)]
pub(crate) struct Script {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) pieces: Vec<String>,
    pub(crate) hang: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

/// An HTTP/1.1 server on its own thread (a thread per connection) answering each request by
/// its script.
pub(crate) struct Server {
    pub(crate) addr: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    pub(crate) fn start(ip: &str, script: Script) -> Server {
        Server::start_seq(ip, vec![script])
    }

    /// The n-th request is answered by `scripts[n]`, the last one for the rest.
    pub(crate) fn start_seq(ip: &str, scripts: Vec<Script>) -> Server {
        let listener = TcpListener::bind((ip, 0)).expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().flatten().enumerate() {
                let script = scripts[n.min(scripts.len() - 1)].clone();
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, &script, &log));
            }
        });
        Server { addr, seen }
    }

    pub(crate) fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

fn serve(stream: TcpStream, script: &Script, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.trim_end().split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
            if k == "content-length" {
                length = v.parse().unwrap_or(0);
            }
            headers.push((k, v));
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    log.lock().expect("lock").push(Seen {
        path: request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_string(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let mut out = stream;
    let mut head = format!(
        "HTTP/1.1 {} Scripted\r\nconnection: close\r\n",
        script.status
    );
    for (k, v) in &script.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    for piece in &script.pieces {
        std::thread::sleep(Duration::from_millis(20));
        if out
            .write_all(piece.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
    if script.hang {
        std::thread::sleep(Duration::from_secs(30));
    }
}

pub(crate) fn ndjson(words: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = words
        .iter()
        .map(|w| {
            format!(
                "{}\n",
                serde_json::json!({"message": {"role": "assistant", "content": w}, "done": false})
            )
        })
        .collect();
    v.push("{\"done\":true,\"done_reason\":\"stop\"}\n".into());
    v
}

pub(crate) fn openai_sse(words: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = words
        .iter()
        .map(|w| {
            format!(
                "data: {}\n\n",
                serde_json::json!({"choices": [{"index": 0, "delta": {"content": w}}]})
            )
        })
        .collect();
    v.push("data: [DONE]\n\n".into());
    v
}

pub(crate) fn anthropic_sse(words: &[&str], end: &str) -> Vec<String> {
    let mut v = vec![
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m1\"}}\n\n"
            .to_string(),
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0}\n\n"
            .into(),
    ];
    v.extend(words.iter().map(|w| {
        format!(
            "event: content_block_delta\ndata: {}\n\n",
            serde_json::json!({"type": "content_block_delta", "index": 0,
                               "delta": {"type": "text_delta", "text": w}})
        )
    }));
    v.push(end.to_string());
    v
}

pub(crate) fn ok(content_type: &str, pieces: Vec<String>) -> Script {
    Script {
        status: 200,
        headers: vec![("content-type", content_type.into())],
        pieces,
        hang: false,
    }
}
