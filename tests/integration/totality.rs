//! Policy totality: every built-in policy evaluates without error on every document
//! of `testdata/` and on type-confused variants of each file's content (a number
//! where a string is, a string where an object or list is, a list where an object
//! is), as a hand-written or hostile file can hold them. The model's own fields are
//! typed by the Rust structs that build them; `content` is the file as written.

use serde_json::{json, Value as Json};

use blastwall::engine::registry::PolicySet;
use blastwall::engine::{Engine, Profile};

use crate::common::testdata;

/// Which kind of value a variant replaces, and with what.
#[derive(Clone, Copy, Debug)]
enum Confusion {
    StringToNumber,
    NumberToString,
    ObjectToList,
    ListToObject,
    ScalarToObject,
}

/// The document with every `stride`-th node of its content of the confused type (in
/// walk order, from `offset`) replaced.
fn confuse(document: &Json, confusion: Confusion, stride: usize, offset: usize) -> Json {
    let mut seen = 0;
    let mut out = document.clone();
    if let Some(content) = out.get_mut("content") {
        walk(content, confusion, stride, offset, &mut seen);
    }
    out
}

fn walk(value: &mut Json, confusion: Confusion, stride: usize, offset: usize, seen: &mut usize) {
    let matches = matches!(
        (confusion, &*value),
        (Confusion::StringToNumber, Json::String(_))
            | (Confusion::NumberToString, Json::Number(_))
            | (Confusion::ObjectToList, Json::Object(_))
            | (Confusion::ListToObject, Json::Array(_))
            | (
                Confusion::ScalarToObject,
                Json::String(_) | Json::Bool(_) | Json::Number(_)
            )
    );
    if matches {
        *seen += 1;
        if (*seen + offset) % stride == 0 {
            *value = match (confusion, value.take()) {
                (Confusion::StringToNumber, _) => json!(7),
                (Confusion::NumberToString, n) => json!(n.to_string()),
                (Confusion::ObjectToList, Json::Object(map)) => {
                    map.into_iter().map(|(_, v)| v).collect()
                }
                (Confusion::ListToObject, Json::Array(items)) => (items.into_iter().enumerate())
                    .map(|(i, v)| (i.to_string(), v))
                    .collect::<serde_json::Map<_, _>>()
                    .into(),
                (_, scalar) => json!({"value": scalar}),
            };
            return;
        }
    }
    match value {
        Json::Object(map) => map
            .values_mut()
            .for_each(|v| walk(v, confusion, stride, offset, seen)),
        Json::Array(items) => items
            .iter_mut()
            .for_each(|v| walk(v, confusion, stride, offset, seen)),
        _ => {}
    }
}

/// The model of every testdata document, as `blastwall inspect` prints it.
fn testdata_documents() -> Vec<Json> {
    let mut out = Vec::new();
    blastwall::lint::inspect(&[testdata()], &testdata(), &mut out).unwrap();
    let json: Json = serde_json::from_slice(&out).unwrap();
    json["documents"].as_array().unwrap().clone()
}

#[test]
fn every_policy_evaluates_on_every_document_and_on_confused_models() {
    let engine = Engine::new(PolicySet::builtin().unwrap(), Default::default(), false).unwrap();
    let mut worker = engine.worker();
    let mut profile = Profile::default();
    let documents = testdata_documents();
    assert!(documents.len() > 300, "{}", documents.len());
    let confusions = [
        Confusion::StringToNumber,
        Confusion::NumberToString,
        Confusion::ObjectToList,
        Confusion::ListToObject,
        Confusion::ScalarToObject,
    ];
    let mut failures = Vec::new();
    for (d, document) in documents.iter().enumerate() {
        let kind = document["kind"].as_str().unwrap_or_default().to_owned();
        let mut variants = vec![("original".to_owned(), document.clone())];
        for confusion in confusions {
            for stride in [2, 3] {
                let variant = confuse(document, confusion, stride, d);
                variants.push((format!("{confusion:?} every {stride}"), variant));
            }
        }
        for (name, input) in variants {
            let (_, _, errors) =
                engine.eval_document(&mut worker, &kind, &input, true, &mut profile);
            for e in errors {
                failures.push(format!(
                    "{} ({name}): {}: {}",
                    document["file"], e.package, e.message
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
