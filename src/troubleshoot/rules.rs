//! The rules file: parsed from JSON into `RuleSpec`s, then compiled once into a `RuleSet`.
//!
//! Rules come from three places, in this order: the built-in `rules/troubleshooter_rules.json`
//! (compiled into the binary), `*.json` files in the user's config folder, and `--rules`
//! files or folders. A later rule with an existing id replaces it in place; a new id is placed
//! before the built-ins so a user's more specific rule wins ties. A file with any bad rule is
//! refused as a whole with an error naming the file, the rule id and the line/column; the rules
//! loaded so far keep working. Nothing here panics on bad input.

use super::model::{Category, FixClass, Severity};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in rules, compiled into the binary.
pub const BUILTIN_RULES: &str = include_str!("../../rules/troubleshooter_rules.json");
/// Name used for the built-in rules in messages.
pub const BUILTIN_NAME: &str = "<built-in>/rules/troubleshooter_rules.json";

/// Fix kinds that healdeck can execute itself; only these may be class A.
pub const EXECUTABLE_KINDS: &[&str] = &["pip_install", "npm_install", "clear_cache"];

/// One rule as written in the rules file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    /// A regex (Rust `regex` syntax) matched against an event's message lines; `^`/`$` match
    /// at line boundaries. Named captures feed the title, fixes and fingerprint.
    pub pattern: String,
    /// Literal words (matched ASCII case-insensitively) of which at least one appears on the
    /// line that starts a matching event. Extracted from `pattern` when absent.
    #[serde(default)]
    pub keywords: Vec<String>,
    pub category: Category,
    pub severity: Severity,
    /// Title template: `{name}` is replaced by the named capture.
    pub title: String,
    pub root_cause: String,
    #[serde(default)]
    pub fixes: Vec<FixSpec>,
    /// Captures that identify one problem; by default the whole matched text (normalized).
    /// `["@rule"]` makes every match of the rule one issue.
    #[serde(default)]
    pub group_by: Vec<String>,
    /// Example log text this rule must classify (run by the test suite and `healdeck rules`).
    #[serde(default)]
    pub samples: Vec<Sample>,
    /// Look-alike text this rule must not match.
    #[serde(default)]
    pub not_samples: Vec<String>,
    /// Raise the issue's severity once it has been seen this many times (bursts of 5xx).
    #[serde(default)]
    pub burst: Option<Burst>,
    /// Set in an override file to switch a built-in rule off.
    #[serde(default)]
    pub disabled: bool,
}

/// A recommended fix. `params` values are templates filled from captures.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FixSpec {
    pub kind: String,
    pub class: FixClass,
    pub confidence: f32,
    pub description: String,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

/// Severity escalation for repeats: at `count` occurrences the issue becomes `severity`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    pub count: u64,
    pub severity: Severity,
}

/// A sample: log text (lines joined by `\n`) and the captures the rule must extract from it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    pub text: String,
    #[serde(default)]
    pub captures: BTreeMap<String, String>,
}

/// A line that is only a consequence of the incident above it (`Worker failed to boot`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsequenceSpec {
    pub id: String,
    pub pattern: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub samples: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile<'a> {
    #[serde(default)]
    #[allow(dead_code)]
    version: Option<u32>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(borrow, default)]
    rules: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    consequences: Vec<&'a RawValue>,
}

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

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub spec: RuleSpec,
    pub regex: Regex,
    /// The file the rule came from.
    pub origin: String,
}

/// A compiled consequence pattern.
#[derive(Debug)]
pub struct Consequence {
    pub spec: ConsequenceSpec,
    pub regex: Regex,
}

/// All rules, compiled once, ready for the classifier.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub consequences: Vec<Consequence>,
    /// One `RegexSet` over every rule pattern, index-aligned with `rules`.
    pub set: RegexSet,
    pub consequence_set: RegexSet,
}

/// Builds a `RuleSet` from several sources, collecting (not failing on) refused files.
#[derive(Default)]
pub struct RuleSetBuilder {
    user_rules: Vec<(RuleSpec, String)>,
    builtin: Vec<(RuleSpec, String)>,
    consequences: Vec<ConsequenceSpec>,
    errors: Vec<RulesError>,
    files: Vec<String>,
}

impl RuleSetBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the built-in rules. They are tested, but a broken build still reports, not panics.
    pub fn builtin(mut self) -> Self {
        match parse_rules_text(BUILTIN_RULES, BUILTIN_NAME) {
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
    pub fn path(mut self, path: &Path) -> Self {
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

    /// Adds the user's config-folder rules when that folder exists.
    pub fn user_config(self) -> Self {
        match crate::paths::user_rules_dir() {
            Some(dir) if dir.is_dir() => self.path(&dir),
            _ => self,
        }
    }

    /// Adds rules from text (used for files and by tests).
    pub fn text(mut self, text: &str, name: &str) -> Self {
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

    /// Compiles everything accepted so far. Returns the set and the files that were refused.
    pub fn build(self) -> (RuleSet, Vec<RulesError>) {
        let mut errors = self.errors;
        let specs: Vec<(RuleSpec, String)> = self
            .user_rules
            .into_iter()
            .chain(self.builtin)
            .filter(|(r, _)| !r.disabled)
            .collect();
        let mut rules = Vec::with_capacity(specs.len());
        for (spec, origin) in specs {
            // Already validated while parsing; a failure here would be a bug, reported not panicked.
            match compile_pattern(&spec.pattern) {
                Ok(regex) => rules.push(Rule {
                    spec,
                    regex,
                    origin,
                }),
                Err(message) => errors.push(RulesError::Rule {
                    path: origin,
                    id: spec.id,
                    line: 0,
                    column: 0,
                    message,
                }),
            }
        }
        let consequences: Vec<Consequence> = self
            .consequences
            .into_iter()
            .filter_map(|spec| {
                compile_pattern(&spec.pattern)
                    .ok()
                    .map(|regex| Consequence { spec, regex })
            })
            .collect();
        let set = build_set(rules.iter().map(|r| r.spec.pattern.as_str()));
        let consequence_set = build_set(consequences.iter().map(|c| c.spec.pattern.as_str()));
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

fn build_set<'a>(patterns: impl Iterator<Item = &'a str>) -> RegexSet {
    let patterns: Vec<&str> = patterns.collect();
    RegexSetBuilder::new(&patterns)
        .multi_line(true)
        .size_limit(256 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .unwrap_or_else(|_| RegexSet::empty())
}

/// Compiles one rule pattern the way the engine uses it (`^`/`$` at line boundaries).
pub fn compile_pattern(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .multi_line(true)
        .size_limit(16 << 20)
        .build()
        .map_err(|e| e.to_string())
}

impl RuleSet {
    /// The built-in rules, the user's config folder and `extra` paths, with refused files.
    pub fn load(extra: &[PathBuf], include_user_config: bool) -> (RuleSet, Vec<RulesError>) {
        let mut b = RuleSetBuilder::new().builtin();
        if include_user_config {
            b = b.user_config();
        }
        for p in extra {
            b = b.path(p);
        }
        b.build()
    }

    /// Only the built-in rules.
    pub fn builtin() -> (RuleSet, Vec<RulesError>) {
        RuleSetBuilder::new().builtin().build()
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.spec.id == id)
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

type Parsed = (Vec<RuleSpec>, Vec<ConsequenceSpec>);

/// Parses and validates a whole rules file. Any error refuses the whole file.
pub fn parse_rules_text(text: &str, path: &str) -> Result<Parsed, Vec<RulesError>> {
    let raw: RawFile = serde_json::from_str(text).map_err(|e| {
        vec![RulesError::Syntax {
            path: path.to_string(),
            line: e.line(),
            column: e.column(),
            message: strip_serde_position(&e.to_string()),
        }]
    })?;
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (index, value) in raw.rules.iter().enumerate() {
        let base = value.get().as_ptr() as usize - text.as_ptr() as usize;
        let err = |id: &str, rel: usize, message: String| {
            let (line, column) = line_col(text, base + rel);
            RulesError::Rule {
                path: path.to_string(),
                id: id.to_string(),
                line,
                column,
                message,
            }
        };
        let id = rule_id_of(value.get()).unwrap_or_else(|| format!("#{}", index + 1));
        match serde_json::from_str::<RuleSpec>(value.get()) {
            Ok(spec) => {
                if !seen.insert(spec.id.clone()) {
                    errors.push(err(&id, 0, "duplicate rule id in this file".into()));
                }
                for (field, message) in validate_rule(&spec) {
                    let rel = field_offset(value.get(), field);
                    errors.push(err(&id, rel, message));
                }
                rules.push(spec);
            }
            Err(e) => {
                let rel = offset_of_line_col(value.get(), e.line(), e.column());
                errors.push(err(&id, rel, strip_serde_position(&e.to_string())));
            }
        }
    }
    let mut consequences = Vec::new();
    for (index, value) in raw.consequences.iter().enumerate() {
        let base = value.get().as_ptr() as usize - text.as_ptr() as usize;
        let id = rule_id_of(value.get()).unwrap_or_else(|| format!("consequence #{}", index + 1));
        let fail = |rel: usize, message: String| {
            let (line, column) = line_col(text, base + rel);
            RulesError::Rule {
                path: path.to_string(),
                id: id.clone(),
                line,
                column,
                message,
            }
        };
        match serde_json::from_str::<ConsequenceSpec>(value.get()) {
            Ok(spec) => {
                if let Err(m) = compile_pattern(&spec.pattern) {
                    errors.push(fail(field_offset(value.get(), "pattern"), m));
                }
                consequences.push(spec);
            }
            Err(e) => errors.push(fail(
                offset_of_line_col(value.get(), e.line(), e.column()),
                strip_serde_position(&e.to_string()),
            )),
        }
    }
    if errors.is_empty() {
        Ok((rules, consequences))
    } else {
        Err(errors)
    }
}

/// Checks what serde cannot: the regex, templates, fix classes, confidences.
fn validate_rule(spec: &RuleSpec) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if spec.id.trim().is_empty() {
        out.push(("id", "the id is empty".to_string()));
    }
    let regex = match compile_pattern(&spec.pattern) {
        Ok(r) => r,
        Err(m) => {
            out.push(("pattern", format!("invalid regex: {m}")));
            return out;
        }
    };
    let names: Vec<&str> = regex.capture_names().flatten().collect();
    let check_template = |t: &str| -> Option<String> {
        placeholders(t)
            .into_iter()
            .find(|p| !names.contains(&p.as_str()))
            .map(|p| format!("'{{{p}}}' names no capture in the pattern"))
    };
    if let Some(m) = check_template(&spec.title) {
        out.push(("title", m));
    }
    for fix in &spec.fixes {
        if !(0.0..=1.0).contains(&fix.confidence) {
            out.push((
                "confidence",
                format!("confidence {} is outside 0..1", fix.confidence),
            ));
        }
        if fix.class == FixClass::A && !EXECUTABLE_KINDS.contains(&fix.kind.as_str()) {
            out.push((
                "fixes",
                format!(
                    "class A is only for actions healdeck runs safely ({}), not '{}'",
                    EXECUTABLE_KINDS.join(", "),
                    fix.kind
                ),
            ));
        }
        for t in fix.params.values().chain(std::iter::once(&fix.description)) {
            if let Some(m) = check_template(t) {
                out.push(("fixes", m));
            }
        }
    }
    for g in &spec.group_by {
        if g != "@rule" && !names.contains(&g.as_str()) {
            out.push(("group_by", format!("group_by '{g}' names no capture")));
        }
    }
    out
}

/// `{name}` placeholders in a template.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    out.push(name.to_string());
                }
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

fn rule_id_of(raw: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: Option<serde_json::Value>,
    }
    let v: IdOnly = serde_json::from_str(raw).ok()?;
    match v.id? {
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// Byte offset (within `raw`) of the `"field"` key, or 0.
fn field_offset(raw: &str, field: &str) -> usize {
    raw.find(&format!("\"{field}\"")).unwrap_or(0)
}

fn offset_of_line_col(raw: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in raw.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset + column.saturating_sub(1).min(l.len());
        }
        offset += l.len();
    }
    0
}

/// serde_json appends " at line X column Y"; we print our own absolute position instead.
fn strip_serde_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile() {
        let (set, errors) = RuleSet::builtin();
        assert!(errors.is_empty(), "{errors:#?}");
        assert!(set.rules.len() >= 80, "only {} rules", set.rules.len());
    }

    #[test]
    fn bad_regex_names_file_rule_and_place() {
        let text = "{\n  \"rules\": [\n    {\n      \"id\": \"bad.one\",\n      \"pattern\": \"(unclosed\",\n      \"category\": \"config\", \"severity\": \"low\",\n      \"title\": \"t\", \"root_cause\": \"r\"\n    }\n  ]\n}\n";
        let errs = parse_rules_text(text, "my.json").expect_err("must refuse");
        let msg = errs[0].to_string();
        assert!(
            msg.starts_with("my.json:5:7: rule 'bad.one': invalid regex"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_category_is_located() {
        let text = "{\"rules\": [\n {\"id\": \"x\", \"pattern\": \"a\", \"category\": \"weird\",\n  \"severity\": \"low\", \"title\": \"t\", \"root_cause\": \"r\"}]}";
        let errs = parse_rules_text(text, "f.json").expect_err("must refuse");
        let msg = errs[0].to_string();
        assert!(msg.starts_with("f.json:2:"), "{msg}");
        assert!(msg.contains("rule 'x'") && msg.contains("weird"), "{msg}");
    }

    #[test]
    fn truncated_file_is_a_syntax_error_with_place() {
        let errs = parse_rules_text("{\"rules\": [ {\"id\": ", "t.json").expect_err("refuse");
        assert!(
            matches!(errs[0], RulesError::Syntax { line: 1, .. }),
            "{:?}",
            errs[0]
        );
    }

    #[test]
    fn class_a_only_for_executable_kinds_and_templates_checked() {
        let text = r#"{"rules": [{"id": "x", "pattern": "boom (?P<what>\\w+)", "category": "config",
            "severity": "low", "title": "{nope}", "root_cause": "r",
            "fixes": [{"kind": "edit_code", "class": "A", "confidence": 0.5, "description": "d"}]}]}"#;
        let errs = parse_rules_text(text, "f.json").expect_err("refuse");
        let all: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(all.iter().any(|m| m.contains("'{nope}'")), "{all:?}");
        assert!(all.iter().any(|m| m.contains("class A is only")), "{all:?}");
    }

    #[test]
    fn override_replaces_in_place_and_new_rules_come_first() {
        let extra = r#"{"rules": [
            {"id": "python.module_not_found", "pattern": "ModuleNotFoundError", "category": "import",
             "severity": "low", "title": "overridden", "root_cause": "r"},
            {"id": "mine.first", "pattern": "my special failure", "category": "config",
             "severity": "high", "title": "mine", "root_cause": "r"}]}"#;
        let (set, errors) = RuleSetBuilder::new()
            .builtin()
            .text(extra, "x.json")
            .build();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(set.rules[0].spec.id, "mine.first");
        let r = set.get("python.module_not_found").expect("present");
        assert_eq!(r.spec.severity, Severity::Low);
        assert_eq!(
            set.rules
                .iter()
                .filter(|r| r.spec.id == "python.module_not_found")
                .count(),
            1
        );
    }

    #[test]
    fn refused_file_keeps_builtins() {
        let (set, errors) = RuleSetBuilder::new()
            .builtin()
            .text("not json at all", "broken.json")
            .build();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().starts_with("broken.json:1:"));
        assert!(set.rules.len() >= 80);
    }
}
