//! `health.toml`: one `[[check]]` table per check, parsed then validated once into [`Check`]s.
//! Every refusal names the file, the line and the field (`health.toml:12: interval_s: …`);
//! a field that does not belong to the check's kind is refused rather than ignored, so a typo
//! cannot silently turn a check off.

use super::spec::{Action, ActionSpec, Check};
use crate::model::{Category, Severity};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file's name in the config folder.
pub const FILE_NAME: &str = "health.toml";

/// A refused `health.toml`: where, which field, why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {field}: {message}", file.display())]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: usize,
    pub field: String,
    pub message: String,
}

/// The checks of one file.
#[derive(Debug, Clone, Default)]
pub struct HealthConfig {
    pub file: PathBuf,
    /// Probes running at once, at most (1..=64, default 8).
    pub concurrency: usize,
    pub checks: Vec<Check>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    concurrency: Option<Spanned<i64>>,
    #[serde(default)]
    check: Vec<Spanned<RawCheck>>,
}

/// Every field any kind has; `compile` refuses those that do not apply to the kind.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheck {
    pub(super) name: Option<Spanned<String>>,
    pub(super) kind: Option<Spanned<String>>,
    pub(super) interval_s: Option<Spanned<i64>>,
    pub(super) timeout_s: Option<Spanned<i64>>,
    pub(super) failures: Option<Spanned<i64>>,
    pub(super) cycles: Option<Spanned<i64>>,
    pub(super) severity: Option<Spanned<String>>,
    pub(super) category: Option<Spanned<String>>,
    pub(super) source: Option<Spanned<String>>,
    pub(super) url: Option<Spanned<String>>,
    pub(super) expect_status: Option<Spanned<i64>>,
    pub(super) body_regex: Option<Spanned<String>>,
    pub(super) max_latency_ms: Option<Spanned<i64>>,
    pub(super) cert_warn_days: Option<Spanned<i64>>,
    pub(super) ca_file: Option<Spanned<String>>,
    pub(super) address: Option<Spanned<String>>,
    pub(super) process: Option<Spanned<String>>,
    pub(super) pidfile: Option<Spanned<String>>,
    pub(super) max_cpu_percent: Option<Spanned<f64>>,
    pub(super) max_rss_mb: Option<Spanned<i64>>,
    pub(super) path: Option<Spanned<String>>,
    pub(super) min_free_percent: Option<Spanned<f64>>,
    pub(super) min_free_mb: Option<Spanned<i64>>,
    pub(super) min_available_percent: Option<Spanned<f64>>,
    pub(super) max_age_s: Option<Spanned<i64>>,
    pub(super) must_grow: Option<Spanned<bool>>,
    pub(super) unit: Option<Spanned<String>>,
    pub(super) argv: Option<Spanned<Vec<String>>>,
    pub(super) expect_exit: Option<Spanned<i64>>,
    action: Option<Spanned<RawAction>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    restart_service: Option<Spanned<String>>,
    command: Option<Spanned<Vec<String>>>,
    clear_cache: Option<Spanned<bool>>,
    unattended: Option<Spanned<bool>>,
    max_actions: Option<Spanned<i64>>,
    within_cycles: Option<Spanned<i64>>,
    reset_after_s: Option<Spanned<i64>>,
    verify_s: Option<Spanned<i64>>,
}

/// Byte offset → 1-based line.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

pub(super) struct Ctx<'a> {
    pub(super) file: &'a Path,
    pub(super) text: &'a str,
}

impl Ctx<'_> {
    pub(super) fn err(
        &self,
        span: Range<usize>,
        field: &str,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            file: self.file.to_path_buf(),
            line: line_of(self.text, span.start),
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// An integer field within `range`, or its default.
    pub(super) fn int(
        &self,
        v: &Option<Spanned<i64>>,
        field: &str,
        range: std::ops::RangeInclusive<i64>,
        default: i64,
    ) -> Result<i64, ConfigError> {
        match v {
            None => Ok(default),
            Some(s) if range.contains(s.get_ref()) => Ok(*s.get_ref()),
            Some(s) => Err(self.err(
                s.span(),
                field,
                format!(
                    "{} is out of range (expected {}..={})",
                    s.get_ref(),
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    /// An optional integer field within `range`: `None` when it is not set.
    pub(super) fn opt_int(
        &self,
        v: &Option<Spanned<i64>>,
        field: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<Option<i64>, ConfigError> {
        v.as_ref().map(|_| self.int(v, field, range, 0)).transpose()
    }

    pub(super) fn percent(&self, v: &Spanned<f64>, field: &str) -> Result<f64, ConfigError> {
        let p = *v.get_ref();
        if (0.0..=100.0).contains(&p) {
            Ok(p)
        } else {
            Err(self.err(
                v.span(),
                field,
                format!("{p} is not a percentage (0..=100)"),
            ))
        }
    }
}

/// Parses and validates `text`, read from `file`.
pub fn parse(file: &Path, text: &str) -> Result<HealthConfig, ConfigError> {
    let cx = Ctx { file, text };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().to_string();
        let field = field_in_message(&message).unwrap_or_else(|| "toml".into());
        cx.err(span, &field, message)
    })?;
    let concurrency = cx.int(&raw.concurrency, "concurrency", 1..=64, 8)? as usize;
    let mut names = BTreeSet::new();
    let mut checks = Vec::with_capacity(raw.check.len());
    for c in &raw.check {
        let check = compile(&cx, c.span(), c.get_ref())?;
        if !names.insert(check.name.clone()) {
            let span = c.get_ref().name.as_ref().map_or(c.span(), |n| n.span());
            return Err(cx.err(
                span,
                "name",
                format!("two checks are named '{}'", check.name),
            ));
        }
        checks.push(check);
    }
    Ok(HealthConfig {
        file: file.to_path_buf(),
        concurrency,
        checks,
    })
}

/// Reads and validates `file`; a file that does not exist is an empty configuration.
pub fn load(file: &Path) -> Result<HealthConfig, ConfigError> {
    match std::fs::read_to_string(file) {
        Ok(text) => parse(file, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HealthConfig {
            file: file.to_path_buf(),
            concurrency: 8,
            checks: Vec::new(),
        }),
        Err(e) => Err(ConfigError {
            file: file.to_path_buf(),
            line: 0,
            field: "file".into(),
            message: format!("cannot read it: {e}"),
        }),
    }
}

/// The field a serde message is about (`unknown field `urll``, `missing field `name``).
fn field_in_message(message: &str) -> Option<String> {
    let start = message.find("field `")? + "field `".len();
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string())
}

const NAME_CHARS: &str = "letters, digits, '-', '_' and '.'";

fn compile(cx: &Ctx<'_>, span: Range<usize>, raw: &RawCheck) -> Result<Check, ConfigError> {
    let name = raw
        .name
        .as_ref()
        .ok_or_else(|| cx.err(span.clone(), "name", "every check needs a name"))?;
    let valid_name = !name.get_ref().is_empty()
        && name.get_ref().len() <= 64
        && name
            .get_ref()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !name.get_ref().starts_with('.');
    if !valid_name {
        return Err(cx.err(
            name.span(),
            "name",
            format!(
                "'{}' is not a check name (1–64 of {NAME_CHARS})",
                name.get_ref()
            ),
        ));
    }
    let kind_field = raw
        .kind
        .as_ref()
        .ok_or_else(|| cx.err(span.clone(), "kind", "every check needs a kind"))?;
    let kind = super::kinds::compile_kind(cx, span.clone(), kind_field, raw)?;
    let interval = raw
        .interval_s
        .as_ref()
        .ok_or_else(|| cx.err(span.clone(), "interval_s", "every check needs interval_s"))?;
    let interval_s = cx.int(&Some(interval.clone()), "interval_s", 1..=86_400, 60)? as u64;
    let timeout_s = cx.int(
        &raw.timeout_s,
        "timeout_s",
        1..=300,
        interval_s.min(10) as i64,
    )?;
    let failures = cx.int(&raw.failures, "failures", 1..=100, 1)? as u32;
    let cycles = cx.int(&raw.cycles, "cycles", 1..=100, failures as i64)? as u32;
    if cycles < failures {
        let s = raw.cycles.as_ref().map_or(span.clone(), |c| c.span());
        return Err(cx.err(
            s,
            "cycles",
            format!("{failures} failures cannot happen within {cycles} cycles"),
        ));
    }
    let severity = match &raw.severity {
        None => Severity::High,
        Some(s) => s
            .get_ref()
            .parse()
            .map_err(|e: String| cx.err(s.span(), "severity", e))?,
    };
    let category = match &raw.category {
        None => None,
        Some(s) => Some(
            Category::ALL
                .into_iter()
                .find(|c| c.as_str() == s.get_ref())
                .ok_or_else(|| {
                    cx.err(
                        s.span(),
                        "category",
                        format!("unknown category '{}'", s.get_ref()),
                    )
                })?,
        ),
    };
    let action = match &raw.action {
        None => None,
        Some(a) => Some(compile_action(cx, a.span(), a.get_ref())?),
    };
    Ok(Check {
        name: name.get_ref().clone(),
        kind,
        interval_s,
        timeout_s: timeout_s as u64,
        failures,
        cycles,
        severity,
        category,
        source: raw.source.as_ref().map(|s| s.get_ref().clone()),
        action,
        line: line_of(cx.text, span.start),
    })
}

pub(super) fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) || kind == "http" {
        "an"
    } else {
        "a"
    }
}

pub(super) fn capital(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub(super) fn absolute(cx: &Ctx<'_>, p: &Spanned<String>) -> Result<(), ConfigError> {
    if Path::new(p.get_ref()).is_absolute() {
        Ok(())
    } else {
        Err(cx.err(
            p.span(),
            "path",
            format!("'{}' is not an absolute path", p.get_ref()),
        ))
    }
}

pub(super) fn argv_ok(
    cx: &Ctx<'_>,
    a: &Spanned<Vec<String>>,
    field: &str,
) -> Result<(), ConfigError> {
    if a.get_ref().first().is_none_or(|p| p.trim().is_empty()) {
        Err(cx.err(a.span(), field, "the command is empty"))
    } else {
        Ok(())
    }
}

fn compile_action(
    cx: &Ctx<'_>,
    span: Range<usize>,
    raw: &RawAction,
) -> Result<ActionSpec, ConfigError> {
    let chosen = [
        raw.restart_service.is_some(),
        raw.command.is_some(),
        raw.clear_cache.as_ref().is_some_and(|c| *c.get_ref()),
    ];
    if chosen.iter().filter(|&&c| c).count() != 1 {
        return Err(cx.err(
            span,
            "action",
            "an action needs exactly one of restart_service, command or clear_cache = true",
        ));
    }
    let action = if let Some(s) = &raw.restart_service {
        Action::RestartService(s.get_ref().clone())
    } else if let Some(c) = &raw.command {
        argv_ok(cx, c, "command")?;
        Action::Command(c.get_ref().clone())
    } else {
        Action::ClearCache
    };
    let max_actions = cx.int(&raw.max_actions, "max_actions", 1..=100, 3)? as u32;
    let within_cycles = cx.int(&raw.within_cycles, "within_cycles", 1..=1000, 5)? as u32;
    if within_cycles < max_actions {
        let s = raw.within_cycles.as_ref().map_or(span, |c| c.span());
        return Err(cx.err(
            s,
            "within_cycles",
            format!("{max_actions} actions cannot happen within {within_cycles} cycles"),
        ));
    }
    Ok(ActionSpec {
        action,
        unattended: raw.unattended.as_ref().is_some_and(|u| *u.get_ref()),
        max_actions,
        within_cycles,
        reset_after_s: cx.int(&raw.reset_after_s, "reset_after_s", 0..=604_800, 300)? as u64,
        verify_s: cx.int(&raw.verify_s, "verify_s", 1..=600, 30)? as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::Kind;

    fn err(text: &str) -> ConfigError {
        match parse(Path::new("/etc/hd/health.toml"), text) {
            Ok(c) => panic!("accepted: {:?}", c.checks),
            Err(e) => e,
        }
    }

    const GOOD: &str = "[[check]]\nname = \"api\"\nkind = \"http\"\ninterval_s = 10\n\
                        url = \"http://127.0.0.1:8080/health\"\n";

    #[test]
    fn a_good_file_compiles_every_kind() {
        let text = format!(
            "concurrency = 4\n{GOOD}failures = 2\ncycles = 3\nseverity = \"critical\"\n\
             [check.action]\ncommand = [\"systemctl\", \"restart\", \"api\"]\n\
             [[check]]\nname = \"db\"\nkind = \"tcp\"\ninterval_s = 5\naddress = \"[::1]:5432\"\n\
             [[check]]\nname = \"root\"\nkind = \"disk\"\ninterval_s = 60\npath = \"/\"\nmin_free_percent = 10.0\n\
             [[check]]\nname = \"mem\"\nkind = \"memory\"\ninterval_s = 60\nmin_available_percent = 5.0\n\
             [[check]]\nname = \"log\"\nkind = \"file\"\ninterval_s = 60\npath = \"/var/log/app.log\"\nmax_age_s = 600\n\
             [[check]]\nname = \"nginx\"\nkind = \"process\"\ninterval_s = 30\nprocess = \"nginx\"\nmax_rss_mb = 512\n\
             [[check]]\nname = \"unit\"\nkind = \"systemd\"\ninterval_s = 30\nunit = \"nginx.service\"\n\
             [[check]]\nname = \"cmd\"\nkind = \"command\"\ninterval_s = 30\nargv = [\"true\"]\n"
        );
        let c = parse(Path::new("health.toml"), &text).expect("valid");
        assert_eq!(c.concurrency, 4);
        let kinds: Vec<&str> = c.checks.iter().map(|c| c.kind.name()).collect();
        assert_eq!(
            kinds,
            [
                "http", "tcp", "disk", "memory", "file", "process", "systemd", "command"
            ]
        );
        let api = &c.checks[0];
        assert_eq!(
            (api.failures, api.cycles, api.severity),
            (2, 3, Severity::Critical)
        );
        let action = api.action.as_ref().expect("action");
        assert!(!action.unattended, "class B unless marked unattended");
        assert_eq!((action.max_actions, action.within_cycles), (3, 5));
        assert!(matches!(&c.checks[1].kind, Kind::Tcp { host, port: 5432, .. } if host == "::1"));
        assert_eq!(c.checks[1].line, 12);
    }

    #[test]
    fn refusals_name_the_file_the_line_and_the_field() {
        let e = err(&GOOD.replace("\"http\"\n", "\"htpp\"\n"));
        assert_eq!((e.line, e.field.as_str()), (3, "kind"));
        assert!(e.message.contains("unknown kind 'htpp'"), "{e}");
        assert!(
            e.to_string().starts_with("/etc/hd/health.toml:3: kind: "),
            "{e}"
        );

        let e = err(&GOOD.replace("interval_s = 10", "interval_s = 0"));
        assert_eq!((e.line, e.field.as_str()), (4, "interval_s"), "{e}");

        for bad in ["ftp://host/", "not a url", "http://"] {
            let e = err(&GOOD.replace("http://127.0.0.1:8080/health", bad));
            assert_eq!((e.line, e.field.as_str()), (5, "url"), "{bad}: {e}");
        }

        let e = err(&format!("{GOOD}urll = \"x\"\n"));
        assert_eq!((e.line, e.field.as_str()), (6, "urll"), "{e}");

        let e = err(&format!("{GOOD}address = \"x:1\"\n"));
        assert_eq!(e.field, "address");
        assert!(e.message.contains("does not apply to an http check"), "{e}");

        let e = err("[[check]]\nname = \"db\"\nkind = \"tcp\"\ninterval_s = 5\n");
        assert_eq!((e.line, e.field.as_str()), (1, "address"), "{e}");

        let e = err(&format!("{GOOD}{GOOD}"));
        assert_eq!((e.line, e.field.as_str()), (7, "name"), "{e}");

        let e = err(&format!(
            "{GOOD}[check.action]\nrestart_service = \"a\"\nclear_cache = true\n"
        ));
        assert_eq!(e.field, "action", "{e}");

        let e =
            err("[[check]]\nname = \"p\"\nkind = \"process\"\ninterval_s = 5\nprocess = \" \"\n");
        assert_eq!((e.line, e.field.as_str()), (5, "process"), "{e}");

        let e = err("[[check]\nname = 1\n");
        assert_eq!((e.line, e.field.as_str()), (1, "toml"), "{e}");
    }
}
