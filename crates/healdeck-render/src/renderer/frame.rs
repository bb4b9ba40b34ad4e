//! One frame, pass by pass: the camera framed on the scene's bounds and the three lights
//! (`FrameSetup`), the scene's vertex, index and material buffers (`Draw`), the shadow map
//! from the key light (Realistic only), the render targets (with MSAA and a mip chain when
//! asked), and the main pass — floor first, then every mesh range with its material.

use super::device::{Gpu, RenderError, TARGET};
use super::pipelines::{FLOATS_PER_VERTEX, Pipelines, depth_texture, upload_texture};
use super::{Mode, Renderer, SceneAo, View};
use crate::mesh::Mesh;
use glam::{Mat4, Vec3};
use std::collections::HashMap;
use std::sync::Arc;
use wgpu::util::DeviceExt;

pub(crate) const SHADOW_SIZE: u32 = 2048;
const BACKGROUND: wgpu::Color = wgpu::Color {
    r: 0.30,
    g: 0.31,
    b: 0.33,
    a: 1.0,
};

/// Camera and lights for one frame, as the shader's globals block.
struct FrameSetup {
    globals: Vec<f32>,
    /// The lowest point of the scene: the floor's height.
    ground_y: f32,
    center: Vec3,
}

/// One mesh's buffers and its index ranges, each with its material's bind group.
struct Draw {
    vb: wgpu::Buffer,
    ib: wgpu::Buffer,
    ranges: Vec<(u32, u32, wgpu::BindGroup)>,
}

/// What a material uniform holds (see `Material` in `shaders/garment.wgsl`).
struct MaterialParams {
    color: [f32; 3],
    roughness: f32,
    /// Print color and pattern scale.
    print: [f32; 4],
    fabric: u32,
    print_kind: u32,
    repeat: f32,
    /// Where the print lies (see `garment::PrintPlacement::transform`).
    place: [f32; 4],
}

/// The textures a frame draws into.
struct Targets {
    target: wgpu::Texture,
    target_view: wgpu::TextureView,
    msaa_view: Option<wgpu::TextureView>,
    depth_view: wgpu::TextureView,
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

/// How bright cloth facing the camera comes out under the lights, as a multiple of its albedo
/// (the shader's diffuse terms: cloth's wrapped diffuse and the hemisphere ambient at the
/// horizon in Realistic; the key and the hemisphere in Fast Preview). The renderer divides by
/// it, so a front-lit patch renders in the color that was chosen.
fn front_response(
    realistic: bool,
    (k, f, r): (f32, f32, f32),
    (key, fill, rim): (Vec3, Vec3, Vec3),
    towards_camera: Vec3,
) -> f32 {
    let n = Vec3::new(towards_camera.x, 0.0, towards_camera.z).normalize_or(Vec3::Z);
    if realistic {
        // Cloth wraps its diffuse 0.3 past the terminator; radiance k·π over π.
        let wrapped = |l: Vec3| ((n.dot(l) + 0.3) / 1.3).max(0.0);
        let hemisphere = 0.265;
        k * wrapped(key) + f * wrapped(fill) + r * wrapped(rim) + hemisphere
    } else {
        let hemisphere = 0.315;
        k * n.dot(key).max(0.0) + hemisphere
    }
}

/// Frames the scene (it fills the image at zoom 1) and places the key, fill and rim lights,
/// which turn with the view; the shadow map's projection covers the whole scene.
fn frame_setup(meshes: &[&Mesh], view: &View, mode: Mode) -> FrameSetup {
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
    let proj = Mat4::perspective_rh(fov, 1.0, (dist * 0.05).max(1e-3), dist * 4.0 + ext.length());
    let view_proj = proj * Mat4::look_at_rh(eye, center, Vec3::Y);
    // Key light from the camera's front-right, above; the lights rotate with the view.
    let rot = Mat4::from_rotation_y(az);
    let light = |v: Vec3| rot.transform_vector3(v).normalize();
    let (key, fill, rim) = (
        light(Vec3::new(0.55, 0.85, 0.65)),
        light(Vec3::new(-0.7, 0.35, 0.55)),
        light(Vec3::new(0.1, 0.55, -1.0)),
    );
    let radius = ext.length() * 0.5 + 0.6;
    let light_view = Mat4::look_at_rh(center + key * radius * 2.0, center, Vec3::Y);
    let light_proj = Mat4::orthographic_rh(-radius, radius, -radius, radius, 0.01, radius * 4.0);
    let realistic = mode == Mode::Realistic;
    let (k, f, r) = if realistic {
        (1.6, 0.4, 0.7)
    } else {
        (0.85, 0.0, 0.0)
    };
    let exposure = 1.0 / front_response(realistic, (k, f, r), (key, fill, rim), eye - center);
    let mut globals = Vec::with_capacity(52);
    globals.extend_from_slice(&view_proj.to_cols_array());
    globals.extend_from_slice(&(light_proj * light_view).to_cols_array());
    globals.extend_from_slice(&[eye.x, eye.y, eye.z, 1.0]);
    globals.extend_from_slice(&[key.x, key.y, key.z, k]);
    globals.extend_from_slice(&[fill.x, fill.y, fill.z, f]);
    globals.extend_from_slice(&[rim.x, rim.y, rim.z, r]);
    globals.extend_from_slice(&[
        lo.y,
        if realistic { 1.0 } else { 0.0 },
        1.0 / SHADOW_SIZE as f32,
        exposure,
    ]);
    FrameSetup {
        globals,
        ground_y: lo.y,
        center,
    }
}

fn index_buffer(device: &wgpu::Device, label: &str, indices: &[u32]) -> wgpu::Buffer {
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: &indices
            .iter()
            .flat_map(|i| i.to_le_bytes())
            .collect::<Vec<u8>>(),
        usage: wgpu::BufferUsages::INDEX,
    })
}

fn vertex_buffer(device: &wgpu::Device, label: &str, m: &Mesh, ao: Option<&[f32]>) -> wgpu::Buffer {
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: &vertex_bytes(m, ao),
        usage: wgpu::BufferUsages::VERTEX,
    })
}

/// The color target (with a mip chain for the live view), the MSAA target when sampling
/// more than once, and the depth buffer.
fn targets(gpu: &Gpu, size: u32, samples: u32, mips: bool) -> Targets {
    let device = &gpu.device;
    let extent = wgpu::Extent3d {
        width: size,
        height: size,
        depth_or_array_layers: 1,
    };
    let target = device.create_texture(&wgpu::TextureDescriptor {
        label: Some("target"),
        size: extent,
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
                size: extent,
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
    Targets {
        target,
        target_view,
        msaa_view,
        depth_view,
    }
}

impl Renderer {
    /// Records a whole frame of `meshes` at `size`²; the caller submits it (and reads it back
    /// or keeps the texture). `mips`: give the target a mip chain for the live view.
    pub(crate) fn encode_frame(
        &self,
        gpu: &Gpu,
        meshes: &[&Mesh],
        mode: Mode,
        view: &View,
        size: u32,
        mips: bool,
    ) -> Result<(wgpu::CommandEncoder, wgpu::Texture), RenderError> {
        let device = &gpu.device;
        let setup = frame_setup(meshes, view, mode);
        let realistic = mode == Mode::Realistic;
        let globals_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("globals"),
            contents: &f32s(&setup.globals),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let ao = if realistic {
            self.ambient_occlusion(meshes, setup.ground_y)
        } else {
            Arc::default()
        };
        let draws = self.scene_draws(gpu, meshes, &ao);
        let floor = self.floor_draw(device, setup.center, setup.ground_y);
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("render"),
        });
        let shadow_view =
            realistic.then(|| self.shadow_pass(device, &mut encoder, &globals_buf, &draws));
        let o = &self.objects;
        let globals_bind = self.globals_bind(
            device,
            &globals_buf,
            shadow_view.as_ref().unwrap_or(&o.dummy_shadow),
        );
        let (samples, pipes) = if realistic {
            (o.realistic_samples, &o.realistic)
        } else {
            (1, &o.preview)
        };
        let t = targets(gpu, size, samples, mips);
        main_pass(&mut encoder, &t, &globals_bind, pipes, &floor, &draws);
        Ok((encoder, t.target))
    }

    fn material_bind(
        &self,
        device: &wgpu::Device,
        p: &MaterialParams,
        texture: Option<&wgpu::TextureView>,
    ) -> wgpu::BindGroup {
        let c = p.color;
        let mut bytes = f32s(&[
            c[0],
            c[1],
            c[2],
            p.roughness,
            p.print[0],
            p.print[1],
            p.print[2],
            p.print[3],
        ]);
        for u in [p.fabric, p.print_kind, 0, 0] {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        bytes.extend_from_slice(&f32s(&[p.repeat, 0.0, 0.0, 0.0]));
        bytes.extend_from_slice(&f32s(&p.place));
        let buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("material"),
            contents: &bytes,
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let o = &self.objects;
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("material"),
            layout: &o.material_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: buf.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(texture.unwrap_or(&o.white)),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::Sampler(&o.albedo_sampler),
                },
            ],
        })
    }

    /// Buffers and material bindings for every mesh; each image texture is uploaded once
    /// however many ranges use it.
    fn scene_draws(&self, gpu: &Gpu, meshes: &[&Mesh], ao: &SceneAo) -> Vec<Draw> {
        let device = &gpu.device;
        let mut textures: HashMap<*const image::RgbaImage, wgpu::TextureView> = HashMap::new();
        for mr in meshes.iter().flat_map(|m| &m.materials) {
            if let Some(t) = &mr.texture {
                textures
                    .entry(Arc::as_ptr(t))
                    .or_insert_with(|| upload_texture(device, &gpu.queue, t));
            }
        }
        let mut draws = Vec::new();
        for (i, m) in meshes.iter().enumerate() {
            if m.indices.is_empty() {
                continue;
            }
            let mut ranges = Vec::new();
            if m.materials.is_empty() {
                let gray = MaterialParams {
                    color: [0.6, 0.6, 0.6],
                    roughness: 0.6,
                    print: [0.0; 4],
                    fabric: 1,
                    print_kind: 0,
                    repeat: 1.0,
                    place: crate::mesh::UNPLACED,
                };
                ranges.push((
                    0,
                    m.indices.len() as u32,
                    self.material_bind(device, &gray, None),
                ));
            }
            for mr in &m.materials {
                let pc = mr.print_color;
                let params = MaterialParams {
                    color: mr.color,
                    roughness: 0.6,
                    print: [pc[0], pc[1], pc[2], if mr.print == 0 { 1.0 } else { 12.0 }],
                    fabric: mr.fabric,
                    print_kind: mr.print,
                    repeat: mr.texture_repeat,
                    place: mr.print_place,
                };
                let tex = mr
                    .texture
                    .as_ref()
                    .and_then(|t| textures.get(&Arc::as_ptr(t)));
                ranges.push((mr.start, mr.count, self.material_bind(device, &params, tex)));
            }
            draws.push(Draw {
                vb: vertex_buffer(device, "vertices", m, ao.get(i).map(Vec::as_slice)),
                ib: index_buffer(device, "indices", &m.indices),
                ranges,
            });
        }
        draws
    }

    /// The studio floor under the scene, as one draw with its own material.
    fn floor_draw(&self, device: &wgpu::Device, center: Vec3, y: f32) -> Draw {
        let floor = floor_mesh(center, y, 60.0);
        let material = MaterialParams {
            color: [0.55, 0.55, 0.57],
            roughness: 0.9,
            print: [0.0; 4],
            fabric: 0,
            print_kind: 0,
            repeat: 1.0,
            place: crate::mesh::UNPLACED,
        };
        Draw {
            vb: vertex_buffer(device, "floor", &floor, None),
            ib: index_buffer(device, "floor indices", &floor.indices),
            ranges: vec![(
                0,
                floor.indices.len() as u32,
                self.material_bind(device, &material, None),
            )],
        }
    }

    /// Renders the scene's depth from the key light into a new shadow map.
    fn shadow_pass(
        &self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        globals: &wgpu::Buffer,
        draws: &[Draw],
    ) -> wgpu::TextureView {
        let o = &self.objects;
        let view = depth_texture(device, SHADOW_SIZE, SHADOW_SIZE, 1, true)
            .create_view(&Default::default());
        let bind = self.globals_bind(device, globals, &o.dummy_shadow);
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
        pass.set_pipeline(&o.shadow);
        pass.set_bind_group(0, &bind, &[]);
        for d in draws {
            pass.set_vertex_buffer(0, d.vb.slice(..));
            pass.set_index_buffer(d.ib.slice(..), wgpu::IndexFormat::Uint32);
            for (start, count, _) in &d.ranges {
                pass.draw_indexed(*start..start + count, 0, 0..1);
            }
        }
        drop(pass);
        view
    }

    pub(crate) fn globals_bind(
        &self,
        device: &wgpu::Device,
        globals: &wgpu::Buffer,
        shadow: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        let o = &self.objects;
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("globals"),
            layout: &o.globals_layout,
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
                    resource: wgpu::BindingResource::Sampler(&o.shadow_sampler),
                },
            ],
        })
    }
}

/// The color pass: the floor with the ground pipeline, then every mesh range.
fn main_pass(
    encoder: &mut wgpu::CommandEncoder,
    t: &Targets,
    globals: &wgpu::BindGroup,
    pipes: &Pipelines,
    floor: &Draw,
    draws: &[Draw],
) {
    let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some("main"),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view: t.msaa_view.as_ref().unwrap_or(&t.target_view),
            depth_slice: None,
            resolve_target: t.msaa_view.as_ref().map(|_| &t.target_view),
            ops: wgpu::Operations {
                load: wgpu::LoadOp::Clear(BACKGROUND),
                store: wgpu::StoreOp::Store,
            },
        })],
        depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
            view: &t.depth_view,
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
    pass.set_bind_group(0, globals, &[]);
    for (pipeline, list) in [
        (&pipes.ground, std::slice::from_ref(floor)),
        (&pipes.mesh, draws),
    ] {
        pass.set_pipeline(pipeline);
        for d in list {
            pass.set_vertex_buffer(0, d.vb.slice(..));
            pass.set_index_buffer(d.ib.slice(..), wgpu::IndexFormat::Uint32);
            for (start, count, bind) in &d.ranges {
                pass.set_bind_group(1, bind, &[]);
                pass.draw_indexed(*start..start + count, 0, 0..1);
            }
        }
    }
}
