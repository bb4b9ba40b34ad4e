//! Constraint colouring: the constraints put in groups (colours) in which no two share a
//! particle, so each group can be projected all at once — on the GPU one dispatch per group
//! — with the same result as one after another. The CPU solver projects its constraints one
//! after another in the order they were made, in blocks of the cloth at once (see
//! [`crate::blocks`]: a correction runs down a chain of edges in one sweep, where colour by
//! colour it moves one link per group, so a skirt hanging from its waistband stretches
//! less); asked to ([`crate::solver::Params::gpu_order`]) it follows the
//! groups instead, doing the GPU's arithmetic in the GPU's order.

use std::ops::Range;

/// The constraints of one kind in colour order (indices into their list), and each group's
/// range of that order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Groups {
    pub(crate) order: Vec<u32>,
    pub(crate) ranges: Vec<Range<usize>>,
}

/// The groups of each kind of constraint.
#[derive(Debug, Clone, Default)]
pub(crate) struct Colours {
    pub(crate) stretch: Groups,
    pub(crate) bends: Groups,
    pub(crate) stitches: Groups,
    /// Constraints were added or renumbered since: colour again before the next step.
    pub(crate) stale: bool,
}

/// Puts `items` (each touching the particles `particles(item)`, of `count` in all) in groups
/// in which no two share a particle — greedily, the first group free at all of an item's
/// particles, in the items' order.
pub(crate) fn colour<T, const N: usize>(
    items: &[T],
    particles: impl Fn(&T) -> [u32; N],
    count: usize,
) -> Groups {
    // Groups in use at each particle, 128 at most; an item that finds none free (never
    // seen on a cloth mesh) gets a group of its own past them.
    let mut used = vec![0u128; count];
    let mut extra = 128usize;
    let colours: Vec<usize> = items
        .iter()
        .map(|item| {
            let ps = particles(item);
            let taken = ps.iter().fold(0u128, |m, &p| m | used[p as usize]);
            if taken == u128::MAX {
                extra += 1;
                return extra - 1;
            }
            let c = taken.trailing_ones() as usize;
            for &p in &ps {
                used[p as usize] |= 1 << c;
            }
            c
        })
        .collect();
    let groups = colours.iter().copied().max().map_or(0, |m| m + 1);
    let mut sizes = vec![0usize; groups];
    for &c in &colours {
        sizes[c] += 1;
    }
    let mut starts = Vec::with_capacity(groups);
    let mut at = 0;
    for &n in &sizes {
        starts.push(at);
        at += n;
    }
    let mut order = vec![0u32; items.len()];
    let mut next = starts.clone();
    for (i, &c) in colours.iter().enumerate() {
        order[next[c]] = i as u32;
        next[c] += 1;
    }
    let ranges = starts
        .iter()
        .zip(&sizes)
        .filter(|(_, n)| **n > 0)
        .map(|(&s, &n)| s..s + n)
        .collect();
    Groups { order, ranges }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_constraints_of_a_group_share_a_particle() {
        // A strip of edges 0-1, 1-2, 2-3, … and a few longer ones.
        let mut edges: Vec<[u32; 2]> = (0..20).map(|i| [i, i + 1]).collect();
        edges.extend([[0, 5], [5, 10], [3, 7]]);
        let groups = colour(&edges, |e| *e, 21);
        let mut order = groups.order.clone();
        order.sort_unstable();
        assert_eq!(order, (0..edges.len() as u32).collect::<Vec<_>>());
        assert!(groups.ranges.len() >= 2);
        assert_eq!(groups.ranges.last().map(|g| g.end), Some(edges.len()));
        for g in groups.ranges {
            let mut seen = std::collections::HashSet::new();
            for &i in &groups.order[g] {
                let e = edges[i as usize];
                assert!(
                    seen.insert(e[0]) && seen.insert(e[1]),
                    "{e:?} shares a particle"
                );
            }
        }
    }
}
