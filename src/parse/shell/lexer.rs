//! The lexer: words with their quoting and expansions, operators, heredocs.

use super::*;

impl Parser<'_, '_, '_> {
    pub(super) fn skip_blanks(&mut self) {
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

    pub(super) fn lex(&mut self) -> Tok {
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

    pub(super) fn redir_op(&mut self, at: usize) -> Tok {
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

    pub(super) fn read_heredocs(&mut self) {
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
    pub(super) fn push_range(&self, w: &mut Lexed, from: usize, to: usize) {
        let bytes = self.src.bytes.get(from..to).unwrap_or_default();
        w.text.extend_from_slice(bytes);
        w.offs
            .extend((from..from + bytes.len()).map(|i| self.src.orig(i)));
    }

    pub(super) fn take(&mut self, w: &mut Lexed, n: usize) {
        self.push_range(w, self.pos, self.pos + n);
        self.pos = (self.pos + n).min(self.src.bytes.len());
    }

    pub(super) fn push_byte(&self, w: &mut Lexed, b: u8, at: usize) {
        w.text.push(b);
        w.offs.push(self.src.orig(at));
    }

    pub(super) fn lex_word(&mut self) -> Box<Lexed> {
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

    pub(super) fn is_assign_name(&self, w: &Lexed) -> bool {
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

    pub(super) fn double_quoted(&mut self, w: &mut Lexed) {
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

    pub(super) fn dollar(&mut self, w: &mut Lexed, in_dq: bool) {
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

    pub(super) fn name_end(&self, from: usize) -> usize {
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

    pub(super) fn expand_range(&self, w: &mut Lexed, from: usize, to: usize) {
        let name = self.src.bytes.get(from..to).unwrap_or_default();
        w.expand(&String::from_utf8_lossy(name));
    }

    /// Records `$NAME` references inside `${...}` or `$((...))`.
    pub(super) fn expand_names_in(&self, w: &mut Lexed, from: usize, to: usize) {
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
    pub(super) fn substitution(&mut self, w: &mut Lexed, prefix: usize) {
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

    pub(super) fn enter_substitution(&mut self) {
        if self.ctx.via != Some("loop-list") {
            self.ctx.via = Some("substitution");
        }
        self.ctx.stdin = None;
    }

    /// Backticks: the body is unescaped into its own text and re-parsed.
    pub(super) fn backtick(&mut self, w: &mut Lexed, in_dq: bool) {
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

    pub(super) fn ansi_c(&mut self, w: &mut Lexed) {
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
    pub(super) fn paren_end(&self, from: usize) -> usize {
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
    pub(super) fn quote_end(&self, at: usize) -> usize {
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
    pub(super) fn brace_end(&self, from: usize) -> usize {
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
    pub(super) fn arith_end(&self, from: usize, open: usize) -> usize {
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

    pub(super) fn synthetic(&self, op: &str, at: usize) -> Lexed {
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
