//! The adapter the renderer draws with, described without naming the graphics API (the
//! render crate fills this in from wgpu's `AdapterInfo`), and the source that turns the
//! renderer's own busy time into a utilization figure when no telemetry exists.

use super::{BusyMeter, GpuSource};
use crate::reading::{GpuReading, SourceKind};
use std::sync::Arc;
use std::time::Instant;

/// What kind of device an adapter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdapterKind {
    /// Rendering on the CPU (lavapipe, llvmpipe, WARP).
    Software,
    Integrated,
    Discrete,
    Virtual,
    Other,
}

impl AdapterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AdapterKind::Software => "software",
            AdapterKind::Integrated => "integrated",
            AdapterKind::Discrete => "discrete",
            AdapterKind::Virtual => "virtual",
            AdapterKind::Other => "other",
        }
    }
}

/// The adapter the renderer uses: its name, kind, graphics backend and PCI bus id (matched
/// against the telemetry sources' readings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterDescription {
    pub name: String,
    pub kind: AdapterKind,
    /// The graphics API, e.g. `Vulkan`.
    pub backend: String,
    pub pci_bus_id: Option<String>,
}

/// The adapter itself, when no telemetry exists (lavapipe, or no driver support): its name
/// and kind, utilization from the renderer's own busy time.
pub(super) struct AdapterSource {
    name: String,
    description: String,
    pci_bus_id: Option<String>,
    busy: Arc<BusyMeter>,
    last: (Instant, u64),
}

impl AdapterSource {
    pub(super) fn new(adapter: &AdapterDescription, busy: Arc<BusyMeter>) -> AdapterSource {
        AdapterSource {
            name: adapter.name.clone(),
            description: format!(
                "{} adapter, {}; utilization from healdeck's own renders",
                adapter.kind.as_str(),
                adapter.backend
            ),
            pci_bus_id: adapter.pci_bus_id.clone(),
            last: (Instant::now(), busy.total_ns()),
            busy,
        }
    }
}

impl GpuSource for AdapterSource {
    fn kind(&self) -> SourceKind {
        SourceKind::Adapter
    }

    fn sample(&mut self) -> Vec<GpuReading> {
        let now = Instant::now();
        let total = self.busy.total_ns();
        let wall = now.duration_since(self.last.0).as_nanos().max(1) as f64;
        let pct = ((total.saturating_sub(self.last.1) as f64 / wall) * 100.0).min(100.0) as f32;
        self.last = (now, total);
        vec![GpuReading {
            name: self.name.clone(),
            source: self.description.clone(),
            pci_bus_id: self.pci_bus_id.clone(),
            util_percent: Some(pct),
            own_percent: Some(pct),
            ..GpuReading::default()
        }]
    }
}
