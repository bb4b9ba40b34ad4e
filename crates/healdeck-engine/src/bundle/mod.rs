//! The support bundle: what a remote expert needs to help — the report, each issue's redacted
//! excerpt and context, the environment, the fix audit history, optionally the (redacted)
//! log tails — packed as a gzipped tar with a manifest, then encrypted in the age format.
//!
//! age (<https://age-encryption.org/v1>) gives authenticated encryption (ChaCha20-Poly1305
//! over 64 KiB chunks) to X25519 recipients (`age1…` public keys) or to a passphrase (scrypt),
//! and the receiver opens it with the standard `age` tool: `age -d -i key.txt bundle.age |
//! tar xz`. Nothing unredacted enters the bundle: every file is built from redacted text, and
//! the manifest lists each file and how many secrets of each kind were taken out (counts,
//! never values). The file is written next to its destination and renamed into place, readable
//! by its owner only.

mod contents;

pub use age::secrecy::SecretString;
pub use contents::Entry;

use crate::rules::RulesError;
use crate::scan::ScanReport;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What to put in.
#[derive(Debug, Clone, Default)]
pub struct BundleOptions {
    /// The data folder (its fix audit log goes in); `None` leaves the history out.
    pub data_dir: Option<PathBuf>,
    /// Lines of each log file's end to include (0: no log tails).
    pub log_tail_lines: usize,
}

/// Who can open it.
pub enum Lock {
    /// age X25519 public keys (`age1…`).
    Recipients(Vec<String>),
    /// A passphrase (scrypt).
    Passphrase(SecretString),
}

impl std::fmt::Debug for Lock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Lock {
    fn describe(&self) -> String {
        match self {
            Lock::Recipients(r) => format!("age, to {} X25519 recipient(s)", r.len()),
            Lock::Passphrase(_) => "age, to a passphrase (scrypt)".into(),
        }
    }
}

/// One file in the manifest.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ManifestFile {
    pub path: String,
    pub bytes: usize,
    pub what: String,
}

/// `manifest.json`: what is inside, what was redacted, how it is locked.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Manifest {
    pub healdeck: &'static str,
    pub created: String,
    pub encryption: String,
    pub files: Vec<ManifestFile>,
    /// Secrets taken out, by kind: counts only.
    pub redacted: std::collections::BTreeMap<String, usize>,
    pub note: String,
}

/// A bundle written.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub bytes: u64,
    pub manifest: Manifest,
}

/// Builds the bundle's files (manifest first) without encrypting: what [`write`] packs.
pub fn build(
    scan: &ScanReport,
    rules_errors: &[RulesError],
    opts: &BundleOptions,
    lock: &Lock,
) -> (Manifest, Vec<Entry>) {
    let (entries, tally) = contents::entries(scan, rules_errors, opts);
    let manifest = Manifest {
        healdeck: crate::VERSION,
        created: healdeck_config::clock::iso_of_unix(healdeck_config::clock::now_unix() as i64),
        encryption: lock.describe(),
        files: entries
            .iter()
            .map(|e| ManifestFile {
                path: e.path.clone(),
                bytes: e.data.len(),
                what: e.what.clone(),
            })
            .collect(),
        redacted: tally.0.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
        note: "Every file was redacted by healdeck before it was packed; `redacted` counts what \
               was taken out, by kind. No value of a secret is in this bundle."
            .into(),
    };
    (manifest, entries)
}

/// Checks the lock before anything is built: each key must be an age X25519 public key.
pub fn check_lock(lock: &Lock) -> Result<(), String> {
    match lock {
        Lock::Recipients(keys) if keys.is_empty() => Err("no recipient given".into()),
        Lock::Recipients(keys) => keys.iter().try_for_each(|k| {
            k.trim()
                .parse::<age::x25519::Recipient>()
                .map(|_| ())
                .map_err(|e| format!("'{k}' is not an age public key (age1…): {e}"))
        }),
        Lock::Passphrase(_) => Ok(()),
    }
}

/// Builds, packs, encrypts and writes the bundle to `out`.
pub fn write(
    scan: &ScanReport,
    rules_errors: &[RulesError],
    opts: &BundleOptions,
    lock: &Lock,
    out: &Path,
) -> Result<Written, String> {
    check_lock(lock)?;
    let (manifest, entries) = build(scan, rules_errors, opts, lock);
    let archive = pack(&manifest, &entries).map_err(|e| format!("packing the bundle: {e}"))?;
    let encryptor = match lock {
        Lock::Recipients(keys) => {
            let recipients: Vec<age::x25519::Recipient> =
                keys.iter().filter_map(|k| k.trim().parse().ok()).collect();
            age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| e.to_string())?
        }
        Lock::Passphrase(p) => age::Encryptor::with_user_passphrase(p.clone()),
    };
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| format!("{}: {e}", out.display());
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".healdeck-bundle")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(fail)?;
    let mut writer = encryptor.wrap_output(tmp.as_file_mut()).map_err(fail)?;
    writer.write_all(&archive).map_err(fail)?;
    writer.finish().and_then(|f| f.sync_all()).map_err(fail)?;
    let bytes = tmp.as_file().metadata().map_err(fail)?.len();
    tmp.persist(out).map_err(|e| fail(e.error))?;
    Ok(Written {
        path: out.to_path_buf(),
        bytes,
        manifest,
    })
}

/// The manifest and entries as a gzipped tar, under one folder (`healdeck-bundle/`).
fn pack(manifest: &Manifest, entries: &[Entry]) -> std::io::Result<Vec<u8>> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let manifest_json = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
    let mtime = healdeck_config::clock::now_unix();
    let files = std::iter::once(("manifest.json", manifest_json.as_slice()))
        .chain(entries.iter().map(|e| (e.path.as_str(), e.data.as_slice())));
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, format!("healdeck-bundle/{path}"), data)?;
    }
    tar.into_inner()?.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn report_with_secret() -> ScanReport {
        let mut issue = crate::Issue::example("abc123", "/var/log/app.log", 7);
        issue.excerpt =
            "ERROR auth failed for token ghp_abcdefghijklmnopqrstuvwxyz0123456789AB".into();
        ScanReport {
            issues: vec![issue],
            ..ScanReport::default()
        }
    }

    #[test]
    fn a_passphrase_bundle_opens_with_it_and_holds_no_secret() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("support.age");
        let lock = Lock::Passphrase(SecretString::from("correct horse"));
        let written = write(
            &report_with_secret(),
            &[],
            &BundleOptions::default(),
            &lock,
            &out,
        )
        .expect("write");
        assert!(written.bytes > 0);
        assert_eq!(written.manifest.redacted.values().sum::<usize>(), 1);
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&out).expect("meta").permissions(),
        );
        assert_eq!(mode & 0o777, 0o600);
        let sealed = std::fs::read(&out).expect("read");
        let open = |pass: &str| -> Result<Vec<u8>, String> {
            let d = age::Decryptor::new(&sealed[..]).map_err(|e| e.to_string())?;
            let id = age::scrypt::Identity::new(SecretString::from(pass));
            let mut r = d
                .decrypt(std::iter::once(&id as &dyn age::Identity))
                .map_err(|e| e.to_string())?;
            let mut v = Vec::new();
            r.read_to_end(&mut v).map_err(|e| e.to_string())?;
            Ok(v)
        };
        assert!(open("wrong horse").is_err());
        let archive = open("correct horse").expect("opens");
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&archive[..]));
        let mut names = Vec::new();
        for entry in tar.entries().expect("entries") {
            let mut entry = entry.expect("entry");
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("text");
            assert!(
                !text.contains("ghp_abcdefghij"),
                "secret in {:?}",
                entry.path()
            );
            names.push(entry.path().expect("path").display().to_string());
        }
        assert_eq!(names[0], "healdeck-bundle/manifest.json");
        assert!(names.contains(&"healdeck-bundle/issues/01-abc123.txt".to_string()));
        assert!(names.contains(&"healdeck-bundle/report.json".to_string()));
    }

    #[test]
    fn recipients_are_checked_before_anything_is_built() {
        let bad = Lock::Recipients(vec!["ssh-ed25519 AAAA".into()]);
        assert!(
            check_lock(&bad)
                .expect_err("bad")
                .contains("not an age public key")
        );
        assert!(check_lock(&Lock::Recipients(Vec::new())).is_err());
        let key = age::x25519::Identity::generate().to_public().to_string();
        assert!(check_lock(&Lock::Recipients(vec![key])).is_ok());
    }
}
