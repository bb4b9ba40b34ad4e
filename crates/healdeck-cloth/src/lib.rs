//! healdeck's cloth simulation, as a plain library (no GPU, no UI): a signed distance field
//! baked from a closed body mesh ([`sdf::Sdf`]) and an XPBD cloth solver in small steps
//! ([`solver::Cloth`]) — stretch, isometric bending and zero-length stitches, solved once
//! per substep, colliding with the field at a skin offset, with friction; sewing patterns
//! ([`pattern::Pattern`]: panels wrapped around the body, seams stitched; or
//! [`freeform::FreePattern`]: panels of any outline laid flat around it) and draping them
//! until they settle ([`drape::settle`]).
//!
//! Units: metres, seconds, kilograms; y up.

mod blocks;
mod colour;
mod constraints;
pub mod drape;
pub mod freeform;
pub mod gores;
pub mod outline;
pub mod packed;
pub mod pattern;
mod rows;
pub mod sdf;
mod sewing;
pub mod solver;
