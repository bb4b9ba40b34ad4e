//! The cloth as flat arrays of 32-bit words, laid out as the GPU solver's shader reads them
//! (`shaders/cloth.wgsl`), so a GPU can step the same cloth with the same arithmetic: the
//! particles (position and inverse mass, previous position, velocity and the room it has
//! before it could touch the collider, contact normal: 16 floats each), the constraints in their colour groups, the bands and the welded
//! particles; and the particles read back into the cloth after the GPU has stepped it.

use crate::colour::Groups;
use crate::constraints::{Band, Bend, Distance, Stitch};
use crate::solver::{Cloth, ClothError};
use glam::Vec3;

/// Floats per particle.
pub const PARTICLE_FLOATS: usize = 16;

/// The cloth's particles and constraints as words (see the module's docs).
#[derive(Debug, Clone, Default)]
pub struct Packed {
    /// `PARTICLE_FLOATS` per particle.
    pub particles: Vec<f32>,
    /// Per edge: a, b, rest, compliance, compression compliance (5 words).
    pub stretch: Vec<u32>,
    /// Per inner edge: its 4 particles, their 4 weights, the scale (9 words).
    pub bends: Vec<u32>,
    /// Per stitch: a, b, c, t, sewn (5 words).
    pub stitches: Vec<u32>,
    /// Per band: first particle in `band_particles`, count, rest length, closed (4 words).
    pub bands: Vec<u32>,
    pub band_particles: Vec<u32>,
    /// Per welded particle: it, and the particle it follows (2 words).
    pub welded: Vec<u32>,
    /// Each colour group's first constraint and count (the constraints are in colour order).
    pub stretch_groups: Vec<[u32; 2]>,
    pub bend_groups: Vec<[u32; 2]>,
    pub stitch_groups: Vec<[u32; 2]>,
    pub bend_compliance: f32,
    pub friction: f32,
}

fn groups(g: &Groups) -> Vec<[u32; 2]> {
    g.ranges
        .iter()
        .map(|r| [r.start as u32, (r.end - r.start) as u32])
        .collect()
}

/// The constraints' words in colour order.
fn in_colour_order<T, const N: usize>(
    items: &[T],
    g: &Groups,
    words: impl Fn(&T) -> [u32; N],
) -> Vec<u32> {
    g.order
        .iter()
        .flat_map(|&i| words(&items[i as usize]))
        .collect()
}

fn stretch_words(d: &Distance) -> [u32; 5] {
    [
        d.a,
        d.b,
        d.rest.to_bits(),
        d.compliance.to_bits(),
        d.compress.to_bits(),
    ]
}

fn bend_words(b: &Bend) -> [u32; 9] {
    let k = b.k.map(f32::to_bits);
    [
        b.v[0],
        b.v[1],
        b.v[2],
        b.v[3],
        k[0],
        k[1],
        k[2],
        k[3],
        b.s.to_bits(),
    ]
}

fn stitch_words(s: &Stitch) -> [u32; 5] {
    [s.a, s.b, s.c, s.t.to_bits(), u32::from(s.sewn)]
}

fn band_words(b: &Band, first: usize) -> [u32; 4] {
    [
        first as u32,
        b.loop_.len() as u32,
        b.rest.to_bits(),
        u32::from(b.closed),
    ]
}

impl Cloth {
    /// Counts changes to the constraints and masses: a packed copy made at another version
    /// is stale.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The particles as words (see [`Packed::particles`]).
    pub fn packed_particles(&self) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.positions.len() * PARTICLE_FLOATS);
        for i in 0..self.positions.len() {
            let (x, p, v) = (self.positions[i], self.previous[i], self.velocities[i]);
            let n = self.contact[i];
            out.extend_from_slice(&[x.x, x.y, x.z, self.inv_mass[i]]);
            out.extend_from_slice(&[p.x, p.y, p.z, 0.0]);
            out.extend_from_slice(&[v.x, v.y, v.z, self.room[i]]);
            let (n, touching) = n.map_or((Vec3::ZERO, 0.0), |n| (n, 1.0));
            out.extend_from_slice(&[n.x, n.y, n.z, touching]);
        }
        out
    }

    /// Everything a GPU needs to step the cloth (coloured first, if constraints changed).
    pub fn packed(&mut self) -> Packed {
        if self.colours.stale {
            self.recolour();
        }
        let mut band_particles = Vec::new();
        let mut bands = Vec::new();
        for b in &self.bands {
            bands.extend(band_words(b, band_particles.len()));
            band_particles.extend_from_slice(&b.loop_);
        }
        Packed {
            particles: self.packed_particles(),
            stretch: in_colour_order(&self.stretch, &self.colours.stretch, stretch_words),
            bends: in_colour_order(&self.bends, &self.colours.bends, bend_words),
            stitches: in_colour_order(&self.stitches, &self.colours.stitches, stitch_words),
            bands,
            band_particles,
            welded: self
                .welded
                .iter()
                .flat_map(|&(w, into)| [w, into])
                .collect(),
            stretch_groups: groups(&self.colours.stretch),
            bend_groups: groups(&self.colours.bends),
            stitch_groups: groups(&self.colours.stitches),
            bend_compliance: self.bend_compliance,
            friction: self.friction,
        }
    }

    /// Takes back the particles a GPU stepped `dt` seconds (words as
    /// [`Cloth::packed_particles`] gives them); a particle that left the world is an error,
    /// as on the CPU.
    pub fn unpack_particles(&mut self, words: &[f32], dt: f32) -> Result<(), ClothError> {
        if words.len() != self.positions.len() * PARTICLE_FLOATS {
            return Err(ClothError::Diverged(0, Vec3::NAN));
        }
        self.frame_start.copy_from_slice(&self.positions);
        self.frame_dt = dt;
        for (i, w) in words.chunks_exact(PARTICLE_FLOATS).enumerate() {
            let x = Vec3::new(w[0], w[1], w[2]);
            if !x.is_finite() || x.length() > 1e4 {
                return Err(ClothError::Diverged(i, x));
            }
            self.positions[i] = x;
            self.previous[i] = Vec3::new(w[4], w[5], w[6]);
            self.velocities[i] = Vec3::new(w[8], w[9], w[10]);
            self.room[i] = w[11];
            self.contact[i] = (w[15] > 0.5).then(|| Vec3::new(w[12], w[13], w[14]));
        }
        Ok(())
    }
}
