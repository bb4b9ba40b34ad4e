//! The source list with sources that are not files, driven as a person does: a source with
//! a shell metacharacter pasted into the field is refused with the reason; a syslog receiver
//! pasted there starts listening, and a host that sends to it becomes a source whose failure
//! reaches the feed under its name.

#[path = "common/ui_rig.rs"]
mod ui_rig;

use egui::accesskit::Role;
use egui_kittest::kittest::{By, Queryable};
use std::path::PathBuf;
use ui_rig::*;

type Harness = egui_kittest::Harness<'static, healdeck::ui::HealdeckApp>;

/// Types `text` into the paste-a-source field and presses Enter.
fn paste_source(h: &mut Harness, text: &str) {
    let by = || {
        By::new()
            .role(Role::TextInput)
            .label_contains("paste a path")
    };
    h.get(by()).focus();
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get(by()).type_text(text);
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
}

#[test]
fn a_pasted_syslog_receiver_listens_and_each_sending_host_becomes_a_source() {
    let mut r = rig();
    let h = &mut r.harness;
    wait(h, "the rules", |a| a.trouble.engine.is_some());

    paste_source(h, "ssh://web/var/log/a;b");
    wait_for_label(h, "holds `;`, which is not allowed");
    assert!(h.state().sh.settings.log_paths.is_empty());

    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("free port")
        .port();
    let receiver = format!("syslog://127.0.0.1:{port}");
    paste_source(h, &receiver);
    wait_for_label(h, "● listening");
    assert_eq!(h.state().sh.settings.log_paths, [PathBuf::from(&receiver)]);

    let sender = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    let message = "<11>1 2026-12-02T10:00:00Z web-9 api 7 - - \
                   ERROR could not connect to database: Connection refused";
    sender
        .send_to(message.as_bytes(), ("127.0.0.1", port))
        .expect("send");
    wait(h, "the host's issue", |a| {
        a.trouble
            .feed
            .all()
            .iter()
            .any(|i| i.latest.source == "syslog:web-9" && i.title.contains("Connection refused"))
    });
    wait_for_label(h, "↳ syslog:web-9");
}
