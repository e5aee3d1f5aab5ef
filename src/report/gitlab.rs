//! `--format gitlab`: a GitLab Code Quality report (the `codequality`
//! artifact), shown in merge request widgets and diffs.

use serde_json::json;

use super::Report;
use crate::engine::registry::Severity;

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Note => "info",
    }
}

pub fn render(report: &Report) -> String {
    let issues: Vec<_> = report
        .findings
        .iter()
        .zip(crate::baseline::fingerprints(report))
        .filter(|(f, _)| !f.suppressed)
        .map(|(f, fingerprint)| {
            json!({
                "type": "issue",
                "check_name": f.rule,
                "description": f.message,
                "content": {"body": f.help},
                "categories": ["Security"],
                "fingerprint": fingerprint,
                "severity": severity(f.severity),
                "location": {
                    "path": f.file,
                    "lines": {"begin": f.line, "end": f.end_line},
                },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_default();
    out.push('\n');
    out
}
