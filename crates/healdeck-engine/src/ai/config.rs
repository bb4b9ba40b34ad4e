//! AI settings: `<config>/ai.json`. Off until the person configures a provider — no network
//! call is made otherwise. API keys are never stored: the file names the environment variable
//! that holds one.

use healdeck_config::{Invalid, SettingsFile};
use serde::{Deserialize, Serialize};

/// Which provider answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ProviderChoice {
    /// No AI: nothing is ever sent.
    #[default]
    Off,
    /// Ollama when an NVIDIA GPU is present, else the first configured of OpenAI-compatible,
    /// Anthropic, Ollama.
    Auto,
    Ollama,
    Openai,
    Anthropic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AiConfig {
    pub provider: ProviderChoice,
    pub ollama: OllamaSettings,
    pub openai: OpenAiSettings,
    pub anthropic: AnthropicSettings,
    /// Seconds an answer may take, from the request to its last word.
    pub timeout_secs: u64,
    /// Characters of answer kept; a longer one is cut and marked incomplete.
    pub max_answer_chars: usize,
}

/// A local (or remote) Ollama server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OllamaSettings {
    pub url: String,
    /// e.g. `llama3.1:8b`, `qwen2.5-coder:7b`; empty: Ollama is not configured.
    pub model: String,
}

/// Any server speaking OpenAI's chat completions: llama.cpp's server, vLLM, LM Studio, OpenAI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct OpenAiSettings {
    /// e.g. `http://localhost:8080/v1`; empty: not configured.
    pub base_url: String,
    pub model: String,
    /// The environment variable holding the API key, if the server needs one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
}

/// Anthropic's Messages API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnthropicSettings {
    pub base_url: String,
    /// e.g. `claude-sonnet-4-5`; empty: not configured.
    pub model: String,
    /// The environment variable holding the API key.
    pub api_key_env: String,
    pub max_tokens: u32,
}

impl Default for AiConfig {
    fn default() -> Self {
        AiConfig {
            provider: ProviderChoice::Off,
            ollama: OllamaSettings::default(),
            openai: OpenAiSettings::default(),
            anthropic: AnthropicSettings::default(),
            timeout_secs: 120,
            max_answer_chars: 20_000,
        }
    }
}

impl Default for OllamaSettings {
    fn default() -> Self {
        OllamaSettings {
            url: "http://localhost:11434".into(),
            model: String::new(),
        }
    }
}

impl Default for AnthropicSettings {
    fn default() -> Self {
        AnthropicSettings {
            base_url: "https://api.anthropic.com".into(),
            model: String::new(),
            api_key_env: "ANTHROPIC_API_KEY".into(),
            max_tokens: 2048,
        }
    }
}

impl SettingsFile for AiConfig {
    const FILE_NAME: &'static str = "ai.json";

    fn validate(&self) -> Result<(), Invalid> {
        if self.timeout_secs == 0 || self.timeout_secs > 1800 {
            return Err(Invalid::new(
                "timeout_secs",
                format!("timeout_secs is {}, expected 1..=1800", self.timeout_secs),
            ));
        }
        if self.max_answer_chars < 500 {
            return Err(Invalid::new(
                "max_answer_chars",
                format!(
                    "max_answer_chars is {}, expected at least 500",
                    self.max_answer_chars
                ),
            ));
        }
        for (field, url) in [
            ("ollama.url", &self.ollama.url),
            ("openai.base_url", &self.openai.base_url),
            ("anthropic.base_url", &self.anthropic.base_url),
        ] {
            if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Invalid::new(
                    field.split('.').next().unwrap_or(field),
                    format!("{field}: '{url}' is not an http:// or https:// URL"),
                ));
            }
        }
        if self.anthropic.max_tokens == 0 || self.anthropic.max_tokens > 64_000 {
            return Err(Invalid::new(
                "anthropic",
                format!(
                    "anthropic.max_tokens is {}, expected 1..=64000",
                    self.anthropic.max_tokens
                ),
            ));
        }
        Ok(())
    }
}
