//! Terraform / HCL (`.tf`, `.tfvars`, `.hcl`) → [`Node`].
//!
//! The shape policies see (the same one conftest and `hcl2json` produce):
//!
//! - A body is a map. `name = expr` becomes key `name`.
//! - Every block is appended to an **array** at the end of its type + labels
//!   path. `resource "aws_s3_bucket" "a" { .. }` becomes
//!   `{"resource": {"aws_s3_bucket": {"a": [{..}]}}}`, `lifecycle { .. }`
//!   becomes `{"lifecycle": [{..}]}`. Repeated blocks (two `provider "aws"`,
//!   several `statement`) append to the same array; blocks of one type with
//!   different labels share the type's map.
//! - Literals map to strings, numbers, booleans and null; `[..]` to arrays;
//!   `{..}` to objects (an expression key such as `(var.x)` keeps its source
//!   text). Heredocs become their content, with `<<-` indentation stripped.
//! - Nothing is evaluated. A quoted template with interpolation keeps its text
//!   between the quotes (`"arn:${var.a}"` → `arn:${var.a}`); any other
//!   expression (references, calls, conditionals, operators, `for`) becomes
//!   `"${<source>}"`, e.g. `"${var.account_id}"`. `jsonencode(x)` and
//!   `yamlencode(x)` are the exception: they become `x` itself, so inline IAM
//!   policies are real objects.
//!
//! Spans: an attribute's key points at its name and its value at the
//! expression; a block's body map spans the whole block; the map or array
//! under a block type or label spans that identifier or label (of the first
//! such block), so findings on `resource.aws_s3_bucket.a` point at the header.

use super::error::ParseError;
use super::node::{Key, Node, Span, Value};
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::Element;
use hcl_edit::Span as _;
use std::ops::Range;

/// Longest error message we pass on; hcl-edit lists every expected token.
const MAX_MESSAGE_LEN: usize = 160;

/// Parses Terraform/HCL (`.tf`, `.tfvars`, `.hcl`) into the documented JSON-like shape.
pub fn parse_hcl(text: &str) -> Result<Node, ParseError> {
    // hcl-edit rejects a byte-order mark; blank it out byte-for-byte so
    // offsets into `text` stay valid.
    let mut source = match text.strip_prefix('\u{feff}') {
        Some(rest) => format!("   {rest}"),
        None => text.to_owned(),
    };
    let mut renamed: Vec<usize> = Vec::new();
    let mut joined = 0;
    let body = loop {
        match hcl_edit::parser::parse_body(&source) {
            Ok(body) => break body,
            Err(err) => {
                // Terraform keeps the last of an object's repeated keys (`{ min_size = 2 …
                // min_size = 4 }`); hcl-edit rejects them. The earlier one is renamed in place
                // (same length, so offsets hold) and parsing starts over.
                let earlier = err.message().contains("redefined object key")
                    && renamed.len() < MAX_RENAMED_KEYS;
                let earlier = earlier.then(|| earlier_key(&source, err.location().offset()));
                // Terraform also reads an expression broken across lines at an operator
                // (`k =>\n local.on &&\n anytrue(…)`, `cond\n ? a\n : b`): the line break
                // becomes a space and parsing starts over.
                let joinable = joined < MAX_JOINED_LINES;
                let continued = || {
                    joinable
                        .then(|| operator_line_break(&source, err.location().offset()))
                        .flatten()
                };
                match (earlier.flatten(), continued()) {
                    (Some(at), _) => {
                        let hidden = if source.as_bytes()[at] == b'_' {
                            "z"
                        } else {
                            "_"
                        };
                        source.replace_range(at..at + 1, hidden);
                        renamed.push(at);
                    }
                    (None, Some(at)) => {
                        source.replace_range(at..at + 1, " ");
                        joined += 1;
                    }
                    (None, None) => return Err(locate_error(text, &err)),
                }
            }
        }
    };
    // hcl-edit caps nesting at 64 levels itself, so the recursion below is
    // bounded and deep input is already a parse error rather than a crash.
    let conv = Converter { text: &source };
    let mut node = Node::new(Value::Map(conv.body(&body)), Span::new(0, text.len()));
    if !renamed.is_empty() {
        drop_keys_at(&mut node, &renamed);
    }
    Ok(node)
}

/// Removes the entries whose key starts at one of `offsets`: the overridden repeats.
fn drop_keys_at(node: &mut Node, offsets: &[usize]) {
    match &mut node.value {
        Value::Map(entries) => {
            entries.retain(|(k, _)| !offsets.contains(&k.span.start));
            for (_, v) in entries {
                drop_keys_at(v, offsets);
            }
        }
        Value::Seq(items) => {
            for item in items {
                drop_keys_at(item, offsets);
            }
        }
        _ => {}
    }
}

/// Operator line breaks joined before a file is given up as invalid.
const MAX_JOINED_LINES: usize = 64;

/// The line break around the error at `at` that splits an expression at a binary operator:
/// the line before it ends with one (`=>`, `&&`, `||`, `?`, `:`, `+`, `==`, …) or the line
/// after it starts with one.
fn operator_line_break(source: &str, at: usize) -> Option<usize> {
    const OPERATORS: [&str; 14] = [
        "=>", "&&", "||", "?", ":", "+", "-", "*", "/", "==", "!=", "<", ">", "%",
    ];
    let at = floor_char_boundary(source, at.min(source.len()));
    // The break is just before the error (the next line starts with the operator), or the
    // last one before it (the previous line ends with one).
    let before = source[..at].trim_end_matches([' ', '\t']);
    let after = &source[at..];
    let ahead = after.len() - after.trim_start_matches([' ', '\t', '\r']).len();
    let newline = if after[ahead..].starts_with('\n') {
        at + ahead
    } else if before.ends_with('\n') {
        before.len() - 1
    } else {
        source[..at].rfind('\n')?
    };
    let previous = source[..newline].trim_end_matches([' ', '\t', '\r']);
    let next = source[newline + 1..].trim_start_matches([' ', '\t']);
    let operator_before = OPERATORS.iter().any(|op| previous.ends_with(op))
        && !previous.ends_with("//")
        && !previous.ends_with("*/");
    let operator_after = ["?", ":", "&&", "||"].iter().any(|op| next.starts_with(op));
    (operator_before || operator_after).then_some(newline)
}

/// Repeated object keys renamed before a file is given up as invalid.
const MAX_RENAMED_KEYS: usize = 64;

/// The start of the nearest earlier `key =` or `key:` with the key written at `at`, in the
/// object around it.
fn earlier_key(source: &str, at: usize) -> Option<usize> {
    let rest = source.get(at..)?;
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '"'))
        .unwrap_or(rest.len());
    let key = &rest[..len];
    if key.is_empty() {
        return None;
    }
    let before = &source[..at];
    let mut depth = 0i32;
    for (i, c) in before.char_indices().rev() {
        match c {
            '}' | ']' | ')' => depth += 1,
            '{' | '[' | '(' if depth == 0 => return None,
            '{' | '[' | '(' => depth -= 1,
            _ => {}
        }
        let starts_key = depth == 0
            && before[i..].starts_with(key)
            && !before[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && before[i + key.len()..].trim_start().starts_with(['=', ':']);
        if starts_key {
            return Some(i);
        }
    }
    None
}

fn locate_error(text: &str, err: &hcl_edit::parser::Error) -> ParseError {
    let offset = err.location().offset().min(text.len());
    // On some failures (notably an unterminated string) hcl-edit backtracks
    // to the start of the statement; point at the open quote instead.
    let line_start = text[..floor_char_boundary(text, offset)]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let at_statement_start = text
        .get(line_start..offset)
        .is_some_and(|s| s.trim().is_empty());
    match at_statement_start.then(|| unterminated_quote(text, offset)) {
        Some(Some(quote)) => ParseError::new("HCL syntax error: unterminated string", quote),
        _ => ParseError::new(short_message(err.message()), offset),
    }
}

/// The offset of a `"` left open at the end of the line starting at `from`.
fn unterminated_quote(text: &str, from: usize) -> Option<usize> {
    let line = text.get(from..)?.lines().next()?;
    let mut open = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (c, open) {
            ('"', None) => open = Some(from + i),
            ('"', Some(_)) => open = None,
            ('\\', Some(_)) => {
                chars.next();
            }
            ('#', None) => break,
            ('/', None) if matches!(chars.peek(), Some((_, '/'))) => break,
            _ => {}
        }
    }
    open
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn short_message(message: &str) -> String {
    let mut msg = format!("HCL syntax error: {message}");
    if msg.len() > MAX_MESSAGE_LEN {
        msg.truncate(floor_char_boundary(&msg, MAX_MESSAGE_LEN));
        msg.push('…');
    }
    msg
}

fn to_span(range: Option<Range<usize>>) -> Span {
    range.map_or_else(Span::default, |r| Span::new(r.start, r.end))
}

struct Converter<'t> {
    text: &'t str,
}

impl Converter<'_> {
    fn source(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    fn body(&self, body: &Body) -> Vec<(Key, Node)> {
        let mut entries = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let key = Key {
                        name: attr.key.as_str().to_owned(),
                        span: to_span(attr.key.span()),
                    };
                    insert(&mut entries, key, self.expr(&attr.value));
                }
                Structure::Block(block) => self.block(&mut entries, block),
            }
        }
        entries
    }

    fn block(&self, entries: &mut Vec<(Key, Node)>, block: &Block) {
        let mut path = Vec::with_capacity(block.labels.len() + 1);
        path.push(Key {
            name: block.ident.as_str().to_owned(),
            span: to_span(block.ident.span()),
        });
        path.extend(block.labels.iter().map(|label| Key {
            name: label.as_str().to_owned(),
            span: to_span(label.span()),
        }));
        let body = Node::new(Value::Map(self.body(&block.body)), to_span(block.span()));

        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let mut level = entries;
        for key in parents {
            let node = slot(
                level,
                key,
                || Value::Map(Vec::new()),
                |v| matches!(v, Value::Map(_)),
            );
            // Always a map (see `slot`); returning keeps this panic-free.
            let Value::Map(next) = &mut node.value else {
                return;
            };
            level = next;
        }
        let node = slot(
            level,
            last,
            || Value::Seq(Vec::new()),
            |v| matches!(v, Value::Seq(_)),
        );
        if let Value::Seq(items) = &mut node.value {
            items.push(body);
        }
    }

    fn expr(&self, expr: &Expression) -> Node {
        let span = to_span(expr.span());
        let value = match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => {
                let n = n.value();
                match n.as_i64() {
                    Some(i) if !n.is_f64() => Value::Int(i),
                    _ => n.as_f64().map_or(Value::Null, Value::Float),
                }
            }
            Expression::String(s) => Value::Str(s.value().clone()),
            Expression::Array(items) => Value::Seq(items.iter().map(|e| self.expr(e)).collect()),
            Expression::Object(object) => {
                let mut entries = Vec::with_capacity(object.len());
                for (key, value) in object.iter() {
                    let key = Key {
                        name: self.object_key(key),
                        span: to_span(key.span()),
                    };
                    insert(&mut entries, key, self.expr(value.expr()));
                }
                Value::Map(entries)
            }
            Expression::StringTemplate(_) => {
                // The span includes the quotes; policies want the text inside.
                let src = self.source(span);
                let inner = src
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .unwrap_or(src);
                Value::Str(inner.to_owned())
            }
            Expression::HeredocTemplate(heredoc) => {
                // hcl-edit already removed the `<<-` indent from the literals.
                let elements: Option<String> = heredoc
                    .template
                    .iter()
                    .map(|el| match el {
                        Element::Literal(lit) => Some(lit.value().as_str()),
                        _ => None,
                    })
                    .collect();
                Value::Str(elements.unwrap_or_else(|| heredoc.template.to_string()))
            }
            Expression::FuncCall(call)
                if !call.name.is_namespaced()
                    && matches!(call.name.name.as_str(), "jsonencode" | "yamlencode")
                    && call.args.len() == 1
                    && !call.args.expand_final() =>
            {
                if let Some(arg) = call.args.iter().next() {
                    // Keep the call's span: the attribute's value is the call.
                    return Node::new(self.expr(arg).value, span);
                }
                self.interpolated(span)
            }
            _ => self.interpolated(span),
        };
        Node::new(value, span)
    }

    /// An unevaluated expression, in Terraform's interpolation syntax.
    fn interpolated(&self, span: Span) -> Value {
        Value::Str(format!("${{{}}}", self.source(span)))
    }

    fn object_key(&self, key: &ObjectKey) -> String {
        match key {
            ObjectKey::Ident(ident) => ident.as_str().to_owned(),
            ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
            ObjectKey::Expression(expr) => self.source(to_span(expr.span())).to_owned(),
        }
    }
}

/// Inserts or replaces `key` (the last duplicate wins, in the first's place).
fn insert(entries: &mut Vec<(Key, Node)>, key: Key, node: Node) {
    match entries.iter_mut().find(|(k, _)| k.name == key.name) {
        Some(entry) => *entry = (key, node),
        None => entries.push((key, node)),
    }
}

/// The node under `key`, created with `make` when missing. A clash with a
/// value of another kind (`x = 1` next to `x {}`, or `resource "a" {}` next
/// to `resource "a" "b" {}`) is invalid Terraform; the later block replaces it.
fn slot<'a>(
    entries: &'a mut Vec<(Key, Node)>,
    key: &Key,
    make: impl Fn() -> Value,
    fits: impl Fn(&Value) -> bool,
) -> &'a mut Node {
    let index = match entries.iter().position(|(k, _)| k.name == key.name) {
        Some(i) => {
            if !fits(&entries[i].1.value) {
                entries[i] = (key.clone(), Node::new(make(), key.span));
            }
            i
        }
        None => {
            entries.push((key.clone(), Node::new(make(), key.span)));
            entries.len() - 1
        }
    };
    &mut entries[index].1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::PathSeg;
    use serde_json::json;

    fn path(segs: &[&str]) -> Vec<PathSeg> {
        segs.iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => PathSeg::Index(i),
                Err(_) => PathSeg::Key((*s).to_owned()),
            })
            .collect()
    }

    /// The source text at `segs` (numeric segments index arrays).
    fn src<'a>(text: &'a str, node: &Node, segs: &[&str]) -> &'a str {
        let p = path(segs);
        assert_eq!(node.descend(&p).1, p.len(), "path {segs:?} not found");
        let span = node.span_of_path(&p);
        &text[span.start..span.end]
    }

    fn key_src<'a>(text: &'a str, node: &Node, segs: &[&str]) -> &'a str {
        let span = node.key_span(&path(segs)).expect("key exists");
        &text[span.start..span.end]
    }

    const MAIN_TF: &str = r#"terraform {
  required_version = ">= 1.5"
  backend "s3" {
    bucket = "acme-tfstate"
    key    = "prod/app.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111111111111", var.prod_account]
  assume_role {
    role_arn = "arn:aws:iam::${var.account_id}:role/deploy"
  }
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

resource "aws_db_instance" "main" {
  allocated_storage   = 20
  deletion_protection = false
  max_cost            = 1.5
  final_snapshot_id   = null
  account             = data.aws_caller_identity.current.account_id
  tags                = merge(local.tags, { Name = "main" })

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_iam_policy" "ci" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:*"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_db_instance" "replica" {
  replicate_source_db = aws_db_instance.main.identifier
}

locals {
  env  = terraform.workspace == "prod" ? "prod" : "test"
  tags = { "team" = "platform", (var.extra_key) = "x" }
}

variable "account_id" {
  type    = string
  default = "222222222222"
}

variable "regions" {
  default = ["eu-west-1", "us-east-1"]
}
"#;

    #[test]
    fn terraform_shape() {
        let node = parse_hcl(MAIN_TF).unwrap();
        assert_eq!(
            node.to_json(),
            json!({
                "terraform": [{
                    "required_version": ">= 1.5",
                    "backend": {"s3": [{
                        "bucket": "acme-tfstate",
                        "key": "prod/app.tfstate",
                        "region": "eu-west-1",
                    }]},
                }],
                "provider": {"aws": [
                    {
                        "region": "eu-west-1",
                        "allowed_account_ids": ["111111111111", "${var.prod_account}"],
                        "assume_role": [{
                            "role_arn": "arn:aws:iam::${var.account_id}:role/deploy",
                        }],
                    },
                    {"alias": "us", "region": "us-east-1"},
                ]},
                "resource": {
                    "aws_db_instance": {
                        "main": [{
                            "allocated_storage": 20,
                            "deletion_protection": false,
                            "max_cost": 1.5,
                            "final_snapshot_id": null,
                            "account": "${data.aws_caller_identity.current.account_id}",
                            "tags": "${merge(local.tags, { Name = \"main\" })}",
                            "lifecycle": [{"prevent_destroy": true}],
                        }],
                        "replica": [{
                            "replicate_source_db": "${aws_db_instance.main.identifier}",
                        }],
                    },
                    "aws_iam_policy": {"ci": [{
                        "policy": {
                            "Version": "2012-10-17",
                            "Statement": [{
                                "Effect": "Allow",
                                "Action": ["s3:*"],
                                "Resource": "*",
                            }],
                        },
                    }]},
                },
                "locals": [{
                    "env": "${terraform.workspace == \"prod\" ? \"prod\" : \"test\"}",
                    "tags": {"team": "platform", "(var.extra_key)": "x"},
                }],
                "variable": {
                    "account_id": [{"type": "${string}", "default": "222222222222"}],
                    "regions": [{"default": ["eu-west-1", "us-east-1"]}],
                },
            })
        );
    }

    #[test]
    fn terraform_spans() {
        let t = MAIN_TF;
        let node = parse_hcl(t).unwrap();
        assert_eq!(node.span, Span::new(0, t.len()));
        // Block type and label levels point at the header.
        assert_eq!(src(t, &node, &["resource"]), "resource");
        assert_eq!(
            src(t, &node, &["resource", "aws_db_instance"]),
            "\"aws_db_instance\""
        );
        assert_eq!(
            src(t, &node, &["resource", "aws_db_instance", "main"]),
            "\"main\""
        );
        assert_eq!(
            key_src(t, &node, &["resource", "aws_db_instance", "main"]),
            "\"main\""
        );
        assert_eq!(
            src(t, &node, &["resource", "aws_db_instance", "replica"]),
            "\"replica\""
        );
        // A block body spans the whole block.
        let body = src(t, &node, &["resource", "aws_db_instance", "main", "0"]);
        assert!(body.starts_with("resource \"aws_db_instance\" \"main\" {"));
        assert!(body.ends_with("prevent_destroy = true\n  }\n}"));
        let second_provider = src(t, &node, &["provider", "aws", "1"]);
        assert!(second_provider.starts_with("provider \"aws\" {\n  alias"));
        assert!(second_provider.ends_with('}'));
        // Attributes: key span = name, value span = expression.
        let db = ["resource", "aws_db_instance", "main", "0"];
        let at = |rest: &[&'static str]| [&db[..], rest].concat();
        assert_eq!(src(t, &node, &at(&["allocated_storage"])), "20");
        assert_eq!(
            key_src(t, &node, &at(&["allocated_storage"])),
            "allocated_storage"
        );
        assert_eq!(
            src(t, &node, &at(&["account"])),
            "data.aws_caller_identity.current.account_id"
        );
        assert_eq!(
            src(t, &node, &at(&["lifecycle", "0", "prevent_destroy"])),
            "true"
        );
        assert_eq!(src(t, &node, &at(&["lifecycle"])), "lifecycle");
        assert_eq!(
            src(
                t,
                &node,
                &["terraform", "0", "backend", "s3", "0", "bucket"]
            ),
            "\"acme-tfstate\""
        );
        assert_eq!(
            src(t, &node, &["terraform", "0", "backend", "s3"]),
            "\"s3\""
        );
        assert_eq!(
            src(
                t,
                &node,
                &["provider", "aws", "0", "allowed_account_ids", "1"]
            ),
            "var.prod_account"
        );
        assert_eq!(
            src(
                t,
                &node,
                &["provider", "aws", "0", "assume_role", "0", "role_arn"]
            ),
            "\"arn:aws:iam::${var.account_id}:role/deploy\""
        );
        // jsonencode members keep their own spans.
        let policy = ["resource", "aws_iam_policy", "ci", "0", "policy"];
        assert!(src(t, &node, &policy).starts_with("jsonencode({"));
        let stmt = [&policy[..], &["Statement", "0"]].concat();
        assert_eq!(
            src(t, &node, &[&stmt[..], &["Action", "0"]].concat()),
            "\"s3:*\""
        );
        assert_eq!(
            key_src(t, &node, &[&stmt[..], &["Effect"]].concat()),
            "Effect"
        );
        assert_eq!(
            key_src(t, &node, &["locals", "0", "tags", "team"]),
            "\"team\""
        );
    }

    #[test]
    fn tfvars() {
        let t =
            "region = \"eu-west-1\"\ncount  = 3\n\nenabled = true\nratio = 0.25\nids = [1, 2]\n";
        let node = parse_hcl(t).unwrap();
        assert_eq!(
            node.to_json(),
            json!({"region": "eu-west-1", "count": 3, "enabled": true, "ratio": 0.25, "ids": [1, 2]})
        );
        assert_eq!(src(t, &node, &["ids", "1"]), "2");
        assert_eq!(key_src(t, &node, &["enabled"]), "enabled");
    }

    #[test]
    fn terragrunt() {
        let t = r#"include "root" {
  path = find_in_parent_folders()
}

remote_state {
  backend = "s3"
  config = {
    bucket         = "acme-${get_aws_account_id()}-tfstate"
    key            = "${path_relative_to_include()}/terraform.tfstate"
    region         = "eu-west-1"
    encrypt        = true
    dynamodb_table = "tf-locks"
  }
}

inputs = {
  account_id = "333333333333"
  env        = "staging"
  subnets    = ["a", "b"]
}
"#;
        let node = parse_hcl(t).unwrap();
        assert_eq!(
            node.to_json(),
            json!({
                "include": {"root": [{"path": "${find_in_parent_folders()}"}]},
                "remote_state": [{
                    "backend": "s3",
                    "config": {
                        "bucket": "acme-${get_aws_account_id()}-tfstate",
                        "key": "${path_relative_to_include()}/terraform.tfstate",
                        "region": "eu-west-1",
                        "encrypt": true,
                        "dynamodb_table": "tf-locks",
                    },
                }],
                "inputs": {"account_id": "333333333333", "env": "staging", "subnets": ["a", "b"]},
            })
        );
        assert_eq!(
            src(t, &node, &["remote_state", "0", "config", "encrypt"]),
            "true"
        );
        assert_eq!(
            key_src(t, &node, &["remote_state", "0", "config", "dynamodb_table"]),
            "dynamodb_table"
        );
        assert_eq!(src(t, &node, &["inputs", "account_id"]), "\"333333333333\"");
        assert_eq!(src(t, &node, &["inputs", "subnets", "0"]), "\"a\"");
    }

    #[test]
    fn heredocs() {
        let t = "data \"aws_iam_policy_document\" \"x\" {\n  statement {\n    actions = [\"s3:GetObject\"]\n  }\n  statement {\n    actions = [\"s3:PutObject\"]\n  }\n}\n\
resource \"aws_iam_role_policy\" \"p\" {\n  policy = <<-EOT\n    {\n      \"Effect\": \"Allow\"\n    }\n  EOT\n  raw = <<EOF\n  keep ${var.x}\nEOF\n}\n";
        let node = parse_hcl(t).unwrap();
        assert_eq!(
            node.to_json(),
            json!({
                "data": {"aws_iam_policy_document": {"x": [{
                    "statement": [
                        {"actions": ["s3:GetObject"]},
                        {"actions": ["s3:PutObject"]},
                    ],
                }]}},
                "resource": {"aws_iam_role_policy": {"p": [{
                    "policy": "{\n  \"Effect\": \"Allow\"\n}\n",
                    "raw": "  keep ${var.x}\n",
                }]}},
            })
        );
        let p = ["resource", "aws_iam_role_policy", "p", "0", "policy"];
        let heredoc = src(t, &node, &p);
        assert!(heredoc.starts_with("<<-EOT\n"), "{heredoc:?}");
        assert!(heredoc.ends_with("  EOT"), "{heredoc:?}");
        let s = ["data", "aws_iam_policy_document", "x", "0", "statement"];
        assert_eq!(
            src(t, &node, &[&s[..], &["1", "actions", "0"]].concat()),
            "\"s3:PutObject\""
        );
        assert_eq!(src(t, &node, &s), "statement");
    }

    #[test]
    fn expression_kinds() {
        let t = "a = [for s in var.l : upper(s)]\nb = !var.x\nc = -1\nd = 1e3\ne = var.m[\"k\"]\n\
f = yamlencode({ k = [1] })\ng = jsonencode(var.doc)\nh = \"%{ if var.x }y%{ endif }\"\n\
i = \"a\\\"b\"\nj = (2)\nk = provider::p::f(1)\nl = 18446744073709551615\n";
        let node = parse_hcl(t).unwrap();
        assert_eq!(
            node.to_json(),
            json!({
                "a": "${[for s in var.l : upper(s)]}",
                "b": "${!var.x}",
                "c": -1,
                "d": 1000,
                "e": "${var.m[\"k\"]}",
                "f": {"k": [1]},
                "g": "${var.doc}",
                "h": "%{ if var.x }y%{ endif }",
                "i": "a\"b",
                "j": "${(2)}",
                "k": "${provider::p::f(1)}",
                "l": 18446744073709551615.0,
            })
        );
    }

    #[test]
    fn duplicate_and_clashing_keys() {
        // hcl-edit itself rejects a redefined attribute, at the second one.
        let err = parse_hcl("x = 1\nx = 2\n").unwrap_err();
        assert_eq!(err.offset, 6, "{err:?}");
        // A redefined object key is Terraform's too: the last one wins, nested
        // objects included, and `a` and `"a"` are one key.
        let node = parse_hcl("m = { a = 1, b = { a = 0 }, a = 2 }\n").unwrap();
        assert_eq!(node.to_json()["m"]["a"], json!(2));
        assert_eq!(node.to_json()["m"]["b"], json!({"a": 0}));
        let node = parse_hcl("m = {\n  min_size = 2\n  x = 1\n  min_size = 4\n}\n").unwrap();
        assert_eq!(node.to_json(), json!({"m": {"x": 1, "min_size": 4}}));
        let node = parse_hcl("m = { a = 1, \"a\" = 2 }\n").unwrap();
        assert_eq!(node.to_json(), json!({"m": {"a": 2}}));
        // Invalid Terraform, but must not panic: the later block replaces the
        // array that a shorter label path left at `l`.
        let node = parse_hcl("b \"l\" {}\nb \"l\" \"m\" {}\nb \"l\" {}\n").unwrap();
        assert_eq!(node.to_json(), json!({"b": {"l": [{}]}}));
    }

    #[test]
    fn expressions_broken_at_an_operator_parse_as_terraform_reads_them() {
        let t = "locals {\n  groups = {\n    for l in var.ls :\n    l =>\n    local.on &&\n    anytrue([true])\n  }\n  users = {\n    for k, v in var.u : k =>\n    local.mysql\n    ? { name = k }\n    : { name = v }\n  }\n}\n";
        let node = parse_hcl(t).unwrap();
        let locals = &node.to_json()["locals"][0];
        assert!(
            locals["groups"].is_string() && locals["users"].is_string(),
            "{locals}"
        );
        // Offsets hold: the next key is still found where it is written.
        assert_eq!(
            src(t, &node, &["locals", "0", "users"]).lines().next(),
            Some("{")
        );
        // A dangling operator is still an error.
        assert!(parse_hcl("a = 1 +\n").is_err());
    }

    #[test]
    fn syntax_errors_are_located() {
        let t = "a = 1\nresource \"x\" \"y\" {\n  b = \n}\n";
        let err = parse_hcl(t).unwrap_err();
        assert!(!err.message.contains('\n'), "{}", err.message);
        assert!(err.message.len() <= MAX_MESSAGE_LEN + '…'.len_utf8());
        assert!(err.offset >= t.find("b =").unwrap(), "{err:?}");
        assert!(err.offset <= t.len());

        let t = "a = 1\nb = \"unterminated # not a comment\n";
        let err = parse_hcl(t).unwrap_err();
        assert_eq!(err.offset, t.find('"').unwrap(), "{err:?}");
        assert_eq!(err.message, "HCL syntax error: unterminated string");

        let t = "a = 1\n%%%\n";
        assert_eq!(parse_hcl(t).unwrap_err().offset, 6);
    }

    #[test]
    fn byte_order_mark_keeps_offsets() {
        let t = "\u{feff}a = \"x\"\n";
        let node = parse_hcl(t).unwrap();
        assert_eq!(node.to_json(), json!({"a": "x"}));
        assert_eq!(src(t, &node, &["a"]), "\"x\"");
    }

    #[test]
    fn adversarial_input_never_panics() {
        let mut inputs = vec![
            format!("a = {}", "[".repeat(10_000)),
            format!("a = {}1{}", "[".repeat(10_000), "]".repeat(10_000)),
            format!("a = {}", "{ b = ".repeat(10_000)),
            format!("a = {}1{}", "(".repeat(10_000), ")".repeat(10_000)),
            "b {\n".repeat(10_000),
            format!("a = {}", "\"${".repeat(10_000)),
            format!("a = 1{}", " + 1".repeat(10_000)),
            format!("a = {}x", "!".repeat(10_000)),
            format!("a = x{}", ".y[0]".repeat(10_000)),
            format!("a = {}", "f(".repeat(10_000)),
            format!("a = {}", "<<EOT\n".repeat(1_000)),
            "a = <<-EOT\n".to_owned(),
            "\u{feff}".to_owned(),
            String::new(),
            "}}}}".to_owned(),
            "a = \"\\u{zz}\"".to_owned(),
        ];
        // Deterministic pseudo-random bytes (xorshift), read as lossy UTF-8.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in [1usize, 7, 64, 512, 4096] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 24) as u8
                })
                .collect();
            inputs.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        for input in &inputs {
            match parse_hcl(input) {
                Ok(node) => {
                    let _ = node.to_json();
                }
                Err(err) => {
                    assert!(err.offset <= input.len(), "{err:?}");
                    assert!(!err.message.is_empty());
                }
            }
        }
        assert!(parse_hcl(&inputs[0]).is_err());
        assert!(parse_hcl("").unwrap().to_json() == json!({}));
    }
}
