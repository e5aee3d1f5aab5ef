//! Bitbucket Pipelines: `pipelines.*` step lists with deployments.

use serde_json::{json, Value as Json};

use super::{child, collect_refs, key, scripts, CiModel, Job, RefStyle};
use crate::parse::node::Node;

pub(super) fn bitbucket(doc: &Node, source: &str, model: &mut CiModel) {
    // pipelines.{default, branches.*, pull-requests.*, custom.*} → lists of `- step:`.
    let Some(pipelines) = doc.get("pipelines") else {
        return;
    };
    // Each node with the trail of keys above it and the `stage:` it is in, if any: a
    // stage's `name` and `deployment` hold for all of its steps.
    type Visit<'a> = (Vec<Json>, &'a Node, Vec<String>, Option<&'a Node>);
    let mut stack: Vec<Visit> = vec![(vec![key("pipelines")], pipelines, Vec::new(), None)];
    while let Some((path, node, trail, stage)) = stack.pop() {
        let stage = node.get("stage").or(stage);
        let from_stage = |field: &str| {
            stage
                .and_then(|s| s.get(field))
                .and_then(Node::as_str)
                .map(str::to_owned)
        };
        if let Some(step) = node.get("step") {
            let index = model.jobs.len();
            let step_path = child(&path, key("step"));
            let name = step
                .get("name")
                .and_then(Node::as_str)
                .unwrap_or("step")
                .to_owned();
            let mut job = Job {
                id: name.clone(),
                name,
                environment: step
                    .get("deployment")
                    .and_then(Node::as_str)
                    .map(str::to_owned)
                    .or_else(|| from_stage("deployment")),
                stage: from_stage("name"),
                triggers: trail
                    .iter()
                    .filter(|t| *t == "pull-requests")
                    .map(|_| "pull_request".to_owned())
                    .collect(),
                ..Job::default()
            };
            collect_refs(step, &step_path, source, RefStyle::Dollar, &mut job.secrets);
            if let Some(script) = step.get("script") {
                scripts(
                    script,
                    &child(&step_path, key("script")),
                    source,
                    index,
                    model,
                );
            }
            job.path = step_path;
            model.jobs.push(job);
            continue;
        }
        if let Some(map) = node.as_map() {
            for (k, v) in map.iter().rev() {
                let mut t = trail.clone();
                t.push(k.name.clone());
                stack.push((child(&path, key(&k.name)), v, t, stage));
            }
        } else if let Some(seq) = node.as_seq() {
            for (i, v) in seq.iter().enumerate().rev() {
                stack.push((child(&path, json!(i)), v, trail.clone(), stage));
            }
        }
    }
    sequence_steps(&mut model.jobs);
}

/// A pipeline's steps run one after another: each needs the step listed before it
/// (`pipelines.branches.main[1].step` needs `[0].step`).
fn sequence_steps(jobs: &mut [Job]) {
    let position = |job: &Job| match job.path.as_slice() {
        [prefix @ .., Json::Number(i), Json::String(step)] if step == "step" => {
            Some((prefix.to_vec(), i.as_u64()?))
        }
        _ => None,
    };
    let positions: Vec<_> = jobs.iter().map(position).collect();
    for (j, at) in positions.iter().enumerate() {
        let Some((prefix, i)) = at else { continue };
        let previous = positions.iter().position(|other| {
            other
                .as_ref()
                .is_some_and(|(p, k)| p == prefix && k + 1 == *i)
        });
        if let Some(previous) = previous {
            let id = jobs[previous].id.clone();
            jobs[j].needs.push(id);
        }
    }
}
