//! Patterns: every line's template, mined online — `miner` (Drain's fixed-depth tree with the
//! fingerprints' parameter masking per token, in `token`) — and the patterns of whole files
//! with counts, times and level mix (`summary`, what `healdeck patterns` prints).

mod anomaly;
mod anomaly_rates;
mod baseline;
mod extras;
mod histogram;
mod issues;
mod miner;
mod parallel;
mod shape;
mod sketch;
mod summary;
mod timeline;
mod token;
mod unknown;

pub(crate) use anomaly::thousands;
pub use anomaly::{Anomaly, AnomalyKind, AnomalyOptions, Quantiles};
pub use baseline::{BaseHandler, BaseTemplate, Baseline, BaselineError, baseline_path};
pub use histogram::{Histogram, HistogramBin};
pub use issues::anomaly_rule;
pub use miner::{Miner, MinerOptions, Template, TemplateId};
pub use shape::{Shape, Shaper};
pub use summary::{
    HandlerStats, LevelMix, LineTemplate, PatternOptions, PatternReport, PatternStats,
    TemplateSummary, mine,
};
pub use timeline::Timeline;
pub(crate) use unknown::UnknownTemplates;
