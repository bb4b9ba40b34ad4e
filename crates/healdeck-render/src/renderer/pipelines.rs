//! What the renderer creates once per device: bind group layouts, the preview, realistic and
//! shadow pipelines over `shaders/garment.wgsl`, samplers, and the small fixed textures; plus
//! the helpers every pass uses to make textures and bindings.

use super::bindings::{sampler_entry, texture_entry};
use super::device::{Gpu, TARGET};
use super::mips::MipGen;

pub(crate) const DEPTH: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;
/// Position, normal, uv, seam, ambient occlusion.
pub(crate) const FLOATS_PER_VERTEX: usize = 10;

/// The mesh and floor pipelines of one quality tier.
pub(crate) struct Pipelines {
    pub(crate) mesh: wgpu::RenderPipeline,
    pub(crate) ground: wgpu::RenderPipeline,
}

/// Everything made once per device and reused by every render.
pub(crate) struct DeviceObjects {
    pub(crate) globals_layout: wgpu::BindGroupLayout,
    pub(crate) material_layout: wgpu::BindGroupLayout,
    pub(crate) preview: Pipelines,
    pub(crate) realistic: Pipelines,
    pub(crate) realistic_samples: u32,
    pub(crate) shadow: wgpu::RenderPipeline,
    pub(crate) shadow_sampler: wgpu::Sampler,
    pub(crate) dummy_shadow: wgpu::TextureView,
    pub(crate) white: wgpu::TextureView,
    pub(crate) albedo_sampler: wgpu::Sampler,
    pub(crate) mips: MipGen,
}

/// The shader module, the two pipeline layouts and the vertex layout the pipelines share.
struct Layouts {
    shader: wgpu::ShaderModule,
    globals: wgpu::BindGroupLayout,
    material: wgpu::BindGroupLayout,
    main: wgpu::PipelineLayout,
    shadow: wgpu::PipelineLayout,
}

const VERTEX_ATTRIBUTES: [wgpu::VertexAttribute; 5] = wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x3, 2 => Float32x2, 3 => Float32, 4 => Float32];

fn vertex_layout() -> wgpu::VertexBufferLayout<'static> {
    wgpu::VertexBufferLayout {
        array_stride: (FLOATS_PER_VERTEX * 4) as u64,
        step_mode: wgpu::VertexStepMode::Vertex,
        attributes: &VERTEX_ATTRIBUTES,
    }
}

fn depth_state(bias: wgpu::DepthBiasState) -> Option<wgpu::DepthStencilState> {
    Some(wgpu::DepthStencilState {
        format: DEPTH,
        depth_write_enabled: Some(true),
        depth_compare: Some(wgpu::CompareFunction::Less),
        stencil: Default::default(),
        bias,
    })
}

fn uniform_entry(binding: u32, visibility: wgpu::ShaderStages) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

fn layouts(device: &wgpu::Device) -> Layouts {
    let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("garment.wgsl"),
        source: wgpu::ShaderSource::Wgsl(include_str!("../../../../shaders/garment.wgsl").into()),
    });
    let globals = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("globals"),
        entries: &[
            uniform_entry(0, wgpu::ShaderStages::VERTEX_FRAGMENT),
            texture_entry(1, wgpu::TextureSampleType::Depth),
            sampler_entry(2, wgpu::SamplerBindingType::Comparison),
        ],
    });
    let material = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("material"),
        entries: &[
            uniform_entry(0, wgpu::ShaderStages::FRAGMENT),
            texture_entry(1, wgpu::TextureSampleType::Float { filterable: true }),
            sampler_entry(2, wgpu::SamplerBindingType::Filtering),
        ],
    });
    let main = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("garment"),
        bind_group_layouts: &[Some(&globals), Some(&material)],
        immediate_size: 0,
    });
    let shadow = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("shadow"),
        bind_group_layouts: &[Some(&globals)],
        immediate_size: 0,
    });
    Layouts {
        shader,
        globals,
        material,
        main,
        shadow,
    }
}

/// A color pipeline: the shared vertex stage with fragment entry point `fs`.
fn color_pipeline(
    device: &wgpu::Device,
    l: &Layouts,
    fs: &str,
    samples: u32,
) -> wgpu::RenderPipeline {
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(fs),
        layout: Some(&l.main),
        vertex: wgpu::VertexState {
            module: &l.shader,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers: &[Some(vertex_layout())],
        },
        primitive: wgpu::PrimitiveState {
            cull_mode: None,
            ..Default::default()
        },
        depth_stencil: depth_state(Default::default()),
        multisample: wgpu::MultisampleState {
            count: samples,
            ..Default::default()
        },
        fragment: Some(wgpu::FragmentState {
            module: &l.shader,
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
}

/// The depth-only pass from the key light (slope-scaled bias against acne).
fn shadow_pipeline(device: &wgpu::Device, l: &Layouts) -> wgpu::RenderPipeline {
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("shadow"),
        layout: Some(&l.shadow),
        vertex: wgpu::VertexState {
            module: &l.shader,
            entry_point: Some("vs_shadow"),
            compilation_options: Default::default(),
            buffers: &[Some(vertex_layout())],
        },
        primitive: wgpu::PrimitiveState {
            cull_mode: None,
            ..Default::default()
        },
        depth_stencil: depth_state(wgpu::DepthBiasState {
            constant: 2,
            slope_scale: 2.0,
            clamp: 0.0,
        }),
        multisample: Default::default(),
        fragment: None,
        multiview_mask: None,
        cache: None,
    })
}

impl DeviceObjects {
    pub(crate) fn new(gpu: &Gpu) -> DeviceObjects {
        let device = &gpu.device;
        let l = layouts(device);
        let realistic_samples = if gpu.msaa4 { 4 } else { 1 };
        let shadow_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("shadow"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            compare: Some(wgpu::CompareFunction::LessEqual),
            ..Default::default()
        });
        let albedo_sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("albedo"),
            address_mode_u: wgpu::AddressMode::Repeat,
            address_mode_v: wgpu::AddressMode::Repeat,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            mipmap_filter: wgpu::MipmapFilterMode::Linear,
            ..Default::default()
        });
        let white = image::RgbaImage::from_pixel(1, 1, image::Rgba([255, 255, 255, 255]));
        DeviceObjects {
            preview: Pipelines {
                mesh: color_pipeline(device, &l, "fs_preview", 1),
                ground: color_pipeline(device, &l, "fs_ground", 1),
            },
            realistic: Pipelines {
                mesh: color_pipeline(device, &l, "fs_realistic", realistic_samples),
                ground: color_pipeline(device, &l, "fs_ground", realistic_samples),
            },
            realistic_samples,
            shadow: shadow_pipeline(device, &l),
            globals_layout: l.globals,
            material_layout: l.material,
            shadow_sampler,
            dummy_shadow: depth_texture(device, 1, 1, 1, true).create_view(&Default::default()),
            white: upload_texture(device, &gpu.queue, &white),
            albedo_sampler,
            mips: MipGen::new(device),
        }
    }
}

/// Uploads an sRGB texture with a full mip chain built on the CPU (no shimmer when minified).
pub(crate) fn upload_texture(
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

pub(crate) fn depth_texture(
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
