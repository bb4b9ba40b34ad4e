//! The CLO Companion's renderer, as a plain library (no egui): procedural avatars, parametric
//! garments and imported CLO3D / Marvelous Designer meshes, rendered by wgpu in Fast Preview
//! (512 px) and Realistic (2048 px) to a texture or a PNG.

pub mod ao;
pub mod avatar;
pub mod garment;
pub mod import;
pub mod mesh;
pub mod output;
pub mod renderer;

pub mod config;
pub mod fallback;
pub mod manager;
