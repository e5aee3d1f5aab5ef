//! The one data model every output format renders.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::engine::registry::Severity;
pub use crate::parse::node::{floor_char_boundary, line_col};
use crate::parse::node::{LineIndex, Span};

#[derive(Clone, Debug, Serialize)]
pub struct Related {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub rule: String,
    pub category: String,
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: String,
    pub help: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    #[serde(skip)]
    pub span: Span,
    /// Short text under the span in human output (the result's `label`, else the rule title).
    #[serde(skip)]
    pub label: String,
    /// The policy's suggested edit, if it gave one (`--fix-suggest`, SARIF `fixes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<crate::fix::Fix>,
    /// Silenced by an inline `blastwall: ignore[…]`: kept for JSON and SARIF,
    /// left out of counts, human output and the exit code.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression_reason: Option<String>,
}

/// A file that could not be read or parsed, or a policy that failed.
#[derive(Clone, Debug, Serialize)]
pub struct FileError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub kind: ErrorKind,
    #[serde(skip)]
    pub span: Option<Span>,
}

/// What went wrong, which decides the exit code: a file blastwall could not read or
/// parse fails the run (exit 1, unless allowed); a policy that failed or an internal
/// error means the scan itself is not trustworthy (exit 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    Read,
    Parse,
    Policy,
    Internal,
}

impl ErrorKind {
    /// The scan could not check what it was asked to, through no fault of the input.
    pub fn is_scan_failure(self) -> bool {
        matches!(self, ErrorKind::Policy | ErrorKind::Internal)
    }
}

/// Everything a scan produced, sorted for byte-identical output.
#[derive(Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub errors: Vec<FileError>,
    pub files_scanned: usize,
    pub duration_ms: u128,
    /// Phase breakdown; rendered only under `--timings`.
    pub timings: Option<crate::lint::Timings>,
    /// Text of every file a finding or error points into, for snippets.
    pub sources: BTreeMap<String, Arc<str>>,
}

impl Report {
    /// Each source's line index, built once: a file may hold thousands of locations.
    pub fn line_indexes(&self) -> HashMap<&str, LineIndex<'_>> {
        (self.sources.iter())
            .map(|(file, text)| (file.as_str(), LineIndex::new(text)))
            .collect()
    }

    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.rule, &a.message)
                .cmp(&(&b.file, b.line, b.column, &b.rule, &b.message))
        });
        // One finding per rule and place: a pipeline-wide secret read by five test jobs
        // is one thing to fix, reported once (for the first job by message).
        self.findings
            .dedup_by(|a, b| a.file == b.file && a.span == b.span && a.rule == b.rule);
        self.errors.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
        });
        self.errors
            .dedup_by(|a, b| a.file == b.file && a.line == b.line && a.message == b.message);
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.active().filter(|f| f.severity == severity).count()
    }

    /// The findings that count: not suppressed inline.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.suppressed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_code_points() {
        let text = "a: 1\nnamé: x\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 5), (2, 1));
        let x = text.find('x').unwrap();
        assert_eq!(line_col(text, x), (2, 7));
    }
}
