//! Failures no rule knows, grouped by their template: their parameterized key lines (see
//! `fingerprint::parameterize`) go through a miner of their own, and a failure whose key
//! joins an existing template joins that template's issue — so one unrecognized problem whose
//! lines differ in a word (a user, a disk, a queue name) is one issue.
//!
//! Over-merging is worse than splitting: the miner here asks more than the patterns' one
//! (85 % of the words equal, so a message of six words or fewer never merges on a word), and
//! the fingerprint stays the first failure's, so it is the same across runs that read
//! the log in the same order.

use super::{Miner, MinerOptions, TemplateId};
use std::collections::HashMap;

/// Similarity for joining an unknown failure to another's template.
const UNKNOWN_SIMILARITY: f32 = 0.85;
/// Templates of unknown failures kept (the least recent retired past it).
const UNKNOWN_TEMPLATES: usize = 10_000;

#[derive(Debug)]
pub(crate) struct UnknownTemplates {
    miner: Miner,
    /// The fingerprint of each template's first failure.
    first: HashMap<TemplateId, String>,
}

impl Default for UnknownTemplates {
    fn default() -> Self {
        UnknownTemplates {
            miner: Miner::new(MinerOptions {
                similarity: UNKNOWN_SIMILARITY,
                max_templates: UNKNOWN_TEMPLATES,
                ..MinerOptions::default()
            }),
            first: HashMap::new(),
        }
    }
}

/// Where an unknown failure goes.
pub(crate) struct Joined {
    /// The fingerprint of the issue it belongs to.
    pub fingerprint: String,
    /// The template's text, when it has wildcards (what the issue is grouped by now).
    pub template: Option<String>,
}

impl UnknownTemplates {
    /// Mines `key` (a failure's parameterized key line) whose own fingerprint is `fingerprint`.
    pub(crate) fn join(&mut self, key: &str, fingerprint: &str) -> Joined {
        let id = self.miner.add(key);
        let first = self
            .first
            .entry(id)
            .or_insert_with(|| fingerprint.to_string())
            .clone();
        let template = self.miner.text(id).filter(|t| t.contains("<*>"));
        Joined {
            fingerprint: first,
            template,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_differing_in_a_word_join_short_different_ones_do_not() {
        let mut u = UnknownTemplates::default();
        let a = u.join(
            "quota exceeded for user alice on volume home writes refused",
            "a",
        );
        assert_eq!(a.fingerprint, "a");
        let b = u.join(
            "quota exceeded for user bob on volume home writes refused",
            "b",
        );
        assert_eq!(b.fingerprint, "a", "one problem, two users");
        assert_eq!(
            b.template.as_deref(),
            Some("quota exceeded for user <*> on volume home writes refused")
        );
        let c = u.join("Failed to open config", "c");
        let d = u.join("Failed to parse config", "d");
        assert_eq!((c.fingerprint.as_str(), d.fingerprint.as_str()), ("c", "d"));
    }
}
