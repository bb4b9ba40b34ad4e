//! The JSON settings files a person edits by hand.

use crate::scratch;
use healdeck::ui::settings::UiSettings;
use healdeck_config::SettingsFile;
use healdeck_config::settings::write_json;
use healdeck_engine::fix::FixerConfig;
use healdeck_render::config::RenderConfig;

/// A settings file that loads, written back and loaded again, is the same (settings survive
/// a restart); one that does not load is an error naming the file.
fn round_trip<T: SettingsFile>(data: &[u8]) {
    let path = scratch::file(T::FILE_NAME, data);
    match T::load(&path) {
        Ok(v) => {
            let first = serde_json::to_string(&v).unwrap_or_else(|e| panic!("serialize: {e}"));
            write_json(&path, &v).unwrap_or_else(|e| panic!("write back: {e}"));
            let again = T::load(&path).unwrap_or_else(|e| panic!("reload: {e}"));
            let second = serde_json::to_string(&again).unwrap_or_else(|e| panic!("serialize: {e}"));
            assert_eq!(first, second, "{} changed on a round trip", T::FILE_NAME);
        }
        Err(e) => {
            let message = e.to_string();
            assert!(message.contains(T::FILE_NAME), "unnamed error: {message}");
        }
    }
}

/// Arbitrary bytes as `ui.json`, `fixer.json` and `render_config.json`.
pub fn settings_files(data: &[u8]) {
    round_trip::<UiSettings>(data);
    round_trip::<FixerConfig>(data);
    round_trip::<RenderConfig>(data);
}
