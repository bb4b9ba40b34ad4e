//! Sewing patterns from GarmentCode (ETH Zürich's open pattern programs, MIT): its
//! `*_specification.json` — panels as 2D outlines whose edges are straight, quadratic or
//! cubic Béziers (control points relative to the edge) or circular arcs, each panel laid
//! flat around the body by a rotation (degrees, applied z·y·x as GarmentCode's simulator
//! reads it) and a translation, in centimetres with the feet at y = 0 and the body facing
//! +z; and stitches pairing two edges. Read into a [`FreePattern`] for our solver: every
//! value checked, errors naming the panel, edge or stitch.
//!
//! GarmentCode drafts for its own average body (172 cm); placements are scaled to the
//! avatar's height so panels start at the same level of the body, and the cloth keeps the
//! pattern's own sizes.

use glam::{Mat3, Vec2, Vec3};
use healdeck_cloth::freeform::{FreePanel, FreePattern, FreeSeam};
use healdeck_cloth::pattern::PatternError;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The height (m) of the body GarmentCode's samples are drafted for (`mean_all`).
const DRAFTED_FOR_HEIGHT: f32 = 1.7199;
/// A curved edge is followed in steps about this long (m) before the mesher cuts it.
const CURVE_STEP: f32 = 0.005;

/// Why a GarmentCode file cannot be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GarmentCodeError {
    #[error("not a GarmentCode pattern: {0}")]
    Json(String),
    #[error("panel '{panel}': {why}")]
    Panel { panel: String, why: String },
    #[error("panel '{panel}', edge {edge}: {why}")]
    Edge {
        panel: String,
        edge: usize,
        why: String,
    },
    #[error("stitch {stitch}: {why}")]
    Stitch { stitch: usize, why: String },
    #[error("properties: {0}")]
    Properties(String),
    #[error("{0}")]
    Read(String),
}

#[derive(Deserialize)]
struct Spec {
    pattern: PatternJson,
    #[serde(default)]
    properties: Properties,
}

#[derive(Deserialize)]
struct PatternJson {
    panels: BTreeMap<String, PanelJson>,
    #[serde(default)]
    stitches: Vec<Vec<Value>>,
    #[serde(default)]
    panel_order: Vec<String>,
}

#[derive(Deserialize)]
struct PanelJson {
    #[serde(default)]
    translation: [f64; 3],
    #[serde(default)]
    rotation: [f64; 3],
    vertices: Vec<[f64; 2]>,
    edges: Vec<EdgeJson>,
}

#[derive(Deserialize)]
struct EdgeJson {
    endpoints: [usize; 2],
    #[serde(default)]
    curvature: Option<Value>,
}

#[derive(Deserialize)]
struct Properties {
    #[serde(default = "centimetres")]
    units_in_meter: f64,
    #[serde(default = "relative")]
    curvature_coords: String,
}

impl Default for Properties {
    fn default() -> Self {
        Properties {
            units_in_meter: centimetres(),
            curvature_coords: relative(),
        }
    }
}

fn centimetres() -> f64 {
    100.0
}

fn relative() -> String {
    "relative".into()
}

/// Whether `text` looks like a GarmentCode specification (a `pattern` with `panels`).
pub fn is_garmentcode(text: &str) -> bool {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("pattern").map(|p| p.get("panels").is_some()))
        .unwrap_or(false)
}

/// Reads a GarmentCode specification for a body `height` metres tall, meshed at `spacing`.
pub fn read(text: &str, height: f32, spacing: f32) -> Result<FreePattern, GarmentCodeError> {
    let spec: Spec =
        serde_json::from_str(text).map_err(|e| GarmentCodeError::Json(e.to_string()))?;
    let units = spec.properties.units_in_meter;
    if !(units.is_finite() && units > 0.0) {
        return Err(GarmentCodeError::Properties(format!(
            "units_in_meter {units} is not a positive number"
        )));
    }
    let absolute = match spec.properties.curvature_coords.as_str() {
        "relative" => false,
        "absolute" => true,
        other => {
            return Err(GarmentCodeError::Properties(format!(
                "curvature_coords '{other}' is neither 'relative' nor 'absolute'"
            )));
        }
    };
    let to_m = (1.0 / units) as f32;
    let lift = if height.is_finite() && height > 0.0 {
        height / DRAFTED_FOR_HEIGHT
    } else {
        1.0
    };
    // Panels in the file's order where it gives one, the rest by name.
    let mut names: Vec<String> = spec
        .pattern
        .panel_order
        .iter()
        .filter(|n| spec.pattern.panels.contains_key(*n))
        .cloned()
        .collect();
    for name in spec.pattern.panels.keys() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    let mut panels = Vec::with_capacity(names.len());
    for name in &names {
        let p = &spec.pattern.panels[name];
        panels.push(panel(name, p, to_m, lift, absolute)?);
    }
    let mut seams = Vec::with_capacity(spec.pattern.stitches.len());
    for (i, stitch) in spec.pattern.stitches.iter().enumerate() {
        seams.push(seam(i, stitch, &names, &panels)?);
    }
    Ok(FreePattern {
        panels,
        seams,
        spacing,
    })
}

fn panel(
    name: &str,
    p: &PanelJson,
    to_m: f32,
    lift: f32,
    absolute: bool,
) -> Result<FreePanel, GarmentCodeError> {
    let bad = |why: String| GarmentCodeError::Panel {
        panel: name.to_string(),
        why,
    };
    let finite = p
        .translation
        .iter()
        .chain(&p.rotation)
        .all(|v| v.is_finite())
        && p.vertices.iter().flatten().all(|v| v.is_finite());
    if !finite {
        return Err(bad("a value is not a finite number".into()));
    }
    if p.edges.len() < 3 {
        return Err(bad(format!(
            "{} edges cannot close an outline",
            p.edges.len()
        )));
    }
    let vertex = |edge: usize, i: usize| {
        p.vertices
            .get(i)
            .map(|v| Vec2::new(v[0] as f32, v[1] as f32) * to_m)
            .ok_or_else(|| GarmentCodeError::Edge {
                panel: name.to_string(),
                edge,
                why: format!("vertex {i} is not among the panel's {}", p.vertices.len()),
            })
    };
    let mut edges = Vec::with_capacity(p.edges.len());
    for (k, e) in p.edges.iter().enumerate() {
        let (start, end) = (vertex(k, e.endpoints[0])?, vertex(k, e.endpoints[1])?);
        let next = &p.edges[(k + 1) % p.edges.len()];
        if vertex(k, next.endpoints[0])?.distance(end) > 1e-4 {
            return Err(GarmentCodeError::Edge {
                panel: name.to_string(),
                edge: k,
                why: "does not end where the next edge starts: the outline is not closed".into(),
            });
        }
        let curve = curve(e.curvature.as_ref(), start, end, to_m, absolute).map_err(|why| {
            GarmentCodeError::Edge {
                panel: name.to_string(),
                edge: k,
                why,
            }
        })?;
        edges.push(curve);
    }
    let [tx, ty, tz] = p.translation.map(|v| v as f32 * to_m);
    let [rx, ry, rz] = p.rotation.map(|v| (v as f32).to_radians());
    Ok(FreePanel {
        name: name.to_string(),
        edges,
        rotation: Mat3::from_rotation_z(rz) * Mat3::from_rotation_y(ry) * Mat3::from_rotation_x(rx),
        translation: Vec3::new(tx, ty * lift, tz),
    })
}

/// A point given relative to the edge from `s` to `e`: along it and to its left, both in
/// edge lengths.
/// A control point `[x, y]`: two finite numbers.
fn control_pair(v: &Value) -> Result<Vec2, String> {
    v.as_array()
        .filter(|a| a.len() == 2)
        .and_then(|a| Some(Vec2::new(a[0].as_f64()? as f32, a[1].as_f64()? as f32)))
        .filter(|p| p.is_finite())
        .ok_or_else(|| format!("control point {v} is not two numbers"))
}

fn relative_point(s: Vec2, e: Vec2, v: &Value) -> Result<Vec2, String> {
    let pair = control_pair(v)?;
    let along = e - s;
    Ok(s + along * pair.x + along.perp() * pair.y)
}

fn absolute_point(v: &Value, to_m: f32) -> Result<Vec2, String> {
    Ok(control_pair(v)? * to_m)
}

/// An edge from `s` to `e` as a polyline: straight, a Bézier curve or a circular arc.
fn curve(
    curvature: Option<&Value>,
    s: Vec2,
    e: Vec2,
    to_m: f32,
    absolute: bool,
) -> Result<Vec<Vec2>, String> {
    let Some(c) = curvature else {
        return Ok(vec![s, e]);
    };
    let control = |v: &Value| {
        if absolute {
            absolute_point(v, to_m)
        } else {
            relative_point(s, e, v)
        }
    };
    // A bare [u, v] is an older file's quadratic control point.
    if c.is_array() {
        return Ok(bezier(&[s, control(c)?, e]));
    }
    let kind = c.get("type").and_then(Value::as_str).unwrap_or("");
    let params = c.get("params").and_then(Value::as_array);
    let params = params.ok_or_else(|| format!("curvature {c} has no params"))?;
    match kind {
        "quadratic" if params.len() == 1 => Ok(bezier(&[s, control(&params[0])?, e])),
        "cubic" if params.len() == 2 => {
            Ok(bezier(&[s, control(&params[0])?, control(&params[1])?, e]))
        }
        "circle" if params.len() == 3 => {
            let number = |v: &Value| v.as_f64().or_else(|| v.as_bool().map(f64::from));
            let (Some(r), Some(large), Some(right)) =
                (number(&params[0]), number(&params[1]), number(&params[2]))
            else {
                return Err(format!(
                    "circle params {params:?} are not [radius, large_arc, right]"
                ));
            };
            arc(s, e, r as f32 * to_m, large != 0.0, right != 0.0)
        }
        "quadratic" | "cubic" | "circle" => Err(format!(
            "a {kind} curve with {} control values",
            params.len()
        )),
        other => Err(format!(
            "curvature type '{other}' is not quadratic, cubic or circle"
        )),
    }
}

/// A Bézier curve through its control points, in steps of about [`CURVE_STEP`].
fn bezier(points: &[Vec2]) -> Vec<Vec2> {
    let hull: f32 = points.windows(2).map(|w| w[0].distance(w[1])).sum();
    let steps = ((hull / CURVE_STEP).ceil() as usize).clamp(4, 400);
    (0..=steps)
        .map(|k| {
            let t = k as f32 / steps as f32;
            let mut p = points.to_vec();
            while p.len() > 1 {
                p = p.windows(2).map(|w| w[0].lerp(w[1], t)).collect();
            }
            p[0]
        })
        .collect()
}

/// The circular arc of radius `r` from `s` to `e` (as SVG draws one in a y-up plane):
/// the larger of the two arcs when `large`, bulging to the right of s→e when `right`.
fn arc(s: Vec2, e: Vec2, r: f32, large: bool, right: bool) -> Result<Vec<Vec2>, String> {
    let d = s.distance(e);
    if !(r.is_finite() && r > 0.0) || d < 1e-6 {
        return Err(format!(
            "an arc of radius {:.2} cm between its ends",
            r * 100.0
        ));
    }
    let r = r.max(d / 2.0);
    let mid = (s + e) / 2.0;
    let left = (e - s).perp() / d;
    let h = (r * r - d * d / 4.0).max(0.0).sqrt();
    let bulge = if right { -1.0 } else { 1.0 };
    let centre = mid + left * bulge * if large { h } else { -h };
    let through = mid + left * bulge * if large { r + h } else { r - h };
    let angle = |p: Vec2| (p.y - centre.y).atan2(p.x - centre.x);
    let (a0, a1, am) = (angle(s), angle(e), angle(through));
    let tau = std::f32::consts::TAU;
    let ccw = (a1 - a0).rem_euclid(tau);
    let sweep = if (am - a0).rem_euclid(tau) <= ccw {
        ccw
    } else {
        ccw - tau
    };
    let steps = ((sweep.abs() * r / CURVE_STEP).ceil() as usize).clamp(4, 400);
    let mut points: Vec<Vec2> = (0..=steps)
        .map(|k| {
            let a = a0 + sweep * k as f32 / steps as f32;
            centre + Vec2::new(a.cos(), a.sin()) * r
        })
        .collect();
    // Exactly at the corners.
    points[0] = s;
    if let Some(last) = points.last_mut() {
        *last = e;
    }
    Ok(points)
}

fn seam(
    i: usize,
    stitch: &[Value],
    names: &[String],
    panels: &[FreePanel],
) -> Result<FreeSeam, GarmentCodeError> {
    let bad = |why: String| GarmentCodeError::Stitch { stitch: i, why };
    let same_direction = match stitch.get(2) {
        None => false,
        Some(Value::String(s)) if s == "right_wrong" => true,
        Some(other) => return Err(bad(format!("'{other}' is not 'right_wrong'"))),
    };
    if stitch.len() < 2 || stitch.len() > 3 {
        return Err(bad(format!("has {} sides, not 2", stitch.len().min(2))));
    }
    let side = |v: &Value| -> Result<(usize, usize), GarmentCodeError> {
        let name = v.get("panel").and_then(Value::as_str).unwrap_or("");
        let panel = names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| bad(format!("panel '{name}' is not in the pattern")))?;
        let edge = v
            .get("edge")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad(format!("{v} names no edge")))? as usize;
        let count = panels[panel].edges.len();
        if edge >= count {
            return Err(bad(format!(
                "panel '{name}' has {count} edges, not edge {edge}"
            )));
        }
        Ok((panel, edge))
    };
    Ok(FreeSeam {
        a: side(&stitch[0])?,
        b: side(&stitch[1])?,
        same_direction,
    })
}

/// A GarmentCode pattern (`text`, named `garment` in messages) as cloth in `fabric` for
/// `body`: read, its panels laid clear of the body, meshed and stitched, ready to sew.
pub fn cloth(
    garment: &str,
    text: &str,
    physics: super::fabric::FabricPhysics,
    body: &crate::avatar::Body,
    collider: &super::Studio,
) -> Result<super::Cloth, super::DrapeError> {
    let height = body.measurements.height_cm / 100.0;
    let mut pattern = read(text, height, super::programs::SPACING).map_err(|source| {
        super::DrapeError::Import {
            garment: garment.to_string(),
            source,
        }
    })?;
    let pattern_error = |source| super::DrapeError::Pattern {
        garment: garment.to_string(),
        source,
    };
    along_the_arms(&mut pattern, body);
    let skin = healdeck_cloth::solver::Params::default().skin;
    pattern.clear_of(collider, skin).map_err(pattern_error)?;
    let mechanics = physics.mechanics();
    pattern.cloth(mechanics).map_err(|source| match source {
        // Seams are the file's stitches, in order: named by their panels and edges.
        PatternError::SeamLengths(i, a, b) => {
            let side = |(panel, edge): (usize, usize)| {
                format!("'{}' edge {edge}", pattern.panels[panel].name)
            };
            let seam = pattern.seams[i];
            super::DrapeError::Import {
                garment: garment.to_string(),
                source: GarmentCodeError::Stitch {
                    stitch: i,
                    why: format!(
                        "sews {} ({a:.1} cm) to {} ({b:.1} cm), more than 20 % apart (gathering \
                         one side into the other is not sewn yet)",
                        side(seam.a),
                        side(seam.b)
                    ),
                },
            }
        }
        source => pattern_error(source),
    })
}

/// GarmentCode's body holds its arms in the frontal plane, 45.48° below the horizontal.
const DRAFTED_ARM_DROP_DEG: f32 = 45.48;
/// A panel whose middle is this far (m) from the body's midline is a sleeve.
const SLEEVE_FROM_MIDLINE: f32 = 0.25;

/// Turns the sleeves — panels beside the body above the waist — about each shoulder so they
/// lie along the avatar's arms, which hang forward of the frontal plane GarmentCode drafts
/// them in: laid where its own body's arms were, a long sleeve is caught across the
/// forearm and its seam never closes.
fn along_the_arms(pattern: &mut FreePattern, body: &crate::avatar::Body) {
    let waist = body.skeleton.waist_y;
    for (side, arm) in body.skeleton.arms.iter().enumerate() {
        let (Some(shoulder), Some(wrist)) = (arm.first(), arm.last()) else {
            continue;
        };
        let outward = if side == 0 { 1.0 } else { -1.0 };
        let drop = DRAFTED_ARM_DROP_DEG.to_radians();
        let drafted = Vec3::new(outward * drop.cos(), -drop.sin(), 0.0);
        let Some(ours) = (wrist.center - shoulder.center).try_normalize() else {
            continue;
        };
        let turn = glam::Quat::from_rotation_arc(drafted, ours);
        let pivot = shoulder.center;
        for p in &mut pattern.panels {
            let points: Vec<Vec3> = p
                .edges
                .iter()
                .flatten()
                .map(|q| p.rotation * q.extend(0.0) + p.translation)
                .collect();
            let middle = points.iter().copied().sum::<Vec3>() / points.len().max(1) as f32;
            if middle.x * outward > SLEEVE_FROM_MIDLINE && middle.y > waist {
                p.rotation = Mat3::from_quat(turn) * p.rotation;
                p.translation = pivot + turn * (p.translation - pivot);
            }
        }
    }
}

/// Drapes a GarmentCode pattern (`text`, named `garment` in messages) in `fabric` on `body`:
/// sewn from where its panels lie, then settled, as [`super::drape_cloth`] does.
pub fn drape(
    garment: &str,
    text: &str,
    fabric: crate::garment::Fabric,
    body: &crate::avatar::Body,
    collider: &super::Studio,
    solver: &super::Solver,
    watch: &mut dyn FnMut(&super::Cloth, u32) -> bool,
) -> Result<super::Draped, super::DrapeError> {
    let physics = super::fabric::FabricPhysics::of(fabric);
    let cloth = cloth(garment, text, physics, body, collider)?;
    super::drape_cloth(garment.to_string(), cloth, false, collider, solver, watch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn length(points: &[Vec2]) -> f32 {
        points.windows(2).map(|w| w[0].distance(w[1])).sum()
    }

    #[test]
    fn curves_follow_garmentcodes_definitions() {
        let (s, e) = (Vec2::ZERO, Vec2::new(0.1, 0.0));
        // Quadratic: control point half way along, a fifth of the edge to the left.
        let q = curve(
            Some(&serde_json::json!({"type": "quadratic", "params": [[0.5, 0.2]]})),
            s,
            e,
            0.01,
            false,
        )
        .expect("quadratic");
        let top = q.iter().map(|p| p.y).fold(f32::MIN, f32::max);
        assert!(
            (top - 0.01).abs() < 1e-4,
            "peak half the control height: {top}"
        );
        // A half circle of radius 5 cm bulging right (below) of a 10 cm chord.
        let c = curve(
            Some(&serde_json::json!({"type": "circle", "params": [5.0, 0, 1]})),
            s,
            e,
            0.01,
            false,
        )
        .expect("circle");
        assert!((length(&c) - std::f32::consts::PI * 0.05).abs() < 1e-3);
        assert!(c.iter().all(|p| p.y <= 1e-6), "below the chord");
        // The larger arc of radius 10 cm over a 10 cm chord, to the left.
        let big = arc(s, e, 0.1, true, false).expect("arc");
        let expected = (std::f32::consts::TAU - 2.0 * (0.5f32).asin()) * 0.1;
        assert!((length(&big) - expected).abs() < 2e-3, "{}", length(&big));
        assert!(big.iter().any(|p| p.y > 0.15));
    }

    #[test]
    fn bad_values_are_named_by_panel_edge_and_stitch() {
        let panel = |curvature: &str, stitches: &str| {
            format!(
                r#"{{"pattern": {{"panels": {{"front": {{"translation": [0, 100, 20],
                "rotation": [0, 0, 0], "vertices": [[0, 0], [30, 0], [30, 40], [0, 40]],
                "edges": [{{"endpoints": [0, 1]}}, {{"endpoints": [1, 2]{curvature}}},
                {{"endpoints": [2, 3]}}, {{"endpoints": [3, 0]}}]}}}},
                "stitches": {stitches}}}}}"#
            )
        };
        let refused = |text: &str| {
            read(text, 1.7, 0.015)
                .map(|_| ())
                .expect_err("refused")
                .to_string()
        };
        let ok = read(&panel("", "[]"), 1.7, 0.015).expect("reads");
        assert_eq!(ok.panels[0].edges.len(), 4);
        assert_eq!(
            refused(&panel(
                r#", "curvature": {"type": "spline", "params": []}"#,
                "[]"
            )),
            "panel 'front', edge 1: curvature type 'spline' is not quadratic, cubic or circle"
        );
        assert_eq!(
            refused(&panel(
                "",
                r#"[[{"panel": "front", "edge": 1}, {"panel": "back", "edge": 0}]]"#,
            )),
            "stitch 0: panel 'back' is not in the pattern"
        );
        let err = refused(&panel(
            "",
            r#"[[{"panel": "front", "edge": 1}, {"panel": "front", "edge": 7}]]"#,
        ));
        assert!(err.contains("has 4 edges, not edge 7"), "{err}");
        let err = refused("{\"pattern\": 3}");
        assert!(err.starts_with("not a GarmentCode pattern"), "{err}");
        let err = refused(&panel("", "[]").replace("[2, 3]", "[1, 3]"));
        assert!(err.contains("not closed"), "{err}");
    }
}
