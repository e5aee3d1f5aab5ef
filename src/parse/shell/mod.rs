//! A bounded, hand-written tokenizer for POSIX-ish shell (bash dialect).
//!
//! It builds no AST on purpose: policies need a flat list of simple commands
//! with their argv, where each one sits (loop, function, pipeline stage) and
//! which other commands feed it data, so a rule can see that a destructive
//! command takes its arguments from an unfiltered listing. Everything is
//! best-effort: malformed input yields fewer or odder commands, never a panic.
//!
//! `grammar` reads lists, pipelines and compound commands into commands and the
//! data flowing between them; `lexer` reads words, quotes, expansions and
//! heredocs; the helpers at the end judge what an argv does with its input.

mod grammar;
mod lexer;
#[cfg(test)]
mod tests;

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
