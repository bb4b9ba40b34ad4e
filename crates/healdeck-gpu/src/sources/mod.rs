//! Where readings come from. Each source is tried once at start (`detect`); one that finds
//! nothing is left out, so "no GPU telemetry" simply means only the adapter source remains.
//! One file per source: `nvml` (NVIDIA), `amd_sysfs` (amdgpu), `fdinfo` (per-client DRM
//! engine time), `adapter` (the renderer's own busy time on the adapter it renders with).

mod adapter;
mod amd_sysfs;
mod fdinfo;
mod nvml;

pub use adapter::{AdapterDescription, AdapterKind};

use adapter::AdapterSource;
use amd_sysfs::AmdSysfsSource;
use fdinfo::FdinfoSource;
use nvml::NvmlSource;

use super::reading::{GpuReading, SourceKind};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A provider of readings, polled from the monitor's background thread.
pub trait GpuSource: Send {
    fn kind(&self) -> SourceKind;
    /// One reading per GPU this source sees; empty when it sees none right now.
    fn sample(&mut self) -> Vec<GpuReading>;
}

/// The renderer's own GPU busy time, shared with the adapter source: the renderer adds the
/// time each render keeps the GPU busy; the source turns deltas into a percentage.
#[derive(Debug, Default)]
pub struct BusyMeter {
    busy_ns: AtomicU64,
}

impl BusyMeter {
    pub fn new() -> Arc<BusyMeter> {
        Arc::new(BusyMeter::default())
    }
    pub fn add(&self, busy: std::time::Duration) {
        self.busy_ns
            .fetch_add(busy.as_nanos() as u64, Ordering::Relaxed);
    }
    pub fn total_ns(&self) -> u64 {
        self.busy_ns.load(Ordering::Relaxed)
    }
}

fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map_or_else(|_| format!("pid {pid}"), |s| s.trim().to_string())
}

/// Whether an NVIDIA GPU answers through NVML (a local model is then preferred for AI).
pub fn nvidia_present() -> bool {
    NvmlSource::open().is_some()
}

/// The sources present on this machine, best first; the adapter source is always last.
/// When the renderer runs on the CPU (lavapipe), other processes' GPU load must not throttle us,
/// so only the adapter source is kept for the fallback's decision (see `GpuSample::primary`).
pub fn detect(adapter: Option<(&AdapterDescription, Arc<BusyMeter>)>) -> Vec<Box<dyn GpuSource>> {
    let mut out: Vec<Box<dyn GpuSource>> = Vec::new();
    let software = adapter
        .as_ref()
        .is_some_and(|(a, _)| a.kind == AdapterKind::Software);
    if !software {
        if let Some(s) = NvmlSource::open() {
            out.push(Box::new(s));
        } else if let Some(s) = AmdSysfsSource::open(Path::new("/sys/class/drm")) {
            out.push(Box::new(s));
        } else if let Some(s) = FdinfoSource::open(Path::new("/proc")) {
            out.push(Box::new(s));
        }
    }
    if let Some((info, busy)) = adapter {
        out.push(Box::new(AdapterSource::new(info, busy)));
    }
    out
}
