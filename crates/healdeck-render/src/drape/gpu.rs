//! The GPU cloth solver: the CPU solver's substep as WGSL compute (`shaders/cloth.wgsl`),
//! one dispatch per stage and per colour group of constraints, every substep of a step in
//! one submission; the particles are read back after each step so the drape's checks
//! (settled, seams closed, strain) and the window's snapshots see the cloth as the CPU
//! leaves it. It collides with the body's distance field and the floor; an outfit's layers
//! are not on the GPU (a garment over another drapes on the CPU).

use super::Studio;
use crate::renderer::Gpu;
use healdeck_cloth::packed::{PARTICLE_FLOATS, Packed};
use healdeck_cloth::solver::{Cloth, ClothError, Collider, Params, Stepper};
use std::sync::Arc;

const WORKGROUP: u32 = 64;

fn bytes_u32(words: &[u32]) -> Vec<u8> {
    let mut out: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    // A binding is never empty.
    out.resize(out.len().max(16), 0);
    out
}

fn bytes_f32(words: &[f32]) -> Vec<u8> {
    let mut out: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    out.resize(out.len().max(16), 0);
    out
}

fn device_error(e: impl std::fmt::Display) -> ClothError {
    ClothError::Device(e.to_string())
}

/// The kernels, one pipeline each.
struct Kernels {
    predict: wgpu::ComputePipeline,
    stretch: wgpu::ComputePipeline,
    limit: wgpu::ComputePipeline,
    bend: wgpu::ComputePipeline,
    stitch: wgpu::ComputePipeline,
    bands: wgpu::ComputePipeline,
    collide: wgpu::ComputePipeline,
    velocity: wgpu::ComputePipeline,
    follow: wgpu::ComputePipeline,
}

/// One dispatch's inputs: its constraint words, the group it works on, how many
/// workgroups.
struct Dispatch {
    bind: wgpu::BindGroup,
    workgroups: u32,
}

/// The cloth on the GPU, as of one version of its constraints.
struct Resident {
    version: u64,
    particles: wgpu::Buffer,
    readback: wgpu::Buffer,
    state: wgpu::BindGroup,
    predict: Dispatch,
    stretch: Vec<Dispatch>,
    bend: Vec<Dispatch>,
    stitch: Vec<Dispatch>,
    bands: Option<Dispatch>,
    collide: Dispatch,
    velocity: Dispatch,
    follow: Option<Dispatch>,
    bytes: u64,
}

/// The GPU solver for cloth draped in a [`Studio`] (its body and floor).
pub struct GpuSolver {
    gpu: Arc<Gpu>,
    kernels: Kernels,
    state_layout: wgpu::BindGroupLayout,
    group_layout: wgpu::BindGroupLayout,
    params: wgpu::Buffer,
    sdf: wgpu::Buffer,
    sdf_grid: ([f32; 4], [u32; 3], f32),
    floor_y: f32,
    resident: Option<Resident>,
}

fn layout_entry(binding: u32, ty: wgpu::BufferBindingType) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

impl GpuSolver {
    /// A solver on `gpu` for cloth colliding with `studio`; refused when the studio has
    /// layers (a garment over another).
    pub fn new(gpu: Arc<Gpu>, studio: &Studio) -> Result<GpuSolver, ClothError> {
        if !studio.layers.is_empty() {
            return Err(ClothError::Device(
                "a garment draped over another collides with it on the CPU only".into(),
            ));
        }
        let device = &gpu.device;
        let storage = |read_only| wgpu::BufferBindingType::Storage { read_only };
        let state_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("cloth state"),
            entries: &[
                layout_entry(0, storage(false)),
                layout_entry(1, wgpu::BufferBindingType::Uniform),
            ],
        });
        let group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("cloth group"),
            entries: &[
                layout_entry(0, wgpu::BufferBindingType::Uniform),
                layout_entry(1, storage(true)),
                layout_entry(2, storage(false)),
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("cloth"),
            bind_group_layouts: &[Some(&state_layout), Some(&group_layout)],
            immediate_size: 0,
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("cloth.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../../../shaders/cloth.wgsl").into()),
        });
        let kernel = |entry: &str| {
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        let kernels = Kernels {
            predict: kernel("predict"),
            stretch: kernel("stretch"),
            limit: kernel("limit"),
            bend: kernel("bend"),
            stitch: kernel("stitch"),
            bands: kernel("bands"),
            collide: kernel("collide"),
            velocity: kernel("velocity"),
            follow: kernel("follow"),
        };
        let (origin, cell, dims, values) = studio.body.grid();
        let sdf_words: Vec<u32> = values.iter().map(|v| v.to_bits()).collect();
        let sdf = buffer(
            device,
            "cloth sdf",
            &bytes_u32(&sdf_words),
            wgpu::BufferUsages::STORAGE,
        );
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("cloth params"),
            size: 96,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Ok(GpuSolver {
            kernels,
            state_layout,
            group_layout,
            params,
            sdf,
            sdf_grid: (
                [origin.x, origin.y, origin.z, cell],
                dims,
                studio.body.band(),
            ),
            floor_y: studio.floor_y,
            resident: None,
            gpu,
        })
    }

    /// A dispatch over `words` for the group `first`..`first + count`, `workgroups` wide.
    fn dispatch(
        &self,
        words: &wgpu::Buffer,
        scratch: &wgpu::Buffer,
        first: u32,
        count: u32,
        workgroups: u32,
    ) -> Dispatch {
        let device = &self.gpu.device;
        let group = buffer(
            device,
            "cloth group",
            &bytes_u32(&[first, count, 0, 0]),
            wgpu::BufferUsages::UNIFORM,
        );
        let bind = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("cloth group"),
            layout: &self.group_layout,
            entries: &[
                bind_entry(0, &group),
                bind_entry(1, words),
                bind_entry(2, scratch),
            ],
        });
        Dispatch { bind, workgroups }
    }

    /// Uploads the cloth: its particles, its constraints in their groups.
    fn upload(&self, cloth: &mut Cloth) -> Resident {
        let device = &self.gpu.device;
        let packed: Packed = cloth.packed();
        let n = (packed.particles.len() / PARTICLE_FLOATS) as u32;
        let particle_bytes = bytes_f32(&packed.particles);
        let particles = buffer(
            device,
            "cloth particles",
            &particle_bytes,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        );
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("cloth readback"),
            size: particle_bytes.len() as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let state = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("cloth state"),
            layout: &self.state_layout,
            entries: &[bind_entry(0, &particles), bind_entry(1, &self.params)],
        });
        let storage = wgpu::BufferUsages::STORAGE;
        let words = |label, w: &[u32]| buffer(device, label, &bytes_u32(w), storage);
        let stretch = words("cloth stretch", &packed.stretch);
        let bends = words("cloth bends", &packed.bends);
        let stitches = words("cloth stitches", &packed.stitches);
        let welded = words("cloth welded", &packed.welded);
        let bands_count = (packed.bands.len() / 4) as u32;
        let mut band_words = vec![bands_count];
        band_words.extend(&packed.bands);
        band_words.extend(&packed.band_particles);
        let bands = words("cloth bands", &band_words);
        let scratch = buffer(
            device,
            "cloth band scratch",
            &vec![0u8; (packed.band_particles.len() * 16).max(16)],
            storage,
        );
        let wide = |count: u32| count.div_ceil(WORKGROUP);
        let groups = |w: &wgpu::Buffer, gs: &[[u32; 2]]| -> Vec<Dispatch> {
            gs.iter()
                .map(|&[first, count]| self.dispatch(w, &scratch, first, count, wide(count)))
                .collect()
        };
        let welded_count = (packed.welded.len() / 2) as u32;
        Resident {
            version: cloth.version(),
            predict: self.dispatch(&stretch, &scratch, 0, n, wide(n)),
            stretch: groups(&stretch, &packed.stretch_groups),
            bend: groups(&bends, &packed.bend_groups),
            stitch: groups(&stitches, &packed.stitch_groups),
            bands: (bands_count > 0).then(|| self.dispatch(&bands, &scratch, 0, 1, 1)),
            collide: self.dispatch(&self.sdf, &scratch, 0, n, wide(n)),
            velocity: self.dispatch(&stretch, &scratch, 0, n, wide(n)),
            follow: (welded_count > 0)
                .then(|| self.dispatch(&welded, &scratch, 0, welded_count, wide(welded_count))),
            bytes: particle_bytes.len() as u64,
            particles,
            readback,
            state,
        }
    }

    /// The uniforms for a substep of `h` seconds.
    fn write_params(&self, cloth: &Cloth, params: &Params, h: f32, particles: u32) {
        let (origin, dims, band) = self.sdf_grid;
        let g = params.gravity;
        let keep = (1.0 - cloth.damping_rate(params) * h).clamp(0.0, 1.0);
        let floats = [
            g.x,
            g.y,
            g.z,
            h,
            1.0 / (h * h),
            params.edge_damping,
            cloth.bend_compliance() / (h * h),
            params.max_speed * h,
            params.skin,
            cloth.friction(),
            keep,
            params.max_speed,
            origin[0],
            origin[1],
            origin[2],
            origin[3],
        ];
        let mut bytes = bytes_f32(&floats);
        bytes.extend(bytes_u32(&[dims[0], dims[1], dims[2], particles]));
        bytes.extend(bytes_f32(&[self.floor_y, band, cloth.strain_limit(), 0.0]));
        self.gpu.queue.write_buffer(&self.params, 0, &bytes);
    }
}

fn buffer(
    device: &wgpu::Device,
    label: &str,
    bytes: &[u8],
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    use wgpu::util::DeviceExt;
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: bytes,
        usage,
    })
}

fn bind_entry(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}

fn run(pass: &mut wgpu::ComputePass<'_>, pipeline: &wgpu::ComputePipeline, d: &Dispatch) {
    pass.set_pipeline(pipeline);
    pass.set_bind_group(1, &d.bind, &[]);
    pass.dispatch_workgroups(d.workgroups, 1, 1);
}

impl Stepper for GpuSolver {
    fn step(
        &mut self,
        cloth: &mut Cloth,
        dt: f32,
        params: &Params,
        _collider: &dyn Collider,
    ) -> Result<(), ClothError> {
        if self.resident.as_ref().map(|r| r.version) != Some(cloth.version()) {
            self.resident = Some(self.upload(cloth));
        }
        let substeps = params.substeps.max(1);
        let h = dt / substeps as f32;
        let n = cloth.positions.len() as u32;
        self.write_params(cloth, params, h, n);
        let Some(r) = &self.resident else {
            return Err(device_error("the cloth is not on the GPU"));
        };
        let k = &self.kernels;
        let device = &self.gpu.device;
        // The CPU solver's order: two passes of the strain limit after the bands; after the
        // last iteration's collider one more, and the collider again (none without a limit).
        let limit_passes = if cloth.strain_limit().is_finite() {
            2
        } else {
            0
        };
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_bind_group(0, &r.state, &[]);
            for _ in 0..substeps {
                run(&mut pass, &k.predict, &r.predict);
                for _ in 0..params.iterations.max(1) {
                    for d in &r.stretch {
                        run(&mut pass, &k.stretch, d);
                    }
                    for d in &r.bend {
                        run(&mut pass, &k.bend, d);
                    }
                    for d in &r.stitch {
                        run(&mut pass, &k.stitch, d);
                    }
                    if let Some(d) = &r.bands {
                        run(&mut pass, &k.bands, d);
                    }
                    for _ in 0..limit_passes {
                        for d in &r.stretch {
                            run(&mut pass, &k.limit, d);
                        }
                    }
                    run(&mut pass, &k.collide, &r.collide);
                }
                if limit_passes > 0 {
                    for d in &r.stretch {
                        run(&mut pass, &k.limit, d);
                    }
                    run(&mut pass, &k.collide, &r.collide);
                }
                run(&mut pass, &k.velocity, &r.velocity);
                if let Some(d) = &r.follow {
                    run(&mut pass, &k.follow, d);
                }
            }
        }
        encoder.copy_buffer_to_buffer(&r.particles, 0, &r.readback, 0, r.bytes);
        self.gpu.queue.submit([encoder.finish()]);
        let slice = r.readback.slice(..);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |res| {
            let _ = tx.send(res);
        });
        device
            .poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: Some(std::time::Duration::from_secs(60)),
            })
            .map_err(device_error)?;
        rx.recv().map_err(device_error)?.map_err(device_error)?;
        let words: Vec<f32> = slice
            .get_mapped_range()
            .map_err(device_error)?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        r.readback.unmap();
        cloth.unpack_particles(&words, dt)
    }

    fn name(&self) -> &'static str {
        "gpu"
    }
}
