//! The CPU solver's constraints shared out between cores: the particles are cut into
//! [`BLOCKS`] runs of consecutive indices, and each constraint whose particles all lie in one
//! run belongs to that run's block. The blocks share no particle, so they are projected at
//! once, each on its own slice of the positions, one after another inside (a correction still
//! runs down a chain of edges in one sweep, as in [`crate::colour`]'s account); the few
//! constraints that reach across blocks (seams between panels, the rows where a panel is cut)
//! are projected after them. The cut does not depend on the machine's cores, so a drape gives
//! the same result on one core as on sixteen.

use crate::constraints::{
    Bend, Distance, Stitch, bend_scale, distance_scales, limit_edge, project_bend_scaled,
    project_distance_scaled, project_stitch,
};
use glam::Vec3;
use rayon::prelude::*;

/// How many blocks the particles are cut into: a few per core on the machines the app runs
/// on, few enough that the constraints across them stay a small share.
pub(crate) const BLOCKS: usize = 4;

/// Below this many particles a substep is too short to be worth sharing out (the blocks are
/// then projected one after another, with the same result).
pub(crate) const PARALLEL_FROM: usize = 1500;

/// A substep's constants for the projections.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Knobs {
    pub(crate) inv_h2: f32,
    pub(crate) damping: f32,
    pub(crate) bend_alpha: f32,
    pub(crate) stitch_step: f32,
}

/// The constraints of one block, their particle indices counted from the block's first
/// particle (`start`); or, for the constraints across blocks, from 0.
#[derive(Debug, Clone, Default)]
pub(crate) struct Block {
    start: usize,
    end: usize,
    stretch: Vec<Distance>,
    bends: Vec<Bend>,
    stitches: Vec<Stitch>,
    /// Each stretch constraint's [`distance_scales`] and each bend's [`bend_scale`] for the
    /// step under way ([`Blocks::prepare`]).
    stretch_scales: Vec<[f32; 2]>,
    bend_scales: Vec<f32>,
}

impl Block {
    /// Works out the parts of the projections that stay the same through a step.
    fn prepare(&mut self, w: &[f32], k: Knobs) {
        self.stretch_scales.clear();
        self.stretch_scales.extend(
            self.stretch
                .iter()
                .map(|d| distance_scales(w, d, k.inv_h2, k.damping)),
        );
        self.bend_scales.clear();
        self.bend_scales
            .extend(self.bends.iter().map(|b| bend_scale(w, b, k.bend_alpha)));
    }

    /// Projects the block's constraints once and then, with a strain `limit`, pulls its
    /// edges back to it `.1` times.
    fn project_limited(
        &self,
        mine: &mut [Vec3],
        previous: &[Vec3],
        w: &[f32],
        k: Knobs,
        limit: Option<(f32, u32)>,
    ) {
        self.project(mine, previous, w, k);
        if let Some((limit, passes)) = limit {
            for _ in 0..passes {
                for d in &self.stretch {
                    limit_edge(mine, w, d, limit);
                }
            }
        }
    }

    /// Projects the block's constraints once, in the order they were made.
    fn project(&self, x: &mut [Vec3], previous: &[Vec3], w: &[f32], k: Knobs) {
        for (d, &scales) in self.stretch.iter().zip(&self.stretch_scales) {
            project_distance_scaled(x, previous, w, d, scales, k.damping);
        }
        for (b, &scale) in self.bends.iter().zip(&self.bend_scales) {
            project_bend_scaled(x, w, b, scale);
        }
        for s in &self.stitches {
            project_stitch(x, w, s, k.stitch_step);
        }
    }
}

/// Every constraint of a cloth, in blocks.
#[derive(Debug, Clone, Default)]
pub(crate) struct Blocks {
    blocks: Vec<Block>,
    across: Block,
}

impl Blocks {
    /// Sorts the constraints of a cloth of `count` particles into blocks.
    pub(crate) fn new(
        count: usize,
        stretch: &[Distance],
        bends: &[Bend],
        stitches: &[Stitch],
    ) -> Blocks {
        let bounds: Vec<usize> = (0..=BLOCKS).map(|k| k * count / BLOCKS).collect();
        let mut blocks: Vec<Block> = bounds
            .windows(2)
            .map(|r| Block {
                start: r[0],
                end: r[1],
                ..Block::default()
            })
            .collect();
        let mut across = Block::default();
        // The block holding every one of `particles`, or none when they are in several.
        let block_of = |particles: &[u32]| {
            let k = bounds.partition_point(|&b| b <= particles[0] as usize) - 1;
            let (start, end) = (bounds[k], bounds[k + 1]);
            let inside = |&p: &u32| (start..end).contains(&(p as usize));
            particles.iter().all(inside).then_some(k)
        };
        for d in stretch {
            match block_of(&[d.a, d.b]) {
                Some(k) => {
                    let s = blocks[k].start as u32;
                    blocks[k].stretch.push(Distance {
                        a: d.a - s,
                        b: d.b - s,
                        ..*d
                    });
                }
                None => across.stretch.push(*d),
            }
        }
        for b in bends {
            match block_of(&b.v) {
                Some(k) => {
                    let s = blocks[k].start as u32;
                    blocks[k].bends.push(Bend {
                        v: b.v.map(|v| v - s),
                        ..*b
                    });
                }
                None => across.bends.push(*b),
            }
        }
        for t in stitches {
            match block_of(&[t.a, t.b, t.c]) {
                Some(k) => {
                    let s = blocks[k].start as u32;
                    blocks[k].stitches.push(Stitch {
                        a: t.a - s,
                        b: t.b - s,
                        c: t.c - s,
                        ..*t
                    });
                }
                None => across.stitches.push(*t),
            }
        }
        Blocks { blocks, across }
    }

    /// Works out the parts of the projections that stay the same through a step (they
    /// depend on the inverse masses `w` and the step's knobs): before each step.
    pub(crate) fn prepare(&mut self, w: &[f32], k: Knobs) {
        for b in &mut self.blocks {
            b.prepare(&w[b.start..b.end], k);
        }
        self.across.prepare(w, k);
    }

    /// The particle range of each block, in order: they cover every particle once.
    pub(crate) fn bounds(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.blocks.iter().map(|b| (b.start, b.end))
    }

    /// Projects block `k`'s constraints once, on that block's own slices of the positions,
    /// the previous positions and the inverse masses. With a strain `limit`, the block then
    /// pulls its own edges back to it `limit.1` times while it is at it. The blocks share no
    /// particle, so they can be projected at once; [`Blocks::project_across`] follows.
    pub(crate) fn project_block(
        &self,
        k: usize,
        mine: &mut [Vec3],
        previous: &[Vec3],
        w: &[f32],
        knobs: Knobs,
        limit: Option<(f32, u32)>,
    ) {
        self.blocks[k].project_limited(mine, previous, w, knobs, limit);
    }

    /// Projects the constraints across blocks, once every block has been projected.
    pub(crate) fn project_across(&self, x: &mut [Vec3], previous: &[Vec3], w: &[f32], k: Knobs) {
        self.across.project(x, previous, w, k);
    }

    /// Block `k`'s part of [`Blocks::limit_strain`], on its own slices.
    pub(crate) fn limit_block(&self, k: usize, mine: &mut [Vec3], w: &[f32], limit: f32) {
        for d in &self.blocks[k].stretch {
            limit_edge(mine, w, d, limit);
        }
    }

    /// Pulls the edges across blocks stretched past `limit` back to it.
    pub(crate) fn limit_across(&self, x: &mut [Vec3], w: &[f32], limit: f32) {
        for d in &self.across.stretch {
            limit_edge(x, w, d, limit);
        }
    }

    /// Pulls every edge stretched past `limit` back to it ([`limit_edge`]): the blocks at
    /// once, each in the order its edges were made, then the edges across them.
    pub(crate) fn limit_strain(&self, x: &mut [Vec3], w: &[f32], limit: f32) {
        self.each_block(x, |b, mine| {
            let w = &w[b.start..b.end];
            for d in &b.stretch {
                limit_edge(mine, w, d, limit);
            }
        });
        self.limit_across(x, w, limit);
    }

    /// Calls `f` on every block with its own slice of the positions, the blocks at once on a
    /// cloth large enough to be worth sharing out.
    fn each_block(&self, x: &mut [Vec3], f: impl Fn(&Block, &mut [Vec3]) + Sync) {
        let parallel = x.len() >= PARALLEL_FROM;
        let mut rest = &mut *x;
        let mut parts = Vec::with_capacity(self.blocks.len());
        for b in &self.blocks {
            let (mine, tail) = std::mem::take(&mut rest).split_at_mut(b.end - b.start);
            rest = tail;
            parts.push((b, mine));
        }
        let solve = |(b, mine): (&Block, &mut [Vec3])| f(b, mine);
        if parallel {
            parts.into_par_iter().for_each(solve);
        } else {
            parts.into_iter().for_each(solve);
        }
    }

    /// How many constraints lie across blocks, and how many in all.
    #[cfg(test)]
    fn across_share(&self) -> (usize, usize) {
        let size = |b: &Block| b.stretch.len() + b.bends.len() + b.stitches.len();
        let inside: usize = self.blocks.iter().map(size).sum();
        (size(&self.across), inside + size(&self.across))
    }
}

#[cfg(test)]
mod tests {
    use crate::solver::{Cloth, Mechanics, sheet};

    #[test]
    fn a_sheets_constraints_are_mostly_inside_blocks_and_none_is_lost() {
        let (flat, triangles) = sheet(1.0, 1.0, 40, 40);
        let placed = flat.iter().map(|p| p.extend(0.0)).collect();
        let mechanics = Mechanics {
            density: 0.15,
            stretch_compliance: 1e-6,
            compress_compliance: 0.01,
            bend_compliance: 1e5,
            friction: 0.3,
            strain_limit: f32::INFINITY,
        };
        let cloth = Cloth::new(placed, Some(&flat), triangles, mechanics).expect("cloth");
        let (across, all) = cloth.blocks.across_share();
        assert_eq!(
            all,
            cloth.stretch.len() + cloth.bends.len() + cloth.stitches.len()
        );
        assert!(
            across > 0,
            "a 41×41 sheet cut in {} has seams",
            super::BLOCKS
        );
        assert!(across * 10 < all, "{across} of {all} across blocks");
    }
}
