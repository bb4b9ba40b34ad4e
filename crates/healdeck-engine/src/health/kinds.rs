//! Each kind's own fields in `health.toml`: which fields a kind may have (any other is
//! refused with its line), which it needs, and their values checked and compiled.

use super::config::{ConfigError, Ctx, RawCheck, absolute, argv_ok, article, capital};
use super::spec::{HttpSpec, Kind};
use std::ops::Range;
use std::path::PathBuf;
use toml::Spanned;

/// The fields each kind may have (the common ones aside).
pub fn fields_of(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "http" => &[
            "url",
            "expect_status",
            "body_regex",
            "max_latency_ms",
            "cert_warn_days",
            "ca_file",
        ],
        "tcp" => &["address", "max_latency_ms"],
        "process" => &["process", "pidfile", "max_cpu_percent", "max_rss_mb"],
        "disk" => &["path", "min_free_percent", "min_free_mb"],
        "memory" => &["min_available_percent"],
        "file" => &["path", "max_age_s", "must_grow"],
        "systemd" => &["unit"],
        "command" => &["argv", "expect_exit"],
        _ => return None,
    })
}

/// The kind-specific fields that are set, with their spans.
fn set_fields(raw: &RawCheck) -> Vec<(&'static str, Range<usize>)> {
    macro_rules! set {
        ($($f:ident),*) => {{
            let mut v = Vec::new();
            $(if let Some(x) = &raw.$f { v.push((stringify!($f), x.span())); })*
            v
        }};
    }
    set!(
        url,
        expect_status,
        body_regex,
        max_latency_ms,
        cert_warn_days,
        ca_file,
        address,
        process,
        pidfile,
        max_cpu_percent,
        max_rss_mb,
        path,
        min_free_percent,
        min_free_mb,
        min_available_percent,
        max_age_s,
        must_grow,
        unit,
        argv,
        expect_exit
    )
}

pub(super) fn required<'r, T>(
    cx: &Ctx<'_>,
    span: &Range<usize>,
    v: &'r Option<Spanned<T>>,
    field: &str,
    kind: &str,
) -> Result<&'r Spanned<T>, ConfigError> {
    v.as_ref().ok_or_else(|| {
        cx.err(
            span.clone(),
            field,
            format!("{} {kind} check needs {field}", capital(article(kind))),
        )
    })
}

pub(super) fn compile_kind(
    cx: &Ctx<'_>,
    span: Range<usize>,
    kind: &Spanned<String>,
    raw: &RawCheck,
) -> Result<Kind, ConfigError> {
    let k = kind.get_ref().as_str();
    let allowed = fields_of(k).ok_or_else(|| {
        cx.err(
            kind.span(),
            "kind",
            format!(
                "unknown kind '{k}' (expected http, tcp, process, disk, memory, file, systemd or command)"
            ),
        )
    })?;
    if let Some((field, s)) = set_fields(raw)
        .into_iter()
        .find(|(f, _)| !allowed.contains(f))
    {
        return Err(cx.err(
            s,
            field,
            format!("{field} does not apply to {} {k} check", article(k)),
        ));
    }
    Ok(match k {
        "http" => http_kind(cx, &span, raw, k)?,
        "tcp" => tcp_kind(cx, &span, raw, k)?,
        "process" => process_kind(cx, &span, raw)?,
        "disk" => disk_kind(cx, &span, raw, k)?,
        "memory" => memory_kind(cx, &span, raw, k)?,
        "file" => file_kind(cx, &span, raw, k)?,
        "systemd" => systemd_kind(cx, &span, raw, k)?,
        _ => command_kind(cx, &span, raw, k)?,
    })
}

fn latency(cx: &Ctx<'_>, raw: &RawCheck) -> Result<Option<u64>, ConfigError> {
    cx.opt_int(&raw.max_latency_ms, "max_latency_ms", 1..=600_000)
        .map(|v| v.map(|x| x as u64))
}

fn http_kind(
    cx: &Ctx<'_>,
    span: &Range<usize>,
    raw: &RawCheck,
    k: &str,
) -> Result<Kind, ConfigError> {
    let url = required(cx, span, &raw.url, "url", k)?;
    let parsed =
        super::spec::HttpTarget::parse(url.get_ref()).map_err(|e| cx.err(url.span(), "url", e))?;
    let body_regex = match &raw.body_regex {
        None => None,
        Some(r) => Some(
            regex::Regex::new(r.get_ref())
                .map_err(|e| cx.err(r.span(), "body_regex", e.to_string()))?,
        ),
    };
    let expect_status = cx
        .opt_int(&raw.expect_status, "expect_status", 100..=599)?
        .map(|s| s as u16);
    let cert_warn_days = raw
        .cert_warn_days
        .as_ref()
        .map(|c| {
            if !parsed.https {
                return Err(cx.err(
                    c.span(),
                    "cert_warn_days",
                    "cert_warn_days needs an https:// URL",
                ));
            }
            cx.int(&raw.cert_warn_days, "cert_warn_days", 1..=3650, 14)
        })
        .transpose()?
        .map(|d| d as u32);
    let ca_file = match &raw.ca_file {
        None => None,
        Some(c) if !parsed.https => {
            return Err(cx.err(c.span(), "ca_file", "ca_file needs an https:// URL"));
        }
        Some(c) => {
            absolute(cx, c).map_err(|e| ConfigError {
                field: "ca_file".into(),
                ..e
            })?;
            Some(PathBuf::from(c.get_ref()))
        }
    };
    Ok(Kind::Http(Box::new(HttpSpec {
        url: url.get_ref().clone(),
        target: parsed,
        expect_status,
        body_regex,
        max_latency_ms: latency(cx, raw)?,
        cert_warn_days,
        ca_file,
    })))
}

fn tcp_kind(
    cx: &Ctx<'_>,
    span: &Range<usize>,
    raw: &RawCheck,
    k: &str,
) -> Result<Kind, ConfigError> {
    let a = required(cx, span, &raw.address, "address", k)?;
    let (host, port) = a
        .get_ref()
        .rsplit_once(':')
        .filter(|(h, _)| !h.is_empty())
        .ok_or_else(|| cx.err(a.span(), "address", "expected host:port"))?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|&p| p > 0)
        .ok_or_else(|| cx.err(a.span(), "address", format!("'{port}' is not a port")))?;
    Ok(Kind::Tcp {
        host: host.trim_matches(['[', ']']).to_string(),
        port,
        max_latency_ms: latency(cx, raw)?,
    })
}

fn process_kind(cx: &Ctx<'_>, span: &Range<usize>, raw: &RawCheck) -> Result<Kind, ConfigError> {
    if let Some(n) = raw
        .process
        .as_ref()
        .filter(|n| n.get_ref().trim().is_empty())
    {
        // An empty name would match every kernel thread: the check could never fail.
        return Err(cx.err(n.span(), "process", "the process name is empty"));
    }
    let by_name = raw.process.as_ref().map(|s| s.get_ref().clone());
    let pidfile = raw.pidfile.as_ref().map(|s| PathBuf::from(s.get_ref()));
    if by_name.is_some() == pidfile.is_some() {
        return Err(cx.err(
            span.clone(),
            "process",
            "a process check needs exactly one of process (a name) or pidfile",
        ));
    }
    let max_cpu_percent = raw
        .max_cpu_percent
        .as_ref()
        .map(|c| {
            let p = *c.get_ref();
            if p > 0.0 && p <= 6400.0 {
                Ok(p)
            } else {
                Err(cx.err(c.span(), "max_cpu_percent", format!("{p} is not 0<p≤6400")))
            }
        })
        .transpose()?;
    let max_rss_mb = cx
        .opt_int(&raw.max_rss_mb, "max_rss_mb", 1..=16_777_216)?
        .map(|v| v as u64);
    Ok(Kind::Process {
        name: by_name,
        pidfile,
        max_cpu_percent,
        max_rss_mb,
    })
}

fn disk_kind(
    cx: &Ctx<'_>,
    span: &Range<usize>,
    raw: &RawCheck,
    k: &str,
) -> Result<Kind, ConfigError> {
    let p = required(cx, span, &raw.path, "path", k)?;
    absolute(cx, p)?;
    let min_free_percent = raw
        .min_free_percent
        .as_ref()
        .map(|v| cx.percent(v, "min_free_percent"))
        .transpose()?;
    let min_free_mb = cx
        .opt_int(&raw.min_free_mb, "min_free_mb", 0..=(1 << 40))?
        .map(|v| v as u64);
    if min_free_percent.is_none() && min_free_mb.is_none() {
        return Err(cx.err(
            span.clone(),
            "min_free_percent",
            "a disk check needs min_free_percent or min_free_mb",
        ));
    }
    Ok(Kind::Disk {
        path: PathBuf::from(p.get_ref()),
        min_free_percent,
        min_free_mb,
    })
}

fn memory_kind(
    cx: &Ctx<'_>,
    span: &Range<usize>,
    raw: &RawCheck,
    k: &str,
) -> Result<Kind, ConfigError> {
    let p = required(
        cx,
        span,
        &raw.min_available_percent,
        "min_available_percent",
        k,
    )?;
    Ok(Kind::Memory {
        min_available_percent: cx.percent(p, "min_available_percent")?,
    })
}

fn file_kind(
    cx: &Ctx<'_>,
    span: &Range<usize>,
    raw: &RawCheck,
    k: &str,
) -> Result<Kind, ConfigError> {
    let p = required(cx, span, &raw.path, "path", k)?;
    absolute(cx, p)?;
    Ok(Kind::File {
        path: PathBuf::from(p.get_ref()),
        max_age_s: cx
            .opt_int(&raw.max_age_s, "max_age_s", 1..=31_536_000)?
            .map(|v| v as u64),
        must_grow: raw.must_grow.as_ref().is_some_and(|g| *g.get_ref()),
    })
}

fn systemd_kind(
    cx: &Ctx<'_>,
    span: &Range<usize>,
    raw: &RawCheck,
    k: &str,
) -> Result<Kind, ConfigError> {
    let u = required(cx, span, &raw.unit, "unit", k)?;
    let ok = !u.get_ref().is_empty()
        && !u.get_ref().starts_with('-')
        && u.get_ref()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ":-_.@\\".contains(c));
    if !ok {
        return Err(cx.err(
            u.span(),
            "unit",
            format!("'{}' is not a unit name", u.get_ref()),
        ));
    }
    Ok(Kind::Systemd {
        unit: u.get_ref().clone(),
    })
}

fn command_kind(
    cx: &Ctx<'_>,
    span: &Range<usize>,
    raw: &RawCheck,
    k: &str,
) -> Result<Kind, ConfigError> {
    let a = required(cx, span, &raw.argv, "argv", k)?;
    argv_ok(cx, a, "argv")?;
    Ok(Kind::Command {
        argv: a.get_ref().clone(),
        expect_exit: cx.int(&raw.expect_exit, "expect_exit", 0..=255, 0)? as i32,
    })
}
