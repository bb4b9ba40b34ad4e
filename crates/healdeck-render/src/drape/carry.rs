//! A drape carried over to another body: when a measurement changes, the garment's pattern
//! is graded anew, and the cloth starts from the last drape instead of from scratch — each
//! particle of the new grading where the same point of its panel was
//! ([`programs::Drafted::carry_over`]), then moved as the body under it moved
//! (every avatar of a template shares one mesh, so each skin vertex's move is known; a
//! particle follows the skin vertices nearest it). It is already sewn and near where it
//! will settle, so it only settles.

use super::programs;
use crate::avatar::Body;
use crate::garment::GarmentSpec;
use glam::{IVec3, Vec3};
use std::collections::HashMap;

/// The grid the skin's vertices are filed in (m).
const CELL: f32 = 0.04;
/// The farthest a particle looks for skin to follow (cells).
const REACH: i32 = 8;

/// Where a drape of `spec` on `from` that ended at `positions` puts the particles of the same
/// garment graded for `to`, meshed at `spacing`; none when it cannot be carried (another
/// template's body, or positions of another pattern).
pub fn carried_over(
    spec: &GarmentSpec,
    spacing: f32,
    from: &Body,
    positions: &[Vec3],
    to: &Body,
) -> Option<Vec<Vec3>> {
    // A sewing pattern read from a file is not regraded for another body: it drapes anew.
    if spec.pattern.is_some()
        || from.template != to.template
        || from.mesh.positions.len() != to.mesh.positions.len()
    {
        return None;
    }
    let old = programs::draft(spec, from).with_spacing(spacing);
    let new = programs::draft(spec, to).with_spacing(spacing);
    let mut carried = old.carry_over(positions, &new)?;
    follow(&mut carried, &from.mesh.positions, &to.mesh.positions);
    Some(carried)
}

/// Moves each point as the skin near it moved from `was` to `now` (the same vertices): by
/// the moves of the vertices in the nearest cells that hold any, weighted by closeness.
fn follow(points: &mut [Vec3], was: &[Vec3], now: &[Vec3]) {
    let cell_of = |p: Vec3| (p / CELL).floor().as_ivec3();
    let mut cells: HashMap<IVec3, Vec<usize>> = HashMap::new();
    for (i, p) in was.iter().enumerate() {
        cells.entry(cell_of(*p)).or_default().push(i);
    }
    for p in points.iter_mut() {
        let home = cell_of(*p);
        for reach in 1..=REACH {
            let (mut moved, mut weight) = (Vec3::ZERO, 0.0f32);
            for x in -reach..=reach {
                for y in -reach..=reach {
                    for z in -reach..=reach {
                        let Some(near) = cells.get(&(home + IVec3::new(x, y, z))) else {
                            continue;
                        };
                        for &v in near {
                            let w = 1.0 / (p.distance_squared(was[v]) + 1e-4);
                            moved += (now[v] - was[v]) * w;
                            weight += w;
                        }
                    }
                }
            }
            if weight > 0.0 {
                *p += moved / weight;
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_follow_the_skin_near_them() {
        // Two patches of skin 1 m apart: one moves up 2 cm, the other stays.
        let was = vec![
            Vec3::ZERO,
            Vec3::new(0.01, 0.0, 0.0),
            Vec3::new(1.0, 0.0, 0.0),
        ];
        let now = vec![
            Vec3::new(0.0, 0.02, 0.0),
            Vec3::new(0.01, 0.02, 0.0),
            Vec3::new(1.0, 0.0, 0.0),
        ];
        let mut points = vec![Vec3::new(0.0, 0.0, 0.01), Vec3::new(1.0, 0.0, 0.01)];
        follow(&mut points, &was, &now);
        assert!(
            points[0].distance(Vec3::new(0.0, 0.02, 0.01)) < 1e-4,
            "{}",
            points[0]
        );
        assert!(
            points[1].distance(Vec3::new(1.0, 0.0, 0.01)) < 1e-4,
            "{}",
            points[1]
        );
    }
}
