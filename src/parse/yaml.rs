//! YAML → [`Node`] trees, one per document, with byte spans on every node and key.
//!
//! Built on saphyr-parser's event stream rather than a DOM so that we own the
//! semantics that matter for deploy configs:
//! - YAML 1.2 core schema: `on:`, `yes`, `no` stay strings (GitHub's `on:` key);
//! - aliases are expanded and `<<` merge keys applied (GitLab/CircleCI anchors),
//!   with a node budget so an alias bomb is refused instead of exhausting memory;
//! - CloudFormation short-form tags (`!Ref`, `!Sub`, `!GetAtt`, …) become their
//!   long form (`{"Ref": …}`, `{"Fn::Sub": …}`);
//! - GitLab `!reference [.job, key, …]` is replaced by the node it names in the same
//!   document, as GitLab does (one that names nothing here, e.g. a template from an
//!   included file, stays `{"!reference": [...]}`); other tags are dropped.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan, Tag};

use super::error::ParseError;
use super::node::{Key, Node, Span, Value};

/// Nodes a file may expand to through aliases before it is refused.
const NODE_BUDGET: usize = 1_000_000;
/// Collections nested deeper than this are refused (and never recursed into).
const MAX_DEPTH: usize = 200;

/// Parses every document in `text`. Empty documents are skipped.
pub fn parse_yaml(text: &str) -> Result<Vec<Node>, ParseError> {
    parse_events(text, &CharOffsets::new(text)).or_else(|err| {
        // go-yaml and PyYAML accept a flow collection continued at or left of its key's
        // indentation (`args: [a,⏎b]` with `b` under `args`); saphyr refuses it. Retry with
        // those lines indented, spans mapped back to the original bytes.
        let pads = flow_continuation_padding(text);
        if pads.is_empty() || !err.message.contains("indentation") {
            return Err(err);
        }
        let (padded, offsets) = CharOffsets::padded(text, &pads);
        parse_events(&padded, &offsets).map_err(|_| err)
    })
}

fn parse_events(text: &str, offsets: &CharOffsets) -> Result<Vec<Node>, ParseError> {
    let mut builder = Builder {
        offsets,
        stack: Vec::new(),
        anchors: HashMap::new(),
        documents: Vec::new(),
        budget: NODE_BUDGET,
        references: false,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            ParseError::new(
                format!("invalid YAML: {}", e.info()),
                offsets.byte(e.marker().index()),
            )
        })?;
        builder.on_event(event, span)?;
    }
    Ok(builder.documents)
}

/// saphyr reports character indices; miette and our spans want bytes.
struct CharOffsets {
    /// `None` when the text is ASCII and indices are already byte offsets.
    bytes: Option<Vec<usize>>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let bytes = (!text.is_ascii()).then(|| text.char_indices().map(|(b, _)| b).collect());
        CharOffsets {
            bytes,
            len: text.len(),
        }
    }

    /// `text` with `pads` (line start byte, spaces) inserted, and the offsets of the padded
    /// text's characters in `text`: an inserted space maps to the line start it precedes.
    fn padded(text: &str, pads: &[(usize, usize)]) -> (String, Self) {
        let mut out = String::with_capacity(text.len() + pads.iter().map(|p| p.1).sum::<usize>());
        let mut bytes = Vec::with_capacity(out.capacity());
        let mut pads = pads.iter().peekable();
        for (b, c) in text.char_indices() {
            if let Some(&(_, n)) = pads.next_if(|p| p.0 == b) {
                out.extend(std::iter::repeat_n(' ', n));
                bytes.extend(std::iter::repeat_n(b, n));
            }
            out.push(c);
            bytes.push(b);
        }
        let offsets = CharOffsets {
            bytes: Some(bytes),
            len: text.len(),
        };
        (out, offsets)
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.bytes {
            None => char_index.min(self.len),
            Some(map) => map.get(char_index).copied().unwrap_or(self.len),
        }
    }

    fn span(&self, span: &YamlSpan) -> Span {
        Span::new(self.byte(span.start.index()), self.byte(span.end.index()))
    }
}

/// Where to insert spaces (line start byte, count) so that every line continuing a flow
/// collection is indented past the bracket that opened it. Inside a flow collection leading
/// whitespace only separates tokens (line folding drops it from scalars), so values are
/// unchanged. A light scan: quotes, comments and block scalars are skipped so that brackets
/// in strings or scripts (`run: echo ${{ x }}`) open nothing.
fn flow_continuation_padding(text: &str) -> Vec<(usize, usize)> {
    let mut scan = FlowScan::default();
    let mut pads = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        let blank = line.trim().is_empty();
        if scan.depth > 0 && indent < scan.min_indent && !blank {
            pads.push((start, scan.min_indent - indent));
        }
        scan.line(bytes, indent, blank);
        start += line.len();
    }
    pads
}

#[derive(Default)]
struct FlowScan {
    /// Open `[`/`{` brackets.
    depth: usize,
    /// Column past the outermost open bracket.
    min_indent: usize,
    /// The open quote of a scalar that continues on the next line.
    quote: Option<u8>,
    /// Indentation of the line that began a block scalar (`run: |`) still being skipped.
    block_scalar: Option<usize>,
}

impl FlowScan {
    fn line(&mut self, b: &[u8], indent: usize, blank: bool) {
        if let Some(parent) = self.block_scalar {
            if blank || indent > parent {
                return;
            }
            self.block_scalar = None;
        }
        let mut p = indent;
        if self.quote.is_some() {
            let Some(end) = self.close_quote(b, p) else {
                return;
            };
            p = end;
        }
        if self.depth > 0 {
            let Some(end) = self.flow(b, p) else { return };
            p = end;
        }
        self.block(b, p, indent);
    }

    /// Block context: only a node's first character can open a flow collection or a quote.
    fn block(&mut self, b: &[u8], mut p: usize, indent: usize) {
        loop {
            while b.get(p).is_some_and(|c| matches!(c, b' ' | b'\t')) {
                p += 1;
            }
            let Some(&c) = b.get(p) else { return };
            let ends_token = b.get(p + 1).is_none_or(|n| n.is_ascii_whitespace());
            match c {
                b'-' | b'?' | b':' if ends_token => p += 1,
                b'&' | b'!' => {
                    while b.get(p).is_some_and(|c| !c.is_ascii_whitespace()) {
                        p += 1;
                    }
                }
                b'#' => return,
                b'|' | b'>' => {
                    self.block_scalar = Some(indent);
                    return;
                }
                b'[' | b'{' => {
                    self.depth = 1;
                    self.min_indent = p + 1;
                    let Some(end) = self.flow(b, p + 1) else {
                        return;
                    };
                    p = end;
                }
                b'"' | b'\'' => {
                    self.quote = Some(c);
                    let Some(end) = self.close_quote(b, p + 1) else {
                        return;
                    };
                    p = end;
                }
                // A plain scalar runs to `: ` (it was a key) or a comment.
                _ => loop {
                    p += 1;
                    match b.get(p) {
                        None => return,
                        Some(b':') if b.get(p + 1).is_none_or(|n| n.is_ascii_whitespace()) => break,
                        Some(b'#') if b[p - 1] == b' ' || b[p - 1] == b'\t' => return,
                        _ => {}
                    }
                },
            }
        }
    }

    /// Inside brackets; returns where the outermost one closes on this line.
    fn flow(&mut self, b: &[u8], mut p: usize) -> Option<usize> {
        while p < b.len() {
            if self.quote.is_some() {
                p = self.close_quote(b, p)?;
                continue;
            }
            let after_separator =
                p == 0 || matches!(b[p - 1], b' ' | b'\t' | b'[' | b'{' | b',' | b':');
            match b[p] {
                b'[' | b'{' => self.depth += 1,
                b']' | b'}' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return Some(p + 1);
                    }
                }
                b'#' if p == 0 || matches!(b[p - 1], b' ' | b'\t') => return None,
                q @ (b'"' | b'\'') if after_separator => self.quote = Some(q),
                _ => {}
            }
            p += 1;
        }
        None
    }

    /// Inside a quoted scalar; returns the position past its closing quote on this line.
    fn close_quote(&mut self, b: &[u8], mut p: usize) -> Option<usize> {
        let quote = self.quote?;
        while p < b.len() {
            match b[p] {
                b'\\' if quote == b'"' => p += 1,
                b'\'' if quote == b'\'' && b.get(p + 1) == Some(&b'\'') => p += 1,
                c if c == quote => {
                    self.quote = None;
                    return Some(p + 1);
                }
                _ => {}
            }
            p += 1;
        }
        None
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
        tag: Option<String>,
    },
    Map {
        entries: Vec<(Key, Node)>,
        /// Merge sources, applied at the end so explicit keys win.
        merges: Vec<Node>,
        pending_key: Option<Node>,
        start: usize,
        anchor: usize,
        tag: Option<String>,
    },
}

struct Builder<'a> {
    offsets: &'a CharOffsets,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    documents: Vec<Node>,
    budget: usize,
    /// The current document holds a `!reference` tag (most hold none: no resolution pass).
    references: bool,
}

impl Builder<'_> {
    fn on_event(&mut self, event: Event<'_>, span: YamlSpan) -> Result<(), ParseError> {
        let span = self.offsets.span(&span);
        match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.references = false;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = Node::new(scalar_value(&text, style, tag.as_deref()), span);
                let node = apply_tag(node, tag.as_deref());
                self.remember(anchor, &node);
                self.push_value(node)?;
            }
            Event::Alias(id) => {
                let target = self.anchors.get(&id).cloned().ok_or_else(|| {
                    ParseError::new("YAML alias refers to an unknown anchor", span.start)
                })?;
                let size = count_nodes(&target);
                if size > self.budget {
                    return Err(ParseError::new(
                        format!("YAML aliases expand to more than {NODE_BUDGET} nodes (alias bomb?); file skipped"),
                        span.start,
                    ));
                }
                self.budget -= size;
                self.push_value(relocated(target, span))?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.enter(span)?;
                let tag = tag_name(tag.as_deref());
                self.references |= tag.as_deref() == Some("reference");
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    start: span.start,
                    anchor,
                    tag,
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.enter(span)?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    merges: Vec::new(),
                    pending_key: None,
                    start: span.start,
                    anchor,
                    tag: tag_name(tag.as_deref()),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (node, anchor, tag) = match frame {
                    Frame::Seq {
                        items,
                        start,
                        anchor,
                        tag,
                    } => {
                        let end = items.last().map_or(span.end, |n| n.span.end.max(span.end));
                        (
                            Node::new(Value::Seq(items), Span::new(start, end)),
                            anchor,
                            tag,
                        )
                    }
                    Frame::Map {
                        entries,
                        merges,
                        start,
                        anchor,
                        tag,
                        ..
                    } => {
                        let end = entries
                            .last()
                            .map_or(span.end, |(_, n)| n.span.end.max(span.end));
                        let entries = apply_merges(entries, merges);
                        (
                            Node::new(Value::Map(entries), Span::new(start, end)),
                            anchor,
                            tag,
                        )
                    }
                };
                let node = apply_tag_name(node, tag.as_deref());
                self.remember(anchor, &node);
                self.push_value(node)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn enter(&mut self, span: Span) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError::new(
                format!("YAML nesting deeper than {MAX_DEPTH} levels; file skipped"),
                span.start,
            ));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }

    /// Hands a finished node to its parent (or ends the document).
    fn push_value(&mut self, node: Node) -> Result<(), ParseError> {
        if self.budget == 0 {
            return Err(ParseError::new(
                "YAML document is too large; file skipped",
                node.span.start,
            ));
        }
        self.budget -= 1;
        match self.stack.last_mut() {
            None => {
                if !matches!(node.value, Value::Null) {
                    let node = if self.references {
                        resolve_references(node, &mut self.budget)?
                    } else {
                        node
                    };
                    self.documents.push(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                merges,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    let name = key_name(&key);
                    if name == "<<" {
                        merges.push(node);
                    } else {
                        let key = Key {
                            name,
                            span: key.span,
                        };
                        // Last duplicate wins, as in most YAML loaders.
                        entries.retain(|(k, _)| k.name != key.name);
                        entries.push((key, node));
                    }
                }
            },
        }
        Ok(())
    }
}

/// The key a GitLab `!reference` tag becomes until it is resolved.
pub const REFERENCE_KEY: &str = "!reference";

/// GitLab resolves `!reference` up to ten levels deep (a reference to a node that
/// itself holds references).
const REFERENCE_DEPTH: usize = 10;

/// The key path of `{"!reference": [".job", "key"]}`.
fn reference_target(node: &Node) -> Option<Vec<&str>> {
    match node.as_map()? {
        [(key, target)] if key.name == REFERENCE_KEY => {
            target.as_seq()?.iter().map(Node::as_str).collect()
        }
        _ => None,
    }
}

/// An alias's copy of its anchor, located where the alias is written: a value
/// brought into a job by `*x` or `<<: *x` is that job's, and findings about it
/// belong inside the job, not at the shared definition.
fn relocated(mut node: Node, site: Span) -> Node {
    let mut stack = vec![&mut node];
    while let Some(node) = stack.pop() {
        node.span = site;
        match &mut node.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (key, value) in entries.iter_mut() {
                    key.span = site;
                    stack.push(value);
                }
            }
            _ => {}
        }
    }
    node
}

/// Replaces every resolvable `!reference` with a copy of the node it names in `doc`,
/// counting the copies against the alias budget.
fn resolve_references(mut doc: Node, budget: &mut usize) -> Result<Node, ParseError> {
    for _ in 0..REFERENCE_DEPTH {
        let snapshot = doc.clone();
        let mut replaced = false;
        let mut stack = vec![&mut doc];
        while let Some(node) = stack.pop() {
            let target = reference_target(node).and_then(|path| {
                path.iter()
                    .try_fold(&snapshot, |at, key| at.get(key))
                    .cloned()
            });
            if let Some(target) = target {
                let size = count_nodes(&target);
                if size > *budget {
                    return Err(ParseError::new(
                        format!("YAML !reference tags expand to more than {NODE_BUDGET} nodes; file skipped"),
                        node.span.start,
                    ));
                }
                *budget -= size;
                *node = target;
                replaced = true;
                continue;
            }
            match &mut node.value {
                Value::Seq(items) => stack.extend(items.iter_mut()),
                Value::Map(entries) => stack.extend(entries.iter_mut().map(|(_, v)| v)),
                _ => {}
            }
        }
        if !replaced {
            break;
        }
    }
    Ok(doc)
}

/// `<<: *a` or `<<: [*a, *b]`: earlier sources win over later ones, explicit keys over all.
fn apply_merges(mut entries: Vec<(Key, Node)>, merges: Vec<Node>) -> Vec<(Key, Node)> {
    for source in merges {
        let sources = match source.value {
            Value::Seq(items) => items,
            _ => vec![source],
        };
        for source in sources {
            if let Value::Map(merged) = source.value {
                for (key, value) in merged {
                    if !entries.iter().any(|(k, _)| k.name == key.name) {
                        entries.push((key, value));
                    }
                }
            }
        }
    }
    entries
}

fn key_name(key: &Node) -> String {
    match &key.value {
        Value::Str(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        other => Node::new(other.clone(), key.span).to_json().to_string(),
    }
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    count
}

/// YAML 1.2 core schema resolution for plain scalars; quoted and block scalars are strings.
fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if style != ScalarStyle::Plain || tag.is_some_and(|t| t.suffix == "str") {
        return Value::Str(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(int) = parse_int(text) {
        return Value::Int(int);
    }
    let looks_numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && text.bytes().any(|b| b.is_ascii_digit())
        && text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
    if looks_numeric {
        if let Ok(f) = text.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(text.to_owned())
}

fn parse_int(text: &str) -> Option<i64> {
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok();
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Account ids like 012345678901 must keep their leading zero: keep them as strings.
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    text.parse().ok()
}

fn tag_name(tag: Option<&Tag>) -> Option<String> {
    tag.filter(|t| t.handle == "!").map(|t| t.suffix.clone())
}

fn apply_tag(node: Node, tag: Option<&Tag>) -> Node {
    apply_tag_name(node, tag_name(tag).as_deref())
}

/// CloudFormation short forms → long forms, so policies see one shape.
fn apply_tag_name(node: Node, tag: Option<&str>) -> Node {
    let Some(tag) = tag else { return node };
    let function = match tag {
        "reference" if matches!(node.value, Value::Seq(_)) => Cow::Borrowed(REFERENCE_KEY),
        "Ref" | "Condition" => Cow::Borrowed(tag),
        "Sub" | "GetAtt" | "Join" | "Select" | "Split" | "FindInMap" | "If" | "Equals" | "And"
        | "Or" | "Not" | "ImportValue" | "Base64" | "Cidr" | "GetAZs" | "Transform" => {
            Cow::Owned(format!("Fn::{tag}"))
        }
        _ => return node,
    };
    let span = node.span;
    let value = match (&*function, node.value) {
        // `!GetAtt Db.Endpoint.Address` is `["Db", "Endpoint.Address"]` in long form.
        ("Fn::GetAtt", Value::Str(s)) => {
            let (resource, attribute) = s.split_once('.').unwrap_or((&s, ""));
            Value::Seq(vec![Node::str(resource, span), Node::str(attribute, span)])
        }
        (_, value) => value,
    };
    Node::new(
        Value::Map(vec![(
            Key {
                name: function.into_owned(),
                span,
            },
            Node::new(value, span),
        )]),
        span,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::PathSeg::{Index as I, Key as K};
    use serde_json::json;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn spans_point_at_nested_values_and_keys() {
        let text = "on:\n  pull_request:\njobs:\n  test:\n    steps:\n      - run: pytest -q\n        env:\n          DB: ${{ secrets.PROD_DB }}\n";
        let docs = parse_yaml(text).unwrap();
        let doc = &docs[0];
        assert_eq!(doc.to_json()["on"], json!({"pull_request": null}));
        let path = [
            K("jobs".into()),
            K("test".into()),
            K("steps".into()),
            I(0),
            K("env".into()),
            K("DB".into()),
        ];
        assert_eq!(
            slice(text, doc.span_of_path(&path)),
            "${{ secrets.PROD_DB }}"
        );
        assert_eq!(slice(text, doc.key_span(&path).unwrap()), "DB");
    }

    #[test]
    fn multi_document_streams_yield_one_node_per_document() {
        let text = "apiVersion: v1\nkind: Namespace\n---\n# comment only\n---\napiVersion: v1\nkind: ConfigMap\n";
        let docs = parse_yaml(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].to_json()["kind"], "ConfigMap");
        assert_eq!(
            slice(text, docs[1].span_of_path(&[K("kind".into())])),
            "ConfigMap"
        );
    }

    #[test]
    fn gitlab_references_resolve_to_the_named_node() {
        let src = ".db:\n  variables:\n    DATABASE_URL: $PROD_DATABASE_URL\n.setup:\n  script:\n    - bundle install\n.chain:\n  script:\n    - !reference [.setup, script]\nrspec:\n  variables: !reference [.db, variables]\n  script:\n    - !reference [.chain, script]\n    - bundle exec rspec\n  after_script: !reference [.from_include, after_script]\n";
        let docs = parse_yaml(src).expect("parses");
        let job = docs[0].get("rspec").expect("job");
        let url = job
            .get("variables")
            .and_then(|v| v.get("DATABASE_URL"))
            .expect("resolved");
        assert_eq!(slice(src, url.span), "$PROD_DATABASE_URL");
        assert_eq!(
            job.get("script").expect("script").to_json(),
            serde_json::json!([[["bundle install"]], "bundle exec rspec"])
        );
        assert_eq!(
            job.get("after_script").expect("kept").to_json(),
            serde_json::json!({"!reference": [".from_include", "after_script"]})
        );
    }

    #[test]
    fn merge_keys_apply_with_explicit_keys_winning() {
        let text = ".defaults: &defaults\n  image: ruby:3.3\n  variables:\n    RAILS_ENV: test\n\nrspec:\n  <<: *defaults\n  image: ruby:3.2\n  script:\n    - bundle exec rspec\n";
        let doc = &parse_yaml(text).unwrap()[0];
        let json = doc.to_json();
        assert_eq!(json["rspec"]["image"], "ruby:3.2");
        assert_eq!(json["rspec"]["variables"]["RAILS_ENV"], "test");
        // Merged values are located where the job brings them in: at `*defaults`.
        let merged = doc.span_of_path(&[
            K("rspec".into()),
            K("variables".into()),
            K("RAILS_ENV".into()),
        ]);
        assert_eq!(slice(text, merged), "*defaults");
        assert!(merged.start > text.find("rspec:").unwrap());
    }

    #[test]
    fn yaml_1_2_keeps_on_and_yes_as_strings_and_account_ids_exact() {
        let doc =
            &parse_yaml("on: push\nenabled: yes\naccount: 012345678901\nport: 5432\n").unwrap()[0];
        assert_eq!(
            doc.to_json(),
            json!({"on": "push", "enabled": "yes", "account": "012345678901", "port": 5432})
        );
    }

    #[test]
    fn cloudformation_short_tags_become_long_form() {
        let text = "Resources:\n  Db:\n    Properties:\n      Name: !Sub '${Env}-db'\n      Host: !GetAtt Db.Endpoint.Address\n      Ref: !Ref Env\n";
        let json = parse_yaml(text).unwrap()[0].to_json();
        let props = &json["Resources"]["Db"]["Properties"];
        assert_eq!(props["Name"], json!({"Fn::Sub": "${Env}-db"}));
        assert_eq!(
            props["Host"],
            json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]})
        );
        assert_eq!(props["Ref"], json!({"Ref": "Env"}));
    }

    #[test]
    fn non_ascii_text_gets_byte_spans() {
        let text = "name: \"déploiement ✓\"\nstage: test\n";
        let doc = &parse_yaml(text).unwrap()[0];
        assert_eq!(slice(text, doc.span_of_path(&[K("stage".into())])), "test");
    }

    #[test]
    fn alias_bombs_are_refused_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let err = parse_yaml(&text).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = "[".repeat(10_000);
        assert!(parse_yaml(&text).is_err());
    }

    #[test]
    fn flow_collections_continued_left_of_their_key_parse_with_exact_spans() {
        let text = "jobs:\n  build:\n    tokens: [ \"a\",\n    \"b\" ]\n    env: {A: 1,\nB: \"x\ny\"}\n    args: [\n      --a,\n    ]\n    run: |\n      echo [\n";
        let docs = parse_yaml(text).unwrap();
        let build = &docs[0].to_json()["jobs"]["build"];
        assert_eq!(build["tokens"], json!(["a", "b"]));
        assert_eq!(build["env"], json!({"A": 1, "B": "x y"}));
        assert_eq!(build["args"], json!(["--a"]));
        assert_eq!(build["run"], "echo [\n");
        let at = |keys: &[&str]| {
            let path: Vec<_> = keys.iter().map(|k| K((*k).into())).collect();
            slice(text, docs[0].span_of_path(&path))
        };
        assert_eq!(at(&["jobs", "build", "env", "B"]), "\"x\ny\"");
        let tokens = docs[0]
            .get("jobs")
            .and_then(|j| j.get("build"))
            .and_then(|b| b.get("tokens"));
        let Some(Node {
            value: Value::Seq(items),
            ..
        }) = tokens
        else {
            panic!("tokens is a sequence")
        };
        // saphyr's quoted-scalar spans run to the next token; the same as on one line.
        assert_eq!(slice(text, items[1].span), "\"b\" ");
        let one_line = parse_yaml("t: [ \"a\", \"b\" ]").unwrap();
        let Some(Node {
            value: Value::Seq(items),
            ..
        }) = one_line[0].get("t")
        else {
            panic!("t is a sequence")
        };
        assert_eq!(items[1].span, Span::new(10, 14));
    }

    #[test]
    fn padding_never_rescues_a_broken_file() {
        // Same error as without the retry: an unclosed bracket, and a block-level mistake.
        for text in ["a:\n  b: [1,\n  2\n", "a: [1,\n2]\n b: 2\n"] {
            let err = parse_yaml(text).unwrap_err();
            assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        }
    }

    #[test]
    fn syntax_errors_carry_an_offset() {
        let text = "jobs:\n  test:\n    steps: [a, b\n  bad: {\n";
        let err = parse_yaml(text).unwrap_err();
        assert!(err.message.starts_with("invalid YAML"));
        assert!(err.offset > 0 && err.offset <= text.len());
    }
}
