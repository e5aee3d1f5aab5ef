//! The grammar: lists, pipelines, compound commands and simple commands, with the
//! data each command reads from the ones before it.

use super::*;

impl<'a, 'o, 's> Parser<'a, 'o, 's> {
    pub(super) fn new(src: Src<'a>, out: &'o mut Out<'s>, ctx: Ctx) -> Self {
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

    pub(super) fn finish(&mut self) {
        for &(cmd, slot) in &self.links {
            let body = self.heredocs.get_mut(slot).and_then(|h| h.body.take());
            if let Some(c) = self.out.commands.get_mut(cmd) {
                c.heredoc = body;
            }
        }
    }

    pub(super) fn byte(&self, i: usize) -> Option<u8> {
        self.src.bytes.get(i).copied()
    }

    // ---- token stream -------------------------------------------------

    pub(super) fn fill(&mut self) {
        if self.peeked.is_none() {
            let tok = self.lex();
            self.peeked = Some(tok);
        }
    }

    pub(super) fn next(&mut self) -> Tok {
        self.fill();
        self.peeked.take().unwrap_or(Tok::Eof)
    }

    pub(super) fn peek_op(&mut self) -> Option<&'static str> {
        self.fill();
        match self.peeked {
            Some(Tok::Op(op, _)) => Some(op),
            _ => None,
        }
    }

    pub(super) fn peek_redir(&mut self) -> Option<&'static str> {
        self.fill();
        match self.peeked {
            Some(Tok::Redir(op, _)) => Some(op),
            _ => None,
        }
    }

    pub(super) fn peek_is_word(&mut self) -> bool {
        self.fill();
        matches!(self.peeked, Some(Tok::Word(_)))
    }

    pub(super) fn peek_plain(&mut self) -> Option<&[u8]> {
        self.fill();
        match &self.peeked {
            Some(Tok::Word(w)) if w.plain => Some(&w.text),
            _ => None,
        }
    }

    pub(super) fn peek_kw(&mut self) -> Option<&'static str> {
        let w = self.peek_plain()?;
        KEYWORDS.iter().copied().find(|k| k.as_bytes() == w)
    }

    pub(super) fn eat_kw(&mut self, kw: &str) -> bool {
        let found = self.peek_kw() == Some(kw);
        if found {
            self.next();
        }
        found
    }

    pub(super) fn eat_op(&mut self, op: &str) -> bool {
        let found = self.peek_op() == Some(op);
        if found {
            self.next();
        }
        found
    }

    pub(super) fn next_word(&mut self) -> Option<Box<Lexed>> {
        match self.next() {
            Tok::Word(w) => Some(w),
            other => {
                self.peeked = Some(other);
                None
            }
        }
    }

    pub(super) fn skip_newlines(&mut self) {
        while self.eat_op("\n") {}
    }

    pub(super) fn skip_separators(&mut self) {
        while matches!(self.peek_op(), Some(";" | "&" | "\n")) {
            self.next();
        }
    }

    /// End of input, or a token closing the list being parsed.
    pub(super) fn at_term(&mut self, terms: &[&str]) -> bool {
        self.fill();
        match &self.peeked {
            None | Some(Tok::Eof) => true,
            Some(Tok::Op(op, _)) => terms.contains(op),
            Some(Tok::Word(w)) => w.plain && terms.iter().any(|t| t.as_bytes() == w.text),
            Some(Tok::Redir(..)) => false,
        }
    }

    // ---- grammar ------------------------------------------------------

    pub(super) fn parse_list(&mut self, terms: &[&str]) {
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

    pub(super) fn parse_and_or(&mut self) {
        self.parse_pipeline();
        while matches!(self.peek_op(), Some("&&" | "||")) {
            self.next();
            self.skip_newlines();
            self.parse_pipeline();
        }
    }

    pub(super) fn parse_pipeline(&mut self) {
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
    pub(super) fn parse_command(&mut self, place: Place) -> Option<usize> {
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

    pub(super) fn compound(&mut self, kw: &'static str, stdin: Option<usize>) -> Option<usize> {
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

    pub(super) fn parse_if(&mut self) {
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
    pub(super) fn parse_while(&mut self) -> (Range<usize>, Range<usize>) {
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

    pub(super) fn parse_for(&mut self) {
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

    pub(super) fn parse_case(&mut self) {
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
    pub(super) fn define_function(&mut self, name: Option<String>) {
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
    pub(super) fn parse_test(&mut self, place: Place) -> Option<usize> {
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

    pub(super) fn parse_simple(&mut self, place: Place) -> Option<usize> {
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
    pub(super) fn redirect(&mut self, op: &str, simple: &mut Simple) {
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
    pub(super) fn feed_read_loop(
        &mut self,
        cond: Range<usize>,
        body: Range<usize>,
        fed: &BTreeSet<usize>,
    ) {
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

    pub(super) fn assign(&mut self, w: &Lexed) {
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
    pub(super) fn push_command(
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

    pub(super) fn run_sh_c(
        &mut self,
        script: &Lexed,
        stdin: Option<usize>,
        extra: BTreeSet<usize>,
    ) {
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
}
