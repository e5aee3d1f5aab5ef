//! `--format github`: GitHub Actions workflow commands, so findings show up
//! as annotations on the pull request without code scanning.

use super::Report;
use crate::engine::registry::Severity;

/// Message text: `%`, CR and LF are escaped (GitHub's `escapeData`), other control
/// characters written out.
fn data(text: &str) -> String {
    let escaped = (text.replace('%', "%25"))
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    super::printable(&escaped).into_owned()
}

/// Property values additionally escape `:` and `,` (GitHub's `escapeProperty`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in report.active() {
        let mut message = f.message.clone();
        if !f.help.is_empty() {
            message.push_str("\n\n");
            message.push_str(&f.help);
        }
        for r in &f.related {
            message.push_str(&format!(
                "\n{}:{}:{}: {}",
                r.file, r.line, r.column, r.message
            ));
        }
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            command(f.severity),
            property(&f.file),
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            property(&format!("{} [{}]", f.rule, f.category)),
            data(&message),
        ));
    }
    for e in &report.errors {
        out.push_str(&format!(
            "::error file={},line={},col={},title=blastwall::{}\n",
            property(&e.file),
            e.line,
            e.column,
            data(&e.message),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(data("100%\r\ndone: a,b"), "100%25%0D%0Adone: a,b");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(property("x\u{1b}[31m.yml"), "x\\u{1b}[31m.yml");
    }
}
