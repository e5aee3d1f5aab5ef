//! Makefiles (`Makefile`, `GNUmakefile`, `*.mk`, GNU make dialect): recipe lines and
//! variable definitions, each rewritten as shell text with a file offset per byte.
//!
//! A recipe line is one shell command line, so `model` tokenizes it with the shell
//! tokenizer. Make expands `$(…)` before the shell runs, so make references become
//! shell expansions of unknown value rather than command substitutions: `$(DIR)` and
//! `$@` become `${DIR}` and `${@}`, `$(shell cmd)` becomes `$(cmd)` (it runs `cmd`),
//! other functions (`$(wildcard …)`) become an opaque `${…}`, and `$$` is the
//! shell's `$`. `define` bodies are values, never recipes.

use super::ParseError;

/// Shell text derived from the file, with the file offset of each byte.
#[derive(Debug, Clone, Default)]
pub struct Mapped {
    pub text: String,
    pub offsets: Vec<usize>,
}

impl Mapped {
    /// Appends `self.text[from..to]` (whole characters) with its offsets to `out`.
    pub fn append_range(&self, from: usize, to: usize, out: &mut Mapped) {
        out.text.push_str(&self.text[from..to]);
        out.offsets.extend_from_slice(&self.offsets[from..to]);
    }

    /// Appends `text` written in the file as `offset..=last`: each of its words spans it.
    pub fn push_str_at(&mut self, text: &str, offset: usize, last: usize) {
        self.text.push_str(text);
        let bytes = text.as_bytes();
        self.offsets.extend((0..bytes.len()).map(|i| {
            let word_ends = bytes.get(i + 1).is_none_or(u8::is_ascii_whitespace);
            if word_ends && !bytes[i].is_ascii_whitespace() {
                last
            } else {
                offset
            }
        }));
    }

    fn push(&mut self, byte: u8, offset: usize) {
        self.text.push(char::from(byte));
        self.offsets.push(offset);
    }

    /// Copies `src[from..to]` (a run of whole characters) unchanged.
    fn copy(&mut self, src: &str, from: usize, to: usize) {
        self.text.push_str(&src[from..to]);
        self.offsets.extend(from..to);
    }
}

/// `NAME = value` (any of `=`, `:=`, `::=`, `:::=`, `?=`, `+=`, `!=`), or a `define`.
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    /// The value as shell text; `!=` values are the command's output, `$(cmd)`.
    pub value: String,
    /// The whole definition.
    pub start: usize,
    pub end: usize,
}

/// One rule: its targets, prerequisites and recipe (shell command lines, in order).
#[derive(Debug, Clone, Default)]
pub struct Recipe {
    /// `test unit:` names two targets; `.PHONY:` and other special targets are kept.
    pub targets: Vec<String>,
    /// What make builds first (order-only ones after `|` included).
    pub prerequisites: Vec<String>,
    /// The rule's line, up to the end of its targets.
    pub start: usize,
    pub end: usize,
    pub lines: Vec<Mapped>,
}

/// `target: VAR = value` (also `export`ed): a variable only that target's recipe, and
/// what it builds, sees.
#[derive(Debug, Clone)]
pub struct TargetVariable {
    pub targets: Vec<String>,
    pub variable: Variable,
}

#[derive(Debug, Clone, Default)]
pub struct Makefile {
    pub recipes: Vec<Recipe>,
    pub variables: Vec<Variable>,
    pub target_variables: Vec<TargetVariable>,
    /// Files named by `include`, `-include` and `sinclude`, as written.
    pub includes: Vec<String>,
    /// `.ONESHELL:`: each recipe runs as one script, not one shell per line.
    pub oneshell: bool,
}

/// Cap on nested `$(…)` references, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

const CONDITIONALS: [&str; 4] = ["ifeq", "ifneq", "ifdef", "ifndef"];

pub fn parse_makefile(src: &str) -> Result<Makefile, ParseError> {
    let mut mk = Makefile::default();
    let lines = physical_lines(src);
    // Offsets of the open `ifeq`-style lines, and of the open `define` (with its name).
    let mut conditionals: Vec<usize> = Vec::new();
    let mut define: Option<(usize, String, usize)> = None;
    let mut define_depth = 0usize;
    let mut in_rule = false;
    let mut i = 0;
    while i < lines.len() {
        let (start, end) = lines[i];
        let line = &src[start..end];
        if let Some((def_start, name, body_start)) = &define {
            let word = first_word(line.trim_start());
            if word == "define" {
                define_depth += 1;
            } else if word == "endef" {
                define_depth -= 1;
                if define_depth == 0 {
                    let value = shell_text(src, *body_start, start.max(*body_start), false)?;
                    mk.variables.push(Variable {
                        name: name.clone(),
                        value: value.text,
                        start: *def_start,
                        end,
                    });
                    define = None;
                }
            }
            i += 1;
            continue;
        }
        let last = logical_end(src, &lines, i);
        if line.starts_with('\t') && in_rule {
            let recipe = mk.recipes.last_mut().expect("a rule is open");
            recipe
                .lines
                .push(recipe_line(src, start + 1, &lines[i..=last])?);
            i = last + 1;
            continue;
        }
        let logical_end_offset = lines[last].1;
        let text = joined(src, start, logical_end_offset);
        let code = strip_comment(&text);
        let trimmed = code.trim();
        i = last + 1;
        if trimmed.is_empty() {
            continue;
        }
        let word = first_word(trimmed);
        if CONDITIONALS.contains(&word) {
            conditionals.push(start);
            continue;
        }
        if word == "else" || word == "endif" {
            if conditionals.is_empty() {
                return Err(ParseError::new(format!("extraneous `{word}`"), start));
            }
            if word == "endif" {
                conditionals.pop();
            }
            continue;
        }
        in_rule = false;
        let unprefixed = strip_modifiers(trimmed);
        if first_word(unprefixed) == "define" {
            let name = unprefixed["define".len()..]
                .trim()
                .trim_end_matches(['=', ':', '?', '+', '!'])
                .trim()
                .to_owned();
            define = Some((start, name, logical_end_offset + 1));
            define_depth = 1;
            continue;
        }
        if matches!(word, "include" | "-include" | "sinclude") {
            let names = trimmed[word.len()..].split_whitespace();
            mk.includes.extend(names.map(str::to_owned));
            continue;
        }
        if let Some((name, op, value_at)) = assignment(unprefixed) {
            let value_start = start + value_offset(&text, unprefixed, value_at);
            let value_end = start + code.trim_end().len();
            let mut value = shell_text(src, value_start, value_end.max(value_start), false)?.text;
            if op == "!=" {
                value = format!("$({value})");
            }
            mk.variables.push(Variable {
                name: name.to_owned(),
                value,
                start,
                end: value_end.max(value_start),
            });
            continue;
        }
        let Some(colon) = rule_colon(code) else {
            continue;
        };
        let targets: Vec<String> = code[..colon]
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let after = code[colon + 1..].trim_start_matches(':');
        let after_start = code.len() - after.len();
        let specific = strip_modifiers(after.trim());
        if let Some((name, _, value_at)) = assignment(specific) {
            let value_start = start + value_offset(&text, specific, value_at);
            let value_end = (start + code.trim_end().len()).max(value_start);
            let value = shell_text(src, value_start, value_end, false)?.text;
            let variable = Variable {
                name: name.to_owned(),
                value,
                start: start + after_start + (after.len() - after.trim_start().len()),
                end: value_end,
            };
            mk.target_variables
                .push(TargetVariable { targets, variable });
            continue;
        }
        in_rule = true;
        if targets.iter().any(|t| t == ".ONESHELL") {
            mk.oneshell = true;
        }
        let semi = src[start..logical_end_offset]
            .find(';')
            .filter(|&s| s > colon && s < code.len() && !code[colon..s].contains('='));
        let prerequisites = code[after_start..semi.unwrap_or(code.len())]
            .split_whitespace()
            .filter(|p| *p != "|")
            .map(str::to_owned)
            .collect();
        let mut recipe = Recipe {
            targets,
            prerequisites,
            start,
            end: start + code[..colon].trim_end().len(),
            lines: Vec::new(),
        };
        // `target: prerequisites ; recipe`: the rest of the line is the first recipe line.
        if let Some(semi) = semi {
            let first = lines.partition_point(|&(_, e)| e < start + semi);
            recipe
                .lines
                .push(recipe_line(src, start + semi + 1, &lines[first..=last])?);
        }
        mk.recipes.push(recipe);
    }
    if let Some((at, _, _)) = define {
        return Err(ParseError::new(
            "missing `endef`, unterminated `define`",
            at,
        ));
    }
    if let Some(&at) = conditionals.last() {
        return Err(ParseError::new("missing `endif`", at));
    }
    Ok(mk)
}

/// (start, end) of each line, without its `\n` (and `\r`).
fn physical_lines(src: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in src.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        out.push((start, start + content.len()));
        start += line.len();
    }
    out
}

/// Index of the last physical line of the logical line starting at `i`
/// (a line ending in an odd number of `\` continues on the next).
fn logical_end(src: &str, lines: &[(usize, usize)], i: usize) -> usize {
    let mut j = i;
    while j + 1 < lines.len() && continues(&src[lines[j].0..lines[j].1]) {
        j += 1;
    }
    j
}

fn continues(line: &str) -> bool {
    line.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// Make's joining of a logical line: each continuation's `\` and line break become
/// blanks, so offsets in the result are offsets from `start` in the source.
fn joined(src: &str, start: usize, end: usize) -> String {
    let mut bytes = src.as_bytes()[start..end].to_vec();
    let mut from = 0;
    while let Some(nl) = bytes[from..].iter().position(|&b| b == b'\n') {
        let nl = from + nl;
        let mut at = nl;
        while at > from && matches!(bytes[at - 1], b'\r' | b'\\') {
            at -= 1;
        }
        bytes[at..=nl].fill(b' ');
        from = nl + 1;
    }
    // Only ASCII bytes were replaced, so the text is still UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

/// `text` up to an unescaped `#`.
fn strip_comment(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'#' => return &text[..i],
            _ => {}
        }
        i += 1;
    }
    text
}

fn first_word(text: &str) -> &str {
    text.split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
}

/// `export`, `override`, `private` and `unexport` before a definition.
fn strip_modifiers(mut text: &str) -> &str {
    loop {
        let word = first_word(text);
        if !matches!(word, "export" | "override" | "private" | "unexport") {
            return text;
        }
        text = text[word.len()..].trim_start();
    }
}

/// `NAME op value`: the name, the operator and the value's offset in `text`.
fn assignment(text: &str) -> Option<(&str, &'static str, usize)> {
    let name_end = text.find(|c: char| c.is_whitespace() || "=:?+!".contains(c))?;
    let name = &text[..name_end];
    if name.is_empty() || name.contains(['$', '(', ')', '%']) {
        return None;
    }
    let rest = text[name_end..].trim_start();
    let op = [":::=", "::=", ":=", "?=", "+=", "!=", "="]
        .into_iter()
        .find(|op| rest.starts_with(op))?;
    let at = text.len() - rest.len() + op.len();
    let value_at = at + (text[at..].len() - text[at..].trim_start().len());
    Some((name, op, value_at))
}

/// Offset in the logical line of a value found at `value_at` in its unprefixed, trimmed form.
fn value_offset(line: &str, unprefixed: &str, value_at: usize) -> usize {
    let base = unprefixed.as_ptr() as usize - line.as_ptr() as usize;
    base + value_at
}

/// The `:` that ends a rule's targets, outside `$(…)` and not part of an assignment.
fn rule_colon(code: &str) -> Option<usize> {
    let bytes = code.as_bytes();
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'{' => depth += 1,
            b')' | b'}' => depth = depth.saturating_sub(1),
            b'=' if depth == 0 => return None,
            b':' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// One recipe line from `from` to the end of `lines`: prefixes `@`, `-` and `+`
/// dropped, `\`-newlines kept for the shell (a continuation line's leading tab is
/// removed, as make does), make references rewritten.
fn recipe_line(src: &str, from: usize, lines: &[(usize, usize)]) -> Result<Mapped, ParseError> {
    let mut at = from;
    let end = lines.last().map_or(from, |l| l.1);
    while at < end && matches!(src.as_bytes()[at], b'@' | b'-' | b'+' | b' ' | b'\t') {
        at += 1;
    }
    // One pass over the logical line: a reference may span its continuations
    // (`$(if $(A), \` then `$(B))` on the next line), as make expands it whole.
    let mut out = Mapped::default();
    rewrite(src, at, end, true, 0, &mut out)?;
    Ok(out)
}

/// A variable's value (or a `define` body) as shell text.
fn shell_text(src: &str, from: usize, to: usize, recipe: bool) -> Result<Mapped, ParseError> {
    let mut out = Mapped::default();
    rewrite(src, from, to, recipe, 0, &mut out)?;
    Ok(out)
}

/// Copies `src[from..to]` into `out`, rewriting make references (see the module docs).
/// Outside recipes, `\`-newline continuations join with a space.
fn rewrite(
    src: &str,
    from: usize,
    to: usize,
    recipe: bool,
    depth: usize,
    out: &mut Mapped,
) -> Result<(), ParseError> {
    let bytes = src.as_bytes();
    let mut i = from;
    let mut run = from;
    while i < to {
        // A recipe's continuation line loses its leading tab, as make does.
        if recipe && bytes[i] == b'\n' && bytes.get(i + 1) == Some(&b'\t') && i + 1 < to {
            out.copy(src, run, i + 1);
            i += 2;
            run = i;
            continue;
        }
        if !recipe && bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'\n') && i + 1 < to {
            out.copy(src, run, i);
            out.push(b' ', i);
            i += 2;
            run = i;
            continue;
        }
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        out.copy(src, run, i);
        match bytes.get(i + 1).filter(|_| i + 1 < to) {
            None => {
                out.push(b'$', i);
                i += 1;
            }
            Some(b'$') => {
                out.push(b'$', i);
                i += 2;
            }
            Some(&open @ (b'(' | b'{')) => {
                let close = if open == b'(' { b')' } else { b'}' };
                let end = reference_end(bytes, i + 2, to, open, close)
                    .ok_or_else(|| ParseError::new("unterminated variable reference", i))?;
                if depth >= MAX_DEPTH {
                    return Err(ParseError::new("variable references nested too deeply", i));
                }
                reference(src, i, end, recipe, depth, out)?;
                i = end + 1;
            }
            Some(&c) => {
                // `$@`, `$<`, `$X`: one-character variable names.
                out.push(b'$', i);
                out.push(b'{', i + 1);
                out.push(neutral(c), i + 1);
                out.push(b'}', i + 1);
                i += 1 + src[i + 1..].chars().next().map_or(1, char::len_utf8);
            }
        }
        run = i;
    }
    out.copy(src, run, to.max(run));
    Ok(())
}

/// Index of the delimiter closing a reference opened just before `from`.
fn reference_end(bytes: &[u8], from: usize, to: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 1usize;
    (from..to).find(|&i| {
        if bytes[i] == open {
            depth += 1;
        } else if bytes[i] == close {
            depth -= 1;
        }
        depth == 0
    })
}

/// `$(…)` spanning `start..=end` (`end` is the closing delimiter).
fn reference(
    src: &str,
    start: usize,
    end: usize,
    recipe: bool,
    depth: usize,
    out: &mut Mapped,
) -> Result<(), ParseError> {
    let inner = &src[start + 2..end];
    let function = inner.find(char::is_whitespace).map(|at| &inner[..at]);
    if let Some("shell") = function {
        // Make runs the command: a command substitution.
        out.push(b'$', start);
        out.push(b'(', start + 1);
        let body = start + 2 + "shell".len();
        let body = body + (src[body..end].len() - src[body..end].trim_start().len());
        rewrite(src, body, end, recipe, depth + 1, out)?;
        out.push(b')', end);
        return Ok(());
    }
    out.push(b'$', start);
    out.push(b'{', start + 1);
    if function.is_some() {
        // Another function: an opaque value, with nothing the tokenizer would read as
        // quoting or nesting.
        let mut body = Mapped::default();
        rewrite(src, start + 2, end, recipe, depth + 1, &mut body)?;
        for (b, off) in body.text.bytes().zip(body.offsets) {
            out.push(neutral(b), off);
        }
    } else {
        rewrite(src, start + 2, end, recipe, depth + 1, out)?;
    }
    out.push(b'}', end);
    Ok(())
}

/// Bytes that would end or nest an opaque `${…}` in the shell become `_`; multi-byte
/// characters become `_` too, so the text stays one byte per offset.
fn neutral(b: u8) -> u8 {
    if b.is_ascii() && !b"'\"`\\{}$()\n".contains(&b) && !b.is_ascii_control() {
        b
    } else {
        b'_'
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipes(src: &str) -> Vec<Vec<String>> {
        parse_makefile(src)
            .unwrap()
            .recipes
            .iter()
            .map(|r| r.lines.iter().map(|l| l.text.clone()).collect())
            .collect()
    }

    #[test]
    fn recipe_lines_prefixes_and_continuations() {
        let src = "BUILD_DIR := build\n.PHONY: clean deploy\n\nclean:\n\t@-rm -rf $(BUILD_DIR)/\n# a comment\n\n\t+echo $$HOME $@ $<\ndeploy: build ; @kubectl apply \\\n\t-f k8s/\n\t  aws s3 sync \\\n\t  dist/ s3://$(BUCKET)\n";
        assert_eq!(
            recipes(src),
            vec![
                vec![] as Vec<String>,
                vec![
                    "rm -rf ${BUILD_DIR}/".to_owned(),
                    "echo $HOME ${@} ${<}".to_owned()
                ],
                vec![
                    "kubectl apply \\\n-f k8s/".to_owned(),
                    "aws s3 sync \\\n  dist/ s3://${BUCKET}".to_owned()
                ],
            ]
        );
    }

    #[test]
    fn references_span_continuation_lines() {
        let src = "all:\n\t$(eval x := $(if $(A), \\\n\t\t$(B), \\\n\t\t$(C)))\n\t@echo $(x)\n";
        let texts = &recipes(src)[0];
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert_eq!(texts[1], "echo ${x}");
    }

    #[test]
    fn offsets_point_at_the_file() {
        let src = "x:\n\t@rm -rf $$(ls) $(DIR)/\n";
        let mk = parse_makefile(src).unwrap();
        let line = &mk.recipes[0].lines[0];
        assert_eq!(line.text, "rm -rf $(ls) ${DIR}/");
        assert_eq!(line.text.len(), line.offsets.len());
        let at = |needle: &str| line.offsets[line.text.find(needle).unwrap()];
        assert_eq!(&src[at("rm")..at("rm") + 2], "rm");
        assert_eq!(&src[at("ls")..at("ls") + 2], "ls");
        assert_eq!(&src[at("DIR")..at("DIR") + 3], "DIR");
        assert_eq!(&src[at("/")..], "/\n");
    }

    #[test]
    fn variables_defines_conditionals_and_includes() {
        let src = "include config.mk\n-include .env\nexport AWS_REGION ?= eu-west-1\nifeq ($(ENV),prod)\n  OUT = $(CURDIR)/dist \\\n    # joined\nelse\nOUT := $(shell mktemp -d)\nendif\nTAG != git rev-parse HEAD\ndefine HELP\nclean:\n\trm -rf /\nendef\nall: ; @echo $(call f,'x')\n";
        let mk = parse_makefile(src).unwrap();
        assert_eq!(mk.includes, ["config.mk", ".env"]);
        let vars: Vec<(&str, &str)> = mk
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            vars,
            [
                ("AWS_REGION", "eu-west-1"),
                ("OUT", "${CURDIR}/dist"),
                ("OUT", "$(mktemp -d)"),
                ("TAG", "$(git rev-parse HEAD)"),
                ("HELP", "clean:\n\trm -rf /\n"),
            ]
        );
        // The `define` body is a value, not a rule.
        assert_eq!(recipes(src), vec![vec!["echo ${call f,_x_}".to_owned()]]);
        assert!(!mk.oneshell);
        assert!(parse_makefile(".ONESHELL:\n").unwrap().oneshell);
    }

    #[test]
    fn targets_prerequisites_and_target_variables() {
        let src = "test: unit integration | venv\nintegration: export AWS_PROFILE = acme-test\nunit integration::\n\tpytest\nall: ; @echo ok\n";
        let mk = parse_makefile(src).unwrap();
        let rules: Vec<(Vec<String>, Vec<String>, &str)> = (mk.recipes.iter())
            .map(|r| {
                (
                    r.targets.clone(),
                    r.prerequisites.clone(),
                    &src[r.start..r.end],
                )
            })
            .collect();
        let owned = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert_eq!(
            rules,
            [
                (
                    owned(&["test"]),
                    owned(&["unit", "integration", "venv"]),
                    "test"
                ),
                (
                    owned(&["unit", "integration"]),
                    owned(&[]),
                    "unit integration"
                ),
                (owned(&["all"]), owned(&[]), "all"),
            ]
        );
        let specific = &mk.target_variables[0];
        assert_eq!(specific.targets, ["integration"]);
        assert_eq!(
            (
                specific.variable.name.as_str(),
                specific.variable.value.as_str()
            ),
            ("AWS_PROFILE", "acme-test")
        );
        let (start, end) = (specific.variable.start, specific.variable.end);
        assert_eq!(&src[start..end], "export AWS_PROFILE = acme-test");
        assert_eq!(recipes(src)[1], ["pytest"]);
    }

    #[test]
    fn malformed_makefiles_are_located_errors() {
        for (src, at) in [
            ("a:\n\techo\ndefine X\nfoo\n", 9),
            ("ifdef X\nA = 1\n", 0),
            ("A = 1\nendif\n", 6),
            ("x:\n\techo $(FOO\n", 9),
        ] {
            let err = parse_makefile(src).unwrap_err();
            assert_eq!(err.offset, at, "{src:?}: {err:?}");
        }
        // Hostile nesting and odd bytes end in an error or a value, never a panic.
        let deep = format!("x:\n\t{}{}\n", "$(".repeat(500), ")".repeat(500));
        assert!(parse_makefile(&deep).is_err());
        for src in ["\t\t\n", "x:\\", "é:\n\t$é$\n", ":\n\t;\\\r\n", "a:;\\"] {
            let _ = parse_makefile(src);
        }
    }
}
