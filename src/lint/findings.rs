//! Policy results → located findings, facts and related locations.

use super::*;

pub(super) fn message_of(result: &Json) -> String {
    result
        .get("msg")
        .or_else(|| result.get("message"))
        .and_then(Json::as_str)
        .unwrap_or("policy violation")
        .to_owned()
}

pub(super) fn severity_of(result: &Json, default: Severity) -> Severity {
    result
        .get("severity")
        .and_then(|s| serde_json::from_value(s.clone()).ok())
        .unwrap_or(default)
}

pub(super) fn document_finding(
    engine: &Engine,
    raw: &RawFinding,
    document: &Document,
    file: &str,
    lines: &LineIndex,
) -> Finding {
    let rule = &engine.set.rules[raw.rule];
    let span = locate(&document.input, &document.node, &path_of(&raw.result));
    let related = related_of(&raw.result, |item| {
        // An origin the model located in another file (`at`: file, line, column, span).
        if let Some(at) = item.get("at") {
            let (file, span) = fact_location(at)?;
            let number = |k: &str| at.get(k).and_then(Json::as_u64).unwrap_or(1) as usize;
            return Some(Related {
                file,
                line: number("line"),
                column: number("column"),
                message: message_of(item),
                span,
            });
        }
        let span = locate(&document.input, &document.node, &path_of(item));
        let (line, column) = lines.line_col(span.start);
        Some(Related {
            file: file.to_owned(),
            line,
            column,
            message: message_of(item),
            span,
        })
    });
    let fix = crate::fix::resolve(&raw.result, lines, |fix| {
        let path = fix.get("path")?.as_array()?;
        Some(locate(&document.input, &document.node, path))
    });
    Finding {
        fix,
        ..finding(rule, &raw.result, file, lines, span, related)
    }
}

pub(super) fn finding(
    rule: &crate::engine::registry::Rule,
    result: &Json,
    file: &str,
    lines: &LineIndex,
    span: Span,
    related: Vec<Related>,
) -> Finding {
    let (line, column) = lines.line_col(span.start);
    let (end_line, end_column) = lines.line_col(span.end);
    Finding {
        rule: rule.id.clone(),
        category: rule.category.clone(),
        severity: severity_of(result, rule.severity),
        file: file.to_owned(),
        line,
        column,
        end_line,
        end_column,
        message: message_of(result),
        help: result
            .get("help")
            .and_then(Json::as_str)
            .map_or_else(|| rule.help.clone(), str::to_owned),
        related,
        span,
        label: result
            .get("label")
            .and_then(Json::as_str)
            .unwrap_or(&rule.title)
            .to_owned(),
        fix: None,
        suppressed: false,
        suppression_reason: None,
    }
}

/// Facts are located where they are collected: repository rules only see facts.
pub(super) fn located_fact(
    mut fact: Json,
    document: &Document,
    file: &str,
    lines: &LineIndex,
) -> Json {
    let span = locate(&document.input, &document.node, &path_of(&fact));
    let (line, column) = lines.line_col(span.start);
    if let Json::Object(map) = &mut fact {
        map.insert("file".into(), json!(file));
        map.insert("document".into(), json!(document.index));
        map.insert("line".into(), json!(line));
        map.insert("column".into(), json!(column));
        map.insert("span".into(), json!([span.start, span.end]));
        map.entry("environment")
            .or_insert_with(|| document.input["environment"].clone());
        // Other places a fact names for rules to relate (`job_path`, `defined_path`),
        // each located as `<name>_span`.
        let named: Vec<(String, Span)> = (map.iter())
            .filter_map(|(k, v)| {
                let name = k.strip_suffix("_path")?;
                let span = locate(&document.input, &document.node, v.as_array()?);
                Some((format!("{name}_span"), span))
            })
            .collect();
        for (k, span) in named {
            map.insert(k, json!([span.start, span.end]));
        }
    }
    fact
}

/// Line indexes of the report's sources ([`Report::line_indexes`]).
pub(super) type SourceLines<'a> = std::collections::HashMap<&'a str, LineIndex<'a>>;

/// A repository finding sits at `result.at` (a fact); `related[].at` likewise.
pub(super) fn repository_finding(
    engine: &Engine,
    raw: &RawFinding,
    sources: &SourceLines,
) -> Option<Finding> {
    let rule = &engine.set.rules[raw.rule];
    let at = raw.result.get("at")?;
    let (file, span) = fact_location(at)?;
    let lines = sources.get(file.as_str())?;
    let related = related_of(&raw.result, |item| {
        let (file, span) = fact_location(item.get("at")?)?;
        let (line, column) = sources.get(file.as_str())?.line_col(span.start);
        Some(Related {
            file,
            line,
            column,
            message: message_of(item),
            span,
        })
    });
    // A repository rule's fix names a fact (`fix.at`) in the finding's file.
    let fix = crate::fix::resolve(&raw.result, lines, |fix| {
        fact_location(fix.get("at")?).and_then(|(at, span)| (at == file).then_some(span))
    });
    Some(Finding {
        fix,
        ..finding(rule, &raw.result, &file, lines, span, related)
    })
}

/// A result's or fact's `path` into the input (empty: the whole document).
pub(super) fn path_of(value: &Json) -> Vec<Json> {
    value
        .get("path")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default()
}

/// A result's `related` entries, each placed by `place`; entries it cannot place are dropped.
pub(super) fn related_of(result: &Json, place: impl Fn(&Json) -> Option<Related>) -> Vec<Related> {
    result
        .get("related")
        .and_then(Json::as_array)
        .map(|items| items.iter().filter_map(place).collect())
        .unwrap_or_default()
}

pub(super) fn fact_location(fact: &Json) -> Option<(String, Span)> {
    let file = fact.get("file")?.as_str()?.to_owned();
    let span = fact.get("span")?.as_array()?;
    let start = span.first()?.as_u64()? as usize;
    let end = span.get(1)?.as_u64()? as usize;
    Some((file, Span::new(start, end)))
}
