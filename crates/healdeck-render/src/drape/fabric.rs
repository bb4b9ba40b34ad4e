//! Each fabric's mechanics for the cloth solver, from published figures for typical garment
//! fabrics of its kind:
//!
//! - weight: the areal density a fabric is sold by (g/m²);
//! - bending rigidity: Kawabata's KES-FB2 bending test, B in gf·cm²/cm, at the middle of the
//!   range reported for the kind (silk crêpe 0.01–0.03, cotton shirting 0.05–0.15, linen
//!   0.1–0.3, knit jersey 0.02–0.05, denim 0.5–1.5, garment leather 2–5);
//! - tensile stiffness: the load per width at small strain (KES-FB1: wovens about 10 kN/m,
//!   knits a few hundred N/m, leather about 2 kN/m);
//! - friction against skin: 0.3–0.6 for textiles.
//!
//! The solver takes compliances: stretch compliance = 1 / tensile stiffness (m/N), bending
//! compliance = 1 / B (B converted to N·m: 1 gf·cm²/cm = 9.807 × 10⁻⁵ N·m).

use crate::garment::Fabric;
use healdeck_cloth::solver::Mechanics;

/// A fabric's physical figures, in the units fabric data sheets use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FabricPhysics {
    /// Weight (g/m²).
    pub weight_gsm: f32,
    /// Thickness (mm).
    pub thickness_mm: f32,
    /// Bending rigidity (KES B, gf·cm²/cm).
    pub bending_gf_cm: f32,
    /// Tensile stiffness at small strain (N/m of width).
    pub tensile_n_per_m: f32,
    /// Friction against skin.
    pub friction: f32,
    /// The most it stretches (fraction): woven cloth jams at a few percent; knits and
    /// leather have no limit here.
    pub strain_limit: f32,
}

/// How far a woven fabric stretches before its yarns jam: shirting cottons, linens and
/// denims extend 2–5 % under KES-FB1's 500 gf/cm; 2.5 % keeps every woven garment's worst
/// edge under 5 % at rest.
const WOVEN_STRAIN_LIMIT: f32 = 0.025;

/// 1 gf·cm²/cm in N·m.
const GF_CM2_PER_CM: f32 = 9.807e-5;

/// How readily cloth shortens along its threads rather than buckling (m/N): a little, the
/// same for every fabric; what differs is how stiffly the buckles bend.
const COMPRESS_COMPLIANCE: f32 = 0.002;

impl FabricPhysics {
    pub fn of(fabric: Fabric) -> FabricPhysics {
        let (weight_gsm, thickness_mm, bending_gf_cm, tensile_n_per_m, friction) = match fabric {
            Fabric::Silk => (80.0, 0.15, 0.02, 8000.0, 0.3),
            Fabric::Cotton => (130.0, 0.3, 0.1, 10000.0, 0.45),
            Fabric::Linen => (190.0, 0.4, 0.25, 12000.0, 0.5),
            Fabric::Knit => (180.0, 0.6, 0.04, 400.0, 0.5),
            Fabric::Denim => (400.0, 0.8, 1.0, 15000.0, 0.5),
            Fabric::Leather => (750.0, 1.0, 3.0, 2000.0, 0.6),
        };
        let strain_limit = match fabric {
            Fabric::Silk | Fabric::Cotton | Fabric::Linen | Fabric::Denim => WOVEN_STRAIN_LIMIT,
            Fabric::Knit | Fabric::Leather => f32::INFINITY,
        };
        FabricPhysics {
            weight_gsm,
            thickness_mm,
            bending_gf_cm,
            tensile_n_per_m,
            friction,
            strain_limit,
        }
    }

    /// `fabric`'s figures, or those of the U3M `material`'s closest preset with its measured
    /// weight and thickness. Bending rigidity grows with the cube of the thickness (a plate's
    /// does), so a thicker cloth of the kind is stiffer — within a quarter and four times
    /// the preset's, as no fabric of one kind spans more.
    pub fn of_material(
        fabric: Fabric,
        material: Option<&crate::garment::u3m::U3mMaterial>,
    ) -> FabricPhysics {
        let Some(m) = material else {
            return FabricPhysics::of(fabric);
        };
        let mut physics = FabricPhysics::of(m.fabric);
        if let Some(w) = m.weight_gsm {
            physics.weight_gsm = w;
        }
        if let Some(t) = m.thickness_mm {
            let ratio = t / physics.thickness_mm;
            physics.bending_gf_cm *= ratio.powi(3).clamp(0.25, 4.0);
            physics.thickness_mm = t;
        }
        physics
    }

    /// What the solver takes.
    pub fn mechanics(&self) -> Mechanics {
        Mechanics {
            density: self.weight_gsm / 1000.0,
            stretch_compliance: 1.0 / self.tensile_n_per_m,
            compress_compliance: COMPRESS_COMPLIANCE,
            bend_compliance: 1.0 / (self.bending_gf_cm * GF_CM2_PER_CM),
            friction: self.friction,
            strain_limit: self.strain_limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denim_is_heavier_and_stiffer_than_silk_and_knit_stretches_most() {
        let (silk, denim, knit) = (
            FabricPhysics::of(Fabric::Silk).mechanics(),
            FabricPhysics::of(Fabric::Denim).mechanics(),
            FabricPhysics::of(Fabric::Knit).mechanics(),
        );
        assert!(denim.density > 4.0 * silk.density);
        assert!(denim.bend_compliance * 40.0 < silk.bend_compliance);
        for f in Fabric::ALL {
            let m = FabricPhysics::of(f).mechanics();
            assert!(m.stretch_compliance <= knit.stretch_compliance, "{f:?}");
            assert!(m.bend_compliance.is_finite() && m.density > 0.0);
        }
    }
}
