//! Constraint colouring: the constraints sorted into groups (colours) in which no two share
//! a particle, so each group can be projected all at once — on the GPU one dispatch per
//! group — with the same result as one after another. The CPU solver projects them in the
//! same order, colour by colour, so the two solvers do the same arithmetic in the same
//! order and their results agree to rounding.

use std::ops::Range;

/// The groups of each kind of constraint, as ranges of their (sorted) lists.
#[derive(Debug, Clone, Default)]
pub(crate) struct Colours {
    pub(crate) stretch: Vec<Range<usize>>,
    pub(crate) bends: Vec<Range<usize>>,
    pub(crate) stitches: Vec<Range<usize>>,
    /// Constraints were added or renumbered since: colour again before the next step.
    pub(crate) stale: bool,
}

/// Sorts `items` (each touching the particles `particles(item)`, of `count` in all) into
/// groups in which no two share a particle — greedily, the first group free at all of an
/// item's particles, in the items' order — and returns the groups' ranges.
pub(crate) fn colour<T: Clone, const N: usize>(
    items: &mut Vec<T>,
    particles: impl Fn(&T) -> [u32; N],
    count: usize,
) -> Vec<Range<usize>> {
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
    let mut sorted: Vec<Option<T>> = vec![None; items.len()];
    let mut next = starts.clone();
    for (item, &c) in items.drain(..).zip(&colours) {
        sorted[next[c]] = Some(item);
        next[c] += 1;
    }
    items.extend(sorted.into_iter().flatten());
    starts
        .iter()
        .zip(&sizes)
        .filter(|(_, n)| **n > 0)
        .map(|(&s, &n)| s..s + n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_constraints_of_a_group_share_a_particle() {
        // A strip of edges 0-1, 1-2, 2-3, … and a few longer ones.
        let mut edges: Vec<[u32; 2]> = (0..20).map(|i| [i, i + 1]).collect();
        edges.extend([[0, 5], [5, 10], [3, 7]]);
        let all = edges.clone();
        let groups = colour(&mut edges, |e| *e, 21);
        assert_eq!(edges.len(), all.len());
        assert!(all.iter().all(|e| edges.contains(e)));
        assert!(groups.len() >= 2);
        assert_eq!(groups.last().map(|g| g.end), Some(edges.len()));
        for g in groups {
            let mut seen = std::collections::HashSet::new();
            for e in &edges[g] {
                assert!(
                    seen.insert(e[0]) && seen.insert(e[1]),
                    "{e:?} shares a particle"
                );
            }
        }
    }
}
