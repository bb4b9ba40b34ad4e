//! Keyboard shortcuts: Ctrl+1/2/3 switch tabs, Ctrl+T runs the Full System Test; in the
//! Troubleshooter F5 runs diagnostics, Ctrl+Shift+F Auto-Fix, Ctrl+Shift+C Copy Prompt,
//! Ctrl+F focuses the search; in the CLO Companion Ctrl+P / Ctrl+R pick the render mode and
//! Ctrl+S saves the render. The README's table lists the same.

use super::app::HealdeckApp;
use super::settings::Tab;
use egui::{Key, KeyboardShortcut, Modifiers};
use healdeck_render::renderer::Mode;

const SC_DIAGNOSE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F5);
const SC_FIX: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::F);
const SC_PROMPT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::C);
const SC_SEARCH: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);
const SC_TAB1: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Num1);
const SC_TAB2: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Num2);
const SC_TAB3: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Num3);
const SC_PREVIEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::P);
const SC_REALISTIC: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::R);
const SC_SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
const SC_SELFTEST: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::T);

impl HealdeckApp {
    pub(crate) fn shortcuts(&mut self, ctx: &egui::Context) {
        let pressed = |s: &KeyboardShortcut| ctx.input_mut(|i| i.consume_shortcut(s));
        if pressed(&SC_TAB1) {
            self.sh.settings.tab = Tab::Troubleshooter;
        }
        if pressed(&SC_TAB2) {
            self.sh.settings.tab = Tab::Clo;
        }
        if pressed(&SC_TAB3) {
            self.sh.settings.tab = Tab::Health;
        }
        if pressed(&SC_SELFTEST) {
            self.run_selftest();
        }
        let sh = &mut self.sh;
        match sh.settings.tab {
            Tab::Troubleshooter => {
                if pressed(&SC_DIAGNOSE) {
                    self.trouble.run_diagnostics(sh);
                }
                if pressed(&SC_FIX) {
                    self.trouble.auto_fix(sh);
                }
                if pressed(&SC_PROMPT) {
                    self.trouble.copy_prompt(sh);
                }
                if pressed(&SC_SEARCH) {
                    self.trouble.focus_search();
                }
            }
            Tab::Clo => {
                if pressed(&SC_PREVIEW) {
                    self.clo.set_mode(sh, Mode::Preview);
                }
                if pressed(&SC_REALISTIC) {
                    self.clo.set_mode(sh, Mode::Realistic);
                }
                if pressed(&SC_SAVE) {
                    self.clo.save_as(sh);
                }
            }
            Tab::Health => {}
        }
    }
}
