//! Policy results name a path into `input`; this turns it into a byte span.
//!
//! `["content", …]` walks the parsed document's span tree. Any other path walks
//! the input model itself: derived objects carry either an exact `span`
//! (`[start, end]`, e.g. a shell word or a secret reference) or the content
//! `path` they came from; the deepest one on the way wins. When a path goes
//! past what exists, the deepest located ancestor is used (trivy's
//! `obj_by_path`), so a finding is never without a location.

use serde_json::Value as Json;

use crate::parse::node::{path_from_json, Node, PathSeg, Span, Value};

pub fn locate(input: &Json, document: &Node, path: &[Json]) -> Span {
    if path.first().and_then(Json::as_str) == Some("content") {
        return content_span(document, &path[1..]);
    }
    let mut best = document.span;
    let mut value = input;
    for seg in path {
        let next = match (seg, value) {
            (Json::String(k), Json::Object(map)) => map.get(k),
            (Json::Number(n), Json::Array(items)) => n.as_u64().and_then(|i| items.get(i as usize)),
            _ => None,
        };
        let Some(next) = next else { break };
        value = next;
        if let Some(span) = own_span(value, document) {
            best = span;
        }
    }
    best
}

/// A content path; a key path whose value is a whole block points at the key.
fn content_span(document: &Node, path: &[Json]) -> Span {
    let segs: Vec<PathSeg> = path
        .iter()
        .filter_map(|s| match s {
            Json::String(k) => Some(PathSeg::Key(k.clone())),
            Json::Number(n) => n.as_u64().map(|i| PathSeg::Index(i as usize)),
            _ => None,
        })
        .collect();
    span_of(document, &segs)
}

/// A collection is shown by its key (`test:`), a scalar by its value.
fn span_of(document: &Node, segs: &[PathSeg]) -> Span {
    let (node, depth) = document.descend(segs);
    let is_block = matches!(node.value, Value::Map(_) | Value::Seq(_));
    if is_block && depth == segs.len() {
        if let Some(key) = document.key_span(segs) {
            return key;
        }
    }
    node.span
}

fn own_span(value: &Json, document: &Node) -> Option<Span> {
    let obj = value.as_object()?;
    if let Some([start, end]) = obj.get("span").and_then(Json::as_array).map(Vec::as_slice) {
        return Some(Span::new(start.as_u64()? as usize, end.as_u64()? as usize));
    }
    let path = obj.get("path")?;
    let segs = path_from_json(path)?;
    Some(span_of(document, &segs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse_yaml;
    use serde_json::json;

    #[test]
    fn content_and_derived_paths() {
        let text = "jobs:\n  test:\n    steps:\n      - run: echo hi\n";
        let doc = &parse_yaml(text).unwrap()[0];
        let input = json!({
            "content": doc.to_json(),
            "jobs": [{"path": ["jobs", "test"], "secrets": [{"name": "X", "span": [10, 14]}]}]
        });
        let s = locate(
            &input,
            doc,
            &[
                json!("content"),
                json!("jobs"),
                json!("test"),
                json!("steps"),
                json!(0),
                json!("run"),
            ],
        );
        assert_eq!(&text[s.start..s.end], "echo hi");
        let s = locate(
            &input,
            doc,
            &[
                json!("jobs"),
                json!(0),
                json!("secrets"),
                json!(0),
                json!("name"),
            ],
        );
        assert_eq!((s.start, s.end), (10, 14));
        let s = locate(&input, doc, &[json!("jobs"), json!(0), json!("missing")]);
        assert_eq!(&text[s.start..s.end], "test");
    }
}
