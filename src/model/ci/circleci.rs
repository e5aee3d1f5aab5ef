//! CircleCI: `jobs`, `workflows` with contexts and filters, orb jobs.

use serde_json::{json, Value as Json};

use super::{child, collect_refs, key, variables, CiModel, Job, RefStyle, Reference};
use crate::model::environment::env_of_name;
use crate::model::script::{extract_commands, ScriptMap};
use crate::parse::node::Node;

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
                if scheduled {
                    scheduled_jobs.push(job_key.name.clone());
                }
                let base = vec![
                    key("workflows"),
                    key(&wk.name),
                    key("jobs"),
                    json!(i),
                    key(&job_key.name),
                    key("context"),
                ];
                let context = config.get("context");
                let names: Vec<(String, Vec<Json>)> = match (
                    context.and_then(Node::as_str),
                    context.and_then(Node::as_seq),
                ) {
                    (Some(s), _) => vec![(s.to_owned(), base.clone())],
                    (_, Some(items)) => items
                        .iter()
                        .enumerate()
                        .filter_map(|(j, c)| {
                            c.as_str().map(|s| (s.to_owned(), child(&base, json!(j))))
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let refs = names.into_iter().map(|(name, path)| Reference {
                    env: env_of_name(&name),
                    name,
                    path,
                    via: "context",
                    origin: None,
                });
                if job_key.name.contains('/') && !jobs.iter().any(|(k, _)| k.name == job_key.name) {
                    let path = vec![
                        key("workflows"),
                        key(&wk.name),
                        key("jobs"),
                        json!(i),
                        key(&job_key.name),
                    ];
                    let mut job = Job {
                        id: job_key.name.clone(),
                        name: config
                            .get("name")
                            .and_then(Node::as_str)
                            .unwrap_or(&job_key.name)
                            .to_owned(),
                        scheduled,
                        contexts: refs.collect(),
                        ..Job::default()
                    };
                    collect_refs(config, &path, source, RefStyle::Dollar, &mut job.secrets);
                    job.path = path;
                    orb_jobs.push(job);
                    continue;
                }
                contexts.extend(refs.map(|r| (job_key.name.clone(), r)));
            }
        }
    }
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
        for (job_name, reference) in &contexts {
            if job_name == &k.name {
                job.contexts.push(Reference {
                    name: reference.name.clone(),
                    path: reference.path.clone(),
                    env: reference.env,
                    via: reference.via,
                    origin: None,
                });
            }
        }
        if let Some(steps) = node.get("steps").and_then(Node::as_seq) {
            for (i, step) in steps.iter().enumerate() {
                let step_path = child(&child(&path, key("steps")), json!(i));
                let Some(run) = step.get("run") else { continue };
                let (script, script_path) = match run.get("command") {
                    Some(command) => (
                        command,
                        child(&child(&step_path, key("run")), key("command")),
                    ),
                    None => (run, child(&step_path, key("run"))),
                };
                if let Some(text) = script.as_str() {
                    let map = ScriptMap::new(source, script.span, text);
                    extract_commands(
                        text,
                        &map,
                        (Some(index), Some(i), script_path),
                        &mut model.commands,
                    );
                }
            }
        }
        job.path = path;
        model.jobs.push(job);
    }
    model.jobs.extend(orb_jobs);
}
