//! The span-preserving value tree every parser produces.
//!
//! Parsers turn a file into one or more [`Node`] trees; each node and each
//! mapping key remembers the byte range it came from, so a policy result that
//! names a path (`["jobs", "test", "steps", 2, "run"]`) can be mapped back to
//! `file:line:col` without re-reading the source.

use serde_json::{Map as JsonMap, Value as Json};

/// A half-open byte range `[start, end)` into the file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Serialized as `[start, end]`: the form `engine::locate` reads back.
impl serde::Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        [self.start, self.end].serialize(serializer)
    }
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// 1-based line and column (in Unicode code points) of a byte offset. Scans the
/// text before it: for one location; locating many in one file takes a [`LineIndex`].
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, column(text, line_start, offset))
}

fn column(text: &str, line_start: usize, offset: usize) -> usize {
    text[line_start..offset].chars().count() + 1
}

/// A text with the offsets its lines start at, so that each location costs a
/// binary search and one line's characters: findings in a file with thousands of
/// documents are located in linear time.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The same as [`line_col`] on the indexed text.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&start| start <= offset);
        (line, column(self.text, self.starts[line - 1], offset))
    }
}

/// The largest char boundary at or before `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// One segment of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

/// A mapping key with its own span (findings about a key point at the key).
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Insertion-ordered; keys are unique (parsers keep the last duplicate).
    Map(Vec<(Key, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    pub fn str(s: impl Into<String>, span: Span) -> Self {
        Node::new(Value::Str(s.into()), span)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// Follows `path` as far as it goes. Returns the deepest node reached and
    /// whether the whole path resolved. A path that ends on a mapping key
    /// segment whose value is missing yields the key's span through
    /// [`Node::span_of_path`].
    pub fn descend<'a>(&'a self, path: &[PathSeg]) -> (&'a Node, usize) {
        let mut node = self;
        for (depth, seg) in path.iter().enumerate() {
            let next = match (seg, &node.value) {
                (PathSeg::Key(k), Value::Map(m)) => m.iter().find(|(key, _)| &key.name == k),
                (PathSeg::Index(i), Value::Seq(s)) => match s.get(*i) {
                    Some(n) => {
                        node = n;
                        continue;
                    }
                    None => return (node, depth),
                },
                _ => None,
            };
            match next {
                Some((_, v)) => node = v,
                None => return (node, depth),
            }
        }
        (node, path.len())
    }

    /// The span of the value at `path`, or of the deepest located ancestor.
    /// `key_span` asks for the key's span instead of the value's when the last
    /// segment is a mapping key (useful for "this variable" findings).
    pub fn span_of_path(&self, path: &[PathSeg]) -> Span {
        self.descend(path).0.span
    }

    /// The span of the mapping key at the end of `path`, if there is one.
    pub fn key_span(&self, path: &[PathSeg]) -> Option<Span> {
        let (last, parent) = path.split_last()?;
        let (node, depth) = self.descend(parent);
        if depth != parent.len() {
            return None;
        }
        match (last, node.as_map()) {
            (PathSeg::Key(k), Some(m)) => m
                .iter()
                .find(|(key, _)| &key.name == k)
                .map(|(k, _)| k.span),
            _ => None,
        }
    }

    /// The plain JSON view policies see as `content`.
    pub fn to_json(&self) -> Json {
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Value::Str(s) => Json::String(s.clone()),
            Value::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut map = JsonMap::with_capacity(entries.len());
                for (k, v) in entries {
                    map.insert(k.name.clone(), v.to_json());
                }
                Json::Object(map)
            }
        }
    }
}

/// Converts a JSON path (as returned by a policy) into path segments.
pub fn path_from_json(path: &Json) -> Option<Vec<PathSeg>> {
    path.as_array()?
        .iter()
        .map(|seg| match seg {
            Json::String(s) => Some(PathSeg::Key(s.clone())),
            Json::Number(n) => n.as_u64().map(|i| PathSeg::Index(i as usize)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_scanning_at_every_offset() {
        let text = "a: 1\r\n\nGrüße: \"☠️\"\n  - x\n";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(index.line_col(offset), line_col(text, offset), "{offset}");
        }
        assert_eq!(index.line_col(text.find('G').unwrap()), (3, 1));
        assert_eq!(index.line_col(text.find('☠').unwrap()), (3, 9));
    }
}
