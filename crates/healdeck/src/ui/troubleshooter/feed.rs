//! The live error feed's model: every issue the engine reported (keyed by fingerprint), and the
//! filtered, sorted list of rows the table shows. The row list is rebuilt only when issues or
//! filters change, so drawing a frame costs the visible rows, not the 100,000 behind them.

use super::super::settings::SortKey;
use healdeck_engine::Severity;
use healdeck_engine::group::Issue;
use healdeck_engine::model::Category;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// What the user filters by.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub show_severity: [bool; 4],
    pub category: Option<Category>,
    pub source: Option<String>,
    pub search: String,
    /// Leave out issues that were fixed and have not come back.
    pub hide_resolved: bool,
    /// Only issues seen in this time range (engine times, end excluded): a histogram bar.
    pub time: Option<(String, String)>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            show_severity: [true; 4],
            category: None,
            source: None,
            search: String::new(),
            hide_resolved: false,
            time: None,
        }
    }
}

fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
    }
}

/// A short name for an issue's latest source (the table's "Source" column): a file's name;
/// for a source read through a program, where it is and the file's name (`web-1:app.log`,
/// `journal:remote`, `docker:api`); a sending host as it is (`syslog:web-1`).
pub(crate) fn source_name(issue: &Issue) -> std::borrow::Cow<'_, str> {
    let s = issue.latest.source.as_str();
    let last = |t: &str| -> String {
        let t = t.split('?').next().unwrap_or(t).trim_end_matches('/');
        t.rsplit('/').next().unwrap_or(t).to_string()
    };
    if let Some(rest) = s.strip_prefix("ssh://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit('@').next().unwrap_or(authority);
        let host = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(v6),
            None => host.split(':').next().unwrap_or(host),
        };
        return format!("{host}:{}", last(path)).into();
    }
    if let Some(path) = s.strip_prefix("journal:") {
        let name = last(path);
        return if name.is_empty() {
            "journal".into()
        } else {
            format!("journal:{name}").into()
        };
    }
    for scheme in ["docker", "podman"] {
        if let Some(name) = s.strip_prefix(scheme).and_then(|r| r.strip_prefix("://")) {
            return format!("{scheme}:{name}").into();
        }
    }
    if s.starts_with("syslog:") || s.starts_with("otlp:") {
        return s.into();
    }
    s.rsplit(['/', '\\']).next().unwrap_or(s).into()
}

/// Whether an issue was seen between `from` and `to` (engine times; its first to last time
/// overlaps the range). An issue without times is not.
fn seen_within(issue: &Issue, from: &str, to: &str) -> bool {
    let Some(first) = issue.first_seen.as_deref() else {
        return false;
    };
    let last = issue.last_seen.as_deref().unwrap_or(first);
    first < to && last >= from
}

/// How much of an excerpt the search box looks through (its message and first frames).
const SEARCHED_EXCERPT: usize = 4096;

fn searchable_excerpt(excerpt: &str) -> &str {
    let mut end = excerpt.len().min(SEARCHED_EXCERPT);
    while !excerpt.is_char_boundary(end) {
        end -= 1;
    }
    &excerpt[..end]
}

#[derive(Default)]
pub struct Feed {
    /// Shared with the engine's store: an issue the watcher reported is held once.
    issues: Vec<Arc<Issue>>,
    /// Lowercased title, category, rule, source and the start of the excerpt (the message
    /// and its first frames), for the search box.
    haystacks: Vec<String>,
    by_fingerprint: HashMap<String, usize>,
    rows: Vec<u32>,
    dirty: bool,
    applied: Option<(Filter, SortKey, bool)>,
    sources: BTreeSet<String>,
    /// Issues by severity (all issues, not just the filtered ones).
    counts: [usize; 4],
}

impl Feed {
    pub fn new() -> Feed {
        Feed::default()
    }

    /// Adds an issue, or replaces the one with its fingerprint.
    pub fn upsert(&mut self, issue: Arc<Issue>) {
        let hay = format!(
            "{}\n{}\n{}\n{}\n{}",
            issue.title,
            issue.category,
            issue.rule.as_deref().unwrap_or(""),
            issue.latest.source,
            searchable_excerpt(&issue.excerpt)
        )
        .to_lowercase();
        self.sources.insert(source_name(&issue).to_string());
        match self.by_fingerprint.get(&issue.fingerprint) {
            Some(&i) => {
                self.counts[severity_index(self.issues[i].severity)] -= 1;
                self.counts[severity_index(issue.severity)] += 1;
                self.issues[i] = issue;
                self.haystacks[i] = hay;
            }
            None => {
                self.counts[severity_index(issue.severity)] += 1;
                self.by_fingerprint
                    .insert(issue.fingerprint.clone(), self.issues.len());
                self.issues.push(issue);
                self.haystacks.push(hay);
            }
        }
        self.dirty = true;
    }

    /// Replaces the issues from logs (a full rescan); the health checks' issues stay, since
    /// the monitor, not the logs, says where they stand.
    pub fn replace_all(&mut self, issues: Vec<Issue>) {
        let health: Vec<Arc<Issue>> = self
            .issues
            .iter()
            .filter(|i| healdeck_engine::health::related::is_health(i))
            .cloned()
            .collect();
        *self = Feed::new();
        self.issues.reserve(issues.len() + health.len());
        for i in health {
            self.upsert(i);
        }
        for i in issues {
            self.upsert(Arc::new(i));
        }
        self.dirty = true;
    }

    pub fn len(&self) -> usize {
        self.issues.len()
    }

    pub fn is_empty(&self) -> bool {
        self.issues.is_empty()
    }

    pub fn counts(&self) -> [usize; 4] {
        self.counts
    }

    pub fn sources(&self) -> &BTreeSet<String> {
        &self.sources
    }

    pub fn get(&self, fingerprint: &str) -> Option<&Issue> {
        self.by_fingerprint
            .get(fingerprint)
            .map(|&i| &*self.issues[i])
    }

    pub fn all(&self) -> &[Arc<Issue>] {
        &self.issues
    }

    /// Whether `refresh` would rebuild the rows.
    pub fn needs_refresh(&self, filter: &Filter, sort: SortKey, descending: bool) -> bool {
        self.dirty
            || self
                .applied
                .as_ref()
                .is_none_or(|(f, s, d)| f != filter || *s != sort || *d != descending)
    }

    /// Whether the filters or the sort differ from those the rows were built with.
    pub fn filters_changed(&self, filter: &Filter, sort: SortKey, descending: bool) -> bool {
        self.applied
            .as_ref()
            .is_none_or(|(f, s, d)| f != filter || *s != sort || *d != descending)
    }

    /// Rebuilds the visible rows if issues or filters changed.
    pub fn refresh(&mut self, filter: &Filter, sort: SortKey, descending: bool) {
        self.refresh_with(filter, sort, descending, |_| false);
    }

    /// Marks the rows for rebuilding (something they depend on besides the issues changed).
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// `refresh`, with `resolved` saying which issues "Hide resolved" leaves out.
    pub fn refresh_with(
        &mut self,
        filter: &Filter,
        sort: SortKey,
        descending: bool,
        resolved: impl Fn(&Issue) -> bool,
    ) {
        if !self.needs_refresh(filter, sort, descending) {
            return;
        }
        let needle = filter.search.trim().to_lowercase();
        let issues = &self.issues;
        let mut rows: Vec<u32> = (0..issues.len() as u32)
            .filter(|&i| {
                let is = &issues[i as usize];
                filter.show_severity[severity_index(is.severity)]
                    && filter.category.is_none_or(|c| c == is.category)
                    && filter
                        .source
                        .as_deref()
                        .is_none_or(|s| source_name(is) == s)
                    && (needle.is_empty() || self.haystacks[i as usize].contains(&needle))
                    && filter
                        .time
                        .as_ref()
                        .is_none_or(|(from, to)| seen_within(is, from, to))
                    && !(filter.hide_resolved
                        && (resolved(is)
                            || is.state == healdeck_engine::group::IssueState::Resolved))
            })
            .collect();
        let key = |i: &u32| &*issues[*i as usize];
        match sort {
            SortKey::Severity => rows.sort_by(|a, b| {
                let (x, y) = (key(a), key(b));
                x.severity
                    .cmp(&y.severity)
                    .then(y.count.cmp(&x.count))
                    .then(x.seq.cmp(&y.seq))
            }),
            SortKey::Title => rows.sort_by(|a, b| key(a).title.cmp(&key(b).title)),
            SortKey::Category => rows.sort_by(|a, b| {
                key(a)
                    .category
                    .as_str()
                    .cmp(key(b).category.as_str())
                    .then(key(a).severity.cmp(&key(b).severity))
            }),
            SortKey::Count => rows.sort_by_key(|a| std::cmp::Reverse(key(a).count)),
            SortKey::LastSeen => rows.sort_by(|a, b| key(b).last_seen.cmp(&key(a).last_seen)),
            SortKey::Source => rows.sort_by(|a, b| source_name(key(a)).cmp(&source_name(key(b)))),
        }
        // Count and last seen read best newest/largest first; "descending" flips the default.
        if descending {
            rows.reverse();
        }
        if sort == SortKey::Severity {
            // A failing health check leads the log issues of the service it watches.
            let refs: Vec<&Issue> = issues.iter().map(|a| &**a).collect();
            let mut order: Vec<usize> = rows.iter().map(|&r| r as usize).collect();
            healdeck_engine::health::related::beside_health(&refs, &mut order);
            rows = order.into_iter().map(|i| i as u32).collect();
        }
        self.rows = rows;
        self.dirty = false;
        self.applied = Some((filter.clone(), sort, descending));
    }

    /// The rows the table shows, in order.
    pub fn rows(&self) -> &[u32] {
        &self.rows
    }

    pub fn row(&self, r: usize) -> Option<&Issue> {
        self.rows.get(r).map(|&i| &*self.issues[i as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(fp: &str, sev: Severity, cat: Category, count: u64, src: &str) -> Issue {
        Issue {
            category: cat,
            severity: sev,
            count,
            last_seen: Some(format!("2024-01-01T00:00:{:02}", count % 60)),
            seq: count,
            ..Issue::example(fp, src, 1)
        }
    }

    #[test]
    fn sources_read_through_a_program_keep_where_they_are_in_their_short_name() {
        for (source, short) in [
            ("/var/log/app.log", "app.log"),
            ("ssh://deploy@web-1:2222/var/log/app.log", "web-1:app.log"),
            ("ssh://[::1]/journal?priority=err", "::1:journal"),
            ("journal:", "journal"),
            (
                "journal:/var/log/journal/remote?unit=a.service",
                "journal:remote",
            ),
            ("docker://api", "docker:api"),
            ("syslog:web-1", "syslog:web-1"),
            ("otlp:checkout", "otlp:checkout"),
        ] {
            let i = issue("a", Severity::Low, Category::Http, 1, source);
            assert_eq!(source_name(&i), short, "{source}");
        }
    }

    #[test]
    fn filters_sorts_and_updates_in_place() {
        let mut f = Feed::new();
        f.upsert(Arc::new(issue(
            "a",
            Severity::Low,
            Category::Http,
            5,
            "/x/a.log",
        )));
        f.upsert(Arc::new(issue(
            "b",
            Severity::Critical,
            Category::Import,
            1,
            "/x/b.log",
        )));
        f.upsert(Arc::new(issue(
            "c",
            Severity::High,
            Category::Http,
            9,
            "/y/a.log",
        )));
        let mut filter = Filter::default();
        f.refresh(&filter, SortKey::Severity, false);
        let fps: Vec<_> = (0..3)
            .map(|r| f.row(r).map(|i| i.fingerprint.clone()))
            .collect();
        assert_eq!(fps, [Some("b".into()), Some("c".into()), Some("a".into())]);
        assert_eq!(f.counts(), [1, 1, 0, 1]);

        f.refresh(&filter, SortKey::Count, false);
        assert_eq!(f.row(0).map(|i| i.count), Some(9));

        filter.category = Some(Category::Http);
        filter.source = Some("a.log".into());
        f.refresh(&filter, SortKey::Count, false);
        assert_eq!(f.rows().len(), 2);

        filter.search = "ISSUE C".into();
        f.refresh(&filter, SortKey::Count, false);
        assert_eq!(f.rows().len(), 1);

        // An update replaces by fingerprint and moves the severity count.
        f.upsert(Arc::new(issue(
            "a",
            Severity::Medium,
            Category::Http,
            6,
            "/x/a.log",
        )));
        assert_eq!(f.len(), 3);
        assert_eq!(f.counts(), [1, 1, 1, 0]);
        assert!(f.needs_refresh(&filter, SortKey::Count, false));

        filter = Filter {
            show_severity: [false, false, true, true],
            ..Filter::default()
        };
        f.refresh(&filter, SortKey::Severity, false);
        assert_eq!(f.rows().len(), 1);
        assert_eq!(f.row(0).map(|i| i.count), Some(6));
    }

    #[test]
    fn search_looks_through_the_excerpt_and_hide_resolved_leaves_fixed_ones_out() {
        let mut f = Feed::new();
        let mut with_frame = issue("a", Severity::High, Category::Import, 1, "/x/a.log");
        with_frame.excerpt =
            "Traceback\n  File \"/srv/app/Billing.py\", line 3\nKeyError: 'x'".into();
        f.upsert(Arc::new(with_frame));
        f.upsert(Arc::new(issue(
            "b",
            Severity::High,
            Category::Import,
            2,
            "/x/b.log",
        )));
        let mut filter = Filter {
            search: "billing.py".into(),
            ..Filter::default()
        };
        f.refresh(&filter, SortKey::Count, false);
        assert_eq!(f.rows().len(), 1);
        assert_eq!(f.row(0).map(|i| i.fingerprint.as_str()), Some("a"));
        filter.search.clear();
        filter.hide_resolved = true;
        f.refresh_with(&filter, SortKey::Count, false, |i| i.fingerprint == "b");
        assert_eq!(f.rows().len(), 1);
        assert_eq!(f.row(0).map(|i| i.fingerprint.as_str()), Some("a"));
    }
}
