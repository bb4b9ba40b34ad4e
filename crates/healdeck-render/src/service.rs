//! The GPU meter and the render manager, started together: the monitor samples every source
//! (and the renderer's own busy time on its adapter), the manager renders on the given device
//! and falls back to Fast Preview while others load the GPU. `healdeck render` and the CLO
//! Companion tab both start their rendering here.

use crate::config::RenderConfig;
use crate::manager::{RenderEvent, RenderManager, WgpuBackend};
use crate::renderer::Gpu;
use crossbeam_channel::Receiver;
use healdeck_gpu::{AdapterDescription, BusyMeter, GpuMonitor, GpuSample, GpuSource, detect};
use std::time::Duration;

/// A running meter and render manager; dropping it stops both.
pub struct RenderService {
    pub manager: RenderManager,
    pub events: Receiver<RenderEvent>,
    monitor: GpuMonitor,
    pub adapter: AdapterDescription,
}

impl RenderService {
    /// Starts sampling every `config.sample_period_ms` and a render thread on `gpu`. `sources`
    /// replaces the detected telemetry (tests script a busy GPU with it).
    pub fn start(
        gpu: Gpu,
        config: &RenderConfig,
        sources: Option<Vec<Box<dyn GpuSource>>>,
    ) -> RenderService {
        let busy = BusyMeter::new();
        let adapter = gpu.adapter();
        let sources = sources.unwrap_or_else(|| detect(Some((&adapter, busy.clone()))));
        let monitor = GpuMonitor::start(sources, Duration::from_millis(config.sample_period_ms));
        let (manager, events) = RenderManager::start(
            WgpuBackend::new(gpu, busy),
            config,
            Some(monitor.subscribe()),
            adapter.pci_bus_id.clone(),
        );
        RenderService {
            manager,
            events,
            monitor,
            adapter,
        }
    }

    /// A new receiver of the meter's samples (the GUI's meter).
    pub fn samples(&self) -> Receiver<GpuSample> {
        self.monitor.subscribe()
    }
}
