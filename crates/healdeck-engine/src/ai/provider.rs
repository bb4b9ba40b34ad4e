//! The providers and one streamed request to them: which one answers (the settings, and
//! whether an NVIDIA GPU is present), the request each wire format wants, and the answer read
//! as it streams — with a time limit, a size limit and a cancel flag checked between lines.

use super::config::{AiConfig, ProviderChoice};
use super::wire::{Decoder, Piece, Wire, text_of};
use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A provider ready to call: where, which model, and its key (read from the environment).
#[derive(Clone, PartialEq, Eq)]
pub struct Provider {
    pub kind: ProviderKind,
    pub base_url: String,
    pub model: String,
    api_key: Option<String>,
    max_tokens: u32,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is never printed.
        f.debug_struct("Provider")
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "…"))
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Ollama,
    Openai,
    Anthropic,
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AiError {
    #[error("AI is off: set \"provider\" in {0} (ollama, openai, anthropic or auto) and the model")]
    Off(String),
    #[error("{0}")]
    NotConfigured(String),
    #[error("the {provider} API key is not set: export {var}")]
    NoKey { provider: &'static str, var: String },
    #[error("cannot reach {url}: {message}")]
    Connect { url: String, message: String },
    #[error("{url} answered HTTP {status}: {message}")]
    Http {
        url: String,
        status: u16,
        message: String,
    },
    #[error("{url} is rate limiting (HTTP 429){}", retry_after.as_ref().map(|s| format!("; retry after {s} s")).unwrap_or_default())]
    RateLimited {
        url: String,
        retry_after: Option<String>,
    },
    #[error("no complete answer within {0} s")]
    Timeout(u64),
    #[error("the provider's stream is malformed: {0}")]
    Malformed(String),
    #[error("the provider reported an error: {0}")]
    Server(String),
    #[error("the stream ended before the answer did")]
    Truncated,
    #[error("cancelled")]
    Cancelled,
}

/// An answer, possibly partial when `error` says why it stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub text: String,
    /// Cut at the configured size.
    pub cut: bool,
    pub error: Option<AiError>,
}

impl Provider {
    /// The provider the settings name (`auto`: Ollama first when an NVIDIA GPU is present).
    pub fn choose(config: &AiConfig, nvidia_gpu: bool, file: &str) -> Result<Provider, AiError> {
        let order: &[ProviderKind] = match config.provider {
            ProviderChoice::Off => return Err(AiError::Off(file.to_string())),
            ProviderChoice::Ollama => &[ProviderKind::Ollama],
            ProviderChoice::Openai => &[ProviderKind::Openai],
            ProviderChoice::Anthropic => &[ProviderKind::Anthropic],
            ProviderChoice::Auto if nvidia_gpu => &[
                ProviderKind::Ollama,
                ProviderKind::Openai,
                ProviderKind::Anthropic,
            ],
            ProviderChoice::Auto => &[
                ProviderKind::Openai,
                ProviderKind::Anthropic,
                ProviderKind::Ollama,
            ],
        };
        let mut first_error = None;
        for kind in order {
            match Provider::of(config, *kind, file) {
                Ok(p) => return Ok(p),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or_else(|| AiError::Off(file.to_string())))
    }

    fn of(config: &AiConfig, kind: ProviderKind, file: &str) -> Result<Provider, AiError> {
        let missing = |what: &str| AiError::NotConfigured(format!("{what} is not set in {file}"));
        let key_from = |var: &str| std::env::var(var).ok().filter(|k| !k.trim().is_empty());
        let provider = |base_url: &str, model: &str, api_key, max_tokens| Provider {
            kind,
            base_url: base_url.trim_end_matches('/').to_string(),
            model: model.to_string(),
            api_key,
            max_tokens,
        };
        match kind {
            ProviderKind::Ollama => {
                let c = &config.ollama;
                if c.model.is_empty() {
                    return Err(missing("ollama.model"));
                }
                Ok(provider(&c.url, &c.model, None, 0))
            }
            ProviderKind::Openai => {
                let c = &config.openai;
                if c.base_url.is_empty() || c.model.is_empty() {
                    return Err(missing("openai.base_url and openai.model"));
                }
                let key = match &c.api_key_env {
                    Some(var) => Some(key_from(var).ok_or_else(|| AiError::NoKey {
                        provider: "OpenAI-compatible",
                        var: var.clone(),
                    })?),
                    None => None,
                };
                Ok(provider(&c.base_url, &c.model, key, 0))
            }
            ProviderKind::Anthropic => {
                let c = &config.anthropic;
                if c.model.is_empty() {
                    return Err(missing("anthropic.model"));
                }
                let key = key_from(&c.api_key_env).ok_or_else(|| AiError::NoKey {
                    provider: "Anthropic",
                    var: c.api_key_env.clone(),
                })?;
                Ok(provider(&c.base_url, &c.model, Some(key), c.max_tokens))
            }
        }
    }

    /// Where requests go.
    pub fn endpoint(&self) -> String {
        let base = self.base_url.trim_end_matches('/');
        match self.kind {
            ProviderKind::Ollama => format!("{base}/api/chat"),
            ProviderKind::Openai if base.ends_with("/v1") => format!("{base}/chat/completions"),
            ProviderKind::Openai => format!("{base}/v1/chat/completions"),
            ProviderKind::Anthropic => format!("{base}/v1/messages"),
        }
    }

    /// Whether the text leaves this machine: the server's host is not `localhost` or a
    /// loopback IP (parsed as a URL: `127.evil.example` or `evil.com#@127.0.0.1` are not).
    pub fn is_cloud(&self) -> bool {
        let Ok(uri) = self.base_url.parse::<ureq::http::Uri>() else {
            return true;
        };
        let Some(host) = uri.host() else {
            return true;
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        !loopback
    }

    /// `kind model` for people.
    pub fn label(&self) -> String {
        let kind = match self.kind {
            ProviderKind::Ollama => "Ollama",
            ProviderKind::Openai => "OpenAI-compatible",
            ProviderKind::Anthropic => "Anthropic",
        };
        format!("{kind} {} at {}", self.model, self.base_url)
    }

    fn wire(&self) -> Wire {
        match self.kind {
            ProviderKind::Ollama => Wire::OllamaNdjson,
            ProviderKind::Openai => Wire::OpenAiSse,
            ProviderKind::Anthropic => Wire::AnthropicSse,
        }
    }

    /// The request body and headers for `system` and `user`.
    fn request(
        &self,
        system: &str,
        user: &str,
    ) -> (serde_json::Value, Vec<(&'static str, String)>) {
        let messages = serde_json::json!([
            { "role": "system", "content": system },
            { "role": "user", "content": user },
        ]);
        match self.kind {
            ProviderKind::Ollama => (
                serde_json::json!({ "model": self.model, "messages": messages, "stream": true,
                                    "options": { "temperature": 0.2 } }),
                Vec::new(),
            ),
            ProviderKind::Openai => (
                serde_json::json!({ "model": self.model, "messages": messages, "stream": true,
                                    "temperature": 0.2 }),
                self.api_key
                    .iter()
                    .map(|k| ("authorization", format!("Bearer {k}")))
                    .collect(),
            ),
            ProviderKind::Anthropic => (
                serde_json::json!({ "model": self.model, "max_tokens": self.max_tokens,
                                    "system": system, "stream": true,
                                    "messages": [{ "role": "user", "content": user }] }),
                vec![
                    ("x-api-key", self.api_key.clone().unwrap_or_default()),
                    ("anthropic-version", "2023-06-01".to_string()),
                ],
            ),
        }
    }

    /// Sends `system` + `user` and streams the answer into `on_text` as it comes. Stops at
    /// `timeout`, at `max_chars` characters, or when `cancel` is set.
    pub fn ask(
        &self,
        system: &str,
        user: &str,
        limits: (Duration, usize),
        cancel: &AtomicBool,
        mut on_text: impl FnMut(&str),
    ) -> Answer {
        let (timeout, max_chars) = limits;
        let url = self.endpoint();
        let started = Instant::now();
        let mut answer = Answer {
            text: String::new(),
            cut: false,
            error: None,
        };
        let reader = match self.send(&url, system, user, timeout) {
            Ok(r) => r,
            Err(e) => {
                answer.error = Some(e);
                return answer;
            }
        };
        let mut decoder = Decoder::new(self.wire());
        let mut lines = BufReader::new(reader);
        let mut done = false;
        while !done {
            if cancel.load(Ordering::Relaxed) {
                answer.error = Some(AiError::Cancelled);
                break;
            }
            let line = match read_line(&mut lines) {
                Ok(Some(l)) => l,
                Ok(None) => break,
                Err(e) if started.elapsed() >= timeout || is_timeout(&e) => {
                    answer.error = Some(AiError::Timeout(timeout.as_secs()));
                    break;
                }
                Err(e) => {
                    answer.error = Some(AiError::Malformed(e.to_string()));
                    break;
                }
            };
            match decoder.line(&line) {
                Ok(Some(Piece::Text(t))) => {
                    let room = max_chars.saturating_sub(answer.text.chars().count());
                    let kept: String = t.chars().take(room).collect();
                    on_text(&kept);
                    answer.text.push_str(&kept);
                    if kept.len() < t.len() {
                        answer.cut = true;
                        done = true;
                    }
                }
                Ok(Some(Piece::Done)) => done = true,
                Ok(Some(Piece::Cut)) => {
                    answer.cut = true;
                    done = true;
                }
                Ok(Some(Piece::ServerError(m))) => {
                    answer.error = Some(AiError::Server(m));
                    break;
                }
                Ok(None) => {}
                Err(m) => {
                    answer.error = Some(AiError::Malformed(m));
                    break;
                }
            }
        }
        if !done && answer.error.is_none() {
            answer.error = Some(AiError::Truncated);
        }
        answer
    }

    /// The request sent; the response body when it is a 200.
    fn send(
        &self,
        url: &str,
        system: &str,
        user: &str,
        timeout: Duration,
    ) -> Result<impl Read, AiError> {
        // No redirects: a key header must not follow one to another host. A local server is
        // reached directly, never through a proxy from the environment.
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .http_status_as_error(false)
            .max_redirects(0);
        if !self.is_cloud() {
            config = config.proxy(None);
        }
        let agent: ureq::Agent = config.build().into();
        let (body, headers) = self.request(system, user);
        let mut request = agent
            .post(url)
            .header("content-type", "application/json")
            .header(
                "accept",
                "text/event-stream, application/x-ndjson, application/json",
            );
        for (k, v) in headers {
            request = request.header(k, v);
        }
        let response = request.send(body.to_string()).map_err(|e| match e {
            ureq::Error::Timeout(_) => AiError::Timeout(timeout.as_secs()),
            other => AiError::Connect {
                url: url.to_string(),
                message: other.to_string(),
            },
        })?;
        let status = response.status().as_u16();
        if status == 200 {
            return Ok(response.into_body().into_reader());
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut text = String::new();
        let _ = response
            .into_body()
            .into_reader()
            .take(8192)
            .read_to_string(&mut text);
        if status == 429 {
            return Err(AiError::RateLimited {
                url: url.to_string(),
                retry_after,
            });
        }
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("error").map(text_of))
            .unwrap_or_else(|| text.chars().take(300).collect());
        Err(AiError::Http {
            url: url.to_string(),
            status,
            message: crate::redact::redact(&message).text,
        })
    }
}

/// Longest line read from a stream (a line longer is an error, not unbounded memory).
const MAX_LINE: u64 = 1 << 20;

/// One line without its newline; `None` at the end of the stream.
fn read_line(r: &mut impl BufRead) -> std::io::Result<Option<String>> {
    let mut bytes = Vec::new();
    let n = r.by_ref().take(MAX_LINE).read_until(b'\n', &mut bytes)?;
    if n == 0 {
        return Ok(None);
    }
    if bytes.last() != Some(&b'\n') && n as u64 == MAX_LINE {
        return Err(std::io::Error::other("a stream line longer than 1 MiB"));
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    ) || e.to_string().to_ascii_lowercase().contains("timeout")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::config::{AiConfig, ProviderChoice};

    fn at(url: &str) -> Provider {
        Provider {
            kind: ProviderKind::Openai,
            base_url: url.into(),
            model: "m".into(),
            api_key: None,
            max_tokens: 0,
        }
    }

    #[test]
    fn only_loopback_hosts_count_as_this_machine() {
        for local in [
            "http://localhost:11434",
            "http://127.0.0.1:8080/v1",
            "http://127.1.2.3",
            "http://[::1]:8080",
        ] {
            assert!(!at(local).is_cloud(), "{local}");
        }
        for cloud in [
            "https://api.anthropic.com",
            "http://127.attacker.example",
            "http://evil.example#@127.0.0.1",
            "http://user@evil.example",
            "http://192.168.1.20:8080",
            "not a url",
        ] {
            assert!(at(cloud).is_cloud(), "{cloud}");
        }
    }

    #[test]
    fn auto_prefers_a_local_ollama_when_an_nvidia_gpu_is_present() {
        let mut config = AiConfig {
            provider: ProviderChoice::Auto,
            ..AiConfig::default()
        };
        config.ollama.model = "qwen2.5-coder:7b".into();
        config.openai.base_url = "http://localhost:8080/v1".into();
        config.openai.model = "local".into();
        let with_gpu = Provider::choose(&config, true, "ai.json").expect("provider");
        assert_eq!(with_gpu.kind, ProviderKind::Ollama);
        let without = Provider::choose(&config, false, "ai.json").expect("provider");
        assert_eq!(without.kind, ProviderKind::Openai);
        config.provider = ProviderChoice::Off;
        assert!(matches!(
            Provider::choose(&config, true, "ai.json"),
            Err(AiError::Off(_))
        ));
    }

    #[test]
    fn the_openai_endpoint_takes_a_base_url_with_or_without_v1() {
        assert_eq!(
            at("http://h:1/v1/").endpoint().as_str(),
            "http://h:1/v1/chat/completions"
        );
        assert_eq!(
            at("http://h:1").endpoint(),
            "http://h:1/v1/chat/completions"
        );
    }
}
