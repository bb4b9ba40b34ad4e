//! The Health tab as a person uses it (egui_kittest on the real renderer): checks from
//! `health.toml` run live — a real listener that answers and a port nobody listens on — their
//! failures join the Troubleshooter's feed next to the log of the same service, the status
//! bar counts them, a class B action waits for "Run action now", and a check added in the form
//! is validated like the file (an interval of 0 is refused with its line) before it is saved.

#[path = "common/ui_rig.rs"]
mod ui_rig;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use healdeck::ui::settings::Tab;
use std::net::TcpListener;
use ui_rig::*;

type Harness = egui_kittest::Harness<'static, healdeck::ui::HealdeckApp>;

fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Replaces what the text field labelled `label` holds with `text`.
fn field(h: &mut Harness, label: &str, text: &str) {
    h.get_by_role_and_label(Role::TextInput, label).focus();
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    h.run_steps(2);
}

#[test]
fn checks_run_live_their_failures_join_the_feed_and_a_new_check_is_validated() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let up = listener.local_addr().expect("addr").port();
    let down = dead_port();
    let marker_dir = tempfile::tempdir().expect("tmp");
    let marker = marker_dir.path().join("restarted");
    let mut r = rig_with_log_and(
        "app.log",
        "2026-12-02 10:00:00 ERROR ConnectionRefusedError: [Errno 111] Connection refused\n",
        |root| {
            std::fs::write(
                root.join("config/health.toml"),
                format!(
                    "# the team's checks\n\
                     [[check]]\nname = \"listener\"\nkind = \"tcp\"\ninterval_s = 1\naddress = \"127.0.0.1:{up}\"\n\
                     [[check]]\nname = \"upstream\"\nkind = \"tcp\"\ninterval_s = 1\naddress = \"127.0.0.1:{down}\"\n\
                     severity = \"critical\"\nsource = \"app.log\"\n\
                     [check.action]\ncommand = [\"touch\", {:?}]\nverify_s = 1\n",
                    marker.display().to_string()
                ),
            )
            .expect("health.toml");
        },
    );
    let h = &mut r.harness;
    h.state_mut().sh.settings.tab = Tab::Health;
    wait(h, "both checks' results", |a| {
        a.health.rows().iter().all(|r| r.last.is_some())
    });
    wait(h, "the failing check", |a| a.health.failing() == 1);
    let app = h.state();
    let listener_row = &app.health.rows()[0];
    assert!(listener_row.last.as_ref().is_some_and(|r| r.ok));
    h.get_by_label_contains("1 of 2 check(s) failing");
    wait_for_label(h, "FAILING");
    // The health failure sits in the feed right before the log issue of the same source.
    h.state_mut().sh.settings.tab = Tab::Troubleshooter;
    wait(h, "the log issue and the health issue in the feed", |a| {
        a.trouble.feed.len() == 2 && a.trouble.feed.rows().len() == 2
    });
    let feed = &h.state().trouble.feed;
    let first = feed.row(0).expect("row 0");
    assert_eq!(first.rule.as_deref(), Some("health.tcp"), "{}", first.title);
    assert_eq!(first.severity, healdeck_engine::Severity::Critical);
    assert!(
        feed.row(1)
            .is_some_and(|i| i.latest.source.ends_with("app.log"))
    );
    // The class B action waits for a person.
    assert!(!marker.exists());
    h.state_mut().sh.settings.tab = Tab::Health;
    h.run_steps(2);
    // The failing check is the one shown until the person picks another.
    wait_for_label(h, "Run action now");
    h.get_by_label_contains("Run action now").click();
    wait(h, "the approved action", |_| marker.exists());

    // A check added in the form is validated like the file.
    h.get_by_label_contains("Add check").click();
    h.run_steps(2);
    field(h, "Name", "docs");
    field(h, "URL", &format!("http://127.0.0.1:{up}/"));
    field(h, "Every (s)", "0");
    h.get_by_label_contains("Save").click();
    h.run_steps(2);
    // The refusal names the file and its line, as the command line would.
    h.get_by_label_contains("health.toml:");
    h.get_by_label_contains(": interval_s: 0 is out of range");
    field(h, "Every (s)", "5");
    h.get_by_label_contains("Save").click();
    wait(h, "the new check running", |a| {
        a.health.len() == 3 && a.health.rows().iter().all(|r| r.last.is_some())
    });
    let text = std::fs::read_to_string(r.dir.path().join("config/health.toml")).expect("file");
    assert!(
        text.starts_with("# the team's checks\n"),
        "comments kept: {text}"
    );
    assert!(text.contains("name = \"docs\""), "{text}");
    drop(listener);
}
