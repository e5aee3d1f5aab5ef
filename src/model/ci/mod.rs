//! CI pipelines → a common job model (`input.jobs`), whatever the CI system.
//!
//! Every system says "job", "script", "environment" and "secret" differently;
//! policies should not have to. Each system's reader lives in its own module and
//! fills the shared [`Job`] model; reference scanning (`refs`) and test/deploy
//! inference (`infer`) are shared by all of them.

mod azure;
mod bitbucket;
mod buildkite;
mod circleci;
mod cloud_build;
mod codebuild;
mod drone;
mod github;
mod gitlab;
mod infer;
mod jenkins;
mod job;
mod npm;
mod refs;
mod stores;
mod templates;
mod travis;

#[cfg(test)]
mod tests;

use serde_json::{json, Value as Json};

pub use gitlab::GitlabIncludes;
pub(crate) use infer::TEST_WORDS;
pub use job::{CiModel, Invocation, Job, Origin, Reference, SecretRef, Step, Variable};
use refs::{collect_refs, RefStyle};
pub use templates::Templates;

use super::environment::env_of_secret_name;
use super::identities::identities;
use super::script::{extract_commands, ScriptMap};
use crate::parse::node::{path_from_json, Node};

/// Builds the job model for a CI document of `kind`.
pub fn ci_model(kind: &str, doc: &Node, source: &str, file: &str, linked: &Linked) -> CiModel {
    let mut model = CiModel::default();
    match kind {
        "github-actions" if doc.get("runs").is_some() => {
            github::composite_action(doc, source, file, &mut model);
        }
        "github-actions" => github::github(doc, source, &mut model),
        "gitlab-ci" => gitlab::gitlab(doc, source, file, &linked.gitlab, &mut model),
        "circleci" => circleci::circleci(doc, source, &mut model),
        "azure-pipelines" => azure::azure(doc, source, &mut model),
        "bitbucket-pipelines" => bitbucket::bitbucket(doc, source, &mut model),
        "buildkite" => buildkite::buildkite(doc, source, &mut model),
        "cloud-build" => cloud_build::cloud_build(doc, source, file, &mut model),
        "codebuild" => codebuild::codebuild(doc, source, file, &mut model),
        "drone" | "woodpecker" => drone::drone(doc, source, &mut model),
        "travis-ci" => travis::travis(doc, source, &mut model),
        "jenkins" => jenkins::jenkins(doc, source, &mut model),
        "package-json" => npm::package_scripts(doc, source, &mut model),
        _ => {}
    }
    infer_jobs(&mut model.jobs, &model.commands);
    linked.templates.bind(kind, doc, file, &mut model);
    for job in &mut model.jobs {
        let segments = path_from_json(&Json::Array(job.path.clone())).unwrap_or_default();
        let (node, depth) = doc.descend(&segments);
        if depth == segments.len() && !segments.is_empty() {
            job.identities = identities(node, source);
        }
    }
    model
}

/// What other files of the repository contribute to a CI file's model.
#[derive(Default)]
pub struct Linked {
    /// GitLab templates across a pipeline's included files.
    pub gitlab: GitlabIncludes,
    /// What called templates and reusable workflows do with their parameters.
    pub templates: Templates,
    /// CloudFormation parameter files, which deploy the templates declaring their keys.
    pub cloudformation: crate::model::cloudformation::CfnParameters,
}

/// Test, deploy and environment contexts of `jobs`, from their names, triggers,
/// environments and the test runners among `commands`, and the secrets those fetch.
pub(crate) fn infer_jobs(jobs: &mut [Job], commands: &[super::script::ModelCommand]) {
    for job in jobs.iter_mut() {
        infer::infer_contexts(job);
    }
    script_variables(jobs, commands);
    infer::mark_test_runners(jobs, commands);
    stores::add_store_reads(jobs, commands);
    infer::run_definitions(jobs);
    infer::deploy_targets(jobs, commands);
}

/// Literal values a job's script exports (`export AWS_ROLE_ARN=arn:…`, `STAGE=prod`) are
/// its variables like those its configuration sets, located at the assignment.
fn script_variables(jobs: &mut [Job], commands: &[super::script::ModelCommand]) {
    for command in commands {
        let Some(job) = command.job.and_then(|j| jobs.get_mut(j)) else {
            continue;
        };
        let set = super::script::set_variables(
            command.command.argv.first().map(String::as_str),
            (command.command.assignments.iter())
                .map(|a| (a.name.as_str(), a.value.as_str(), a.span)),
            (command.command.words.iter()).map(|w| (w.text.as_str(), w.span)),
        );
        for (name, value, span) in set {
            let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !plain || value.is_empty() || value.contains(['$', '`']) {
                continue;
            }
            job.variables.push(Variable {
                name: name.to_owned(),
                value: Json::String(value.to_owned()),
                path: command.path.clone(),
                span: Some([span.start, span.end]),
                env: env_of_secret_name(name),
                origin: None,
            });
        }
    }
}

fn key(k: &str) -> Json {
    Json::String(k.to_owned())
}

fn child(path: &[Json], seg: Json) -> Vec<Json> {
    let mut p = path.to_vec();
    p.push(seg);
    p
}

/// The variables a pipeline sets for every job under its top-level `name`
/// (`env:`, `variables:`), and the secrets they reference.
fn pipeline_env(
    doc: &Node,
    name: &str,
    source: &str,
    style: RefStyle,
) -> (Vec<Variable>, Vec<SecretRef>) {
    let path = [key(name)];
    let mut refs = Vec::new();
    if let Some(node) = doc.get(name) {
        collect_refs(node, &path, source, style, &mut refs);
    }
    (variables(doc.get(name), &path), refs)
}

fn variables(node: Option<&Node>, path: &[Json]) -> Vec<Variable> {
    let Some(map) = node.and_then(Node::as_map) else {
        return Vec::new();
    };
    map.iter()
        .map(|(k, v)| {
            // GitLab allows `VAR: {value: x, description: y}`.
            let value = v.get("value").unwrap_or(v);
            Variable {
                name: k.name.clone(),
                value: value.to_json(),
                path: child(path, key(&k.name)),
                env: env_of_secret_name(&k.name),
                origin: None,
                span: None,
            }
        })
        .collect()
}

/// Scripts given as a string or a list of strings (GitLab `script:`, Bitbucket, Buildkite).
fn scripts(node: &Node, path: &[Json], source: &str, job: usize, model: &mut CiModel) {
    match node.as_seq() {
        Some(items) => {
            for (i, item) in items.iter().enumerate() {
                scripts(item, &child(path, json!(i)), source, job, model);
            }
        }
        None => {
            if let Some(text) = node.as_str() {
                let map = ScriptMap::new(source, node.span, text);
                extract_commands(
                    text,
                    &map,
                    (Some(job), None, path.to_vec()),
                    &mut model.commands,
                );
            }
        }
    }
}

/// A reference to the secret `name`, written at `node` (content `path`).
fn secret_at(name: &str, path: Vec<Json>, node: &Node) -> SecretRef {
    SecretRef {
        name: name.to_owned(),
        path,
        span: [node.span.start, node.span.end],
        env: env_of_secret_name(name),
        variable: None,
        origin: None,
    }
}

fn environment_name(node: Option<&Node>) -> Option<String> {
    let node = node?;
    node.as_str()
        .map(str::to_owned)
        .or_else(|| node.get("name").and_then(Node::as_str).map(str::to_owned))
}

fn string_list(node: Option<&Node>) -> Vec<String> {
    match node {
        Some(n) => match (n.as_str(), n.as_seq()) {
            (Some(s), _) => vec![s.to_owned()],
            (_, Some(items)) => items
                .iter()
                .filter_map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .or_else(|| i.get("job").and_then(Node::as_str).map(str::to_owned))
                })
                .collect(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    }
}
