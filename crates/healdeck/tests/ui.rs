//! The window as a person uses it, through egui_kittest on the real wgpu renderer (lavapipe
//! without a GPU): buttons are clicked by their labels and what follows is checked; snapshots
//! of both tabs are compared with `tests/snapshots/*.png` (refresh: `UPDATE_SNAPSHOTS=1`).

mod common;
#[path = "common/ui_rig.rs"]
mod ui_rig;

use ui_rig::*;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use healdeck::ui::HealdeckApp;
use healdeck::ui::settings::Tab;
use healdeck::ui::widgets::Clipboard;
use healdeck_render::renderer::Mode;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

#[test]
fn sample_logs_fill_the_feed_and_diagnostics_rescan_it() {
    let mut r = rig();
    let h = &mut r.harness;
    wait(h, "the rules", |a| a.trouble.engine.is_some());
    // The inviting empty state.
    h.get_by_label("No logs yet");
    h.query_all_by_label("🔬 Try with sample logs")
        .next()
        .expect("the button")
        .click();
    // The sample logs hold 13 distinct issues (the same as `healdeck diagnose assets/logs`).
    wait_for_rows(h, "the live feed", 13);
    let vik = h
        .state()
        .trouble
        .feed
        .all()
        .iter()
        .find(|i| i.title.contains("vikreya"))
        .cloned()
        .expect("the gunicorn import error is in the feed");
    assert_eq!(vik.category.as_str(), "import");
    assert_eq!(vik.severity.as_str(), "high");
    let before = h.state().trouble.feed.len();

    h.get_by_label("▶ Run Diagnostics").click();
    wait(h, "the rescan", |a| {
        !a.trouble.scanning()
            && a.sh
                .toasts
                .texts()
                .iter()
                .any(|t| t.starts_with("Diagnostics:"))
    });
    assert_eq!(h.state().trouble.feed.len(), before);

    // Filters: only critical issues.
    h.get_by_label_contains("high ").click();
    h.get_by_label_contains("medium ").click();
    h.get_by_label_contains("low ").click();
    h.run_steps(3);
    let shown = h.state().trouble.feed.rows().len();
    let critical = h.state().trouble.feed.counts()[0];
    assert_eq!(shown, critical);
    assert!(critical >= 1);
    h.get_by_label_contains("high ").click();
    h.get_by_label_contains("medium ").click();
    h.get_by_label_contains("low ").click();
    h.run_steps(3);

    // Select the import error: the details pane explains it.
    h.get_by_label(vik.title.as_str()).click();
    h.run_steps(3);
    assert_eq!(
        h.state().trouble.selected.as_deref(),
        Some(vik.fingerprint.as_str())
    );
    h.get_by_label("Root cause");
    h.get_by_label("Fix history");
    wait(h, "history", |_| true);
    // The fixes as the plan treats them (made in the background).
    wait_for_label(h, "class B");
    snapshot(h, "troubleshooter");

    // Export (what the save dialog's answer triggers): Markdown and JSON reports of the feed.
    let md = r.dir.path().join("report.md");
    let json = r.dir.path().join("report.json");
    let app = h.state_mut();
    app.trouble.export(&app.sh, md.clone(), false);
    app.trouble.export(&app.sh, json.clone(), true);
    wait(h, "the reports", |a| {
        a.sh.toasts
            .texts()
            .iter()
            .filter(|t| t.starts_with("Saved "))
            .count()
            == 2
    });
    let text = std::fs::read_to_string(&md).expect("markdown report");
    assert!(text.contains("vikreya"), "{text}");
    assert!(text.contains("Scanned 8 file(s)"), "{text}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json report")).expect("json");
    assert_eq!(v["issues"].as_array().map(Vec::len), Some(before));
}

#[test]
fn a_line_written_to_a_watched_log_appears_without_a_click() {
    let mut r = rig_with_log("app.log", "2024-01-01 00:00:00 INFO up\n");
    let h = &mut r.harness;
    wait(h, "the watcher", |a| a.trouble.watched_files == 1);
    assert!(h.state().trouble.feed.is_empty());
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(r.dir.path().join("logs/app.log"))
            .expect("open");
        writeln!(f, "ModuleNotFoundError: No module named 'zzqx_live'").expect("append");
    }
    let t0 = Instant::now();
    wait(h, "the new issue", |a| {
        a.trouble
            .feed
            .all()
            .iter()
            .any(|i| i.title.contains("zzqx_live"))
    });
    eprintln!("live line → feed in {:?}", t0.elapsed());
}

const DB_SECRET: &str = "s3cr3t-Pa55w0rd-zz91";

/// A log whose one failure carries a database password in its URL.
fn rig_with_secret_log() -> Rig {
    let mut r = rig_with_log(
        "db.log",
        &format!(
            "2024-05-01 10:00:01,002 ERROR could not connect to postgresql://app:{DB_SECRET}@db:5432/app: connection refused\n"
        ),
    );
    wait(&mut r.harness, "the issue", |a| !a.trouble.feed.is_empty());
    r
}

/// 12345 → "12,345", as the window writes counts.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn clipboard_text(clip: &Clip) -> Option<String> {
    clip.lock().expect("clipboard").clone()
}

#[test]
fn copy_prompt_lists_what_was_removed_then_copies_the_redacted_prompt() {
    let mut r = rig_with_secret_log();
    let h = &mut r.harness;
    h.get_by_label("📋 Copy Prompt").click();
    wait(h, "the review", |a| a.trouble.review_summary().is_some());
    // The dialog names each removal by kind with a masked preview; nothing is copied yet.
    h.get_by_label("Copy the repair prompt?");
    h.get_by_label("1 secret removed: url_password");
    h.get_by_label("url_password");
    assert!(h.query_by_label_contains(DB_SECRET).is_none());
    assert_eq!(clipboard_text(&r.clip), None);

    // Cancel drops it.
    let h = &mut r.harness;
    h.get_by_label("Cancel").click();
    wait(h, "the dialog to close", |a| {
        a.trouble.review_summary().is_none()
    });
    assert_eq!(clipboard_text(&r.clip), None);

    // Asked again and confirmed, the prompt goes to the clipboard without the secret.
    let h = &mut r.harness;
    h.get_by_label("📋 Copy Prompt").click();
    wait(h, "the review", |a| a.trouble.review_summary().is_some());
    h.get_by_label("📋 Copy prompt").click();
    let clip = r.clip.clone();
    wait(h, "the clipboard", move |_| {
        clip.lock().map(|c| c.is_some()).unwrap_or(false)
    });
    let text = clipboard_text(&r.clip).expect("copied text");
    assert!(!text.contains(DB_SECRET), "the secret leaked:\n{text}");
    assert!(text.contains("[REDACTED:url_password]"), "{text}");
    assert!(text.contains("connection refused"), "{text}");
    let toast = h
        .state()
        .sh
        .toasts
        .texts()
        .iter()
        .find(|t| t.starts_with("Repair prompt copied"))
        .map(|t| t.to_string())
        .expect("a toast confirms the copy");
    let chars = text.chars().count();
    assert!(
        toast.contains(&format!("{} characters", grouped(chars))),
        "{toast}"
    );
    assert!(toast.contains("1 secret(s) redacted"), "{toast}");

    // An exported report asks the same way and is written without the secret.
    let md = r.dir.path().join("out/report.md");
    let h = &mut r.harness;
    let app = h.state_mut();
    app.trouble.export(&app.sh, md.clone(), false);
    wait(h, "the review", |a| a.trouble.review_summary().is_some());
    h.get_by_label("Export the report?");
    h.get_by_label("⬇ Export report").click();
    wait(h, "the report", |a| {
        a.sh.toasts.texts().iter().any(|t| t.starts_with("Saved "))
    });
    let report = std::fs::read_to_string(&md).expect("the report");
    assert!(!report.contains(DB_SECRET), "the secret leaked:\n{report}");
    assert!(report.contains("[REDACTED:url_password]"), "{report}");
}

#[test]
fn secrets_are_masked_on_screen_until_revealed_for_one_issue() {
    let mut r = rig_with_log(
        "worker.log",
        &format!(
            "panic: cannot reach postgresql://app:{DB_SECRET}@db:5432/app\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:12 +0x1d\n"
        ),
    );
    let h = &mut r.harness;
    wait(h, "the issue", |a| !a.trouble.feed.is_empty());
    h.run_steps(3);
    // The table's title is masked.
    assert!(h.query_by_label_contains(DB_SECRET).is_none());
    h.get_by_label_contains("Go panic: cannot reach postgresql://[REDACTED:url_password]@db")
        .click();
    h.run_steps(3);
    // The details pane too (title, excerpt), and it says what it hides.
    h.get_by_label("Root cause");
    h.get_by_label_contains("🔒 ");
    h.get_by_label_contains("hidden");
    assert!(h.query_by_label_contains(DB_SECRET).is_none());

    h.get_by_label("👁 Reveal secrets").click();
    h.run_steps(3);
    assert!(h.query_all_by_label_contains(DB_SECRET).count() >= 2);
    h.get_by_label_contains("shown on screen");

    // Revealing is for the screen only: the prompt stays redacted.
    h.get_by_label("📋 Copy Prompt").click();
    wait(h, "the review", |a| a.trouble.review_summary().is_some());
    h.get_by_label("📋 Copy prompt").click();
    let clip = r.clip.clone();
    wait(h, "the clipboard", move |_| {
        clip.lock().map(|c| c.is_some()).unwrap_or(false)
    });
    assert!(!clipboard_text(&r.clip).expect("copied").contains(DB_SECRET));

    let h = &mut r.harness;
    h.get_by_label("🔒 Hide secrets").click();
    h.run_steps(3);
    assert!(h.query_by_label_contains(DB_SECRET).is_none());

    // The masked details follow the issue as it recurs.
    h.get_by_label("seen 1×");
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(r.dir.path().join("logs/worker.log"))
            .expect("open");
        writeln!(
            f,
            "panic: cannot reach postgresql://app:{DB_SECRET}@db:5432/app\n\ngoroutine 1 [running]:\nmain.main()"
        )
        .expect("append");
    }
    let h = &mut r.harness;
    wait(h, "the second occurrence", |a| {
        a.trouble.feed.all().iter().any(|i| i.count == 2)
    });
    h.run_steps(3);
    h.get_by_label("seen 2×");
    assert!(h.query_by_label_contains(DB_SECRET).is_none());
}

#[test]
fn mode_toggle_switches_and_a_busy_gpu_shows_why_it_fell_back() {
    let load = Arc::new(AtomicU32::new(5));
    let mut r = rig_with(
        |root| {
            // A quick meter so the fallback engages within a second or two.
            std::fs::write(
                root.join("config/render_config.json"),
                r#"{"sample_period_ms": 500, "fallback_samples": 1, "hold_secs": 0.5, "smoothing": 1.0}"#,
            )
            .expect("render config");
        },
        Some(load.clone()),
    );
    let h = &mut r.harness;
    h.get_by_label("👗 CLO Companion").click();
    wait(h, "the first preview", |a| a.clo.last.is_some());
    assert_eq!(h.state().settings().tab, Tab::Clo);
    assert_eq!(h.state().clo.last.map(|l| l.0), Some(Mode::Preview));
    wait(h, "a GPU reading", |a| a.clo.meter.latest().is_some());
    h.get_by_label("Scripted GPU");
    snapshot(h, "clo_companion");

    h.get_by_label("🔵 Realistic Render").click();
    wait(h, "the realistic render", |a| {
        a.clo.last.map(|l| l.0) == Some(Mode::Realistic) && !a.clo.busy()
    });
    assert_eq!(h.state().settings().clo.mode, Mode::Realistic);
    // The realistic render was written to the renders folder.
    wait(h, "the PNG", |a| {
        a.sh.toasts
            .texts()
            .iter()
            .any(|t| t.contains("realistic.png"))
    });

    // Others load the GPU: the manager falls back to Fast Preview and the tab says why.
    load.store(97, Ordering::Relaxed);
    wait(h, "the fallback", |a| a.clo.fallback_reason.is_some());
    // Orbit: a new request is served as Fast Preview while the GPU is busy.
    h.state_mut().sh.settings.clo.view.azimuth_deg += 30.0;
    wait(h, "the fallback render", |a| {
        a.clo.last.map(|l| l.0) == Some(Mode::Preview) && !a.clo.busy()
    });
    h.get_by_label_contains("Showing Fast Preview");

    h.get_by_label("🟢 Fast Preview").click();
    h.run_steps(2);
    assert_eq!(h.state().settings().clo.mode, Mode::Preview);
}

#[test]
fn the_avatar_follows_sizes_and_sliders_and_names_what_it_cannot_reach() {
    let mut r = rig();
    let h = &mut r.harness;
    h.get_by_label("👗 CLO Companion").click();
    wait(h, "the first body", |a| a.clo.measured.is_some());
    let measured = |a: &HealdeckApp| a.clo.measured.map(|(m, _)| m);
    // A size preset from the menu: the body is solved to it.
    h.get_by_label("Size").click();
    h.run_steps(2);
    h.get_by_label("EU 44").click();
    wait(h, "the EU 44 body", |a| {
        measured(a)
            .is_some_and(|m| (m.waist_cm - 84.0).abs() <= 0.5 && (m.chest_cm - 100.0).abs() <= 0.5)
    });
    // A slider's value: the body follows, the preset becomes "Custom".
    h.state_mut().sh.settings.clo.measurements.hips_cm = 112.0;
    wait(h, "the wider hips", |a| {
        measured(a).is_some_and(|m| (m.hips_cm - 112.0).abs() <= 0.5)
    });
    h.run_steps(2);
    assert_eq!(h.get_by_label("Size").value().as_deref(), Some("Custom"));
    // Beyond what the body reaches: the closest body is shown, the field and its reach named.
    h.state_mut().sh.settings.clo.measurements.shoulder_width_cm = 48.0;
    wait(h, "the reach", |a| {
        a.clo
            .avatar_warning()
            .is_some_and(|e| e.contains("reaches"))
    });
    h.run_steps(2);
    h.get_by_label_contains("shoulder_width_cm = 48 cannot be reached");
    assert!(measured(h.state()).is_some_and(|m| m.shoulder_width_cm > 40.0));
    // Other measurements still follow while one is out of reach.
    h.state_mut().sh.settings.clo.measurements.waist_cm = 90.0;
    wait(h, "the wider waist", |a| {
        measured(a).is_some_and(|m| (m.waist_cm - 90.0).abs() <= 0.5)
    });
    assert!(h.state().clo.scene_error().is_none());
}

#[test]
fn full_system_test_reports_operational() {
    let mut r = rig();
    let h = &mut r.harness;
    h.get_by_label("⛭ Full System Test").click();
    wait(h, "the system test", |a| a.selftest_summary().is_some());
    let summary = h.state().selftest_summary().map(str::to_string);
    let summary = summary.expect("summary");
    assert!(summary.starts_with("✅ System Operational v"), "{summary}");
    h.get_by_label(summary.as_str());
    h.get_by_label("Prompt with redaction");
}

#[test]
fn settings_survive_a_restart_and_a_broken_file_is_reported() {
    let mut r = rig();
    let h = &mut r.harness;
    h.get_by_label("👗 CLO Companion").click();
    h.run_steps(2);
    // Saved half a second after the last change.
    std::thread::sleep(Duration::from_millis(600));
    wait(h, "the save", |a| a.settings().tab == Tab::Clo);
    let ui_json = r.dir.path().join("config/ui.json");
    let t0 = Instant::now();
    while !std::fs::read_to_string(&ui_json)
        .is_ok_and(|t| t.contains("\"clo\"") && t.contains("\"tab\": \"clo\""))
    {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "ui.json was not written"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(r.harness);

    // A restart with the same folders opens on the CLO tab.
    let dir = r.dir;
    let config = dir.path().join("config");
    let data = dir.path().join("data");
    let mk = |config: PathBuf, data: PathBuf| {
        harness(config, data, Clipboard::Memory(Arc::default()), None)
    };
    let h2 = mk(config.clone(), data.clone());
    assert_eq!(h2.state().settings().tab, Tab::Clo);
    drop(h2);

    std::fs::write(config.join("ui.json"), "{\n  \"tab\": \"nowhere\"\n}\n").expect("write");
    let h3 = mk(config.clone(), data);
    let toasts: Vec<String> = h3
        .state()
        .sh
        .toasts
        .texts()
        .iter()
        .map(|t| t.to_string())
        .collect();
    assert!(
        toasts
            .iter()
            .any(|t| t.contains("ui.json") && t.contains("line 2")),
        "{toasts:?}"
    );
    assert!(config.join("ui.json.broken").exists());
}

#[test]
fn auto_fix_acts_on_the_selected_issue_and_fix_all_asks_once() {
    let mut r = rig_with_log(
        "app.log",
        "Traceback (most recent call last):\n  File \"/srv/app/main.py\", line 3, in <module>\n    import yaml\nModuleNotFoundError: No module named 'yaml'\n\
                 Traceback (most recent call last):\n  File \"/srv/app/main.py\", line 4, in <module>\n    import zzqq_unvetted\nModuleNotFoundError: No module named 'zzqq_unvetted'\n",
    );
    // The person told healdeck which Python runs this folder: "/bin/sh", so the class A
    // install cannot touch this machine (`sh -m pip install PyYAML` fails at once, exit 2).
    let logs = r.dir.path().join("logs");
    std::fs::write(
        r.dir.path().join("config/fixer.json"),
        serde_json::json!({"folders": {logs.display().to_string(): {"python": "/bin/sh"}}})
            .to_string(),
    )
    .expect("fixer.json");
    let audit = r.dir.path().join("data/fix-audit.jsonl");
    let h = &mut r.harness;
    wait_for_rows(h, "both issues", 2);
    let unvetted = "Python module 'zzqq_unvetted' is not installed";

    // Nothing selected: Auto-Fix has nothing to act on.
    h.get_by_label("Dry run").click();
    h.get_by_label("🛠 Auto-Fix (Safe Only)").click();
    h.run_steps(2);
    assert!(
        h.state().trouble.fix_log().0.is_empty(),
        "ran without a selection"
    );

    // The details pane shows the class the fixer will use, from the plan: the unvetted
    // package asks first.
    h.get_by_label(unvetted).click();
    wait_for_label(h, "class B");
    // Dry run on the selected issue: its plan only, not the other issue's.
    h.get_by_label("🛠 Auto-Fix (Safe Only)").click();
    let text = wait_for_fix_log(h, "the plan", "waiting for approval");
    assert!(
        text.contains("needs approval") && text.contains("zzqq_unvetted"),
        "{text}"
    );
    assert!(
        !text.contains("PyYAML"),
        "another issue was planned:\n{text}"
    );
    assert!(!audit.exists(), "a dry run wrote to the audit log");

    // Not a dry run: the class B fix waits for a yes; "Not now" runs nothing for it.
    h.get_by_label("Dry run").click();
    h.run_steps(2);
    h.get_by_label("🛠 Auto-Fix (Safe Only)").click();
    wait_for_label(h, "Approve these fixes?");
    h.get_by_label("Not now").click();
    h.run_steps(2);
    let text = h.state().trouble.fix_log().0.join("\n");
    assert!(text.contains("Class B fixes skipped."), "{text}");
    assert!(!audit.exists(), "something ran");

    // "Fix all safe issues…" lists exactly what would run unattended, and where, first.
    h.get_by_label("Fix all safe issues…").click();
    wait_for_label(h, "Fix all safe issues?");
    h.get_by_label("/bin/sh -m pip install PyYAML");
    h.get_by_label(&format!(
        "where: Python /bin/sh, set for {}",
        logs.display()
    ));
    h.get_by_label("Run 1 fix").click();
    wait_for_fix_log(h, "the class A attempt", "attempt 1: pip_install");
    h.run_steps(2);
    assert!(
        h.query_by_label("Approve these fixes?").is_none(),
        "asked twice"
    );
    let (lines, _) = h.state().trouble.fix_log();
    let text = lines.join("\n");
    // The action's own output arrived as a live line between the start and its exit status.
    let start = lines
        .iter()
        .position(|l| l.contains("attempt 1: pip_install"));
    let exit = lines.iter().position(|l| l.trim() == "exit 2");
    assert!(
        matches!((start, exit), (Some(s), Some(e)) if e > s + 1),
        "{text}"
    );
    let log = std::fs::read_to_string(&audit).expect("the attempt was audited");
    assert!(
        log.contains("PyYAML") && !log.contains("zzqq_unvetted"),
        "{log}"
    );
}

/// Steps frames until the Auto-Fix window's run is over and a line holds `needle`; returns
/// the window's text.
fn wait_for_fix_log(h: &mut Harness<'static, HealdeckApp>, what: &str, needle: &str) -> String {
    wait(h, what, |a| {
        let (lines, running) = a.trouble.fix_log();
        !running && lines.iter().any(|l| l.contains(needle))
    });
    h.state().trouble.fix_log().0.join("\n")
}

#[test]
fn a_log_with_thousands_of_distinct_failures_reaches_the_feed_whole() {
    // More new issues at once than the bus keeps for a slow subscriber: none may be lost.
    let n = 6000;
    let text: String = (0..n)
        .map(|i| format!("ModuleNotFoundError: No module named 'pkg_{i:05x}'\n"))
        .collect();
    let mut r = rig_with_log("many.log", &text);
    let h = &mut r.harness;
    wait(h, "every issue", |a| a.trouble.feed.len() == n);
    // The table's rows follow within a refresh period (live updates rebuild them ≤ 4×/s).
    wait(h, "every row", |a| a.trouble.feed.rows().len() == n);
}

#[test]
fn a_followed_folder_gets_its_own_python_and_fixes_use_it() {
    let mut r = rig_with_log(
        "app.log",
        "Traceback (most recent call last):\n  File \"/srv/app/main.py\", line 3, in <module>\n    import yaml\nModuleNotFoundError: No module named 'yaml'\n",
    );
    let logs = r.dir.path().join("logs");
    let fixer = r.dir.path().join("config/fixer.json");
    let not_python = r.dir.path().join("notes.txt");
    std::fs::write(&not_python, "not an interpreter").expect("write");
    let h = &mut r.harness;
    wait_for_rows(h, "the issue", 1);
    h.get_by_label("⚙").click();
    h.run_steps(2);
    h.get_by_label("Environment for this folder");
    // Not an interpreter: refused with the reason, nothing saved.
    let field = h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Python interpreter");
    field.focus();
    field.type_text(&not_python.display().to_string());
    h.run_steps(2);
    h.get_by_label("Save").click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("not an executable file")
            .is_some(),
        "the refusal is shown"
    );
    assert!(!fixer.exists(), "nothing saved");
    // A real interpreter: saved in fixer.json for this folder, shown under the row.
    let field = h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Python interpreter");
    field.focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    field.type_text("/bin/sh");
    h.run_steps(2);
    h.get_by_label("Save").click();
    h.run_steps(3);
    assert!(h.query_by_label("Environment for this folder").is_none());
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fixer).expect("saved")).expect("json");
    assert_eq!(
        saved["folders"][logs.display().to_string()]["python"],
        "/bin/sh",
        "{saved}"
    );
    assert!(h.query_by_label_contains("🐍 /bin/sh").is_some());
    // The plan uses it: the fix knows where it lands, and may run unattended.
    h.get_by_label("Python module 'yaml' is not installed")
        .click();
    h.get_by_label("Dry run").click();
    h.run_steps(2);
    h.get_by_label("🛠 Auto-Fix (Safe Only)").click();
    wait_for_fix_log(h, "the plan", "safe fix(es)");
    let (lines, _) = h.state().trouble.fix_log();
    let text = lines.join("\n");
    assert!(
        text.contains("would run: /bin/sh -m pip install PyYAML"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "where: Python /bin/sh, set for {}",
            logs.display()
        )),
        "{text}"
    );
}

#[test]
fn fixed_issues_are_marked_can_be_hidden_and_show_when_they_recur() {
    let failure = "Traceback (most recent call last):\n  File \"/srv/app/main.py\", line 3, in <module>\n    import yaml\nModuleNotFoundError: No module named 'yaml'\n";
    let mut r = rig_with_log("app.log", failure);
    let log = r.dir.path().join("logs/app.log");
    let audit = r.dir.path().join("data/fix-audit.jsonl");
    let h = &mut r.harness;
    wait_for_rows(h, "the issue", 1);
    let issue = h.state().trouble.feed.row(0).cloned().expect("a row");
    // The audit log records a fix of it that verified (as a real run writes it).
    let entry = serde_json::json!({
        "time": 1_764_500_000, "fingerprint": issue.fingerprint, "issue": issue.title,
        "phase": "end", "action": "pip_install", "argv": [], "result": "fixed",
        "verified": "`import yaml` works", "seen_line": issue.latest.line,
        "source": issue.latest.source,
    });
    std::fs::create_dir_all(audit.parent().expect("data")).expect("mkdir");
    std::fs::write(&audit, format!("{entry}\n")).expect("audit");
    {
        let app = h.state_mut();
        app.trouble.restart_watch(&app.sh);
    }
    wait_for_label(h, "✔ fixed");
    h.get_by_label(issue.title.as_str()).click();
    wait_for_label(
        h,
        "✔ fixed at 2025-11-30T10:53:20Z · verified: `import yaml` works",
    );
    // Already fixed: the plan holds it back, and says so.
    wait_for_label(h, "already fixed at 2025-11-30T10:53:20Z");
    h.get_by_label("Hide resolved").click();
    h.run_steps(3);
    assert_eq!(h.state().trouble.feed.rows().len(), 0);
    h.get_by_label("Hide resolved").click();
    h.run_steps(3);
    assert_eq!(h.state().trouble.feed.rows().len(), 1);
    // It happens again after the fix: marked as recurred.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("open");
    std::io::Write::write_all(&mut f, failure.as_bytes()).expect("append");
    wait_for_label(h, "⚠ recurred");
}

#[test]
fn live_rows_glow_with_their_context_and_search_reads_excerpts() {
    let mut r = rig_with_log(
        "app.log",
        "INFO boot\nOSError: [Errno 28] No space left on device\n",
    );
    let log = r.dir.path().join("logs/app.log");
    let h = &mut r.harness;
    wait_for_rows(h, "the first issue", 1);
    // What the log held already is history: no glow.
    assert!(h.state().trouble.flashes.is_empty());
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("open");
    std::io::Write::write_all(&mut f, b"INFO charging order 17\n").expect("append");
    h.run_steps(2);
    std::thread::sleep(Duration::from_millis(400));
    std::io::Write::write_all(
        &mut f,
        b"Traceback (most recent call last):\n  File \"/srv/shop/billing_core.py\", line 9, in charge\nKeyError: 'amount'\n",
    )
    .expect("append");
    wait_for_rows(h, "the live issue", 2);
    h.run_steps(2);
    let app = h.state();
    let live = app
        .trouble
        .feed
        .all()
        .iter()
        .find(|i| i.excerpt.contains("billing_core.py"))
        .cloned()
        .expect("the live issue");
    assert_eq!(app.trouble.flashes.len(), 1, "only the new row glows");
    assert!(app.trouble.flashes.contains_key(&live.fingerprint));
    assert_eq!(
        live.context_before.last().map(String::as_str),
        Some("INFO charging order 17"),
        "a live issue carries the lines before it"
    );
    // The search box finds it by a frame in its excerpt, not in its title.
    assert!(!live.title.to_lowercase().contains("billing_core"));
    let search = h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Search issues");
    search.focus();
    search.type_text("billing_core");
    h.run_steps(3);
    let rows = h.state().trouble.feed.rows().len();
    assert_eq!(rows, 1);
    assert_eq!(
        h.state().trouble.feed.row(0).map(|i| i.fingerprint.clone()),
        Some(live.fingerprint.clone())
    );
}

#[test]
fn view_full_render_without_a_file_manager_says_so_plainly() {
    // Only meaningful where nothing can show a folder (CI, a server, Xvfb): there the
    // platform's openers (xdg-open, gio open, …) are missing or fail.
    let probe = tempfile::tempdir().expect("tmp");
    let opens = open::commands(probe.path()).into_iter().any(|mut c| {
        c.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if opens {
        eprintln!("a file manager is available here; skipping");
        return;
    }
    let mut r = rig();
    let renders = r.dir.path().join("data/renders");
    let h = &mut r.harness;
    h.get_by_label("👗 CLO Companion").click();
    h.run_steps(2);
    h.get_by_label("📷 View Full Render").click();
    let t0 = Instant::now();
    let expected = format!(
        "No file manager is available to show the renders; they are in {}",
        renders.display()
    );
    loop {
        h.step();
        let toasts: Vec<String> = h
            .state()
            .sh
            .toasts
            .texts()
            .iter()
            .map(|t| t.to_string())
            .collect();
        if toasts.contains(&expected) {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(30), "{toasts:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn ctrl_click_selects_several_issues_and_auto_fix_plans_each_of_them() {
    let tb = |m: &str| {
        format!(
            "Traceback (most recent call last):\n  File \"/srv/app/main.py\", line 3, in <module>\n    import {m}\nModuleNotFoundError: No module named '{m}'\n"
        )
    };
    let text = format!("{}{}{}", tb("yaml"), tb("zzqq_first"), tb("zzqq_second"));
    let mut r = rig_with_log("app.log", &text);
    let h = &mut r.harness;
    wait_for_rows(h, "three issues", 3);
    h.get_by_label("Dry run").click();
    h.get_by_label("Python module 'yaml' is not installed")
        .click();
    h.run_steps(2);
    h.get_by_label("Python module 'zzqq_first' is not installed")
        .click_modifiers(egui::Modifiers::COMMAND);
    h.run_steps(2);
    assert_eq!(h.state().trouble.marked.len(), 2);
    h.get_by_label("🛠 Auto-Fix (Safe Only)").click();
    let text = wait_for_fix_log(h, "the plan of both", "safe fix(es)");
    assert!(
        text.contains("PyYAML") && text.contains("zzqq_first"),
        "{text}"
    );
    assert!(!text.contains("zzqq_second"), "{text}");
    // A plain click selects one row again.
    h.get_by_label("Python module 'zzqq_second' is not installed")
        .click();
    h.run_steps(2);
    assert!(h.state().trouble.marked.is_empty());
    h.get_by_label("🛠 Auto-Fix (Safe Only)").click();
    let text = wait_for_fix_log(h, "the plan of one", "zzqq_second");
    assert!(
        !text.contains("PyYAML") && !text.contains("zzqq_first"),
        "{text}"
    );
}

#[test]
fn a_broken_fixer_json_is_shown_where_the_plan_would_be() {
    let mut r = rig_with_log("app.log", "ModuleNotFoundError: No module named 'yaml'\n");
    std::fs::write(
        r.dir.path().join("config/fixer.json"),
        "{\n  \"max_fixes_per_run\": 10\n}\n",
    )
    .expect("fixer.json");
    let h = &mut r.harness;
    wait_for_rows(h, "the issue", 1);
    h.get_by_label("Python module 'yaml' is not installed")
        .click();
    wait_for_label(h, "⚠ no plan:");
    let shown = h
        .query_all_by_label_contains("⚠ no plan:")
        .next()
        .map(|n| format!("{n:?}"))
        .unwrap_or_default();
    assert!(
        shown.contains("fixer.json") && shown.contains("max_fixes_per_run is 10"),
        "{shown}"
    );
    // "Fix all safe issues…" says why it has nothing to list.
    h.get_by_label("Fix all safe issues…").click();
    wait(h, "the toast", |a| {
        a.sh.toasts
            .texts()
            .iter()
            .any(|t| t.starts_with("No fix plan:") && t.contains("fixer.json"))
    });
    assert!(h.query_by_label("Fix all safe issues?").is_none());
}

#[test]
fn simulate_cloth_drapes_the_dress_off_the_ui_thread_and_shows_its_fit_maps() {
    let mut r = rig();
    let h = &mut r.harness;
    h.get_by_label("👗 CLO Companion").click();
    wait(h, "the first body", |a| a.clo.measured.is_some());
    let shell_vertices = h.state().clo.scene_meshes().map(|s| s[1].positions.len());
    h.get_by_label("Simulate cloth").click();
    wait(h, "the drape to start", |a| a.clo.draping());
    h.run_steps(2);
    h.get_by_label("Cancel");
    // The cloth is shown as it settles, in the shell's place, then settled.
    wait(h, "the cloth settling", |a| {
        a.clo
            .scene_meshes()
            .is_some_and(|s| s.len() == 2 && Some(s[1].positions.len()) != shell_vertices)
    });
    wait(h, "the settled drape", |a| a.clo.drape_report().is_some());
    let report = h.state().clo.drape_report().cloned().expect("report");
    assert!(report.settled, "{report:?}");
    assert!(report.mean_strain_pct <= 1.0, "{report:?}");
    assert!(report.max_penetration_mm <= 1.0, "{report:?}");
    h.run_steps(2);
    h.get_by_label_contains("Draped in");
    // The strain map replaces the fabric, then the pressure map, then the fabric again.
    h.get_by_label("Strain map").click();
    let garment = |a: &HealdeckApp| {
        a.clo
            .scene_meshes()
            .and_then(|s| s.get(1).map(|m| m.materials[0].name.clone()))
    };
    wait(h, "the strain map", |a| {
        garment(a).as_deref() == Some("strain map")
    });
    h.get_by_label("Pressure map").click();
    wait(h, "the pressure map", |a| {
        garment(a).as_deref() == Some("pressure map")
    });
    h.get_by_label("Cloth").click();
    wait(h, "the fabric again", |a| {
        garment(a).as_deref() == Some("dress")
    });
    // A new measurement drapes again, from the last drape carried over to the new body.
    h.state_mut().sh.settings.clo.measurements.waist_cm += 3.0;
    wait(h, "the drape on the new body", |a| a.clo.draping());
    wait(h, "the new body's drape", |a| {
        a.clo.drape_report().is_some()
    });
    let again = h.state().clo.drape_report().cloned().expect("report");
    assert!(again.warm && again.settled, "{again:?}");
    assert!(again.max_penetration_mm <= 1.0, "{again:?}");
    // Another fabric drapes again; Cancel stops it and turns the simulation off.
    h.state_mut().sh.settings.clo.garment.fabric = healdeck_render::garment::Fabric::Denim;
    wait(h, "the denim drape", |a| a.clo.draping());
    h.run_steps(2);
    h.get_by_label("Cancel").click();
    wait(h, "the cancelled drape", |a| !a.clo.draping());
    assert!(!h.state().sh.settings.clo.simulate);
}

#[test]
fn an_outfit_is_chosen_in_the_editor_and_draped_bottom_first_top_over_it() {
    let mut r = rig();
    let h = &mut r.harness;
    h.get_by_label("👗 CLO Companion").click();
    wait(h, "the first body", |a| a.clo.measured.is_some());
    h.state_mut().sh.settings.clo.garment.kind = healdeck_render::garment::GarmentType::Tshirt;
    h.run_steps(2);
    h.get_by_label("Worn with").click();
    h.run_steps(2);
    h.get_by_label("Skirt").click();
    wait(h, "the skirt's shell", |a| {
        a.clo.scene_meshes().is_some_and(|s| s.len() == 3)
    });
    let worn = h
        .state()
        .sh
        .settings
        .clo
        .worn_with
        .clone()
        .expect("worn with");
    assert_eq!(worn.kind, healdeck_render::garment::GarmentType::Skirt);
    let shells: Vec<usize> = h.state().clo.scene_meshes().expect("scene")[1..]
        .iter()
        .map(|m| m.positions.len())
        .collect();
    h.get_by_label("Simulate cloth").click();
    wait(h, "the drape to start", |a| a.clo.draping());
    wait(h, "both settled", |a| a.clo.drape_reports().len() == 2);
    let reports: Vec<_> = h.state().clo.drape_reports().into_iter().cloned().collect();
    assert_eq!(reports[0].garment, "silk tshirt");
    assert_eq!(reports[1].garment, "denim skirt");
    for r in &reports {
        assert!(r.settled && r.max_penetration_mm <= 1.0, "{r:?}");
    }
    h.run_steps(2);
    h.get_by_label_contains("silk tshirt:");
    h.get_by_label_contains("denim skirt:");
    // The avatar and both garments, each draped in its shell's place.
    let scene = h.state().clo.scene_meshes().expect("scene");
    assert_eq!(scene.len(), 3);
    for (m, shell) in scene[1..].iter().zip(&shells) {
        assert_ne!(m.positions.len(), *shell);
    }
    assert_eq!(scene[2].materials[0].name, "skirt");
}

#[test]
fn an_imported_garment_is_worn_by_the_avatar_and_recoloured_in_the_editor() {
    use healdeck_render::avatar::{Body, Template};
    let body = Body::new(Template::Female, Template::Female.defaults()).expect("body");
    let shell = healdeck_render::garment::GarmentSpec::from_json(r#"{"type": "tshirt"}"#)
        .expect("spec")
        .build(&body, None)
        .expect("t-shirt");
    // Exported where the avatar wore it, drawn in by a tenth: it sinks into this body.
    let mut obj = String::new();
    for p in &shell.positions {
        obj += &format!("v {} {} {}\n", p.x * 0.9, p.y, p.z * 0.9);
    }
    for t in shell.indices.chunks_exact(3) {
        obj += &format!("f {} {} {}\n", t[0] + 1, t[1] + 1, t[2] + 1);
    }
    let mut r = rig_with(
        |root| {
            std::fs::write(root.join("tee.obj"), &obj).expect("obj");
            let ui = serde_json::json!({"clo": {
                "imported": root.join("tee.obj"), "import_with_avatar": true}});
            std::fs::write(root.join("config/ui.json"), ui.to_string()).expect("ui.json");
        },
        None,
    );
    let h = &mut r.harness;
    h.get_by_label("👗 CLO Companion").click();
    wait(h, "the avatar wearing the import", |a| {
        a.clo.scene_meshes().is_some_and(|s| s.len() == 2)
    });
    h.run_steps(2);
    h.get_by_label_contains("Showing import: tee.obj");
    let worn = |a: &HealdeckApp| a.clo.scene_meshes().map(|s| s[1].clone());
    let on_body = worn(h.state()).expect("worn");
    // Laid over the body: it stands where the file had it, not on the floor, and no lower.
    let lowest = on_body
        .positions
        .iter()
        .map(|p| p.y)
        .fold(f32::MAX, f32::min);
    let shell_lowest = shell.positions.iter().map(|p| p.y).fold(f32::MAX, f32::min);
    assert!(
        (lowest - shell_lowest).abs() < 0.02,
        "{lowest} vs {shell_lowest}"
    );
    // Another fabric and color, over every material.
    // The import's own Fabric row comes before the (disabled) parametric garment's.
    h.get_all_by_label("Fabric").next().expect("fabric").click();
    h.run_steps(2);
    h.get_by_label("Denim").click();
    h.get_by_label("Recolor").click();
    h.run_steps(2);
    // Recoloring starts from the export's own color, which the designer then changes.
    let start = h.state().sh.settings.clo.import_look.color.clone();
    let linear = |hex: &str| {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).expect("hex");
        [16, 8, 0].map(|s| {
            let c = ((v >> s) & 0xff) as f32 / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        })
    };
    let exported = on_body.materials[0].color;
    let start_linear = linear(start.as_deref().expect("a color to start from"));
    assert!(
        start_linear
            .iter()
            .zip(exported)
            .all(|(a, b)| (a - b).abs() < 0.01),
        "{start:?} against {exported:?}"
    );
    h.state_mut().sh.settings.clo.import_look.color = Some("#7a1f3d".into());
    wait(h, "the denim recolour", |a| {
        worn(a).is_some_and(|m| {
            m.materials.iter().all(|mr| {
                mr.fabric == healdeck_render::garment::Fabric::Denim.id()
                    && mr.color != on_body.materials[0].color
            })
        })
    });
    let look = &h.state().sh.settings.clo.import_look;
    assert_eq!(look.fabric, Some(healdeck_render::garment::Fabric::Denim));
    assert!(look.color.is_some());
}

#[test]
fn in_realistic_mode_settling_cloth_is_shown_in_fast_preview_and_the_settled_drape_realistic() {
    let mut r = rig_with(
        |root| {
            let ui = serde_json::json!({"clo": {"mode": "realistic", "garment":
                {"type": "skirt", "length": 0.4, "fabric": "denim"}}});
            std::fs::write(root.join("config/ui.json"), ui.to_string()).expect("ui.json");
        },
        None,
    );
    let h = &mut r.harness;
    h.get_by_label("👗 CLO Companion").click();
    wait(h, "the shell in Realistic", |a| {
        a.clo.last.map(|l| l.0) == Some(Mode::Realistic) && !a.clo.busy()
    });
    h.get_by_label("Simulate cloth").click();
    wait(h, "the drape to start", |a| a.clo.draping());
    let before = h.state().clo.last;
    let (mut previews, t0) = (0, Instant::now());
    let mut seen = before;
    while h.state().clo.draping() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the drape did not end"
        );
        h.step();
        let now = h.state().clo.last;
        if now != seen {
            let mode = now.map(|l| l.0);
            assert_ne!(
                mode,
                Some(Mode::Realistic),
                "a Realistic render while settling"
            );
            previews += 1;
            seen = now;
        }
    }
    assert!(previews >= 1, "the settling cloth was shown");
    let report = h.state().clo.drape_report().cloned().expect("settled");
    wait(h, "the settled drape in Realistic", |a| {
        a.clo.last.map(|l| l.0) == Some(Mode::Realistic) && a.clo.last != seen && !a.clo.busy()
    });
    assert!(report.settled, "{report:?}");
}

#[test]
fn explain_with_ai_streams_the_answer_into_the_details_pane_and_keeps_it() {
    let model = common::llm::Server::start(
        "127.0.0.1",
        common::llm::ok(
            "application/x-ndjson",
            common::llm::ndjson(&["Start the database: ", "`systemctl start postgresql`."]),
        ),
    );
    let url = format!("http://{}", model.addr);
    let mut r = rig_with_log_and(
        "db.log",
        &format!(
            "2024-05-01 10:00:01,002 ERROR could not connect to \
             postgresql://app:{DB_SECRET}@db:5432/app: connection refused\n"
        ),
        |root| {
            std::fs::write(
                root.join("config/ai.json"),
                serde_json::json!({"provider": "ollama", "ollama": {"url": url, "model": "m"}})
                    .to_string(),
            )
            .expect("ai.json");
        },
    );
    let h = &mut r.harness;
    wait(h, "the issue", |a| !a.trouble.feed.is_empty());
    let title = h.state().trouble.feed.row(0).expect("a row").title.clone();
    h.get_by_label(title.as_str()).click();
    wait_for_label(h, "Explain with AI");
    h.get_by_label_contains("Explain with AI").click();
    wait_for_label(h, "Start the database: `systemctl start postgresql`.");
    h.get_by_label_contains("healdeck never runs what it says");
    let asked = model.requests();
    assert_eq!(asked.len(), 1);
    assert!(
        !asked[0].body.contains(DB_SECRET),
        "the secret reached the model"
    );
    let kept = std::fs::read_to_string(r.dir.path().join("data/ai-answers.jsonl"))
        .expect("the answer is kept");
    assert!(kept.contains("systemctl start postgresql"));
}

/// Types `text` into the CLO tab's import field (a mesh, pattern or material path) and
/// presses Enter.
fn paste_into_import(h: &mut Harness<'static, HealdeckApp>, text: &str) {
    let by = || {
        egui_kittest::kittest::By::new()
            .role(egui::accesskit::Role::TextInput)
            .label_contains("GarmentCode pattern .json path")
    };
    h.get(by()).focus();
    h.run_steps(2);
    h.get(by()).type_text(text);
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
}

#[test]
fn a_garmentcode_pattern_pasted_in_the_editor_is_sewn_and_draped() {
    let mut r = rig();
    let h = &mut r.harness;
    h.get_by_label("👗 CLO Companion").click();
    wait(h, "the first body", |a| a.clo.measured.is_some());
    // Not a pattern: refused with the reason, the garment unchanged.
    let dir = tempfile::tempdir().expect("dir");
    let other = dir.path().join("spec.json");
    std::fs::write(&other, r#"{"type": "skirt"}"#).expect("write");
    paste_into_import(h, &other.display().to_string());
    assert!(
        h.query_by_label_contains("not a GarmentCode pattern")
            .is_some()
    );
    assert!(h.state().sh.settings.clo.garment.pattern.is_none());
    // A pattern: sewn and draped by the cloth solver, which it turns on.
    let hoodie = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/patterns/garmentcode/hoody_mean_specification.json");
    paste_into_import(h, &hoodie.display().to_string());
    assert!(h.state().sh.settings.clo.simulate);
    wait(h, "the drape to start", |a| a.clo.draping());
    wait(h, "the settled drape", |a| a.clo.drape_report().is_some());
    let report = h.state().clo.drape_report().cloned().expect("report");
    assert!(report.garment.ends_with("hoody_mean"), "{report:?}");
    assert!(
        report.settled && report.max_penetration_mm <= 1.0,
        "{report:?}"
    );
    h.run_steps(2);
    h.get_by_label_contains("Sewn from pattern: hoody_mean_specification.json");
    // The pattern gives the cut: no fit or length to set, fabric and color still.
    assert!(h.query_by_label("Tight").is_none());
    h.get_by_label("Fabric");
    h.get_by_label("🗙 Back to the drafted pattern").click();
    h.run_steps(2);
    assert!(h.state().sh.settings.clo.garment.pattern.is_none());
    h.get_by_label("Tight");
}

#[test]
fn a_u3m_material_pasted_in_the_editor_dresses_the_garment_in_it() {
    let mut r = rig();
    let h = &mut r.harness;
    h.get_by_label("👗 CLO Companion").click();
    wait(h, "the first body", |a| a.clo.measured.is_some());
    // A broken file: refused naming the file and the place, the garment unchanged.
    let dir = tempfile::tempdir().expect("dir");
    let broken = dir.path().join("broken.u3m");
    std::fs::write(
        &broken,
        r#"{"schema": "1.1", "material": {"physics": {"weight": -1}}}"#,
    )
    .expect("write");
    paste_into_import(h, &broken.display().to_string());
    wait_for_label(h, "broken.u3m");
    assert!(
        h.query_by_label_contains("broken.u3m: material.physics.weight")
            .is_some()
    );
    assert!(h.state().sh.settings.clo.garment.material.is_none());
    // The sample twill: the garment takes its preset and colour, and says why.
    let twill = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/materials/indigo-twill/indigo-twill.u3m");
    paste_into_import(h, &twill.display().to_string());
    wait(h, "the material, read off the UI thread", |a| {
        a.sh.settings.clo.garment.material.is_some()
    });
    h.run_steps(2);
    let g = h.state().sh.settings.clo.garment.clone();
    assert_eq!(g.material.as_deref(), Some(twill.as_path()));
    assert_eq!(g.fabric, healdeck_render::garment::Fabric::Denim);
    let read = healdeck_render::garment::u3m::read(&twill).expect("reads");
    assert_eq!(g.color, read.color);
    assert!(
        h.query_by_label_contains("Material 'Indigo twill': denim physics")
            .is_some()
    );
    // The material stands for the fabric and colour until it is taken off.
    h.get_by_label("indigo-twill.u3m");
    assert!(h.query_by_label("Fabric").is_none());
    h.get_by_label("🗙").click();
    h.run_steps(2);
    assert!(h.state().sh.settings.clo.garment.material.is_none());
    h.get_by_label("Fabric");
}
