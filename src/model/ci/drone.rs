//! Drone and Woodpecker: one pipeline per YAML document, whose `steps` run
//! `commands` with `environment` values `from_secret`, filtered by `trigger:`
//! (pipeline) and `when:` (step). Each step is a job staged in its pipeline, so a
//! `deploy-staging` pipeline names where its steps deploy.

use serde_json::{json, Value as Json};

use super::{
    child, collect_refs, key, scripts, secret_at, string_list, CiModel, Job, RefStyle, SecretRef,
    Variable,
};
use crate::model::environment::env_of_secret_name;
use crate::parse::node::Node;

pub(super) fn drone(doc: &Node, source: &str, model: &mut CiModel) {
    // `kind: secret` / `kind: signature` documents configure, they do not run.
    if doc
        .get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k != "pipeline")
    {
        return;
    }
    let pipeline = doc.get("name").and_then(Node::as_str).unwrap_or("default");
    let trigger = doc.get("trigger").or_else(|| doc.get("when"));
    // Woodpecker writes steps as a map (`steps: {build: {...}}`, formerly `pipeline:`).
    let field = if doc.get("steps").is_some() {
        "steps"
    } else {
        "pipeline"
    };
    let steps: Vec<(String, Vec<Json>, &Node)> = match doc.get(field) {
        Some(node) => match (node.as_seq(), node.as_map()) {
            (Some(seq), _) => (seq.iter().enumerate())
                .map(|(i, step)| {
                    let name = step.get("name").and_then(Node::as_str).unwrap_or("step");
                    (name.to_owned(), vec![key(field), json!(i)], step)
                })
                .collect(),
            (_, Some(map)) => (map.iter())
                .map(|(k, step)| (k.name.clone(), vec![key(field), key(&k.name)], step))
                .collect(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    for (name, path, step) in steps {
        let when = step.get("when");
        let events = condition(when, "event").or_else(|| condition(trigger, "event"));
        let scheduled = events.iter().flatten().any(|e| e == "cron")
            || [trigger, when]
                .into_iter()
                .flatten()
                .any(|c| c.get("cron").is_some());
        // A promotion's or deployment's target (`drone promote … production`).
        let target = condition(when, "target")
            .or_else(|| condition(when, "environment"))
            .or_else(|| condition(trigger, "target"))
            .or_else(|| condition(trigger, "environment"))
            .and_then(|targets| (targets.len() == 1).then(|| targets[0].clone()));
        let index = model.jobs.len();
        let mut job = Job {
            id: name.clone(),
            name,
            stage: Some(pipeline.to_owned()),
            environment: target,
            scheduled,
            triggers: events.unwrap_or_default(),
            needs: string_list(doc.get("depends_on")),
            ..Job::default()
        };
        environment(
            step.get("environment"),
            &child(&path, key("environment")),
            &mut job,
        );
        from_secrets(step, &path, &mut job.secrets);
        // Woodpecker's older `secrets: [name]` exposes each as an upper-cased variable.
        if let Some(names) = step.get("secrets").and_then(Node::as_seq) {
            for (i, n) in names.iter().enumerate() {
                let name = n
                    .as_str()
                    .or_else(|| n.get("source").and_then(Node::as_str));
                if let Some(name) = name {
                    job.secrets.push(secret_at(
                        name,
                        child(&child(&path, key("secrets")), json!(i)),
                        n,
                    ));
                }
            }
        }
        if let Some(commands) = step.get("commands") {
            collect_refs(
                commands,
                &child(&path, key("commands")),
                source,
                RefStyle::Dollar,
                &mut job.secrets,
            );
            scripts(
                commands,
                &child(&path, key("commands")),
                source,
                index,
                model,
            );
        }
        job.path = path;
        model.jobs.push(job);
    }
}

/// The values of a `trigger:`/`when:` condition: `event: push`, `event: [push, tag]`,
/// `branch: {include: [main]}`; `None` when it does not constrain `name`.
fn condition(node: Option<&Node>, name: &str) -> Option<Vec<String>> {
    // Woodpecker allows a list of alternative `when:` conditions.
    if let Some(alternatives) = node.and_then(Node::as_seq) {
        let values: Vec<String> = (alternatives.iter())
            .filter_map(|alt| condition(Some(alt), name))
            .flatten()
            .collect();
        return (!values.is_empty()).then_some(values);
    }
    let value = node?.get(name)?;
    let value = value.get("include").unwrap_or(value);
    let strings = |n: &Node| n.as_str().map(str::to_owned);
    match (value.as_str(), value.as_seq()) {
        (Some(s), _) => Some(vec![s.to_owned()]),
        (_, Some(items)) => Some(items.iter().filter_map(strings).collect()),
        _ => None,
    }
}

/// `environment:` values: literals are variables, `{from_secret: x}` are read below.
fn environment(node: Option<&Node>, path: &[Json], job: &mut Job) {
    for (k, v) in node.and_then(Node::as_map).unwrap_or_default() {
        if v.get("from_secret").is_none() {
            job.variables.push(Variable {
                name: k.name.clone(),
                value: v.to_json(),
                path: child(path, key(&k.name)),
                env: env_of_secret_name(&k.name),
                origin: None,
                span: None,
            });
        }
    }
}

/// Every `from_secret: name` under `node` (in `environment:` and plugin `settings:`),
/// with the variable or setting it is bound to.
fn from_secrets(node: &Node, path: &[Json], out: &mut Vec<SecretRef>) {
    let mut stack = vec![(node, path.to_vec())];
    while let Some((node, path)) = stack.pop() {
        if let Some(map) = node.as_map() {
            for (k, v) in map.iter().rev() {
                match v.as_str() {
                    Some(name) if k.name == "from_secret" => {
                        // The variable (or plugin setting) the secret is bound to.
                        let mut secret = secret_at(name, child(&path, key(&k.name)), v);
                        secret.variable = path.last().and_then(Json::as_str).map(str::to_owned);
                        out.push(secret);
                    }
                    _ => stack.push((v, child(&path, key(&k.name)))),
                }
            }
        } else if let Some(seq) = node.as_seq() {
            for (i, v) in seq.iter().enumerate().rev() {
                stack.push((v, child(&path, json!(i))));
            }
        }
    }
}
