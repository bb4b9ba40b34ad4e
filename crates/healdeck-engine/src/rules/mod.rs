//! The rules file: parsed from JSON into `RuleSpec`s, then gathered into a `RuleSet` whose
//! regexes compile once, on first use.
//!
//! Rules come from three places, in this order: the built-in `rules/troubleshooter_rules.json`
//! (compiled into the binary), `*.json` files in the user's config folder, and `--rules`
//! files or folders. A later rule with an existing id replaces it in place; a new id is placed
//! before the built-ins so a user's more specific rule wins ties. A file with any bad rule is
//! refused as a whole with an error naming the file, the rule id and the line/column; the rules
//! loaded so far keep working. Nothing here panics on bad input.

//!
//! Files: `spec` (the schema as written), `parse` (JSON → validated specs, with places),
//! `lazy` (regexes compiled on first use), this file (sources, errors, the set and its
//! builder).

mod ascii;
mod candidates;
mod lazy;
mod parse;
mod spec;
#[cfg(test)]
mod tests;

pub(crate) use candidates::candidate_pattern;
pub use lazy::{CandidateIndex, LazyRegex};
pub(crate) use parse::{line_col, parse_rules_text, parse_trusted_rules_text};
pub use spec::{Burst, ConsequenceSpec, FixSpec, RuleSpec, Sample};

use regex::{Regex, RegexBuilder};
use std::path::{Path, PathBuf};

/// The built-in rules, compiled into the binary.
pub(crate) const BUILTIN_RULES: &str = include_str!("../../../../rules/troubleshooter_rules.json");
/// Name used for the built-in rules in messages.
pub(crate) const BUILTIN_NAME: &str = "<built-in>/rules/troubleshooter_rules.json";

/// Fix kinds that healdeck can execute itself; only these may be class A.
pub(crate) const EXECUTABLE_KINDS: &[&str] = &["pip_install", "npm_install", "clear_cache"];

/// Why a rules file was refused. Every variant names the file and a place in it.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{path}: cannot read rules: {message}")]
    Io { path: String, message: String },
    #[error("{path}:{line}:{column}: not a valid rules file: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}:{column}: rule '{id}': {message}")]
    Rule {
        path: String,
        id: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// Where rules come from besides the built-in ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSources {
    /// The user's rules folder (`<config>/rules`), read when it exists; `None` skips it.
    pub user_folder: Option<PathBuf>,
    /// Rules files or folders named on the command line (`--rules`), read last.
    pub extra: Vec<PathBuf>,
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub spec: RuleSpec,
    pub regex: LazyRegex,
    /// The `unless` veto.
    pub unless: Option<LazyRegex>,
    /// The file the rule came from.
    pub origin: String,
}

/// A compiled consequence pattern.
#[derive(Debug)]
pub struct Consequence {
    pub spec: ConsequenceSpec,
    pub regex: LazyRegex,
}

/// All rules, compiled once, ready for the classifier.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub consequences: Vec<Consequence>,
    /// The rules that may match a message (from the words each needs), index-aligned with
    /// `rules`; the rule's own `regex` confirms each candidate.
    pub set: CandidateIndex,
    pub consequence_set: CandidateIndex,
}

/// Builds a `RuleSet` from several sources, collecting (not failing on) refused files.
#[derive(Default)]
pub(crate) struct RuleSetBuilder {
    user_rules: Vec<(RuleSpec, String)>,
    builtin: Vec<(RuleSpec, String)>,
    consequences: Vec<ConsequenceSpec>,
    errors: Vec<RulesError>,
    files: Vec<String>,
}

impl RuleSetBuilder {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds the built-in rules, read but not checked pattern by pattern: the test suite checks
    /// them (`builtin_rules_pass_every_check`), so start-up compiles no regex.
    pub(crate) fn builtin(mut self) -> Self {
        match parse_trusted_rules_text(BUILTIN_RULES, BUILTIN_NAME) {
            Ok((rules, cons)) => {
                self.builtin = rules
                    .into_iter()
                    .map(|r| (r, BUILTIN_NAME.to_string()))
                    .collect();
                self.consequences.extend(cons);
                self.files.push(BUILTIN_NAME.to_string());
            }
            Err(errs) => self.errors.extend(errs),
        }
        self
    }

    /// Adds a rules file, or every `*.json` in a folder (sorted by name).
    pub(crate) fn path(mut self, path: &Path) -> Self {
        if path.is_dir() {
            let mut files: Vec<PathBuf> = match std::fs::read_dir(path) {
                Ok(rd) => rd
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect(),
                Err(e) => {
                    self.errors.push(RulesError::Io {
                        path: path.display().to_string(),
                        message: e.to_string(),
                    });
                    return self;
                }
            };
            files.sort();
            for f in files {
                self = self.file(&f);
            }
            self
        } else {
            self.file(path)
        }
    }

    /// Adds the rules in the user's rules folder (`<config>/rules`) when that folder exists.
    pub(crate) fn user_folder(self, dir: &Path) -> Self {
        if dir.is_dir() { self.path(dir) } else { self }
    }

    /// Adds rules from text (used for files and by tests).
    pub(crate) fn text(mut self, text: &str, name: &str) -> Self {
        match parse_rules_text(text, name) {
            Ok((rules, cons)) => {
                for rule in rules {
                    self.add_user_rule(rule, name);
                }
                self.consequences.extend(cons);
                self.files.push(name.to_string());
            }
            Err(errs) => self.errors.extend(errs),
        }
        self
    }

    fn file(self, path: &Path) -> Self {
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => self.text(&text, &name),
                Err(e) => {
                    let mut s = self;
                    let (line, column) = line_col(
                        &String::from_utf8_lossy(e.as_bytes()),
                        e.utf8_error().valid_up_to(),
                    );
                    s.errors.push(RulesError::Syntax {
                        path: name,
                        line,
                        column,
                        message: "the file is not valid UTF-8".into(),
                    });
                    s
                }
            },
            Err(e) => {
                let mut s = self;
                s.errors.push(RulesError::Io {
                    path: name,
                    message: e.to_string(),
                });
                s
            }
        }
    }

    fn add_user_rule(&mut self, rule: RuleSpec, origin: &str) {
        for list in [&mut self.user_rules, &mut self.builtin] {
            if let Some(slot) = list.iter_mut().find(|(r, _)| r.id == rule.id) {
                *slot = (rule, origin.to_string());
                return;
            }
        }
        self.user_rules.push((rule, origin.to_string()));
    }

    /// The set of everything accepted so far (compiled as it is used), and the files that were
    /// refused.
    pub(crate) fn build(self) -> (RuleSet, Vec<RulesError>) {
        let errors = self.errors;
        let specs: Vec<(RuleSpec, String)> = self
            .user_rules
            .into_iter()
            .chain(self.builtin)
            .filter(|(r, _)| !r.disabled)
            .collect();
        let rules: Vec<Rule> = specs
            .into_iter()
            .map(|(spec, origin)| Rule {
                regex: LazyRegex::new(&spec.pattern),
                unless: spec.unless.as_deref().map(LazyRegex::new),
                spec,
                origin,
            })
            .collect();
        let consequences: Vec<Consequence> = self
            .consequences
            .into_iter()
            .map(|spec| Consequence {
                regex: LazyRegex::new(&spec.pattern),
                spec,
            })
            .collect();
        let set = CandidateIndex::new(
            rules
                .iter()
                .map(|r| (r.spec.keywords.as_slice(), r.spec.pattern.as_str())),
        );
        let consequence_set = CandidateIndex::new(
            consequences
                .iter()
                .map(|c| (c.spec.keywords.as_slice(), c.spec.pattern.as_str())),
        );
        (
            RuleSet {
                rules,
                consequences,
                set,
                consequence_set,
            },
            errors,
        )
    }
}

/// Compiles one rule pattern the way the engine uses it (`^`/`$` at line boundaries; `\d`,
/// `\w`, `\s` and `\b` ASCII: see [`ascii`]).
pub(crate) fn compile_pattern(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&ascii::ascii_classes(pattern))
        .multi_line(true)
        .size_limit(16 << 20)
        .build()
}

impl RuleSet {
    /// How bad the consequence `id` makes the incident it folds into, if it says.
    pub(crate) fn worsens_to(&self, id: &str) -> Option<crate::model::Severity> {
        self.consequences
            .iter()
            .find(|c| c.spec.id == id)
            .and_then(|c| c.spec.worsens_to)
    }

    /// The built-in rules, then the user's rules folder, then the extra paths, with the files
    /// that were refused.
    pub fn load(sources: &RuleSources) -> (RuleSet, Vec<RulesError>) {
        let mut b = RuleSetBuilder::new().builtin();
        if let Some(dir) = &sources.user_folder {
            b = b.user_folder(dir);
        }
        for p in &sources.extra {
            b = b.path(p);
        }
        b.build()
    }

    /// Only the built-in rules.
    pub fn builtin() -> (RuleSet, Vec<RulesError>) {
        RuleSetBuilder::new().builtin().build()
    }

    /// Only the rules in `text`, a rules file's contents named `name` in errors, without the
    /// built-ins: one file checked on its own (the fuzzer's view of the parser).
    pub fn from_text(text: &str, name: &str) -> (RuleSet, Vec<RulesError>) {
        RuleSetBuilder::new().text(text, name).build()
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.spec.id == id)
    }
}
