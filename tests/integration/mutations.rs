//! Every testdata file, changed the ways real files differ from the ones we wrote
//! (multi-byte characters, CRLF and CR-only line breaks, a NUL, a truncation), is
//! parsed and modelled without a panic, and every span it yields lies on character
//! boundaries of the text.

use std::path::Path;

use serde_json::Value as Json;

use blastwall::discover::format_of;
use blastwall::model::build_document;
use blastwall::parse::{self, Node};

use crate::common::testdata;

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn boundary(text: &str, at: usize) -> usize {
    blastwall::parse::node::floor_char_boundary(text, at)
}

/// The variants of `text`: each a way a real file differs.
fn variants(text: &str) -> Vec<(&'static str, String)> {
    let third = boundary(text, text.len() / 3);
    let half = boundary(text, text.len() / 2);
    let mut multibyte = text.to_owned();
    multibyte.insert_str(half, "Grüße ☠️ 東京");
    multibyte.insert(third, 'é');
    let mut nul = text.to_owned();
    nul.insert(half, '\0');
    vec![
        ("multi-byte", multibyte),
        ("CRLF", text.replace('\n', "\r\n")),
        ("CR", text.replace('\n', "\r")),
        ("truncated", text[..half].to_owned()),
        ("NUL", nul),
    ]
}

fn check_node(node: &Node, text: &str, failures: &mut Vec<String>, name: &str) {
    let span = node.span;
    if span.end > text.len()
        || !text.is_char_boundary(span.start)
        || !text.is_char_boundary(span.end)
    {
        failures.push(format!("{name}: node span {span:?}"));
    }
    if let Some(items) = node.as_seq() {
        items
            .iter()
            .for_each(|n| check_node(n, text, failures, name));
    }
    if let Some(map) = node.as_map() {
        for (key, value) in map {
            let span = key.span;
            if !text.is_char_boundary(span.start.min(text.len()))
                || !text.is_char_boundary(span.end.min(text.len()))
            {
                failures.push(format!("{name}: key span {span:?}"));
            }
            check_node(value, text, failures, name);
        }
    }
}

/// Every `span: [start, end]` the model writes into the input.
fn check_spans(value: &Json, text: &str, failures: &mut Vec<String>, name: &str) {
    match value {
        Json::Object(map) => {
            if let Some([Json::Number(start), Json::Number(end)]) =
                map.get("span").and_then(Json::as_array).map(Vec::as_slice)
            {
                let (start, end) = (
                    start.as_u64().unwrap_or(0) as usize,
                    end.as_u64().unwrap_or(0) as usize,
                );
                if end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end)
                {
                    failures.push(format!("{name}: model span [{start}, {end}]"));
                }
            }
            map.values()
                .for_each(|v| check_spans(v, text, failures, name));
        }
        Json::Array(items) => items
            .iter()
            .for_each(|v| check_spans(v, text, failures, name)),
        _ => {}
    }
}

#[test]
fn mutated_testdata_parses_and_models_on_character_boundaries() {
    let mut paths = Vec::new();
    files(&testdata(), &mut paths);
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in paths {
        let Some(format) = format_of(&path) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let shown = path.strip_prefix(testdata()).unwrap().display().to_string();
        for (variant, text) in variants(&text) {
            let name = format!("{shown} ({variant})");
            let run = std::panic::catch_unwind(|| {
                let mut failures = Vec::new();
                for (index, node) in parse::parse(format, &text)
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                {
                    check_node(&node, &text, &mut failures, &name);
                    let document = build_document(&shown, format, &text, index, node);
                    check_spans(&document.input, &text, &mut failures, &name);
                }
                failures
            });
            match run {
                Ok(found) => failures.extend(found),
                Err(_) => failures.push(format!("{name}: panicked")),
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
