//! Buildkite: `steps` (and group steps) with `command(s)` and `env`.

use serde_json::{json, Value as Json};

use super::{child, collect_refs, key, pipeline_env, scripts, variables, CiModel, Job, RefStyle};
use crate::parse::node::Node;

pub(super) fn buildkite(doc: &Node, source: &str, model: &mut CiModel) {
    let Some(steps) = doc.get("steps").and_then(Node::as_seq) else {
        return;
    };
    // A pipeline-level `env:` is set for every step.
    let (pipeline_vars, pipeline_refs) = pipeline_env(doc, "env", source, RefStyle::Dollar);
    // Steps, and the steps of `group:` steps (Buildkite groups do not nest).
    let mut flat: Vec<(Vec<Json>, &Node)> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let path = vec![key("steps"), json!(i)];
        match step
            .get("group")
            .and(step.get("steps"))
            .and_then(Node::as_seq)
        {
            Some(inner) => flat.extend(
                inner
                    .iter()
                    .enumerate()
                    .map(|(k, s)| (child(&child(&path, key("steps")), json!(k)), s)),
            ),
            None => flat.push((path, step)),
        }
    }
    for (path, step) in flat {
        let Some(script) = step.get("command").or_else(|| step.get("commands")) else {
            continue;
        };
        let index = model.jobs.len();
        let name = step
            .get("label")
            .or_else(|| step.get("key"))
            .and_then(Node::as_str)
            .unwrap_or("step")
            .to_owned();
        let mut job = Job {
            id: name.clone(),
            name,
            variables: pipeline_vars.to_vec(),
            secrets: pipeline_refs.to_vec(),
            ..Job::default()
        };
        job.variables
            .extend(variables(step.get("env"), &child(&path, key("env"))));
        collect_refs(step, &path, source, RefStyle::Dollar, &mut job.secrets);
        let field = if step.get("command").is_some() {
            "command"
        } else {
            "commands"
        };
        scripts(script, &child(&path, key(field)), source, index, model);
        job.path = path;
        model.jobs.push(job);
    }
}
