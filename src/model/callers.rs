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
                let root = ci_root(file);
                // `uses: ./.github/actions/reset` runs the composite action there.
                for job in &model.jobs {
                    for step in &job.steps {
                        let uses = step.uses.as_deref();
                        let Some(action) = uses.and_then(|u| local_action(u, &root, scripts))
                        else {
                            continue;
                        };
                        let at = doc.span_of_path(&path_segments(&step.path));
                        let (line, column) = line_col(&text, at.start);
                        callers.add(
                            action,
                            caller(job, file, (line, column), [at.start, at.end]),
                        );
                    }
                }
                for command in &model.commands {
                    let Some(job) = command.job.and_then(|j| model.jobs.get(j)) else {
                        continue;
                    };
                    let Some(script) = invoked_script(&command.command.argv, &root, scripts) else {
                        continue;
                    };
                    let (line, column) = line_col(&text, command.command.span.start);
                    let span = command.command.span;
                    let caller = caller(job, file, (line, column), [span.start, span.end]);
                    callers.add(script, caller);
                }
            }
        }
        callers
    }

    fn add(&mut self, callee: &str, caller: Caller) {
        let list = self.by_script.entry(callee.to_owned()).or_default();
        if !list
            .iter()
            .any(|c| c.file == caller.file && c.job == caller.job)
        {
            list.push(caller);
        }
    }

    /// Adds `callers` to the input of a script or a composite action (`[]` when no
    /// CI job runs it). A composite action's job runs inside its callers' jobs: it is
    /// a test when they all are, scheduled when one is.
    pub fn annotate(&self, input: &mut Json) {
        let kind = input.get("kind").and_then(Json::as_str);
        let composite = kind == Some("github-actions")
            && input.pointer("/jobs/0/path/0").and_then(Json::as_str) == Some("runs");
        if kind != Some("shell") && !composite {
            return;
        }
        let file = input.get("file").and_then(Json::as_str).unwrap_or_default();
        let callers = self.by_script.get(file).cloned().unwrap_or_default();
        let job = input
            .pointer_mut("/jobs/0")
            .filter(|_| composite && !callers.is_empty());
        if let Some(job) = job {
            if callers.iter().all(|c| c.test) {
                let reasons: Vec<String> = (callers.iter())
                    .map(|c| format!("used by test job `{}`", c.job))
                    .collect();
                job["test"] = json!(true);
                job["test_reasons"] = json!(reasons);
            }
            job["scheduled"] = json!(callers.iter().any(|c| c.scheduled));
        }
        if let Some(map) = input.as_object_mut() {
            map.insert("callers".into(), json!(callers));
        }
    }
}

/// The composite action among `callees` a step's `uses: ./path` names.
fn local_action<'a>(uses: &str, root: &str, callees: &[&'a str]) -> Option<&'a str> {
    let directory = uses.strip_prefix("./")?.trim_end_matches('/');
    let names = [
        format!("{root}{directory}/action.yml"),
        format!("{root}{directory}/action.yaml"),
    ];
    callees
        .iter()
        .copied()
        .find(|c| names.iter().any(|n| c == n))
}

/// The directory a CI file's jobs start in (the checkout's root): the one holding
/// `.github/`, `.gitlab/`, `.circleci/`, … for files inside those, else the file's own
/// (`Jenkinsfile`, `.travis.yml`, `buildspec.yml` sit at the root they build), with a
/// trailing `/` (`""` for the scan root).
fn ci_root(file: &str) -> String {
    for marker in [
        ".github/",
        ".gitlab/",
        ".circleci/",
        ".buildkite/",
        ".woodpecker/",
        ".azure-pipelines/",
        ".azuredevops/",
    ] {
        if let Some(at) = file
            .find(marker)
            .filter(|&at| at == 0 || file[..at].ends_with('/'))
        {
            return file[..at].to_owned();
        }
    }
    file.rsplit_once('/')
        .map_or_else(String::new, |(dir, _)| format!("{dir}/"))
}

fn path_segments(path: &[Json]) -> Vec<crate::parse::node::PathSeg> {
    crate::parse::node::path_from_json(&Json::Array(path.to_vec())).unwrap_or_default()
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
/// relative to `root`, where the CI job starts.
fn invoked_script<'a>(argv: &[String], root: &str, scripts: &[&'a str]) -> Option<&'a str> {
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
    let path = format!("{root}{target}");
    scripts.iter().copied().find(|s| *s == path)
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
        let run = |words: &[&str], root: &str| {
            let argv: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            invoked_script(&argv, root, &scripts)
        };
        assert_eq!(run(&["./ci/reset-db.sh"], ""), Some("ci/reset-db.sh"));
        let purge = run(&["bash", "-eu", "scripts/purge.sh", "prod"], "tools/");
        assert_eq!(purge, Some("tools/scripts/purge.sh"));
        assert_eq!(
            run(&["DRY=1", "ci/reset-db.sh"], ""),
            Some("ci/reset-db.sh")
        );
        // Another directory's script of the same name is not this one.
        assert_eq!(run(&["./scripts/purge.sh"], ""), None);
        assert_eq!(run(&["./$SCRIPT"], ""), None);
        assert_eq!(run(&["make", "reset"], ""), None);
        assert_eq!(
            ci_root("services/api/.github/workflows/ci.yml"),
            "services/api/"
        );
        assert_eq!(ci_root("tools/Jenkinsfile"), "tools/");
        assert_eq!(ci_root(".gitlab-ci.yml"), "");
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
