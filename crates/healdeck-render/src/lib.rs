//! The CLO Companion's renderer, as a plain library (no egui, no clap): a realistic avatar
//! shaped to measurements, parametric garments and imported CLO3D / Marvelous Designer meshes, rendered by wgpu in
//! Fast Preview (512 px) and Realistic (2048 px) to a texture or a PNG.
//!
//! Public surface, by use-case (each is one call both front-ends make):
//! - shape a body: [`avatar::Body::new`] (solved by [`fit::solve`], read by [`tape`] and
//!   [`landmarks`]), starting from a [`sizes`] preset;
//! - build a scene: [`scene::SceneSpec::build`] from an avatar ([`avatar::Template`],
//!   [`avatar::Measurements`]) and [`scene::Garment`]s or an [`scene::Imported`] mesh (worn
//!   by the avatar and re-coloured by [`onbody`]);
//! - render it: [`service::RenderService::start`] (the GPU meter and the
//!   [`manager::RenderManager`] with its Fast Preview fallback) or, directly,
//!   [`renderer::Renderer`] on a [`renderer::Gpu`];
//! - keep it: [`output::write_png`] with [`output::Provenance`], [`output::render_file_name`];
//! - settings: [`config::RenderConfig`] (`render_config.json`).
//!
//! Modules: `avatar`, `body_asset` (the realistic body's base mesh and shape targets), `fit`,
//! `tape`, `landmarks`, `sizes`, `skeleton` (the rings garments grow from), `garment`, `mesh`
//! (geometry), `import` (OBJ/glTF with limits), `onbody` (an import worn by the avatar), `ao`
//! (baked occlusion), `renderer` (device, pipelines, frame passes, mips, readback), `manager`
//! / `fallback` (the queue and the hysteresis policy), `scene`, `service`, `output`, `config`.

// A library reports by returning values or emitting `tracing` events, never by printing.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod ao;
pub mod avatar;
pub mod body_asset;
pub mod config;
pub mod drape;
mod fallback;
pub mod fit;
pub mod garment;
pub mod import;
pub mod landmarks;
pub mod manager;
pub mod mesh;
pub mod onbody;
pub mod output;
pub mod renderer;
pub mod scene;
pub mod service;
pub mod sizes;
pub mod skeleton;
pub mod tape;

/// The version written into every render's provenance.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
