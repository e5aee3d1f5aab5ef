//! Shell scripts inside documents: tokenized commands with file spans.
//!
//! A `run: |` block drops the YAML indentation, so offsets in the script are not
//! offsets in the file. [`ScriptMap`] anchors each script line to its place in
//! the source, which keeps command spans exact for block, plain and quoted scalars.

use serde::Serialize;

use crate::parse::node::{Node, Span};
use crate::parse::shell::{self, Command};

/// A tokenized command as policies see it (`input.commands[_]`).
#[derive(Clone, Debug, Serialize)]
pub struct ModelCommand {
    #[serde(flatten)]
    pub command: Command,
    /// Index into `input.jobs` of the CI job that runs this command, if any.
    pub job: Option<usize>,
    /// Index of the step inside that job, if any.
    pub step: Option<usize>,
    /// Content path of the scalar the script came from (empty for `.sh` files).
    pub path: Vec<serde_json::Value>,
    /// Base name of the program after wrappers (`sudo -E /usr/bin/kubectl` → `kubectl`);
    /// absent when every word is a wrapper. Computed once here so no rule recomputes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// `argv` from the program on; absent with `program`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
}

/// Commands that run the next word as the program (`sudo kubectl …`).
const WRAPPERS: [&str; 7] = ["sudo", "env", "time", "nohup", "exec", "command", "doas"];

/// A word before the program: a wrapper, a wrapper's flag, or `VAR=value`.
fn wrapper_word(word: &str) -> bool {
    let assignment = word.split_once('=').is_some_and(|(name, _)| {
        name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    WRAPPERS.contains(&word) || word.starts_with('-') || assignment
}

/// The program's base name and `argv` from it on, past wrappers.
fn program_and_args(argv: &[String]) -> Option<(String, Vec<String>)> {
    let index = argv.iter().position(|word| !wrapper_word(word))?;
    let args = argv[index..].to_vec();
    let program = args[0].rsplit('/').next().unwrap_or_default().to_owned();
    Some((program, args))
}

/// Maps byte offsets in an extracted script back to the file.
pub struct ScriptMap {
    /// (offset in script, offset in file) for the start of each located line or word.
    lines: Vec<(usize, usize)>,
    /// Where unlocated offsets go: the scalar the script came from (an alias of
    /// a script defined elsewhere is located nowhere inside its own span).
    fallback: Span,
    /// No offset maps past it: a block scalar's last line break is the parser's when
    /// the file ends inside it (or inside an unterminated quote of its script).
    end: usize,
}

impl ScriptMap {
    pub fn new(source: &str, node_span: Span, script: &str) -> Self {
        let region_end = node_span.end.min(source.len());
        let mut cursor = node_span.start.min(region_end);
        let mut lines = Vec::new();
        let mut script_offset = 0;
        let anchor = |text: &str, at: usize, cursor: &mut usize, lines: &mut Vec<_>| {
            let found = source.get(*cursor..region_end).and_then(|s| s.find(text));
            if let Some(found) = found {
                lines.push((at, *cursor + found));
                *cursor += found + text.len();
            }
            found.is_some()
        };
        for line in script.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            let trimmed = content.trim_start();
            let start = script_offset + content.len() - trimmed.len();
            // A folded (`>`) scalar joins source lines with spaces, so the script line is
            // not in the file verbatim; its words are, in order.
            if !trimmed.is_empty() && !anchor(trimmed, start, &mut cursor, &mut lines) {
                for (at, word) in words(trimmed) {
                    anchor(word, start + at, &mut cursor, &mut lines);
                }
            }
            script_offset += line.len();
        }
        ScriptMap {
            lines,
            fallback: node_span,
            end: region_end,
        }
    }

    /// For a script derived from the file byte by byte, with each byte's file offset
    /// (a Makefile recipe line: prefixes dropped, make references rewritten).
    pub fn from_offsets(offsets: &[usize]) -> Self {
        let mut lines = Vec::new();
        for (at, &offset) in offsets.iter().enumerate() {
            if at == 0 || offsets[at - 1] + 1 != offset {
                lines.push((at, offset));
            }
        }
        ScriptMap {
            lines,
            fallback: Span::new(
                offsets.first().copied().unwrap_or_default(),
                offsets.first().copied().unwrap_or_default(),
            ),
            end: usize::MAX,
        }
    }

    /// For a script that is not in the file as written (a reusable command with the
    /// invocation's parameters written in): everything is located at `span`.
    pub fn at(span: Span) -> Self {
        ScriptMap {
            lines: Vec::new(),
            fallback: span,
            end: usize::MAX,
        }
    }

    /// For a whole file, script offsets are file offsets.
    pub fn identity() -> Self {
        ScriptMap {
            lines: vec![(0, 0)],
            fallback: Span::default(),
            end: usize::MAX,
        }
    }

    pub fn map(&self, offset: usize) -> usize {
        match self.lines.partition_point(|(s, _)| *s <= offset) {
            0 => self.fallback.start,
            i => {
                let (script_start, file_start) = self.lines[i - 1];
                (file_start + (offset - script_start)).min(self.end)
            }
        }
    }

    pub fn map_span(&self, span: Span) -> Span {
        if self.lines.is_empty() {
            return self.fallback;
        }
        let start = self.map(span.start);
        let end = self.map(span.end.saturating_sub(1).max(span.start))
            + usize::from(span.end > span.start);
        Span::new(start, end.min(self.end).max(start))
    }
}

/// The variables one command sets, with their spans: `X=v` statements (a command
/// with no program) and the `X=v` words of `export`/`declare`/`typeset`/`readonly`.
/// Callers read commands in their own shape (typed, or as policy input).
pub fn set_variables<'a>(
    program: Option<&str>,
    statements: impl Iterator<Item = (&'a str, &'a str, Span)>,
    words: impl Iterator<Item = (&'a str, Span)>,
) -> Vec<(&'a str, &'a str, Span)> {
    match program {
        None => statements.collect(),
        Some("export" | "declare" | "typeset" | "readonly") => words
            .skip(1)
            .filter_map(|(text, span)| {
                let (name, value) = text.split_once('=')?;
                Some((name, value, span))
            })
            .collect(),
        Some(_) => Vec::new(),
    }
}

/// Whitespace-separated words of `line` with their byte offsets.
fn words(line: &str) -> impl Iterator<Item = (usize, &str)> {
    line.split(char::is_whitespace)
        .scan(0, |offset, word| {
            let at = *offset;
            *offset += word.len() + 1;
            Some((at, word))
        })
        .filter(|(_, word)| !word.is_empty())
}

/// Tokenizes `script` and appends its commands to `out`, with spans in file
/// offsets and `inputs` renumbered into `out`'s index space.
pub fn extract_commands(
    script: &str,
    map: &ScriptMap,
    origin: (Option<usize>, Option<usize>, Vec<serde_json::Value>),
    out: &mut Vec<ModelCommand>,
) {
    let base = out.len();
    let (job, step, path) = origin;
    for mut command in shell::parse_script(script).commands {
        command.span = map.map_span(command.span);
        for word in &mut command.words {
            word.span = map.map_span(word.span);
        }
        for assignment in &mut command.assignments {
            assignment.span = map.map_span(assignment.span);
        }
        for word in command.loops.iter_mut().flat_map(|l| &mut l.list) {
            word.span = map.map_span(word.span);
        }
        for input in &mut command.inputs {
            *input += base;
        }
        if let Some(stdin) = &mut command.stdin_from {
            *stdin += base;
        }
        let (program, args) = program_and_args(&command.argv).unzip();
        out.push(ModelCommand {
            command,
            job,
            step,
            path: path.clone(),
            program,
            args,
        });
    }
    through_wrapper_functions(&mut out[base..]);
}

/// `run() { if dry; then echo "$*"; else "$@"; fi }` then `run aws ec2 delete-snapshot …`: a
/// function of the script that runs its arguments as a command is a wrapper, and what a
/// call to it runs is its arguments.
fn through_wrapper_functions(commands: &mut [ModelCommand]) {
    let wrappers: Vec<String> = (commands.iter())
        .filter(|c| {
            c.command
                .argv
                .first()
                .is_some_and(|w| w == "$@" || w == "${@}")
        })
        .filter_map(|c| c.command.in_function.clone())
        .collect();
    if wrappers.is_empty() {
        return;
    }
    for command in commands.iter_mut() {
        let calls_wrapper = (command.args.as_ref())
            .and_then(|a| a.first())
            .is_some_and(|program| wrappers.contains(program));
        if calls_wrapper {
            let run = &command
                .args
                .as_ref()
                .map(|a| a[1..].to_vec())
                .unwrap_or_default();
            let (program, args) = program_and_args(run).unzip();
            command.program = program;
            command.args = args;
        }
    }
}

/// Commands of an exec-form argv (Kubernetes `command:` + `args:`, Cloud Build
/// `entrypoint` + `args`), each part with the content path of its field:
/// `sh -c "<script>"` runs the script; any other argv is one command, located on the array.
pub fn argv_commands(
    parts: &[(&Node, Vec<serde_json::Value>)],
    source: &str,
    job: Option<usize>,
    out: &mut Vec<ModelCommand>,
) {
    let Some((first, first_path)) = parts.first() else {
        return;
    };
    let text = |n: &Node| n.as_str().unwrap_or_default().to_owned();
    let is_shell = matches!(
        text(first).rsplit('/').next(),
        Some("sh" | "bash" | "ash" | "dash")
    );
    if is_shell {
        // `sh -c "<script>"`: the script is the argument after `-c`.
        let dash_c = |(n, _): &&(&Node, _)| text(n).starts_with('-') && text(n).contains('c');
        if let Some(pos) = parts.iter().position(|p| dash_c(&p)) {
            if let Some((script, script_path)) = parts.get(pos + 1) {
                let body = text(script);
                let map = ScriptMap::new(source, script.span, &body);
                extract_commands(&body, &map, (job, None, script_path.clone()), out);
                return;
            }
        }
    }
    // Quote each element and tokenize the joined words.
    let joined = parts
        .iter()
        .map(|(p, _)| shell_quote(&text(p)))
        .collect::<Vec<_>>()
        .join(" ");
    let span = parts
        .iter()
        .map(|(p, _)| p.span)
        .reduce(Span::cover)
        .unwrap_or_default();
    let map = ScriptMap::new("", Span::new(span.start, span.start), &joined);
    extract_commands(&joined, &map, (job, None, first_path.clone()), out);
}

fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_skips_wrappers_their_flags_and_assignments() {
        let argv = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        let program = |s: &str| program_and_args(&argv(s));
        assert_eq!(
            program("sudo -E env AWS_PROFILE=ops nohup /usr/local/bin/kubectl delete --all"),
            Some((
                "kubectl".into(),
                argv("/usr/local/bin/kubectl delete --all")
            ))
        );
        assert_eq!(
            program("time exec command doas _X1=a=b --foo aws s3 rm"),
            Some(("aws".into(), argv("aws s3 rm")))
        );
        // A wrapper flag's value is not skipped (as in policies/lib/shell.rego); the first
        // non-wrapper word is the program.
        assert_eq!(program("sudo -u root rm -rf /").unwrap().0, "root");
        // Not assignments: a leading digit, a `-` in the name, `=` first.
        assert_eq!(program("1X=a rm").unwrap().0, "1X=a");
        assert_eq!(program("A-B=c rm").unwrap().0, "A-B=c");
        assert_eq!(program("=x rm").unwrap().0, "=x");
        assert_eq!(program("dir/").unwrap().0, "");
        assert_eq!(program("sudo env FOO=1 -i"), None);
        assert_eq!(program(""), Some((String::new(), vec![String::new()])));
        assert_eq!(program_and_args(&[]), None);
    }

    #[test]
    fn block_scalar_lines_map_back_to_the_file() {
        let source =
            "steps:\n  - run: |\n      set -e\n      kubectl delete pods --all \\\n        -n ci\n";
        let script = "set -e\nkubectl delete pods --all \\\n  -n ci\n";
        let start = source.find('|').unwrap();
        let map = ScriptMap::new(source, Span::new(start, source.len()), script);
        let off = script.find("kubectl").unwrap();
        assert_eq!(&source[map.map(off)..map.map(off) + 7], "kubectl");
        let off = script.find("-n ci").unwrap();
        assert_eq!(&source[map.map(off)..map.map(off) + 5], "-n ci");
    }

    #[test]
    fn folded_scalar_words_map_back_to_their_source_lines() {
        let source = "run: >\n  kubectl get pods -o name\n  | xargs kubectl delete\n  \"$DIR\"/*\n";
        let script = "kubectl get pods -o name | xargs kubectl delete \"$DIR\"/*\n";
        let start = source.find('>').unwrap();
        let map = ScriptMap::new(source, Span::new(start, source.len()), script);
        for word in ["xargs", "delete", "\"$DIR\"/*"] {
            let off = script.find(word).unwrap();
            let span = map.map_span(Span::new(off, off + word.len()));
            assert_eq!(&source[span.start..span.end], word);
        }
        let off = script.find("kubectl delete").unwrap();
        let span = map.map_span(Span::new(off, script.trim_end().len()));
        assert_eq!(
            &source[span.start..span.end],
            "kubectl delete\n  \"$DIR\"/*"
        );
    }

    #[test]
    fn calls_to_a_wrapper_function_run_its_arguments() {
        let script = "run() {\n  if [ \"$DRY\" = 1 ]; then echo \"$*\"; else \"$@\"; fi\n}\nrun aws ec2 delete-snapshot --snapshot-id \"$id\"\nlog() { echo \"$@\"; }\nlog aws ec2 delete-snapshot\n";
        let mut out = Vec::new();
        extract_commands(
            script,
            &ScriptMap::identity(),
            (None, None, Vec::new()),
            &mut out,
        );
        let programs: Vec<(Option<&str>, Option<&str>)> = (out.iter())
            .filter(|c| {
                c.command
                    .argv
                    .first()
                    .is_some_and(|w| w == "run" || w == "log")
            })
            .map(|c| {
                (
                    c.program.as_deref(),
                    c.args.as_ref().and_then(|a| a.get(1)).map(String::as_str),
                )
            })
            .collect();
        // `log` only echoes its arguments: calling it runs `log`.
        assert_eq!(
            programs,
            [(Some("aws"), Some("ec2")), (Some("log"), Some("aws"))]
        );
    }
}
