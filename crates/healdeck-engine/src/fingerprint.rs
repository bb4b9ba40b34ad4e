//! Fingerprints: one problem, one id. A message is normalized (timestamps, UUIDs, hex ids,
//! temporary paths and numbers replaced, whitespace collapsed) and hashed with its rule id
//! (FNV-1a, 64 bits), so repeats of a failure group into one issue across runs and machines.

use regex::Regex;
use std::sync::LazyLock;

static VOLATILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<ts>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
        r"|\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}",
        r"|\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}",
        r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{2}:\d{2}:\d{2}",
        r"|\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b)",
        r"|(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)",
        r"|(?P<hex>\b0x[0-9a-fA-F]+\b|\b[0-9a-f]{8,}\b|\b[0-9A-F]{8,}\b)",
        r"|(?P<tmp>(?:/private)?(?:/tmp|/var/tmp|/var/folders|/dev/shm)/[^\s'\x22:,)\]]*",
        r"|(?i:[a-z]:\\Users\\[^\\\s]+\\AppData\\Local\\Temp\\[^\s'\x22]*))",
        r"|(?P<num>\b\d+(?:\.\d+)*\b)",
    ))
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// Replaces the parts of a message that vary between repeats of one problem.
pub(crate) fn normalize(text: &str) -> String {
    let replaced = VOLATILE.replace_all(text, |c: &regex::Captures| {
        if c.name("ts").is_some() {
            "<ts>"
        } else if c.name("uuid").is_some() {
            "<uuid>"
        } else if c.name("hex").is_some() {
            "<hex>"
        } else if c.name("tmp").is_some() {
            "<tmp>"
        } else {
            "#"
        }
    });
    replaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The stable fingerprint of (rule, signature), as 16 hex digits.
pub(crate) fn fingerprint(rule_id: &str, signature: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in rule_id
        .bytes()
        .chain(std::iter::once(0x1f))
        .chain(normalize(signature).bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_keeps_words_drops_volatiles() {
        let a = normalize(
            "2024-01-01T10:00:00Z req 8f14e45f-ceea-467f-a0e8-2c5e2d7b1c11 at 0x7ffd1234 from 10.0.0.7:54321 file /tmp/pip-build-abc123/setup.py line 42 sha deadbeef1234",
        );
        assert_eq!(
            a,
            "<ts> req <uuid> at <hex> from #:# file <tmp> line # sha <hex>"
        );
        assert_eq!(
            normalize("No module named 'foo2'"),
            "No module named 'foo2'"
        );
    }

    #[test]
    fn fingerprint_is_stable_and_discriminating() {
        let a = fingerprint("python.module_not_found", "No module named 'yaml'");
        assert_eq!(
            a,
            fingerprint("python.module_not_found", "No module named  'yaml'")
        );
        assert_ne!(
            a,
            fingerprint("python.module_not_found", "No module named 'cv2'")
        );
        // Fixed value: a change here breaks users' `--approve FINGERPRINT` and GUI state.
        assert_eq!(fingerprint("r", "x 1"), fingerprint("r", "x 999"));
        assert_eq!(a.len(), 16);
        assert_eq!(fingerprint("a", "b"), "e5eaa319043b0991");
    }
}
