//! Finding fingerprints and baselines: adopt blastwall on a legacy repository
//! by recording today's findings, then report only new ones.
//!
//! A fingerprint hashes the rule, the file and the flagged line(s) with
//! whitespace trimmed, plus an occurrence index among identical keys — never
//! the line number, so it survives edits that shift lines. SARIF
//! `partialFingerprints` and GitLab `fingerprint` use the same value.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::hash::stable_hash;
use crate::report::{Finding, Report};

/// One fingerprint per finding of `report`, in the same order.
pub fn fingerprints(report: &Report) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Each file split into lines once: a file may hold thousands of findings.
    let mut lines_of: HashMap<&str, Vec<&str>> = HashMap::new();
    report
        .findings
        .iter()
        .map(|finding| {
            let lines = lines_of.entry(&finding.file).or_insert_with(|| {
                (report.sources.get(&finding.file))
                    .map(|text| text.lines().collect())
                    .unwrap_or_default()
            });
            let key = key(lines, finding);
            let occurrence = seen.entry(key.clone()).or_insert(0);
            let fingerprint = format!(
                "{:016x}",
                stable_hash(format!("{key}\0{occurrence}").as_bytes())
            );
            *occurrence += 1;
            fingerprint
        })
        .collect()
}

/// Rule, file and the finding's trimmed lines of `file_lines`.
fn key(file_lines: &[&str], finding: &Finding) -> String {
    let lines: Vec<&str> = (file_lines.iter())
        .skip(finding.line.saturating_sub(1))
        .take(finding.end_line.saturating_sub(finding.line) + 1)
        .map(|line| line.trim())
        .collect();
    format!("{}\0{}\0{}", finding.rule, finding.file, lines.join("\n"))
}

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

/// Rule, file and message are for people reading the file; only the
/// fingerprint is matched.
#[derive(Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    rule: String,
    file: String,
    message: String,
}

/// The baseline of every finding in `report`, as pretty JSON.
pub fn render(report: &Report) -> String {
    let findings = report
        .findings
        .iter()
        .zip(fingerprints(report))
        // Suppressed findings are already accounted for in the source.
        .filter(|(f, _)| !f.suppressed)
        .map(|(f, fingerprint)| Entry {
            fingerprint,
            rule: f.rule.clone(),
            file: f.file.clone(),
            message: f.message.clone(),
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&BaselineFile {
        version: 1,
        findings,
    })
    .unwrap_or_default();
    out.push('\n');
    out
}

pub fn read(path: &Path) -> Result<BTreeSet<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read baseline {}", path.display()))?;
    let file: BaselineFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a blastwall baseline", path.display()))?;
    if file.version != 1 {
        bail!(
            "{}: unsupported baseline version {}",
            path.display(),
            file.version
        );
    }
    Ok(file.findings.into_iter().map(|e| e.fingerprint).collect())
}

/// Drops the findings whose fingerprint is in `known`.
pub fn filter(report: &mut Report, known: &BTreeSet<String>) {
    let keep: Vec<bool> = fingerprints(report)
        .iter()
        .map(|f| !known.contains(f))
        .collect();
    let mut keep = keep.into_iter();
    report.findings.retain(|_| keep.next().unwrap_or(true));
}

/// Lines added or changed since `rev`, per file (relative to `cwd`, like
/// finding paths), from `git diff -U0 REV` of the working tree.
pub fn changed_lines(rev: &str, cwd: &Path) -> Result<BTreeMap<String, Vec<(usize, usize)>>> {
    let output = std::process::Command::new("git")
        .args([
            "-c",
            "core.quotepath=false",
            "diff",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
        ])
        .args([
            "--relative",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            rev,
            "--",
        ])
        .current_dir(cwd)
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!(
            "git diff {rev} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(parse_diff(&String::from_utf8_lossy(&output.stdout)))
}

fn parse_diff(diff: &str) -> BTreeMap<String, Vec<(usize, usize)>> {
    let mut changed: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    let mut file: Option<String> = None;
    for line in diff.lines() {
        if let Some(path) = line.strip_prefix("+++ ") {
            // `+++ /dev/null`: the file was deleted, nothing to report in it.
            file = path.strip_prefix("b/").map(str::to_owned);
        } else if let (Some(hunk), Some(file)) = (line.strip_prefix("@@ "), &file) {
            // `@@ -a,b +c,d @@`: d new lines from c (d defaults to 1; 0 is a pure deletion).
            let Some(new) = hunk.split(' ').find_map(|w| w.strip_prefix('+')) else {
                continue;
            };
            let (start, count) = new.split_once(',').unwrap_or((new, "1"));
            if let (Ok(start), Ok(count)) = (start.parse::<usize>(), count.parse::<usize>()) {
                if count > 0 {
                    changed
                        .entry(file.clone())
                        .or_default()
                        .push((start, start + count - 1));
                }
            }
        }
    }
    changed
}

/// Keeps the findings whose lines overlap a changed range of their file.
pub fn keep_changed(report: &mut Report, changed: &BTreeMap<String, Vec<(usize, usize)>>) {
    report.findings.retain(|f| {
        changed.get(&f.file).is_some_and(|ranges| {
            ranges
                .iter()
                .any(|&(start, end)| start <= f.end_line && f.line <= end)
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::registry::Severity;
    use crate::parse::node::Span;

    fn report(text: &str) -> Report {
        let mut report = Report::default();
        report.sources.insert("ci.yml".into(), text.into());
        for (index, line) in text.lines().enumerate() {
            if line.contains("PROD") {
                report.findings.push(Finding {
                    rule: "r".into(),
                    category: "c".into(),
                    severity: Severity::Error,
                    file: "ci.yml".into(),
                    line: index + 1,
                    column: 1,
                    end_line: index + 1,
                    end_column: 2,
                    message: "m".into(),
                    help: String::new(),
                    related: Vec::new(),
                    span: Span::new(0, 0),
                    label: String::new(),
                    fix: None,
                    suppressed: false,
                    suppression_reason: None,
                });
            }
        }
        report
    }

    #[test]
    fn fingerprints_survive_line_shifts_and_count_duplicates() {
        let before = fingerprints(&report("a: PROD\nb: PROD\nc: PROD\n"));
        assert_eq!(before.len(), 3);
        assert_ne!(before[0], before[1]);
        // Identical once trimmed: only the occurrence index tells them apart.
        let dup = fingerprints(&report("  x: PROD\nx: PROD\n"));
        assert_ne!(dup[0], dup[1]);
        let after = fingerprints(&report("# new\n\n  a: PROD\nb: PROD\nc: PROD\n"));
        assert_eq!(before, after);
    }

    #[test]
    fn diff_hunks_become_changed_line_ranges() {
        let diff = "diff --git a/ci.yml b/ci.yml\n--- a/ci.yml\n+++ b/ci.yml\n@@ -3 +3 @@ jobs:\n-x\n+y\n@@ -7,0 +8,2 @@\n+a\n+b\n@@ -20,2 +21,0 @@\n-gone\n--- a/old.sh\n+++ /dev/null\n@@ -1,3 +0,0 @@\n";
        let changed = parse_diff(diff);
        assert_eq!(changed.len(), 1);
        assert_eq!(changed["ci.yml"], [(3, 3), (8, 9)]);
        let mut report = report("a\nb\nPROD\nc\nPROD\n");
        keep_changed(&mut report, &changed);
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].line, 3);
    }

    #[test]
    fn filter_keeps_only_new_findings() {
        let old = report("a: PROD\n");
        let known: BTreeSet<String> = fingerprints(&old).into_iter().collect();
        let mut new = report("z: PROD\na: PROD\n");
        filter(&mut new, &known);
        assert_eq!(new.findings.len(), 1);
        assert_eq!(new.findings[0].line, 1);
    }
}
