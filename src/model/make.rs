//! Makefiles as shell documents: recipe lines are tokenized like a `.sh` file's
//! commands, and variable definitions are bare assignment statements, so shell
//! rules see `BUILD_DIR := build` the way they see `BUILD_DIR=build`.
//!
//! Each target is a job (`input.jobs`) like a `package.json` script: named for what it
//! runs (`test-integration`, `e2e`, `nightly-reset`), with its prerequisites as
//! `needs`, its recipe's commands and its target-specific variables. The CI jobs that
//! run `make <target>` then lend it their context (see `callers`).

use crate::parse::make::{parse_makefile, Makefile, Mapped, Variable};
use crate::parse::node::Span;
use crate::parse::shell::{Assignment, Command};

use super::ci::{infer_jobs, CiModel, Job};
use super::script::{extract_commands, ModelCommand, ScriptMap};

/// The jobs and commands of the Makefile `text`, and the files it includes. A
/// malformed Makefile gives none (its parse error is reported with the file).
pub fn make_model(text: &str) -> (CiModel, Vec<String>) {
    let mut model = CiModel::default();
    let Ok(makefile) = parse_makefile(text) else {
        return (model, Vec::new());
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&start| start <= offset);
    model.jobs = target_jobs(&makefile);
    let job_of = |targets: &[String]| {
        let first = targets.iter().find(|t| is_job(t))?;
        model.jobs.iter().position(|j| &j.id == first)
    };
    let globals = makefile.variables.iter().map(|v| (None, v));
    let specific = (makefile.target_variables.iter()).map(|t| (job_of(&t.targets), &t.variable));
    let out = &mut model.commands;
    for (pipeline, (job, variable)) in globals.chain(specific).enumerate() {
        out.push(assignment_command(
            variable,
            job,
            pipeline,
            line_of(variable.start),
        ));
    }
    let mut next = out.len();
    for (targets, script) in scripts(&makefile) {
        let script = expand_programs(script, &makefile);
        let base = out.len();
        let map = ScriptMap::from_offsets(&script.offsets);
        extract_commands(&script.text, &map, (job_of(targets), None, Vec::new()), out);
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
    infer_jobs(&mut model.jobs, &model.commands);
    (model, makefile.includes)
}

/// Targets a person or CI runs: not special (`.PHONY`) and not patterns (`%.o`).
fn is_job(target: &str) -> bool {
    !target.starts_with('.') && !target.contains('%')
}

/// One job per target, at its first rule with a recipe (else its first rule), needing
/// the prerequisites of all its rules.
fn target_jobs(makefile: &Makefile) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    let mut located_at_recipe: Vec<bool> = Vec::new();
    for recipe in &makefile.recipes {
        let has_recipe = !recipe.lines.is_empty();
        for target in recipe.targets.iter().filter(|t| is_job(t)) {
            let at = jobs
                .iter()
                .position(|j| &j.id == target)
                .unwrap_or_else(|| {
                    jobs.push(Job {
                        id: target.clone(),
                        name: target.clone(),
                        ..Job::default()
                    });
                    located_at_recipe.push(false);
                    jobs.len() - 1
                });
            let job = &mut jobs[at];
            if job.span.is_none() || (has_recipe && !located_at_recipe[at]) {
                job.span = Some([recipe.start, recipe.end]);
                located_at_recipe[at] = has_recipe;
            }
            for prerequisite in &recipe.prerequisites {
                if !job.needs.contains(prerequisite) {
                    job.needs.push(prerequisite.clone());
                }
            }
        }
    }
    jobs
}

/// A variable definition as a bare assignment statement (`NAME=value`).
fn assignment_command(
    variable: &Variable,
    job: Option<usize>,
    pipeline: usize,
    line: usize,
) -> ModelCommand {
    let span = Span::new(variable.start, variable.end);
    ModelCommand {
        command: Command {
            argv: Vec::new(),
            words: Vec::new(),
            assignments: vec![Assignment {
                name: variable.name.clone(),
                value: variable.value.clone(),
                span,
            }],
            span,
            line,
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
        job,
        step: None,
        path: Vec::new(),
        program: None,
        args: None,
    }
}

/// Make expands its variables before the shell runs: `$(TF) destroy` with `TF :=
/// terraform -chdir=infra` runs `terraform`. A reference in command position to a variable
/// the file defines once, to a value with no references of its own, becomes that value,
/// located at the reference, so rules see the program. Other references stay `${NAME}`:
/// the variable definitions are the document's assignments.
fn expand_programs(script: Mapped, makefile: &Makefile) -> Mapped {
    let value_of = |name: &str| {
        let mut definitions = (makefile.variables.iter()).filter(|v| v.name == name);
        let only = definitions
            .next()
            .filter(|_| definitions.next().is_none())?;
        let target_specific = (makefile.target_variables.iter()).any(|t| t.variable.name == name);
        let value = only.value.trim();
        (!target_specific && !value.is_empty() && !value.contains(['$', '`'])).then_some(value)
    };
    let text = &script.text;
    let mut out = Mapped::default();
    let mut copied = 0;
    for (at, _) in text.match_indices("${") {
        let Some(len) = text[at + 2..].find('}') else {
            continue;
        };
        let name = &text[at + 2..at + 2 + len];
        let end = at + 2 + len;
        // `$(NAME)` in the Makefile, not the shell's own `$${NAME}`.
        let from_make =
            script.offsets.get(at + 1) == script.offsets.get(at).map(|o| o + 1).as_ref();
        let Some(value) = value_of(name).filter(|_| from_make && command_position(&text[..at]))
        else {
            continue;
        };
        if at < copied {
            continue;
        }
        script.append_range(copied, at, &mut out);
        out.push_str_at(value, script.offsets[at], script.offsets[end]);
        copied = end + 1;
    }
    if copied == 0 {
        return script;
    }
    script.append_range(copied, text.len(), &mut out);
    out
}

/// Whether the shell text before a word ends where a command starts: the line's start
/// (after make's `@`, `-`, `+` prefixes), or after `&&`, `||`, `;`, `|`, `(`, `then`, `do`.
fn command_position(before: &str) -> bool {
    let line = before.rsplit('\n').next().unwrap_or(before);
    let trimmed = line.trim_end();
    trimmed
        .trim_start()
        .chars()
        .all(|c| matches!(c, '@' | '-' | '+'))
        || ["&&", "||", ";", "|", "(", " then", " do"]
            .iter()
            .any(|end| trimmed.ends_with(end))
}

/// What one shell runs, with the targets of its rule: each recipe line, or with
/// `.ONESHELL:` each whole recipe.
fn scripts(makefile: &Makefile) -> Vec<(&[String], Mapped)> {
    let recipes = makefile.recipes.iter().filter(|r| !r.lines.is_empty());
    if !makefile.oneshell {
        return recipes
            .flat_map(|r| r.lines.iter().map(|l| (r.targets.as_slice(), l.clone())))
            .collect();
    }
    recipes
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
            (r.targets.as_slice(), script)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_in_command_position_are_the_program_they_hold() {
        let src = "TF := terraform -chdir=infra\nKUBECTL ?= kubectl\nTWICE = a\nTWICE = b\nENV ?= prod\n\nnuke:\n\t$(TF) destroy -auto-approve -var-file=env/$(ENV).tfvars\n\tcd k8s && $(KUBECTL) delete ns $(ENV)\n\t$(TWICE) x\n\techo $$TF\n";
        let (model, _) = make_model(src);
        let argv = |i: usize| model.commands[i].command.argv.clone();
        let recipes: Vec<Vec<String>> = (5..10).map(argv).collect();
        assert_eq!(
            recipes,
            [
                vec![
                    "terraform",
                    "-chdir=infra",
                    "destroy",
                    "-auto-approve",
                    "-var-file=env/${ENV}.tfvars"
                ],
                vec!["cd", "k8s"],
                vec!["kubectl", "delete", "ns", "${ENV}"],
                // Defined twice: which value holds depends on the order make reads.
                vec!["${TWICE}", "x"],
                vec!["echo", "$TF"],
            ]
        );
        let destroy = &model.commands[5].command;
        assert_eq!(
            &src[destroy.words[0].span.start..destroy.words[0].span.end],
            "$(TF)"
        );
        assert_eq!(model.commands[5].program.as_deref(), Some("terraform"));
    }

    #[test]
    fn recipe_commands_are_located_in_the_makefile() {
        let src = "BUILD_DIR ?= build\n\nclean:\n\t@rm -rf $(BUILD_DIR)/ \\\n\t  dist\nnuke: ; -aws-nuke -c nuke.yml --no-dry-run | tee $@.log\n";
        let (model, includes) = make_model(src);
        assert!(includes.is_empty());
        let out = model.commands;
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
        let out = make_model(src).0.commands;
        let rm = out.iter().find(|c| c.program.as_deref() == Some("rm"));
        assert!(!rm.expect("rm").command.inputs.is_empty());
    }
}
