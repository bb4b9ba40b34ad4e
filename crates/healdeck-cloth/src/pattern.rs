//! Sewing patterns: flat panels (four corners in metres, the edges between them straight or
//! curved — see [`crate::outline`]), each meshed in rows at about a given spacing
//! (`rows.rs`), wrapped around an axis to sit around the body (the torso, a leg, an arm, a
//! shoulder), and seams that sew an edge — or a stretch of one — of one panel to another's
//! with zero-length stitches. A garment is its panels and seams; [`Pattern::cloth`] turns it
//! into cloth ready to drape.

pub use crate::gores::{gore, skirt, straight_skirt};
use crate::outline;
use crate::rows;
use crate::sewing::{Stretch, add_stitches, sew_stretches};
use crate::solver::{Cloth, ClothError, Mechanics};
use glam::{Vec2, Vec3};

/// A four-sided panel: its corners in the flat (metres), counter-clockwise from the bottom
/// left — bottom left, bottom right, top right, top left — as a pattern maker draws it, and
/// the edges between them, straight unless they pass through points of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub name: String,
    pub corners: [Vec2; 4],
    /// The points each edge (bottom, right, top, left) passes through between its corners,
    /// in the edge's own (counter-clockwise) direction: none for a straight edge; a curve
    /// (see [`outline::arc`]) or a notch (a V neckline's point) otherwise.
    pub via: [Vec<Vec2>; 4],
    /// Where it goes: rolled around an axis through `centre`, starting at angle `from` and
    /// spanning its bottom width over `radius` (see `wrapping`), the middle of its bottom edge at
    /// `centre`'s height along the axis.
    pub placement: Placement,
}

impl Panel {
    /// A panel with straight edges.
    pub fn new(name: impl Into<String>, corners: [Vec2; 4], placement: Placement) -> Panel {
        Panel {
            name: name.into(),
            corners,
            via: Default::default(),
            placement,
        }
    }

    /// The panel with `edge` passing through `points` (in the edge's direction).
    pub fn with_edge(mut self, edge: Edge, points: Vec<Vec2>) -> Panel {
        self.via[edge as usize] = points;
        self
    }

    /// An edge as a polyline: its start corner, the points it passes through, its end corner.
    pub fn edge_points(&self, edge: Edge) -> Vec<Vec2> {
        let k = edge as usize;
        let mut points = vec![self.corners[k]];
        points.extend(&self.via[k]);
        points.push(self.corners[(k + 1) % 4]);
        points
    }

    /// The whole outline, counter-clockwise from the bottom left corner, each point once.
    pub fn outline(&self) -> Vec<Vec2> {
        (0..4)
            .flat_map(|k| std::iter::once(self.corners[k]).chain(self.via[k].iter().copied()))
            .collect()
    }

    /// An edge's length along its curve (metres).
    pub fn edge_length(&self, edge: Edge) -> f32 {
        outline::length(&self.edge_points(edge))
    }

    pub(crate) fn is_straight(&self) -> bool {
        self.via.iter().all(Vec::is_empty)
    }
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
    Bottom = 0,
    Right = 1,
    Top = 2,
    Left = 3,
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
    #[error("seam {0} names edge {2} of panel '{1}', which has {3} edges")]
    NoEdge(usize, String, usize, usize),
    #[error("panel '{0}' is too large to mesh at this spacing (over 200,000 points)")]
    TooLarge(String),
    #[error("seam {0} sews a stretch of an edge outside 0..1 or of no length ({1}..{2})")]
    BadSpan(usize, f32, f32),
    #[error("a value in panel '{0}' is not a finite number")]
    NotFinite(String),
    #[error("panel '{0}' crosses itself: two of its edges meet")]
    CrossesItself(String),
    #[error("panel '{0}' cannot be meshed: its edges curve so far that the mesh folds over")]
    FoldsOver(String),
    #[error(transparent)]
    Cloth(#[from] ClothError),
}

/// Where the flat points of panel `p` go around the body (the per-panel part worked out
/// once): onto the cone that the panel's side edges roll up into (an isometry, so the cloth
/// starts unstrained: the sides' meeting point is the apex on the axis), or a cylinder when
/// the sides are parallel. The panel spans its bottom width over the placement radius, centred on `from` + half of that.
fn wrapping(p: &Panel) -> impl Fn(Vec2) -> Vec3 {
    let c = p.corners;
    let pl = p.placement;
    let bottom = p.edge_points(Edge::Bottom);
    let span = outline::length(&bottom) / pl.radius;
    let mid_bottom = outline::along(&bottom, 0.5);
    let centre_angle = pl.from + span * 0.5;
    let axis = pl.axis.normalize_or(Vec3::Y);
    let front = (pl.front - axis * pl.front.dot(axis)).normalize_or(Vec3::Z);
    let side = axis.cross(front);
    let at = move |theta: f32, r: f32, y: f32| {
        pl.centre + (side * theta.sin() + front * theta.cos()) * r + axis * y
    };
    let (left, right) = (c[3] - c[0], c[2] - c[1]);
    let cross = left.perp_dot(right);
    // The cone, unless the sides are parallel (a cylinder: x along the circle, y up): the
    // apex where the side lines meet, the flat direction of the panel's middle, the cone's
    // slope, how far the bottom's middle is from the apex and whether the apex is above.
    let cone = (cross.abs() >= 1e-6).then(|| {
        let t = (c[1] - c[0]).perp_dot(right) / cross;
        let apex = c[0] + left * t;
        let flat_axis = (mid_bottom - apex).normalize_or(Vec2::NEG_Y);
        let flat_angle = left.angle_to(right).abs();
        let sin_beta = (flat_angle / span).clamp(1e-4, 1.0);
        let cos_beta = (1.0 - sin_beta * sin_beta).sqrt();
        let rho_bottom = apex.distance(mid_bottom);
        // A panel widening downwards has its apex above; one narrowing downwards, below.
        let down = if flat_axis.y < 0.0 { 1.0 } else { -1.0 };
        (
            apex,
            flat_axis,
            sin_beta,
            cos_beta,
            rho_bottom * cos_beta * down,
            down,
        )
    });
    move |q: Vec2| match cone {
        None => {
            let theta = centre_angle + (q.x - mid_bottom.x) / pl.radius;
            at(theta, pl.radius, q.y - c[0].y)
        }
        Some((apex, flat_axis, sin_beta, cos_beta, apex_y, down)) => {
            let d = q - apex;
            let rho = d.length();
            let phi = flat_axis.angle_to(d);
            at(
                centre_angle + phi / sin_beta * down,
                rho * sin_beta,
                apex_y - rho * cos_beta * down,
            )
        }
    }
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

/// One meshed panel: how many particles each of its rows has (from the bottom) and where
/// its particles start.
struct Meshed {
    counts: Vec<usize>,
    first: u32,
}

impl Meshed {
    /// The particles along `edge`, in the edge's own direction (counter-clockwise).
    fn edge(&self, edge: Edge) -> Vec<u32> {
        let starts: Vec<u32> = rows::starts(&self.counts, self.first as usize)
            .into_iter()
            .map(|s| s as u32)
            .collect();
        let (rows, last) = (self.counts.len(), self.counts.len() - 1);
        let end = |j: usize| starts[j] + self.counts[j] as u32 - 1;
        match edge {
            Edge::Bottom => (starts[0]..=end(0)).collect(),
            Edge::Right => (0..rows).map(end).collect(),
            Edge::Top => (starts[last]..=end(last)).rev().collect(),
            Edge::Left => (0..rows).rev().map(|j| starts[j]).collect(),
        }
    }
}

impl Pattern {
    /// Checks the pattern: panels turn counter-clockwise and are finite, seams name panels
    /// and sew edges within 20 % of each other's length.
    pub fn validate(&self) -> Result<(), PatternError> {
        for p in &self.panels {
            if p.corners
                .iter()
                .chain(p.via.iter().flatten())
                .any(|c| !c.is_finite())
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
            let outline = p.outline();
            if outline::area2(&outline) <= 1e-6 {
                return Err(PatternError::BadPanel(p.name.clone()));
            }
            if outline::crosses_itself(&outline) {
                return Err(PatternError::CrossesItself(p.name.clone()));
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

    /// Where seams start and end along each edge of panel `panel` (but its corners).
    fn breaks(&self, panel: usize) -> rows::Breaks {
        let mut breaks = rows::Breaks::default();
        for side in self.seams.iter().flat_map(|s| [s.a, s.b]) {
            if side.panel == panel {
                breaks[side.edge as usize].extend([side.span.0, side.span.1]);
            }
        }
        breaks
    }

    fn side_length(&self, side: &Side) -> f32 {
        self.panels[side.panel].edge_length(side.edge) * (side.span.1 - side.span.0)
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
        let counts = |pattern: &Pattern, k: usize| -> Vec<usize> {
            rows::rows(&pattern.panels[k], pattern.spacing, &pattern.breaks(k))
                .iter()
                .map(Vec::len)
                .collect()
        };
        let from: Vec<Vec<usize>> = (0..self.panels.len()).map(|k| counts(self, k)).collect();
        if from.iter().flatten().sum::<usize>() != positions.len() {
            return None;
        }
        let mut carried = Vec::new();
        let mut first = 0;
        for (k, source) in from.iter().enumerate() {
            let starts = rows::starts(source, first);
            // The point a fraction `x` along source row `j`, between its two particles there.
            let along_row = |j: usize, x: f32| {
                let n = source[j];
                let at = x * (n - 1) as f32;
                let i0 = (at as usize).min(n.saturating_sub(2));
                let row = &positions[starts[j]..starts[j] + n];
                row[i0].lerp(row[(i0 + 1).min(n - 1)], at - i0 as f32)
            };
            let target = counts(to, k);
            let (sy, ty) = (source.len(), target.len());
            for (j, &n) in target.iter().enumerate() {
                let y = j as f32 / (ty - 1) as f32 * (sy - 1) as f32;
                let j0 = (y as usize).min(sy - 2);
                for i in 0..n {
                    let x = i as f32 / (n - 1) as f32;
                    carried.push(along_row(j0, x).lerp(along_row(j0 + 1, x), y - j0 as f32));
                }
            }
            first += source.iter().sum::<usize>();
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
        for (k, p) in self.panels.iter().enumerate() {
            let first = placed.len() as u32;
            let rows = rows::rows(p, self.spacing, &self.breaks(k));
            let counts: Vec<usize> = rows.iter().map(Vec::len).collect();
            let grid: Vec<Vec2> = rows.into_iter().flatten().collect();
            let panel_triangles = rows::triangles(&counts, &grid, first);
            let wrap = wrapping(p);
            placed.extend(grid.iter().map(|&q| wrap(q)));
            flat.extend(grid);
            let folds = |t: &[u32; 3]| {
                let [a, b, c] = t.map(|k| flat[k as usize]);
                (b - a).perp_dot(c - a) <= 0.0
            };
            if panel_triangles.iter().any(folds) {
                return Err(PatternError::FoldsOver(p.name.clone()));
            }
            triangles.extend(panel_triangles);
            meshed.push(Meshed { counts, first });
        }
        let mut stitches = Vec::new();
        for s in &self.seams {
            let a = meshed[s.a.panel].edge(s.a.edge);
            let mut b = meshed[s.b.panel].edge(s.b.edge);
            let (mut from, mut to) = s.b.span;
            // Two panels sewn right side to right side run opposite ways along the seam.
            if !s.reversed {
                b.reverse();
                (from, to) = (1.0 - to, 1.0 - from);
            }
            let (from_a, to_a) = s.a.span;
            sew_stretches(
                Stretch {
                    ids: &a,
                    from: from_a,
                    to: to_a,
                },
                Stretch { ids: &b, from, to },
                &flat,
                &mut stitches,
            );
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
                rest += self.panels[panel].edge_length(edge);
            }
            loops.push((ids, rest, true));
        }
        for &(panel, edge) in &self.tapes {
            let m = meshed.get(panel).ok_or(PatternError::NoPanel(
                usize::MAX,
                panel,
                self.panels.len(),
            ))?;
            loops.push((m.edge(edge), self.panels[panel].edge_length(edge), false));
        }
        let mut cloth = Cloth::new(placed, Some(&flat), triangles, mechanics)?;
        add_stitches(&mut cloth, stitches);
        for (ids, rest, closed) in loops {
            cloth.band(ids, rest, closed);
        }
        Ok(cloth)
    }
}
