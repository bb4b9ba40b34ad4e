//! `build-avatar-assets`: turns MakeHuman's CC0 data (the `body` group of the hm08 base mesh
//! and an adult subset of its shape targets) into `assets/avatar/body.hdav`, the compact file
//! the renderer loads (`healdeck_render::body_asset`). Only data is read from a MakeHuman
//! checkout; none of its (AGPL) code is used.
//!
//!     cargo run -p healdeck-avatar-build -- <makehuman>/makehuman/data [OUT]
//!
//! The subset: the young-adult macro targets (gender × muscle × weight), their height and
//! proportion variants, the three ethnic blends, and every `measure-*` modifier.

mod obj;

use anyhow::{Context, Result, bail};
use healdeck_render::body_asset::{BodyAsset, Target};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// MakeHuman's units are decimetres.
const METRES_PER_UNIT: f32 = 0.1;

/// The targets kept, as paths under `targets/` without `.target`.
fn adult_targets(targets_dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for g in ["female", "male"] {
        for m in ["minmuscle", "averagemuscle", "maxmuscle"] {
            for w in ["minweight", "averageweight", "maxweight"] {
                names.push(format!("macrodetails/universal-{g}-young-{m}-{w}"));
                for h in ["minheight", "maxheight"] {
                    names.push(format!("macrodetails/height/{g}-young-{m}-{w}-{h}"));
                }
                for p in ["idealproportions", "uncommonproportions"] {
                    names.push(format!("macrodetails/proportions/{g}-young-{m}-{w}-{p}"));
                }
            }
        }
        for race in ["african", "asian", "caucasian"] {
            names.push(format!("macrodetails/{race}-{g}-young"));
        }
    }
    let measure = targets_dir.join("measure");
    let mut measures: Vec<String> = std::fs::read_dir(&measure)
        .with_context(|| format!("reading {}", measure.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter_map(|n| n.strip_suffix(".target").map(|s| format!("measure/{s}")))
        .collect();
    measures.sort();
    if measures.is_empty() {
        bail!("no measure-* targets in {}", measure.display());
    }
    names.extend(measures);
    Ok(names)
}

/// A target file: `index dx dy dz` lines (base-mesh indices, decimetres), comments with `#`.
fn read_target(path: &Path, body: &BTreeMap<usize, u16>) -> Result<Vec<(u16, [f32; 3])>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || format!("{}:{}: expected 'index dx dy dz'", path.display(), n + 1);
        let f: Vec<&str> = line.split_whitespace().collect();
        let [i, x, y, z] = f[..] else {
            bail!(bad());
        };
        let i: usize = i.parse().with_context(bad)?;
        let d = [x, y, z].map(|c| c.parse::<f32>().map(|v| v * METRES_PER_UNIT));
        let [Ok(x), Ok(y), Ok(z)] = d else {
            bail!(bad());
        };
        if let Some(&v) = body.get(&i) {
            entries.push((v, [x, y, z]));
        }
    }
    entries.sort_by_key(|e| e.0);
    entries.dedup_by_key(|e| e.0);
    Ok(entries)
}

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1);
    let Some(data) = args.next().map(PathBuf::from) else {
        bail!("usage: build-avatar-assets <makehuman>/makehuman/data [OUT]");
    };
    let out = args
        .next()
        .map_or_else(|| PathBuf::from("assets/avatar/body.hdav"), PathBuf::from);
    let base = obj::read_body(&data.join("3dobjs/base.obj"), METRES_PER_UNIT)?;
    let targets_dir = data.join("targets");
    let mut targets = Vec::new();
    let mut entries = 0;
    for name in adult_targets(&targets_dir)? {
        let path = targets_dir.join(format!("{name}.target"));
        let e = read_target(&path, &base.index)?;
        entries += e.len();
        targets.push(Target::quantize(&name, &e));
    }
    let asset = BodyAsset {
        positions: base.positions,
        quads: base.quads,
        targets,
    };
    let bytes = asset.encode().context("compressing")?;
    std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{}: {} vertices, {} quads, {} targets ({} offsets), {:.1} MB",
        out.display(),
        asset.positions.len(),
        asset.quads.len(),
        asset.targets.len(),
        entries,
        bytes.len() as f64 / 1e6
    );
    Ok(())
}
