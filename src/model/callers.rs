//! The CI jobs that run each script (`./ci/reset-db.sh`, `bash scripts/x.sh`) and
//! Makefile target (`make e2e`, `make -C infra destroy`).
//!
//! A script's commands run in its caller's context: with the job's variables and
//! credentials, on its schedule, as its test or its deploy. Before documents are
//! modelled, the scan models every CI file's jobs once and records, per script,
//! who runs it; a script's document then carries them as `input.callers`, and a
//! Makefile's targets (with what they build first) take their callers' contexts.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value as Json};

use super::ci::{ci_model, GitlabIncludes, Job, Linked};
use super::classify::classify;
use super::environment::Env;
use super::script::set_variables;
use crate::parse::node::{line_col, Span};
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
    /// The Makefile targets the job runs (`make lint unit` runs two); empty for scripts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
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
    /// What a step calling a composite action passes it (`with:`), by input name.
    #[serde(skip_serializing_if = "Json::is_null")]
    pub inputs: Json,
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
        linked: &Linked,
        read: impl Fn(&str) -> Option<String>,
    ) -> Self {
        let mut callers = Callers::default();
        if scripts.is_empty() {
            return callers;
        }
        for &(file, format) in files {
            let by_name = may_be_ci(file, format, &linked.gitlab);
            if !by_name && format != Format::Yaml {
                continue;
            }
            let Some(text) = read(file) else { continue };
            if !by_name && !may_be_azure(&text) {
                continue;
            }
            let Ok(docs) = parse(format, &text) else {
                continue;
            };
            for doc in docs {
                let kind = match classify(file, format, &doc) {
                    "yaml" if linked.gitlab.is_included(file) => "gitlab-ci",
                    kind => kind,
                };
                if !crate::kinds::is_ci(kind) {
                    continue;
                }
                let model = ci_model(kind, &doc, &text, file, linked);
                let roots = ci_roots(file);
                let root = &roots[0];
                // `uses: ./.github/actions/reset` runs the composite action there.
                for job in &model.jobs {
                    for step in &job.steps {
                        let uses = step.uses.as_deref();
                        let Some(action) = uses.and_then(|u| local_action(u, root, scripts)) else {
                            continue;
                        };
                        let at = doc.span_of_path(&path_segments(&step.path));
                        let (line, column) = line_col(&text, at.start);
                        let mut caller = caller(job, file, (line, column), [at.start, at.end]);
                        caller.inputs = step.with.clone();
                        callers.add(action, caller);
                    }
                }
                for command in &model.commands {
                    let Some(job) = command.job.and_then(|j| model.jobs.get(j)) else {
                        continue;
                    };
                    let argv = &command.command.argv;
                    let script = (roots.iter())
                        .find_map(|root| invoked_script(argv, root, scripts))
                        .map(|script| (script, Vec::new()))
                        .or_else(|| {
                            roots
                                .iter()
                                .find_map(|root| invoked_make(argv, root, scripts))
                        });
                    let Some((script, targets)) = script else {
                        continue;
                    };
                    let (line, column) = line_col(&text, command.command.span.start);
                    let span = command.command.span;
                    let mut caller = caller(job, file, (line, column), [span.start, span.end]);
                    caller.targets = targets;
                    callers.add(script, caller);
                }
            }
        }
        callers
    }

    fn add(&mut self, callee: &str, caller: Caller) {
        let list = self.by_script.entry(callee.to_owned()).or_default();
        match (list.iter_mut()).find(|c| c.file == caller.file && c.job == caller.job) {
            Some(known) => {
                for target in caller.targets {
                    if !known.targets.contains(&target) {
                        known.targets.push(target);
                    }
                }
            }
            None => list.push(caller),
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
        if kind == Some("shell") {
            for (index, caller) in callers.iter().enumerate() {
                lend_context(input, index, caller);
            }
            if !callers.is_empty() && callers.iter().all(|c| c.test && !c.deploy) {
                add_script_settings(input);
            }
        }
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

/// A script only test jobs run configures their tests: the variables it sets outside
/// functions (`DB_HOST=…`, `export DB_HOST="${DB_HOST:-…}"`, the default being what runs
/// when the job leaves it unset) are test settings, located at the assignment.
fn add_script_settings(input: &mut Json) {
    let mut settings = Vec::new();
    for command in input["commands"].as_array().into_iter().flatten() {
        if !command["in_function"].is_null() {
            continue;
        }
        let span = |at: &Json| Span::new(number(&at[0]), number(&at[1]));
        let list = |key: &str| {
            command[key]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
        };
        let set = set_variables(
            list("argv").first().and_then(Json::as_str),
            (list("assignments").iter()).filter_map(|a| {
                Some((a["name"].as_str()?, a["value"].as_str()?, span(&a["span"])))
            }),
            (list("words").iter()).filter_map(|w| Some((w["text"].as_str()?, span(&w["span"])))),
        );
        for (name, value, at) in set {
            settings.push(json!({
                "name": name,
                "value": expansion_default(name, value),
                "path": [],
                "span": [at.start, at.end],
            }));
        }
    }
    if let Some(list) = input["settings"].as_array_mut() {
        list.extend(settings);
    }
}

fn number(value: &Json) -> usize {
    value.as_u64().unwrap_or_default() as usize
}

/// `${NAME:-default}` (or `-`, `:=`, `=`) of the variable itself: the default.
fn expansion_default<'a>(name: &str, value: &'a str) -> &'a str {
    let inner = value.strip_prefix("${").and_then(|v| v.strip_suffix('}'));
    let Some(rest) = inner.and_then(|v| v.strip_prefix(name)) else {
        return value;
    };
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    rest.strip_prefix('-')
        .or_else(|| rest.strip_prefix('='))
        .unwrap_or(value)
}

/// A Makefile's targets that `caller` runs, and what they build first, run in its
/// context: as its test (unless they deploy), on its schedule, on its triggers, against
/// its environment (unless they name their own). Each
/// such job lists the caller (its index in `input.callers`) in `called_by`.
fn lend_context(input: &mut Json, index: usize, caller: &Caller) {
    let Some(jobs) = input.get("jobs").and_then(Json::as_array) else {
        return;
    };
    let goals = if caller.targets.is_empty() {
        vec![default_goal(input)]
    } else {
        caller.targets.clone()
    };
    let id_of = |j: &Json| {
        j.get("id")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut reached: Vec<usize> = Vec::new();
    let mut pending = goals;
    while let Some(target) = pending.pop() {
        let Some(j) = jobs.iter().position(|job| id_of(job) == target) else {
            continue;
        };
        if reached.contains(&j) {
            continue;
        }
        reached.push(j);
        let needs = jobs[j].get("needs").and_then(Json::as_array);
        pending.extend(
            needs
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .map(str::to_owned),
        );
    }
    let Some(jobs) = input.get_mut("jobs").and_then(Json::as_array_mut) else {
        return;
    };
    for j in reached {
        let job = &mut jobs[j];
        match job.get_mut("called_by").and_then(Json::as_array_mut) {
            Some(called_by) => called_by.push(json!(index)),
            None => job["called_by"] = json!([index]),
        }
        if caller.test && job["deploy"] != json!(true) {
            job["test"] = json!(true);
            push_new(
                &mut job["test_reasons"],
                format!("run by test job `{}`", caller.job),
            );
        }
        if caller.scheduled {
            job["scheduled"] = json!(true);
        }
        if job["env"].is_null() {
            job["env"] = json!(caller.env);
        }
        for trigger in &caller.triggers {
            push_new(&mut job["triggers"], trigger.clone());
        }
    }
}

/// `.DEFAULT_GOAL := help`, else the first target: what a bare `make` builds.
fn default_goal(input: &Json) -> String {
    let commands = input.get("commands").and_then(Json::as_array);
    let assigned = (commands.into_iter().flatten())
        .rev()
        .filter(|c| c.get("job").is_some_and(Json::is_null))
        .flat_map(|c| {
            c.get("assignments")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
        })
        .filter(|a| a.get("name").and_then(Json::as_str) == Some(".DEFAULT_GOAL"))
        .find_map(|a| a.get("value").and_then(Json::as_str));
    assigned
        .or_else(|| input.pointer("/jobs/0/id").and_then(Json::as_str))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn push_new(list: &mut Json, item: String) {
    if let Some(items) = list.as_array_mut() {
        if !items.iter().any(|i| i.as_str() == Some(&item)) {
            items.push(json!(item));
        }
    }
}

/// The Makefile among `makefiles` and the targets an argv runs: `make e2e`,
/// `make -C infra -j4 destroy`, `make -f ci.mk lint unit`, relative to `root`.
fn invoked_make<'a>(
    argv: &[String],
    root: &str,
    makefiles: &[&'a str],
) -> Option<(&'a str, Vec<String>)> {
    let mut words = argv
        .iter()
        .map(String::as_str)
        .skip_while(|w| w.contains('='));
    if !matches!(words.next()?, "make" | "gmake") {
        return None;
    }
    let (mut directory, mut file, mut targets) = (String::new(), None, Vec::new());
    while let Some(word) = words.next() {
        let value = |flag: &str, words: &mut dyn Iterator<Item = &'_ str>| match word
            .strip_prefix(flag)
            .map(|v| v.trim_start_matches('='))
        {
            Some("") => words.next().map(str::to_owned),
            other => other.map(str::to_owned),
        };
        if let Some(dir) = value("--directory", &mut words).or_else(|| value("-C", &mut words)) {
            directory = format!("{}/", dir.trim_start_matches("./").trim_end_matches('/'));
        } else if let Some(name) = value("--file", &mut words)
            .or_else(|| value("--makefile", &mut words))
            .or_else(|| value("-f", &mut words))
        {
            file = Some(name.trim_start_matches("./").to_owned());
        } else if matches!(word, "-j" | "-l" | "-I" | "-o" | "-W") {
            words.next();
        } else if !word.starts_with('-') && !word.contains('=') {
            targets.push(word.to_owned());
        }
    }
    if targets.iter().chain(&file).any(|w| w.contains('$')) || directory.contains('$') {
        return None;
    }
    let names = match file {
        Some(file) => vec![format!("{root}{directory}{file}")],
        None => ["GNUmakefile", "makefile", "Makefile"]
            .iter()
            .map(|name| format!("{root}{directory}{name}"))
            .collect(),
    };
    let makefile = names
        .iter()
        .find_map(|n| makefiles.iter().copied().find(|m| m == n))?;
    Some((makefile, targets))
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

/// Where a CI job may start, nearest first: [`ci_root`], then its parents up to the scan
/// root (a pipeline kept in `pipelines/` runs `scripts/x.sh` from the repository's root).
fn ci_roots(file: &str) -> Vec<String> {
    let mut roots = vec![ci_root(file)];
    while let Some(parent) = roots.last().and_then(|r| parent_dir(r)) {
        roots.push(parent);
    }
    roots
}

/// `a/b/` → `a/`, `a/` → `""`, `""` → none.
fn parent_dir(dir: &str) -> Option<String> {
    let trimmed = dir.strip_suffix('/')?;
    Some(
        trimmed
            .rsplit_once('/')
            .map_or_else(String::new, |(parent, _)| format!("{parent}/")),
    )
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

/// Azure Pipelines files are found by content (`is_azure_pipeline`) wherever they live; a
/// YAML file without one of these lines is none, and is not parsed here.
fn may_be_azure(text: &str) -> bool {
    [
        "- stage:",
        "- job:",
        "- deployment:",
        "- task:",
        "- bash:",
        "- checkout:",
        "- template:",
    ]
    .iter()
    .any(|line| text.contains(line))
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
        targets: Vec::new(),
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
        inputs: Json::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_defaulting_to_itself_takes_its_default() {
        let host = "db.prod.acme.io";
        assert_eq!(expansion_default("DB", "${DB:-db.prod.acme.io}"), host);
        assert_eq!(expansion_default("DB", "${DB=db.prod.acme.io}"), host);
        assert_eq!(expansion_default("DB", "${OTHER:-x}"), "${OTHER:-x}");
        assert_eq!(expansion_default("DB", "${DB:?}"), "${DB:?}");
        assert_eq!(expansion_default("DB", "plain"), "plain");
    }

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
        assert_eq!(
            ci_roots("deploy/pipelines/nightly.yml"),
            ["deploy/pipelines/", "deploy/", ""]
        );
        assert_eq!(ci_roots(".github/workflows/ci.yml"), [""]);
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
            &Linked::default(),
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

    #[test]
    fn make_invocations_name_the_makefile_and_its_targets() {
        let makefiles = ["Makefile", "services/api/GNUmakefile", "ci/release.mk"];
        let run = |words: &[&str]| {
            let argv: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            invoked_make(&argv, "", &makefiles)
        };
        let owned = |t: &[&str]| t.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert_eq!(
            run(&["make", "lint", "unit"]),
            Some(("Makefile", owned(&["lint", "unit"])))
        );
        assert_eq!(
            run(&["make", "-C", "./services/api/", "-j", "4", "test", "ENV=ci"]),
            Some(("services/api/GNUmakefile", owned(&["test"])))
        );
        assert_eq!(
            run(&["make", "--file=ci/release.mk", "-k", "publish"]),
            Some(("ci/release.mk", owned(&["publish"])))
        );
        assert_eq!(run(&["make"]), Some(("Makefile", Vec::new())));
        assert_eq!(run(&["make", "-C", "docs", "html"]), None);
        assert_eq!(run(&["make", "$TARGET"]), None);
        assert_eq!(run(&["cmake", "--build", "."]), None);
    }

    #[test]
    fn targets_run_by_a_job_and_what_they_need_take_its_context() {
        let workflow = "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  nightly-e2e:\n    steps:\n      - run: make e2e\n";
        let callers = Callers::collect(
            &[
                (".github/workflows/nightly.yml", Format::Yaml),
                ("Makefile", Format::Make),
            ],
            &["Makefile"],
            &Linked::default(),
            |_| Some(workflow.to_owned()),
        );
        let job = |id: &str, needs: &[&str], deploy: bool| json!({"id": id, "needs": needs, "deploy": deploy, "test": false, "test_reasons": [], "scheduled": false, "triggers": []});
        let mut input = json!({
            "kind": "shell",
            "file": "Makefile",
            "jobs": [job("help", &[], false), job("e2e", &["seed"], false), job("seed", &[], false), job("deploy", &[], true)],
            "commands": [],
        });
        callers.annotate(&mut input);
        let jobs = input["jobs"].as_array().unwrap();
        let contexts: Vec<(bool, bool, &Json)> = jobs
            .iter()
            .map(|j| {
                (
                    j["test"].as_bool().unwrap(),
                    j["scheduled"].as_bool().unwrap(),
                    &j["triggers"],
                )
            })
            .collect();
        assert_eq!(
            contexts,
            [
                (false, false, &json!([])),
                (true, true, &json!(["schedule"])),
                (true, true, &json!(["schedule"])),
                (false, false, &json!([])),
            ]
        );
        assert_eq!(jobs[2]["called_by"], json!([0]));
        assert_eq!(
            jobs[1]["test_reasons"],
            json!(["run by test job `nightly-e2e`"])
        );
        assert_eq!(input["callers"][0]["targets"], json!(["e2e"]));
    }

    #[test]
    fn a_bare_make_builds_the_default_goal() {
        let jobs = json!([{"id": "help"}, {"id": "all"}]);
        let goal =
            json!({"job": null, "assignments": [{"name": ".DEFAULT_GOAL", "value": "all "}]});
        let other = json!({"job": null, "assignments": [{"name": "SHELL", "value": "bash"}]});
        assert_eq!(
            default_goal(&json!({"jobs": jobs, "commands": [other]})),
            "help"
        );
        assert_eq!(
            default_goal(&json!({"jobs": jobs, "commands": [goal, other]})),
            "all"
        );
    }
}
