//! Landmarks on the realistic body that a horizontal cut cannot find: the shoulder points, the
//! elbows and the wrists, as vertices of MakeHuman's hm08 topology, so every shape target
//! carries them along. Chosen on the base mesh by this project (see the test below, which
//! checks each one still answers its description):
//!
//! - the **shoulder point** is where the top of the shoulder turns down into the arm: the
//!   body's farthest point in the direction (1, 2) (out and up) among those beyond the neck;
//! - the **elbow** is the outermost point of the arm's horizontal cross-section where the upper
//!   arm meets the forearm (the cross-section widest over the elbow joint);
//! - the **wrist** is the outermost point of the narrowest cross-section between the forearm
//!   and the hand.
//!
//! Shoulder width runs straight between the shoulder points, as a tape held across the back;
//! arm length from the shoulder point over the elbow to the wrist, as a tape follows the arm.

/// Vertex indices of one side's landmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arm {
    pub shoulder: u16,
    pub elbow: u16,
    pub wrist: u16,
}

/// The body's left (+x) and right (−x) arms.
pub const ARMS: [Arm; 2] = [
    Arm {
        shoulder: 8236,
        elbow: 10108,
        wrist: 10208,
    },
    Arm {
        shoulder: 1558,
        elbow: 3440,
        wrist: 3540,
    },
];

fn distance(a: [f32; 3], b: [f32; 3]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Straight between the shoulder points (metres).
pub fn shoulder_width(positions: &[[f32; 3]]) -> f32 {
    let [l, r] = ARMS.map(|a| positions[usize::from(a.shoulder)]);
    distance(l, r)
}

/// Shoulder point → elbow → wrist, the mean of both arms (metres).
pub fn arm_length(positions: &[[f32; 3]]) -> f32 {
    let one = |a: &Arm| {
        let p = |i: u16| positions[usize::from(i)];
        distance(p(a.shoulder), p(a.elbow)) + distance(p(a.elbow), p(a.wrist))
    };
    ARMS.iter().map(one).sum::<f32>() / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body_asset::BodyAsset;
    use crate::tape::Cutter;

    #[test]
    fn each_landmark_still_answers_its_description_on_the_base_mesh() {
        let a = BodyAsset::shipped().expect("asset");
        let p = &a.positions;
        // Shoulder point: the farthest out-and-up point beyond the neck.
        let score = |v: [f32; 3]| v[0] + 2.0 * v[1];
        let best = (0..p.len())
            .filter(|&i| p[i][0] > 0.10)
            .max_by(|&i, &j| score(p[i]).total_cmp(&score(p[j])))
            .expect("vertices");
        assert_eq!(best, usize::from(ARMS[0].shoulder));
        // Elbow and wrist: within 5 mm of the outermost point of the arm's cross-section at
        // their own height.
        let cutter = Cutter::new(p, &a.quads);
        for landmark in [ARMS[0].elbow, ARMS[0].wrist] {
            let v = p[usize::from(landmark)];
            let outer = cutter
                .at(v[1])
                .into_iter()
                .filter(|piece| piece.iter().all(|q| q[0] > 0.0))
                .flatten()
                .max_by(|a, b| a[0].total_cmp(&b[0]))
                .expect("an arm piece");
            let gap = ((outer[0] - v[0]).powi(2) + (outer[1] - v[2]).powi(2)).sqrt();
            assert!(
                gap < 0.005,
                "landmark {landmark}: {gap} m from the outer point"
            );
        }
        // The two sides mirror each other.
        for (l, r) in [
            (ARMS[0].shoulder, ARMS[1].shoulder),
            (ARMS[0].elbow, ARMS[1].elbow),
            (ARMS[0].wrist, ARMS[1].wrist),
        ] {
            let (l, r) = (p[usize::from(l)], p[usize::from(r)]);
            assert!(
                (l[0] + r[0]).abs() < 1e-4 && (l[1] - r[1]).abs() < 1e-4,
                "{l:?} {r:?}"
            );
        }
        let (w, arm) = (shoulder_width(p), arm_length(p));
        assert!(
            (0.3..0.45).contains(&w) && (0.35..0.6).contains(&arm),
            "{w} {arm}"
        );
    }
}
