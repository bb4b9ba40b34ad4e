//! A scene from what a person chose — an avatar template and measurements, then either
//! garment specs (each from a file or the editor) or an imported CLO3D / Marvelous Designer
//! mesh with or without the avatar (worn by it, re-coloured) — built into the meshes the renderer draws. The command
//! line, the window and the Full System Test all build scenes here.

use crate::avatar::{Body, MeasurementError, Measurements, Template};
use crate::garment::{GarmentError, GarmentSpec};
use crate::import::ImportError;
use crate::mesh::Mesh;
use crate::onbody::ImportLook;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a scene cannot be built; garment errors name the spec file when there is one.
#[derive(Debug, thiserror::Error)]
pub enum SceneError {
    #[error("{0}")]
    Measurements(#[from] MeasurementError),
    #[error("{}: {source}", path.display())]
    ReadSpec {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}{source}", origin.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Garment {
        origin: Option<PathBuf>,
        source: GarmentError,
    },
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error("{}: cannot lay it on the avatar: {reason}", path.display())]
    LayOn { path: PathBuf, reason: String },
}

/// One garment to dress the avatar in.
#[derive(Debug, Clone, PartialEq)]
pub struct Garment {
    pub spec: GarmentSpec,
    /// The spec file it came from: named in errors, and image prints resolve beside it.
    pub origin: Option<PathBuf>,
}

impl Garment {
    /// A spec from the editor (no file).
    pub fn from_spec(spec: GarmentSpec) -> Garment {
        Garment { spec, origin: None }
    }

    /// Reads and checks a garment spec file; errors name the file and the line or field.
    pub fn load(path: &Path) -> Result<Garment, SceneError> {
        let text = std::fs::read_to_string(path).map_err(|source| SceneError::ReadSpec {
            path: path.to_path_buf(),
            source,
        })?;
        let spec = GarmentSpec::from_json(&text).map_err(|source| SceneError::Garment {
            origin: Some(path.to_path_buf()),
            source,
        })?;
        Ok(Garment {
            spec,
            origin: Some(path.to_path_buf()),
        })
    }
}

/// An imported mesh: shown as exported, or re-coloured and re-fabricked; worn by the avatar
/// when shown with it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub path: PathBuf,
    pub mesh: Arc<Mesh>,
    /// Draw the avatar too (a garment exported without its avatar).
    pub with_avatar: bool,
    /// With the avatar, push the cloth out of the body where it sinks in (see
    /// [`crate::onbody`]); off for a mesh draped on this very body.
    pub lay_on_body: bool,
    pub look: ImportLook,
    /// Where the file had the model (see [`crate::import::load_placed`]).
    pub exported_at: glam::Vec3,
}

impl Imported {
    /// Loads an OBJ (+MTL) or glTF/GLB file, to be worn by the avatar when shown with it.
    pub fn load(path: &Path, with_avatar: bool) -> Result<Imported, SceneError> {
        let (mesh, exported_at) = crate::import::load_placed(path)?;
        Ok(Imported {
            path: path.to_path_buf(),
            mesh: Arc::new(mesh),
            with_avatar,
            lay_on_body: true,
            look: ImportLook::default(),
            exported_at,
        })
    }

    /// The mesh to draw: laid on `body` when there is one and it is asked for, in its look.
    /// On the body, a garment goes back where its file had it when that is on the body (CLO3D
    /// and Marvelous Designer export a garment where their avatar wore it, feet at the
    /// origin); a model far from it stays stood on the floor.
    fn worn(&self, body: Option<&Body>) -> Result<Mesh, SceneError> {
        let mut mesh = (*self.mesh).clone();
        if let Some(body) = body.filter(|_| self.lay_on_body) {
            let back = |p: &glam::Vec3| *p + self.exported_at;
            let on_body = match (mesh.bounds(), body.mesh.bounds()) {
                (Some((lo, hi)), Some((blo, bhi))) => {
                    let (lo, hi) = (back(&lo), back(&hi));
                    lo.cmple(bhi).all() && hi.cmpge(blo).all()
                }
                _ => false,
            };
            if on_body {
                for p in &mut mesh.positions {
                    *p = back(p);
                }
            }
            crate::onbody::lay_on(&mut mesh, body).map_err(|e| SceneError::LayOn {
                path: self.path.clone(),
                reason: e.to_string(),
            })?;
        }
        self.look
            .apply(&mut mesh)
            .map_err(|source| SceneError::Garment {
                origin: Some(self.path.clone()),
                source,
            })?;
        Ok(mesh)
    }
}

/// A built scene: its meshes, and the avatar's measurements as a tape reads them with the
/// milliseconds solving it took (none without an avatar).
#[derive(Default)]
pub struct Built {
    pub meshes: Vec<Mesh>,
    pub measured: Option<(Measurements, f64)>,
    /// The avatar measurement furthest out of reach, if one is.
    pub unreached: Option<MeasurementError>,
}

/// Everything a scene is built from.
#[derive(Debug, Clone)]
pub struct SceneSpec {
    pub template: Template,
    pub measurements: Measurements,
    /// Garments layered on the avatar (ignored when `import` is set).
    pub garments: Vec<Garment>,
    pub import: Option<Imported>,
}

impl SceneSpec {
    /// The avatar with its default measurements and no garment.
    pub fn avatar(template: Template) -> SceneSpec {
        SceneSpec {
            template,
            measurements: template.defaults(),
            garments: Vec::new(),
            import: None,
        }
    }

    /// The meshes to draw: the avatar, then each garment; or the import (with the avatar
    /// first when asked).
    /// A measurement out of the avatar's reach is an error.
    pub fn build(&self) -> Result<Vec<Mesh>, SceneError> {
        let built = self.build_scene()?;
        match built.unreached {
            Some(e) => Err(SceneError::Measurements(e)),
            None => Ok(built.meshes),
        }
    }

    /// [`SceneSpec::build`] for an editor: the closest avatar when a measurement is out of
    /// reach (named in [`Built::unreached`]), and what a tape reads on it.
    pub fn build_scene(&self) -> Result<Built, SceneError> {
        if let Some(i) = &self.import {
            let mut built = Built::default();
            if i.with_avatar {
                let body = Body::nearest(self.template, self.measurements)?;
                let worn = i.worn(Some(&body))?;
                built.measured = Some((body.measured, body.solve_ms));
                built.unreached = body.unreached;
                built.meshes.extend([body.mesh, worn]);
            } else {
                built.meshes.push(i.worn(None)?);
            }
            return Ok(built);
        }
        let body = Body::nearest(self.template, self.measurements)?;
        let mut garments = Vec::with_capacity(self.garments.len());
        for g in &self.garments {
            let base = g.origin.as_deref().and_then(Path::parent);
            let mesh = g
                .spec
                .build(&body, base)
                .map_err(|source| SceneError::Garment {
                    origin: g.origin.clone(),
                    source,
                })?;
            garments.push(mesh);
        }
        let measured = Some((body.measured, body.solve_ms));
        let unreached = body.unreached;
        let mut meshes = vec![body.mesh];
        meshes.extend(garments);
        Ok(Built {
            meshes,
            measured,
            unreached,
        })
    }

    /// The garment specs, in layer order (empty for an import).
    pub fn garment_specs(&self) -> Vec<&GarmentSpec> {
        if self.import.is_some() {
            return Vec::new();
        }
        self.garments.iter().map(|g| &g.spec).collect()
    }

    /// A short name for file names: `dress`, `tshirt+jeans`, `avatar`, or the import's
    /// file stem.
    pub fn label(&self) -> String {
        if let Some(i) = &self.import {
            return i
                .path
                .file_stem()
                .map_or_else(|| "import".into(), |s| s.to_string_lossy().into_owned());
        }
        if self.garments.is_empty() {
            return "avatar".into();
        }
        self.garments
            .iter()
            .map(|g| format!("{:?}", g.spec.kind).to_lowercase())
            .collect::<Vec<_>>()
            .join("+")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scene_is_the_avatar_then_its_garments() {
        let shirt = GarmentSpec::from_json(r#"{"type": "tshirt"}"#).expect("spec");
        let mut spec = SceneSpec::avatar(Template::Male);
        assert_eq!(spec.build().expect("avatar").len(), 1);
        assert_eq!(spec.label(), "avatar");
        spec.garments.push(Garment::from_spec(shirt));
        assert_eq!(spec.build().expect("dressed").len(), 2);
        assert_eq!(spec.label(), "tshirt");
        spec.measurements.inseam_cm = 500.0;
        let e = spec.build().expect_err("bad measurements").to_string();
        assert!(e.contains("inseam_cm"), "{e}");
    }

    #[test]
    fn a_bad_spec_file_is_named_with_the_line() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("bad.json");
        std::fs::write(&p, "{\"type\": \"tshirt\",\n \"fit\": \"baggy\"}").expect("write");
        let e = Garment::load(&p).expect_err("bad fit").to_string();
        assert!(e.contains("bad.json: ") && e.contains("line 2"), "{e}");
        let missing = Garment::load(&d.path().join("none.json")).expect_err("missing");
        assert!(missing.to_string().contains("none.json"), "{missing}");
    }
}
