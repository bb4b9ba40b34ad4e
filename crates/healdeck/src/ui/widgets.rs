//! Small shared widgets: severity badges and colors, toasts, the clipboard (system or an
//! in-memory stand-in for tests), byte sizes.

use egui::{Color32, RichText};
use healdeck_engine::Severity;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The window's status colours: done or fine, needs a look, failed or refused.
pub const GOOD: Color32 = Color32::from_rgb(84, 178, 90);
pub const WARN: Color32 = Color32::from_rgb(236, 132, 40);
pub const BAD: Color32 = Color32::from_rgb(224, 62, 62);

/// The severity's color, darker on a light background so it stays readable.
pub fn severity_color(dark_mode: bool, s: Severity) -> Color32 {
    match (s, dark_mode) {
        (Severity::Critical, true) => BAD,
        (Severity::High, true) => WARN,
        (Severity::Medium, true) => Color32::from_rgb(226, 190, 40),
        (Severity::Low, true) => GOOD,
        (Severity::Critical, false) => Color32::from_rgb(196, 30, 30),
        (Severity::High, false) => Color32::from_rgb(196, 96, 0),
        (Severity::Medium, false) => Color32::from_rgb(150, 112, 0),
        (Severity::Low, false) => Color32::from_rgb(30, 125, 45),
    }
}

/// The severity's colored badge and name ("🔴 critical").
pub fn severity_badge(ui: &mut egui::Ui, s: Severity) -> egui::Response {
    ui.label(
        RichText::new(format!("{} {}", s.badge(), s.as_str()))
            .color(severity_color(ui.visuals().dark_mode, s))
            .strong(),
    )
}

/// A label whose leading emoji is drawn in `color` and the rest in the widget's own color
/// ("🟢 Fast Preview"); its accessible text is the whole string.
pub fn dot_text(ui: &egui::Ui, dot: &str, color: Color32, rest: &str) -> egui::WidgetText {
    let mut job = egui::text::LayoutJob::default();
    let style = ui.style();
    RichText::new(dot).color(color).append_to(
        &mut job,
        style,
        egui::FontSelection::Default,
        egui::Align::Center,
    );
    RichText::new(rest).append_to(
        &mut job,
        style,
        egui::FontSelection::Default,
        egui::Align::Center,
    );
    egui::WidgetText::LayoutJob(job.into())
}

/// Adds two fonts behind egui's own: the colored-circle emoji (🔴 🟠 🟡 🟢 🔵; egui's bundled
/// fonts lack three), so all five are the same filled dot, and DejaVu Sans Mono for the glyphs
/// logs use that egui's fonts lack (arrows, box drawing, the blocks of progress bars).
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "healdeck-dots".into(),
        Arc::new(egui::FontData::from_static(include_bytes!(
            "../../../../assets/fonts/healdeck-dots.ttf"
        ))),
    );
    fonts.font_data.insert(
        "dejavu-sans-mono".into(),
        Arc::new(egui::FontData::from_static(include_bytes!(
            "../../../../assets/fonts/DejaVuSansMono.ttf"
        ))),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let list = fonts.families.entry(family).or_default();
        // After the text font, before the emoji fonts.
        let at = list.len().min(1);
        list.insert(at, "healdeck-dots".into());
        list.insert(at + 1, "dejavu-sans-mono".into());
    }
    ctx.set_fonts(fonts);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Info,
    Success,
    Error,
}

struct Toast {
    text: String,
    kind: ToastKind,
    since: Instant,
}

/// Short confirmations in the bottom-right corner; errors stay longer.
#[derive(Default)]
pub struct Toasts {
    items: Vec<Toast>,
}

impl Toasts {
    pub fn add(&mut self, kind: ToastKind, text: impl Into<String>) {
        let text = text.into();
        match kind {
            ToastKind::Error => tracing::warn!("{text}"),
            _ => tracing::info!("{text}"),
        }
        self.items.push(Toast {
            text,
            kind,
            since: Instant::now(),
        });
        if self.items.len() > 5 {
            self.items.remove(0);
        }
    }

    /// The texts on screen now (tests read them).
    pub fn texts(&self) -> Vec<&str> {
        self.items.iter().map(|t| t.text.as_str()).collect()
    }

    pub fn show(&mut self, ctx: &egui::Context) {
        self.items.retain(|t| {
            let life = if t.kind == ToastKind::Error { 9 } else { 4 };
            t.since.elapsed() < Duration::from_secs(life)
        });
        if self.items.is_empty() {
            return;
        }
        ctx.request_repaint_after(Duration::from_millis(250));
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-14.0, -36.0))
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                for t in &self.items {
                    let (icon, color) = match t.kind {
                        ToastKind::Info => ("ℹ", Color32::from_rgb(90, 150, 230)),
                        ToastKind::Success => ("✔", GOOD),
                        ToastKind::Error => ("⚠", BAD),
                    };
                    egui::Frame::popup(ui.style())
                        .stroke(egui::Stroke::new(1.0, color))
                        .show(ui, |ui| {
                            ui.set_max_width(420.0);
                            ui.horizontal(|ui| {
                                ui.label(RichText::new(icon).color(color).strong());
                                ui.label(&t.text);
                            });
                        });
                    ui.add_space(6.0);
                }
            });
    }
}

/// Where "Copy Prompt" puts its text: the system clipboard through `arboard` (egui's own
/// clipboard if that fails), or a stand-in the tests read.
pub enum Clipboard {
    System(Option<arboard::Clipboard>),
    Memory(Arc<Mutex<Option<String>>>),
}

impl Clipboard {
    pub fn system() -> Clipboard {
        Clipboard::System(None)
    }

    pub fn copy(&mut self, ctx: &egui::Context, text: &str) -> Result<(), String> {
        match self {
            Clipboard::Memory(m) => {
                *m.lock().map_err(|e| e.to_string())? = Some(text.to_string());
                Ok(())
            }
            Clipboard::System(slot) => {
                if slot.is_none() {
                    *slot = arboard::Clipboard::new().ok();
                }
                match slot.as_mut().map(|c| c.set_text(text.to_string())) {
                    Some(Ok(())) => Ok(()),
                    _ => {
                        // No clipboard service reachable through arboard: egui's own.
                        ctx.copy_text(text.to_string());
                        Ok(())
                    }
                }
            }
        }
    }
}

/// 1536 → "1.5 KiB".
pub fn bytes(n: u64) -> String {
    healdeck_engine::report::format_bytes(n, true)
}

/// 12345 → "12,345".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An engine time (`2026-11-23T07:41:05.0123+01:00`) as a table cell shows it: `Nov 23
/// 07:41:05` in `this_year`, `2025-11-23 07:41` in another; the log's own clock, fractions and
/// offset left to the details pane. Anything else is shown as it is.
pub fn short_time(iso: &str, this_year: i32) -> String {
    let b = iso.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shaped = b.len() >= 19
        && digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && digits(11..13)
        && digits(14..16)
        && digits(17..19)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':';
    let month = iso.get(5..7).and_then(|m| m.parse::<usize>().ok());
    let (Some(month @ 1..=12), true) = (month, shaped) else {
        return iso.to_string();
    };
    if iso[..4].parse::<i32>().ok() == Some(this_year) {
        format!("{} {} {}", MONTHS[month - 1], &iso[8..10], &iso[11..19])
    } else {
        format!("{} {}", &iso[..10], &iso[11..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_short_in_the_table_and_other_text_is_kept() {
        assert_eq!(
            short_time("2026-11-23T07:41:05.0123+01:00", 2026),
            "Nov 23 07:41:05"
        );
        assert_eq!(short_time("2026-01-02T00:00:09Z", 2026), "Jan 02 00:00:09");
        assert_eq!(short_time("2025-11-23T07:41:05", 2026), "2025-11-23 07:41");
        assert_eq!(
            short_time("2026-13-23T07:41:05", 2026),
            "2026-13-23T07:41:05"
        );
        assert_eq!(short_time("yesterday", 2026), "yesterday");
        assert_eq!(short_time("2026-11-23", 2026), "2026-11-23");
        assert_eq!(
            short_time("2026-11-23T07:41:0é", 2026),
            "2026-11-23T07:41:0é"
        );
    }
}
