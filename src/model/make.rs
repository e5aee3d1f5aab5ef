//! Makefiles as shell documents: recipe lines are tokenized like a `.sh` file's
//! commands, and variable definitions are bare assignment statements, so shell
//! rules see `BUILD_DIR := build` the way they see `BUILD_DIR=build`.

use crate::parse::make::{parse_makefile, Makefile, Mapped};
use crate::parse::node::Span;
use crate::parse::shell::{Assignment, Command};

use super::script::{extract_commands, ModelCommand, ScriptMap};

/// The commands of the Makefile `text`, and the files it includes. A malformed
/// Makefile gives none (its parse error is reported with the file).
pub fn make_commands(text: &str, out: &mut Vec<ModelCommand>) -> Vec<String> {
    let Ok(makefile) = parse_makefile(text) else {
        return Vec::new();
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&start| start <= offset);
    for (pipeline, variable) in makefile.variables.iter().enumerate() {
        let span = Span::new(variable.start, variable.end);
        push(
            out,
            Command {
                argv: Vec::new(),
                words: Vec::new(),
                assignments: vec![Assignment {
                    name: variable.name.clone(),
                    value: variable.value.clone(),
                    span,
                }],
                span,
                line: line_of(variable.start),
                pipeline,
                stage: 0,
                via: None,
                inputs: Vec::new(),
                heredoc: None,
                stdin_from: None,
                in_loop: false,
                in_function: None,
                loops: Vec::new(),
            },
        );
    }
    let mut next = makefile.variables.len();
    for script in scripts(&makefile) {
        let base = out.len();
        let map = ScriptMap::from_offsets(&script.offsets);
        extract_commands(&script.text, &map, (None, None, Vec::new()), out);
        // Each script numbers its lines and pipelines from its own start.
        for command in &mut out[base..] {
            command.command.pipeline += next;
            command.command.line = line_of(command.command.span.start);
        }
        next = out[base..]
            .iter()
            .map(|c| c.command.pipeline + 1)
            .max()
            .unwrap_or(next);
    }
    makefile.includes
}

/// What one shell runs: each recipe line, or with `.ONESHELL:` each whole recipe.
fn scripts(makefile: &Makefile) -> Vec<Mapped> {
    if !makefile.oneshell {
        return makefile
            .recipes
            .iter()
            .flat_map(|r| r.lines.iter().cloned())
            .collect();
    }
    makefile
        .recipes
        .iter()
        .filter(|r| !r.lines.is_empty())
        .map(|r| {
            let mut script = Mapped::default();
            for line in &r.lines {
                if let Some(&last) = script.offsets.last() {
                    script.text.push('\n');
                    script.offsets.push(last + 1);
                }
                script.text.push_str(&line.text);
                script.offsets.extend(&line.offsets);
            }
            script
        })
        .collect()
}

fn push(out: &mut Vec<ModelCommand>, command: Command) {
    out.push(ModelCommand {
        command,
        job: None,
        step: None,
        path: Vec::new(),
        program: None,
        args: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipe_commands_are_located_in_the_makefile() {
        let src = "BUILD_DIR ?= build\n\nclean:\n\t@rm -rf $(BUILD_DIR)/ \\\n\t  dist\nnuke: ; -aws-nuke -c nuke.yml --no-dry-run | tee $@.log\n";
        let mut out = Vec::new();
        assert!(make_commands(src, &mut out).is_empty());
        let text = |span: Span| &src[span.start..span.end];
        assert_eq!(out[0].command.argv, Vec::<String>::new());
        assert_eq!(out[0].command.assignments[0].value, "build");
        assert_eq!(text(out[0].command.span), "BUILD_DIR ?= build");
        let rm = &out[1].command;
        assert_eq!(rm.argv, ["rm", "-rf", "${BUILD_DIR}/", "dist"]);
        assert_eq!(rm.words[2].expansions, ["BUILD_DIR"]);
        assert_eq!(text(rm.words[2].span), "$(BUILD_DIR)/");
        assert_eq!(text(rm.span), "rm -rf $(BUILD_DIR)/ \\\n\t  dist");
        assert_eq!(rm.line, 4);
        let nuke = &out[2];
        assert_eq!(nuke.program.as_deref(), Some("aws-nuke"));
        assert_eq!(text(nuke.command.span), "aws-nuke -c nuke.yml --no-dry-run");
        assert_eq!(out[3].command.argv, ["tee", "${@}.log"]);
        assert_eq!(text(out[3].command.words[1].span), "$@.log");
        assert_eq!(out[3].command.pipeline, nuke.command.pipeline);
        assert_ne!(rm.pipeline, nuke.command.pipeline);
    }

    #[test]
    fn oneshell_recipes_are_one_script() {
        let src = ".ONESHELL:\nclean:\n\tDIRS=$$(ls -d build-*)\n\trm -rf $$DIRS\n";
        let mut out = Vec::new();
        make_commands(src, &mut out);
        let rm = out.iter().find(|c| c.program.as_deref() == Some("rm"));
        assert!(!rm.expect("rm").command.inputs.is_empty());
    }
}
