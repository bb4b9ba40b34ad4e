//! The rules file: parsing, validation with places, overrides and look-alikes.

use super::*;
use crate::model::Severity;

#[test]
fn builtin_rules_pass_every_check() {
    // Start-up reads the built-in file without compiling its patterns: this is their check.
    let (rules, consequences) =
        parse_rules_text(BUILTIN_RULES, BUILTIN_NAME).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(rules.len() >= 80, "only {} rules", rules.len());
    for c in &consequences {
        assert!(compile_pattern(&c.pattern).is_ok(), "{}", c.id);
    }
    let (set, errors) = RuleSet::builtin();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(set.rules.len(), rules.len());
    // The candidate sets build (a failure would leave them empty and find nothing).
    assert_eq!(set.set.len(), rules.len());
    assert_eq!(set.consequence_set.len(), consequences.len());
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
fn a_bad_unless_or_group_by_is_refused_by_name() {
    let rule = |extra: &str| {
        format!(
            "{{\"rules\": [{{\"id\": \"r.one\", \"pattern\": \"from (?P<ip>\\\\S+)\", \
             \"category\": \"auth\", \"severity\": \"low\", \"title\": \"t\", \
             \"root_cause\": \"r\"{extra}}}]}}"
        )
    };
    let errs = parse_rules_text(&rule(", \"unless\": \"(open\""), "u.json").expect_err("refused");
    assert!(errs[0].to_string().contains("unless"), "{}", errs[0]);
    let errs =
        parse_rules_text(&rule(", \"group_by\": [\"=host\"]"), "g.json").expect_err("refused");
    assert!(
        errs[0]
            .to_string()
            .contains("group_by '=host' names no capture"),
        "{}",
        errs[0]
    );
    assert!(
        parse_rules_text(
            &rule(", \"group_by\": [\"=ip\"], \"unless\": \"sshd\""),
            "ok.json"
        )
        .is_ok()
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

/// The rule set only picks candidates (Unicode word boundaries are left out of it for speed);
/// a rule's `\b` keeps its Unicode meaning, and a candidate its own regex rejects gives way
/// to the next rule.
#[test]
fn unicode_word_boundaries_keep_their_meaning() {
    let rules = r#"{"rules": [
        {"id": "t.cafe", "pattern": "\\bcafé\\b", "category": "config",
         "severity": "high", "title": "café", "root_cause": "r"},
        {"id": "t.any", "pattern": "café", "category": "config",
         "severity": "low", "title": "any", "root_cause": "r"}]}"#;
    let (set, errors) = RuleSetBuilder::new().text(rules, "u.json").build();
    assert!(errors.is_empty(), "{errors:?}");
    let rule_of = |message: &str| match crate::classify::classify(
        &set,
        crate::events::EventKind::Line,
        crate::level::level(message),
        message,
        message,
        true,
    ) {
        Some(crate::classify::Verdict::Issue(c)) => c.rule.map(|i| set.rules[i].spec.id.clone()),
        _ => None,
    };
    assert_eq!(
        rule_of("ERROR le café est froid").as_deref(),
        Some("t.cafe")
    );
    // "cafés": no word boundary after "café", so the second rule answers; nor after "é".
    assert_eq!(
        rule_of("ERROR les cafés sont froids").as_deref(),
        Some("t.any")
    );
    assert_eq!(rule_of("ERROR écafé").as_deref(), Some("t.any"));
}
