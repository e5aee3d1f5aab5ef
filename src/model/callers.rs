//! The CI jobs that run each script (`./ci/reset-db.sh`, `bash scripts/x.sh`).
//!
//! A script's commands run in its caller's context: with the job's variables and
//! credentials, on its schedule, as its test or its deploy. Before documents are
//! modelled, the scan models every CI file's jobs once and records, per script,
//! who runs it; a script's document then carries them as `input.callers`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value as Json};

use super::ci::{ci_model, GitlabIncludes, Job};
use super::classify::classify;
use super::environment::Env;
use crate::parse::node::line_col;
use crate::parse::{parse, Format};

/// A CI job that runs a script, as the script sees it.
#[derive(Clone, Debug, Serialize)]
pub struct Caller {
    /// Where the job runs the script: the CI file and the command's position.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub span: [usize; 2],
    pub job: String,
    pub test: bool,
    pub test_reasons: Vec<String>,
    pub deploy: bool,
    pub scheduled: bool,
    pub env: Option<Env>,
    pub triggers: Vec<String>,
    /// Variables the job sets: `{name, value, env}`.
    pub variables: Vec<Json>,
    /// Secrets the job binds or reads: `{name, variable, env}`.
    pub secrets: Vec<Json>,
}

/// Per script path, the jobs that run it.
#[derive(Default)]
pub struct Callers {
    by_script: BTreeMap<String, Vec<Caller>>,
}

/// Wrappers that run their script argument: `bash -eu x.sh`, `source x.sh`.
const INTERPRETERS: &[&str] = &["bash", "sh", "zsh", "source", ".", "exec"];

impl Callers {
    /// Models the CI files among `files` (display path and format) and records the
    /// jobs that run one of `scripts`.
    pub fn collect(
        files: &[(&str, Format)],
        scripts: &[&str],
        gitlab: &GitlabIncludes,
        read: impl Fn(&str) -> Option<String>,
    ) -> Self {
        let mut callers = Callers::default();
        if scripts.is_empty() {
            return callers;
        }
        for &(file, format) in files {
            if !may_be_ci(file, format, gitlab) {
                continue;
            }
            let Some(text) = read(file) else { continue };
            let Ok(docs) = parse(format, &text) else {
                continue;
            };
            for doc in docs {
                let kind = match classify(file, format, &doc) {
                    "yaml" if gitlab.is_included(file) => "gitlab-ci",
                    kind => kind,
                };
                if !crate::kinds::is_ci(kind) {
                    continue;
                }
                let model = ci_model(kind, &doc, &text, file, gitlab);
                for command in &model.commands {
                    let Some(job) = command.job.and_then(|j| model.jobs.get(j)) else {
                        continue;
                    };
                    let Some(script) = invoked_script(&command.command.argv, scripts) else {
                        continue;
                    };
                    let (line, column) = line_col(&text, command.command.span.start);
                    let span = command.command.span;
                    let caller = caller(job, file, (line, column), [span.start, span.end]);
                    let list = callers.by_script.entry(script.to_owned()).or_default();
                    if !list
                        .iter()
                        .any(|c| c.file == caller.file && c.job == caller.job)
                    {
                        list.push(caller);
                    }
                }
            }
        }
        callers
    }

    /// Adds `callers` to a script document's input (`[]` when no CI job runs it).
    pub fn annotate(&self, input: &mut Json) {
        if input.get("kind").and_then(Json::as_str) != Some("shell") {
            return;
        }
        let file = input.get("file").and_then(Json::as_str).unwrap_or_default();
        let callers = self.by_script.get(file).cloned().unwrap_or_default();
        if let Some(map) = input.as_object_mut() {
            map.insert("callers".into(), json!(callers));
        }
    }
}

/// CI files by path, before parsing; content-classified CI kinds by name.
fn may_be_ci(file: &str, format: Format, gitlab: &GitlabIncludes) -> bool {
    let unread = crate::parse::Node::str("", crate::parse::node::Span::default());
    let name = file.rsplit('/').next().unwrap_or(file).to_ascii_lowercase();
    matches!(format, Format::Yaml | Format::Json | Format::Groovy)
        && (crate::kinds::is_ci(classify(file, format, &unread))
            || gitlab.is_included(file)
            || name.starts_with("cloudbuild")
            || name.starts_with("buildspec"))
}

/// The script among `scripts` an argv runs: `./ci/x.sh`, `ci/x.sh`, `bash -e ci/x.sh`,
/// relative to the repository root where CI jobs start.
fn invoked_script<'a>(argv: &[String], scripts: &[&'a str]) -> Option<&'a str> {
    let mut words = argv
        .iter()
        .map(String::as_str)
        .skip_while(|w| w.contains('='));
    let first = words.next()?;
    let target = if INTERPRETERS.contains(&first) {
        words.find(|w| !w.starts_with('-'))?
    } else {
        first
    };
    let target = target.trim_start_matches("./");
    if target.is_empty() || target.contains('$') {
        return None;
    }
    scripts
        .iter()
        .copied()
        .find(|s| *s == target || s.ends_with(&format!("/{target}")))
}

fn caller(job: &Job, file: &str, (line, column): (usize, usize), span: [usize; 2]) -> Caller {
    Caller {
        file: file.to_owned(),
        line,
        column,
        span,
        job: job.name.clone(),
        test: job.test,
        test_reasons: job.test_reasons.clone(),
        deploy: job.deploy,
        scheduled: job.scheduled,
        env: job.env,
        triggers: job.triggers.clone(),
        variables: (job.variables.iter())
            .map(|v| json!({"name": v.name, "value": v.value, "env": v.env}))
            .collect(),
        secrets: (job.secrets.iter())
            .map(|s| json!({"name": s.name, "variable": s.variable, "env": s.env}))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_run_directly_or_through_an_interpreter() {
        let scripts = ["ci/reset-db.sh", "tools/scripts/purge.sh"];
        let argv = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert_eq!(
            invoked_script(&argv(&["./ci/reset-db.sh"]), &scripts),
            Some("ci/reset-db.sh")
        );
        assert_eq!(
            invoked_script(
                &argv(&["bash", "-eu", "scripts/purge.sh", "prod"]),
                &scripts
            ),
            Some("tools/scripts/purge.sh")
        );
        assert_eq!(
            invoked_script(&argv(&["DRY=1", "ci/reset-db.sh"]), &scripts),
            Some("ci/reset-db.sh")
        );
        assert_eq!(invoked_script(&argv(&["./$SCRIPT"]), &scripts), None);
        assert_eq!(invoked_script(&argv(&["make", "reset"]), &scripts), None);
    }

    #[test]
    fn a_job_that_runs_a_script_is_its_caller() {
        let workflow = "on: pull_request\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n    env:\n      DATABASE_URL: ${{ secrets.PROD_DATABASE_URL }}\n    steps:\n      - run: ./ci/reset-db.sh\n";
        let callers = Callers::collect(
            &[
                (".github/workflows/e2e.yml", Format::Yaml),
                ("ci/reset-db.sh", Format::Shell),
            ],
            &["ci/reset-db.sh"],
            &GitlabIncludes::default(),
            |_| Some(workflow.to_owned()),
        );
        let mut input = json!({"kind": "shell", "file": "ci/reset-db.sh"});
        callers.annotate(&mut input);
        let caller = &input["callers"][0];
        assert_eq!(
            (caller["job"].as_str(), caller["test"].as_bool()),
            (Some("e2e"), Some(true))
        );
        assert_eq!(caller["line"], 8);
        assert_eq!(caller["secrets"][0]["name"], "PROD_DATABASE_URL");
        assert_eq!(caller["secrets"][0]["env"], "prod");
    }
}
