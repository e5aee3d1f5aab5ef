//! CircleCI: `jobs`, `workflows` with contexts and filters, orb jobs, and the invocations
//! of one defined job under other names, parameters or a matrix.

use serde_json::{json, Value as Json};

use super::job::Invocation;
use super::{child, collect_refs, key, string_list, variables, CiModel, Job, RefStyle, Reference};
use crate::model::environment::{env_of_name, Env};
use crate::model::script::{extract_commands, ModelCommand, ScriptMap};
use crate::parse::node::{Node, Span};

pub(super) fn circleci(doc: &Node, source: &str, model: &mut CiModel) {
    let jobs = doc
        .get("jobs")
        .and_then(Node::as_map)
        .map(|m| m.iter().collect::<Vec<_>>())
        .unwrap_or_default();
    // Contexts are attached where a workflow lists the job.
    let mut contexts: Vec<(String, Reference)> = Vec::new();
    let mut scheduled_jobs: Vec<String> = Vec::new();
    // Orb jobs (`node/test`, `cypress/run`) are defined by the orb, not under `jobs:`: each
    // workflow entry is the whole job as this config sees it.
    let mut orb_jobs: Vec<Job> = Vec::new();
    // Entries that run a defined job under their own name or parameters, with the
    // definition's name.
    let mut invocations: Vec<(String, Job)> = Vec::new();
    if let Some(workflows) = doc.get("workflows").and_then(Node::as_map) {
        for (wk, workflow) in workflows {
            let scheduled = workflow
                .get("triggers")
                .is_some_and(|t| t.to_json().to_string().contains("schedule"));
            let Some(entries) = workflow.get("jobs").and_then(Node::as_seq) else {
                continue;
            };
            for (i, entry) in entries.iter().enumerate() {
                let Some((job_key, config)) = entry.as_map().and_then(|m| m.first()) else {
                    if scheduled {
                        scheduled_jobs.extend(entry.as_str().map(str::to_owned));
                    }
                    continue;
                };
                let path = vec![
                    key("workflows"),
                    key(&wk.name),
                    key("jobs"),
                    json!(i),
                    key(&job_key.name),
                ];
                let refs: Vec<Reference> = entry_contexts(config, &child(&path, key("context")));
                let definition = jobs.iter().find(|(k, _)| k.name == job_key.name);
                if let Some((_, definition)) = definition {
                    let instances = instances(&job_key.name, config, definition, &path);
                    if !instances.is_empty() {
                        for mut job in instances {
                            job.scheduled = scheduled;
                            job.contexts = refs.clone();
                            invocations.push((job_key.name.clone(), job));
                        }
                        continue;
                    }
                }
                if scheduled {
                    scheduled_jobs.push(job_key.name.clone());
                }
                if job_key.name.contains('/') && definition.is_none() {
                    let mut job = Job {
                        id: job_key.name.clone(),
                        name: config
                            .get("name")
                            .and_then(Node::as_str)
                            .unwrap_or(&job_key.name)
                            .to_owned(),
                        scheduled,
                        contexts: refs,
                        ..Job::default()
                    };
                    collect_refs(config, &path, source, RefStyle::Dollar, &mut job.secrets);
                    job.path = path;
                    orb_jobs.push(job);
                    continue;
                }
                contexts.extend(refs.into_iter().map(|r| (job_key.name.clone(), r)));
            }
        }
    }
    let first_invocation = model.jobs.len() + jobs.len();
    for (k, node) in jobs {
        let path = vec![key("jobs"), key(&k.name)];
        let index = model.jobs.len();
        let mut job = Job {
            id: k.name.clone(),
            name: k.name.clone(),
            scheduled: scheduled_jobs.contains(&k.name),
            variables: variables(node.get("environment"), &child(&path, key("environment"))),
            ..Job::default()
        };
        collect_refs(node, &path, source, RefStyle::Dollar, &mut job.secrets);
        job.contexts = (contexts.iter())
            .filter(|(job_name, _)| job_name == &k.name)
            .map(|(_, reference)| reference.clone())
            .collect();
        for (_, invocation) in invocations.iter_mut().filter(|(name, _)| name == &k.name) {
            if let Some(invokes) = &mut invocation.invokes {
                invokes.definition = index;
            }
        }
        if let Some(steps) = node.get("steps").and_then(Node::as_seq) {
            let reader = StepReader {
                source,
                commands: doc.get("commands"),
                job: index,
            };
            for (i, step) in steps.iter().enumerate() {
                let step_path = child(&child(&path, key("steps")), json!(i));
                let call = Call::default();
                reader.step(step, (i, &step_path), &call, &mut model.commands);
            }
        }
        job.path = path;
        model.jobs.push(job);
    }
    debug_assert_eq!(model.jobs.len(), first_invocation);
    model
        .jobs
        .extend(invocations.into_iter().map(|(_, job)| job));
    model.jobs.extend(orb_jobs);
}

/// Reads a job's steps into commands: `run` steps, and the steps of the reusable
/// `commands:` a step invokes (`- vercel-env: {environment: production}`), with the
/// parameters passed written into their scripts.
struct StepReader<'a> {
    source: &'a str,
    commands: Option<&'a Node>,
    job: usize,
}

/// How deep reusable commands may invoke one another.
const MAX_COMMAND_DEPTH: usize = 4;

/// A reusable command's invocation: the parameters it has, and the outermost invoking step,
/// where its commands are reported.
#[derive(Default)]
struct Call {
    parameters: Vec<(String, String)>,
    at: Option<Span>,
    depth: usize,
}

impl StepReader<'_> {
    fn step(
        &self,
        step: &Node,
        (i, path): (usize, &[Json]),
        call: &Call,
        out: &mut Vec<ModelCommand>,
    ) {
        if let Some(run) = step.get("run") {
            let (script, script_path) = match run.get("command") {
                Some(command) => (command, child(&child(path, key("run")), key("command"))),
                None => (run, child(path, key("run"))),
            };
            let Some(text) = script.as_str() else { return };
            let text = substitute(text, &call.parameters);
            // A script with parameters written in is not in the file: it is the invocation's.
            let map = match call.at {
                Some(at) if text != script.as_str().unwrap_or_default() => ScriptMap::at(at),
                _ => ScriptMap::new(self.source, script.span, &text),
            };
            extract_commands(&text, &map, (Some(self.job), Some(i), script_path), out);
            return;
        }
        // `- env-pull` or `- env-pull: {environment: production}`.
        let (name, passed) = match (step.as_str(), step.as_map().and_then(|m| m.first())) {
            (Some(name), _) => (name, None),
            (_, Some((name, passed))) => (name.name.as_str(), Some(passed)),
            _ => return,
        };
        let Some(command) = self.commands.and_then(|c| c.get(name)) else {
            return;
        };
        if call.depth >= MAX_COMMAND_DEPTH {
            return;
        }
        let declared = (command.get("parameters").and_then(Node::as_map)).unwrap_or_default();
        let parameters = declared
            .iter()
            .filter_map(|(k, declaration)| {
                let value =
                    (passed.and_then(|p| p.get(&k.name))).or_else(|| declaration.get("default"))?;
                let value = scalar_text(&value.to_json());
                Some((k.name.clone(), substitute(&value, &call.parameters)))
            })
            .collect();
        let inner = Call {
            parameters,
            at: Some(call.at.unwrap_or(step.span)),
            depth: call.depth + 1,
        };
        for nested in (command.get("steps").and_then(Node::as_seq)).unwrap_or_default() {
            self.step(nested, (i, path), &inner, out);
        }
    }
}

/// `<< parameters.x >>` written as the value passed.
fn substitute(text: &str, parameters: &[(String, String)]) -> String {
    if !text.contains("<<") {
        return text.to_owned();
    }
    parameters
        .iter()
        .fold(text.to_owned(), |text, (name, value)| {
            text.replace(&format!("<< parameters.{name} >>"), value)
                .replace(&format!("<<parameters.{name}>>"), value)
        })
}

/// The contexts a workflow entry attaches (`context: x` or a list), at `path`.
fn entry_contexts(config: &Node, path: &[Json]) -> Vec<Reference> {
    let context = config.get("context");
    let names: Vec<(String, Vec<Json>)> = match (
        context.and_then(Node::as_str),
        context.and_then(Node::as_seq),
    ) {
        (Some(s), _) => vec![(s.to_owned(), path.to_vec())],
        (_, Some(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(j, c)| c.as_str().map(|s| (s.to_owned(), child(path, json!(j)))))
            .collect(),
        _ => Vec::new(),
    };
    names
        .into_iter()
        .map(|(name, path)| Reference {
            env: env_of_name(&name),
            name,
            path,
            via: "context",
            origin: None,
        })
        .collect()
}

/// More matrix combinations than this are not expanded: past it, an invocation names no
/// one environment anyway.
const MAX_MATRIX_INSTANCES: usize = 16;

/// The jobs a workflow entry runs when it renames a defined job, passes it parameters or
/// expands a matrix (`deploy` as `deploy-staging` with `environment_name: staging`), one
/// per matrix combination; none when the entry runs the definition as it is.
fn instances(job_name: &str, config: &Node, definition: &Node, path: &[Json]) -> Vec<Job> {
    let declared = (definition.get("parameters").and_then(Node::as_map)).unwrap_or_default();
    let passed: Vec<(&str, &str)> = (config.as_map().unwrap_or_default().iter())
        .filter(|(k, _)| declared.iter().any(|(d, _)| d.name == k.name))
        .filter_map(|(k, v)| Some((k.name.as_str(), v.as_str()?)))
        .collect();
    let renamed = config.get("name").and_then(Node::as_str);
    let matrix = matrix_combinations(config.get("matrix"));
    if renamed.is_none() && passed.is_empty() && matrix.is_empty() {
        return Vec::new();
    }
    let combinations = if matrix.is_empty() {
        vec![Vec::new()]
    } else {
        matrix
    };
    combinations
        .into_iter()
        .map(|combination| {
            let name = match renamed {
                Some(name) => combination.iter().fold(name.to_owned(), |name, (k, v)| {
                    name.replace(&format!("<< matrix.{k} >>"), v)
                        .replace(&format!("<<matrix.{k}>>"), v)
                }),
                None => std::iter::once(job_name)
                    .chain(combination.iter().map(|(_, v)| v.as_str()))
                    .collect::<Vec<_>>()
                    .join("-"),
            };
            let values =
                (passed.iter().map(|(_, v)| *v)).chain(combination.iter().map(|(_, v)| v.as_str()));
            Job {
                id: name.clone(),
                name,
                path: path.to_vec(),
                needs: string_list(config.get("requires")),
                invokes: Some(Invocation {
                    definition: 0,
                    passed_env: one_env(values),
                }),
                ..Job::default()
            }
        })
        .collect()
}

/// Every combination of a `matrix: parameters:` entry's values, as (parameter, value).
fn matrix_combinations(matrix: Option<&Node>) -> Vec<Vec<(String, String)>> {
    let Some(parameters) = matrix
        .and_then(|m| m.get("parameters"))
        .and_then(Node::as_map)
    else {
        return Vec::new();
    };
    let mut combinations: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (k, values) in parameters {
        let values: Vec<String> = match values.as_seq() {
            Some(items) => items
                .iter()
                .map(|v| v.to_json())
                .map(|v| scalar_text(&v))
                .collect(),
            None => vec![scalar_text(&values.to_json())],
        };
        if combinations.len() * values.len() > MAX_MATRIX_INSTANCES {
            return Vec::new();
        }
        combinations = (combinations.iter())
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.push((k.name.clone(), v.clone()));
                    c
                })
            })
            .collect();
    }
    combinations
}

fn scalar_text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The one environment `values` name, if those that name one agree.
fn one_env<'a>(values: impl Iterator<Item = &'a str>) -> Option<Env> {
    let mut envs = values.filter_map(env_of_name);
    let first = envs.next()?;
    envs.all(|e| e == first).then_some(first)
}
