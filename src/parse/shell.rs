//! A bounded, hand-written tokenizer for POSIX-ish shell (bash dialect).
//!
//! It builds no AST on purpose: policies need a flat list of simple commands
//! with their argv, where each one sits (loop, function, pipeline stage) and
//! which other commands feed it data, so a rule can see that a destructive
//! command takes its arguments from an unfiltered listing. Everything is
//! best-effort: malformed input yields fewer or odder commands, never a panic.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

use serde::Serialize;

use super::node::Span;

/// Cap on nested substitutions, compound commands and re-parsed `sh -c`
/// scripts, so recursion (and the stack) stays bounded on hostile input.
const MAX_DEPTH: usize = 64;

/// Words that are reserved when they start a command.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "select", "in", "function", "{", "}", "[[", "!", "time",
];

/// Cap on a command's `inputs` (and a variable's sources), keeping the
/// earliest producers: transitive dataflow is otherwise quadratic in size on
/// scripts like `X=$(f $X)` repeated.
const MAX_INPUTS: usize = 256;

const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh", "ash"];

#[derive(Debug, Clone, Serialize)]
pub struct Script {
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Command {
    /// Words after quote removal; expansions and substitutions kept as text.
    pub argv: Vec<String>,
    /// One per `argv` entry.
    pub words: Vec<Word>,
    /// `FOO=bar cmd` prefixes, or the whole statement when `argv` is empty.
    pub assignments: Vec<Assignment>,
    /// First word or assignment to the end of the last one.
    pub span: Span,
    /// 1-based line of `span.start`.
    pub line: usize,
    pub pipeline: usize,
    /// 0-based position in the pipeline.
    pub stage: usize,
    /// `xargs`, `sh-c`, `substitution` or `loop-list` when not run directly.
    pub via: Option<String>,
    /// Commands whose output reaches this one's arguments (or stdin, for
    /// xargs and `read`); ascending.
    pub inputs: Vec<usize>,
    pub heredoc: Option<String>,
    /// The previous pipeline stage's command when stdin is a pipe.
    pub stdin_from: Option<usize>,
    pub in_loop: bool,
    pub in_function: Option<String>,
    /// Enclosing `for` loops, outermost first.
    pub loops: Vec<ForLoop>,
}

/// `for VAR in LIST`: the body sees `$VAR` as one word of the list.
#[derive(Debug, Clone, Serialize)]
pub struct ForLoop {
    pub var: String,
    /// Empty for `for VAR; do` (the positional parameters).
    pub list: Vec<Word>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Word {
    pub text: String,
    pub span: Span,
    /// Some part was quoted or escaped.
    pub quoted: bool,
    /// Variables expanded in the word (quoted or not), e.g. `["DIR"]`.
    pub expansions: Vec<String>,
    /// Contains an unquoted `*`, `?` or `[...]`.
    pub glob: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    pub name: String,
    pub value: String,
    pub span: Span,
}

/// Tokenizes `script` into its simple commands, in source order (commands
/// inside a substitution come before the command using their output).
pub fn parse_script(script: &str) -> Script {
    let mut out = Out::new(script);
    let src = Src {
        bytes: Cow::Borrowed(script.as_bytes()),
        offs: None,
    };
    let mut parser = Parser::new(src, &mut out, Ctx::default());
    parser.parse_list(&[]);
    parser.finish();
    out.into_script()
}

/// Text being tokenized: the script itself, or a derived text (backtick
/// body, `sh -c` argument) whose bytes map back to script offsets.
struct Src<'a> {
    bytes: Cow<'a, [u8]>,
    /// Script offset of each byte; `None` means the identity.
    offs: Option<Vec<usize>>,
}

impl Src<'_> {
    fn orig(&self, i: usize) -> usize {
        match &self.offs {
            None => i,
            Some(offs) => offs
                .get(i)
                .copied()
                .unwrap_or_else(|| offs.last().map_or(0, |l| l + 1)),
        }
    }

    /// Script offset just past the byte before `i` (an exclusive end).
    fn orig_end(&self, i: usize) -> usize {
        match (&self.offs, i.checked_sub(1)) {
            (None, _) => i,
            (Some(_), Some(prev)) => self.orig(prev) + 1,
            (Some(_), None) => self.orig(0),
        }
    }
}

/// State shared by every parser working on one script.
struct Out<'s> {
    script: &'s str,
    line_starts: Vec<usize>,
    commands: Vec<Command>,
    /// Variable name -> commands whose output it (transitively) holds.
    vars: HashMap<String, BTreeSet<usize>>,
    pipelines: usize,
    depth: usize,
}

impl<'s> Out<'s> {
    fn new(script: &'s str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(script.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Out {
            script,
            line_starts,
            commands: Vec::new(),
            vars: HashMap::new(),
            pipelines: 0,
            depth: 0,
        }
    }

    /// A span widened to char boundaries, so slicing the script never panics.
    fn span(&self, start: usize, end: usize) -> Span {
        let s = self.script;
        let mut a = start.min(s.len());
        while !s.is_char_boundary(a) {
            a -= 1;
        }
        let mut b = end.clamp(a, s.len());
        while !s.is_char_boundary(b) {
            b += 1;
        }
        Span::new(a, b)
    }

    fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset)
    }

    /// Commands whose output reaches word `w`: its substitutions and what
    /// fed them, plus the sources of the variables it expands.
    fn sources(&self, w: &Lexed) -> BTreeSet<usize> {
        let mut s: BTreeSet<usize> = w.subs.iter().copied().collect();
        for c in w.subs.iter().filter_map(|&i| self.commands.get(i)) {
            s.extend(&c.inputs);
        }
        for e in &w.expansions {
            if let Some(v) = self.vars.get(e) {
                s.extend(v);
            }
        }
        cap(s)
    }

    fn into_script(mut self) -> Script {
        // Pipelines that emitted nothing leave gaps; renumber densely.
        let mut ids = HashMap::new();
        for c in &mut self.commands {
            let next = ids.len();
            c.pipeline = *ids.entry(c.pipeline).or_insert(next);
        }
        Script {
            commands: self.commands,
        }
    }
}

/// Per-construct context inherited by the commands parsed inside it.
#[derive(Clone, Default)]
struct Ctx {
    via: Option<&'static str>,
    in_loop: bool,
    in_function: Option<String>,
    loops: Vec<ForLoop>,
    /// Producer feeding this compound command's stdin through a pipe.
    stdin: Option<usize>,
    /// Inputs of an `sh -c` command, inherited by the commands it runs.
    extra: BTreeSet<usize>,
}

/// A word as lexed, before it becomes an argv entry or an assignment.
#[derive(Default)]
struct Lexed {
    text: Vec<u8>,
    /// Script offset of each byte of `text` (for re-parsing `sh -c` bodies).
    offs: Vec<usize>,
    start: usize,
    span: Span,
    quoted: bool,
    glob: bool,
    /// Unquoted and unescaped: may be a reserved word.
    plain: bool,
    expansions: Vec<String>,
    /// Commands emitted for substitutions inside this word.
    subs: Vec<usize>,
    /// Index of `=` in `text` when the word is `NAME=value`.
    assign_eq: Option<usize>,
}

impl Lexed {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }

    /// Records an expanded variable; duplicates are dropped in `lex_word`.
    fn expand(&mut self, name: &str) {
        self.expansions.push(name.to_string());
    }

    fn word(&self) -> Word {
        Word {
            text: self.text(),
            span: self.span,
            quoted: self.quoted,
            expansions: self.expansions.clone(),
            glob: self.glob,
        }
    }

    fn assignment(&self) -> Assignment {
        let eq = self.assign_eq.unwrap_or(0);
        let name = self.text.get(..eq).unwrap_or_default();
        let name = name.strip_suffix(b"+").unwrap_or(name);
        Assignment {
            name: String::from_utf8_lossy(name).into_owned(),
            value: String::from_utf8_lossy(self.text.get(eq + 1..).unwrap_or_default())
                .into_owned(),
            span: self.span,
        }
    }
}

enum Tok {
    Word(Box<Lexed>),
    /// Control operator (newline is `"\n"`) and its position.
    Op(&'static str, usize),
    /// Redirection operator (without its fd number) and its position.
    Redir(&'static str, usize),
    Eof,
}

struct Heredoc {
    delim: Vec<u8>,
    strip_tabs: bool,
    body: Option<String>,
}

/// A simple command collected by the grammar, ready to be emitted.
#[derive(Default)]
struct Simple {
    words: Vec<Lexed>,
    assigns: Vec<Lexed>,
    /// Commands whose output reaches stdin (pipe, `<<<`, `< <(...)`).
    fed: BTreeSet<usize>,
    heredocs: Vec<usize>,
}

#[derive(Clone, Copy)]
struct Place {
    pipeline: usize,
    stage: usize,
    stdin: Option<usize>,
}

struct Parser<'a, 'o, 's> {
    src: Src<'a>,
    pos: usize,
    peeked: Option<Tok>,
    out: &'o mut Out<'s>,
    ctx: Ctx,
    heredocs: Vec<Heredoc>,
    /// Heredocs whose body starts after the next newline token.
    pending: Vec<usize>,
    /// (command, heredoc) pairs, resolved in `finish` once bodies are read.
    links: Vec<(usize, usize)>,
}

impl<'a, 'o, 's> Parser<'a, 'o, 's> {
    fn new(src: Src<'a>, out: &'o mut Out<'s>, ctx: Ctx) -> Self {
        Parser {
            src,
            pos: 0,
            peeked: None,
            out,
            ctx,
            heredocs: Vec::new(),
            pending: Vec::new(),
            links: Vec::new(),
        }
    }

    fn finish(&mut self) {
        for &(cmd, slot) in &self.links {
            let body = self.heredocs.get_mut(slot).and_then(|h| h.body.take());
            if let Some(c) = self.out.commands.get_mut(cmd) {
                c.heredoc = body;
            }
        }
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.src.bytes.get(i).copied()
    }

    // ---- token stream -------------------------------------------------

    fn fill(&mut self) {
        if self.peeked.is_none() {
            let tok = self.lex();
            self.peeked = Some(tok);
        }
    }

    fn next(&mut self) -> Tok {
        self.fill();
        self.peeked.take().unwrap_or(Tok::Eof)
    }

    fn peek_op(&mut self) -> Option<&'static str> {
        self.fill();
        match self.peeked {
            Some(Tok::Op(op, _)) => Some(op),
            _ => None,
        }
    }

    fn peek_redir(&mut self) -> Option<&'static str> {
        self.fill();
        match self.peeked {
            Some(Tok::Redir(op, _)) => Some(op),
            _ => None,
        }
    }

    fn peek_is_word(&mut self) -> bool {
        self.fill();
        matches!(self.peeked, Some(Tok::Word(_)))
    }

    fn peek_plain(&mut self) -> Option<&[u8]> {
        self.fill();
        match &self.peeked {
            Some(Tok::Word(w)) if w.plain => Some(&w.text),
            _ => None,
        }
    }

    fn peek_kw(&mut self) -> Option<&'static str> {
        let w = self.peek_plain()?;
        KEYWORDS.iter().copied().find(|k| k.as_bytes() == w)
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let found = self.peek_kw() == Some(kw);
        if found {
            self.next();
        }
        found
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let found = self.peek_op() == Some(op);
        if found {
            self.next();
        }
        found
    }

    fn next_word(&mut self) -> Option<Box<Lexed>> {
        match self.next() {
            Tok::Word(w) => Some(w),
            other => {
                self.peeked = Some(other);
                None
            }
        }
    }

    fn skip_newlines(&mut self) {
        while self.eat_op("\n") {}
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek_op(), Some(";" | "&" | "\n")) {
            self.next();
        }
    }

    /// End of input, or a token closing the list being parsed.
    fn at_term(&mut self, terms: &[&str]) -> bool {
        self.fill();
        match &self.peeked {
            None | Some(Tok::Eof) => true,
            Some(Tok::Op(op, _)) => terms.contains(op),
            Some(Tok::Word(w)) => w.plain && terms.iter().any(|t| t.as_bytes() == w.text),
            Some(Tok::Redir(..)) => false,
        }
    }

    // ---- grammar ------------------------------------------------------

    fn parse_list(&mut self, terms: &[&str]) {
        loop {
            self.skip_separators();
            if self.at_term(terms) {
                return;
            }
            self.parse_and_or();
            let stray = self
                .peek_op()
                .is_some_and(|op| !matches!(op, ";" | "&" | "\n") && !terms.contains(&op));
            if stray {
                // An unbalanced `)` or a `;;` outside case: dropping it
                // guarantees progress.
                self.next();
            }
        }
    }

    fn parse_and_or(&mut self) {
        self.parse_pipeline();
        while matches!(self.peek_op(), Some("&&" | "||")) {
            self.next();
            self.skip_newlines();
            self.parse_pipeline();
        }
    }

    fn parse_pipeline(&mut self) {
        let pipeline = self.out.pipelines;
        self.out.pipelines += 1;
        let mut place = Place {
            pipeline,
            stage: 0,
            stdin: self.ctx.stdin,
        };
        loop {
            let output = self.parse_command(place);
            if !matches!(self.peek_op(), Some("|" | "|&")) {
                return;
            }
            self.next();
            self.skip_newlines();
            place.stage += 1;
            place.stdin = output;
        }
    }

    /// Parses one command; returns the command whose output it writes.
    fn parse_command(&mut self, place: Place) -> Option<usize> {
        while let Some(kw @ ("!" | "time")) = self.peek_kw() {
            self.next();
            if kw == "time" && self.peek_plain() == Some(b"-p") {
                self.next();
            }
        }
        match self.peek_kw() {
            Some("then" | "else" | "elif" | "fi" | "do" | "done" | "esac" | "}") => {
                // Closer of nothing (or of a construct flattened at the
                // depth cap): skip it.
                self.next();
                return None;
            }
            Some("[[") => return self.parse_test(place),
            Some(
                kw @ ("if" | "while" | "until" | "for" | "select" | "case" | "function" | "{"),
            ) => return self.compound(kw, place.stdin),
            _ => {}
        }
        if self.peek_op() == Some("(") {
            if self.byte(self.pos) == Some(b'(') {
                // `(( arithmetic ))` runs nothing.
                self.next();
                self.pos = self.arith_end(self.pos, 1);
                return None;
            }
            return self.compound("(", place.stdin);
        }
        if self.peek_is_word() || self.peek_redir().is_some() {
            return self.parse_simple(place);
        }
        None
    }

    fn compound(&mut self, kw: &'static str, stdin: Option<usize>) -> Option<usize> {
        self.next();
        if self.out.depth >= MAX_DEPTH {
            // Past the cap the body is parsed as if it were not nested.
            return None;
        }
        let first = self.out.commands.len();
        self.out.depth += 1;
        let saved = self.ctx.clone();
        self.ctx.stdin = stdin;
        let mut read_loop = None;
        match kw {
            "if" => self.parse_if(),
            "while" | "until" => read_loop = Some(self.parse_while()),
            "for" | "select" => self.parse_for(),
            "case" => self.parse_case(),
            "function" => {
                let name = self.next_word().map(|w| w.text());
                if self.eat_op("(") {
                    self.eat_op(")");
                }
                self.define_function(name);
            }
            "{" => {
                self.parse_list(&["}"]);
                self.eat_kw("}");
            }
            _ => {
                self.parse_list(&[")"]);
                self.eat_op(")");
            }
        }
        self.ctx = saved;
        self.out.depth -= 1;
        let mut trailing = Simple::default();
        while let Some(op) = self.peek_redir() {
            self.next();
            self.redirect(op, &mut trailing);
        }
        if let Some((cond, body)) = read_loop {
            self.feed_read_loop(cond, body, &trailing.fed);
        }
        let via = self.ctx.via;
        let commands = self.out.commands.get(first..).unwrap_or_default();
        let last = commands
            .iter()
            .rposition(|c| c.via.as_deref() == via || c.via.as_deref() == Some("xargs"));
        last.map(|i| first + i)
    }

    fn parse_if(&mut self) {
        self.parse_list(&["then"]);
        self.eat_kw("then");
        self.parse_list(&["elif", "else", "fi"]);
        loop {
            if self.eat_kw("elif") {
                self.parse_list(&["then"]);
                self.eat_kw("then");
                self.parse_list(&["elif", "else", "fi"]);
            } else if self.eat_kw("else") {
                self.parse_list(&["fi"]);
            } else {
                self.eat_kw("fi");
                return;
            }
        }
    }

    /// Returns the command ranges of the condition and the body.
    fn parse_while(&mut self) -> (Range<usize>, Range<usize>) {
        let start = self.out.commands.len();
        self.parse_list(&["do"]);
        let mid = self.out.commands.len();
        if self.eat_kw("do") {
            self.ctx.in_loop = true;
            self.parse_list(&["done"]);
            self.eat_kw("done");
        }
        (start..mid, mid..self.out.commands.len())
    }

    fn parse_for(&mut self) {
        let mut var = None;
        if self.eat_op("(") {
            // for (( init; test; step ))
            self.pos = self.arith_end(self.pos, 1);
        } else {
            var = self.next_word().map(|w| w.text());
        }
        self.skip_newlines();
        let mut list = BTreeSet::new();
        let mut words = Vec::new();
        if self.eat_kw("in") {
            let saved = self.ctx.via;
            self.ctx.via = Some("loop-list");
            while let Some(w) = self.next_word() {
                list.extend(self.out.sources(&w));
                words.push(w.word());
            }
            self.ctx.via = saved;
        }
        if let Some(var) = var {
            self.ctx.loops.push(ForLoop {
                var: var.clone(),
                list: words,
            });
            self.out.vars.insert(var, cap(list));
        }
        self.skip_separators();
        self.ctx.in_loop = true;
        if self.eat_kw("do") {
            self.parse_list(&["done"]);
            self.eat_kw("done");
        } else if self.peek_kw() == Some("{") {
            self.compound("{", self.ctx.stdin);
        }
    }

    fn parse_case(&mut self) {
        self.next_word();
        self.skip_newlines();
        self.eat_kw("in");
        loop {
            self.skip_newlines();
            if self.eat_kw("esac") || self.at_term(&[]) {
                return;
            }
            self.eat_op("(");
            loop {
                if self.next_word().is_some() || self.eat_op("|") {
                    continue;
                }
                self.eat_op(")");
                break;
            }
            self.parse_list(&[";;", ";&", ";;&", "esac"]);
            if matches!(self.peek_op(), Some(";;" | ";&" | ";;&")) {
                self.next();
            }
        }
    }

    /// Parses a function body (after `name()` or `function name`).
    fn define_function(&mut self, name: Option<String>) {
        self.skip_newlines();
        if self.out.depth >= MAX_DEPTH {
            return;
        }
        self.out.depth += 1;
        let saved = self.ctx.clone();
        // The body runs wherever the function is called, not here.
        self.ctx.in_function = name;
        self.ctx.in_loop = false;
        self.ctx.loops.clear();
        self.ctx.stdin = None;
        self.parse_pipeline();
        self.ctx = saved;
        self.out.depth -= 1;
    }

    /// `[[ ... ]]`: operators inside are operands, so collect tokens as-is.
    fn parse_test(&mut self, place: Place) -> Option<usize> {
        let mut simple = Simple::default();
        loop {
            self.fill();
            match self.peeked.take() {
                Some(Tok::Word(w)) => {
                    let done = w.plain && w.text == b"]]" && !simple.words.is_empty();
                    simple.words.push(*w);
                    if done {
                        break;
                    }
                }
                Some(Tok::Op(op, at) | Tok::Redir(op, at)) if !matches!(op, "\n" | ";") => {
                    let w = self.synthetic(op, at);
                    simple.words.push(w);
                }
                other => {
                    self.peeked = other;
                    break;
                }
            }
        }
        self.push_command(simple, place, self.ctx.via)
    }

    fn parse_simple(&mut self, place: Place) -> Option<usize> {
        let mut simple = Simple::default();
        loop {
            if let Some(op) = self.peek_redir() {
                self.next();
                self.redirect(op, &mut simple);
                continue;
            }
            let Some(w) = self.next_word() else { break };
            if simple.words.is_empty() && w.assign_eq.is_some() {
                simple.assigns.push(*w);
                continue;
            }
            simple.words.push(*w);
            if simple.words.len() == 1 && simple.assigns.is_empty() && self.eat_op("(") {
                self.eat_op(")");
                let name = simple.words.first().map(|w| w.text());
                self.define_function(name);
                return None;
            }
        }
        self.push_command(simple, place, self.ctx.via)
    }

    /// Consumes a redirection's target (the operator is already consumed).
    fn redirect(&mut self, op: &str, simple: &mut Simple) {
        let Some(target) = self.next_word() else {
            return;
        };
        match op {
            "<<" | "<<-" => {
                self.heredocs.push(Heredoc {
                    delim: target.text,
                    strip_tabs: op == "<<-",
                    body: None,
                });
                let slot = self.heredocs.len() - 1;
                self.pending.push(slot);
                simple.heredocs.push(slot);
            }
            "<" | "<<<" => simple.fed.extend(self.out.sources(&target)),
            _ => {}
        }
    }

    /// `while read v; do ...; done < <(producer)`: the producer is only
    /// known after the body, so patch the loop's commands afterwards.
    fn feed_read_loop(&mut self, cond: Range<usize>, body: Range<usize>, fed: &BTreeSet<usize>) {
        if fed.is_empty() {
            return;
        }
        let mut names = Vec::new();
        for c in self.out.commands.get_mut(cond).unwrap_or_default() {
            if is_reader(&c.argv) {
                names.extend(read_vars(&c.argv));
                add_inputs(c, fed);
            }
        }
        for c in self.out.commands.get_mut(body).unwrap_or_default() {
            if c.words
                .iter()
                .any(|w| w.expansions.iter().any(|e| names.contains(e)))
            {
                add_inputs(c, fed);
            }
        }
        for n in names {
            self.out.vars.insert(n, fed.clone());
        }
    }

    fn assign(&mut self, w: &Lexed) {
        let a = w.assignment();
        let mut sources = self.out.sources(w);
        if w.text
            .get(..w.assign_eq.unwrap_or(0))
            .is_some_and(|n| n.ends_with(b"+"))
        {
            sources.extend(self.out.vars.get(&a.name).into_iter().flatten());
        }
        self.out.vars.insert(a.name, cap(sources));
    }

    /// Emits a simple command (plus what xargs / `sh -c` run); returns the
    /// command whose output it writes.
    fn push_command(
        &mut self,
        simple: Simple,
        place: Place,
        via: Option<&'static str>,
    ) -> Option<usize> {
        let Simple {
            mut words,
            assigns,
            mut fed,
            heredocs,
        } = simple;
        let first = assigns.first().or(words.first())?.span;
        let last = words.last().or(assigns.last())?.span;
        let span = first.cover(last);
        let argv: Vec<String> = words.iter().map(|w| w.text()).collect();
        let name = argv
            .first()
            .map_or("", |a| a.rsplit('/').next().unwrap_or(a));
        fed.extend(place.stdin);
        let mut inputs = self.ctx.extra.clone();
        for w in assigns.iter().chain(&words) {
            inputs.extend(self.out.sources(w));
        }
        if via == Some("xargs") || name == "xargs" || is_reader(&argv) {
            inputs.extend(&fed);
        }
        let (inputs, fed) = (cap(inputs), cap(fed));
        // Variables are updated after computing inputs: `X=$(f "$X")` reads
        // the old X.
        if words.is_empty() {
            for a in &assigns {
                self.assign(a);
            }
        } else if matches!(
            name,
            "export" | "local" | "declare" | "typeset" | "readonly"
        ) {
            for w in words.iter().skip(1).filter(|w| w.assign_eq.is_some()) {
                self.assign(w);
            }
        } else if is_reader(&argv) {
            for v in read_vars(&argv) {
                self.out.vars.insert(v, fed.clone());
            }
        }
        let idx = self.out.commands.len();
        self.links.extend(heredocs.into_iter().map(|h| (idx, h)));
        // xargs running xargs is not followed further: nobody writes it, and
        // each level would copy the remaining words.
        let is_xargs = name == "xargs" && via != Some("xargs");
        let inner = if is_xargs {
            xargs_command_start(&argv)
        } else {
            sh_c_script(&argv)
        };
        self.out.commands.push(Command {
            argv,
            words: words.iter().map(|w| w.word()).collect(),
            assignments: assigns.iter().map(|a| a.assignment()).collect(),
            span,
            line: self.out.line(span.start),
            pipeline: place.pipeline,
            stage: place.stage,
            via: via.map(String::from),
            inputs: inputs.iter().copied().collect(),
            heredoc: None,
            stdin_from: place.stdin,
            in_loop: self.ctx.in_loop,
            in_function: self.ctx.in_function.clone(),
            loops: self.ctx.loops.clone(),
        });
        let Some(k) = inner.filter(|&k| k < words.len() && self.out.depth < MAX_DEPTH) else {
            return Some(idx);
        };
        self.out.depth += 1;
        let mut output = Some(idx);
        if is_xargs {
            let run = Simple {
                words: words.split_off(k),
                fed,
                ..Simple::default()
            };
            output = self.push_command(run, place, Some("xargs")).or(output);
        } else if let Some(script) = words.get(k) {
            self.run_sh_c(script, place.stdin, inputs);
        }
        self.out.depth -= 1;
        output
    }

    fn run_sh_c(&mut self, script: &Lexed, stdin: Option<usize>, extra: BTreeSet<usize>) {
        let src = Src {
            bytes: Cow::Owned(script.text.clone()),
            offs: Some(script.offs.clone()),
        };
        let ctx = Ctx {
            via: Some("sh-c"),
            in_loop: self.ctx.in_loop,
            in_function: self.ctx.in_function.clone(),
            loops: self.ctx.loops.clone(),
            stdin,
            extra,
        };
        let mut sub = Parser::new(src, &mut *self.out, ctx);
        sub.parse_list(&[]);
        sub.finish();
    }

    // ---- lexer --------------------------------------------------------

    fn skip_blanks(&mut self) {
        loop {
            match (self.byte(self.pos), self.byte(self.pos + 1)) {
                (Some(b' ' | b'\t' | b'\r'), _) => self.pos += 1,
                (Some(b'\\'), Some(b'\n')) => self.pos += 2,
                (Some(b'\\'), Some(b'\r')) if self.byte(self.pos + 2) == Some(b'\n') => {
                    self.pos += 3
                }
                (Some(b'#'), _) => {
                    while self.byte(self.pos).is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn lex(&mut self) -> Tok {
        self.skip_blanks();
        let at = self.pos;
        let Some(b) = self.byte(at) else {
            return Tok::Eof;
        };
        let next = self.byte(at + 1);
        let after = self.byte(at + 2);
        let (op, len) = match (b, next) {
            (b'\n', _) => {
                self.pos += 1;
                self.read_heredocs();
                return Tok::Op("\n", at);
            }
            (b';', Some(b';')) if after == Some(b'&') => (";;&", 3),
            (b';', Some(b';')) => (";;", 2),
            (b';', Some(b'&')) => (";&", 2),
            (b';', _) => (";", 1),
            (b'&', Some(b'&')) => ("&&", 2),
            (b'&', Some(b'>')) => {
                let (op, len) = if after == Some(b'>') {
                    ("&>>", 3)
                } else {
                    ("&>", 2)
                };
                self.pos += len;
                return Tok::Redir(op, at);
            }
            (b'&', _) => ("&", 1),
            (b'|', Some(b'|')) => ("||", 2),
            (b'|', Some(b'&')) => ("|&", 2),
            (b'|', _) => ("|", 1),
            (b'(', _) => ("(", 1),
            (b')', _) => (")", 1),
            (b'<' | b'>', _) if next != Some(b'(') => return self.redir_op(at),
            (b'0'..=b'9', _) => {
                let mut j = at;
                while self.byte(j).is_some_and(|b| b.is_ascii_digit()) {
                    j += 1;
                }
                if matches!(self.byte(j), Some(b'<' | b'>')) && self.byte(j + 1) != Some(b'(') {
                    return self.redir_op(j);
                }
                return Tok::Word(self.lex_word());
            }
            _ => return Tok::Word(self.lex_word()),
        };
        self.pos = at + len;
        Tok::Op(op, at)
    }

    fn redir_op(&mut self, at: usize) -> Tok {
        let rest = self.src.bytes.get(at..).unwrap_or_default();
        let ops = ["<<<", "<<-", "<<", "<>", "<&", "<", ">>", ">|", ">&", ">"];
        let op = ops
            .iter()
            .copied()
            .find(|op| rest.starts_with(op.as_bytes()))
            .unwrap_or(">");
        self.pos = at + op.len();
        Tok::Redir(op, at)
    }

    fn read_heredocs(&mut self) {
        for slot in std::mem::take(&mut self.pending) {
            let (delim, strip) = match self.heredocs.get(slot) {
                Some(h) => (h.delim.clone(), h.strip_tabs),
                None => continue,
            };
            let mut body = Vec::new();
            let len = self.src.bytes.len();
            while self.pos < len {
                let rest = self.src.bytes.get(self.pos..).unwrap_or_default();
                let line_len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                let mut line = rest.get(..line_len).unwrap_or_default();
                if strip {
                    while let Some(l) = line.strip_prefix(b"\t") {
                        line = l;
                    }
                }
                let line = line.to_vec();
                self.pos = (self.pos + line_len + 1).min(len);
                if line.strip_suffix(b"\r").unwrap_or(&line) == delim {
                    break;
                }
                body.extend(line);
                body.push(b'\n');
            }
            if let Some(h) = self.heredocs.get_mut(slot) {
                h.body = Some(String::from_utf8_lossy(&body).into_owned());
            }
        }
    }

    /// Appends source bytes `from..to` to the word without moving `pos`.
    fn push_range(&self, w: &mut Lexed, from: usize, to: usize) {
        let bytes = self.src.bytes.get(from..to).unwrap_or_default();
        w.text.extend_from_slice(bytes);
        w.offs
            .extend((from..from + bytes.len()).map(|i| self.src.orig(i)));
    }

    fn take(&mut self, w: &mut Lexed, n: usize) {
        self.push_range(w, self.pos, self.pos + n);
        self.pos = (self.pos + n).min(self.src.bytes.len());
    }

    fn push_byte(&self, w: &mut Lexed, b: u8, at: usize) {
        w.text.push(b);
        w.offs.push(self.src.orig(at));
    }

    fn lex_word(&mut self) -> Box<Lexed> {
        let mut w = Box::new(Lexed {
            start: self.pos,
            ..Lexed::default()
        });
        let mut bracket = false;
        // Inside an array literal `NAME=(a b $(c))`, which stays one word.
        let mut array = false;
        while let Some(b) = self.byte(self.pos) {
            let next = self.byte(self.pos + 1);
            match b {
                b')' if array => {
                    array = false;
                    self.take(&mut w, 1);
                }
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' if array => {
                    self.take(&mut w, 1);
                }
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' => break,
                b'<' | b'>' if next == Some(b'(') => self.substitution(&mut w, 2),
                b'<' | b'>' => break,
                b'\\' => match next {
                    Some(b'\n') => self.pos += 2,
                    Some(b'\r') if self.byte(self.pos + 2) == Some(b'\n') => self.pos += 3,
                    Some(_) => {
                        w.quoted = true;
                        self.pos += 1;
                        self.take(&mut w, 1);
                    }
                    None => self.take(&mut w, 1),
                },
                b'\'' => {
                    w.quoted = true;
                    self.pos += 1;
                    while self.byte(self.pos).is_some_and(|b| b != b'\'') {
                        self.take(&mut w, 1);
                    }
                    self.pos += usize::from(self.byte(self.pos).is_some());
                }
                b'"' => {
                    w.quoted = true;
                    self.double_quoted(&mut w);
                }
                b'`' => self.backtick(&mut w, false),
                b'$' => self.dollar(&mut w, false),
                b'*' | b'?' => {
                    w.glob = true;
                    self.take(&mut w, 1);
                }
                b'[' => {
                    bracket = true;
                    self.take(&mut w, 1);
                }
                b']' => {
                    w.glob |= bracket;
                    self.take(&mut w, 1);
                }
                b'=' if w.assign_eq.is_none() && self.is_assign_name(&w) => {
                    w.assign_eq = Some(w.text.len());
                    self.take(&mut w, 1);
                    if self.byte(self.pos) == Some(b'(') {
                        array = true;
                        self.take(&mut w, 1);
                    }
                }
                _ => self.take(&mut w, 1),
            }
        }
        let mut seen = HashSet::new();
        w.expansions.retain(|e| seen.insert(e.clone()));
        let end = self.pos;
        w.plain = !w.quoted && self.src.bytes.get(w.start..end) == Some(&w.text[..]);
        w.span = self
            .out
            .span(self.src.orig(w.start), self.src.orig_end(end));
        w
    }

    fn is_assign_name(&self, w: &Lexed) -> bool {
        let name = w.text.strip_suffix(b"+").unwrap_or(&w.text);
        !w.quoted
            && w.subs.is_empty()
            && w.expansions.is_empty()
            && self.src.bytes.get(w.start..self.pos) == Some(&w.text[..])
            && name
                .first()
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    }

    fn double_quoted(&mut self, w: &mut Lexed) {
        self.pos += 1;
        while let Some(b) = self.byte(self.pos) {
            match b {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => match self.byte(self.pos + 1) {
                    Some(b'\n') => self.pos += 2,
                    Some(b'$' | b'`' | b'"' | b'\\') => {
                        self.pos += 1;
                        self.take(w, 1);
                    }
                    _ => self.take(w, 1),
                },
                b'$' => self.dollar(w, true),
                b'`' => self.backtick(w, true),
                _ => self.take(w, 1),
            }
        }
    }

    fn dollar(&mut self, w: &mut Lexed, in_dq: bool) {
        let start = self.pos;
        match self.byte(start + 1) {
            Some(b'(') if self.byte(start + 2) == Some(b'(') => {
                let end = self.arith_end(start + 3, 2);
                self.expand_names_in(w, start + 3, end);
                self.push_range(w, start, end);
                self.pos = end;
            }
            Some(b'(') => self.substitution(w, 2),
            Some(b'{') => {
                let end = self.brace_end(start + 2);
                let name_at =
                    start + 2 + usize::from(matches!(self.byte(start + 2), Some(b'#' | b'!')));
                let name_end = self.name_end(name_at);
                if name_end > name_at {
                    self.expand_range(w, name_at, name_end);
                } else if let Some(c) = self.byte(name_at).filter(|c| is_special(*c)) {
                    w.expand(&char::from(c).to_string());
                }
                // `${X:-$Y}` also expands Y.
                self.expand_names_in(w, name_end, end);
                self.push_range(w, start, end);
                self.pos = end;
            }
            Some(b'\'') if !in_dq => {
                w.quoted = true;
                self.ansi_c(w);
            }
            Some(b'"') if !in_dq => {
                // $"..." is a translatable double-quoted string.
                w.quoted = true;
                self.pos += 1;
                self.double_quoted(w);
            }
            Some(c) if c == b'_' || c.is_ascii_alphabetic() => {
                let end = self.name_end(start + 1);
                self.expand_range(w, start + 1, end);
                self.push_range(w, start, end);
                self.pos = end;
            }
            Some(c) if is_special(c) => {
                w.expand(&char::from(c).to_string());
                self.take(w, 2);
            }
            _ => self.take(w, 1),
        }
    }

    fn name_end(&self, from: usize) -> usize {
        let mut i = from;
        if self
            .byte(i)
            .is_some_and(|b| b == b'_' || b.is_ascii_alphabetic())
        {
            while self
                .byte(i)
                .is_some_and(|b| b == b'_' || b.is_ascii_alphanumeric())
            {
                i += 1;
            }
        }
        i
    }

    fn expand_range(&self, w: &mut Lexed, from: usize, to: usize) {
        let name = self.src.bytes.get(from..to).unwrap_or_default();
        w.expand(&String::from_utf8_lossy(name));
    }

    /// Records `$NAME` references inside `${...}` or `$((...))`.
    fn expand_names_in(&self, w: &mut Lexed, from: usize, to: usize) {
        let mut i = from;
        while i < to {
            if self.byte(i) == Some(b'$') {
                let at = i + 1 + usize::from(self.byte(i + 1) == Some(b'{'));
                let end = self.name_end(at);
                if end > at {
                    self.expand_range(w, at, end);
                }
                i = end.max(i + 1);
            } else {
                i += 1;
            }
        }
    }

    /// `$(...)`, `<(...)` or `>(...)` at `pos`: the commands inside are
    /// parsed in place; the word keeps the source text.
    fn substitution(&mut self, w: &mut Lexed, prefix: usize) {
        let start = self.pos;
        if self.out.depth >= MAX_DEPTH {
            let end = self.paren_end(start + prefix);
            self.push_range(w, start, end);
            self.pos = end;
            return;
        }
        self.pos = start + prefix;
        let first = self.out.commands.len();
        self.out.depth += 1;
        let saved = self.ctx.clone();
        self.enter_substitution();
        self.parse_list(&[")"]);
        self.eat_op(")");
        // Only Eof can still be peeked here; the word goes on from `pos`.
        self.peeked = None;
        self.ctx = saved;
        self.out.depth -= 1;
        w.subs.extend(first..self.out.commands.len());
        self.push_range(w, start, self.pos);
    }

    fn enter_substitution(&mut self) {
        if self.ctx.via != Some("loop-list") {
            self.ctx.via = Some("substitution");
        }
        self.ctx.stdin = None;
    }

    /// Backticks: the body is unescaped into its own text and re-parsed.
    fn backtick(&mut self, w: &mut Lexed, in_dq: bool) {
        let start = self.pos;
        let mut inner = Lexed::default();
        let mut i = start + 1;
        while let Some(b) = self.byte(i) {
            match (b, self.byte(i + 1)) {
                (b'`', _) => {
                    i += 1;
                    break;
                }
                (b'\\', Some(c)) if matches!(c, b'`' | b'\\' | b'$') || (in_dq && c == b'"') => {
                    self.push_byte(&mut inner, c, i + 1);
                    i += 2;
                }
                _ => {
                    self.push_byte(&mut inner, b, i);
                    i += 1;
                }
            }
        }
        self.pos = i;
        if self.out.depth < MAX_DEPTH {
            let first = self.out.commands.len();
            let mut ctx = self.ctx.clone();
            if ctx.via != Some("loop-list") {
                ctx.via = Some("substitution");
            }
            ctx.stdin = None;
            let src = Src {
                bytes: Cow::Owned(inner.text),
                offs: Some(inner.offs),
            };
            self.out.depth += 1;
            let mut sub = Parser::new(src, &mut *self.out, ctx);
            sub.parse_list(&[]);
            sub.finish();
            self.out.depth -= 1;
            w.subs.extend(first..self.out.commands.len());
        }
        self.push_range(w, start, i);
    }

    fn ansi_c(&mut self, w: &mut Lexed) {
        let mut i = self.pos + 2;
        while let Some(b) = self.byte(i) {
            if b == b'\'' {
                i += 1;
                break;
            }
            let next = self.byte(i + 1);
            let decoded = match (b, next) {
                (b'\\', Some(b'n')) => Some(b'\n'),
                (b'\\', Some(b't')) => Some(b'\t'),
                (b'\\', Some(b'r')) => Some(b'\r'),
                (b'\\', Some(b'e' | b'E')) => Some(0x1b),
                (b'\\', Some(c @ (b'\\' | b'\'' | b'"' | b'?'))) => Some(c),
                _ => None,
            };
            match decoded {
                Some(c) => {
                    self.push_byte(w, c, i);
                    i += 2;
                }
                None => {
                    self.push_byte(w, b, i);
                    i += 1;
                }
            }
        }
        self.pos = i;
    }

    /// End (exclusive) of a parenthesised region whose opening paren is
    /// just before `from`; skips quotes. Used where nothing is parsed.
    fn paren_end(&self, from: usize) -> usize {
        let mut depth = 1usize;
        let mut i = from;
        while let Some(b) = self.byte(i) {
            match b {
                b'\\' => i += 1,
                b'\'' | b'"' => i = self.quote_end(i),
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.src.bytes.len()
    }

    /// Index of the closing quote matching the one at `at` (or the end).
    fn quote_end(&self, at: usize) -> usize {
        let q = self.byte(at);
        let mut i = at + 1;
        while let Some(b) = self.byte(i) {
            if Some(b) == q {
                return i;
            }
            i += if b == b'\\' && q == Some(b'"') { 2 } else { 1 };
        }
        self.src.bytes.len()
    }

    /// End of `${...}` whose body starts at `from`.
    fn brace_end(&self, from: usize) -> usize {
        let mut depth = 1usize;
        let mut i = from;
        while let Some(b) = self.byte(i) {
            match b {
                b'\\' => i += 1,
                b'\'' | b'"' => i = self.quote_end(i),
                b'$' if self.byte(i + 1) == Some(b'{') => {
                    depth += 1;
                    i += 1;
                }
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.src.bytes.len()
    }

    /// End of arithmetic text starting at `from` with `open` parens open.
    fn arith_end(&self, from: usize, open: usize) -> usize {
        let mut depth = open;
        let mut i = from;
        while let Some(b) = self.byte(i) {
            i += 1;
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
        }
        i
    }

    fn synthetic(&self, op: &str, at: usize) -> Lexed {
        let mut w = Lexed {
            start: at,
            plain: true,
            ..Lexed::default()
        };
        self.push_range(&mut w, at, at + op.len());
        w.span = self
            .out
            .span(self.src.orig(at), self.src.orig_end(at + op.len()));
        w
    }
}

fn cap(mut set: BTreeSet<usize>) -> BTreeSet<usize> {
    while set.len() > MAX_INPUTS {
        set.pop_last();
    }
    set
}

fn is_special(c: u8) -> bool {
    c.is_ascii_digit() || b"@*#?$!-".contains(&c)
}

fn add_inputs(c: &mut Command, extra: &BTreeSet<usize>) {
    let mut all: BTreeSet<usize> = c.inputs.iter().copied().collect();
    all.extend(extra);
    c.inputs = cap(all).into_iter().collect();
}

fn is_reader(argv: &[String]) -> bool {
    matches!(
        argv.first().map(String::as_str),
        Some("read" | "mapfile" | "readarray")
    )
}

/// Variables set by `read`/`mapfile`: operands, plus `read -a NAME`.
fn read_vars(argv: &[String]) -> Vec<String> {
    let mapfile = argv.first().is_some_and(|a| a != "read");
    let with_arg: &[char] = if mapfile {
        &['d', 'n', 'O', 's', 'u', 'C', 'c']
    } else {
        &['a', 'd', 'i', 'n', 'N', 'p', 't', 'u']
    };
    let mut vars = Vec::new();
    let mut args = argv.iter().skip(1);
    while let Some(a) = args.next() {
        match a.strip_prefix('-').filter(|o| !o.is_empty()) {
            Some(opts) => {
                if let Some(last) = opts.chars().last().filter(|c| with_arg.contains(c)) {
                    let value = args.next();
                    if last == 'a' && !mapfile {
                        vars.extend(value.cloned());
                    }
                }
            }
            None => vars.push(a.clone()),
        }
    }
    if vars.is_empty() {
        vars.push(if mapfile { "MAPFILE" } else { "REPLY" }.to_string());
    }
    vars
}

/// Index of the command xargs runs, after its options.
fn xargs_command_start(argv: &[String]) -> Option<usize> {
    const LONG_WITH_ARG: &[&str] = &[
        "arg-file",
        "delimiter",
        "max-args",
        "max-procs",
        "max-chars",
        "process-slot-var",
    ];
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if a == "--" {
            i += 1;
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            i += if LONG_WITH_ARG.contains(&long) { 2 } else { 1 };
            continue;
        }
        let Some(short) = a.strip_prefix('-').filter(|s| !s.is_empty()) else {
            break;
        };
        i += 1;
        for (k, c) in short.char_indices() {
            match c {
                // Required argument: attached, or the next word.
                'a' | 'd' | 'E' | 'I' | 'L' | 'n' | 'P' | 's' => {
                    if k + 1 == short.len() {
                        i += 1;
                    }
                    break;
                }
                // Optional argument, only ever attached.
                'e' | 'i' | 'l' => break,
                _ => {}
            }
        }
    }
    (i < argv.len()).then_some(i)
}

/// Index of the script operand in `... sh [-opts] -c SCRIPT ...`.
fn sh_c_script(argv: &[String]) -> Option<usize> {
    if matches!(argv.first().map(String::as_str), Some("echo" | "printf")) {
        return None;
    }
    let shell = argv
        .iter()
        .position(|a| SHELLS.contains(&a.rsplit('/').next().unwrap_or(a)))?;
    let mut i = shell + 1;
    while let Some(a) = argv.get(i) {
        if a == "-o" || a == "+o" {
            i += 2;
        } else if a.starts_with("--") {
            i += 1;
        } else if let Some(opts) = a.strip_prefix('-').filter(|o| !o.is_empty()) {
            if opts.contains('c') {
                return Some(i + 1);
            }
            i += 1;
        } else {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(c: &Command) -> Vec<&str> {
        c.argv.iter().map(String::as_str).collect()
    }

    fn text(script: &str, span: Span) -> &str {
        &script[span.start..span.end]
    }

    /// Every span of every command slices the script without panicking.
    fn check_spans(script: &str, parsed: &Script) {
        for c in &parsed.commands {
            let spans = c.words.iter().map(|w| w.span);
            for s in spans
                .chain(c.assignments.iter().map(|a| a.span))
                .chain([c.span])
            {
                assert!(script.get(s.start..s.end).is_some(), "{s:?} in {script:?}");
            }
        }
    }

    #[test]
    fn ci_script_with_continuations() {
        let s = "set -euo pipefail\n\
                 # deploy the bundle, removing stale files\n\
                 aws s3 sync ./dist \"s3://$BUCKET/app\" \\\n  --delete \\\n  --exclude '*.map'\n\
                 echo done\n";
        let p = parse_script(s);
        assert_eq!(p.commands.len(), 3);
        let [set, sync, echo] = &p.commands[..] else {
            unreachable!()
        };
        assert_eq!(argv(set), ["set", "-euo", "pipefail"]);
        assert_eq!(
            argv(sync),
            [
                "aws",
                "s3",
                "sync",
                "./dist",
                "s3://$BUCKET/app",
                "--delete",
                "--exclude",
                "*.map"
            ]
        );
        assert_eq!(
            text(s, sync.span),
            "aws s3 sync ./dist \"s3://$BUCKET/app\" \\\n  --delete \\\n  --exclude '*.map'"
        );
        assert_eq!((set.line, sync.line, echo.line), (1, 3, 6));
        assert_eq!(sync.words[4].expansions, ["BUCKET"]);
        assert!(sync.words[7].quoted && !sync.words[7].glob);
        assert_eq!(text(s, sync.words[7].span), "'*.map'");
        assert_ne!(set.pipeline, sync.pipeline);
    }

    #[test]
    fn xargs_inner_command_reads_the_producer() {
        let s = "aws ec2 describe-instances --query 'Reservations[].Instances[].InstanceId' \
                 --output text | xargs -n1 aws ec2 terminate-instances --instance-ids";
        let p = parse_script(s);
        assert_eq!(p.commands.len(), 3);
        let [describe, xargs, inner] = &p.commands[..] else {
            unreachable!()
        };
        assert_eq!(
            describe.argv[3..5],
            ["--query", "Reservations[].Instances[].InstanceId"]
        );
        assert_eq!(argv(xargs)[..2], ["xargs", "-n1"]);
        assert_eq!(
            argv(inner),
            ["aws", "ec2", "terminate-instances", "--instance-ids"]
        );
        assert_eq!(
            text(s, inner.span),
            "aws ec2 terminate-instances --instance-ids"
        );
        assert_eq!(inner.via.as_deref(), Some("xargs"));
        assert_eq!((inner.pipeline, inner.stage), (xargs.pipeline, 1));
        assert_eq!(describe.pipeline, xargs.pipeline);
        assert_eq!(inner.inputs, [0]);
        assert_eq!(xargs.inputs, [0]);
        assert_eq!((xargs.stdin_from, inner.stdin_from), (Some(0), Some(0)));
    }

    #[test]
    fn xargs_option_forms() {
        let cases = [
            ("xargs -n 1 -P 4 rm -f", vec!["rm", "-f"]),
            ("xargs -I {} aws s3 rm {}", vec!["aws", "s3", "rm", "{}"]),
            (
                "xargs -I{} -0 -r -t kubectl delete ns {}",
                vec!["kubectl", "delete", "ns", "{}"],
            ),
            (
                "xargs --no-run-if-empty -L 1 docker rm",
                vec!["docker", "rm"],
            ),
            ("xargs -0rn1 -- rm", vec!["rm"]),
            ("xargs --max-args 2 echo", vec!["echo"]),
        ];
        for (s, expected) in cases {
            let p = parse_script(s);
            assert_eq!(p.commands.len(), 2, "{s}");
            assert_eq!(argv(&p.commands[1]), expected, "{s}");
        }
        // Bare xargs runs echo implicitly: nothing to emit.
        assert_eq!(parse_script("ls | xargs -0").commands.len(), 2);
    }

    #[test]
    fn for_loop_over_substitution() {
        let s = "for id in $(aws ec2 describe-instances --filters \"Name=tag:owner,Values=ci\" \
                 --query 'Reservations[].Instances[].InstanceId' --output text); do\n  \
                 aws ec2 terminate-instances --instance-ids \"$id\"\ndone\necho \"$id\"";
        let p = parse_script(s);
        assert_eq!(p.commands.len(), 3);
        let [list, term, after] = &p.commands[..] else {
            unreachable!()
        };
        assert_eq!(list.via.as_deref(), Some("loop-list"));
        assert_eq!(list.argv[3..5], ["--filters", "Name=tag:owner,Values=ci"]);
        assert!(!list.in_loop);
        assert_eq!(
            argv(term),
            ["aws", "ec2", "terminate-instances", "--instance-ids", "$id"]
        );
        assert_eq!(term.inputs, [0]);
        assert!(term.in_loop && term.via.is_none());
        assert_eq!(term.line, 2);
        assert_eq!(term.words[4].expansions, ["id"]);
        assert!(!after.in_loop);
        assert!(list.span.end <= s.find("); do").unwrap_or(0));
    }

    #[test]
    fn for_loop_over_variable_and_literals() {
        let s =
            "LIST=$(kubectl get ns -o name)\nfor ns in $LIST; do kubectl delete \"$ns\"; done\n\
                 for ns in a b; do kubectl delete \"$ns\"; done";
        let p = parse_script(s);
        assert_eq!(argv(&p.commands[2]), ["kubectl", "delete", "$ns"]);
        assert_eq!(p.commands[2].inputs, [0]);
        assert!(p.commands[3].inputs.is_empty());
    }

    #[test]
    fn variable_from_substitution_flows_into_later_command() {
        let s = "IDS=$(gcloud compute instances list --format='value(name)')\n\
                 gcloud compute instances delete $IDS --quiet\n";
        let p = parse_script(s);
        assert_eq!(p.commands.len(), 3);
        let [list, assign, delete] = &p.commands[..] else {
            unreachable!()
        };
        assert_eq!(
            argv(list),
            [
                "gcloud",
                "compute",
                "instances",
                "list",
                "--format=value(name)"
            ]
        );
        assert_eq!(list.via.as_deref(), Some("substitution"));
        assert_eq!(
            text(s, list.span),
            "gcloud compute instances list --format='value(name)'"
        );
        assert!(assign.argv.is_empty());
        assert_eq!(assign.assignments[0].name, "IDS");
        assert_eq!(
            assign.assignments[0].value,
            "$(gcloud compute instances list --format='value(name)')"
        );
        assert_eq!(assign.inputs, [0]);
        assert_eq!(
            argv(delete),
            [
                "gcloud",
                "compute",
                "instances",
                "delete",
                "$IDS",
                "--quiet"
            ]
        );
        assert_eq!((delete.inputs.as_slice(), delete.line), (&[0][..], 2));
        assert!(!delete.words[4].quoted);
    }

    #[test]
    fn variables_propagate_transitively() {
        let s = "RAW=$(aws ec2 describe-instances)\nexport IDS=\"$(echo \"$RAW\" | jq -r .id)\"\n\
                 aws ec2 terminate-instances --instance-ids ${IDS}";
        let p = parse_script(s);
        let last = p.commands.last().unwrap();
        assert_eq!(last.argv[4], "${IDS}");
        assert_eq!(last.words[4].expansions, ["IDS"]);
        // describe (0), echo (2) and jq (3); the assignment statement is 1.
        assert_eq!(last.inputs, [0, 2, 3]);
        assert_eq!(p.commands[2].inputs, [0]);
    }

    #[test]
    fn array_assignment_keeps_its_substitution() {
        let s = "IDS=($(aws ec2 describe-instances --output text))\n\
                 aws ec2 terminate-instances --instance-ids \"${IDS[@]}\"";
        let p = parse_script(s);
        assert_eq!(p.commands.len(), 3);
        assert_eq!(
            p.commands[1].assignments[0].value,
            "($(aws ec2 describe-instances --output text))"
        );
        assert_eq!(p.commands[2].words[4].expansions, ["IDS"]);
        assert!(!p.commands[2].words[4].glob);
        assert_eq!(p.commands[2].inputs, [0]);
    }

    #[test]
    fn kubectl_grep_xargs_pipeline() {
        let s = "kubectl get ns -o name | grep preview- | xargs kubectl delete";
        let p = parse_script(s);
        assert_eq!(p.commands.len(), 4);
        let stages: Vec<_> = p
            .commands
            .iter()
            .map(|c| (c.pipeline, c.stage, c.stdin_from))
            .collect();
        assert_eq!(
            stages,
            [
                (0, 0, None),
                (0, 1, Some(0)),
                (0, 2, Some(1)),
                (0, 2, Some(1))
            ]
        );
        assert_eq!(argv(&p.commands[3]), ["kubectl", "delete"]);
        assert_eq!(p.commands[3].inputs, [1]);
        assert!(p.commands[1].inputs.is_empty());
        assert_eq!(text(s, p.commands[2].span), "xargs kubectl delete");
    }

    #[test]
    fn rm_with_quoted_variable_and_glob() {
        let s = "rm -rf \"$BUILD_DIR/\"*";
        let p = parse_script(s);
        let w = &p.commands[0].words[2];
        assert_eq!(w.text, "$BUILD_DIR/*");
        assert_eq!(
            (w.expansions.as_slice(), w.glob, w.quoted),
            (&["BUILD_DIR".to_string()][..], true, true)
        );
        assert_eq!(text(s, w.span), "\"$BUILD_DIR/\"*");
        // A quoted star is not a glob; brackets are.
        let p = parse_script("rm -f '*.log' logs/app-[0-9].log");
        assert!(!p.commands[0].words[2].glob);
        assert!(p.commands[0].words[3].glob);
        assert!(!parse_script("[ -f x ]").commands[0].words[0].glob);
    }

    #[test]
    fn heredoc_body_is_captured_not_tokenized() {
        let s =
            "psql \"$DATABASE_URL\" <<'SQL'\nDROP DATABASE app;\nSELECT 'x' | y;\nSQL\necho ok\n\
                 cat <<-EOF | kubectl apply -f -\n\tkind: Namespace\n\tEOF\n";
        let p = parse_script(s);
        assert_eq!(p.commands.len(), 4);
        let psql = &p.commands[0];
        assert_eq!(argv(psql), ["psql", "$DATABASE_URL"]);
        assert_eq!(text(s, psql.span), "psql \"$DATABASE_URL\"");
        assert_eq!(
            psql.heredoc.as_deref(),
            Some("DROP DATABASE app;\nSELECT 'x' | y;\n")
        );
        assert_eq!(
            (argv(&p.commands[1]), p.commands[1].line),
            (vec!["echo", "ok"], 5)
        );
        assert_eq!(p.commands[2].heredoc.as_deref(), Some("kind: Namespace\n"));
        assert_eq!(argv(&p.commands[3]), ["kubectl", "apply", "-f", "-"]);
        assert_eq!(p.commands[3].stdin_from, Some(2));
    }

    #[test]
    fn nested_substitutions_have_script_spans() {
        let s = "echo \"built $(echo $(date +%s))\"";
        let p = parse_script(s);
        let names: Vec<_> = p.commands.iter().map(|c| text(s, c.span)).collect();
        assert_eq!(names, ["date +%s", "echo $(date +%s)", s]);
        assert_eq!(p.commands[1].inputs, [0]);
        assert_eq!(p.commands[2].inputs, [0, 1]);
        assert_eq!(p.commands[2].argv[1], "built $(echo $(date +%s))");
        assert!(p.commands[..2]
            .iter()
            .all(|c| c.via.as_deref() == Some("substitution")));
    }

    #[test]
    fn backticks_are_reparsed_with_script_offsets() {
        let s = "for f in `find . -name \\`cat pattern\\``; do rm \"$f\"; done";
        let p = parse_script(s);
        let srcs: Vec<_> = p.commands.iter().map(|c| text(s, c.span)).collect();
        assert_eq!(
            srcs,
            ["cat pattern", "find . -name \\`cat pattern\\`", "rm \"$f\""]
        );
        assert_eq!(
            argv(&p.commands[1]),
            ["find", ".", "-name", "`cat pattern`"]
        );
        assert_eq!(p.commands[2].inputs, [0, 1]);
    }

    #[test]
    fn comments_with_quotes_do_not_open_strings() {
        let s = "# don't \"touch\" this\necho a # it's fine\necho b#c 'x # y'\n";
        let p = parse_script(s);
        assert_eq!(p.commands.len(), 2);
        assert_eq!(argv(&p.commands[0]), ["echo", "a"]);
        assert_eq!(argv(&p.commands[1]), ["echo", "b#c", "x # y"]);
        assert_eq!((p.commands[0].line, p.commands[1].line), (2, 3));
    }

    #[test]
    fn wrappers_stay_in_argv() {
        let s = "sudo -E kubectl delete pods --all -n \"$NS\"";
        let p = parse_script(s);
        assert_eq!(
            argv(&p.commands[0]),
            ["sudo", "-E", "kubectl", "delete", "pods", "--all", "-n", "$NS"]
        );
        assert_eq!(p.commands[0].words[7].expansions, ["NS"]);
        assert_eq!(text(s, p.commands[0].span), s);
    }

    #[test]
    fn case_branches_and_functions() {
        let s = "cleanup() {\n  case \"$ENV\" in\n    prod|production) echo refusing; exit 1 ;;\n    \
                 staging) helm uninstall app \\\n      -n staging ;;\n    *) ;;\n  esac\n}\n\
                 function nuke {\n  for b in $(aws s3 ls); do aws s3 rb \"s3://$b\" --force; done\n}\n\
                 cleanup\n";
        let p = parse_script(s);
        let found: Vec<_> = p
            .commands
            .iter()
            .map(|c| {
                (
                    argv(c).join(" "),
                    c.line,
                    c.in_function.as_deref(),
                    c.in_loop,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("echo refusing".to_string(), 3, Some("cleanup"), false),
                ("exit 1".to_string(), 3, Some("cleanup"), false),
                (
                    "helm uninstall app -n staging".to_string(),
                    4,
                    Some("cleanup"),
                    false
                ),
                ("aws s3 ls".to_string(), 10, Some("nuke"), false),
                (
                    "aws s3 rb s3://$b --force".to_string(),
                    10,
                    Some("nuke"),
                    true
                ),
                ("cleanup".to_string(), 12, None, false),
            ]
        );
        assert_eq!(
            text(s, p.commands[2].span),
            "helm uninstall app \\\n      -n staging"
        );
        assert_eq!(p.commands[4].inputs, [3]);
    }

    #[test]
    fn keywords_never_reach_argv() {
        let s = "if ! kubectl get ns prod; then\n  kubectl create ns prod\nelif true; then :\n\
                 else\n  time -p make\nfi\nwhile true; do sleep 1; done\nuntil false; do break; done\n\
                 { echo a; echo b; } > log 2>&1\n( cd /tmp && rm -rf build )\n[[ -n \"$X\" && $Y > 1 ]]";
        let p = parse_script(s);
        let all: Vec<_> = p.commands.iter().map(|c| argv(c).join(" ")).collect();
        assert_eq!(
            all,
            [
                "kubectl get ns prod",
                "kubectl create ns prod",
                "true",
                ":",
                "make",
                "true",
                "sleep 1",
                "false",
                "break",
                "echo a",
                "echo b",
                "cd /tmp",
                "rm -rf build",
                "[[ -n $X && $Y > 1 ]]",
            ]
        );
        assert!(p.commands[6].in_loop && !p.commands[5].in_loop);
        assert_eq!(text(s, p.commands[12].span), "rm -rf build");
    }

    #[test]
    fn redirections_are_removed() {
        let s =
            "terraform destroy -auto-approve >out.log 2>&1 </dev/null; cat <<< \"$X\" &> /dev/null";
        let p = parse_script(s);
        assert_eq!(
            argv(&p.commands[0]),
            ["terraform", "destroy", "-auto-approve"]
        );
        assert_eq!(
            text(s, p.commands[0].span),
            "terraform destroy -auto-approve"
        );
        assert_eq!(argv(&p.commands[1]), ["cat"]);
    }

    #[test]
    fn prefix_assignments_and_ansi_c_strings() {
        let s = "AWS_PROFILE=prod FORCE=1 terraform apply\nIFS=$'\\n\\t' read -r a";
        let p = parse_script(s);
        let c = &p.commands[0];
        assert_eq!(argv(c), ["terraform", "apply"]);
        let names: Vec<_> = c
            .assignments
            .iter()
            .map(|a| (a.name.as_str(), a.value.as_str()))
            .collect();
        assert_eq!(names, [("AWS_PROFILE", "prod"), ("FORCE", "1")]);
        assert_eq!(text(s, c.span), "AWS_PROFILE=prod FORCE=1 terraform apply");
        assert_eq!(text(s, c.assignments[1].span), "FORCE=1");
        assert_eq!(p.commands[1].assignments[0].value, "\n\t");
        // After the command name, NAME=value is an ordinary argument.
        assert_eq!(
            argv(&parse_script("env A=1 make").commands[0]),
            ["env", "A=1", "make"]
        );
    }

    #[test]
    fn while_read_over_pipe_and_process_substitution() {
        let s = "kubectl get pods -o name | while read -r pod; do\n  kubectl delete \"$pod\"\n  echo hi\ndone\n\
                 while read -r b; do aws s3 rb \"s3://$b\"; done < <(aws s3 ls)";
        let p = parse_script(s);
        assert_eq!(p.commands.len(), 7);
        let [get, read, delete, echo, read2, rb, ls] = &p.commands[..] else {
            unreachable!()
        };
        assert_eq!(
            (read.stdin_from, read.inputs.as_slice()),
            (Some(0), &[0][..])
        );
        assert_eq!(argv(delete), ["kubectl", "delete", "$pod"]);
        assert_eq!((delete.inputs.as_slice(), delete.in_loop), (&[0][..], true));
        assert!(echo.inputs.is_empty());
        assert_eq!(get.stage, 0);
        assert_eq!(argv(ls), ["aws", "s3", "ls"]);
        assert_eq!(
            (read2.inputs.as_slice(), rb.inputs.as_slice()),
            (&[6][..], &[6][..])
        );
    }

    #[test]
    fn sh_c_scripts_are_parsed_in_place() {
        let s = "docker run --rm img sh -c 'rm -rf /cache/* && echo \"cleared\"'\n\
                 find . -name '*.tmp' | xargs -I{} bash -ec \"rm -f {} \\\"\\$HOME/x\\\"\"";
        let p = parse_script(s);
        let all: Vec<_> = p
            .commands
            .iter()
            .map(|c| (text(s, c.span), c.via.as_deref()))
            .collect();
        assert_eq!(
            all,
            [
                (
                    "docker run --rm img sh -c 'rm -rf /cache/* && echo \"cleared\"'",
                    None
                ),
                ("rm -rf /cache/*", Some("sh-c")),
                ("echo \"cleared\"", Some("sh-c")),
                ("find . -name '*.tmp'", None),
                ("xargs -I{} bash -ec \"rm -f {} \\\"\\$HOME/x\\\"\"", None),
                ("bash -ec \"rm -f {} \\\"\\$HOME/x\\\"\"", Some("xargs")),
                ("rm -f {} \\\"\\$HOME/x\\\"", Some("sh-c")),
            ]
        );
        assert!(p.commands[1].words[2].glob);
        assert_eq!(argv(&p.commands[6]), ["rm", "-f", "{}", "$HOME/x"]);
        assert_eq!(p.commands[6].words[3].expansions, ["HOME"]);
        // The inner rm inherits the xargs feed.
        assert_eq!(p.commands[6].inputs, [3]);
    }

    #[test]
    fn and_or_lists_get_separate_pipelines() {
        let s = "a | b && c | d || e &\nf";
        let p = parse_script(s);
        let ids: Vec<_> = p.commands.iter().map(|c| (c.pipeline, c.stage)).collect();
        assert_eq!(ids, [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (3, 0)]);
    }

    #[test]
    fn serializes_with_user_facing_field_names() {
        let json = serde_json::to_value(parse_script("rm -rf \"$D\"/*")).unwrap_or_default();
        let c = &json["commands"][0];
        assert_eq!(c["span"], serde_json::json!([0, 13]));
        assert_eq!(c["words"][2]["expansions"], serde_json::json!(["D"]));
        assert_eq!(c["via"], serde_json::Value::Null);
    }

    #[test]
    fn adversarial_input_does_not_panic() {
        let nested = "$(".repeat(10_000) + "rm -rf /" + &")".repeat(10_000);
        let open = "echo $(".repeat(10_000);
        let backticks = "`\\`".repeat(5_000);
        let groups = "{ ( if for while case ".repeat(2_000);
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let random: Vec<u8> = (0..20_000)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let table = b"$(){}'\"`\\|&;<>\n #*?[]=abcxyz-\xc3\xa9";
                table[(rng % table.len() as u64) as usize]
            })
            .collect();
        let random = String::from_utf8_lossy(&random).into_owned();
        let inputs = [
            "echo 'unterminated",
            "echo \"unterminated $(ls",
            "cat <<EOF\nno end",
            "for x in",
            "case x in a) echo",
            "f() {",
            "xargs -n",
            "bash -c",
            "${",
            "$((1+",
            "é$'\\xff' é\\é `é",
            ")))) ;; fi done }",
            &nested,
            &open,
            &backticks,
            &groups,
            &random,
        ];
        for s in inputs {
            let p = parse_script(s);
            check_spans(s, &p);
        }
        let p = parse_script(&nested);
        assert!(p.commands.len() <= MAX_DEPTH + 1);
        assert_eq!(p.commands.last().map(|c| c.span.end), Some(nested.len()));
    }

    #[test]
    fn for_loops_record_their_variable_and_list_for_the_body() {
        let p = parse_script(
            "for d in build \"$OUT\"; do\n  for f in $(ls); do rm -rf \"$d/$f\"; done\ndone\nrm x\n",
        );
        let rm = p.commands.iter().find(|c| c.argv[0] == "rm").unwrap();
        let vars: Vec<&str> = rm.loops.iter().map(|l| l.var.as_str()).collect();
        assert_eq!(vars, ["d", "f"]);
        let outer: Vec<(&str, bool)> = rm.loops[0]
            .list
            .iter()
            .map(|w| (w.text.as_str(), w.quoted))
            .collect();
        assert_eq!(outer, [("build", false), ("$OUT", true)]);
        assert!(p.commands.last().unwrap().loops.is_empty());
        let f = parse_script("f() { rm -rf \"$x\"; }\nfor x in a; do f; done\n");
        assert!(f.commands[0].loops.is_empty());
    }
}
