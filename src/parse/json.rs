//! JSON (and JSONC, as tools like VS Code and CloudFormation authors write it) with spans.

use jsonc_parser::ast::{ObjectPropName, Value as Ast};
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

use super::error::ParseError;
use super::node::{Key, Node, Span, Value};

/// jsonc-parser recurses per nesting level; refuse absurd depth before it does.
const MAX_DEPTH: usize = 200;

pub fn parse_json(text: &str) -> Result<Option<Node>, ParseError> {
    if let Some(offset) = too_deep(text) {
        return Err(ParseError::new(
            format!("JSON nesting deeper than {MAX_DEPTH} levels; file skipped"),
            offset,
        ));
    }
    let parsed = parse_to_ast(text, &CollectOptions::default(), &ParseOptions::default())
        .map_err(|e| ParseError::new(format!("invalid JSON: {}", e.kind()), e.range().start))?;
    Ok(parsed.value.as_ref().map(convert))
}

fn convert(value: &Ast<'_>) -> Node {
    let span = |r: &jsonc_parser::common::Range| Span::new(r.start, r.end);
    match value {
        Ast::StringLit(s) => Node::str(s.value.as_ref(), span(&s.range)),
        Ast::NumberLit(n) => {
            let v = match n.value.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => n
                    .value
                    .parse::<f64>()
                    .map_or_else(|_| Value::Str(n.value.to_owned()), Value::Float),
            };
            Node::new(v, span(&n.range))
        }
        Ast::BooleanLit(b) => Node::new(Value::Bool(b.value), span(&b.range)),
        Ast::NullKeyword(n) => Node::new(Value::Null, span(&n.range)),
        Ast::Array(a) => Node::new(
            Value::Seq(a.elements.iter().map(convert).collect()),
            span(&a.range),
        ),
        Ast::Object(o) => {
            let mut entries: Vec<(Key, Node)> = Vec::with_capacity(o.properties.len());
            for prop in &o.properties {
                let (name, range) = match &prop.name {
                    ObjectPropName::String(s) => (s.value.to_string(), &s.range),
                    ObjectPropName::Word(w) => (w.value.to_string(), &w.range),
                };
                entries.retain(|(k, _)| k.name != name);
                entries.push((
                    Key {
                        name,
                        span: span(range),
                    },
                    convert(&prop.value),
                ));
            }
            Node::new(Value::Map(entries), span(&o.range))
        }
    }
}

/// Byte offset where bracket nesting (outside strings) first exceeds the limit.
pub(crate) fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' | b'(' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::PathSeg::{Index as I, Key as K};

    #[test]
    fn iam_policy_statement_spans() {
        let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["ec2:TerminateInstances"], "Resource": "*"}
  ]
}"#;
        let doc = parse_json(text).unwrap().unwrap();
        let span = doc.span_of_path(&[K("Statement".into()), I(0), K("Resource".into())]);
        assert_eq!(&text[span.start..span.end], "\"*\"");
        assert_eq!(
            doc.to_json()["Statement"][0]["Action"][0],
            "ec2:TerminateInstances"
        );
    }

    #[test]
    fn errors_are_located_and_depth_is_bounded() {
        let err = parse_json("{\n  \"a\": [1, 2,, }\n").unwrap_err();
        assert!(err.message.starts_with("invalid JSON"));
        assert!(err.offset > 0);
        assert!(parse_json(&"[".repeat(100_000)).is_err());
        assert_eq!(parse_json("").unwrap(), None);
    }
}
