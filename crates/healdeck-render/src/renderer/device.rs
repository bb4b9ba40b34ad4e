//! The GPU device the renderer draws with: a headless one of its own (CLI, tests), or the
//! window's (eframe's device and queue, so renders land in textures the window can show).
//! Errors from the driver become `RenderError`s: no adapter, no device, a validation or
//! out-of-memory error, device loss, a failed readback — never a panic or a hang.

use healdeck_gpu::{AdapterDescription, AdapterKind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Color format of every render target (sRGB: the hardware encodes on write).
pub(crate) const TARGET: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(
        "no GPU adapter found, not even a software one (install Mesa's lavapipe: apt-get install mesa-vulkan-drivers): {0}"
    )]
    NoAdapter(String),
    #[error("the GPU device could not be created: {0}")]
    Device(String),
    #[error("the GPU reported an error: {0}")]
    Gpu(String),
    #[error("the GPU device was lost: {0}")]
    Lost(String),
    #[error("reading the image back from the GPU failed: {0}")]
    Readback(String),
}

/// A device and queue with what the renderer needs to know about them (a clone shares them,
/// and whether the device was lost).
#[derive(Clone)]
pub struct Gpu {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    pub msaa4: bool,
    /// Textures can be viewed as plain `Rgba8Unorm` (what egui samples); every backend but
    /// OpenGL can, and the GUI falls back to uploading a read-back image there.
    pub unorm_view: bool,
    pub(crate) lost: Arc<AtomicBool>,
}

impl Gpu {
    /// A device of our own on the best adapter wgpu finds (lavapipe where there is no GPU).
    pub fn headless() -> Result<Gpu, RenderError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: None,
            ..Default::default()
        }))
        .map_err(|e| RenderError::NoAdapter(e.to_string()))?;
        let info = adapter.get_info();
        let msaa4 = supports_msaa4(&adapter);
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("healdeck renderer"),
            required_limits: wgpu::Limits::downlevel_defaults().using_resolution(adapter.limits()),
            ..Default::default()
        }))
        .map_err(|e| RenderError::Device(e.to_string()))?;
        Ok(Gpu::from_parts(device, queue, info, msaa4))
    }

    /// Wraps a device created elsewhere (eframe's, for the GUI).
    pub fn from_parts(
        device: wgpu::Device,
        queue: wgpu::Queue,
        info: wgpu::AdapterInfo,
        msaa4: bool,
    ) -> Gpu {
        let lost = Arc::new(AtomicBool::new(false));
        let flag = lost.clone();
        device.set_device_lost_callback(move |_, _| flag.store(true, Ordering::SeqCst));
        // Errors are collected by error scopes around each render; one outside a scope is
        // logged, never a panic.
        device.on_uncaptured_error(Arc::new(|e: wgpu::Error| {
            tracing::error!("GPU error outside a render: {e}");
        }));
        let unorm_view = info.backend != wgpu::Backend::Gl;
        Gpu {
            device,
            queue,
            info,
            msaa4,
            unorm_view,
            lost,
        }
    }

    /// "llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan, Cpu)" — what the user sees.
    pub fn describe(&self) -> String {
        format!(
            "{} ({:?}, {:?})",
            self.info.name, self.info.backend, self.info.device_type
        )
    }

    /// The adapter as the GPU meter knows it (name, kind, backend, PCI bus id).
    pub fn adapter(&self) -> AdapterDescription {
        describe_adapter(&self.info)
    }

    /// The PCI bus id of the adapter, when the driver reports one (the meter matches
    /// telemetry readings to the rendering GPU by it).
    pub fn pci_bus_id(&self) -> Option<String> {
        (!self.info.device_pci_bus_id.is_empty()).then(|| self.info.device_pci_bus_id.clone())
    }

    pub(crate) fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }
}

/// 4× MSAA on the render target format: Realistic uses it where the adapter has it.
pub fn supports_msaa4(adapter: &wgpu::Adapter) -> bool {
    adapter
        .get_texture_format_features(TARGET)
        .flags
        .sample_count_supported(4)
}

/// wgpu's adapter info in the GPU meter's terms.
pub fn describe_adapter(info: &wgpu::AdapterInfo) -> AdapterDescription {
    AdapterDescription {
        name: info.name.clone(),
        kind: match info.device_type {
            wgpu::DeviceType::Cpu => AdapterKind::Software,
            wgpu::DeviceType::IntegratedGpu => AdapterKind::Integrated,
            wgpu::DeviceType::DiscreteGpu => AdapterKind::Discrete,
            wgpu::DeviceType::VirtualGpu => AdapterKind::Virtual,
            wgpu::DeviceType::Other => AdapterKind::Other,
        },
        backend: format!("{:?}", info.backend),
        pci_bus_id: (!info.device_pci_bus_id.is_empty()).then(|| info.device_pci_bus_id.clone()),
    }
}
