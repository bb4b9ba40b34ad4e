//! One webhook POST, retried the way chat services ask: on 429 after the `Retry-After` they
//! send (capped), on 5xx and connection failures with a doubling back-off, never on another
//! 4xx (a wrong URL does not get better). Each attempt is time-limited, and so is the whole.

use std::io::Read;
use std::time::{Duration, Instant};

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    /// The first back-off; it doubles after each failed attempt.
    pub backoff: Duration,
    /// The longest wait healdeck accepts, from `Retry-After` or back-off.
    pub max_wait: Duration,
    /// One attempt's time limit.
    pub timeout: Duration,
    /// The time limit of all attempts together, waits included.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            deadline: Duration::from_secs(60),
        }
    }
}

/// How a POST ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The last HTTP status (none when no attempt got an answer).
    pub status: Option<u16>,
    pub attempts: u32,
    /// Why it failed, for people (no URL in it: a webhook URL is a secret).
    pub error: Option<String>,
}

impl Sent {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// POSTs `body` as JSON to `url`.
pub fn post_json(url: &str, body: &str, policy: &RetryPolicy) -> Sent {
    let started = Instant::now();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(policy.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut wait = policy.backoff;
    let mut last = Sent {
        status: None,
        attempts: 0,
        error: Some("not sent".into()),
    };
    for attempt in 1..=policy.attempts.max(1) {
        last.attempts = attempt;
        let pause = match agent
            .post(url)
            .header("content-type", "application/json")
            .header(
                "user-agent",
                concat!("healdeck/", env!("CARGO_PKG_VERSION")),
            )
            .send(body)
        {
            Ok(response) => {
                let status = response.status().as_u16();
                last.status = Some(status);
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<f64>().ok())
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(Duration::from_secs_f64);
                let mut text = String::new();
                let _ = response
                    .into_body()
                    .into_reader()
                    .take(2048)
                    .read_to_string(&mut text);
                if (200..300).contains(&status) {
                    last.error = None;
                    return last;
                }
                last.error = Some(format!("HTTP {status}: {}", text.trim()));
                match status {
                    429 => retry_after.unwrap_or(wait),
                    500..=599 => wait,
                    _ => return last,
                }
            }
            Err(e) => {
                last.error = Some(match e {
                    ureq::Error::Timeout(_) => {
                        format!("no answer within {} s", policy.timeout.as_secs())
                    }
                    other => without_url(&other.to_string(), url),
                });
                wait
            }
        };
        let pause = pause.min(policy.max_wait);
        if attempt == policy.attempts || started.elapsed() + pause > policy.deadline {
            break;
        }
        std::thread::sleep(pause);
        wait = wait.saturating_mul(2);
    }
    last
}

/// An error message with the URL (which carries the webhook's token) taken out.
fn without_url(message: &str, url: &str) -> String {
    message.replace(url, "<webhook>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_connection_is_retried_then_reported_without_the_url() {
        // A port nothing listens on: bind, take the number, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let url = format!("http://127.0.0.1:{port}/hooks/SECRET-TOKEN");
        let policy = RetryPolicy {
            attempts: 3,
            backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        };
        let sent = post_json(&url, "{}", &policy);
        assert_eq!(sent.attempts, 3);
        assert_eq!(sent.status, None);
        let error = sent.error.unwrap_or_default();
        assert!(!error.contains("SECRET-TOKEN"), "{error}");
    }
}
