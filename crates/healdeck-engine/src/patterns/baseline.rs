//! Saved baselines: a healthy period's patterns — each template's lines and level mix, each
//! handler's durations, the error lines, and how long the period was — kept as JSON so a later
//! log is compared with it (`healdeck patterns --save-baseline NAME`, then `--baseline NAME`).
//!
//! Templates are matched by their text, so a later run must mask the same way (the miner's
//! options are saved with it; a template the later run widened further counts as new).

use super::timeline::{Handler, Timeline};
use super::{LevelMix, TemplateId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The format's version; a file of another version is refused with that said.
pub(crate) const BASELINE_VERSION: u32 = 1;

/// One template of the baseline.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BaseTemplate {
    pub count: u64,
    pub levels: LevelMix,
}

/// One handler's durations in the baseline.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BaseHandler {
    pub calls: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

/// A healthy period, saved.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Baseline {
    pub version: u32,
    pub name: String,
    /// When it was saved (engine time, UTC).
    pub saved: String,
    pub sources: Vec<String>,
    /// Whether its steps are minutes (else blocks of 100 lines).
    pub timed: bool,
    /// Its length in steps.
    pub steps: f64,
    pub lines: u64,
    pub error_lines: u64,
    /// By template text.
    pub templates: BTreeMap<String, BaseTemplate>,
    /// By handler name (a template's text, or `sequence NAME`).
    pub handlers: BTreeMap<String, BaseHandler>,
}

/// Whether a template's word `wide` takes a baseline template's word `word`: the same, the
/// wildcard, or `key=<*>` and `word` is that key's.
fn takes(wide: &str, word: &str) -> bool {
    wide == word
        || wide == "<*>"
        || wide
            .strip_suffix("<*>")
            .is_some_and(|key| key.ends_with('=') && word.starts_with(key))
}

/// Why a baseline could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("baseline name {0:?}: use letters, digits, '.', '_' or '-' (at most 64)")]
    BadName(String),
    #[error("{path}: no baseline of that name (save one with --save-baseline)")]
    Missing { path: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}: not a healdeck baseline: {message}")]
    Corrupt { path: String, message: String },
    #[error("{path}: baseline format {found}, this healdeck reads {BASELINE_VERSION}")]
    Version { path: String, found: u32 },
}

/// The file a baseline of `name` lives in under `dir`; the name is checked.
pub fn baseline_path(dir: &Path, name: &str) -> Result<PathBuf, BaselineError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !ok {
        return Err(BaselineError::BadName(name.to_string()));
    }
    Ok(dir.join(format!("{name}.json")))
}

impl Baseline {
    /// The baseline's lines of `template`: its own, or, when the later run widened it (the
    /// baseline has `Connection closed by authenticating user nobody …`, the later log also
    /// `… by invalid user admin …`, and the two met as `Connection closed by <*> user <*> …`),
    /// those of every baseline template it takes.
    pub fn lines_like(&self, template: &str) -> u64 {
        if let Some(t) = self.templates.get(template) {
            return t.count;
        }
        if !template.contains("<*>") {
            return 0;
        }
        let wide: Vec<&str> = template.split(' ').collect();
        self.templates
            .iter()
            .filter(|(text, _)| {
                let mut words = text.split(' ');
                wide.iter()
                    .all(|w| words.next().is_some_and(|b| takes(w, b)))
                    && words.next().is_none()
            })
            .map(|(_, t)| t.count)
            .sum()
    }

    /// The whole of a mined log as a baseline.
    pub(crate) fn from_timeline(
        name: &str,
        sources: Vec<String>,
        timeline: &Timeline,
        describe: &dyn Fn(TemplateId) -> Option<(String, LevelMix)>,
        handler_name: &dyn Fn(&Handler) -> Option<String>,
    ) -> Baseline {
        let timed = timeline.is_timed();
        let all = timeline.all.series(timed);
        let steps = match (all.keys().next(), all.keys().next_back()) {
            (Some(a), Some(b)) => (b - a + 1) as f64,
            _ => 0.0,
        };
        let mut templates = BTreeMap::new();
        for (&id, steps) in &timeline.templates {
            let Some((text, levels)) = describe(id) else {
                continue;
            };
            let count: u64 = steps.blocks.values().map(|&n| u64::from(n)).sum();
            let e: &mut BaseTemplate = templates.entry(text).or_default();
            e.count += count;
            e.levels.error += levels.error;
            e.levels.warn += levels.warn;
            e.levels.other += levels.other;
        }
        let mut handlers = BTreeMap::new();
        for (h, samples) in &timeline.durations {
            let Some(name) = handler_name(h) else {
                continue;
            };
            let (calls, q) = samples.all();
            handlers.insert(
                name,
                BaseHandler {
                    calls,
                    p50_ms: q.p50,
                    p95_ms: q.p95,
                    max_ms: q.max,
                },
            );
        }
        Baseline {
            version: BASELINE_VERSION,
            name: name.to_string(),
            saved: healdeck_config::clock::iso_of_unix(
                i64::try_from(healdeck_config::clock::now_unix()).unwrap_or(0),
            ),
            sources,
            timed,
            steps,
            lines: timeline.lines,
            error_lines: timeline.errors.blocks.values().map(|&n| u64::from(n)).sum(),
            templates,
            handlers,
        }
    }

    /// Writes it to `path` (its folder made), replacing one of the same name.
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        let io = |e: std::io::Error| BaselineError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| BaselineError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads one, checking its format.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => BaselineError::Missing {
                path: shown.clone(),
            },
            _ => BaselineError::Io {
                path: shown.clone(),
                message: e.to_string(),
            },
        })?;
        let version = serde_json::from_slice::<serde_json::Value>(&bytes)
            .map_err(|e| BaselineError::Corrupt {
                path: shown.clone(),
                message: e.to_string(),
            })?
            .get("version")
            .and_then(serde_json::Value::as_u64);
        if let Some(v) = version
            && v != u64::from(BASELINE_VERSION)
        {
            return Err(BaselineError::Version {
                path: shown,
                found: u32::try_from(v).unwrap_or(u32::MAX),
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| BaselineError::Corrupt {
            path: shown,
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_files_round_trip() {
        let dir = tempfile::tempdir().expect("tmp");
        for bad in ["", "../x", "a/b", ".hidden", "semi;colon", &"x".repeat(65)] {
            assert!(baseline_path(dir.path(), bad).is_err(), "{bad}");
        }
        let path = baseline_path(dir.path(), "healthy-week_1.2").expect("name");
        let mut b = Baseline {
            version: BASELINE_VERSION,
            name: "healthy-week_1.2".into(),
            timed: true,
            steps: 60.0,
            ..Baseline::default()
        };
        b.templates
            .insert("GET # served".into(), BaseTemplate::default());
        b.save(&path).expect("save");
        assert_eq!(Baseline::load(&path).expect("load"), b);
        std::fs::write(&path, b"{\"version\": 7}").expect("write");
        let e = Baseline::load(&path).expect_err("version").to_string();
        assert!(e.contains("format 7"), "{e}");
        std::fs::write(&path, b"{not json").expect("write");
        let e = Baseline::load(&path).expect_err("corrupt").to_string();
        assert!(
            e.contains("healthy-week_1.2.json") && e.contains("line 1"),
            "{e}"
        );
        let e = Baseline::load(&dir.path().join("none.json")).expect_err("missing");
        assert!(e.to_string().contains("--save-baseline"), "{e}");
    }

    #[test]
    fn a_template_widened_later_counts_the_baseline_templates_it_takes() {
        let mut b = Baseline::default();
        let mut add = |text: &str, count| {
            b.templates.insert(
                text.into(),
                BaseTemplate {
                    count,
                    ..BaseTemplate::default()
                },
            );
        };
        add(
            "Connection closed by authenticating user nobody # port # [preauth]",
            4,
        );
        add(
            "Connection closed by authenticating user root # port # [preauth]",
            2,
        );
        add("Connection closed by # port # [preauth]", 9);
        add("GET /a status=# user=alice", 5);
        assert_eq!(
            b.lines_like("Connection closed by authenticating user nobody # port # [preauth]"),
            4
        );
        assert_eq!(
            b.lines_like("Connection closed by <*> user <*> # port # [preauth]"),
            6,
            "both users' lines, not the shorter template's"
        );
        assert_eq!(b.lines_like("GET /a status=<*> user=<*>"), 5);
        assert_eq!(b.lines_like("GET /a code=<*> user=<*>"), 0);
        assert_eq!(b.lines_like("Connection refused by <*>"), 0);
    }
}
