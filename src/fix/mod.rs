//! Suggested edits: a policy result's `fix` resolved to a byte range of the
//! flagged file, shown as a unified diff (`--fix-suggest`) or applied (`--fix`).
//!
//! A result declares
//! `"fix": {"title", "path", "replacement", "old"?, "insert"?, "safe"?}`:
//! `path` is located like the finding's own path (or `at` names a fact, for
//! repository rules); `old` narrows the edit to its first occurrence inside
//! that span (so a policy can swap a name without knowing how the reference
//! around it is spelled); `insert: "before" | "after"` inserts at an edge of
//! the span instead of replacing it. `safe` fixes are the ones `--fix` applies.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde_json::Value as Json;

use crate::parse::node::LineIndex;
use crate::parse::node::Span;
use crate::report::{Finding, Report};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    /// Applied by `--fix`; unsafe fixes need a human decision (a placeholder,
    /// a name that may not exist).
    pub safe: bool,
    /// Bytes of the finding's file to replace (empty for an insertion).
    #[serde(skip)]
    pub span: Span,
    /// The span as 1-based lines and code-point columns, like a finding's.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub replacement: String,
}

/// Resolves `result.fix` against `text`; `locate` maps a policy path (or fact)
/// to a span. `None` when there is no fix or it does not fit the text: a
/// wrong edit is worse than none.
pub fn resolve(
    result: &Json,
    lines: &LineIndex,
    locate: impl Fn(&Json) -> Option<Span>,
) -> Option<Fix> {
    let text = lines.text();
    let fix = result.get("fix")?;
    let replacement = fix.get("replacement")?.as_str()?.to_owned();
    let span = locate(fix)?;
    let within = text.get(span.start..span.end)?;
    let span = match fix.get("old").and_then(Json::as_str) {
        Some(old) if !old.is_empty() => {
            let at = span.start + within.find(old)?;
            Span::new(at, at + old.len())
        }
        _ => span,
    };
    let span = match fix.get("insert").and_then(Json::as_str) {
        Some("before") => Span::new(span.start, span.start),
        Some("after") => Span::new(span.end, span.end),
        Some(_) => return None,
        None => span,
    };
    if text.get(span.start..span.end)? == replacement {
        return None;
    }
    let (line, column) = lines.line_col(span.start);
    let (end_line, end_column) = lines.line_col(span.end);
    Some(Fix {
        line,
        column,
        end_line,
        end_column,
        title: fix
            .get("title")
            .and_then(Json::as_str)
            .unwrap_or("apply the suggested edit")
            .to_owned(),
        safe: fix.get("safe").and_then(Json::as_bool).unwrap_or(false),
        span,
        replacement,
    })
}

/// `text` with the non-overlapping `fixes` applied (earlier ones win on overlap).
pub fn apply<'a>(text: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> String {
    let mut fixes: Vec<&Fix> = fixes.into_iter().collect();
    fixes.sort_by_key(|f| (f.span.start, f.span.end));
    // Two findings can suggest the same edit (two deletes fed by one listing).
    fixes.dedup_by(|a, b| a.span == b.span && a.replacement == b.replacement);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for fix in fixes {
        if fix.span.start < copied || fix.span.end > text.len() {
            continue;
        }
        out.push_str(&text[copied..fix.span.start]);
        out.push_str(&fix.replacement);
        copied = fix.span.end;
    }
    out.push_str(&text[copied..]);
    out
}

/// The finding's fix as a unified diff of its file, or `None` without one.
pub fn diff(report: &Report, finding: &Finding) -> Option<String> {
    let fix = finding.fix.as_ref()?;
    let before = report.sources.get(&finding.file)?;
    let after = apply(before, [fix]);
    let file = &finding.file;
    let diff = similar::TextDiff::from_lines(&before[..], &after[..]);
    let body = diff
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{file}"), &format!("b/{file}"))
        .to_string();
    let safety = if fix.safe { "safe" } else { "unsafe" };
    Some(format!("suggested fix ({safety}): {}\n{body}", fix.title))
}

/// Applies every safe fix, one atomic write per file (temp file + rename);
/// returns the files changed. Paths are the findings' display paths, read
/// relative to `cwd`.
pub fn apply_safe(report: &Report, cwd: &Path) -> std::io::Result<Vec<String>> {
    let mut by_file: BTreeMap<&str, Vec<&Fix>> = BTreeMap::new();
    // A finding suppressed inline is one the user chose to keep as written.
    for finding in report.active() {
        if let Some(fix) = finding.fix.as_ref().filter(|f| f.safe) {
            by_file.entry(&finding.file).or_default().push(fix);
        }
    }
    let mut changed = Vec::new();
    for (file, fixes) in by_file {
        // Through symlinks: the rename replaces the real file, not the link.
        let path = std::fs::canonicalize(cwd.join(file))?;
        // Edit what is on disk now, byte for byte; findings' spans are of this text
        // unless the file changed since the scan, in which case it is skipped.
        let on_disk = std::fs::read(&path)?;
        let Some(scanned) = report.sources.get(file) else {
            continue;
        };
        let bom = on_disk.starts_with(b"\xEF\xBB\xBF");
        let body = if bom { &on_disk[3..] } else { &on_disk[..] };
        if body != scanned.as_bytes() {
            continue;
        }
        let mut fixed = if bom {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        };
        fixed.extend_from_slice(apply(scanned, fixes).as_bytes());
        write_atomically(&path, &fixed)?;
        changed.push(file.to_owned());
    }
    Ok(changed)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    // Same directory, so the rename cannot cross file systems.
    let temp = path.with_file_name(format!(".{name}.blastwall-{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.set_permissions(std::fs::metadata(path)?.permissions())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn whole(_: &Json) -> Option<Span> {
        Some(Span::new(3, 25))
    }

    #[test]
    fn old_narrows_and_insert_moves_to_an_edge() {
        let text = "x: ${{ secrets.PROD_DB }} # keep";
        let lines = LineIndex::new(text);
        let result =
            json!({"fix": {"path": [], "old": "PROD_DB", "replacement": "TEST_DB", "safe": true}});
        let fix = resolve(&result, &lines, whole).unwrap();
        assert_eq!(apply(text, [&fix]), "x: ${{ secrets.TEST_DB }} # keep");
        assert!(fix.safe);
        let result = json!({"fix": {"path": [], "insert": "after", "replacement": "!"}});
        let fix = resolve(&result, &lines, whole).unwrap();
        assert_eq!(apply(text, [&fix]), "x: ${{ secrets.PROD_DB }}! # keep");
        assert!(!fix.safe);
        let missing = json!({"fix": {"path": [], "old": "NOPE", "replacement": "x"}});
        assert_eq!(resolve(&missing, &lines, whole), None);
    }

    #[test]
    fn overlapping_edits_keep_the_first() {
        let edit = |s, e, r: &str| Fix {
            line: 1,
            column: s + 1,
            end_line: 1,
            end_column: e + 1,
            title: String::new(),
            safe: true,
            span: Span::new(s, e),
            replacement: r.into(),
        };
        let (a, b, c) = (edit(0, 3, "X"), edit(2, 5, "Y"), edit(6, 6, "Z"));
        assert_eq!(apply("abcdefg", [&c, &b, &a, &c]), "XdefZg");
    }
}
