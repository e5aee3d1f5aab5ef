//! Templates and reusable workflows a pipeline calls with parameters: an Azure Pipelines
//! `template:` entry with `parameters:`, a GitHub job `uses: ./.github/workflows/x.yml`
//! with `with:`.
//!
//! A value the caller passes binds credentials where the called file uses it: a variable
//! group, a service connection or a deployment environment named `${{ parameters.x }}` or
//! `${{ inputs.x }}`. Before any file is modelled, the scan reads each called file once
//! and records what each of its parameters becomes and whether its jobs run tests. The
//! calling job then holds the binding at the line that passes the value (where a reviewer
//! sees `variableGroup: prod-secrets` handed to a test stage), with the called file's line
//! as its origin.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use super::infer::{infer_contexts, named_deploy};
use super::{child, key, string_list, CiModel, Job, Linked, Origin, Reference};
use crate::model::environment::env_of_name;
use crate::parse::node::{line_col, path_from_json, Node};
use crate::parse::{parse, Format};

/// Per called file, what its parameters become.
#[derive(Debug, Default)]
pub struct Templates {
    by_file: BTreeMap<String, Summary>,
    /// Caller → the files it calls.
    calls: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, Default)]
struct Summary {
    /// Parameter name → the credential bindings it names.
    bindings: BTreeMap<String, Vec<Binding>>,
    /// Why the called file's jobs are tests (``template job `integration`: runs `dotnet test` ``).
    test_reasons: Vec<String>,
}

#[derive(Clone, Debug)]
struct Binding {
    via: &'static str,
    origin: Origin,
}

impl Templates {
    /// Reads the files that GitHub workflows and Azure pipelines among `files` call with
    /// parameters. `read` gives a listed file's text.
    pub fn collect(files: &[(&str, Format)], read: impl Fn(&str) -> Option<String>) -> Self {
        let mut templates = Templates::default();
        for &(file, format) in files {
            if format != Format::Yaml {
                continue;
            }
            let github = is_workflow(file);
            let Some(text) = read(file) else { continue };
            let calls = if github { "uses: ./" } else { "template:" };
            if !text.contains(calls) {
                continue;
            }
            let Ok(docs) = parse(format, &text) else {
                continue;
            };
            for doc in &docs {
                for callee in called_files(github, doc, file) {
                    if !templates.by_file.contains_key(&callee) {
                        let Some(called) = read(&callee) else {
                            continue;
                        };
                        let summary = summarize(github, &callee, &called);
                        templates.by_file.insert(callee.clone(), summary);
                    }
                    let calls = templates.calls.entry(file.to_owned()).or_default();
                    if !calls.contains(&callee) {
                        calls.push(callee);
                    }
                }
            }
        }
        templates
    }

    /// The files whose contents `file`'s model reads: those it calls, and itself when called.
    pub fn read_by(&self, file: &str) -> impl Iterator<Item = &str> {
        let called = self.by_file.get_key_value(file).map(|(k, _)| k.as_str());
        let calls = self.calls.get(file).into_iter().flatten();
        called.into_iter().chain(calls.map(String::as_str))
    }

    /// Binds, in `model` (the jobs of `doc`, a GitHub workflow or Azure pipeline at `file`),
    /// the values each call passes to what the called file does with them.
    pub(super) fn bind(&self, kind: &str, doc: &Node, file: &str, model: &mut CiModel) {
        if self.by_file.is_empty() {
            return;
        }
        match kind {
            "github-actions" => self.bind_reusable_calls(doc, file, model),
            "azure-pipelines" => self.bind_azure_templates(doc, file, model),
            _ => {}
        }
    }

    fn bind_reusable_calls(&self, doc: &Node, file: &str, model: &mut CiModel) {
        for job in &mut model.jobs {
            let call = job.steps.iter().find(|s| s.path == job.path);
            let Some(uses) = call.and_then(|s| s.uses.as_deref()) else {
                continue;
            };
            let Some(summary) = self.by_file.get(&workflow_path(file, uses)) else {
                continue;
            };
            let with_path = child(&job.path, key("with"));
            let with = descend(doc, &with_path);
            bind_parameters(summary, with, &with_path, job);
            lend_tests(summary, job);
        }
    }

    fn bind_azure_templates(&self, doc: &Node, file: &str, model: &mut CiModel) {
        for (entry, path, stage) in template_entries(doc) {
            let Some(template) = entry.get("template").and_then(Node::as_str) else {
                continue;
            };
            let Some(summary) = self.by_file.get(&template_path(file, template)) else {
                continue;
            };
            let parameters = entry.get("parameters");
            let named = [
                "stageName",
                "jobName",
                "name",
                "stage",
                "job",
                "displayName",
            ]
            .iter()
            .find_map(|k| parameters.and_then(|p| p.get(k)).and_then(Node::as_str));
            let stem = template.rsplit('/').next().unwrap_or(template);
            let id = named.unwrap_or(stem.split('.').next().unwrap_or(stem));
            let depends = parameters.and_then(|p| p.get("dependsOn"));
            let mut job = Job {
                id: id.to_owned(),
                name: id.to_owned(),
                stage: stage
                    .or(named.filter(|_| path.len() == 2))
                    .map(str::to_owned),
                needs: string_list(depends.or_else(|| entry.get("dependsOn"))),
                scheduled: doc.get("schedules").is_some(),
                triggers: super::azure::triggers(doc),
                ..Job::default()
            };
            bind_parameters(
                summary,
                parameters,
                &child(&path, key("parameters")),
                &mut job,
            );
            infer_contexts(&mut job);
            lend_tests(summary, &mut job);
            job.path = path;
            model.jobs.push(job);
        }
    }
}

/// `.github/workflows/x.yml` files, wherever the repository is.
fn is_workflow(file: &str) -> bool {
    file.starts_with(".github/workflows/") || file.contains("/.github/workflows/")
}

/// The repository's files a document calls: GitHub `jobs.*.uses: ./…`, Azure `template:`
/// entries anywhere (stages, jobs, steps, variables) that name a file of this repository.
fn called_files(github: bool, doc: &Node, file: &str) -> Vec<String> {
    if github {
        let jobs = doc.get("jobs").and_then(Node::as_map).unwrap_or_default();
        return (jobs.iter())
            .filter_map(|(_, job)| job.get("uses").and_then(Node::as_str))
            .filter(|uses| uses.starts_with("./"))
            .map(|uses| workflow_path(file, uses))
            .collect();
    }
    template_entries(doc)
        .into_iter()
        .filter_map(|(entry, _, _)| entry.get("template").and_then(Node::as_str))
        .filter(|t| !t.contains('@'))
        .map(|t| template_path(file, t))
        .collect()
}

/// `./.github/workflows/e2e.yml` called from `svc/.github/workflows/ci.yml` is
/// `svc/.github/workflows/e2e.yml`.
fn workflow_path(file: &str, uses: &str) -> String {
    let root = file.find(".github/workflows/").map_or("", |at| &file[..at]);
    normalize(&format!("{root}{}", uses.trim_start_matches("./")))
}

/// An Azure template path is relative to the file naming it; a leading `/` is the
/// repository root.
fn template_path(file: &str, template: &str) -> String {
    match template.strip_prefix('/') {
        Some(rooted) => normalize(rooted),
        None => {
            let dir = file.rsplit_once('/').map_or("", |(dir, _)| dir);
            normalize(&format!("{dir}/{template}"))
        }
    }
}

/// Resolves `.` and `..` segments.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// Azure `template:` entries of stages and jobs, with their content path and the stage
/// they sit in: `stages[i]`, `stages[i].jobs[j]`, `jobs[j]`.
fn template_entries(doc: &Node) -> Vec<(&Node, Vec<Json>, Option<&str>)> {
    fn seq<'a>(node: &'a Node, k: &str) -> &'a [Node] {
        node.get(k).and_then(Node::as_seq).unwrap_or_default()
    }
    let mut entries = Vec::new();
    for (s, stage) in seq(doc, "stages").iter().enumerate() {
        let stage_path = vec![key("stages"), json!(s)];
        if stage.get("template").is_some() {
            entries.push((stage, stage_path.clone(), None));
        }
        let stage_name = stage.get("stage").and_then(Node::as_str);
        for (j, job) in seq(stage, "jobs").iter().enumerate() {
            if job.get("template").is_some() {
                let path = child(&child(&stage_path, key("jobs")), json!(j));
                entries.push((job, path, stage_name));
            }
        }
    }
    for (j, job) in seq(doc, "jobs").iter().enumerate() {
        if job.get("template").is_some() {
            entries.push((job, vec![key("jobs"), json!(j)], None));
        }
    }
    entries
}

/// What the called file at `file` does with its parameters, and whether it runs tests.
fn summarize(github: bool, file: &str, text: &str) -> Summary {
    let kind = if github {
        "github-actions"
    } else {
        "azure-pipelines"
    };
    let mut summary = Summary::default();
    let Ok(docs) = parse(Format::Yaml, text) else {
        return summary;
    };
    for doc in &docs {
        let model = super::ci_model(kind, doc, text, file, &Linked::default());
        for job in &model.jobs {
            if let Some(reason) = test_reason(job) {
                summary.test_reasons.push(reason);
            }
            let environment = job.environment.as_deref().and_then(parameter_name);
            let bindings = environment
                .map(|name| (name, "environment", child(&job.path, key("environment"))))
                .into_iter()
                .chain(job.contexts.iter().filter_map(|context| {
                    let name = parameter_name(&context.name)?;
                    Some((name, context.via, context.path.clone()))
                }));
            for (name, via, path) in bindings {
                let segments = path_from_json(&Json::Array(path)).unwrap_or_default();
                let span = doc.span_of_path(&segments);
                let (line, column) = line_col(text, span.start);
                let origin = Origin {
                    file: file.to_owned(),
                    line,
                    column,
                    span: [span.start, span.end],
                };
                let list = summary.bindings.entry(name.to_owned()).or_default();
                list.push(Binding { via, origin });
            }
        }
    }
    summary
}

/// Why a called job is a test, as its caller's reason: the runner it runs, else its name.
/// Its triggers are the caller's, and a job named for a deploy is none.
fn test_reason(job: &Job) -> Option<String> {
    if named_deploy(job) {
        return None;
    }
    let runs = job.test_reasons.iter().find(|r| r.starts_with("runs "));
    let named =
        (job.test_reasons.iter()).any(|r| r.starts_with("job name") || r.starts_with("stage"));
    match runs {
        Some(runs) => Some(format!("template job `{}` {runs}", job.id)),
        None => named.then(|| format!("template job `{}`", job.id)),
    }
}

/// `x` of a value that is exactly `${{ parameters.x }}` or `${{ inputs.x }}`.
fn parameter_name(value: &str) -> Option<&str> {
    let inner = value.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let name = (inner.strip_prefix("parameters.")).or_else(|| inner.strip_prefix("inputs."))?;
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    (plain && !name.is_empty()).then_some(name)
}

/// The node at a content path, if every segment exists.
fn descend<'a>(doc: &'a Node, path: &[Json]) -> Option<&'a Node> {
    let segments = path_from_json(&Json::Array(path.to_vec()))?;
    let (node, depth) = doc.descend(&segments);
    (depth == segments.len()).then_some(node)
}

/// Each value the caller passes (`parameters`/`with` at `path`) to a parameter the called
/// file binds credentials with becomes the job's binding, located where it is passed.
fn bind_parameters(summary: &Summary, passed: Option<&Node>, path: &[Json], job: &mut Job) {
    for (name, value) in passed.and_then(Node::as_map).unwrap_or_default() {
        let Some(value) = value.as_str() else {
            continue;
        };
        for binding in summary.bindings.get(&name.name).into_iter().flatten() {
            let path = child(path, key(&name.name));
            // A parameter used twice (two tasks log in with it) is one binding where passed.
            if (job.contexts.iter()).any(|c| c.path == path && c.via == binding.via) {
                continue;
            }
            job.contexts.push(Reference {
                name: value.to_owned(),
                path,
                env: env_of_name(value),
                via: binding.via,
                origin: Some(binding.origin.clone()),
            });
        }
    }
}

/// A job that calls a file whose jobs run tests is a test, unless it deploys.
fn lend_tests(summary: &Summary, job: &mut Job) {
    if summary.test_reasons.is_empty() || named_deploy(job) {
        return;
    }
    for reason in &summary.test_reasons {
        if !job.test_reasons.contains(reason) {
            job.test_reasons.push(reason.clone());
        }
    }
    job.test = !job.deploy;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::environment::Env;

    #[test]
    fn parameter_references_name_the_parameter() {
        assert_eq!(
            parameter_name("${{ parameters.variableGroup }}"),
            Some("variableGroup")
        );
        assert_eq!(
            parameter_name("${{inputs.environment}}"),
            Some("environment")
        );
        assert_eq!(parameter_name("prod-${{ inputs.environment }}"), None);
        assert_eq!(parameter_name("${{ inputs.a || 'b' }}"), None);
        assert_eq!(parameter_name("production"), None);
    }

    fn linked(files: &[(&str, &str)]) -> Linked {
        let listed: Vec<(&str, Format)> = files.iter().map(|(f, _)| (*f, Format::Yaml)).collect();
        let read = |p: &str| {
            files
                .iter()
                .find(|(f, _)| *f == p)
                .map(|(_, t)| t.to_string())
        };
        Linked {
            templates: Templates::collect(&listed, read),
            ..Linked::default()
        }
    }

    fn model_of(kind: &str, file: &str, text: &str, linked: &Linked) -> CiModel {
        let docs = parse(Format::Yaml, text).expect("parses");
        super::super::ci_model(kind, &docs[0], text, file, linked)
    }

    #[test]
    fn a_stage_template_binds_the_values_passed_to_it() {
        let pipeline = "trigger: [main]\nstages:\n  - template: stages/tests.yml\n    parameters:\n      stageName: IntegrationTests\n      group: orders-prod\n  - template: stages/tests.yml@platform\n";
        let tests = "parameters:\n  - name: group\nstages:\n  - stage: ${{ parameters.stageName }}\n    variables:\n      - group: ${{ parameters.group }}\n    jobs:\n      - job: suite\n        steps:\n          - script: dotnet test\n";
        let linked = linked(&[("ci/main.yml", pipeline), ("ci/stages/tests.yml", tests)]);
        assert_eq!(
            linked.templates.read_by("ci/main.yml").collect::<Vec<_>>(),
            ["ci/stages/tests.yml"]
        );
        assert_eq!(
            linked
                .templates
                .read_by("ci/stages/tests.yml")
                .collect::<Vec<_>>(),
            ["ci/stages/tests.yml"]
        );
        let m = model_of("azure-pipelines", "ci/main.yml", pipeline, &linked);
        // The remote template (`@platform`) is not read and makes no job.
        assert_eq!(m.jobs.len(), 1);
        let job = &m.jobs[0];
        assert_eq!(
            (job.id.as_str(), job.stage.as_deref()),
            ("IntegrationTests", Some("IntegrationTests"))
        );
        assert!(job.test);
        assert!(job
            .test_reasons
            .contains(&"template job `suite` runs `dotnet test`".to_owned()));
        let group = &job.contexts[0];
        assert_eq!(
            (group.name.as_str(), group.via, group.env),
            ("orders-prod", "variable group", Some(Env::Prod))
        );
        assert_eq!(
            group.path,
            [
                json!("stages"),
                json!(0),
                json!("parameters"),
                json!("group")
            ]
        );
        let origin = group.origin.as_ref().expect("origin");
        assert_eq!(
            (origin.file.as_str(), origin.line, origin.column),
            ("ci/stages/tests.yml", 6, 16)
        );
    }

    #[test]
    fn a_reusable_workflow_binds_its_environment_input_and_lends_its_tests() {
        let ci = "on: push\njobs:\n  e2e:\n    uses: ./.github/workflows/suite.yml\n    with:\n      environment: production\n  release:\n    uses: ./.github/workflows/suite.yml\n    with:\n      environment: production\n";
        let suite = "on: workflow_call\njobs:\n  browser:\n    environment: ${{ inputs.environment }}\n    steps:\n      - run: npx playwright test\n";
        let files = [
            (".github/workflows/ci.yml", ci),
            (".github/workflows/suite.yml", suite),
        ];
        let m = model_of("github-actions", files[0].0, ci, &linked(&files));
        let (e2e, release) = (&m.jobs[0], &m.jobs[1]);
        assert!(e2e.test);
        assert_eq!(e2e.contexts[0].via, "environment");
        assert_eq!(e2e.contexts[0].env, Some(Env::Prod));
        // A release job that calls a workflow running tests is still a deploy.
        assert!(!release.test);
    }

    #[test]
    fn called_paths_resolve_from_the_caller() {
        assert_eq!(
            workflow_path(
                "svc/.github/workflows/ci.yml",
                "./.github/workflows/e2e.yml"
            ),
            "svc/.github/workflows/e2e.yml"
        );
        assert_eq!(
            template_path("ci/azure-pipelines.yml", "../pipelines/stages/test.yml"),
            "pipelines/stages/test.yml"
        );
        assert_eq!(
            template_path("ci/main.yml", "/templates/t.yml"),
            "templates/t.yml"
        );
    }
}
