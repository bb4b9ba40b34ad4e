//! The `body` group of MakeHuman's base mesh (`3dobjs/base.obj`): its vertices, renumbered
//! from 0 in their original order, and its quads. The other groups (helper geometry for
//! clothes and joints) are left out.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::Path;

/// The body: positions (metres), quads, and each original vertex index's new one.
pub(crate) struct Body {
    pub positions: Vec<[f32; 3]>,
    pub quads: Vec<[u16; 4]>,
    pub index: BTreeMap<usize, u16>,
}

pub(crate) fn read_body(path: &Path, metres_per_unit: f32) -> Result<Body> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_body(&text, metres_per_unit).with_context(|| format!("in {}", path.display()))
}

fn parse_body(text: &str, metres_per_unit: f32) -> Result<Body> {
    let mut all = Vec::new();
    let mut faces: Vec<[usize; 4]> = Vec::new();
    let mut in_body = false;
    for (n, line) in text.lines().enumerate() {
        let mut f = line.split_whitespace();
        match f.next() {
            Some("v") => {
                let c: Vec<f32> = f.take(3).filter_map(|v| v.parse().ok()).collect();
                let [x, y, z] = c[..] else {
                    bail!("line {}: a vertex needs three numbers", n + 1);
                };
                all.push([x, y, z].map(|v| v * metres_per_unit));
            }
            Some("g") => in_body = f.next() == Some("body"),
            Some("f") if in_body => {
                let idx: Vec<usize> = f
                    .map(|p| p.split('/').next().unwrap_or("").parse::<usize>())
                    .collect::<Result<_, _>>()
                    .with_context(|| format!("line {}: a face index is not a number", n + 1))?;
                let [a, b, c, d] = idx[..] else {
                    bail!("line {}: the body is made of quads", n + 1);
                };
                if [a, b, c, d].iter().any(|&i| i == 0 || i > all.len()) {
                    bail!(
                        "line {}: a face names a vertex not defined before it",
                        n + 1
                    );
                }
                faces.push([a - 1, b - 1, c - 1, d - 1]);
            }
            _ => {}
        }
    }
    if faces.is_empty() {
        bail!("no faces in a 'body' group");
    }
    let mut index = BTreeMap::new();
    for &i in faces.iter().flatten() {
        index.insert(i, 0u16);
    }
    if index.len() > usize::from(u16::MAX) + 1 {
        bail!("{} body vertices; at most 65536 fit the asset", index.len());
    }
    for (new, slot) in index.values_mut().enumerate() {
        *slot = new as u16;
    }
    let positions = index.keys().map(|&i| all[i]).collect();
    let quads = faces.iter().map(|q| q.map(|i| index[&i])).collect();
    Ok(Body {
        positions,
        quads,
        index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_body_group_renumbered() {
        let text = "v 0 0 0\nv 10 0 0\nv 10 10 0\nv 0 10 0\nv 5 5 5\ng body\nf 1/1 2/2 3/3 4/4\ng helper-tights\nf 1 2 5 4\n";
        let b = parse_body(text, 0.1).expect("parse");
        assert_eq!(b.positions.len(), 4);
        assert_eq!(b.quads, vec![[0, 1, 2, 3]]);
        assert_eq!(b.positions[2], [1.0, 1.0, 0.0]);
        assert!(!b.index.contains_key(&4));
    }

    #[test]
    fn bad_lines_are_named() {
        let e = parse_body("v 1 2\n", 0.1)
            .err()
            .expect("short vertex")
            .to_string();
        assert!(e.contains("line 1"), "{e}");
        let e = parse_body("v 0 0 0\ng body\nf 1 2 3 9\n", 0.1)
            .err()
            .expect("bad face")
            .to_string();
        assert!(e.contains("line 3"), "{e}");
        let e = parse_body("v 0 0 0\ng body\nf 1 1 1\n", 0.1)
            .err()
            .expect("triangle")
            .to_string();
        assert!(e.contains("quads"), "{e}");
    }
}
