//! The Full System Test (`healdeck selftest` and the GUI's button): the built-in checks a user
//! runs to see that this install works end to end — rules load, sample errors are detected, a
//! dry-run fix plan is made (nothing runs), a prompt is redacted, a Fast Preview and a
//! Realistic render come out, and the GPU meter finds a source. Each check reports as it ends.

use healdeck_config::Dirs;
use healdeck_engine::fix::{Decision, FixRequest, session};
use healdeck_engine::group::Issue;
use healdeck_engine::prompt::{self, Environment};
use healdeck_engine::samples::check_samples;
use healdeck_engine::scan::{ScanControl, ScanOptions, scan};
use healdeck_engine::{Engine, RuleSources};
use healdeck_gpu::{BusyMeter, detect};
use healdeck_render::avatar::Template;
use healdeck_render::garment::GarmentSpec;
use healdeck_render::renderer::{Gpu, Mode, Renderer, View};
use healdeck_render::scene::{Garment, SceneSpec};
use serde::Serialize;
use std::path::PathBuf;
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
    f: &mut dyn FnMut() -> Result<String, String>,
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
/// a headless one. `dirs` gives the user's rules and `fixer.json` (the test checks the install
/// as it is); without them the built-ins and defaults are checked. `on_check` hears each
/// result as it ends.
pub fn run(gpu: Option<&Gpu>, dirs: Option<&Dirs>, mut on_check: impl FnMut(&Check)) -> Vec<Check> {
    let mut out = Vec::new();
    let mut check = |name, f: &mut dyn FnMut() -> Result<String, String>| {
        timed(name, &mut on_check, &mut out, f);
    };
    let scratch = scratch_dir();
    let mut t = SelfTest {
        dirs: dirs
            .cloned()
            .unwrap_or_else(|| Dirs::new(scratch.join("config"), scratch.join("data"))),
        user_rules: dirs.is_some(),
        scratch,
        engine: None,
        issues: Vec::new(),
    };
    check(CHECKS[0], &mut || t.rules());
    check(CHECKS[1], &mut || t.detection());
    check(CHECKS[2], &mut || t.fix_plan());
    check(CHECKS[3], &mut || t.prompt());
    let mut own = None;
    let gpu: Result<&Gpu, String> = match gpu {
        Some(g) => Ok(g),
        None => match Gpu::headless() {
            Ok(g) => Ok(&*own.insert(g)),
            Err(e) => Err(e.to_string()),
        },
    };
    let renderer = gpu.as_ref().ok().map(|g| Renderer::new(g));
    for (name, mode) in [(CHECKS[4], Mode::Preview), (CHECKS[5], Mode::Realistic)] {
        check(name, &mut || {
            let g = gpu.as_ref().map_err(Clone::clone)?;
            let r = renderer.as_ref().ok_or("no renderer")?;
            render_check(g, r, mode)
        });
    }
    check(CHECKS[6], &mut || gpu_probe(gpu.as_ref().ok().copied()));
    if let Err(e) = std::fs::remove_dir_all(&t.scratch)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("selftest: could not remove {}: {e}", t.scratch.display());
    }
    out
}

/// A temporary folder unique to this run: two system tests in one process (the window and a
/// test) never meet.
fn scratch_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!("healdeck-selftest-{}-{nanos}", std::process::id()))
}

/// What the checks hand on to each other: the engine, then the issues it found.
struct SelfTest {
    dirs: Dirs,
    user_rules: bool,
    scratch: PathBuf,
    engine: Option<Engine>,
    issues: Vec<Issue>,
}

impl SelfTest {
    /// The rules load (a broken user file fails this check; the built-ins run the others)
    /// and every rule classifies its own samples as declared.
    fn rules(&mut self) -> Result<String, String> {
        let sources = RuleSources {
            user_folder: self.user_rules.then(|| self.dirs.user_rules()),
            extra: Vec::new(),
        };
        let (e, errors) = Engine::load(&sources);
        let failures = check_samples(&e);
        let count = e.rules.rules.len();
        self.engine = Some(e);
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
    }

    /// A small generated log yields an import, a network and a panic issue.
    fn detection(&mut self) -> Result<String, String> {
        let engine = self.engine.as_ref().ok_or("the rules did not load")?;
        std::fs::create_dir_all(&self.scratch)
            .map_err(|e| format!("{}: {e}", self.scratch.display()))?;
        let file = self.scratch.join("selftest.log");
        std::fs::write(&file, sample_log()).map_err(|e| format!("{}: {e}", file.display()))?;
        let report = scan(
            engine,
            std::slice::from_ref(&file),
            &ScanOptions::default(),
            &ScanControl::default(),
        );
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
        let detail = format!("{} issues: {}", report.issues.len(), cats.join(", "));
        self.issues = report.issues;
        Ok(detail)
    }

    /// A dry-run fix session plans a safe `pip install` for the missing module.
    fn fix_plan(&mut self) -> Result<String, String> {
        let engine = self.engine.as_ref().ok_or("the rules did not load")?;
        let yaml = self
            .issues
            .iter()
            .find(|i| i.captures.get("module").is_some_and(|m| m == "yaml"))
            .ok_or("no ModuleNotFoundError issue to plan for")?;
        let request = FixRequest {
            issues: vec![yaml.clone()],
            python: Some(PathBuf::from("python3")),
            dry_run: true,
            ..FixRequest::default()
        };
        let planned = session(engine, &self.dirs, &request, |_| {}).map_err(|e| e.to_string())?;
        let fix = planned
            .plans
            .first()
            .and_then(|p| p.fixes.iter().find(|f| f.decision == Decision::Run))
            .ok_or("no safe fix was planned for `No module named 'yaml'`")?;
        Ok(format!(
            "would run: {} (dry run, nothing executed)",
            fix.action.describe()
        ))
    }

    /// The planted secret does not survive into the repair prompt.
    fn prompt(&mut self) -> Result<String, String> {
        let issue = self
            .issues
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
    }
}

/// A neutral avatar in a t-shirt, rendered in `mode`; a blank image fails.
fn render_check(gpu: &Gpu, renderer: &Renderer, mode: Mode) -> Result<String, String> {
    let mut spec = SceneSpec::avatar(Template::Neutral);
    let shirt = GarmentSpec::from_json(r##"{"type": "tshirt", "color": "#3b6ea5"}"##)
        .map_err(|e| e.to_string())?;
    spec.garments.push(Garment::from_spec(shirt));
    let meshes = spec.build().map_err(|e| e.to_string())?;
    let refs: Vec<_> = meshes.iter().collect();
    let t0 = Instant::now();
    let img = renderer
        .render(gpu, &refs, mode, &View::default(), mode.size())
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
        gpu.info.name
    ))
}

/// Every telemetry source found gives a reading.
fn gpu_probe(gpu: Option<&Gpu>) -> Result<String, String> {
    let adapter = gpu.map(Gpu::adapter);
    let mut sources = detect(adapter.as_ref().map(|a| (a, BusyMeter::new())));
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
}
