//! Patterns: every line's template, mined online — `miner` (Drain's fixed-depth tree with the
//! fingerprints' parameter masking per token, in `token`) — and the patterns of whole files
//! with counts, times and level mix (`summary`, what `healdeck patterns` prints).

mod miner;
mod summary;
mod token;

pub use miner::{Miner, MinerOptions, Template, TemplateId};
pub use summary::{
    LevelMix, LineTemplate, PatternOptions, PatternReport, PatternStats, TemplateSummary, mine,
};
