//! What one sample says about one GPU. Every value is optional: a missing reading is shown as
//! "—" and never used to throttle.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Nvml,
    AmdSysfs,
    DrmFdinfo,
    /// The wgpu adapter's description; utilization is the renderer's own busy time.
    Adapter,
    /// A scripted source (tests, demos).
    Scripted,
}

/// A process using a GPU.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuProcess {
    pub pid: u32,
    pub name: String,
    pub memory_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct GpuReading {
    pub name: String,
    /// Where the numbers come from, in words ("NVML", "amdgpu sysfs", "llvmpipe (software)").
    pub source: String,
    pub pci_bus_id: Option<String>,
    /// Total GPU utilization, percent.
    pub util_percent: Option<f32>,
    /// healdeck's own share of it, percent, when known.
    pub own_percent: Option<f32>,
    pub memory_util_percent: Option<f32>,
    pub memory_used_bytes: Option<u64>,
    pub memory_total_bytes: Option<u64>,
    pub temperature_c: Option<f32>,
    pub power_w: Option<f32>,
    pub power_limit_w: Option<f32>,
    pub graphics_clock_mhz: Option<u32>,
    pub memory_clock_mhz: Option<u32>,
    pub processes: Vec<GpuProcess>,
}

impl GpuReading {
    /// Everyone else's load: total minus our own share where known (the fallback uses this,
    /// so our own 2048 px render cannot push us into Fast Preview and flap).
    pub fn others_percent(&self) -> Option<f32> {
        self.util_percent
            .map(|u| (u - self.own_percent.unwrap_or(0.0)).max(0.0))
    }
}

/// One sampling round over all sources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuSample {
    /// Seconds since the Unix epoch.
    pub time: f64,
    pub kind: Option<SourceKind>,
    pub gpus: Vec<GpuReading>,
}

impl GpuSample {
    /// The reading that matters for rendering: the GPU wgpu renders on (matched by PCI bus id)
    /// or else the first one.
    pub fn primary(&self, pci_bus_id: Option<&str>) -> Option<&GpuReading> {
        let norm = |s: &str| {
            let s = s.trim().to_ascii_lowercase();
            // "00000000:01:00.0" and "0000:01:00.0" name the same device.
            match s.split_once(':') {
                Some((domain, rest)) => format!(
                    "{:04x}:{rest}",
                    u32::from_str_radix(domain, 16).unwrap_or(0)
                ),
                None => s,
            }
        };
        match pci_bus_id.filter(|p| !p.is_empty()) {
            Some(want) => self
                .gpus
                .iter()
                .find(|g| {
                    g.pci_bus_id
                        .as_deref()
                        .is_some_and(|p| norm(p) == norm(want))
                })
                .or_else(|| self.gpus.first()),
            None => self.gpus.first(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_matches_pci_ids_in_both_spellings() {
        let g = |id: &str| GpuReading {
            name: id.into(),
            pci_bus_id: Some(id.into()),
            ..Default::default()
        };
        let s = GpuSample {
            time: 0.0,
            kind: Some(SourceKind::Nvml),
            gpus: vec![g("00000000:01:00.0"), g("00000000:02:00.0")],
        };
        assert_eq!(
            s.primary(Some("0000:02:00.0")).map(|r| r.name.as_str()),
            Some("00000000:02:00.0")
        );
        assert_eq!(
            s.primary(None).map(|r| r.name.as_str()),
            Some("00000000:01:00.0")
        );
        let r = GpuReading {
            util_percent: Some(93.0),
            own_percent: Some(40.0),
            ..Default::default()
        };
        assert_eq!(r.others_percent(), Some(53.0));
        assert_eq!(GpuReading::default().others_percent(), None);
    }
}
