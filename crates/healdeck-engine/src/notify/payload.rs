//! What a chat hears: an issue (or a digest of several) as Slack's incoming-webhook message,
//! Discord's webhook message, or a plain JSON document for anything else.
//!
//! Built from issues that are already redacted. Log text is escaped for each format so it
//! cannot mention or link anyone: Slack's `&`, `<`, `>` become entities (no `<!channel>`),
//! Discord gets `allowed_mentions: {parse: []}` (no `@everyone`), and every field is cut to
//! the platform's limit (Slack's section text 3000, header 150; Discord's embed description
//! 4096, title 256, field 1024).

use super::ChannelKind;
use crate::group::Issue;
use crate::model::Severity;
use crate::report::tests_of;
use serde_json::{Value, json};

/// Lines of the excerpt a message carries.
const EXCERPT_LINES: usize = 12;

/// `text` cut to `max` characters, with `…` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn excerpt(issue: &Issue) -> String {
    let lines: Vec<&str> = issue.excerpt.lines().take(EXCERPT_LINES).collect();
    lines.join("\n").replace("```", "'''")
}

fn place(issue: &Issue) -> String {
    if issue.tests.is_empty() {
        issue
            .occurrences
            .first()
            .map(|o| format!("{}:{}", o.source, o.line))
            .unwrap_or_default()
    } else {
        tests_of(issue, 5)
    }
}

/// Discord's embed colour of a severity.
fn colour(severity: Severity) -> u32 {
    match severity {
        Severity::Critical => 0xd0_30_30,
        Severity::High => 0xf0_80_20,
        Severity::Medium => 0xe0_c0_30,
        Severity::Low => 0x40_a0_50,
    }
}

fn headline(issue: &Issue) -> String {
    format!(
        "{} {} · {}",
        issue.severity.badge(),
        issue.severity.as_str().to_uppercase(),
        issue.title
    )
}

/// One issue's message.
pub fn issue_message(kind: ChannelKind, issue: &Issue) -> Value {
    let fix = issue.fixes.first().map(|f| f.description.as_str());
    match kind {
        ChannelKind::Slack => {
            let mut body = format!(
                "*Category:* {} · *Count:* {}\n*Where:* {}\n*Why:* {}",
                issue.category,
                issue.count,
                slack_escape(&place(issue)),
                slack_escape(&issue.root_cause)
            );
            if let Some(fix) = fix {
                body.push_str(&format!("\n*Fix:* {}", slack_escape(fix)));
            }
            let mut blocks = vec![
                json!({"type": "header", "text": {"type": "plain_text", "text": cut(&headline(issue), 150)}}),
                json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(&body, 3000)}}),
            ];
            let ex = excerpt(issue);
            if !ex.is_empty() {
                let quoted = format!("```{}```", cut(&slack_escape(&ex), 2990));
                blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": quoted}}));
            }
            json!({"text": cut(&slack_escape(&headline(issue)), 3000), "blocks": blocks})
        }
        ChannelKind::Discord => {
            let mut fields = vec![
                json!({"name": "Category", "value": issue.category.as_str(), "inline": true}),
                json!({"name": "Count", "value": issue.count.to_string(), "inline": true}),
                json!({"name": "Where", "value": cut(&place(issue), 1024), "inline": false}),
            ];
            if let Some(fix) = fix {
                fields.push(json!({"name": "Fix", "value": cut(fix, 1024), "inline": false}));
            }
            let ex = excerpt(issue);
            let mut description = issue.root_cause.clone();
            if !ex.is_empty() {
                description.push_str(&format!("\n```\n{ex}\n```"));
            }
            json!({
                "content": "",
                "allowed_mentions": {"parse": []},
                "embeds": [{
                    "title": cut(&headline(issue), 256),
                    "description": cut(&description, 4096),
                    "color": colour(issue.severity),
                    "fields": fields,
                    "footer": {"text": format!("healdeck {} · {}", crate::VERSION, issue.fingerprint)},
                }],
            })
        }
        ChannelKind::Json => json!({
            "healdeck": crate::VERSION,
            "event": "issue",
            "issue": issue,
        }),
    }
}

/// Several issues in one message (`--notify-digest`, or what is left past the per-run cap):
/// one line each, worst first, at most `shown` listed.
pub fn digest_message(kind: ChannelKind, issues: &[&Issue], shown: usize) -> Value {
    let total = issues.len();
    let listed = &issues[..total.min(shown)];
    let more = total - listed.len();
    let header = format!("healdeck: {total} issue(s)");
    let line = |i: &Issue| {
        format!(
            "{} {} ×{} [{}] — {}",
            i.severity.badge(),
            i.title,
            i.count,
            i.category,
            place(i)
        )
    };
    match kind {
        ChannelKind::Slack => {
            let mut text: Vec<String> = listed.iter().map(|i| slack_escape(&line(i))).collect();
            if more > 0 {
                text.push(format!("…and {more} more"));
            }
            json!({
                "text": header,
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": header}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": cut(&text.join("\n"), 3000)}},
                ],
            })
        }
        ChannelKind::Discord => {
            let mut text: Vec<String> = listed.iter().map(|i| line(i)).collect();
            if more > 0 {
                text.push(format!("…and {more} more"));
            }
            let worst = issues.first().map_or(Severity::Low, |i| i.severity);
            json!({
                "content": "",
                "allowed_mentions": {"parse": []},
                "embeds": [{"title": header, "description": cut(&text.join("\n"), 4096), "color": colour(worst)}],
            })
        }
        ChannelKind::Json => json!({
            "healdeck": crate::VERSION,
            "event": "digest",
            "total": total,
            "issues": listed,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_text_cannot_mention_anyone() {
        let mut issue = Issue::example("f", "app.log", 3);
        issue.title = "<!channel> & <@U123> down".into();
        issue.excerpt = "ERROR @everyone ```breakout``` <https://evil|click>".into();
        let slack = issue_message(ChannelKind::Slack, &issue);
        // The header is plain_text, which Slack never parses; everything mrkdwn is escaped.
        assert_eq!(slack["blocks"][0]["text"]["type"], "plain_text");
        let parsed = format!(
            "{} {} {}",
            slack["text"], slack["blocks"][1], slack["blocks"][2]
        );
        assert!(
            !parsed.contains("<!channel>") && !parsed.contains("<@U123>"),
            "{parsed}"
        );
        assert!(parsed.contains("&lt;!channel&gt; &amp; &lt;@U123&gt;"));
        assert!(parsed.contains("&lt;https://evil|click&gt;"));
        assert!(!parsed.contains("```breakout```"));
        let discord = issue_message(ChannelKind::Discord, &issue);
        assert_eq!(discord["allowed_mentions"]["parse"], json!([]));
        let long = Issue {
            title: "x".repeat(400),
            ..Issue::example("g", "a.log", 1)
        };
        let d = issue_message(ChannelKind::Discord, &long);
        assert_eq!(
            d["embeds"][0]["title"].as_str().map(|t| t.chars().count()),
            Some(256)
        );
        let s = issue_message(ChannelKind::Slack, &long);
        assert_eq!(
            s["blocks"][0]["text"]["text"]
                .as_str()
                .map(|t| t.chars().count()),
            Some(150)
        );
    }

    #[test]
    fn a_digest_lists_the_worst_and_counts_the_rest() {
        let issues: Vec<Issue> = (0..30)
            .map(|n| Issue::example(&format!("f{n}"), "a.log", n))
            .collect();
        let refs: Vec<&Issue> = issues.iter().collect();
        let m = digest_message(ChannelKind::Slack, &refs, 20);
        let text = m["blocks"][1]["text"]["text"].as_str().unwrap_or("");
        assert_eq!(text.lines().count(), 21);
        assert!(text.ends_with("…and 10 more"));
        let j = digest_message(ChannelKind::Json, &refs, 20);
        assert_eq!(j["total"], 30);
        assert_eq!(j["issues"].as_array().map(Vec::len), Some(20));
    }
}
