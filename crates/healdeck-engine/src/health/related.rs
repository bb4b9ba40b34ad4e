//! A health failure and the log issues that share its cause sit together: a check names the
//! log or service it watches (`source`), and the issues from that log follow the check's issue
//! (`/var/log/api/app.log` matches a check whose source is that path, `app.log`, `app` or
//! `api`). Also: the checks' current issues from their saved state, for `diagnose --health`.

use super::HealthConfig;
use super::state::CheckState;
use crate::group::Issue;
use std::path::Path;

/// Whether the log `log_source` belongs to what a check calls `check_source`.
pub fn same_source(check_source: &str, log_source: &str) -> bool {
    if check_source.is_empty() {
        return false;
    }
    if check_source == log_source {
        return true;
    }
    let p = Path::new(log_source);
    let names = [p.file_name(), p.file_stem()];
    names.into_iter().flatten().any(|n| n == check_source)
        || p.parent()
            .is_some_and(|d| d.components().any(|c| c.as_os_str() == check_source))
}

/// Whether `issue` came from a health check (its rule is `health.<kind>`).
pub fn is_health(issue: &Issue) -> bool {
    issue
        .rule
        .as_deref()
        .is_some_and(|r| r.starts_with("health."))
}

/// Reorders `order` (indices into `issues`, already sorted) so that the log issues sharing a
/// health issue's source come right after it; the rest keep their order.
pub fn beside_health(issues: &[&Issue], order: &mut Vec<usize>) {
    let health: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| is_health(issues[i]))
        .collect();
    if health.is_empty() {
        return;
    }
    let related = |h: usize, i: usize| {
        !is_health(issues[i]) && same_source(&issues[h].latest.source, &issues[i].latest.source)
    };
    let mut placed = vec![false; issues.len()];
    let mut out = Vec::with_capacity(order.len());
    for &i in order.iter() {
        // A log issue of a health issue's source is placed with it.
        if placed[i] || health.iter().any(|&h| related(h, i)) {
            continue;
        }
        out.push(i);
        placed[i] = true;
        if is_health(issues[i]) {
            for &j in order.iter() {
                if !placed[j] && related(i, j) {
                    out.push(j);
                    placed[j] = true;
                }
            }
        }
    }
    *order = out;
}

/// `issues` sorted worst first, with log issues beside the health issue of their source.
pub fn sort_with_health(issues: &mut Vec<Issue>) {
    crate::group::sort_issues(issues);
    let refs: Vec<&Issue> = issues.iter().collect();
    let mut order: Vec<usize> = (0..refs.len()).collect();
    beside_health(&refs, &mut order);
    let mut slots: Vec<Option<Issue>> = std::mem::take(issues).into_iter().map(Some).collect();
    *issues = order.into_iter().filter_map(|i| slots[i].take()).collect();
}

/// Each check's issue as its saved state has it (open, resolved or unfixable).
pub fn current_issues(data: &Path, config: &HealthConfig) -> Vec<Issue> {
    config
        .checks
        .iter()
        .filter_map(|c| CheckState::load(data, &c.name).0.issue(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(fp: &str, source: &str, severity: crate::Severity) -> Issue {
        Issue {
            rule: Some("health.tcp".into()),
            severity,
            ..Issue::example(fp, source, 0)
        }
    }

    fn log(fp: &str, source: &str, severity: crate::Severity) -> Issue {
        Issue {
            severity,
            ..Issue::example(fp, source, 1)
        }
    }

    #[test]
    fn sources_match_by_path_name_stem_or_folder() {
        assert!(same_source("/var/log/api/app.log", "/var/log/api/app.log"));
        assert!(same_source("app.log", "/var/log/api/app.log"));
        assert!(same_source("app", "/var/log/api/app.log"));
        assert!(same_source("api", "/var/log/api/app.log"));
        assert!(!same_source("ap", "/var/log/api/app.log"));
        assert!(!same_source("", "/var/log/api/app.log"));
    }

    #[test]
    fn log_issues_follow_the_health_issue_of_their_source() {
        use crate::Severity::*;
        let mut v = vec![
            log("a", "/logs/web/app.log", Critical),
            log("b", "/logs/db/db.log", High),
            health("h", "web", Medium),
            log("c", "/logs/web/app.log", Low),
        ];
        sort_with_health(&mut v);
        let order: Vec<&str> = v.iter().map(|i| i.fingerprint.as_str()).collect();
        assert_eq!(order, ["b", "h", "a", "c"]);
    }
}
