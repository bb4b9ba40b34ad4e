//! From JSON text to validated rule specs: serde parses, then each rule is checked for what
//! serde cannot see (the regex compiles, templates name real captures, fix classes and
//! confidences make sense). Every error carries the file, the rule id and the line and
//! column of the offending field; one bad rule refuses the whole file.

use super::spec::{ConsequenceSpec, RuleSpec};
use super::{EXECUTABLE_KINDS, RulesError, compile_pattern};
use crate::model::FixClass;
use serde::Deserialize;
use serde_json::value::RawValue;

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

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
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
pub(crate) fn parse_rules_text(text: &str, path: &str) -> Result<Parsed, Vec<RulesError>> {
    parse_checked(text, path, true)
}

/// Parses the built-in rules file without compiling each pattern to check it (the test suite
/// runs `parse_rules_text` on it): what start-up needs.
pub(crate) fn parse_trusted_rules_text(text: &str, path: &str) -> Result<Parsed, Vec<RulesError>> {
    parse_checked(text, path, false)
}

fn parse_checked(text: &str, path: &str, check: bool) -> Result<Parsed, Vec<RulesError>> {
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
                let problems = if check {
                    validate_rule(&spec)
                } else {
                    Vec::new()
                };
                for (field, message) in problems {
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
                if let Some(Err(e)) = check.then(|| compile_pattern(&spec.pattern)) {
                    errors.push(fail(field_offset(value.get(), "pattern"), e.to_string()));
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
    if let Some(Err(m)) = spec.unless.as_deref().map(compile_pattern) {
        out.push(("unless", format!("invalid unless regex: {m}")));
    }
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
        let alternatives = g.strip_prefix('=').unwrap_or(g);
        if g != "@rule" && !alternatives.split('|').all(|n| names.contains(&n)) {
            out.push(("group_by", format!("group_by '{g}' names no capture")));
        }
    }
    out
}

/// `{name}` placeholders in a template.
pub(crate) fn placeholders(template: &str) -> Vec<String> {
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
