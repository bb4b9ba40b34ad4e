//! The Patterns view in the window: a followed service log whose last half hour goes wrong
//! gets its anomalies in the issue feed (`performance`, `anomaly`) without asking; the view
//! lists the templates and the anomalies, a click on one shows its baseline-vs-now plot in the
//! details pane; a histogram bar's time range filters the feed (and the chip clears it); the
//! logs are saved as a baseline that the view then compares with.

#[path = "common/service_log.rs"]
mod service_log;
#[path = "common/ui_rig.rs"]
mod ui_rig;

use egui_kittest::kittest::Queryable;
use healdeck_engine::Category;
use ui_rig::*;

#[test]
fn anomalies_join_the_feed_and_the_view_explains_them() {
    let mut r = rig_with_log("service.log", &service_log::service(true, 1));
    let h = &mut r.harness;
    wait(h, "the anomalies in the feed", |a| {
        a.trouble
            .feed
            .all()
            .iter()
            .any(|i| i.category == Category::Performance)
    });
    let feed = h.state().trouble.feed.all().to_vec();
    let anomalies: Vec<&str> = feed
        .iter()
        .filter(|i| i.category == Category::Anomaly)
        .map(|i| i.title.as_str())
        .collect();
    assert_eq!(anomalies.len(), 4, "{anomalies:#?}");
    assert!(
        feed.iter().any(|i| i.category == Category::Timeout),
        "the rules' issues stay beside them"
    );

    // The view: its templates and anomalies.
    h.get_by_label("📈 Patterns").click();
    wait_for_label(h, "Anomalies (5)");
    h.get_by_label("Lock wait timeout exceeded on table orders_#");
    let slow = feed
        .iter()
        .find(|i| i.category == Category::Performance)
        .expect("slow");
    h.get_by_label(&format!("🟠 {}", slow.title)).click();
    h.run_steps(3);
    assert_eq!(
        h.state().trouble.selected.as_deref(),
        Some(slow.fingerprint.as_str())
    );
    wait_for_label(h, "p95 over time — baseline vs now");

    // A bar's time range filters the feed; the chip clears it.
    h.get_by_label("☰ Issues").click();
    let total = h.state().trouble.feed.len();
    h.state_mut().trouble.filter.time =
        Some(("2026-12-02T10:05:00".into(), "2026-12-02T10:06:00".into()));
    h.run_steps(4);
    let shown = h.state().trouble.feed.rows().len();
    assert!(shown >= 1 && shown < total, "{shown} of {total}");
    h.get_by_label("⏱ 12-02 10:05 – 12-02 10:06  🗙").click();
    h.run_steps(4);
    assert_eq!(h.state().trouble.feed.rows().len(), total);

    // Saved as a baseline, then compared with: the same logs hold nothing new against
    // themselves.
    h.get_by_label("📈 Patterns").click();
    h.run_steps(2);
    h.get_by_label("Baseline name").focus();
    h.run_steps(1);
    h.get_by_label("Baseline name").type_text("calm");
    h.run_steps(2);
    h.get_by_label("💾 Save as baseline").click();
    wait(h, "the baseline saved", |a| {
        a.sh.toasts
            .texts()
            .iter()
            .any(|t| t.starts_with("Baseline \"calm\" saved"))
    });
    assert!(r.dir.path().join("data/baselines/calm.json").is_file());
}
