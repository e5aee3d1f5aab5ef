//! A Jenkinsfile reader: the Groovy subset pipelines are written in, as a tree.
//!
//! Declarative and scripted pipelines are nested calls: `stage('Build') { steps {
//! sh 'make' } }`, `environment { DB = credentials('db-prod') }`,
//! `withCredentials([string(credentialsId: 'x', variable: 'T')]) { … }`. This reads
//! exactly that shape — calls with positional and named arguments, trailing
//! closures, assignments, lists, maps and strings with their spans — and skips any
//! other Groovy (operators, control flow conditions) without executing anything.
//!
//! The tree, which policies see as `content`: a block is a list of statements; a
//! call statement is `{"step": name, "args": [..], "body": [..]}` (`body` only with a
//! closure), an assignment `{"set": name, "value": expr}`; an expression call is
//! `{"call": name, "args": [..]}`, a named argument `{name: value}`, a list a list, a
//! string its text (span: inside the quotes), any other word its text.

use super::node::{Key, Node, Span, Value};
use super::ParseError;

/// Deeper nesting than any pipeline is written with is an error, not a stack overflow.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Punct(char),
    Newline,
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Lexer<'_> {
    fn tokens(text: &str) -> Result<Vec<(Tok, Span)>, ParseError> {
        let mut lexer = Lexer {
            text,
            bytes: text.as_bytes(),
            at: 0,
        };
        let mut out = Vec::new();
        while let Some(token) = lexer.next()? {
            out.push(token);
        }
        Ok(out)
    }

    fn next(&mut self) -> Result<Option<(Tok, Span)>, ParseError> {
        loop {
            let Some(&b) = self.bytes.get(self.at) else {
                return Ok(None);
            };
            let start = self.at;
            match b {
                b'\n' => {
                    self.at += 1;
                    return Ok(Some((Tok::Newline, Span::new(start, start + 1))));
                }
                b' ' | b'\t' | b'\r' => self.at += 1,
                // A line continuation.
                b'\\' if self.bytes.get(self.at + 1) == Some(&b'\n') => self.at += 2,
                b'/' if self.bytes.get(self.at + 1) == Some(&b'/') => {
                    self.at = self.text[start..]
                        .find('\n')
                        .map_or(self.bytes.len(), |n| start + n);
                }
                b'/' if self.bytes.get(self.at + 1) == Some(&b'*') => {
                    let end = self.text[start + 2..]
                        .find("*/")
                        .ok_or_else(|| ParseError::new("unterminated `/*` comment", start))?;
                    self.at = start + 2 + end + 2;
                }
                b'\'' | b'"' => return self.string(b).map(Some),
                b if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' => {
                    let len = self.text[start..]
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                        .unwrap_or(self.text.len() - start);
                    self.at = start + len;
                    let word = self.text[start..self.at].to_owned();
                    return Ok(Some((Tok::Word(word), Span::new(start, self.at))));
                }
                _ => {
                    let c = self.text[start..].chars().next().unwrap_or('?');
                    self.at += c.len_utf8();
                    return Ok(Some((Tok::Punct(c), Span::new(start, self.at))));
                }
            }
        }
    }

    /// A `'…'`, `"…"`, `'''…'''` or `"""…"""` string; the span is its content. In a
    /// double-quoted string, `${…}` may itself hold quotes.
    fn string(&mut self, quote: u8) -> Result<(Tok, Span), ParseError> {
        let open = self.at;
        let triple =
            self.bytes.get(open + 1) == Some(&quote) && self.bytes.get(open + 2) == Some(&quote);
        let delimiter = if triple { 3 } else { 1 };
        let start = open + delimiter;
        let mut i = start;
        let mut depth = 0usize;
        while i < self.bytes.len() {
            let b = self.bytes[i];
            if b == b'\\' {
                i += 2;
                continue;
            }
            if quote == b'"' && b == b'$' && self.bytes.get(i + 1) == Some(&b'{') {
                depth += 1;
                i += 2;
                continue;
            }
            if depth > 0 {
                match b {
                    b'}' => depth -= 1,
                    b'\'' | b'"' => {
                        // A quoted string inside the interpolation.
                        let close = self.text[i + 1..]
                            .find(char::from(b))
                            .map_or(self.bytes.len(), |n| i + 1 + n);
                        i = close;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            if !triple && b == b'\n' {
                return Err(ParseError::new("unterminated string", open));
            }
            let closes = b == quote
                && (!triple
                    || (self.bytes.get(i + 1) == Some(&quote)
                        && self.bytes.get(i + 2) == Some(&quote)));
            if closes {
                self.at = i + delimiter;
                let content = self.text.get(start..i).unwrap_or_default().to_owned();
                return Ok((Tok::Str(content), Span::new(start, i)));
            }
            i += self.text[i..].chars().next().map_or(1, char::len_utf8);
        }
        Err(ParseError::new("unterminated string", open))
    }
}

struct Parser {
    tokens: Vec<(Tok, Span)>,
    at: usize,
    depth: usize,
}

/// Parses a Jenkinsfile into its statement tree.
pub fn parse_jenkinsfile(text: &str) -> Result<Node, ParseError> {
    let mut parser = Parser {
        tokens: Lexer::tokens(text)?,
        at: 0,
        depth: 0,
    };
    let statements = parser.block()?;
    if let Some((_, span)) = parser.tokens.get(parser.at) {
        return Err(ParseError::new("unmatched `}`", span.start));
    }
    Ok(Node::new(Value::Seq(statements), Span::new(0, text.len())))
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at).map(|(t, _)| t)
    }

    fn span(&self) -> Span {
        self.tokens
            .get(self.at)
            .or_else(|| self.tokens.last())
            .map_or_else(Span::default, |(_, s)| *s)
    }

    fn is(&self, c: char) -> bool {
        self.peek() == Some(&Tok::Punct(c))
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Some(Tok::Newline) | Some(Tok::Punct(';'))) {
            self.at += 1;
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new("nesting too deep", self.span().start));
        }
        Ok(())
    }

    /// Statements up to a closing `}` (left in place) or the end.
    fn block(&mut self) -> Result<Vec<Node>, ParseError> {
        self.enter()?;
        let mut out = Vec::new();
        loop {
            self.skip_newlines();
            match self.peek() {
                None | Some(Tok::Punct('}')) => break,
                _ => {}
            }
            let before = self.at;
            if let Some(statement) = self.statement()? {
                out.push(statement);
            }
            if self.at == before {
                self.at += 1;
            }
        }
        self.depth -= 1;
        Ok(out)
    }

    /// `{ block }`, the opening brace current.
    fn closure(&mut self) -> Result<Node, ParseError> {
        let open = self.span();
        self.at += 1;
        let body = self.block()?;
        let close = self.span();
        if !self.is('}') {
            return Err(ParseError::new("unclosed `{`", open.start));
        }
        self.at += 1;
        Ok(Node::new(Value::Seq(body), open.cover(close)))
    }

    fn statement(&mut self) -> Result<Option<Node>, ParseError> {
        let Some(Tok::Word(_)) = self.peek() else {
            // Not a statement blastwall reads (`}` handled by the caller): skip the line,
            // keeping any closure in it balanced.
            return self.skip_line().map(|()| None);
        };
        let (mut name, mut name_span) = self.dotted();
        if matches!(name.as_str(), "def" | "final" | "var" | "static") {
            if let Some(Tok::Word(_)) = self.peek() {
                (name, name_span) = self.dotted();
                // `def String x = …`: a type before the name.
                if let Some(Tok::Word(_)) = self.peek() {
                    (name, name_span) = self.dotted();
                }
            }
        }
        let start = name_span;
        if self.is('=') && self.tokens.get(self.at + 1).map(|(t, _)| t) != Some(&Tok::Punct('=')) {
            self.at += 1;
            let value = self.expression()?;
            let span = start.cover(value.span);
            return Ok(Some(map(
                vec![("set", Node::str(name, name_span)), ("value", value)],
                span,
            )));
        }
        let mut args = Vec::new();
        if self.is('(') {
            args = self.arguments()?;
        } else if self.starts_expression() {
            // A command expression: `sh 'make'`, `branch 'main'`, `sh script: 'x', label: 'y'`.
            args = self.command_arguments()?;
        }
        // A chained call (`docker.image('x').inside { … }`) keeps the last call's arguments.
        while self.is('.') {
            self.at += 1;
            if let Some(Tok::Word(_)) = self.peek() {
                let (next, next_span) = self.dotted();
                name = format!("{name}.{next}");
                name_span = name_span.cover(next_span);
                if self.is('(') {
                    args = self.arguments()?;
                }
            }
        }
        let mut fields = vec![
            ("step", Node::str(name, name_span)),
            ("args", Node::new(Value::Seq(args), self.span())),
        ];
        let mut span = start;
        if self.is('{') {
            let body = self.closure()?;
            span = span.cover(body.span);
            fields.push(("body", body));
        }
        // `} else {`, `} catch (e) {`: the next statement starts on the same line.
        if !matches!(self.peek(), Some(Tok::Word(_))) {
            self.skip_line()?;
        }
        Ok(Some(map(fields, span)))
    }

    /// `a.b.c`: words joined by dots (a call's arguments end it).
    fn dotted(&mut self) -> (String, Span) {
        let mut name = String::new();
        let mut span = self.span();
        while let Some((Tok::Word(word), word_span)) = self.tokens.get(self.at).cloned() {
            name.push_str(&word);
            span = span.cover(word_span);
            self.at += 1;
            let next_is_word = matches!(self.tokens.get(self.at + 1), Some((Tok::Word(_), _)));
            if self.is('.') && next_is_word {
                name.push('.');
                self.at += 1;
            } else {
                break;
            }
        }
        (name, span)
    }

    fn starts_expression(&self) -> bool {
        matches!(
            self.peek(),
            Some(Tok::Word(_) | Tok::Str(_) | Tok::Punct('[' | '-' | '$'))
        )
    }

    /// Skips to the end of the line, past any balanced brackets and closures.
    fn skip_line(&mut self) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                None | Some(Tok::Newline | Tok::Punct(';' | '}')) => return Ok(()),
                Some(Tok::Punct('{')) => {
                    self.closure()?;
                }
                Some(Tok::Punct('(' | '[')) => {
                    self.group()?;
                }
                _ => self.at += 1,
            }
        }
    }

    /// `( … )` or `[ … ]` skipped as a whole.
    fn group(&mut self) -> Result<(), ParseError> {
        let open = self.span();
        let close = if self.is('(') { ')' } else { ']' };
        self.enter()?;
        self.at += 1;
        loop {
            match self.peek() {
                None => return Err(ParseError::new("unclosed bracket", open.start)),
                Some(Tok::Punct(c)) if *c == close => {
                    self.at += 1;
                    break;
                }
                Some(Tok::Punct('(' | '[')) => self.group()?,
                Some(Tok::Punct('{')) => {
                    self.closure()?;
                }
                _ => self.at += 1,
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// `( a, name: b, … )`, the `(` current.
    fn arguments(&mut self) -> Result<Vec<Node>, ParseError> {
        Ok(self.items(')')?.0)
    }

    /// Comma-separated arguments up to `close`, the opening bracket current: the
    /// items and the span from the opening to the closing bracket.
    fn items(&mut self, close: char) -> Result<(Vec<Node>, Span), ParseError> {
        let open = self.span();
        self.enter()?;
        self.at += 1;
        let mut items = Vec::new();
        loop {
            while matches!(self.peek(), Some(Tok::Newline | Tok::Punct(','))) {
                self.at += 1;
            }
            match self.peek() {
                None => {
                    return Err(ParseError::new(
                        format!("unclosed bracket before `{close}`"),
                        open.start,
                    ))
                }
                Some(Tok::Punct(c)) if *c == close => break,
                _ => {
                    let before = self.at;
                    items.push(self.argument()?);
                    if self.at == before {
                        self.at += 1;
                    }
                }
            }
        }
        let span = open.cover(self.span());
        self.at += 1;
        self.depth -= 1;
        Ok((items, span))
    }

    /// Arguments without parentheses, up to the end of the line or a closure.
    fn command_arguments(&mut self) -> Result<Vec<Node>, ParseError> {
        let mut args = vec![self.argument()?];
        while self.is(',') {
            self.at += 1;
            self.skip_newlines();
            args.push(self.argument()?);
        }
        Ok(args)
    }

    /// An argument: `name: value` or a value.
    fn argument(&mut self) -> Result<Node, ParseError> {
        let named = matches!(
            (self.tokens.get(self.at), self.tokens.get(self.at + 1)),
            (
                Some((Tok::Word(_) | Tok::Str(_), _)),
                Some((Tok::Punct(':'), _))
            )
        );
        if named {
            let (name, name_span) = match self.tokens[self.at].clone() {
                (Tok::Word(w) | Tok::Str(w), s) => (w, s),
                (_, s) => (String::new(), s),
            };
            self.at += 2;
            self.skip_newlines();
            let value = self.expression()?;
            let span = name_span.cover(value.span);
            return Ok(Node::new(
                Value::Map(vec![(
                    Key {
                        name,
                        span: name_span,
                    },
                    value,
                )]),
                span,
            ));
        }
        self.expression()
    }

    /// A value: a string, list, map, call or word; the operators and operands that
    /// follow it on the line (`'a' + b`, `x ?: 'y'`) are skipped.
    fn expression(&mut self) -> Result<Node, ParseError> {
        self.enter()?;
        let value = self.primary()?;
        loop {
            match self.peek() {
                None | Some(Tok::Newline | Tok::Punct(',' | ')' | ']' | '}' | ';' | '{')) => break,
                Some(Tok::Punct('(' | '[')) => self.group()?,
                _ => self.at += 1,
            }
        }
        self.depth -= 1;
        Ok(value)
    }

    fn primary(&mut self) -> Result<Node, ParseError> {
        let span = self.span();
        match self.peek().cloned() {
            Some(Tok::Str(text)) => {
                self.at += 1;
                Ok(Node::str(text, span))
            }
            Some(Tok::Punct('[')) => self.list(),
            Some(Tok::Punct('{')) => self.closure(),
            Some(Tok::Word(_)) => {
                let (name, name_span) = self.dotted();
                if self.is('(') {
                    let args = self.arguments()?;
                    let end = self
                        .tokens
                        .get(self.at.saturating_sub(1))
                        .map_or(name_span, |(_, s)| *s);
                    let span = name_span.cover(end);
                    return Ok(map(
                        vec![
                            ("call", Node::str(name, name_span)),
                            ("args", Node::new(Value::Seq(args), span)),
                        ],
                        span,
                    ));
                }
                Ok(Node::str(name, name_span))
            }
            _ => {
                self.at += 1;
                Ok(Node::new(Value::Null, span))
            }
        }
    }

    /// `[a, b]` (a list) or `[k: v, …]` (named entries), the `[` current.
    fn list(&mut self) -> Result<Node, ParseError> {
        let (items, span) = self.items(']')?;
        Ok(Node::new(Value::Seq(items), span))
    }
}

fn map(fields: Vec<(&str, Node)>, span: Span) -> Node {
    let entries = fields
        .into_iter()
        .map(|(k, v)| {
            let key = Key {
                name: k.to_owned(),
                span: v.span,
            };
            (key, v)
        })
        .collect();
    Node::new(Value::Map(entries), span)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIPELINE: &str = "pipeline {\n  agent any // build anywhere\n  environment {\n    DB_URL = credentials('db-url-prod')\n    REGION = \"eu-${env.ZONE ?: \"west\"}-1\"\n  }\n  stages {\n    stage('Test') {\n      steps {\n        sh '''\n          ./gradlew test\n        '''\n        withCredentials([string(credentialsId: 'token', variable: 'T')]) { sh \"curl -H $T x\" }\n      }\n    }\n  }\n}\n";

    #[test]
    fn reads_calls_closures_assignments_and_strings_with_spans() {
        let root = parse_jenkinsfile(PIPELINE).expect("parses");
        let json = root.to_json();
        let pipeline = &json[0];
        assert_eq!(pipeline["step"], "pipeline");
        let environment = &pipeline["body"][1];
        assert_eq!(environment["step"], "environment");
        assert_eq!(environment["body"][0]["set"], "DB_URL");
        assert_eq!(environment["body"][0]["value"]["call"], "credentials");
        assert_eq!(environment["body"][0]["value"]["args"][0], "db-url-prod");
        assert_eq!(environment["body"][1]["set"], "REGION");
        let stage = &pipeline["body"][2]["body"][0];
        assert_eq!(
            (&stage["step"], &stage["args"][0]),
            (&"stage".into(), &"Test".into())
        );
        let steps = &stage["body"][0]["body"];
        assert_eq!(steps[0]["step"], "sh");
        assert!(steps[0]["args"][0]
            .as_str()
            .unwrap()
            .contains("./gradlew test"));
        assert_eq!(steps[1]["step"], "withCredentials");
        assert_eq!(steps[1]["args"][0][0]["args"][0]["credentialsId"], "token");
        assert_eq!(steps[1]["body"][0]["args"][0], "curl -H $T x");
        // A string's span is its content, inside the quotes.
        let id = root.as_seq().unwrap()[0]
            .get("body")
            .unwrap()
            .as_seq()
            .unwrap()[1]
            .get("body")
            .unwrap()
            .as_seq()
            .unwrap()[0]
            .get("value")
            .unwrap()
            .get("args")
            .unwrap()
            .as_seq()
            .unwrap()[0]
            .span;
        assert_eq!(&PIPELINE[id.start..id.end], "db-url-prod");
    }

    #[test]
    fn scripted_pipelines_and_other_groovy_are_read_or_skipped() {
        let text = "def image = 'app'\nnode('linux') {\n  if (env.BRANCH_NAME == 'main') {\n    stage('Deploy') { sh \"./deploy.sh ${image}\" }\n  } else { echo 'skip ☃' }\n  docker.image('node:20').inside('-u root') { sh 'npm test' }\n}\n";
        let json = parse_jenkinsfile(text).expect("parses").to_json();
        assert_eq!(json[0]["set"], "image");
        let node = &json[1]["body"];
        assert_eq!(node[0]["step"], "if");
        assert_eq!(node[0]["body"][0]["args"][0], "Deploy");
        assert_eq!(node[1]["step"], "else");
        assert_eq!(node[2]["step"], "docker.image.inside");
        assert_eq!(node[2]["body"][0]["args"][0], "npm test");
    }

    #[test]
    fn malformed_input_is_a_located_error() {
        let unterminated = parse_jenkinsfile("stage('x') {\n  sh 'oops\n}\n").expect_err("string");
        assert_eq!(unterminated.offset, 18);
        assert!(parse_jenkinsfile("pipeline {\n stages {\n").is_err());
        assert!(parse_jenkinsfile("}\n").is_err());
        let deep = format!("{}{}", "a {".repeat(200), "}".repeat(200));
        let error = parse_jenkinsfile(&deep).expect_err("too deep");
        assert!(error.message.contains("too deep"));
    }
}
