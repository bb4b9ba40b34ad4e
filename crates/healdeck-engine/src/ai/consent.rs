//! Consent to send to a provider off this machine: given once per endpoint and purpose — an
//! issue's prompt, or that and the project's source files for a patch — after the person has
//! seen exactly what would be sent; kept in `<data>/ai-consent.json` (purpose and endpoint).

use super::provider::Provider;
use std::path::{Path, PathBuf};

/// What is sent: the repair prompt, or the repair prompt with project files and check output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Explain,
    Patch,
}

impl Purpose {
    fn key(self, provider: &Provider) -> String {
        let purpose = match self {
            Purpose::Explain => "explain",
            Purpose::Patch => "patch",
        };
        format!("{purpose} {}", provider.endpoint())
    }
}

fn file(data: &Path) -> PathBuf {
    data.join("ai-consent.json")
}

fn read(data: &Path) -> Vec<String> {
    std::fs::read_to_string(file(data))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Whether sending to `provider` for `purpose` needs no (more) asking: it is on this machine,
/// or the person agreed to it before.
pub fn given(data: &Path, provider: &Provider, purpose: Purpose) -> bool {
    !provider.is_cloud() || read(data).contains(&purpose.key(provider))
}

/// Records the person's consent for `provider` and `purpose`.
pub fn give(data: &Path, provider: &Provider, purpose: Purpose) -> std::io::Result<()> {
    let mut endpoints = read(data);
    let endpoint = purpose.key(provider);
    if !endpoints.contains(&endpoint) {
        endpoints.push(endpoint);
    }
    std::fs::create_dir_all(data)?;
    let text = serde_json::to_string_pretty(&endpoints).map_err(std::io::Error::other)?;
    std::fs::write(file(data), text)
}
