//! AMD GPUs through amdgpu's sysfs files (`/sys/class/drm/cardN/device/`): busy percent,
//! VRAM, and hwmon's temperature, power and clock, without waking a suspended card.

use super::GpuSource;
use crate::reading::{GpuReading, SourceKind};
use std::path::{Path, PathBuf};

fn read_num(path: &Path) -> Option<f64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// AMD GPUs through amdgpu's sysfs files under `/sys/class/drm/cardN/device/`.
pub(super) struct AmdSysfsSource {
    cards: Vec<PathBuf>,
}

impl AmdSysfsSource {
    /// Scans `root` (normally `/sys/class/drm`) for amdgpu cards; `None` when there are none.
    pub(super) fn open(root: &Path) -> Option<AmdSysfsSource> {
        let mut cards: Vec<PathBuf> = std::fs::read_dir(root)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("card") && !n.contains('-'))
            })
            .map(|p| p.join("device"))
            .filter(|d| d.join("gpu_busy_percent").exists())
            .collect();
        cards.sort();
        (!cards.is_empty()).then_some(AmdSysfsSource { cards })
    }
}

impl GpuSource for AmdSysfsSource {
    fn kind(&self) -> SourceKind {
        SourceKind::AmdSysfs
    }

    fn sample(&mut self) -> Vec<GpuReading> {
        self.cards
            .iter()
            .map(|dev| {
                // Reading gpu_busy_percent wakes a suspended card: report it idle instead.
                let suspended = std::fs::read_to_string(dev.join("power/runtime_status"))
                    .is_ok_and(|s| s.trim() == "suspended");
                let hwmon = std::fs::read_dir(dev.join("hwmon"))
                    .ok()
                    .and_then(|mut d| d.next())
                    .and_then(|e| e.ok())
                    .map(|e| e.path());
                let h = |f: &str| hwmon.as_ref().and_then(|p| read_num(&p.join(f)));
                let pci = dev
                    .canonicalize()
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()));
                GpuReading {
                    name: std::fs::read_to_string(dev.join("product_name"))
                        .map_or_else(|_| "AMD GPU".to_string(), |s| s.trim().to_string()),
                    source: "amdgpu sysfs".into(),
                    pci_bus_id: pci,
                    util_percent: if suspended {
                        Some(0.0)
                    } else {
                        read_num(&dev.join("gpu_busy_percent")).map(|v| v as f32)
                    },
                    own_percent: None,
                    memory_util_percent: if suspended {
                        None
                    } else {
                        read_num(&dev.join("mem_busy_percent")).map(|v| v as f32)
                    },
                    memory_used_bytes: read_num(&dev.join("mem_info_vram_used")).map(|v| v as u64),
                    memory_total_bytes: read_num(&dev.join("mem_info_vram_total"))
                        .map(|v| v as u64),
                    temperature_c: h("temp1_input").map(|m| (m / 1000.0) as f32),
                    power_w: h("power1_average").map(|u| (u / 1e6) as f32),
                    power_limit_w: h("power1_cap").map(|u| (u / 1e6) as f32),
                    graphics_clock_mhz: h("freq1_input").map(|hz| (hz / 1e6) as u32),
                    memory_clock_mhz: h("freq2_input").map(|hz| (hz / 1e6) as u32),
                    processes: Vec::new(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amd_sysfs_layout_is_read_and_a_suspended_card_is_not_woken() {
        let d = tempfile::tempdir().expect("tmp");
        let dev = d.path().join("card0/device");
        std::fs::create_dir_all(dev.join("hwmon/hwmon3")).expect("mkdir");
        std::fs::create_dir_all(dev.join("power")).expect("mkdir");
        for (f, v) in [
            ("gpu_busy_percent", "93"),
            ("mem_busy_percent", "40"),
            ("mem_info_vram_used", "1073741824"),
            ("mem_info_vram_total", "8589934592"),
            ("product_name", "Radeon RX 7600"),
            ("power/runtime_status", "active"),
            ("hwmon/hwmon3/temp1_input", "61000"),
            ("hwmon/hwmon3/power1_average", "112000000"),
            ("hwmon/hwmon3/freq1_input", "2450000000"),
        ] {
            std::fs::write(dev.join(f), v).expect("write");
        }
        std::fs::create_dir_all(d.path().join("card0-DP-1")).expect("connector dir is skipped");
        let mut s = AmdSysfsSource::open(d.path()).expect("one card");
        let r = &s.sample()[0];
        assert_eq!(r.name, "Radeon RX 7600");
        assert_eq!(
            (r.util_percent, r.memory_util_percent),
            (Some(93.0), Some(40.0))
        );
        assert_eq!(
            (r.memory_used_bytes, r.memory_total_bytes),
            (Some(1 << 30), Some(8 << 30))
        );
        assert_eq!(
            (r.temperature_c, r.power_w, r.graphics_clock_mhz),
            (Some(61.0), Some(112.0), Some(2450))
        );
        std::fs::write(dev.join("power/runtime_status"), "suspended").expect("write");
        assert_eq!(s.sample()[0].util_percent, Some(0.0));
        assert!(AmdSysfsSource::open(&d.path().join("missing")).is_none());
    }
}
