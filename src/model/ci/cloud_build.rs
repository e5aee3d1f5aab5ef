//! Google Cloud Build configs: each of `steps` is a job (named by its `id`, in a
//! stage named for the config file or its `_ENV`-style substitution) that runs
//! `script`, `entrypoint: bash` + `args: [-c, …]`, or an argv (`entrypoint` or the
//! builder image's program, then `args`). `secretEnv` binds Secret Manager versions
//! from `availableSecrets`; the reference is the `versionName` naming the secret's
//! project, located where the build declares it.

use serde_json::{json, Value as Json};

use super::{
    child, collect_refs, key, scripts, string_list, variables, CiModel, Job, RefStyle, SecretRef,
    Variable,
};
use crate::model::environment::env_of_secret_name;
use crate::model::script::argv_commands;
use crate::parse::node::{Node, Span};

/// Substitutions that name the environment a build deploys (`_ENV: prod`).
const ENV_SUBSTITUTIONS: &[&str] = &[
    "_ENV",
    "_ENVIRONMENT",
    "_STAGE",
    "_TARGET_ENV",
    "_DEPLOY_ENV",
];

pub(super) fn cloud_build(doc: &Node, source: &str, file: &str, model: &mut CiModel) {
    let Some(steps) = doc.get("steps").and_then(Node::as_seq) else {
        return;
    };
    let substitutions = doc.get("substitutions");
    let stem = file.rsplit('/').next().unwrap_or(file);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let stage = ENV_SUBSTITUTIONS
        .iter()
        .find_map(|name| substitutions?.get(name)?.as_str())
        .unwrap_or(stem);
    let mut build_vars = variables(substitutions, &[key("substitutions")]);
    if let Some(env) = doc.get("options").and_then(|o| o.get("env")) {
        build_vars.extend(env_list(env, &[key("options"), key("env")]));
    }
    let secrets = available_secrets(doc);
    for (i, step) in steps.iter().enumerate() {
        let path = vec![key("steps"), json!(i)];
        let name = (step.get("id").and_then(Node::as_str))
            .or_else(|| step.get("name").and_then(Node::as_str))
            .unwrap_or("step")
            .to_owned();
        let index = model.jobs.len();
        // A substitution is text replaced where a step writes `$_NAME`, not an environment
        // variable: a step has those it uses. `options.env` is every step's environment.
        let text = source
            .get(step.span.start..step.span.end)
            .unwrap_or_default();
        let used = |v: &&Variable| {
            !v.name.starts_with('_')
                || text.contains(&format!("${}", v.name))
                || text.contains(&format!("${{{}}}", v.name))
        };
        let mut job = Job {
            id: name.clone(),
            name,
            stage: Some(stage.to_owned()),
            variables: build_vars.iter().filter(used).cloned().collect(),
            needs: string_list(step.get("waitFor")),
            ..Job::default()
        };
        if let Some(env) = step.get("env") {
            job.variables
                .extend(env_list(env, &child(&path, key("env"))));
        }
        for bound in step
            .get("secretEnv")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let Some(variable) = bound.as_str() else {
                continue;
            };
            match secrets.iter().find(|(env, _, _)| env == variable) {
                Some((_, version, version_path)) => job.secrets.push(SecretRef {
                    name: secret_name(version.as_str().unwrap_or(variable)),
                    path: version_path.clone(),
                    span: [version.span.start, version.span.end],
                    env: env_of_secret_name(version.as_str().unwrap_or_default())
                        .or_else(|| env_of_secret_name(variable)),
                    variable: Some(variable.to_owned()),
                    origin: None,
                }),
                None => job.secrets.push(super::secret_at(
                    variable,
                    child(&path, key("secretEnv")),
                    bound,
                )),
            }
        }
        for field in ["args", "script"] {
            if let Some(node) = step.get(field) {
                collect_refs(
                    node,
                    &child(&path, key(field)),
                    source,
                    RefStyle::Dollar,
                    &mut job.secrets,
                );
            }
        }
        step_commands(step, &path, source, index, model);
        job.path = path;
        model.jobs.push(job);
    }
}

/// `availableSecrets.secretManager[]`: (variable, `versionName` node, its path).
fn available_secrets(doc: &Node) -> Vec<(String, &Node, Vec<Json>)> {
    let Some(entries) = (doc.get("availableSecrets"))
        .and_then(|a| a.get("secretManager"))
        .and_then(Node::as_seq)
    else {
        return Vec::new();
    };
    let path = [key("availableSecrets"), key("secretManager")];
    (entries.iter().enumerate())
        .filter_map(|(i, entry)| {
            let env = entry.get("env")?.as_str()?.to_owned();
            let version = entry.get("versionName")?;
            Some((
                env,
                version,
                child(&child(&path, json!(i)), key("versionName")),
            ))
        })
        .collect()
}

/// `projects/acme-prod/secrets/db-url/versions/latest` → `acme-prod/db-url`, the
/// words that say whose secret it is.
fn secret_name(version: &str) -> String {
    let parts: Vec<&str> = version.split('/').collect();
    match (
        parts.iter().position(|p| *p == "projects"),
        parts.iter().position(|p| *p == "secrets"),
    ) {
        (Some(p), Some(s)) if p + 1 < parts.len() && s + 1 < parts.len() => {
            format!("{}/{}", parts[p + 1], parts[s + 1])
        }
        _ => version.to_owned(),
    }
}

/// `env: ["NAME=value"]` entries as variables.
fn env_list(node: &Node, path: &[Json]) -> Vec<super::Variable> {
    (node.as_seq().unwrap_or_default().iter().enumerate())
        .filter_map(|(i, entry)| {
            let (name, value) = entry.as_str()?.split_once('=')?;
            Some(super::Variable {
                name: name.to_owned(),
                value: json!(value),
                path: child(path, json!(i)),
                env: env_of_secret_name(name),
                origin: None,
                span: None,
            })
        })
        .collect()
}

/// A step's commands: its `script`, or its argv (`entrypoint`, else the builder
/// image's program, then `args`).
fn step_commands(step: &Node, path: &[Json], source: &str, job: usize, model: &mut CiModel) {
    if let Some(script) = step.get("script") {
        scripts(script, &child(path, key("script")), source, job, model);
        return;
    }
    let program = match (step.get("entrypoint"), step.get("name")) {
        (Some(entrypoint), _) => Some((entrypoint.clone(), "entrypoint")),
        (None, Some(image_node)) => image_node.as_str().map(|image| {
            // `gcr.io/cloud-builders/gcloud:latest` runs `gcloud`.
            let base = image.rsplit('/').next().unwrap_or(image);
            let program = base.split([':', '@']).next().unwrap_or(base);
            let at = image_node.span.start;
            (Node::str(program, Span::new(at, at)), "name")
        }),
        _ => None,
    };
    let Some((program, field)) = program else {
        return;
    };
    let args_path = child(path, key("args"));
    let mut parts: Vec<(&Node, Vec<Json>)> = vec![(&program, child(path, key(field)))];
    parts.extend(
        (step
            .get("args")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter())
        .filter(|n| n.as_str().is_some())
        .map(|n| (n, args_path.clone())),
    );
    argv_commands(&parts, source, Some(job), &mut model.commands);
}
