//! Sewing patterns: flat panels (four-sided, in metres), each meshed as a grid of about a
//! given spacing, wrapped around an axis to sit around the body (the torso, a leg, an arm, a
//! shoulder), and seams that sew an edge — or a stretch of one — of one panel to another's
//! with zero-length stitches. A garment is its panels and seams; [`Pattern::cloth`] turns it
//! into cloth ready to drape.

use crate::solver::{Cloth, ClothError, Mechanics};
use glam::{Vec2, Vec3};

/// A four-sided panel: its corners in the flat (metres), counter-clockwise from the bottom
/// left — bottom left, bottom right, top right, top left — as a pattern maker draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub name: String,
    pub corners: [Vec2; 4],
    /// Where it goes: rolled around an axis through `centre`, starting at angle `from` and
    /// spanning its bottom width over `radius` (see `wrap`), the middle of its bottom edge at
    /// `centre`'s height along the axis.
    pub placement: Placement,
}

/// How a panel is wrapped around the body: around `axis` (the panel's own up) through
/// `centre`, angles measured from `front` (radians, turning towards `axis × front`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub centre: Vec3,
    pub radius: f32,
    pub from: f32,
    pub axis: Vec3,
    pub front: Vec3,
}

impl Placement {
    /// Around a vertical axis (the torso, a leg), angle 0 at the body's front (+z), turning
    /// towards +x.
    pub fn around_y(centre: Vec3, radius: f32, from: f32) -> Placement {
        Placement {
            centre,
            radius,
            from,
            axis: Vec3::Y,
            front: Vec3::Z,
        }
    }
}

/// One of a panel's four edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Bottom,
    Right,
    Top,
    Left,
}

/// A stretch of a panel's edge: from `span.0` to `span.1` of its length, in the edge's own
/// (counter-clockwise) direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Side {
    pub panel: usize,
    pub edge: Edge,
    pub span: (f32, f32),
}

impl Side {
    /// The whole edge.
    pub fn whole(panel: usize, edge: Edge) -> Side {
        Side {
            panel,
            edge,
            span: (0.0, 1.0),
        }
    }

    /// The stretch of the edge from `from` to `to` (fractions of its length).
    pub fn part(panel: usize, edge: Edge, from: f32, to: f32) -> Side {
        Side {
            panel,
            edge,
            span: (from, to),
        }
    }
}

/// A seam: `a` sewn to `b`. Edges run counter-clockwise around their panels, so two panels
/// side by side meet with their edges running opposite ways: that is the pairing unless
/// `reversed` says they run the same way.
#[derive(Debug, Clone, PartialEq)]
pub struct Seam {
    pub a: Side,
    pub b: Side,
    pub reversed: bool,
}

impl Seam {
    /// Whole edge `a` of panel `pa` sewn to whole edge `b` of panel `pb`, running opposite ways.
    pub fn edges(pa: usize, a: Edge, pb: usize, b: Edge) -> Seam {
        Seam {
            a: Side::whole(pa, a),
            b: Side::whole(pb, b),
            reversed: false,
        }
    }
}

/// Why a pattern cannot be made into cloth.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PatternError {
    #[error(
        "panel '{0}' is degenerate or turns the wrong way (its corners must go counter-clockwise)"
    )]
    BadPanel(String),
    #[error(
        "seam {0} sews edges of different lengths ({1:.1} cm and {2:.1} cm, more than 20 % apart)"
    )]
    SeamLengths(usize, f32, f32),
    #[error("seam {0} names panel {1}, but the pattern has {2}")]
    NoPanel(usize, usize, usize),
    #[error("seam {0} sews a stretch of an edge outside 0..1 or of no length ({1}..{2})")]
    BadSpan(usize, f32, f32),
    #[error("a value in panel '{0}' is not a finite number")]
    NotFinite(String),
    #[error(transparent)]
    Cloth(#[from] ClothError),
}

/// Where the flat point `q` of panel `p` goes around the body: onto the cone that the
/// panel's side edges roll up into (an isometry, so the cloth starts unstrained: the sides'
/// meeting point is the apex on the axis), or a cylinder when the sides are parallel. The
/// panel spans its bottom width over the placement radius, centred on `from` + half of that.
fn wrap(p: &Panel, q: Vec2) -> Vec3 {
    let c = p.corners;
    let pl = p.placement;
    let span = c[0].distance(c[1]) / pl.radius;
    let mid_bottom = (c[0] + c[1]) * 0.5;
    let centre_angle = pl.from + span * 0.5;
    let axis = pl.axis.normalize_or(Vec3::Y);
    let front = (pl.front - axis * pl.front.dot(axis)).normalize_or(Vec3::Z);
    let side = axis.cross(front);
    let at = |theta: f32, r: f32, y: f32| {
        pl.centre + (side * theta.sin() + front * theta.cos()) * r + axis * y
    };
    let (left, right) = (c[3] - c[0], c[2] - c[1]);
    let cross = left.perp_dot(right);
    if cross.abs() < 1e-6 {
        // A cylinder: x along the circle, y up.
        let theta = centre_angle + (q.x - mid_bottom.x) / pl.radius;
        return at(theta, pl.radius, q.y - c[0].y);
    }
    // The apex: where the side lines meet.
    let t = (c[1] - c[0]).perp_dot(right) / cross;
    let apex = c[0] + left * t;
    let flat_axis = (mid_bottom - apex).normalize_or(Vec2::NEG_Y);
    let flat_angle = left.angle_to(right).abs();
    let sin_beta = (flat_angle / span).clamp(1e-4, 1.0);
    let cos_beta = (1.0 - sin_beta * sin_beta).sqrt();
    let rho_bottom = apex.distance(mid_bottom);
    let d = q - apex;
    let rho = d.length();
    let phi = flat_axis.angle_to(d);
    // A panel widening downwards has its apex above; one narrowing downwards, below.
    let down = if flat_axis.y < 0.0 { 1.0 } else { -1.0 };
    let apex_y = rho_bottom * cos_beta * down;
    at(
        centre_angle + phi / sin_beta * down,
        rho * sin_beta,
        apex_y - rho * cos_beta * down,
    )
}

/// A garment's pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub panels: Vec<Panel>,
    pub seams: Vec<Seam>,
    /// Bands: loops of whole edges (a waistband), each edge followed from its end to its
    /// start (clockwise), so the top edges of panels side by side, left to right, make one
    /// loop; no longer than the edges' own length.
    pub bands: Vec<Vec<(usize, Edge)>>,
    /// Tapes: single edges that cannot stretch beyond their length as a whole (a strap's).
    pub tapes: Vec<(usize, Edge)>,
    /// Mesh spacing (metres), about 1.5 cm.
    pub spacing: f32,
}

/// One meshed panel: its grid size and where its particles start.
struct Meshed {
    nx: usize,
    ny: usize,
    first: u32,
}

impl Meshed {
    /// The particles along a stretch of an edge.
    fn side(&self, side: &Side) -> Vec<u32> {
        let all = self.edge(side.edge);
        let last = (all.len() - 1) as f32;
        let from = (side.span.0 * last).round() as usize;
        let to = ((side.span.1 * last).round() as usize).max(from + 1);
        all[from..=to.min(all.len() - 1)].to_vec()
    }

    /// The particles along `edge`, in the edge's own direction (counter-clockwise).
    fn edge(&self, edge: Edge) -> Vec<u32> {
        let at = |i: usize, j: usize| self.first + (j * self.nx + i) as u32;
        match edge {
            Edge::Bottom => (0..self.nx).map(|i| at(i, 0)).collect(),
            Edge::Right => (0..self.ny).map(|j| at(self.nx - 1, j)).collect(),
            Edge::Top => (0..self.nx).rev().map(|i| at(i, self.ny - 1)).collect(),
            Edge::Left => (0..self.ny).rev().map(|j| at(0, j)).collect(),
        }
    }
}

fn edge_length(p: &Panel, e: Edge) -> f32 {
    let c = p.corners;
    let (a, b) = match e {
        Edge::Bottom => (c[0], c[1]),
        Edge::Right => (c[1], c[2]),
        Edge::Top => (c[2], c[3]),
        Edge::Left => (c[3], c[0]),
    };
    a.distance(b)
}

impl Pattern {
    /// Checks the pattern: panels turn counter-clockwise and are finite, seams name panels
    /// and sew edges within 20 % of each other's length.
    pub fn validate(&self) -> Result<(), PatternError> {
        for p in &self.panels {
            if p.corners.iter().any(|c| !c.is_finite())
                || !p.placement.centre.is_finite()
                || !p.placement.radius.is_finite()
                || !p.placement.from.is_finite()
            {
                return Err(PatternError::NotFinite(p.name.clone()));
            }
            let c = p.corners;
            let area2: f32 = (0..4).map(|i| c[i].perp_dot(c[(i + 1) % 4])).sum();
            let convex = (0..4)
                .all(|i| (c[(i + 1) % 4] - c[i]).perp_dot(c[(i + 2) % 4] - c[(i + 1) % 4]) > 0.0);
            if area2 <= 1e-6 || !convex || p.placement.radius <= 0.0 {
                return Err(PatternError::BadPanel(p.name.clone()));
            }
        }
        for (k, s) in self.seams.iter().enumerate() {
            for side in [s.a, s.b] {
                if side.panel >= self.panels.len() {
                    return Err(PatternError::NoPanel(k, side.panel, self.panels.len()));
                }
                let (from, to) = side.span;
                if !(0.0..1.0).contains(&from) || !(from..=1.0).contains(&to) || to - from < 1e-3 {
                    return Err(PatternError::BadSpan(k, from, to));
                }
            }
            let (la, lb) = (self.side_length(&s.a), self.side_length(&s.b));
            if (la - lb).abs() > 0.2 * la.max(lb) {
                return Err(PatternError::SeamLengths(k, la * 100.0, lb * 100.0));
            }
        }
        Ok(())
    }

    fn side_length(&self, side: &Side) -> f32 {
        edge_length(&self.panels[side.panel], side.edge) * (side.span.1 - side.span.0)
    }

    /// How many particles across and up `panel` is meshed with.
    fn grid(&self, panel: &Panel) -> (usize, usize) {
        let c = panel.corners;
        let width = c[0].distance(c[1]).max(c[3].distance(c[2]));
        let height = c[0].distance(c[3]).max(c[1].distance(c[2]));
        let nx = ((width / self.spacing).round() as usize).max(1) + 1;
        let ny = ((height / self.spacing).round() as usize).max(1) + 1;
        (nx, ny)
    }

    /// Where a drape of this pattern that ended at `positions` puts the particles of `to`,
    /// the same garment graded for another body (the same panels, sized and meshed anew):
    /// each of `to`'s particles takes the place of the same point of its panel here (as a
    /// fraction of the way across and up it), between the four particles around that point.
    /// None when the panels differ or `positions` is not a drape of this pattern.
    pub fn carry_over(&self, positions: &[Vec3], to: &Pattern) -> Option<Vec<Vec3>> {
        if self.panels.len() != to.panels.len() {
            return None;
        }
        let grids: Vec<(usize, usize)> = self.panels.iter().map(|p| self.grid(p)).collect();
        if grids.iter().map(|(nx, ny)| nx * ny).sum::<usize>() != positions.len() {
            return None;
        }
        let mut carried = Vec::new();
        let mut first = 0;
        for (&(nx, ny), panel) in grids.iter().zip(&to.panels) {
            let at = |i: usize, j: usize| positions[first + j * nx + i];
            let (tx, ty) = to.grid(panel);
            for j in 0..ty {
                for i in 0..tx {
                    let x = i as f32 / (tx - 1) as f32 * (nx - 1) as f32;
                    let y = j as f32 / (ty - 1) as f32 * (ny - 1) as f32;
                    let (i0, j0) = ((x as usize).min(nx - 2), (y as usize).min(ny - 2));
                    let (fx, fy) = (x - i0 as f32, y - j0 as f32);
                    let bottom = at(i0, j0).lerp(at(i0 + 1, j0), fx);
                    let top = at(i0, j0 + 1).lerp(at(i0 + 1, j0 + 1), fx);
                    carried.push(bottom.lerp(top, fy));
                }
            }
            first += nx * ny;
        }
        Some(carried)
    }

    /// The pattern as cloth: each panel a grid wrapped into place, at rest in the flat, and
    /// every seam stitched point to point.
    pub fn cloth(&self, mechanics: Mechanics) -> Result<Cloth, PatternError> {
        self.validate()?;
        let mut placed = Vec::new();
        let mut flat = Vec::new();
        let mut triangles = Vec::new();
        let mut meshed = Vec::new();
        for p in &self.panels {
            let c = p.corners;
            let (nx, ny) = self.grid(p);
            let first = placed.len() as u32;
            for j in 0..ny {
                for i in 0..nx {
                    let (u, v) = (i as f32 / (nx - 1) as f32, j as f32 / (ny - 1) as f32);
                    let bottom = c[0].lerp(c[1], u);
                    let top = c[3].lerp(c[2], u);
                    let q = bottom.lerp(top, v);
                    flat.push(q);
                    placed.push(wrap(p, q));
                }
            }
            for j in 0..ny - 1 {
                for i in 0..nx - 1 {
                    let a = first + (j * nx + i) as u32;
                    let (b, d, e) = (a + 1, a + nx as u32, a + nx as u32 + 1);
                    if (i + j) % 2 == 0 {
                        triangles.extend([[a, b, e], [a, e, d]]);
                    } else {
                        triangles.extend([[a, b, d], [b, e, d]]);
                    }
                }
            }
            meshed.push(Meshed { nx, ny, first });
        }
        let mut stitches = Vec::new();
        for s in &self.seams {
            let a = meshed[s.a.panel].side(&s.a);
            let mut b = meshed[s.b.panel].side(&s.b);
            if !s.reversed {
                b.reverse();
            }
            sew(&a, &b, &mut stitches);
            sew(&b, &a, &mut stitches);
        }
        let mut loops = Vec::new();
        for band in &self.bands {
            let mut ids: Vec<u32> = Vec::new();
            let mut rest = 0.0;
            for &(panel, edge) in band {
                let m = meshed.get(panel).ok_or(PatternError::NoPanel(
                    usize::MAX,
                    panel,
                    self.panels.len(),
                ))?;
                ids.extend(m.edge(edge).into_iter().rev());
                rest += edge_length(&self.panels[panel], edge);
            }
            loops.push((ids, rest, true));
        }
        for &(panel, edge) in &self.tapes {
            let m = meshed.get(panel).ok_or(PatternError::NoPanel(
                usize::MAX,
                panel,
                self.panels.len(),
            ))?;
            loops.push((m.edge(edge), edge_length(&self.panels[panel], edge), false));
        }
        let mut cloth = Cloth::new(placed, Some(&flat), triangles, mechanics)?;
        stitches.sort_unstable_by(|x, y| {
            (x.0, x.1, x.2)
                .cmp(&(y.0, y.1, y.2))
                .then(x.3.total_cmp(&y.3))
        });
        stitches.dedup();
        for (a, b, c, t) in stitches {
            if b == c {
                cloth.stitch(a, b);
            } else {
                cloth.stitch_between(a, b, c, t);
            }
        }
        for (ids, rest, closed) in loops {
            cloth.band(ids, rest, closed);
        }
        Ok(cloth)
    }
}

/// Sews each particle of side `a` to its place along side `b` (both run the same way, the
/// same length in the flat): to the particle there, or between the two it falls between.
/// A particle sewn to a particle is sewn once, from the side it comes first.
fn sew(a: &[u32], b: &[u32], stitches: &mut Vec<(u32, u32, u32, f32)>) {
    let (na, nb) = (a.len().max(2) - 1, b.len().max(2) - 1);
    for (i, &p) in a.iter().enumerate() {
        let at = i as f32 / na as f32 * nb as f32;
        let j = (at.floor() as usize)
            .min(nb.saturating_sub(1))
            .min(b.len() - 1);
        let t = at - j as f32;
        let near = |t: f32| t.abs() < 0.05;
        if near(t) || near(1.0 - t) || b.len() == 1 {
            let q = b[if near(t) || b.len() == 1 { j } else { j + 1 }];
            let (lo, hi) = (p.min(q), p.max(q));
            stitches.push((lo, hi, hi, 0.0));
        } else {
            stitches.push((p, b[j], b[j + 1], t));
        }
    }
}

/// A two-panel skirt (front and back) sewn at the sides: waist and hem girths and length in
/// metres, its waist `ease` over the body's, hanging from `waist_y` around a body whose
/// waist is centred at `centre`.
pub fn skirt(waist: f32, hem: f32, length: f32, centre: Vec3) -> Pattern {
    let (w, h) = (waist / 2.0, hem / 2.0);
    let flare = (h - w) / 2.0;
    let panel = |name: &str, from: f32| Panel {
        name: name.into(),
        corners: [
            Vec2::new(0.0, 0.0),
            Vec2::new(h, 0.0),
            Vec2::new(h - flare, length),
            Vec2::new(flare, length),
        ],
        placement: Placement::around_y(
            centre - Vec3::Y * length,
            hem / std::f32::consts::TAU,
            from,
        ),
    };
    Pattern {
        panels: vec![
            panel("front", -std::f32::consts::FRAC_PI_2),
            panel("back", std::f32::consts::FRAC_PI_2),
        ],
        seams: vec![
            Seam::edges(0, Edge::Right, 1, Edge::Left),
            Seam::edges(1, Edge::Right, 0, Edge::Left),
        ],
        bands: vec![vec![(0, Edge::Top), (1, Edge::Top)]],
        tapes: Vec::new(),
        spacing: 0.015,
    }
}
