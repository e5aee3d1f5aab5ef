//! Finding fingerprints and baselines: adopt blastwall on a legacy repository
//! by recording today's findings, then report only new ones.
//!
//! A fingerprint hashes the rule, the file and the flagged line(s) with
//! whitespace trimmed, plus an occurrence index among identical keys — never
//! the line number, so it survives edits that shift lines. SARIF
//! `partialFingerprints` and GitLab `fingerprint` use the same value.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::report::{Finding, Report};

/// One fingerprint per finding of `report`, in the same order.
pub fn fingerprints(report: &Report) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    report
        .findings
        .iter()
        .map(|finding| {
            let key = key(report, finding);
            let occurrence = seen.entry(key.clone()).or_insert(0);
            let fingerprint = format!("{:016x}", fnv1a(&format!("{key}\0{occurrence}")));
            *occurrence += 1;
            fingerprint
        })
        .collect()
}

fn key(report: &Report, finding: &Finding) -> String {
    let lines: Vec<&str> = report
        .sources
        .get(&finding.file)
        .map(|text| {
            text.lines()
                .skip(finding.line.saturating_sub(1))
                .take(finding.end_line.saturating_sub(finding.line) + 1)
                .map(str::trim)
                .collect()
        })
        .unwrap_or_default();
    format!("{}\0{}\0{}", finding.rule, finding.file, lines.join("\n"))
}

/// 64-bit FNV-1a: stable across Rust releases and platforms, unlike `std`'s hasher.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
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
    fn filter_keeps_only_new_findings() {
        let old = report("a: PROD\n");
        let known: BTreeSet<String> = fingerprints(&old).into_iter().collect();
        let mut new = report("z: PROD\na: PROD\n");
        filter(&mut new, &known);
        assert_eq!(new.findings.len(), 1);
        assert_eq!(new.findings[0].line, 1);
    }
}
