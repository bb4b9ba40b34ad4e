//! The template miner: Drain's fixed-depth prefix tree (He et al., ICWS 2017), streaming, in
//! bounded memory.
//!
//! A message is split into tokens; each token is masked the way fingerprints are (`token`):
//! a number becomes `#` and a hex or id-shaped token, host or path `<*>`, so `blk_-1608` and
//! `blk_7503` are one token. The tree's first level is the token count, the next
//! `depth - 2` levels the first tokens (a token that held a digit goes down the wildcard
//! branch, as in Drain), and a leaf holds templates. A message joins the leaf's most similar
//! template (the share of positions equal, wildcards aside) when that share is at least
//! `similarity`, and the positions that differ become wildcards; otherwise it starts a new
//! template. Tokens are interned (`u32`), so comparing is comparing integers.
//!
//! Memory is bounded by `max_templates`: past it, the least recently used tenth is retired —
//! its ids are never reused, and a later message of that shape starts a new template.

use super::shape::{Shape, Shaper};
use std::collections::HashMap as StdMap;

/// Maps keyed by interned tokens and short strings: foldhash, several times faster than
/// SipHash here (the keys are not chosen by an attacker who could make them collide in bulk,
/// and a collision only costs time).
type HashMap<K, V> = StdMap<K, V, foldhash::fast::FixedState>;

/// A template's id: stable for the miner's life, never reused.
pub type TemplateId = u32;

/// The interned wildcard.
const WILDCARD: u32 = 0;
/// Constant words a message needs for `join_by_words`.
const MIN_SKELETON: usize = 3;
/// Shapes remembered (16 bytes each); past it they are forgotten all at once and learnt again.
const MAX_SHAPES: usize = 1 << 18;

/// Tuning, one set for every log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinerOptions {
    /// Tree depth (the token-count level and the leaf included).
    pub depth: usize,
    /// The share of equal positions for a message to join a template.
    pub similarity: f32,
    /// Children of one tree node before new tokens go down the wildcard branch.
    pub max_children: usize,
    /// Templates kept; the least recently used are retired past it.
    pub max_templates: usize,
    /// A message of a new length whose constant words equal an existing template's (its
    /// parameters only took more or fewer tokens: `0 bytes` / `1234 bytes (1.2 KB)`) joins
    /// that template instead of starting one (see [`Miner::skeleton`]).
    pub join_by_words: bool,
}

impl Default for MinerOptions {
    fn default() -> Self {
        MinerOptions {
            depth: 4,
            similarity: 0.65,
            max_children: 100,
            max_templates: 50_000,
            join_by_words: true,
        }
    }
}

/// One template and what the miner knows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub id: TemplateId,
    tokens: Vec<u32>,
    pub count: u64,
    /// The order of the last message that joined it (for retiring the least recent).
    last_used: u64,
}

#[derive(Debug, Default)]
struct Node {
    children: HashMap<u32, Node>,
    wildcard: Option<Box<Node>>,
    /// Template slots (indexes into `Miner::slots`) at a leaf.
    templates: Vec<usize>,
}

/// The miner.
#[derive(Debug)]
pub struct Miner {
    opts: MinerOptions,
    symbols: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    /// Whether each symbol held a digit (it goes down the wildcard branch).
    variable: Vec<bool>,
    /// For a `key=<*>` symbol (made when two `key=value` tokens met), its `key=`.
    keyed: Vec<Option<Box<str>>>,
    roots: HashMap<usize, Node>,
    slots: Vec<Option<Template>>,
    by_id: HashMap<TemplateId, usize>,
    next_id: TemplateId,
    clock: u64,
    live: usize,
    retired: u64,
    scratch: Vec<u32>,
    token_buf: String,
    /// Templates by their constant words (`join_by_words`).
    skeletons: HashMap<Vec<u32>, TemplateId>,
    shaper: Shaper,
    /// Shapes placed before → the slot of the template they went to (cleared when full).
    shapes: HashMap<u64, u32>,
}

impl Miner {
    pub fn new(opts: MinerOptions) -> Miner {
        let mut m = Miner {
            opts: MinerOptions {
                depth: opts.depth.max(3),
                max_templates: opts.max_templates.max(16),
                ..opts
            },
            symbols: HashMap::default(),
            names: Vec::new(),
            variable: Vec::new(),
            keyed: Vec::new(),
            roots: HashMap::default(),
            slots: Vec::new(),
            by_id: HashMap::default(),
            next_id: 1,
            clock: 0,
            live: 0,
            retired: 0,
            scratch: Vec::new(),
            token_buf: String::new(),
            skeletons: HashMap::default(),
            shapes: HashMap::default(),
            shaper: Shaper::default(),
        };
        m.intern("<*>", true);
        m
    }

    fn intern(&mut self, text: &str, variable: bool) -> u32 {
        if let Some(&s) = self.symbols.get(text) {
            return s;
        }
        let s = self.names.len() as u32;
        self.symbols.insert(text.into(), s);
        self.names.push(text.into());
        self.variable.push(variable);
        self.keyed.push(None);
        s
    }

    /// The `key=<*>` symbol for `key=`.
    fn keyed_symbol(&mut self, key: &str) -> u32 {
        let s = self.intern(&format!("{key}<*>"), true);
        self.keyed[s as usize] = Some(key.into());
        s
    }

    /// Whether a template's token `a` takes the message's token `b`: the same, or `key=<*>`
    /// and `b` is that key's.
    fn takes(&self, a: u32, b: u32) -> bool {
        a == b
            || self.keyed[a as usize]
                .as_deref()
                .is_some_and(|k| self.names[b as usize].starts_with(k))
    }

    /// What a template's token becomes when a message differs there: `key=<*>` when both
    /// are `key=…` with the same key, else the wildcard.
    fn widen(&mut self, a: u32, b: u32) -> u32 {
        if self.takes(a, b) {
            return a;
        }
        let (x, y) = (&self.names[a as usize], &self.names[b as usize]);
        match (x.find('='), y.find('=')) {
            (Some(i), Some(j)) if i == j && i > 0 && x[..=i] == y[..=i] => {
                let key = x[..=i].to_string();
                self.keyed_symbol(&key)
            }
            _ => WILDCARD,
        }
    }

    /// Templates retired at the cap so far.
    pub fn retired(&self) -> u64 {
        self.retired
    }

    /// Templates alive now.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The template of `message`, made or widened as needed.
    pub fn add(&mut self, message: &str) -> TemplateId {
        let shape = self.shaper.shape(message);
        self.add_shaped(message, shape)
    }

    /// [`Miner::add`] with the message's shape worked out already (on another thread: see
    /// [`Miner::add_lines`]). A shape placed before goes to the same template without being
    /// compared again: that template took every token of it when it was placed, and widening
    /// only ever makes a template take more. (Drain would compare it with every template at
    /// its leaf again, and could pick another one that has since grown more similar.)
    pub fn add_shaped(&mut self, message: &str, shape: Shape) -> TemplateId {
        self.clock += 1;
        if let Some(&slot) = self.shapes.get(&shape.key())
            && let Some(t) = self.slots[slot as usize].as_mut()
        {
            t.count += 1;
            t.last_used = self.clock;
            return t.id;
        }
        let id = self.mine(message);
        if let Some(&slot) = self.by_id.get(&id)
            && let Ok(slot) = u32::try_from(slot)
        {
            if self.shapes.len() >= MAX_SHAPES {
                self.shapes.clear();
            }
            self.shapes.insert(shape.key(), slot);
        }
        id
    }

    /// Places a message the shapes did not know: tokens, the tree, similarity.
    fn mine(&mut self, message: &str) -> TemplateId {
        let mut tokens = std::mem::take(&mut self.scratch);
        tokens.clear();
        for raw in message.split_ascii_whitespace() {
            let mut buf = std::mem::take(&mut self.token_buf);
            let variable = super::token::mask(raw, &mut buf);
            let sym = if variable == super::token::Mask::Wild {
                WILDCARD
            } else {
                self.intern(&buf, variable == super::token::Mask::Digits)
            };
            self.token_buf = buf;
            tokens.push(sym);
        }
        let id = self.place(&tokens);
        self.scratch = tokens;
        if self.live > self.opts.max_templates {
            self.retire();
        }
        id
    }

    /// The leaf of the tree a message of `tokens` belongs to (made on the way).
    fn leaf<'a>(
        roots: &'a mut HashMap<usize, Node>,
        variable: &[bool],
        opts: &MinerOptions,
        tokens: &[u32],
    ) -> &'a mut Node {
        let (depth, max_children) = (opts.depth, opts.max_children);
        let mut node = roots.entry(tokens.len()).or_default();
        for &t in tokens.iter().take(depth - 2) {
            let wild = t == WILDCARD || variable[t as usize];
            node = if !wild
                && (node.children.contains_key(&t) || node.children.len() < max_children)
            {
                node.children.entry(t).or_default()
            } else {
                node.wildcard.get_or_insert_with(Box::default)
            };
        }
        node
    }

    /// A message's constant words: its tokens without wildcards, masked numbers, and short
    /// units right after a number (`KB)`, `sec`, `ms`) — what stays when only parameters
    /// change.
    fn skeleton(&self, tokens: &[u32]) -> Vec<u32> {
        let mut out = Vec::with_capacity(tokens.len());
        let mut after_number = false;
        for &t in tokens {
            let variable = t == WILDCARD || self.variable[t as usize];
            let unit = after_number && is_unit(&self.names[t as usize]);
            if !variable && !unit {
                out.push(t);
            }
            after_number = variable;
        }
        out
    }

    fn place(&mut self, tokens: &[u32]) -> TemplateId {
        let node = Self::leaf(&mut self.roots, &self.variable, &self.opts, tokens);
        // The most similar template at the leaf: equal positions, then more wildcards.
        let mut best: Option<(usize, f32, usize)> = None;
        for &slot in &node.templates {
            let Some(t) = self.slots[slot].as_ref() else {
                continue;
            };
            let (mut same, mut wild) = (0usize, 0usize);
            for (&a, &b) in t.tokens.iter().zip(tokens) {
                if a == WILDCARD {
                    wild += 1;
                } else if a == b
                    || self.keyed[a as usize]
                        .as_deref()
                        .is_some_and(|k| self.names[b as usize].starts_with(k))
                {
                    same += 1;
                }
            }
            let sim = same as f32 / tokens.len().max(1) as f32;
            if best.is_none_or(|(_, s, w)| sim > s || (sim == s && wild > w)) {
                best = Some((slot, sim, wild));
            }
        }
        let threshold = self.opts.similarity;
        if let Some((slot, sim, _)) = best
            && (sim >= threshold || tokens.is_empty())
            && let Some(mut t) = self.slots[slot].take()
        {
            for (a, &b) in t.tokens.iter_mut().zip(tokens) {
                if *a != b && *a != WILDCARD {
                    *a = self.widen(*a, b);
                }
            }
            t.count += 1;
            t.last_used = self.clock;
            let id = t.id;
            self.slots[slot] = Some(t);
            return id;
        }
        let skeleton = if self.opts.join_by_words {
            self.skeleton(tokens)
        } else {
            Vec::new()
        };
        if skeleton.len() >= MIN_SKELETON
            && let Some(&id) = self.skeletons.get(&skeleton)
            && let Some(&slot) = self.by_id.get(&id)
            && let Some(t) = self.slots[slot].as_mut()
        {
            t.count += 1;
            t.last_used = self.clock;
            return id;
        }
        let id = self.next_id;
        self.next_id += 1;
        if skeleton.len() >= MIN_SKELETON {
            self.skeletons.insert(skeleton, id);
        }
        let slot = self.slots.len();
        self.slots.push(Some(Template {
            id,
            tokens: tokens.to_vec(),
            count: 1,
            last_used: self.clock,
        }));
        Self::leaf(&mut self.roots, &self.variable, &self.opts, tokens)
            .templates
            .push(slot);
        self.by_id.insert(id, slot);
        self.live += 1;
        id
    }

    /// Retires the least recently used tenth of the templates.
    fn retire(&mut self) {
        let mut ages: Vec<u64> = self.slots.iter().flatten().map(|t| t.last_used).collect();
        let n = (ages.len() / 10).max(1);
        let (_, cut, _) = ages.select_nth_unstable(n - 1);
        let cut = *cut;
        for slot in &mut self.slots {
            if slot.as_ref().is_some_and(|t| t.last_used <= cut)
                && let Some(t) = slot.take()
            {
                self.by_id.remove(&t.id);
                self.live -= 1;
                self.retired += 1;
            }
        }
        let slots = &self.slots;
        for root in self.roots.values_mut() {
            prune(root, slots);
        }
        let by_id = &self.by_id;
        self.skeletons.retain(|_, id| by_id.contains_key(id));
    }

    /// A template's text: its tokens, wildcards as `<*>`.
    pub fn text(&self, id: TemplateId) -> Option<String> {
        let t = self.slots[*self.by_id.get(&id)?].as_ref()?;
        Some(
            t.tokens
                .iter()
                .map(|&s| &*self.names[s as usize])
                .collect::<Vec<_>>()
                .join(" "),
        )
    }

    /// Every live template, in id order.
    pub fn templates(&self) -> Vec<&Template> {
        let mut v: Vec<&Template> = self.slots.iter().flatten().collect();
        v.sort_by_key(|t| t.id);
        v
    }
}

/// A unit of measure written after a number (`KB)`, `sec`, `ms,`).
fn is_unit(word: &str) -> bool {
    const UNITS: [&str; 21] = [
        "b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "ns", "us", "µs", "ms", "s",
        "sec", "secs", "min", "mins", "h", "hrs", "%",
    ];
    let w = word.trim_matches(|c: char| c.is_ascii_punctuation() && c != '%');
    UNITS.iter().any(|u| w.eq_ignore_ascii_case(u))
}

/// Drops retired slots from every leaf.
fn prune(node: &mut Node, slots: &[Option<Template>]) {
    node.templates.retain(|&s| slots[s].is_some());
    for child in node.children.values_mut() {
        prune(child, slots);
    }
    if let Some(w) = node.wildcard.as_mut() {
        prune(w, slots);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_with_different_values_share_a_template() {
        let mut m = Miner::new(MinerOptions::default());
        let a = m.add("PacketResponder 1 for block blk_38865049064139660 terminating");
        let b = m.add("PacketResponder 2 for block blk_-6952295868487656571 terminating");
        let c = m.add("Received block blk_3587508140051953248 of size 67108864 from /10.251.42.84");
        let d = m.add("Received block blk_5402003568334525940 of size 3543 from /10.251.214.112");
        assert_eq!(a, b);
        assert_eq!(c, d);
        assert_ne!(a, c);
        assert_eq!(
            m.text(a).as_deref(),
            Some("PacketResponder # for block blk_# terminating")
        );
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn a_repeated_shape_goes_to_its_template_after_it_widened() {
        let mut m = Miner::new(MinerOptions::default());
        let a = m.add("session opened for alice from web");
        let b = m.add("session opened for bob from web");
        assert_eq!(a, b);
        // Same shape as the first message: placed by the shape, counted.
        assert_eq!(m.add("session opened for alice from web"), a);
        assert_eq!(m.templates()[0].count, 3);
        assert_eq!(
            m.text(a).as_deref(),
            Some("session opened for <*> from web")
        );
    }

    #[test]
    fn differing_words_widen_a_template_only_above_the_similarity() {
        let mut m = Miner::new(MinerOptions::default());
        let a = m.add("session opened for user root by (uid=0)");
        let b = m.add("session opened for user cyrus by (uid=0)");
        let c = m.add("connection closed by remote host now");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            m.text(a).as_deref(),
            Some("session opened for user <*> by (uid=#)")
        );
    }

    #[test]
    fn parameters_of_other_lengths_join_by_the_constant_words() {
        let mut m = Miner::new(MinerOptions::default());
        let a = m.add("a.b.c:443 close, 0 bytes sent, 0 bytes received, lifetime 00:01");
        let b =
            m.add("a.b.c:443 close, 1234 bytes (1.2 KB) sent, 99 bytes received, lifetime <1 sec");
        assert_eq!(a, b, "only the parameters took more tokens");
        // Different words between the parameters: different events.
        let c = m.add("Received block blk_1 of size 5 from /10.0.0.1");
        let d = m.add("Received block blk_2 src: /10.0.0.1:5 dest: /10.0.0.2:6 of size 7");
        assert_ne!(c, d);
        let mut off = Miner::new(MinerOptions {
            join_by_words: false,
            ..MinerOptions::default()
        });
        let a = off.add("a.b.c:443 close, 0 bytes sent, 0 bytes received, lifetime 00:01");
        let b = off
            .add("a.b.c:443 close, 1234 bytes (1.2 KB) sent, 99 bytes received, lifetime <1 sec");
        assert_ne!(a, b);
    }

    #[test]
    fn the_cap_retires_the_least_recent() {
        let mut m = Miner::new(MinerOptions {
            max_templates: 20,
            ..MinerOptions::default()
        });
        let keep = m.add("heartbeat ok");
        for n in 0..100 {
            m.add(&format!(
                "distinct{} words{} here{}",
                letters(n),
                letters(n + 1),
                letters(n + 2)
            ));
            m.add("heartbeat ok");
        }
        assert!(m.len() <= 21, "{}", m.len());
        assert!(m.retired() > 0);
        assert_eq!(m.add("heartbeat ok"), keep, "a template in use is kept");
        // The first distinct message's template was retired: its shape, remembered, must
        // not lead back to it; the message starts a new template.
        let again = m.add(&format!(
            "distinct{} words{} here{}",
            letters(0),
            letters(1),
            letters(2)
        ));
        assert!(again > keep + 1, "a new id, not the retired one: {again}");
        assert!(m.text(again).is_some());
    }

    fn letters(n: usize) -> String {
        format!(
            "{}{}",
            (b'a' + (n % 26) as u8) as char,
            (b'a' + (n / 26 % 26) as u8) as char
        )
    }
}
