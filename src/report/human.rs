//! Default output: rustc-like annotated snippets rendered by miette, then a
//! one-line summary.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::diagnostic::floor_char_boundary;
use super::snippet::IndexedSource;
use super::{printable, Finding, Report};
use crate::engine::registry::Severity;
use crate::parse::node::Span;

/// One renderable diagnostic: a finding, a related location, or an error.
#[derive(Debug)]
struct Shown {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<IndexedSource>>,
    label: Option<LabeledSpan>,
    related: Vec<Shown>,
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown {}

impl Diagnostic for Shown {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .filter(|h| !h.is_empty())
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// Each known file's text, indexed once for all its snippets.
type Sources<'a> = HashMap<&'a str, IndexedSource>;

fn sources(report: &Report) -> Sources<'_> {
    (report.sources.iter())
        .map(|(file, text)| (file.as_str(), IndexedSource::new(Arc::clone(text))))
        .collect()
}

/// Source, label at `span` in `file`, when the file's text is known.
fn located(
    report: &Report,
    sources: &Sources,
    file: &str,
    span: Span,
    label: &str,
) -> (Option<NamedSource<IndexedSource>>, Option<LabeledSpan>) {
    match report.sources.get(file).zip(sources.get(file)) {
        Some((text, indexed)) => {
            let start = floor_char_boundary(text, span.start.min(text.len()));
            let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
            let source = NamedSource::new(printable(file), indexed.clone())
                .with_language(file.rsplit('.').next().unwrap_or(""));
            (
                Some(source),
                Some(LabeledSpan::new(Some(label.to_owned()), start, end - start)),
            )
        }
        None => (None, None),
    }
}

fn finding_diagnostic(report: &Report, sources: &Sources, finding: &Finding) -> Shown {
    let (source, label) = located(report, sources, &finding.file, finding.span, &finding.label);
    let related = finding
        .related
        .iter()
        .map(|r| {
            let (source, label) = located(report, sources, &r.file, r.span, &r.message);
            Shown {
                message: printable(&format!(
                    "{}:{}:{}: {}",
                    r.file, r.line, r.column, r.message
                ))
                .into_owned(),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source,
                label,
                related: Vec::new(),
            }
        })
        .collect();
    Shown {
        message: printable(&finding.message).into_owned(),
        code: Some(format!("{}[{}]", finding.rule, finding.category)),
        severity: miette_severity(finding.severity),
        help: Some(printable(&finding.help).into_owned()),
        source,
        label,
        related,
    }
}

pub fn render(report: &Report, color: bool) -> String {
    render_with(report, color, false)
}

/// Like [`render`], with each finding's suggested fix as a diff under it.
pub fn render_with_fixes(report: &Report, color: bool) -> String {
    render_with(report, color, true)
}

fn render_with(report: &Report, color: bool, fixes: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100);
    let mut out = String::new();
    let sources = sources(report);
    for finding in report.active() {
        let shown = finding_diagnostic(report, &sources, finding);
        let _ = handler.render_report(&mut out, &shown);
        if let Some(diff) = crate::fix::diff(report, finding).filter(|_| fixes) {
            out.push_str(&diff);
        }
        out.push('\n');
    }
    for error in &report.errors {
        let (source, label) = match error.span {
            Some(span) => located(report, &sources, &error.file, span, "here"),
            None => (None, None),
        };
        let shown = Shown {
            message: printable(&format!(
                "{}:{}:{}: {}",
                error.file, error.line, error.column, error.message
            ))
            .into_owned(),
            code: Some("blastwall::error".into()),
            severity: miette::Severity::Error,
            help: None,
            source,
            label,
            related: Vec::new(),
        };
        let _ = handler.render_report(&mut out, &shown);
        out.push('\n');
    }
    out.push_str(&summary(report));
    out
}

pub fn summary(report: &Report) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let shown = report.active().count();
    let mut line = if shown == 0 {
        format!("No findings in {}", plural(report.files_scanned, "file"))
    } else {
        format!(
            "Found {} ({} error, {} warning, {} note) in {}",
            plural(shown, "finding"),
            report.count(Severity::Error),
            report.count(Severity::Warning),
            report.count(Severity::Note),
            plural(report.files_scanned, "file"),
        )
    };
    let failures = (report.errors.iter())
        .filter(|e| e.kind.is_scan_failure())
        .count();
    let unread = report.errors.len() - failures;
    if unread > 0 {
        line.push_str(&format!("; {} could not be read", plural(unread, "file")));
    }
    // A policy that failed or a file whose check broke: not the input's fault.
    if failures > 0 {
        line.push_str(&format!(
            "; {} failed (see the errors above)",
            plural(failures, "check")
        ));
    }
    line.push('.');
    line.push('\n');
    line
}
