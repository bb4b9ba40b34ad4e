//! The wgpu renderer: one pipeline layout, two tiers.
//!
//! Fast Preview: 512², one pass, key light + hemisphere + rim + cheap sheen, no shadows.
//! Realistic: 2048², 4× MSAA, a 2048² shadow map from the key light, baked AO, cloth BRDFs,
//! procedural fabric normals, three lights, ACES. It runs on whatever adapter wgpu finds —
//! lavapipe included — and reports no adapter, GPU errors and device loss as errors, not hangs.

use super::ao;
use super::mesh::Mesh;
use glam::{Mat4, Vec3};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use wgpu::util::DeviceExt;

/// Color format of every render target (sRGB: the hardware encodes on write).
pub const TARGET: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;
const DEPTH: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;
const SHADOW_SIZE: u32 = 2048;
const FLOATS_PER_VERTEX: usize = 10;

/// Per-vertex ambient occlusion, one list per mesh of a scene.
type SceneAo = Vec<Vec<f32>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Preview,
    Realistic,
}

impl Mode {
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

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "preview" | "fast" => Ok(Mode::Preview),
            "realistic" => Ok(Mode::Realistic),
            _ => Err(format!(
                "unknown mode '{s}' (expected preview or realistic)"
            )),
        }
    }
}

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

/// A device of our own for headless rendering (the GUI passes eframe's instead).
pub struct Gpu {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    pub msaa4: bool,
    /// Textures can be viewed as plain `Rgba8Unorm` (what egui samples); every backend but
    /// OpenGL can, and the GUI falls back to uploading a read-back image there.
    pub unorm_view: bool,
    lost: Arc<AtomicBool>,
}

impl Gpu {
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
        let msaa4 = adapter
            .get_texture_format_features(TARGET)
            .flags
            .sample_count_supported(4);
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
        // Errors are collected by error scopes around each render; never panic on them.
        device.on_uncaptured_error(Arc::new(|e: wgpu::Error| {
            eprintln!("healdeck: GPU error: {e}")
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

    /// "llvmpipe (LLVM 15.0.6, 256 bits), Vulkan, Cpu" — what the user sees.
    pub fn describe(&self) -> String {
        format!(
            "{} ({:?}, {:?})",
            self.info.name, self.info.backend, self.info.device_type
        )
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

fn vertex_bytes(m: &Mesh, ao: Option<&[f32]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(m.positions.len() * FLOATS_PER_VERTEX * 4);
    for i in 0..m.positions.len() {
        let p = m.positions[i];
        let n = m.normals.get(i).copied().unwrap_or(Vec3::Y);
        let uv = m.uvs.get(i).copied().unwrap_or_default();
        let seam = m.seams.get(i).copied().unwrap_or(0.0);
        let a = ao.and_then(|a| a.get(i)).copied().unwrap_or(1.0);
        for f in [p.x, p.y, p.z, n.x, n.y, n.z, uv.x, uv.y, seam, a] {
            out.extend_from_slice(&f.to_le_bytes());
        }
    }
    out
}

fn f32s(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|f| f.to_le_bytes()).collect()
}

struct Pipelines {
    mesh: wgpu::RenderPipeline,
    ground: wgpu::RenderPipeline,
}

/// A fragment-stage 2D texture binding.
fn texture_entry(binding: u32, sample_type: wgpu::TextureSampleType) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Texture {
            sample_type,
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    }
}

/// A fragment-stage sampler binding.
fn sampler_entry(binding: u32, ty: wgpu::SamplerBindingType) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Sampler(ty),
        count: None,
    }
}

pub struct Renderer {
    globals_layout: wgpu::BindGroupLayout,
    material_layout: wgpu::BindGroupLayout,
    preview: Pipelines,
    realistic: Pipelines,
    realistic_samples: u32,
    shadow: wgpu::RenderPipeline,
    shadow_sampler: wgpu::Sampler,
    dummy_shadow: wgpu::TextureView,
    white: wgpu::TextureView,
    albedo_sampler: wgpu::Sampler,
    mips: MipGen,
    /// AO of the last scene, by content hash: it does not depend on the view, so orbiting or a
    /// turntable bakes it once.
    ao_cache: std::sync::Mutex<Option<(u64, Arc<SceneAo>)>>,
}

impl Renderer {
    pub fn new(gpu: &Gpu) -> Renderer {
        let device = &gpu.device;
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("garment.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../shaders/garment.wgsl").into()),
        });
        let uniform = |binding, vis| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: vis,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let globals_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("globals"),
            entries: &[
                uniform(0, wgpu::ShaderStages::VERTEX_FRAGMENT),
                texture_entry(1, wgpu::TextureSampleType::Depth),
                sampler_entry(2, wgpu::SamplerBindingType::Comparison),
            ],
        });
        let material_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("material"),
            entries: &[
                uniform(0, wgpu::ShaderStages::FRAGMENT),
                texture_entry(1, wgpu::TextureSampleType::Float { filterable: true }),
                sampler_entry(2, wgpu::SamplerBindingType::Filtering),
            ],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("garment"),
            bind_group_layouts: &[Some(&globals_layout), Some(&material_layout)],
            immediate_size: 0,
        });
        let shadow_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("shadow"),
            bind_group_layouts: &[Some(&globals_layout)],
            immediate_size: 0,
        });
        let attributes = wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x3, 2 => Float32x2, 3 => Float32, 4 => Float32];
        let buffers = [Some(wgpu::VertexBufferLayout {
            array_stride: (FLOATS_PER_VERTEX * 4) as u64,
            step_mode: wgpu::VertexStepMode::Vertex,
            attributes: &attributes,
        })];
        let depth = |bias: wgpu::DepthBiasState| {
            Some(wgpu::DepthStencilState {
                format: DEPTH,
                depth_write_enabled: Some(true),
                depth_compare: Some(wgpu::CompareFunction::Less),
                stencil: Default::default(),
                bias,
            })
        };
        let pipeline = |fs: &str, samples: u32| {
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(fs),
                layout: Some(&layout),
                vertex: wgpu::VertexState {
                    module: &shader,
                    entry_point: Some("vs_main"),
                    compilation_options: Default::default(),
                    buffers: &buffers,
                },
                primitive: wgpu::PrimitiveState {
                    cull_mode: None,
                    ..Default::default()
                },
                depth_stencil: depth(Default::default()),
                multisample: wgpu::MultisampleState {
                    count: samples,
                    ..Default::default()
                },
                fragment: Some(wgpu::FragmentState {
                    module: &shader,
                    entry_point: Some(fs),
                    compilation_options: Default::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format: TARGET,
                        blend: None,
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let realistic_samples = if gpu.msaa4 { 4 } else { 1 };
        let shadow = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("shadow"),
            layout: Some(&shadow_layout),
            vertex: wgpu::VertexState {
                module: &shader,
                entry_point: Some("vs_shadow"),
                compilation_options: Default::default(),
                buffers: &buffers,
            },
            primitive: wgpu::PrimitiveState {
                cull_mode: None,
                ..Default::default()
            },
            depth_stencil: depth(wgpu::DepthBiasState {
                constant: 2,
                slope_scale: 2.0,
                clamp: 0.0,
            }),
            multisample: Default::default(),
            fragment: None,
            multiview_mask: None,
            cache: None,
        });
        let shadow_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("shadow"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            compare: Some(wgpu::CompareFunction::LessEqual),
            ..Default::default()
        });
        let dummy_shadow = depth_texture(device, 1, 1, 1, true).create_view(&Default::default());
        let white = upload_texture(
            device,
            &gpu.queue,
            &image::RgbaImage::from_pixel(1, 1, image::Rgba([255, 255, 255, 255])),
        );
        let albedo_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("albedo"),
            address_mode_u: wgpu::AddressMode::Repeat,
            address_mode_v: wgpu::AddressMode::Repeat,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            mipmap_filter: wgpu::MipmapFilterMode::Linear,
            ..Default::default()
        });
        Renderer {
            preview: Pipelines {
                mesh: pipeline("fs_preview", 1),
                ground: pipeline("fs_ground", 1),
            },
            realistic: Pipelines {
                mesh: pipeline("fs_realistic", realistic_samples),
                ground: pipeline("fs_ground", realistic_samples),
            },
            realistic_samples,
            globals_layout,
            material_layout,
            shadow,
            shadow_sampler,
            dummy_shadow,
            white,
            albedo_sampler,
            mips: MipGen::new(device),
            ao_cache: std::sync::Mutex::new(None),
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
            let (encoder, target) = self.render_inner(gpu, meshes, mode, view, size, false)?;
            readback(gpu, encoder, &target, size)
        })
    }

    /// Renders into a GPU texture and leaves it there (the GUI's live view: no trip through
    /// the CPU). The texture is `Rgba8UnormSrgb`, viewable as `Rgba8Unorm` when
    /// `gpu.unorm_view`, with a full mip chain (a 2048 px render shown at 700 px does not
    /// shimmer), and can be copied out later with [`read_texture`].
    pub fn render_texture(
        &self,
        gpu: &Gpu,
        meshes: &[&Mesh],
        mode: Mode,
        view: &View,
        size: u32,
    ) -> Result<wgpu::Texture, RenderError> {
        self.checked(gpu, || {
            let (mut encoder, target) = self.render_inner(gpu, meshes, mode, view, size, true)?;
            self.mips.generate(&gpu.device, &mut encoder, &target);
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
        if gpu.lost.load(Ordering::SeqCst) {
            return Err(RenderError::Lost(
                "the driver reset or the GPU was removed".into(),
            ));
        }
        result
    }

    fn render_inner(
        &self,
        gpu: &Gpu,
        meshes: &[&Mesh],
        mode: Mode,
        view: &View,
        size: u32,
        mips: bool,
    ) -> Result<(wgpu::CommandEncoder, wgpu::Texture), RenderError> {
        let device = &gpu.device;
        let (lo, hi) = meshes
            .iter()
            .filter_map(|m| m.bounds())
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
            .unwrap_or((Vec3::splat(-0.5), Vec3::splat(0.5)));
        let center = (lo + hi) * 0.5;
        let ext = hi - lo;
        let fov = 30f32.to_radians();
        let fit = (ext.y * 0.5).max(ext.x * 0.5).max(1e-3) / (fov * 0.5).tan();
        let dist = (fit * 1.12 + ext.z * 0.5) / view.zoom.clamp(0.2, 10.0);
        let (az, el) = (
            view.azimuth_deg.to_radians(),
            view.elevation_deg.to_radians(),
        );
        let eye = center + Vec3::new(az.sin() * el.cos(), el.sin(), az.cos() * el.cos()) * dist;
        let proj =
            Mat4::perspective_rh(fov, 1.0, (dist * 0.05).max(1e-3), dist * 4.0 + ext.length());
        let view_proj = proj * Mat4::look_at_rh(eye, center, Vec3::Y);
        // Key light from the camera's front-right, above; the light rotates with the view.
        let rot = Mat4::from_rotation_y(az);
        let key = rot
            .transform_vector3(Vec3::new(0.55, 0.85, 0.65))
            .normalize();
        let fill = rot
            .transform_vector3(Vec3::new(-0.7, 0.35, 0.55))
            .normalize();
        let rim = rot
            .transform_vector3(Vec3::new(0.1, 0.55, -1.0))
            .normalize();
        let radius = ext.length() * 0.5 + 0.6;
        let light_view = Mat4::look_at_rh(center + key * radius * 2.0, center, Vec3::Y);
        let light_proj =
            Mat4::orthographic_rh(-radius, radius, -radius, radius, 0.01, radius * 4.0);
        let light_view_proj = light_proj * light_view;
        let realistic = mode == Mode::Realistic;
        let (k, f, r) = if realistic {
            (1.6, 0.4, 0.7)
        } else {
            (0.85, 0.0, 0.0)
        };
        let mut globals = Vec::with_capacity(52);
        globals.extend_from_slice(&view_proj.to_cols_array());
        globals.extend_from_slice(&light_view_proj.to_cols_array());
        globals.extend_from_slice(&[eye.x, eye.y, eye.z, 1.0]);
        globals.extend_from_slice(&[key.x, key.y, key.z, k]);
        globals.extend_from_slice(&[fill.x, fill.y, fill.z, f]);
        globals.extend_from_slice(&[rim.x, rim.y, rim.z, r]);
        globals.extend_from_slice(&[
            lo.y,
            if realistic { 1.0 } else { 0.0 },
            1.0 / SHADOW_SIZE as f32,
            0.0,
        ]);
        let globals_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("globals"),
            contents: &f32s(&globals),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        // Geometry: meshes plus the studio floor.
        let ao = if realistic {
            self.ambient_occlusion(meshes, lo.y)
        } else {
            Arc::default()
        };
        let floor = floor_mesh(center, lo.y, 60.0);
        struct Draw {
            vb: wgpu::Buffer,
            ib: wgpu::Buffer,
            ranges: Vec<(u32, u32, wgpu::BindGroup)>,
        }
        let mut textures: std::collections::HashMap<*const image::RgbaImage, wgpu::TextureView> =
            std::collections::HashMap::new();
        for m in meshes {
            for mr in &m.materials {
                if let Some(t) = &mr.texture {
                    textures
                        .entry(std::sync::Arc::as_ptr(t))
                        .or_insert_with(|| upload_texture(device, &gpu.queue, t));
                }
            }
        }
        #[allow(clippy::too_many_arguments)]
        let material = |color: [f32; 3],
                        rough: f32,
                        print: [f32; 4],
                        fabric: u32,
                        print_kind: u32,
                        tex: Option<&wgpu::TextureView>,
                        repeat: f32| {
            let mut bytes = f32s(&[
                color[0], color[1], color[2], rough, print[0], print[1], print[2], print[3],
            ]);
            for u in [fabric, print_kind, 0, 0] {
                bytes.extend_from_slice(&u.to_le_bytes());
            }
            bytes.extend_from_slice(&f32s(&[repeat, 0.0, 0.0, 0.0]));
            let buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("material"),
                contents: &bytes,
                usage: wgpu::BufferUsages::UNIFORM,
            });
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("material"),
                layout: &self.material_layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: buf.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::TextureView(tex.unwrap_or(&self.white)),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: wgpu::BindingResource::Sampler(&self.albedo_sampler),
                    },
                ],
            })
        };
        let mut draws = Vec::new();
        for (i, m) in meshes.iter().enumerate() {
            if m.indices.is_empty() {
                continue;
            }
            let vb = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("vertices"),
                contents: &vertex_bytes(m, ao.get(i).map(Vec::as_slice)),
                usage: wgpu::BufferUsages::VERTEX,
            });
            let ib = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("indices"),
                contents: &m
                    .indices
                    .iter()
                    .flat_map(|i| i.to_le_bytes())
                    .collect::<Vec<u8>>(),
                usage: wgpu::BufferUsages::INDEX,
            });
            let mut ranges = Vec::new();
            if m.materials.is_empty() {
                ranges.push((
                    0,
                    m.indices.len() as u32,
                    material([0.6, 0.6, 0.6], 0.6, [0.0; 4], 1, 0, None, 1.0),
                ));
            }
            for mr in &m.materials {
                let scale = if mr.print == 0 { 1.0 } else { 12.0 };
                let pc = mr.print_color;
                let tex = mr
                    .texture
                    .as_ref()
                    .and_then(|t| textures.get(&std::sync::Arc::as_ptr(t)));
                ranges.push((
                    mr.start,
                    mr.count,
                    material(
                        mr.color,
                        0.6,
                        [pc[0], pc[1], pc[2], scale],
                        mr.fabric,
                        mr.print,
                        tex,
                        mr.texture_repeat,
                    ),
                ));
            }
            draws.push(Draw { vb, ib, ranges });
        }
        let floor_vb = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("floor"),
            contents: &vertex_bytes(&floor, None),
            usage: wgpu::BufferUsages::VERTEX,
        });
        let floor_ib = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("floor indices"),
            contents: &floor
                .indices
                .iter()
                .flat_map(|i| i.to_le_bytes())
                .collect::<Vec<u8>>(),
            usage: wgpu::BufferUsages::INDEX,
        });
        let floor_material = material([0.55, 0.55, 0.57], 0.9, [0.0; 4], 0, 0, None, 1.0);
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("render"),
        });
        // Shadow map (Realistic only).
        let shadow_view = if realistic {
            let tex = depth_texture(device, SHADOW_SIZE, SHADOW_SIZE, 1, true);
            let view = tex.create_view(&Default::default());
            let bind = self.globals_bind(device, &globals_buf, &self.dummy_shadow);
            {
                let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("shadow"),
                    color_attachments: &[],
                    depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                        view: &view,
                        depth_ops: Some(wgpu::Operations {
                            load: wgpu::LoadOp::Clear(1.0),
                            store: wgpu::StoreOp::Store,
                        }),
                        stencil_ops: None,
                    }),
                    timestamp_writes: None,
                    occlusion_query_set: None,
                    multiview_mask: None,
                });
                pass.set_pipeline(&self.shadow);
                pass.set_bind_group(0, &bind, &[]);
                for d in &draws {
                    pass.set_vertex_buffer(0, d.vb.slice(..));
                    pass.set_index_buffer(d.ib.slice(..), wgpu::IndexFormat::Uint32);
                    for (start, count, _) in &d.ranges {
                        pass.draw_indexed(*start..start + count, 0, 0..1);
                    }
                }
            }
            Some(view)
        } else {
            None
        };
        let globals_bind = self.globals_bind(
            device,
            &globals_buf,
            shadow_view.as_ref().unwrap_or(&self.dummy_shadow),
        );
        let samples = if realistic { self.realistic_samples } else { 1 };
        let pipes = if realistic {
            &self.realistic
        } else {
            &self.preview
        };
        let target = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("target"),
            size: wgpu::Extent3d {
                width: size,
                height: size,
                depth_or_array_layers: 1,
            },
            mip_level_count: if mips { size.max(1).ilog2() + 1 } else { 1 },
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: TARGET,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                | wgpu::TextureUsages::COPY_SRC
                | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: if gpu.unorm_view {
                &[wgpu::TextureFormat::Rgba8Unorm]
            } else {
                &[]
            },
        });
        let target_view = target.create_view(&wgpu::TextureViewDescriptor {
            mip_level_count: Some(1),
            ..Default::default()
        });
        let msaa_view = (samples > 1).then(|| {
            device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some("msaa"),
                    size: wgpu::Extent3d {
                        width: size,
                        height: size,
                        depth_or_array_layers: 1,
                    },
                    mip_level_count: 1,
                    sample_count: samples,
                    dimension: wgpu::TextureDimension::D2,
                    format: TARGET,
                    usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                    view_formats: &[],
                })
                .create_view(&Default::default())
        });
        let depth_view =
            depth_texture(device, size, size, samples, false).create_view(&Default::default());
        {
            let background = wgpu::Color {
                r: 0.30,
                g: 0.31,
                b: 0.33,
                a: 1.0,
            };
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("main"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: msaa_view.as_ref().unwrap_or(&target_view),
                    depth_slice: None,
                    resolve_target: msaa_view.as_ref().map(|_| &target_view),
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(background),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                    view: &depth_view,
                    depth_ops: Some(wgpu::Operations {
                        load: wgpu::LoadOp::Clear(1.0),
                        store: wgpu::StoreOp::Discard,
                    }),
                    stencil_ops: None,
                }),
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            pass.set_bind_group(0, &globals_bind, &[]);
            pass.set_pipeline(&pipes.ground);
            pass.set_bind_group(1, &floor_material, &[]);
            pass.set_vertex_buffer(0, floor_vb.slice(..));
            pass.set_index_buffer(floor_ib.slice(..), wgpu::IndexFormat::Uint32);
            pass.draw_indexed(0..floor.indices.len() as u32, 0, 0..1);
            pass.set_pipeline(&pipes.mesh);
            for d in &draws {
                pass.set_vertex_buffer(0, d.vb.slice(..));
                pass.set_index_buffer(d.ib.slice(..), wgpu::IndexFormat::Uint32);
                for (start, count, bind) in &d.ranges {
                    pass.set_bind_group(1, bind, &[]);
                    pass.draw_indexed(*start..start + count, 0, 0..1);
                }
            }
        }
        Ok((encoder, target))
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

    fn globals_bind(
        &self,
        device: &wgpu::Device,
        globals: &wgpu::Buffer,
        shadow: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("globals"),
            layout: &self.globals_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: globals.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(shadow),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::Sampler(&self.shadow_sampler),
                },
            ],
        })
    }
}

/// Uploads an sRGB texture with a full mip chain built on the CPU (no shimmer when minified).
fn upload_texture(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    img: &image::RgbaImage,
) -> wgpu::TextureView {
    let (w, h) = img.dimensions();
    let levels = 32 - w.max(h).max(1).leading_zeros();
    let texture = device.create_texture(&wgpu::TextureDescriptor {
        label: Some("albedo"),
        size: wgpu::Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        },
        mip_level_count: levels,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: wgpu::TextureFormat::Rgba8UnormSrgb,
        usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    });
    let mut level = img.clone();
    for mip in 0..levels {
        let (lw, lh) = level.dimensions();
        queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &texture,
                mip_level: mip,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            level.as_raw(),
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(4 * lw),
                rows_per_image: Some(lh),
            },
            wgpu::Extent3d {
                width: lw,
                height: lh,
                depth_or_array_layers: 1,
            },
        );
        level = image::imageops::resize(
            &level,
            (lw / 2).max(1),
            (lh / 2).max(1),
            image::imageops::FilterType::Triangle,
        );
    }
    texture.create_view(&Default::default())
}

fn depth_texture(
    device: &wgpu::Device,
    w: u32,
    h: u32,
    samples: u32,
    sampled: bool,
) -> wgpu::Texture {
    let mut usage = wgpu::TextureUsages::RENDER_ATTACHMENT;
    if sampled {
        usage |= wgpu::TextureUsages::TEXTURE_BINDING;
    }
    device.create_texture(&wgpu::TextureDescriptor {
        label: Some("depth"),
        size: wgpu::Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: samples,
        dimension: wgpu::TextureDimension::D2,
        format: DEPTH,
        usage,
        view_formats: &[],
    })
}

fn floor_mesh(center: Vec3, y: f32, size: f32) -> Mesh {
    let h = size * 0.5;
    let mut m = Mesh::default();
    for (dx, dz) in [(-h, -h), (h, -h), (h, h), (-h, h)] {
        m.positions.push(Vec3::new(center.x + dx, y, center.z + dz));
        m.normals.push(Vec3::Y);
        m.uvs.push(glam::Vec2::ZERO);
        m.seams.push(0.0);
    }
    m.indices = vec![0, 2, 1, 0, 3, 2];
    m
}

/// Fills a texture's mip levels from level 0, each the filtered half of the one above
/// (sampled and written through the sRGB format, so the averaging is in linear light).
struct MipGen {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
}

const MIP_WGSL: &str = r"
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var samp: sampler;
struct VsOut { @builtin(position) pos: vec4<f32>, @location(0) uv: vec2<f32> };
@vertex fn vs(@builtin(vertex_index) i: u32) -> VsOut {
    let uv = vec2<f32>(f32((i << 1u) & 2u), f32(i & 2u));
    var o: VsOut;
    o.pos = vec4<f32>(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0, 0.0, 1.0);
    o.uv = uv;
    return o;
}
@fragment fn fs(v: VsOut) -> @location(0) vec4<f32> { return textureSample(src, samp, v.uv); }
";

impl MipGen {
    fn new(device: &wgpu::Device) -> MipGen {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("mips"),
            source: wgpu::ShaderSource::Wgsl(MIP_WGSL.into()),
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("mips"),
            entries: &[
                texture_entry(0, wgpu::TextureSampleType::Float { filterable: true }),
                sampler_entry(1, wgpu::SamplerBindingType::Filtering),
            ],
        });
        let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("mips"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("mips"),
            layout: Some(&pl),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs"),
                compilation_options: Default::default(),
                targets: &[Some(TARGET.into())],
            }),
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            multiview_mask: None,
            cache: None,
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("mips"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        MipGen {
            pipeline,
            layout,
            sampler,
        }
    }

    fn generate(
        &self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        texture: &wgpu::Texture,
    ) {
        let level = |i: u32| {
            texture.create_view(&wgpu::TextureViewDescriptor {
                base_mip_level: i,
                mip_level_count: Some(1),
                ..Default::default()
            })
        };
        for i in 1..texture.mip_level_count() {
            let (src, dst) = (level(i - 1), level(i));
            let bind = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("mips"),
                layout: &self.layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: wgpu::BindingResource::TextureView(&src),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::Sampler(&self.sampler),
                    },
                ],
            });
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("mip"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &dst,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &bind, &[]);
            pass.draw(0..3, 0..1);
        }
    }
}

/// Reads a texture made by [`Renderer::render_texture`] back (Save As…, the renders folder).
pub fn read_texture(gpu: &Gpu, texture: &wgpu::Texture) -> Result<image::RgbaImage, RenderError> {
    let encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("read texture"),
        });
    readback(gpu, encoder, texture, texture.width())
}

/// Copies the target into a mappable buffer (rows padded to 256 bytes) and strips the padding.
fn readback(
    gpu: &Gpu,
    mut encoder: wgpu::CommandEncoder,
    target: &wgpu::Texture,
    size: u32,
) -> Result<image::RgbaImage, RenderError> {
    let row = size * 4;
    let padded =
        row.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT) * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
    let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size: u64::from(padded) * u64::from(size),
        usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        mapped_at_creation: false,
    });
    encoder.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo {
            texture: target,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        wgpu::TexelCopyBufferInfo {
            buffer: &buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded),
                rows_per_image: Some(size),
            },
        },
        wgpu::Extent3d {
            width: size,
            height: size,
            depth_or_array_layers: 1,
        },
    );
    gpu.queue.submit([encoder.finish()]);
    let (tx, rx) = std::sync::mpsc::channel();
    buffer.slice(..).map_async(wgpu::MapMode::Read, move |r| {
        let _ = tx.send(r);
    });
    gpu.device
        .poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: Some(Duration::from_secs(120)),
        })
        .map_err(|e| RenderError::Readback(e.to_string()))?;
    rx.recv_timeout(Duration::from_secs(5))
        .map_err(|_| RenderError::Readback("the GPU did not finish in time".into()))?
        .map_err(|e| RenderError::Readback(e.to_string()))?;
    let data = buffer
        .slice(..)
        .get_mapped_range()
        .map_err(|e| RenderError::Readback(e.to_string()))?;
    let mut pixels = Vec::with_capacity((row * size) as usize);
    for y in 0..size as usize {
        let start = y * padded as usize;
        pixels.extend_from_slice(&data[start..start + row as usize]);
    }
    drop(data);
    buffer.unmap();
    image::RgbaImage::from_raw(size, size, pixels)
        .ok_or_else(|| RenderError::Readback("wrong image size".into()))
}
