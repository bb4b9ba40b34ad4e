//! NVIDIA GPUs through NVML (`nvml-wrapper`, loaded with dlopen at run time, so the binary
//! runs where `libnvidia-ml.so` is missing): utilization, memory, temperature, power, clocks
//! and the processes using each GPU.

use super::{GpuSource, process_name};
use crate::reading::{GpuProcess, GpuReading, SourceKind};
use std::collections::HashMap;

/// NVIDIA through NVML; `None` when the library or driver is absent.
pub(super) struct NvmlSource {
    nvml: nvml_wrapper::Nvml,
    last_seen: HashMap<u32, u64>,
}

impl NvmlSource {
    pub(super) fn open() -> Option<NvmlSource> {
        let nvml = nvml_wrapper::Nvml::init().ok()?;
        (nvml.device_count().ok()? > 0).then(|| NvmlSource {
            nvml,
            last_seen: HashMap::new(),
        })
    }
}

impl GpuSource for NvmlSource {
    fn kind(&self) -> SourceKind {
        SourceKind::Nvml
    }

    fn sample(&mut self) -> Vec<GpuReading> {
        use nvml_wrapper::enum_wrappers::device::{Clock, TemperatureSensor};
        use nvml_wrapper::enums::device::UsedGpuMemory;
        let me = std::process::id();
        let count = self.nvml.device_count().unwrap_or(0);
        let mut out = Vec::new();
        for i in 0..count {
            let Ok(d) = self.nvml.device_by_index(i) else {
                continue;
            };
            let util = d.utilization_rates().ok();
            let mem = d.memory_info().ok();
            let mut processes: Vec<GpuProcess> = Vec::new();
            for p in d
                .running_compute_processes()
                .unwrap_or_default()
                .into_iter()
                .chain(d.running_graphics_processes().unwrap_or_default())
            {
                if processes.iter().any(|q| q.pid == p.pid) {
                    continue;
                }
                let memory_bytes = match p.used_gpu_memory {
                    UsedGpuMemory::Used(b) => Some(b),
                    UsedGpuMemory::Unavailable => None,
                };
                processes.push(GpuProcess {
                    pid: p.pid,
                    name: process_name(p.pid),
                    memory_bytes,
                });
            }
            let last = self.last_seen.get(&i).copied().unwrap_or(0);
            let own = d.process_utilization_stats(last).ok().map(|samples| {
                if let Some(t) = samples.iter().map(|s| s.timestamp).max() {
                    self.last_seen.insert(i, t);
                }
                samples
                    .iter()
                    .filter(|s| s.pid == me)
                    .map(|s| s.sm_util as f32)
                    .fold(0.0, f32::max)
            });
            out.push(GpuReading {
                name: d.name().unwrap_or_else(|_| format!("NVIDIA GPU {i}")),
                source: "NVML".into(),
                pci_bus_id: d.pci_info().ok().map(|p| p.bus_id),
                util_percent: util.as_ref().map(|u| u.gpu as f32),
                own_percent: own,
                memory_util_percent: util.as_ref().map(|u| u.memory as f32),
                memory_used_bytes: mem.as_ref().map(|m| m.used),
                memory_total_bytes: mem.as_ref().map(|m| m.total),
                temperature_c: d.temperature(TemperatureSensor::Gpu).ok().map(|t| t as f32),
                power_w: d.power_usage().ok().map(|mw| mw as f32 / 1000.0),
                power_limit_w: d.enforced_power_limit().ok().map(|mw| mw as f32 / 1000.0),
                graphics_clock_mhz: d.clock_info(Clock::Graphics).ok(),
                memory_clock_mhz: d.clock_info(Clock::Memory).ok(),
                processes,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nvml_is_absent_here_and_that_is_fine() {
        // On a machine without the NVIDIA driver the library fails to load: no source, no panic.
        if std::path::Path::new("/proc/driver/nvidia").exists() {
            return;
        }
        assert!(NvmlSource::open().is_none());
    }
}
