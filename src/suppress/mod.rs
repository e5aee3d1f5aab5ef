//! Inline suppressions: `# blastwall: ignore[RULE_ID, …] reason` on the
//! offending line, or alone on the line above it (`//` in HCL and JSONC,
//! `;` in INI work too).
//!
//! A suppressed finding stays in the report, marked, so JSON and SARIF show
//! the decision and its reason; it no longer counts or fails the run. A
//! suppression without a reason, and one that silences nothing, are findings
//! themselves: exceptions need a why, and stale ones hide future regressions.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::registry::{Rule, Scope, Severity};
use crate::parse::node::Span;
use crate::report::diagnostic::line_col;
use crate::report::{Finding, Report};

/// The category of the rules below, for `select`/`ignore`.
pub const CATEGORY: &str = "suppression";
pub const WITHOUT_REASON: &str = "blastwall-suppression-without-reason";
pub const UNUSED: &str = "blastwall-unused-suppression";
/// Built-in rules about suppressions themselves: `(id, title)`.
pub const META_RULES: &[(&str, &str)] = &[
    (WITHOUT_REASON, "Suppression without a reason"),
    (UNUSED, "Unused suppression"),
];

/// The suppression rules as [`Rule`]s, for `rules`, `explain` and the docs.
/// They are built into blastwall: a comment is not config a policy can see.
pub fn meta_rules() -> Vec<Rule> {
    let rule = |id: &str, description: &str, bad: &str, good: &str, help: &str| Rule {
        id: id.to_owned(),
        category: CATEGORY.to_owned(),
        severity: Severity::Warning,
        package: String::new(),
        title: META_RULES
            .iter()
            .find(|(m, _)| *m == id)
            .map_or(id, |(_, t)| t)
            .to_owned(),
        description: description.to_owned(),
        help: help.to_owned(),
        kinds: vec!["*".to_owned()],
        scope: Scope::Document,
        programs: Vec::new(),
        reads: Vec::new(),
        bad: Some(bad.to_owned()),
        good: Some(good.to_owned()),
        file: "src/suppress/mod.rs".to_owned(),
    };
    vec![
        rule(
            WITHOUT_REASON,
            "A `# blastwall: ignore[RULE_ID]` comment that gives no reason after \
             the closing bracket. The finding is still suppressed.\n\n\
             Why is this bad? An exception nobody can explain is not reviewed \
             again: when the credential, account or delete it covers changes, \
             the reason is what tells a reader whether it still holds.",
            "API_KEY: ${{ secrets.PROD_API_KEY }}  # blastwall: ignore[prod-secret-in-test-job]",
            "API_KEY: ${{ secrets.PROD_API_KEY }}  # blastwall: ignore[prod-secret-in-test-job] read-only smoke key, SEC-1234",
            "Write why the finding is acceptable after the bracket.",
        ),
        rule(
            UNUSED,
            "A suppression that silences nothing: the named rule reports nothing \
             on that line (or the next, for a comment alone on its line), the id \
             is not a rule, or the comment is malformed. Rules turned off by \
             `select`/`ignore` are not reported.\n\n\
             Why is this bad? A stale suppression silently covers whatever \
             the line becomes next, and a misspelt id suppresses nothing while \
             looking like it does (ruff's unused-noqa).",
            "# blastwall: ignore[kubectl-delete-all] old cleanup job\nAPI_KEY: ${{ secrets.TEST_API_KEY }}",
            "API_KEY: ${{ secrets.TEST_API_KEY }}",
            "Remove the comment, or correct the rule id.",
        ),
    ]
}

const MARKER: &str = "blastwall:";
const SYNTAX: &str = "# blastwall: ignore[RULE_ID] reason";

/// One suppression comment.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// The comment, from its opener (`#`, `//`, `;`) to the end of the line.
    pub span: Span,
    /// Lines (1-based) whose findings it silences.
    pub lines: Vec<usize>,
    /// Rule ids with their spans; empty when the comment is malformed.
    pub ids: Vec<(String, Span)>,
    pub reason: Option<String>,
}

/// Every suppression comment in a file's text.
pub fn scan(text: &str) -> Vec<Suppression> {
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0, |offset, line| {
            let start = *offset;
            *offset += line.len();
            Some((start, line.trim_end_matches(['\n', '\r'])))
        })
        .collect();
    let mut out = Vec::new();
    for (index, &(start, line)) in lines.iter().enumerate() {
        let Some((opener, at, alone)) = comment_marker(line) else {
            continue;
        };
        let mut lines_covered = vec![index + 1];
        if alone {
            // A comment alone on its line covers the next line of code
            // (stacked suppression comments and blank lines are skipped).
            if let Some(next) = lines[index + 1..]
                .iter()
                .position(|(_, l)| !is_comment_or_blank(l))
            {
                lines_covered.push(index + 2 + next);
            }
        }
        let body_start = start + at + MARKER.len();
        let (ids, reason) = parse_body(&text[body_start..start + line.len()], body_start);
        out.push(Suppression {
            span: Span::new(start + opener, start + line.len()),
            lines: lines_covered,
            ids,
            reason,
        });
    }
    out
}

/// Byte offsets of the comment opener and of `blastwall:` on this line, and
/// whether the comment is alone on the line. An opener counts only at the
/// start of the line or after whitespace (not `https://`), and outside quotes
/// (not `echo "# blastwall: …"`).
fn comment_marker(line: &str) -> Option<(usize, usize, bool)> {
    let mut from = 0;
    while let Some(found) = line[from..].find(MARKER) {
        let at = from + found;
        from = at + MARKER.len();
        let before = line[..at].trim_end();
        let Some(opener) = ["#", "//", ";"].into_iter().find(|o| before.ends_with(o)) else {
            continue;
        };
        let opener_at = before.len() - opener.len();
        let code = &before[..opener_at];
        if !(code.is_empty() || code.ends_with(char::is_whitespace)) || in_quotes(code) {
            continue;
        }
        return Some((opener_at, at, code.trim().is_empty()));
    }
    None
}

/// Whether the end of `code` is inside a `"…"` or `'…'` string.
fn in_quotes(code: &str) -> bool {
    let mut quote = None;
    let mut escaped = false;
    for c in code.chars() {
        match (quote, c) {
            (_, _) if escaped => escaped = false,
            (Some('"'), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            _ => {}
        }
    }
    quote.is_some()
}

fn is_comment_or_blank(line: &str) -> bool {
    let line = line.trim_start();
    line.is_empty() || line.starts_with('#') || line.starts_with("//") || line.starts_with(';')
}

/// ` ignore[a, b] reason` → ids with absolute spans, and the reason.
fn parse_body(body: &str, offset: usize) -> (Vec<(String, Span)>, Option<String>) {
    let trimmed = body.trim_start();
    let lead = body.len() - trimmed.len();
    let Some(list) = trimmed.strip_prefix("ignore[") else {
        return (Vec::new(), None);
    };
    let Some(close) = list.find(']') else {
        return (Vec::new(), None);
    };
    let list_start = offset + lead + "ignore[".len();
    let mut ids = Vec::new();
    let mut cursor = 0;
    for part in list[..close].split(',') {
        let id = part.trim();
        if !id.is_empty() {
            let start = list_start + cursor + (part.len() - part.trim_start().len());
            ids.push((id.to_owned(), Span::new(start, start + id.len())));
        }
        cursor += part.len() + 1;
    }
    let reason = list[close + 1..]
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '—'))
        .trim();
    (ids, (!reason.is_empty()).then(|| reason.to_owned()))
}

/// Marks suppressed findings and reports suppressions that lack a reason or
/// silence nothing. `known` tells rule ids that exist; `enabled` those that run.
pub fn apply(
    report: &mut Report,
    suppressions: &BTreeMap<String, Vec<Suppression>>,
    known: impl Fn(&str) -> bool,
    enabled: impl Fn(&str) -> bool,
) {
    let mut used: BTreeSet<(&str, usize, usize)> = BTreeSet::new();
    for finding in &mut report.findings {
        let Some(list) = suppressions.get(&finding.file) else {
            continue;
        };
        for (s, suppression) in list.iter().enumerate() {
            if !suppression.lines.contains(&finding.line) {
                continue;
            }
            if let Some(i) = suppression
                .ids
                .iter()
                .position(|(id, _)| *id == finding.rule)
            {
                used.insert((finding.file.as_str(), s, i));
                finding.suppressed = true;
                finding.suppression_reason = suppression.reason.clone();
            }
        }
    }
    let used: BTreeSet<(String, usize, usize)> = used
        .into_iter()
        .map(|(f, s, i)| (f.to_owned(), s, i))
        .collect();
    let mut meta = Vec::new();
    for (file, list) in suppressions {
        let Some(text) = report.sources.get(file).cloned() else {
            continue;
        };
        let mut push = |rule: &str, span: Span, message: String, help: &str| {
            if enabled(rule) {
                meta.push(meta_finding(rule, file, &text, span, message, help));
            }
        };
        for (s, suppression) in list.iter().enumerate() {
            if suppression.ids.is_empty() {
                push(
                    UNUSED,
                    suppression.span,
                    "malformed suppression comment: it silences nothing".into(),
                    &format!("write `{SYNTAX}`"),
                );
                continue;
            }
            if suppression.reason.is_none() {
                push(
                    WITHOUT_REASON,
                    suppression.span,
                    "suppression without a reason".into(),
                    &format!("say why the finding is acceptable: `{SYNTAX}`"),
                );
            }
            for (i, (id, span)) in suppression.ids.iter().enumerate() {
                if used.contains(&(file.clone(), s, i)) {
                    continue;
                }
                let message = if !known(id) {
                    format!("unused suppression: `{id}` is not a rule (see `blastwall rules`)")
                } else if enabled(id) {
                    format!("unused suppression: no `{id}` finding on this line or the next")
                } else {
                    // Disabled by configuration: the comment may matter elsewhere.
                    continue;
                };
                push(UNUSED, *span, message, "remove it, or fix the rule id");
            }
        }
    }
    report.findings.extend(meta);
}

fn meta_finding(
    rule: &str,
    file: &str,
    text: &str,
    span: Span,
    message: String,
    help: &str,
) -> Finding {
    let (line, column) = line_col(text, span.start);
    let (end_line, end_column) = line_col(text, span.end);
    let title = META_RULES
        .iter()
        .find(|(id, _)| *id == rule)
        .map_or(rule, |(_, t)| t);
    Finding {
        rule: rule.to_owned(),
        category: CATEGORY.to_owned(),
        severity: Severity::Warning,
        file: file.to_owned(),
        line,
        column,
        end_line,
        end_column,
        message,
        help: help.to_owned(),
        related: Vec::new(),
        span,
        label: title.to_owned(),
        fix: None,
        suppressed: false,
        suppression_reason: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_comment_covers_its_line() {
        let text = "a: 1\nb: 2  # blastwall: ignore[rule-a, rule-b] reviewed: CAB-12\n";
        let s = &scan(text)[0];
        assert_eq!(s.lines, [2]);
        let ids: Vec<&str> = s.ids.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["rule-a", "rule-b"]);
        assert_eq!(&text[s.ids[1].1.start..s.ids[1].1.end], "rule-b");
        assert_eq!(s.reason.as_deref(), Some("reviewed: CAB-12"));
    }

    #[test]
    fn comment_alone_covers_the_next_code_line() {
        let text = "x = 1\n  // blastwall: ignore[r] -- shared by design\n  # blastwall: ignore[s]\n\n  y = 2\n";
        let found = scan(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].lines, [2, 5]);
        assert_eq!(found[0].reason.as_deref(), Some("shared by design"));
        assert_eq!(found[1].lines, [3, 5]);
        assert_eq!(found[1].reason, None);
    }

    #[test]
    fn markers_inside_strings_or_without_a_comment_are_not_suppressions() {
        assert!(scan("echo \"# blastwall: ignore[r] x\"\n").is_empty());
        assert!(scan("note: blastwall: ignore[r] x\n").is_empty());
        assert!(scan("echo \"to silence: # blastwall: ignore[r] x\"\n").is_empty());
        assert!(scan("url: https://blastwall:8080/ignore[r]\n").is_empty());
        assert!(scan("x = 'a#b' # blastwall: ignore[r] y\n")[0]
            .reason
            .is_some());
        assert!(scan("; blastwall: ignore[r] ini comment\n")[0]
            .reason
            .is_some());
    }

    #[test]
    fn malformed_comment_has_no_ids() {
        assert!(scan("# blastwall: ignore rule-a because\n")[0]
            .ids
            .is_empty());
        assert!(scan("# blastwall: ignore[rule-a because\n")[0]
            .ids
            .is_empty());
    }
}
