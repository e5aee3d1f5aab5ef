//! TOML (`pyproject.toml`, `samconfig.toml`) with spans.
//!
//! Tables are mappings and arrays of tables are sequences, as in the JSON
//! view every TOML tool shows. Datetimes stay strings (policies compare text,
//! never instants); integers too large for `i64` and hex/octal/binary
//! literals keep their digits as written. The `toml` crate bounds nesting
//! itself (80 levels); the conversion below recurses no deeper than that.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::error::ParseError;
use super::node::{Key, Node, Span, Value};

pub fn parse_toml(text: &str) -> Result<Node, ParseError> {
    let table = DeTable::parse(text).map_err(|e| {
        ParseError::new(
            format!("invalid TOML: {}", e.message().trim_end()),
            e.span().map_or(0, |s| s.start),
        )
    })?;
    // The root table's span is the whole document (comments included).
    let entries = table_entries(table.get_ref());
    Ok(Node::new(Value::Map(entries), Span::new(0, text.len())))
}

fn span(range: Range<usize>) -> Span {
    Span::new(range.start, range.end)
}

fn table_entries(table: &DeTable<'_>) -> Vec<(Key, Node)> {
    table
        .iter()
        .map(|(k, v)| {
            let key = Key {
                name: k.get_ref().to_string(),
                span: span(k.span()),
            };
            (key, convert(v))
        })
        .collect()
}

fn convert(value: &Spanned<DeValue<'_>>) -> Node {
    let v = match value.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            i64::from_str_radix(&digits, i.radix())
                .map_or(Value::Str(i.as_str().into()), Value::Int)
        }
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .map_or_else(|_| Value::Str(f.as_str().into()), Value::Float),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(items) => Value::Seq(items.iter().map(convert).collect()),
        DeValue::Table(t) => Value::Map(table_entries(t)),
    };
    Node::new(v, span(value.span()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::PathSeg::{self, Index as I, Key as K};

    fn text_at<'a>(text: &'a str, doc: &Node, path: &[PathSeg]) -> &'a str {
        let s = doc.span_of_path(path);
        &text[s.start..s.end]
    }

    fn key_at<'a>(text: &'a str, doc: &Node, path: &[PathSeg]) -> &'a str {
        let s = doc.key_span(path).expect("key located");
        &text[s.start..s.end]
    }

    #[test]
    fn samconfig_nested_table_spans() {
        let text = "version = 0.1\n\n[prod.deploy.parameters]\nstack_name = \"orders-prod\"\nprofile = \"prod\"\n\n[dev.deploy.parameters]\nprofile = 'prod'\n";
        let doc = parse_toml(text).unwrap();
        let profile = |env: &str| {
            vec![
                K(env.into()),
                K("deploy".into()),
                K("parameters".into()),
                K("profile".into()),
            ]
        };
        assert_eq!(text_at(text, &doc, &profile("prod")), "\"prod\"");
        assert_eq!(text_at(text, &doc, &profile("dev")), "'prod'");
        assert_eq!(key_at(text, &doc, &profile("dev")), "profile");
        assert_eq!(key_at(text, &doc, &[K("dev".into())]), "dev");
        assert_eq!(doc.to_json()["version"], 0.1);
        assert_eq!(
            doc.to_json()["prod"]["deploy"]["parameters"]["stack_name"],
            "orders-prod"
        );
    }

    #[test]
    fn pytest_env_list_items_and_dotted_keys() {
        let text = "[tool.pytest.ini_options]\nenv = [\n  \"DATABASE_URL=postgres://db/app\",\n  \"D:API=x\",\n]\nsite.owner.name = \"ops\"\n";
        let doc = parse_toml(text).unwrap();
        let env = [
            K("tool".into()),
            K("pytest".into()),
            K("ini_options".into()),
            K("env".into()),
        ];
        let first: Vec<PathSeg> = env.iter().cloned().chain([I(0)]).collect();
        assert_eq!(
            text_at(text, &doc, &first),
            "\"DATABASE_URL=postgres://db/app\""
        );
        let dotted = [
            K("tool".into()),
            K("pytest".into()),
            K("ini_options".into()),
            K("site".into()),
            K("owner".into()),
            K("name".into()),
        ];
        assert_eq!(key_at(text, &doc, &dotted), "name");
        assert_eq!(text_at(text, &doc, &dotted), "\"ops\"");
    }

    #[test]
    fn arrays_of_tables_inline_tables_and_scalars() {
        let text = "[[stacks]]\nname = \"a\"\nrole = { arn = \"arn:aws:iam::111111111111:role/x\", ttl = 0x10 }\n\n[[stacks]]\nname = \"b\"\nat = 1979-05-27T07:32:00Z\nbig = 99999999999999999999\n";
        let doc = parse_toml(text).unwrap();
        let arn = [K("stacks".into()), I(0), K("role".into()), K("arn".into())];
        assert_eq!(
            text_at(text, &doc, &arn),
            "\"arn:aws:iam::111111111111:role/x\""
        );
        assert_eq!(key_at(text, &doc, &arn), "arn");
        let json = doc.to_json();
        assert_eq!(json["stacks"][1]["name"], "b");
        assert_eq!(json["stacks"][0]["role"]["ttl"], 16);
        assert_eq!(json["stacks"][1]["at"], "1979-05-27T07:32:00Z");
        assert_eq!(json["stacks"][1]["big"], "99999999999999999999");
        assert_eq!(
            text_at(text, &doc, &[K("stacks".into()), I(1), K("name".into())]),
            "\"b\""
        );
    }

    #[test]
    fn hostile_input_is_a_located_error() {
        let err = parse_toml("[a]\nx = 1\n[a]\ny = 2\n").unwrap_err();
        assert!(err.message.starts_with("invalid TOML"), "{}", err.message);
        assert!(err.offset > 0);
        let err = parse_toml("a = \"unterminated\n").unwrap_err();
        assert!(err.message.starts_with("invalid TOML"));
        // Nesting far past any real file is refused, not a stack overflow.
        let deep = format!("a = {}1{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_toml(&deep).is_err());
        let deep = format!("a = {}{}", "{b = ".repeat(50_000), "}".repeat(50_000));
        assert!(parse_toml(&deep).is_err());
        assert_eq!(parse_toml("").unwrap().to_json(), serde_json::json!({}));
    }
}
