//! Line-oriented formats: dotenv (`.env*`), Java `.properties`, and INI
//! (`pytest.ini`, `tox.ini`, `setup.cfg`). None of their crates keep line
//! numbers, and the formats are small enough to read line by line.

use super::node::{Key, Node, Span, Value};

/// `KEY=value`, `export KEY="value"`, `# comments`. Also reads `.properties` (`key: value`).
pub fn parse_dotenv(text: &str) -> Node {
    let mut entries: Vec<(Key, Node)> = Vec::new();
    for (start, line) in line_starts(text) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
            continue;
        }
        let lead = line.len() - trimmed.len();
        let body = trimmed
            .strip_prefix("export ")
            .map_or(trimmed, str::trim_start);
        let key_start = start + lead + (trimmed.len() - body.len());
        let Some(sep) = body.find(['=', ':']) else {
            continue;
        };
        let name = body[..sep].trim_end();
        if name.is_empty() || name.contains(char::is_whitespace) {
            continue;
        }
        let raw = &body[sep + 1..];
        let value_lead = raw.len() - raw.trim_start().len();
        let value_start = key_start + sep + 1 + value_lead;
        let (value, len) = unquote(raw.trim());
        let key = Key {
            name: name.to_owned(),
            span: Span::new(key_start, key_start + name.len()),
        };
        entries.retain(|(k, _)| k.name != key.name);
        entries.push((
            key,
            Node::str(value, Span::new(value_start, value_start + len)),
        ));
    }
    let span = Span::new(0, text.len());
    Node::new(Value::Map(entries), span)
}

/// A section being read: its key, entries so far, and where it ends.
type Section = (Key, Vec<(Key, Node)>, usize);

/// `[section]` → map of `key = value`; indented lines continue the previous value
/// (pytest-env's `env =` lists). Keys before any section sit at the top level.
pub fn parse_ini(text: &str) -> Node {
    let mut root: Vec<(Key, Node)> = Vec::new();
    let mut section: Option<Section> = None;
    let mut last_value: Option<(usize, bool)> = None; // (entry index, in section?)

    let flush = |root: &mut Vec<(Key, Node)>, section: Option<Section>| {
        if let Some((key, entries, end)) = section {
            let span = Span::new(key.span.start.saturating_sub(1), end);
            root.retain(|(k, _)| k.name != key.name);
            root.push((key, Node::new(Value::Map(entries), span)));
        }
    };

    for (start, line) in line_starts(text) {
        let trimmed = line.trim();
        let lead = line.len() - line.trim_start().len();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let end = start + lead + trimmed.len();
        if lead > 0 {
            // Continuation of the previous value.
            if let Some((index, in_section)) = last_value {
                let entries = match (&mut section, in_section) {
                    (Some((_, entries, _)), true) => entries,
                    _ => &mut root,
                };
                if let Some((_, node)) = entries.get_mut(index) {
                    if let Value::Str(s) = &mut node.value {
                        if !s.is_empty() {
                            s.push('\n');
                        }
                        s.push_str(trimmed);
                    }
                    node.span = node.span.cover(Span::new(start + lead, end));
                }
                if let Some((_, _, section_end)) = &mut section {
                    *section_end = end;
                }
                continue;
            }
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            flush(&mut root, section.take());
            let name = trimmed[1..trimmed.len() - 1].trim();
            let name_start =
                start + lead + 1 + (trimmed[1..].len() - trimmed[1..].trim_start().len());
            section = Some((
                Key {
                    name: name.to_owned(),
                    span: Span::new(name_start, name_start + name.len()),
                },
                Vec::new(),
                end,
            ));
            last_value = None;
            continue;
        }
        let Some(sep) = trimmed.find(['=', ':']) else {
            continue;
        };
        let name = trimmed[..sep].trim_end();
        let raw = &trimmed[sep + 1..];
        let value_start = start + lead + sep + 1 + (raw.len() - raw.trim_start().len());
        let value = raw.trim();
        let key = Key {
            name: name.to_owned(),
            span: Span::new(start + lead, start + lead + name.len()),
        };
        let node = Node::str(value, Span::new(value_start, value_start + value.len()));
        let entries = match &mut section {
            Some((_, entries, section_end)) => {
                *section_end = end;
                entries
            }
            None => &mut root,
        };
        entries.retain(|(k, _)| k.name != key.name);
        entries.push((key, node));
        last_value = Some((entries.len() - 1, section.is_some()));
    }
    flush(&mut root, section);
    Node::new(Value::Map(root), Span::new(0, text.len()))
}

/// Each line with the byte offset it starts at (without the line break).
pub(crate) fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line.trim_end_matches(['\n', '\r']))
    })
}

/// Strips matching quotes; returns the value and the source length it came from.
fn unquote(raw: &str) -> (String, usize) {
    for quote in ['"', '\''] {
        if let Some(rest) = raw.strip_prefix(quote) {
            if let Some(close) = rest.find(quote) {
                return (rest[..close].to_owned(), close + 2);
            }
        }
    }
    // Unquoted values end at an inline comment.
    let value = raw.split(" #").next().unwrap_or(raw).trim_end();
    (value.to_owned(), value.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::PathSeg::Key as K;

    #[test]
    fn dotenv_keys_values_and_spans() {
        let text = "# test env\nexport DATABASE_URL=\"postgres://ci@localhost/app_test\"\nSTRIPE_KEY=sk_test_123 # fake\nspring.datasource.url: jdbc:postgresql://db/app\n";
        let doc = parse_dotenv(text);
        let json = doc.to_json();
        assert_eq!(json["DATABASE_URL"], "postgres://ci@localhost/app_test");
        assert_eq!(json["STRIPE_KEY"], "sk_test_123");
        assert_eq!(json["spring.datasource.url"], "jdbc:postgresql://db/app");
        let span = doc.span_of_path(&[K("STRIPE_KEY".into())]);
        assert_eq!(&text[span.start..span.end], "sk_test_123");
        let key = doc.key_span(&[K("DATABASE_URL".into())]).unwrap();
        assert_eq!(&text[key.start..key.end], "DATABASE_URL");
    }

    #[test]
    fn ini_sections_and_continuation_values() {
        let text = "[pytest]\naddopts = -q\nenv =\n    DATABASE_URL=postgres://prod-db.internal/app\n    D:REDIS=redis://localhost\n\n[tox]\nenvlist = py311\n";
        let doc = parse_ini(text);
        let json = doc.to_json();
        assert_eq!(json["pytest"]["addopts"], "-q");
        assert_eq!(
            json["pytest"]["env"],
            "DATABASE_URL=postgres://prod-db.internal/app\nD:REDIS=redis://localhost"
        );
        assert_eq!(json["tox"]["envlist"], "py311");
        let span = doc.span_of_path(&[K("pytest".into()), K("env".into())]);
        assert!(text[span.start..span.end].contains("prod-db.internal"));
    }
}
