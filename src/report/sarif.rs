//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it.
//!
//! Only the subset blastwall fills is modelled (serde-sarif does not build on
//! its own); `tests/integration/formats.rs` validates the output against the
//! official schema.

use serde::Serialize;

use super::{Finding, Report};
use crate::engine::registry::{Rule, Severity};
use crate::parse::node::{LineIndex, Span};
use std::collections::HashMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const FINGERPRINT_KEY: &str = "blastwall/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    column_kind: &'a str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    rules: Vec<RuleDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
    /// CVSS-like score GitHub turns into critical/high/medium/low for `security` rules.
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: std::collections::BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    /// An inline `blastwall: ignore[…]` silenced it (`inSource`, with its reason).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
}

#[derive(Serialize)]
struct SarifSuppression {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A relative URI reference with `/` separators; spaces and other reserved
/// bytes percent-encoded. Absolute paths become `file://` URIs.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn region(lines: &HashMap<&str, LineIndex>, file: &str, span: Span) -> Option<Region> {
    let lines = lines.get(file)?;
    let (start_line, start_column) = lines.line_col(span.start);
    let (end_line, end_column) = lines.line_col(span.end);
    Some(Region {
        start_line,
        start_column,
        end_line,
        end_column,
    })
}

fn location(file: &str, region: Option<Region>) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation { uri: uri(file) },
        region,
    }
}

fn descriptor(rule: &Rule) -> RuleDescriptor {
    let description = if rule.description.trim().is_empty() {
        rule.title.clone()
    } else {
        rule.description.trim().to_owned()
    };
    let markdown = crate::docs::rule_markdown(rule);
    RuleDescriptor {
        id: rule.id.clone(),
        name: rule.id.clone(),
        short_description: Text {
            text: rule.title.clone(),
        },
        full_description: Text { text: description },
        help: Help {
            text: rule.help.clone(),
            markdown,
        },
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            tags: vec![rule.category.clone(), "security".into()],
            precision: "high",
            problem_severity: match rule.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "recommendation",
            },
            security_severity: match rule.severity {
                Severity::Error => "8.0",
                Severity::Warning => "5.0",
                Severity::Note => "2.0",
            },
        },
    }
}

fn result(
    lines: &HashMap<&str, LineIndex>,
    finding: &Finding,
    rule_index: usize,
    fingerprint: String,
) -> SarifResult {
    let primary = Region {
        start_line: finding.line,
        start_column: finding.column,
        end_line: finding.end_line,
        end_column: finding.end_column,
    };
    let related_locations = finding
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| Location {
            id: Some(i + 1),
            physical_location: location(
                &r.file,
                Some(region(lines, &r.file, r.span).unwrap_or(point(r.line, r.column))),
            ),
            message: Some(Text {
                text: r.message.clone(),
            }),
        })
        .collect();
    let fixes = finding
        .fix
        .iter()
        .map(|fix| SarifFix {
            description: Text {
                text: fix.title.clone(),
            },
            artifact_changes: vec![ArtifactChange {
                artifact_location: ArtifactLocation {
                    uri: uri(&finding.file),
                },
                replacements: vec![Replacement {
                    deleted_region: Region {
                        start_line: fix.line,
                        start_column: fix.column,
                        end_line: fix.end_line,
                        end_column: fix.end_column,
                    },
                    inserted_content: Text {
                        text: fix.replacement.clone(),
                    },
                }],
            }],
        })
        .collect();
    let mut message = finding.message.clone();
    if !finding.help.is_empty() {
        message.push_str("\n\n");
        message.push_str(&finding.help);
    }
    SarifResult {
        rule_id: finding.rule.clone(),
        rule_index,
        level: level(finding.severity),
        message: Text { text: message },
        locations: vec![Location {
            id: None,
            physical_location: location(&finding.file, Some(primary)),
            message: None,
        }],
        related_locations,
        partial_fingerprints: [(FINGERPRINT_KEY, fingerprint)].into_iter().collect(),
        fixes,
        suppressions: finding
            .suppressed
            .then(|| SarifSuppression {
                kind: "inSource",
                justification: finding.suppression_reason.clone(),
            })
            .into_iter()
            .collect(),
    }
}

fn point(line: usize, column: usize) -> Region {
    Region {
        start_line: line,
        start_column: column,
        end_line: line,
        end_column: column,
    }
}

/// The SARIF log of `report`; `rules` become `tool.driver.rules`.
pub fn render(report: &Report, rules: &[Rule]) -> String {
    let mut rules: Vec<&Rule> = rules.iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let fingerprints = crate::baseline::fingerprints(report);
    let lines = report.line_indexes();
    let results = report
        .findings
        .iter()
        .zip(fingerprints)
        .map(|(finding, fingerprint)| {
            let index = rules
                .iter()
                .position(|r| r.id == finding.rule)
                .unwrap_or_default();
            result(&lines, finding, index, fingerprint)
        })
        .collect();
    let notifications = report
        .errors
        .iter()
        .map(|e| Notification {
            level: "error",
            message: Text {
                text: e.message.clone(),
            },
            locations: vec![Location {
                id: None,
                physical_location: location(&e.file, Some(point(e.line, e.column))),
                message: None,
            }],
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "blastwall",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: rules.into_iter().map(descriptor).collect(),
                },
            },
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri(".github/workflows/ci.yml"), ".github/workflows/ci.yml");
        assert_eq!(uri("envs/my prod/main.tf"), "envs/my%20prod/main.tf");
        assert_eq!(uri("/abs/x.tf"), "file:///abs/x.tf");
    }
}
