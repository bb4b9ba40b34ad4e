//! The wgpu renderer: one pipeline layout, two tiers.
//!
//! Fast Preview: 512², one pass, key light + hemisphere + rim + cheap sheen, no shadows.
//! Realistic: 2048², 4× MSAA, a 2048² shadow map from the key light, baked AO, cloth BRDFs,
//! procedural fabric normals, three lights, ACES. It runs on whatever adapter wgpu finds —
//! lavapipe included — and reports no adapter, GPU errors and device loss as errors, not hangs.
//!
//! Split by concern: `device` (the `Gpu` and its errors), `pipelines` (what is made once per
//! device; `bindings` holds their layout entries), `frame` (one frame's passes), `mips` (the
//! live view's mip chain), `readback` (pixels back to the CPU).

mod bindings;
mod device;
mod frame;
mod mips;
mod pipelines;
mod readback;

pub use device::{Gpu, RenderError, describe_adapter, supports_msaa4};

pub(crate) use readback::read_texture;

use crate::ao;
use crate::mesh::Mesh;
use pipelines::DeviceObjects;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// Per-vertex ambient occlusion, one list per mesh of a scene.
type SceneAo = Vec<Vec<f32>>;

/// The two quality tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Preview,
    Realistic,
}

impl Mode {
    /// The image's side in pixels.
    pub fn size(self) -> u32 {
        match self {
            Mode::Preview => 512,
            Mode::Realistic => 2048,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Mode::Preview => "preview",
            Mode::Realistic => "realistic",
        }
    }
}

/// A mode name that is neither `preview` (or `fast`) nor `realistic`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown mode '{0}' (expected preview or realistic)")]
pub struct UnknownMode(pub String);

impl std::str::FromStr for Mode {
    type Err = UnknownMode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "preview" | "fast" => Ok(Mode::Preview),
            "realistic" => Ok(Mode::Realistic),
            _ => Err(UnknownMode(s.to_string())),
        }
    }
}

/// Where the camera looks from; the scene is framed automatically.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct View {
    pub azimuth_deg: f32,
    pub elevation_deg: f32,
    /// 1 frames the whole model; larger is closer.
    pub zoom: f32,
}

impl Default for View {
    fn default() -> Self {
        View {
            azimuth_deg: 20.0,
            elevation_deg: 8.0,
            zoom: 1.0,
        }
    }
}

/// The renderer of one device: its pipelines and the last scene's baked AO.
pub struct Renderer {
    objects: DeviceObjects,
    /// AO of the last scene, by content hash: it does not depend on the view, so orbiting or a
    /// turntable bakes it once.
    ao_cache: Mutex<Option<(u64, Arc<SceneAo>)>>,
}

impl Renderer {
    /// Compiles the shaders and makes the pipelines (a few hundred ms on lavapipe).
    pub fn new(gpu: &Gpu) -> Renderer {
        Renderer {
            objects: DeviceObjects::new(gpu),
            ao_cache: Mutex::new(None),
        }
    }

    /// Renders `meshes` (body, garments or an import) at `size`² and reads the image back.
    pub fn render(
        &self,
        gpu: &Gpu,
        meshes: &[&Mesh],
        mode: Mode,
        view: &View,
        size: u32,
    ) -> Result<image::RgbaImage, RenderError> {
        self.checked(gpu, || {
            let (encoder, target) = self.encode_frame(gpu, meshes, mode, view, size, false)?;
            readback::readback(gpu, encoder, &target, size)
        })
    }

    /// Renders into a GPU texture and leaves it there (the GUI's live view: no trip through
    /// the CPU). The texture is `Rgba8UnormSrgb`, viewable as `Rgba8Unorm` when
    /// `gpu.unorm_view`, with a full mip chain (a 2048 px render shown at 700 px does not
    /// shimmer); the render manager reads it back when a request also wants the pixels.
    pub fn render_texture(
        &self,
        gpu: &Gpu,
        meshes: &[&Mesh],
        mode: Mode,
        view: &View,
        size: u32,
    ) -> Result<wgpu::Texture, RenderError> {
        self.checked(gpu, || {
            let (mut encoder, target) = self.encode_frame(gpu, meshes, mode, view, size, true)?;
            self.objects
                .mips
                .generate(&gpu.device, &mut encoder, &target);
            gpu.queue.submit([encoder.finish()]);
            Ok(target)
        })
    }

    /// Runs `f` inside validation and out-of-memory error scopes; a lost device is an error.
    fn checked<T>(
        &self,
        gpu: &Gpu,
        f: impl FnOnce() -> Result<T, RenderError>,
    ) -> Result<T, RenderError> {
        let device = &gpu.device;
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let oom = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let result = f();
        if let Some(e) = pollster::block_on(oom.pop()) {
            return Err(RenderError::Gpu(e.to_string()));
        }
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(RenderError::Gpu(e.to_string()));
        }
        if gpu.is_lost() {
            return Err(RenderError::Lost(
                "the driver reset or the GPU was removed".into(),
            ));
        }
        result
    }

    /// Baked AO for `meshes`, reused while the scene's geometry is unchanged.
    fn ambient_occlusion(&self, meshes: &[&Mesh], ground_y: f32) -> Arc<SceneAo> {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut mix = |bits: u32| {
            h ^= u64::from(bits);
            h = h.wrapping_mul(0x0100_0000_01b3);
        };
        mix(ground_y.to_bits());
        for m in meshes {
            mix(m.indices.len() as u32);
            for p in &m.positions {
                mix(p.x.to_bits());
                mix(p.y.to_bits());
                mix(p.z.to_bits());
            }
        }
        if let Ok(cache) = self.ao_cache.lock()
            && let Some((_, ao)) = cache.as_ref().filter(|(key, _)| *key == h)
        {
            return ao.clone();
        }
        let ao = Arc::new(ao::bake(meshes, ground_y));
        if let Ok(mut cache) = self.ao_cache.lock() {
            *cache = Some((h, ao.clone()));
        }
        ao
    }
}
