//! The Full System Test (`healdeck selftest` and the GUI's button): the built-in checks a user
//! runs to see that this install works end to end — rules load, sample errors are detected, a
//! dry-run fix plan is made (nothing runs), a prompt is redacted, a Fast Preview and a
//! Realistic render come out, and the GPU meter finds a source. Each check reports as it ends.

use crate::gpu::{BusyMeter, detect};
use crate::render::avatar::{Body, Template};
use crate::render::garment::GarmentSpec;
use crate::render::renderer::{Gpu, Mode, Renderer, View};
use crate::troubleshoot::engine::Engine;
use crate::troubleshoot::fix::packages::ProjectManifests;
use crate::troubleshoot::fix::{Decision, FixerConfig, PlanContext, plan};
use crate::troubleshoot::group::Issue;
use crate::troubleshoot::prompt::{self, Environment};
use crate::troubleshoot::samples::check_samples;
use crate::troubleshoot::scan::{ScanControl, ScanOptions, scan};
use serde::Serialize;
use std::time::Instant;

/// One check's result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
    pub millis: f64,
}

/// The checks, in the order they run (the GUI lists them before they start).
pub const CHECKS: [&str; 7] = [
    "Rules load",
    "Detects sample errors",
    "Dry-run fix plan",
    "Prompt with redaction",
    "Fast Preview render",
    "Realistic render",
    "GPU probe",
];

/// A planted secret: the prompt check fails if it survives redaction.
const SECRET: &str = "hd_selftest_9f8e7d6c5b4a39281706";

/// A small log with failures of different kinds, written to a temporary folder and scanned.
fn sample_log() -> String {
    format!(
        "2024-05-01 10:00:00,001 INFO app starting\n\
         Traceback (most recent call last):\n  File \"/srv/app/main.py\", line 3, in <module>\n    import yaml\n\
         ModuleNotFoundError: No module named 'yaml'\n\
         2024-05-01 10:00:01,002 ERROR db: password={SECRET} connection refused\n\
         thread 'main' panicked at src/main.rs:12:5:\ncalled `Option::unwrap()` on a `None` value\n\
         note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\
         2024-05-01 10:00:02,003 INFO done\n"
    )
}

/// The summary line: "✅ System Operational v0.1.0" or what failed.
pub fn summary(checks: &[Check]) -> String {
    let failed: Vec<&str> = checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
    if failed.is_empty() {
        format!("✅ System Operational v{}", crate::VERSION)
    } else {
        format!(
            "❌ {} of {} checks failed: {}",
            failed.len(),
            checks.len(),
            failed.join(", ")
        )
    }
}

fn timed(
    name: &'static str,
    on_check: &mut impl FnMut(&Check),
    out: &mut Vec<Check>,
    f: impl FnOnce() -> Result<String, String>,
) {
    let t0 = Instant::now();
    let (ok, detail) = match f() {
        Ok(d) => (true, d),
        Err(e) => (false, e),
    };
    let check = Check {
        name,
        ok,
        detail,
        millis: t0.elapsed().as_secs_f64() * 1000.0,
    };
    on_check(&check);
    out.push(check);
}

/// Runs every check. `gpu` is the device to render on (the GUI passes eframe's); `None` makes
/// a headless one. `on_check` hears each result as it ends.
pub fn run(gpu: Option<&Gpu>, mut on_check: impl FnMut(&Check)) -> Vec<Check> {
    let mut out = Vec::new();
    let mut engine: Option<Engine> = None;
    timed("Rules load", &mut on_check, &mut out, || {
        let (e, errors) = Engine::load(&[], true);
        let failures = check_samples(&e);
        let count = e.rules.rules.len();
        // A broken user rules file fails this check; the built-ins still run the others.
        engine = Some(e);
        if let Some(err) = errors.first() {
            return Err(format!("{err} (the built-in rules are used)"));
        }
        if let Some(f) = failures.first() {
            return Err(format!(
                "{} sample(s) misclassified; first: {f}",
                failures.len()
            ));
        }
        Ok(format!(
            "{count} rules, every sample classified as declared"
        ))
    });
    let mut issues: Vec<Issue> = Vec::new();
    timed("Detects sample errors", &mut on_check, &mut out, || {
        let engine = engine.as_ref().ok_or("the rules did not load")?;
        // Unique per run: two system tests in one process (the window and a test) never meet.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("healdeck-selftest-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let file = dir.join("selftest.log");
        let written = std::fs::write(&file, sample_log());
        let report = written.map(|()| {
            scan(
                engine,
                std::slice::from_ref(&file),
                &ScanOptions::default(),
                &ScanControl::default(),
            )
        });
        let _ = std::fs::remove_dir_all(&dir);
        let report = report.map_err(|e| format!("{}: {e}", file.display()))?;
        let mut cats: Vec<&str> = report.issues.iter().map(|i| i.category.as_str()).collect();
        cats.sort_unstable();
        for want in ["import", "network", "runtime_panic"] {
            if !cats.contains(&want) {
                return Err(format!(
                    "expected a {want} issue, found: {}",
                    cats.join(", ")
                ));
            }
        }
        issues = report.issues;
        Ok(format!("{} issues: {}", issues.len(), cats.join(", ")))
    });
    timed("Dry-run fix plan", &mut on_check, &mut out, || {
        let yaml = issues
            .iter()
            .find(|i| i.captures.get("module").is_some_and(|m| m == "yaml"))
            .ok_or("no ModuleNotFoundError issue to plan for")?;
        let config = FixerConfig::default();
        let manifests = ProjectManifests::default();
        let ctx = PlanContext {
            config: &config,
            python: Some(std::path::Path::new("python3")),
            approved: &[],
            manifests: &manifests,
        };
        let plans = plan(std::slice::from_ref(yaml), &ctx);
        let fix = plans
            .first()
            .and_then(|p| p.fixes.iter().find(|f| f.decision == Decision::Run))
            .ok_or("no safe fix was planned for `No module named 'yaml'`")?;
        Ok(format!(
            "would run: {} (dry run, nothing executed)",
            fix.action.describe()
        ))
    });
    timed("Prompt with redaction", &mut on_check, &mut out, || {
        let issue = issues
            .iter()
            .find(|i| i.excerpt.contains(SECRET))
            .ok_or("no issue carries the planted secret")?;
        let p = prompt::build(issue, &Environment::default(), &[], 12_000);
        if p.text.contains(SECRET) {
            return Err("the planted secret is still in the prompt".into());
        }
        let n: usize = p.redactions.values().sum();
        if n == 0 {
            return Err("nothing was redacted".into());
        }
        Ok(format!(
            "{} characters, {n} secret(s) redacted",
            p.text.chars().count()
        ))
    });
    let own;
    let gpu = match gpu {
        Some(g) => Ok(g),
        None => match Gpu::headless() {
            Ok(g) => {
                own = g;
                Ok(&own)
            }
            Err(e) => Err(e.to_string()),
        },
    };
    let scene = Body::new(Template::Unisex, Template::Unisex.defaults()).and_then(|body| {
        let spec = GarmentSpec::from_json(r##"{"type": "tshirt", "color": "#3b6ea5"}"##)?;
        let shirt = spec.build(&body, None::<&std::path::Path>)?;
        Ok(vec![body.mesh, shirt])
    });
    let renderer = gpu.as_ref().ok().map(|g| Renderer::new(g));
    for (name, mode) in [
        ("Fast Preview render", Mode::Preview),
        ("Realistic render", Mode::Realistic),
    ] {
        timed(name, &mut on_check, &mut out, || {
            let g = gpu.as_ref().map_err(Clone::clone)?;
            let r = renderer.as_ref().ok_or("no renderer")?;
            let meshes = scene.as_ref().map_err(Clone::clone)?;
            let refs: Vec<_> = meshes.iter().collect();
            let t0 = Instant::now();
            let img = r
                .render(g, &refs, mode, &View::default(), mode.size())
                .map_err(|e| e.to_string())?;
            let ms = t0.elapsed().as_secs_f64() * 1000.0;
            let first = img.get_pixel(0, 0);
            let differing = img.pixels().filter(|p| *p != first).count();
            if differing < (img.width() * img.height() / 20) as usize {
                return Err("the image is blank".into());
            }
            Ok(format!(
                "{}×{} in {ms:.0} ms on {}",
                img.width(),
                img.height(),
                g.info.name
            ))
        });
    }
    timed("GPU probe", &mut on_check, &mut out, || {
        let adapter = gpu.as_ref().ok().map(|g| (&g.info, BusyMeter::new()));
        let mut sources = detect(adapter.as_ref().map(|(i, b)| (*i, b.clone())));
        let mut seen = Vec::new();
        for s in &mut sources {
            for r in s.sample() {
                seen.push(format!("{} via {}", r.name, r.source));
            }
        }
        if seen.is_empty() {
            return Err("no GPU source gave a reading".into());
        }
        Ok(seen.join("; "))
    });
    out
}
