//! Measurements in, body out. MakeHuman's targets go from weights to shapes only; this finds
//! the weights for a designer's measurements. The template fixes the gender mix; then each
//! measurement has a knob of its own — the macro height, the legs' length, the bust, waist and
//! hips girths, the arms' length, the shoulders' width — solved by the secant method against a
//! tailor's tape ([`crate::tape`], [`crate::landmarks`]), in Gauss–Seidel sweeps until every
//! measurement is within a millimetre. A body-weight knob first takes the mean of the
//! three girths, so a larger size is a heavier body, not a balloon at one place.
//!
//! Each evaluation moves only the knob's own targets and measures only its own quantity, in
//! the band of the body it lives in.

use crate::avatar::{MeasurementError, Measurements, Template};
use crate::body_asset::BodyAsset;
use crate::landmarks;
use crate::tape::{self, Cutter, Levels, TapeError};

/// How close each measurement must come (metres): the promise is ±0.5 cm.
pub const TOLERANCE: f32 = 0.005;
/// How close each knob is solved in a sweep.
const AIM: f32 = 0.0005;
const MAX_SWEEPS: usize = 8;
const MAX_SECANT_STEPS: usize = 10;

/// A measurement the designer sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Height,
    Inseam,
    Bust,
    Waist,
    Hips,
    Arm,
    Shoulders,
}

impl Field {
    /// In the order the sweeps solve them: lengths that move the levels first.
    pub const ALL: [Field; 7] = [
        Field::Height,
        Field::Inseam,
        Field::Bust,
        Field::Waist,
        Field::Hips,
        Field::Arm,
        Field::Shoulders,
    ];

    /// The field's name in settings, JSON and errors.
    pub fn name(self) -> &'static str {
        match self {
            Field::Height => "height_cm",
            Field::Inseam => "inseam_cm",
            Field::Bust => "chest_cm",
            Field::Waist => "waist_cm",
            Field::Hips => "hips_cm",
            Field::Arm => "arm_length_cm",
            Field::Shoulders => "shoulder_width_cm",
        }
    }

    /// The requested value in metres.
    pub fn of(self, m: &Measurements) -> f32 {
        0.01 * match self {
            Field::Height => m.height_cm,
            Field::Inseam => m.inseam_cm,
            Field::Bust => m.chest_cm,
            Field::Waist => m.waist_cm,
            Field::Hips => m.hips_cm,
            Field::Arm => m.arm_length_cm,
            Field::Shoulders => m.shoulder_width_cm,
        }
    }

    /// Sets this field of `m` to `cm`.
    pub fn set_cm(self, m: &mut Measurements, cm: f32) {
        match self {
            Field::Height => m.height_cm = cm,
            Field::Inseam => m.inseam_cm = cm,
            Field::Bust => m.chest_cm = cm,
            Field::Waist => m.waist_cm = cm,
            Field::Hips => m.hips_cm = cm,
            Field::Arm => m.arm_length_cm = cm,
            Field::Shoulders => m.shoulder_width_cm = cm,
        }
    }

    /// Sets this field of `m` to `metres`, rounded to the millimetre.
    fn set(self, m: &mut Measurements, metres: f32) {
        self.set_cm(m, (metres * 1000.0).round() / 10.0);
    }
}

/// What a knob is solved against: one measurement, or the mean of the three girths (body
/// weight takes the overall size; each girth's own target then its shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quantity {
    One(Field),
    MeanGirth,
}

/// A solved body: its vertex positions (the asset's topology, feet wherever the targets put
/// them) and what a tape reads on it.
#[derive(Debug, Clone)]
pub struct Fit {
    pub positions: Vec<[f32; 3]>,
    pub measured: Measurements,
    pub levels: Levels,
    pub solve_ms: f64,
    /// The measurement furthest out of reach, when one is: the body is the closest this
    /// template comes, and the error names the field and how far it reaches.
    pub unreached: Option<MeasurementError>,
    /// Where the knobs ended: a start for the next solve of a nearby body.
    pub knobs: Knobs,
}

/// The solver's knob weights and slopes after a solve, to start the next one from (a slider
/// moved a little needs a sweep or two instead of a whole solve).
#[derive(Debug, Clone, Default)]
pub struct Knobs {
    weights: Vec<f32>,
    slopes: Vec<Option<f32>>,
}

/// One knob: targets moved together, a set for each direction, with their shares.
struct Knob {
    decrease: Vec<(usize, f32)>,
    increase: Vec<(usize, f32)>,
}

/// The body being shaped: the template's blend plus each knob at its weight in −1..=1.
struct Shaper<'a> {
    asset: &'a BodyAsset,
    positions: Vec<[f32; 3]>,
    knobs: Vec<Knob>,
    weights: Vec<f32>,
    /// The last slope (metres per unit weight) each knob showed, to start its next solve.
    slopes: Vec<Option<f32>>,
}

/// The knobs for body weight and the torso's length, after the seven measurement knobs.
const WEIGHT: usize = 7;
const TORSO: usize = 8;

fn knob_index(f: Field) -> usize {
    Field::ALL.iter().position(|g| *g == f).unwrap_or(0)
}

impl<'a> Shaper<'a> {
    fn new(asset: &'a BodyAsset, template: Template) -> Result<Shaper<'a>, MeasurementError> {
        let missing = |name: &str| MeasurementError {
            field: "template",
            message: format!("the body asset has no target '{name}'"),
        };
        let find = |name: String| asset.target(&name).ok_or_else(|| missing(&name));
        let genders: Vec<(&str, f32)> = match template {
            Template::Female => vec![("female", 1.0)],
            Template::Male => vec![("male", 1.0)],
            Template::Neutral => vec![("female", 0.5), ("male", 0.5)],
        };
        let per_gender = |pattern: &str| -> Result<Vec<(usize, f32)>, MeasurementError> {
            genders
                .iter()
                .map(|(g, share)| Ok((find(pattern.replace("{g}", g))?, *share)))
                .collect()
        };
        let measure = |names: &[&str]| -> Result<Vec<(usize, f32)>, MeasurementError> {
            names
                .iter()
                .map(|n| Ok((find(format!("measure/measure-{n}"))?, 1.0)))
                .collect()
        };
        let halves =
            |targets: Vec<(usize, f32)>| targets.into_iter().map(|(t, _)| (t, 0.5)).collect();
        let height = "macrodetails/height/{g}-young-averagemuscle-averageweight-";
        let knobs = vec![
            Knob {
                decrease: per_gender(&format!("{height}minheight"))?,
                increase: per_gender(&format!("{height}maxheight"))?,
            },
            Knob {
                decrease: measure(&["upperleg-height-decr", "lowerleg-height-decr"])?,
                increase: measure(&["upperleg-height-incr", "lowerleg-height-incr"])?,
            },
            Knob {
                decrease: measure(&["bust-circ-decr"])?,
                increase: measure(&["bust-circ-incr"])?,
            },
            Knob {
                decrease: measure(&["waist-circ-decr"])?,
                increase: measure(&["waist-circ-incr"])?,
            },
            Knob {
                decrease: measure(&["hips-circ-decr"])?,
                increase: measure(&["hips-circ-incr"])?,
            },
            Knob {
                decrease: measure(&["upperarm-length-decr", "lowerarm-length-decr"])?,
                increase: measure(&["upperarm-length-incr", "lowerarm-length-incr"])?,
            },
            Knob {
                decrease: measure(&["shoulder-dist-decr"])?,
                increase: measure(&["shoulder-dist-incr"])?,
            },
            Knob {
                decrease: per_gender("macrodetails/universal-{g}-young-averagemuscle-minweight")?,
                increase: per_gender("macrodetails/universal-{g}-young-minmuscle-maxweight")?,
            },
            Knob {
                decrease: halves(measure(&["napetowaist-dist-decr", "waisttohip-dist-decr"])?),
                increase: halves(measure(&["napetowaist-dist-incr", "waisttohip-dist-incr"])?),
            },
        ];
        let mut base = Vec::new();
        for (g, share) in &genders {
            for ethnic in ["african", "asian", "caucasian"] {
                base.push((
                    find(format!("macrodetails/{ethnic}-{g}-young"))?,
                    share / 3.0,
                ));
            }
        }
        let n = knobs.len();
        Ok(Shaper {
            asset,
            positions: asset.blend(&base),
            knobs,
            weights: vec![0.0; n],
            slopes: vec![None; n],
        })
    }

    /// Moves knob `k` to weight `w` (clamped to −1..=1).
    fn set(&mut self, k: usize, w: f32) {
        let w = w.clamp(-1.0, 1.0);
        let old = self.weights[k];
        if old == w {
            return;
        }
        for (weight, sign) in [(old, -1.0), (w, 1.0)] {
            let knob = &self.knobs[k];
            let (targets, amount) = if weight >= 0.0 {
                (&knob.increase, weight)
            } else {
                (&knob.decrease, -weight)
            };
            for &(t, share) in targets {
                self.asset
                    .add(&mut self.positions, t, sign * amount * share);
            }
        }
        self.weights[k] = w;
    }

    /// What the tape reads for `field` now, looking where `levels` says its landmark was.
    fn read(&self, field: Field, levels: &Levels) -> Result<f32, TapeError> {
        let (p, q) = (&self.positions[..], &self.asset.quads[..]);
        Ok(match field {
            Field::Height => tape::floor_and_height(p)?.1,
            Field::Inseam => {
                let (floor, _) = tape::floor_and_height(p)?;
                let cutter = Cutter::between(p, q, floor, levels.waist + 0.01);
                tape::crotch_level(&cutter, floor, levels.waist)? - floor
            }
            Field::Bust => {
                // Heavier arms meet the torso lower: the armpits are found again.
                let limit = levels.armpit + 0.03;
                let cutter = Cutter::between(p, q, levels.waist - 0.01, limit + 0.01);
                let armpit = tape::armpit_level(&cutter, levels.waist, limit);
                tape::bust_at(&cutter, levels.waist, armpit)?.1
            }
            Field::Waist => {
                let (floor, height) = tape::floor_and_height(p)?;
                let cutter = Cutter::between(p, q, floor + 0.5 * height, floor + 0.7 * height);
                tape::waist_at(&cutter, floor, height)?.1
            }
            Field::Hips => {
                let cutter = Cutter::between(p, q, levels.crotch - 0.01, levels.waist + 0.01);
                tape::hips_at(&cutter, levels.crotch, levels.waist, 0.0).1
            }
            Field::Arm => landmarks::arm_length(p),
            Field::Shoulders => landmarks::shoulder_width(p),
        })
    }

    /// Solves knob `k` so that `field` reads `goal`, by the secant method within −1..=1.
    fn solve(
        &mut self,
        k: usize,
        quantity: Quantity,
        goal: f32,
        levels: &Levels,
    ) -> Result<(), TapeError> {
        let read = |s: &Self| match quantity {
            Quantity::One(field) => s.read(field, levels),
            Quantity::MeanGirth => Ok((s.read(Field::Bust, levels)?
                + s.read(Field::Waist, levels)?
                + s.read(Field::Hips, levels)?)
                / 3.0),
        };
        let mut w = self.weights[k];
        let mut miss = read(self)? - goal;
        if miss.abs() < AIM {
            return Ok(());
        }
        let mut slope = match self.slopes[k] {
            Some(s) => s,
            None => {
                let probe = if w > 0.9 { w - 0.1 } else { w + 0.1 };
                self.set(k, probe);
                let m = read(self)? - goal;
                let s = (m - miss) / (probe - w);
                (w, miss) = (probe, m);
                s
            }
        };
        for _ in 0..MAX_SECANT_STEPS {
            if miss.abs() < AIM || slope.abs() < 1e-5 || !slope.is_finite() {
                break;
            }
            let next = (w - miss / slope).clamp(-1.0, 1.0);
            if (next - w).abs() < 1e-6 {
                break; // Against a bound: the goal is out of this knob's reach.
            }
            self.set(k, next);
            let m = read(self)? - goal;
            let s = (m - miss) / (next - w);
            if s.is_finite() && s.abs() > 1e-5 {
                slope = s;
            }
            (w, miss) = (next, m);
        }
        self.slopes[k] = Some(slope);
        Ok(())
    }

    /// The full tape on the body now.
    fn measure(&self) -> Result<(Measurements, Levels), TapeError> {
        let (tape, levels) = tape::measure_levels(&self.positions, &self.asset.quads)?;
        let mut m = Measurements {
            height_cm: 0.0,
            chest_cm: 0.0,
            waist_cm: 0.0,
            hips_cm: 0.0,
            inseam_cm: 0.0,
            arm_length_cm: 0.0,
            shoulder_width_cm: 0.0,
        };
        for (field, metres) in [
            (Field::Height, tape.height),
            (Field::Inseam, tape.inseam),
            (Field::Bust, tape.bust),
            (Field::Waist, tape.waist),
            (Field::Hips, tape.hips),
            (Field::Arm, landmarks::arm_length(&self.positions)),
            (Field::Shoulders, landmarks::shoulder_width(&self.positions)),
        ] {
            field.set(&mut m, metres);
        }
        Ok((m, levels))
    }

    /// `levels` moved with the body after a length changed: each keeps its share of the
    /// height above the floor (the next sweep's full measure finds them exactly).
    fn follow(&self, levels: &Levels) -> Result<Levels, TapeError> {
        let (floor, height) = tape::floor_and_height(&self.positions)?;
        let k = height / levels.height;
        let at = |y: f32| floor + (y - levels.floor) * k;
        Ok(Levels {
            floor,
            height,
            waist: at(levels.waist),
            armpit: at(levels.armpit),
            bust: at(levels.bust),
            hips: at(levels.hips),
            crotch: at(levels.crotch),
        })
    }

    /// How far `field` can go with every other knob where it is now: its value at the
    /// knob's two bounds (metres).
    fn reach(&mut self, field: Field, levels: &Levels) -> Result<(f32, f32), TapeError> {
        let k = knob_index(field);
        let w = self.weights[k];
        self.set(k, -1.0);
        let lo = self.read(field, levels)?;
        self.set(k, 1.0);
        let hi = self.read(field, levels)?;
        self.set(k, w);
        Ok((lo.min(hi), lo.max(hi)))
    }
}

fn tape_error(e: TapeError) -> MeasurementError {
    MeasurementError {
        field: "body",
        message: format!("the body could not be measured: {e}"),
    }
}

/// Height and inseam pull on each other (longer legs make a taller body, a taller body has
/// longer legs): the macro height takes the height and the legs the inseam, alternately; when
/// the legs run out of range, the macro height takes the inseam and the torso's length the
/// rest of the height.
fn settle_lengths(
    shaper: &mut Shaper,
    height: f32,
    inseam: f32,
    mut levels: Levels,
) -> Result<Levels, TapeError> {
    let (h, i) = (Quantity::One(Field::Height), Quantity::One(Field::Inseam));
    let legs = knob_index(Field::Inseam);
    for _ in 0..MAX_SECANT_STEPS {
        shaper.solve(knob_index(Field::Height), h, height, &levels)?;
        levels = shaper.follow(&levels)?;
        shaper.solve(legs, i, inseam, &levels)?;
        levels = shaper.follow(&levels)?;
        if (shaper.read(Field::Height, &levels)? - height).abs() < AIM {
            return Ok(levels);
        }
        if shaper.weights[legs].abs() >= 1.0 {
            break;
        }
    }
    for _ in 0..2 {
        shaper.solve(knob_index(Field::Height), i, inseam, &levels)?;
        levels = shaper.follow(&levels)?;
        shaper.solve(TORSO, h, height, &levels)?;
        levels = shaper.follow(&levels)?;
    }
    Ok(levels)
}

/// The template's body with no knob turned, and what a tape reads on it.
pub fn template_body(asset: &BodyAsset, template: Template) -> Result<Fit, MeasurementError> {
    let started = std::time::Instant::now();
    let shaper = Shaper::new(asset, template)?;
    let (measured, levels) = shaper.measure().map_err(tape_error)?;
    Ok(Fit {
        positions: shaper.positions,
        measured,
        levels,
        solve_ms: started.elapsed().as_secs_f64() * 1e3,
        unreached: None,
        knobs: Knobs::default(),
    })
}

/// Finds the body of `template` with measurements `want` (checked first, see
/// [`Measurements::validate`]): every measurement within [`TOLERANCE`], or the closest body
/// with [`Fit::unreached`] naming the measurement furthest out of reach and how far it goes.
pub fn solve(
    asset: &BodyAsset,
    template: Template,
    want: &Measurements,
) -> Result<Fit, MeasurementError> {
    solve_from(asset, template, want, None)
}

/// [`solve`], starting from the knobs of an earlier solve of the same template.
pub fn solve_from(
    asset: &BodyAsset,
    template: Template,
    want: &Measurements,
    start: Option<&Knobs>,
) -> Result<Fit, MeasurementError> {
    want.validate()?;
    let started = std::time::Instant::now();
    let mut shaper = Shaper::new(asset, template)?;
    if let Some(k) = start.filter(|k| k.weights.len() == shaper.weights.len()) {
        for (i, w) in k.weights.iter().enumerate() {
            shaper.set(i, *w);
        }
        shaper.slopes = k.slopes.clone();
    }
    let (_, mut levels) = shaper.measure().map_err(tape_error)?;
    // Height first, so the body-weight step sees the waist at its final level.
    let goal = |f: Field| f.of(want);
    shaper
        .solve(
            0,
            Quantity::One(Field::Height),
            goal(Field::Height),
            &levels,
        )
        .map_err(tape_error)?;
    levels = shaper.follow(&levels).map_err(tape_error)?;
    let mean_girth = (goal(Field::Bust) + goal(Field::Waist) + goal(Field::Hips)) / 3.0;
    shaper
        .solve(WEIGHT, Quantity::MeanGirth, mean_girth, &levels)
        .map_err(tape_error)?;
    let mut measured;
    for _ in 0..MAX_SWEEPS {
        (measured, levels) = shaper.measure().map_err(tape_error)?;
        let worst = Field::ALL
            .iter()
            .map(|f| (f.of(&measured) - goal(*f)).abs())
            .fold(0.0, f32::max);
        if worst < TOLERANCE * 0.2 {
            break;
        }
        let before = shaper.weights.clone();
        levels = settle_lengths(
            &mut shaper,
            goal(Field::Height),
            goal(Field::Inseam),
            levels,
        )
        .map_err(tape_error)?;
        for f in &Field::ALL[2..] {
            shaper
                .solve(knob_index(*f), Quantity::One(*f), goal(*f), &levels)
                .map_err(tape_error)?;
        }
        // A sweep that moved no knob will not be followed by one that does: what is still
        // off is out of reach.
        let moved = before
            .iter()
            .zip(&shaper.weights)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        if moved < 1e-4 {
            break;
        }
    }
    (measured, levels) = shaper.measure().map_err(tape_error)?;
    let worst = Field::ALL
        .iter()
        .map(|f| (*f, f.of(&measured) - goal(*f)))
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
    let unreached = match worst.filter(|w| w.1.abs() > TOLERANCE) {
        Some((field, miss)) => {
            let (lo, hi) = shaper.reach(field, &levels).map_err(tape_error)?;
            Some(MeasurementError {
                field: field.name(),
                message: format!(
                    "{} = {} cannot be reached by the {} body with the other measurements as \
                     they are: it reaches {:.1}..{:.1} cm there (closest {:.1} cm)",
                    field.name(),
                    goal(field) * 100.0,
                    template.name(),
                    lo * 100.0,
                    hi * 100.0,
                    (goal(field) + miss) * 100.0,
                ),
            })
        }
        None => None,
    };
    let knobs = Knobs {
        weights: shaper.weights.clone(),
        slopes: shaper.slopes.clone(),
    };
    Ok(Fit {
        positions: shaper.positions,
        measured,
        levels,
        solve_ms: started.elapsed().as_secs_f64() * 1e3,
        unreached,
        knobs,
    })
}
