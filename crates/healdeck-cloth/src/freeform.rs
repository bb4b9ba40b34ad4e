//! Panels of any outline — an imported pattern's (GarmentCode), where a panel has as many
//! edges as its pattern maker drew: each edge a polyline in the flat (metres), the outline
//! meshed by a constrained Delaunay triangulation refined to about the pattern's spacing
//! (spade), with particles evenly spaced along each edge so seams sew point to point. Panels
//! are laid flat around the body by a rotation and a translation, as pattern tools place
//! them before sewing, and seams join whole edges — in opposite directions, as two panels
//! sewn right side to right side run, unless a seam says otherwise.

use crate::outline;
use crate::pattern::PatternError;
use crate::sewing::{Stretch, add_stitches, sew_stretches};
use crate::solver::{Cloth, Collider, Mechanics};
use glam::{Mat3, Vec2, Vec3};
use spade::{
    AngleLimit, ConstrainedDelaunayTriangulation, Point2, RefinementParameters, Triangulation,
};
use std::collections::HashSet;

/// A panel: its edges in order around the outline (either way round), each from its first
/// corner to the next edge's first corner, both included (metres, in the panel's plane).
#[derive(Debug, Clone, PartialEq)]
pub struct FreePanel {
    pub name: String,
    pub edges: Vec<Vec<Vec2>>,
    /// Where the panel's plane goes: a flat point (x, y) is at `rotation · (x, y, 0) +
    /// translation`. Cloth faces the way its outline turns counter-clockwise.
    pub rotation: Mat3,
    pub translation: Vec3,
}

/// A seam: edge `a.1` of panel `a.0` sewn to edge `b.1` of panel `b.0`, start to end unless
/// `same_direction` (start to start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeSeam {
    pub a: (usize, usize),
    pub b: (usize, usize),
    pub same_direction: bool,
}

/// A garment of free panels.
#[derive(Debug, Clone, PartialEq)]
pub struct FreePattern {
    pub panels: Vec<FreePanel>,
    pub seams: Vec<FreeSeam>,
    /// Mesh spacing (metres).
    pub spacing: f32,
}

/// How much longer one side of a seam may be than the other.
const SEAM_TOLERANCE: f32 = 1.2;
/// A panel this many times its spacing's triangles is not a garment's.
const MAX_POINTS: usize = 200_000;

/// One panel meshed: its flat points, triangles (indices into them) and each edge's
/// particles from its first corner to its last.
struct Meshed {
    flat: Vec<Vec2>,
    triangles: Vec<[u32; 3]>,
    chains: Vec<Vec<u32>>,
}

impl FreePanel {
    fn edge_length(&self, edge: usize) -> f32 {
        outline::length(&self.edges[edge])
    }

    /// The outline, each corner once.
    fn outline(&self) -> Vec<Vec2> {
        self.edges
            .iter()
            .flat_map(|e| e[..e.len() - 1].iter().copied())
            .collect()
    }

    fn check(&self) -> Result<(), PatternError> {
        let bad = || PatternError::BadPanel(self.name.clone());
        if self.edges.len() < 3 || self.edges.iter().any(|e| e.len() < 2) {
            return Err(bad());
        }
        let finite = self.edges.iter().flatten().all(|p| p.is_finite())
            && self.rotation.is_finite()
            && self.translation.is_finite();
        if !finite {
            return Err(PatternError::NotFinite(self.name.clone()));
        }
        let outline = self.outline();
        if outline::crosses_itself(&outline) {
            return Err(PatternError::CrossesItself(self.name.clone()));
        }
        if outline::area2(&outline).abs() < 1e-8 {
            return Err(bad());
        }
        Ok(())
    }

    /// Meshes the panel at about `spacing`, counter-clockwise in the flat it rests in (a
    /// panel drawn clockwise rests in its mirror image, which changes no length).
    fn mesh(&self, spacing: f32) -> Result<Meshed, PatternError> {
        self.check()?;
        let clockwise = outline::area2(&self.outline()) < 0.0;
        let mirror = |p: Vec2| if clockwise { Vec2::new(-p.x, p.y) } else { p };
        // The boundary: each edge cut into equal steps of at most `spacing`.
        let too_big = || PatternError::TooLarge(self.name.clone());
        let steps: Vec<f32> = self
            .edges
            .iter()
            .map(|edge| (outline::length(edge) / spacing - 1e-3).ceil().max(1.0))
            .collect();
        // Counted before any point is made: a panel kilometres wide is refused, not meshed.
        if steps.iter().sum::<f32>().partial_cmp(&(MAX_POINTS as f32))
            != Some(std::cmp::Ordering::Less)
        {
            return Err(too_big());
        }
        let mut boundary: Vec<Vec2> = Vec::new();
        let mut starts = Vec::new();
        for (edge, &steps) in self.edges.iter().zip(&steps) {
            let steps = steps as usize;
            starts.push(boundary.len());
            boundary
                .extend((0..steps).map(|k| mirror(outline::along(edge, k as f32 / steps as f32))));
        }
        let mut cdt = ConstrainedDelaunayTriangulation::<Point2<f64>>::new();
        let mut handles = Vec::with_capacity(boundary.len());
        for p in &boundary {
            let h = cdt
                .insert(Point2::new(p.x as f64, p.y as f64))
                .map_err(|_| PatternError::NotFinite(self.name.clone()))?;
            handles.push(h);
        }
        let distinct: HashSet<usize> = handles.iter().map(|h| h.index()).collect();
        if distinct.len() != handles.len() {
            return Err(PatternError::CrossesItself(self.name.clone()));
        }
        for k in 0..handles.len() {
            let (a, b) = (handles[k], handles[(k + 1) % handles.len()]);
            if !cdt.can_add_constraint(a, b) {
                return Err(PatternError::CrossesItself(self.name.clone()));
            }
            cdt.add_constraint(a, b);
        }
        let area = f64::from(spacing * spacing) * 0.5;
        let result = cdt.refine(
            RefinementParameters::<f64>::new()
                .with_max_allowed_area(area)
                .with_angle_limit(AngleLimit::from_deg(25.0))
                .keep_constraint_edges()
                .exclude_outer_faces(true)
                .with_max_additional_vertices(MAX_POINTS),
        );
        if !result.refinement_complete {
            return Err(too_big());
        }
        let outside: HashSet<usize> = result.excluded_faces.iter().map(|f| f.index()).collect();
        let flat: Vec<Vec2> = cdt
            .vertices()
            .map(|v| {
                let p = v.position();
                Vec2::new(p.x as f32, p.y as f32)
            })
            .collect();
        let triangles: Vec<[u32; 3]> = cdt
            .inner_faces()
            .filter(|f| !outside.contains(&f.fix().index()))
            .map(|f| f.vertices().map(|v| v.fix().index() as u32))
            .collect();
        if triangles.is_empty() {
            return Err(PatternError::BadPanel(self.name.clone()));
        }
        let n = handles.len();
        let chains = starts
            .iter()
            .enumerate()
            .map(|(e, &s)| {
                let end = starts.get(e + 1).copied().unwrap_or(n);
                (s..=end).map(|k| handles[k % n].index() as u32).collect()
            })
            .collect();
        Ok(Meshed {
            flat,
            triangles,
            chains,
        })
    }
}

impl Meshed {
    /// Where the flat point `p` is among `positions` (this mesh's particles, placed): inside
    /// the triangle that holds it, between its corners; else at the nearest particle.
    fn point_at(&self, p: Vec2, positions: &[Vec3]) -> Vec3 {
        for t in &self.triangles {
            let [a, b, c] = t.map(|i| self.flat[i as usize]);
            let area = (b - a).perp_dot(c - a);
            if area.abs() < 1e-12 {
                continue;
            }
            let (u, v) = (
                (p - a).perp_dot(c - a) / area,
                (b - a).perp_dot(p - a) / area,
            );
            if u >= -1e-4 && v >= -1e-4 && u + v <= 1.0 + 1e-4 {
                let [pa, pb, pc] = t.map(|i| positions[i as usize]);
                return pa + (pb - pa) * u + (pc - pa) * v;
            }
        }
        let nearest = (0..self.flat.len())
            .min_by(|&i, &j| {
                let (di, dj) = (self.flat[i].distance(p), self.flat[j].distance(p));
                di.total_cmp(&dj)
            })
            .unwrap_or(0);
        positions[nearest]
    }
}

/// How far (m) a panel may be moved out to start clear of the body, and in what steps.
const CLEARING: (f32, f32) = (0.3, 0.01);

impl FreePattern {
    /// Moves each panel that starts (partly) inside `collider` — within `skin` of it — out
    /// along the way its cloth faces, a centimetre at a time, until it is clear (up to
    /// 30 cm): cloth that starts inside is pushed out by the nearest way, which can be the
    /// wrong side of an arm, and a seam caught round it never closes. A pattern drafted for
    /// another body (an import) lays its sleeves where that body's arms were. Returns how
    /// many panels were moved.
    pub fn clear_of(&mut self, collider: &dyn Collider, skin: f32) -> Result<usize, PatternError> {
        let mut moved = 0;
        for p in &mut self.panels {
            let m = p.mesh(self.spacing)?;
            let clockwise = outline::area2(&p.outline()) < 0.0;
            let facing = p.rotation * Vec3::Z * if clockwise { -1.0 } else { 1.0 };
            let points: Vec<Vec3> = m
                .flat
                .iter()
                .map(|q| {
                    let x = if clockwise { -q.x } else { q.x };
                    p.rotation * Vec3::new(x, q.y, 0.0)
                })
                .collect();
            let deepest = |t: Vec3| {
                points
                    .iter()
                    .map(|q| collider.sample(*q + t))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(d, _)| *d < skin)
            };
            // Out the way it faces; failing that (a hem below the floor), out the way the
            // collider pushes its deepest point.
            let Some((_, push)) = deepest(p.translation) else {
                continue;
            };
            for way in [facing, push] {
                let mut offset = 0.0;
                while deepest(p.translation + way * offset).is_some() && offset < CLEARING.0 {
                    offset += CLEARING.1;
                }
                if deepest(p.translation + way * offset).is_none() {
                    p.translation += way * offset;
                    moved += 1;
                    break;
                }
            }
        }
        Ok(moved)
    }

    /// Where a drape of this pattern that ended at `positions` puts the particles of `to`,
    /// the same garment graded for another body (the same panels, sized and meshed anew):
    /// each of `to`'s particles takes the place of the same point of its panel here (as a
    /// fraction of the way across and up the panel's extent), inside the triangle of this
    /// mesh that holds it, or at the nearest particle when it falls just outside. None
    /// when the panels differ or `positions` is not a drape of this pattern.
    pub fn carry_over(&self, positions: &[Vec3], to: &FreePattern) -> Option<Vec<Vec3>> {
        if self.panels.len() != to.panels.len() {
            return None;
        }
        let mesh = |pattern: &FreePattern| -> Option<Vec<Meshed>> {
            let meshed = pattern.panels.iter().map(|p| p.mesh(pattern.spacing));
            meshed.collect::<Result<_, _>>().ok()
        };
        let (from, onto) = (mesh(self)?, mesh(to)?);
        if from.iter().map(|m| m.flat.len()).sum::<usize>() != positions.len() {
            return None;
        }
        let extent = |flat: &[Vec2]| {
            let lo = flat.iter().fold(Vec2::MAX, |a, b| a.min(*b));
            let hi = flat.iter().fold(Vec2::MIN, |a, b| a.max(*b));
            (lo, (hi - lo).max(Vec2::splat(1e-6)))
        };
        let mut carried = Vec::new();
        let mut first = 0;
        for (source, target) in from.iter().zip(&onto) {
            let at = &positions[first..first + source.flat.len()];
            let ((slo, ssize), (tlo, tsize)) = (extent(&source.flat), extent(&target.flat));
            for q in &target.flat {
                let p = slo + (*q - tlo) / tsize * ssize;
                carried.push(source.point_at(p, at));
            }
            first += source.flat.len();
        }
        Some(carried)
    }

    /// The pattern as cloth: each panel meshed and laid where its rotation and translation
    /// put it, at rest in the flat, every seam stitched point to point.
    pub fn cloth(&self, mechanics: Mechanics) -> Result<Cloth, PatternError> {
        let mut placed = Vec::new();
        let mut flat = Vec::new();
        let mut triangles = Vec::new();
        let mut chains: Vec<Vec<Vec<u32>>> = Vec::new();
        for p in &self.panels {
            let m = p.mesh(self.spacing)?;
            let first = placed.len() as u32;
            let clockwise = outline::area2(&p.outline()) < 0.0;
            placed.extend(m.flat.iter().map(|q| {
                // Back from the mirror image to the panel's own plane.
                let x = if clockwise { -q.x } else { q.x };
                p.rotation * Vec3::new(x, q.y, 0.0) + p.translation
            }));
            flat.extend(&m.flat);
            // Counter-clockwise in the mirror image is clockwise in the panel's own plane:
            // its cloth faces the way its outline turns (away from the body for a back
            // panel).
            triangles.extend(m.triangles.iter().map(|t| t.map(|i| i + first)));
            chains.push(
                m.chains
                    .into_iter()
                    .map(|c| c.into_iter().map(|i| i + first).collect())
                    .collect(),
            );
        }
        let mut stitches = Vec::new();
        for (i, s) in self.seams.iter().enumerate() {
            let side = |(panel, edge): (usize, usize)| {
                let n = self.panels.len();
                let p = self
                    .panels
                    .get(panel)
                    .ok_or(PatternError::NoPanel(i, panel, n))?;
                if edge >= p.edges.len() {
                    return Err(PatternError::NoEdge(i, p.name.clone(), edge, p.edges.len()));
                }
                Ok((chains[panel][edge].clone(), p.edge_length(edge)))
            };
            let (a, la) = side(s.a)?;
            let (mut b, lb) = side(s.b)?;
            if la.max(lb) > SEAM_TOLERANCE * la.min(lb) {
                return Err(PatternError::SeamLengths(i, la * 100.0, lb * 100.0));
            }
            if !s.same_direction {
                b.reverse();
            }
            sew_stretches(Stretch::whole(&a), Stretch::whole(&b), &flat, &mut stitches);
        }
        let mut cloth = Cloth::new(placed, Some(&flat), triangles, mechanics)?;
        add_stitches(&mut cloth, stitches);
        Ok(cloth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cotton() -> Mechanics {
        Mechanics {
            density: 0.15,
            stretch_compliance: 1e-6,
            compress_compliance: 0.01,
            bend_compliance: 1e5,
            friction: 0.3,
            strain_limit: f32::INFINITY,
        }
    }

    fn square(name: &str, z: f32, clockwise: bool) -> FreePanel {
        let mut corners = [
            Vec2::new(0.0, 0.0),
            Vec2::new(0.3, 0.0),
            Vec2::new(0.3, 0.3),
            Vec2::new(0.0, 0.3),
        ];
        if clockwise {
            corners.reverse();
        }
        FreePanel {
            name: name.into(),
            edges: (0..4)
                .map(|k| vec![corners[k], corners[(k + 1) % 4]])
                .collect(),
            rotation: Mat3::IDENTITY,
            translation: Vec3::new(-0.15, 1.0, z),
        }
    }

    #[test]
    fn a_panel_is_meshed_at_its_spacing_with_its_edges_evenly_cut() {
        let p = square("front", 0.1, false);
        let m = p.mesh(0.015).expect("mesh");
        assert_eq!(m.chains.len(), 4);
        for c in &m.chains {
            assert_eq!(c.len(), 21, "0.3 m in 20 steps of 1.5 cm");
        }
        let area: f32 = m
            .triangles
            .iter()
            .map(|t| {
                let [a, b, c] = t.map(|i| m.flat[i as usize]);
                (b - a).perp_dot(c - a) * 0.5
            })
            .sum();
        assert!((area - 0.09).abs() < 1e-4, "{area}");
        assert!(m.triangles.iter().all(|t| {
            let [a, b, c] = t.map(|i| m.flat[i as usize]);
            (b - a).perp_dot(c - a) > 0.0
        }));
        let longest = m
            .triangles
            .iter()
            .flat_map(|t| (0..3).map(move |k| (t[k], t[(k + 1) % 3])))
            .map(|(a, b)| m.flat[a as usize].distance(m.flat[b as usize]))
            .fold(0.0, f32::max);
        assert!(longest < 0.03, "{longest}");
    }

    #[test]
    fn two_panels_sewn_front_to_back_close_their_seams_facing_outwards() {
        let pattern = FreePattern {
            panels: vec![square("front", 0.1, false), square("back", -0.1, true)],
            // Front's right edge (1, upwards) to the back's edge down the same side (1).
            seams: vec![FreeSeam {
                a: (0, 1),
                b: (1, 1),
                same_direction: false,
            }],
            spacing: 0.015,
        };
        let cloth = pattern.cloth(cotton()).expect("cloth");
        // Every stitch joins points at the same height (the seam pairs the ends right).
        assert!(!cloth.stitches.is_empty());
        let heights_apart = cloth
            .stitches
            .iter()
            .map(|d| (cloth.positions[d.a as usize].y - d.target(&cloth.positions).y).abs())
            .fold(0.0, f32::max);
        assert!(heights_apart < 1e-3, "{heights_apart}");
        // Both panels face away from each other: the front +z, the back −z.
        let normal = |t: [u32; 3]| {
            let [a, b, c] = t.map(|i| cloth.positions[i as usize]);
            (b - a).cross(c - a).z
        };
        let (front, back): (Vec<&[u32; 3]>, Vec<&[u32; 3]>) = cloth
            .triangles
            .iter()
            .partition(|t| cloth.positions[t[0] as usize].z > 0.0);
        assert!(front.iter().all(|t| normal(**t) > 0.0));
        assert!(back.iter().all(|t| normal(**t) < 0.0));
    }

    #[test]
    fn a_drape_is_carried_to_the_same_panel_graded_larger() {
        let small = FreePattern {
            panels: vec![square("front", 0.1, false)],
            seams: Vec::new(),
            spacing: 0.015,
        };
        let mut large = small.clone();
        for e in &mut large.panels[0].edges {
            for p in e.iter_mut() {
                *p *= 1.5;
            }
        }
        // The small panel "draped": lifted 10 cm and turned 30° about the vertical.
        let turn = Mat3::from_rotation_y(0.5);
        let drape = |p: Vec3| turn * p + Vec3::Y * 0.1;
        let draped: Vec<Vec3> = small
            .cloth(cotton())
            .expect("cloth")
            .positions
            .into_iter()
            .map(drape)
            .collect();
        let carried = small.carry_over(&draped, &large).expect("the same panels");
        let grown = large.cloth(cotton()).expect("cloth");
        assert_eq!(carried.len(), grown.positions.len());
        // Each particle of the larger panel goes where the same fraction of the small one was.
        for (c, g) in carried.iter().zip(&grown.positions) {
            let flat = (*g - large.panels[0].translation) / 1.5 + small.panels[0].translation;
            let want = drape(flat);
            assert!(c.distance(want) < 1e-3, "{c} for {want}");
        }
        // Positions of another pattern carry nothing.
        assert!(small.carry_over(&draped[1..], &large).is_none());
    }

    #[test]
    fn bad_panels_and_seams_are_refused_by_name() {
        let mut bow = square("bow tie", 0.0, false);
        bow.edges[1] = vec![Vec2::new(0.3, 0.0), Vec2::new(0.0, 0.3)];
        bow.edges[3] = vec![Vec2::new(0.3, 0.3), Vec2::new(0.0, 0.0)];
        bow.edges[2] = vec![Vec2::new(0.0, 0.3), Vec2::new(0.3, 0.3)];
        let err = bow.mesh(0.015).map(|_| ()).expect_err("crosses");
        assert_eq!(err, PatternError::CrossesItself("bow tie".into()));

        let mut huge = square("tent", 0.0, false);
        for e in &mut huge.edges {
            for p in e.iter_mut() {
                *p *= 1e6;
            }
        }
        assert_eq!(
            huge.mesh(0.015).map(|_| ()).expect_err("too large"),
            PatternError::TooLarge("tent".into())
        );

        let mut nan = square("nan", 0.0, false);
        nan.translation.x = f32::NAN;
        assert_eq!(
            nan.mesh(0.015).map(|_| ()).expect_err("nan"),
            PatternError::NotFinite("nan".into())
        );

        let pattern = FreePattern {
            panels: vec![square("front", 0.1, false), square("back", -0.1, true)],
            seams: vec![FreeSeam {
                a: (0, 1),
                b: (1, 9),
                same_direction: false,
            }],
            spacing: 0.015,
        };
        let err = pattern.cloth(cotton()).map(|_| ()).expect_err("edge");
        assert!(err.to_string().contains("edge 9"), "{err}");

        let mut long = square("long", -0.1, true);
        for e in &mut long.edges {
            for p in e.iter_mut() {
                p.y *= 2.0;
            }
        }
        let pattern = FreePattern {
            panels: vec![square("front", 0.1, false), long],
            seams: vec![FreeSeam {
                a: (0, 1),
                b: (1, 1),
                same_direction: false,
            }],
            spacing: 0.015,
        };
        let err = pattern.cloth(cotton()).map(|_| ()).expect_err("lengths");
        assert_eq!(
            err.to_string(),
            "seam 0 sews edges of different lengths (30.0 cm and 60.0 cm, more than 20 % apart)"
        );
    }
}
