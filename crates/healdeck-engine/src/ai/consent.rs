//! Consent to send to a provider off this machine: given once per endpoint, after the person
//! has seen exactly what would be sent; kept in `<data>/ai-consent.json` (endpoints only).

use super::provider::Provider;
use std::path::{Path, PathBuf};

fn file(data: &Path) -> PathBuf {
    data.join("ai-consent.json")
}

fn read(data: &Path) -> Vec<String> {
    std::fs::read_to_string(file(data))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Whether sending to `provider` needs no (more) asking: it is on this machine, or the person
/// agreed to its endpoint before.
pub fn given(data: &Path, provider: &Provider) -> bool {
    !provider.is_cloud() || read(data).contains(&provider.endpoint())
}

/// Records the person's consent for `provider`'s endpoint.
pub fn give(data: &Path, provider: &Provider) -> std::io::Result<()> {
    let mut endpoints = read(data);
    let endpoint = provider.endpoint();
    if !endpoints.contains(&endpoint) {
        endpoints.push(endpoint);
    }
    std::fs::create_dir_all(data)?;
    let text = serde_json::to_string_pretty(&endpoints).map_err(std::io::Error::other)?;
    std::fs::write(file(data), text)
}
