//! `--format json`: the stable machine contract (`version: 1`).

use serde_json::json;

use super::Report;

pub fn render(report: &Report) -> String {
    let mut value = json!({
        "version": 1,
        "findings": report.findings,
        "errors": report.errors,
        "summary": {
            "files_scanned": report.files_scanned,
            "findings": report.findings.len(),
            "errors": report.errors.len(),
            "duration_ms": report.duration_ms,
        }
    });
    if let Some(timings) = &report.timings {
        value["summary"]["timings_ms"] = json!(timings);
    }
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}
