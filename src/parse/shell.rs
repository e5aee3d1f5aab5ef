//! TEMPORARY compile stub; replaced by the real tokenizer.
use super::node::Span;
use serde::Serialize;
#[derive(Debug, Clone, Serialize)]
pub struct Script { pub commands: Vec<Command> }
#[derive(Debug, Clone, Serialize)]
pub struct Command { pub argv: Vec<String>, pub words: Vec<Word>, pub assignments: Vec<Assignment>, pub span: Span, pub line: usize, pub pipeline: usize, pub stage: usize, pub via: Option<String>, pub inputs: Vec<usize>, pub heredoc: Option<String>, pub stdin_from: Option<usize>, pub in_loop: bool, pub in_function: Option<String> }
#[derive(Debug, Clone, Serialize)]
pub struct Word { pub text: String, pub span: Span, pub quoted: bool, pub expansions: Vec<String>, pub glob: bool }
#[derive(Debug, Clone, Serialize)]
pub struct Assignment { pub name: String, pub value: String, pub span: Span }
pub fn parse_script(script: &str) -> Script {
    let mut commands = Vec::new();
    let mut offset = 0;
    for (i, line) in script.split_inclusive('\n').enumerate() {
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') {
            let start = offset + line.find(t).unwrap_or(0);
            let words: Vec<Word> = t.split_whitespace().map(|w| Word { text: w.to_string(), span: Span::new(start, start + t.len()), quoted: false, expansions: vec![], glob: false }).collect();
            commands.push(Command { argv: words.iter().map(|w| w.text.clone()).collect(), words, assignments: vec![], span: Span::new(start, start + t.len()), line: i + 1, pipeline: i, stage: 0, via: None, inputs: vec![], heredoc: None, stdin_from: None, in_loop: false, in_function: None });
        }
        offset += line.len();
    }
    Script { commands }
}
