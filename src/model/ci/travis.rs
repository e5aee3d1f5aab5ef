//! Travis CI: the build's phases (`install`, `script`, …) form the default job of
//! Travis's `test` stage; `jobs.include` adds jobs to named stages, inheriting the
//! phases they do not set; `deploy:` is a job of its own. `env:` entries are
//! `NAME=value` words (`secure:` entries are encrypted and anonymous).

use serde_json::{json, Value as Json};

use super::{child, collect_refs, key, scripts, CiModel, Job, RefStyle, SecretRef, Variable};
use crate::model::environment::env_of_secret_name;
use crate::parse::node::Node;

/// The phases whose commands a job runs, in order.
const PHASES: &[&str] = &[
    "before_install",
    "install",
    "before_script",
    "script",
    "after_success",
    "after_failure",
    "after_script",
    "before_deploy",
    "after_deploy",
];

/// Travis runs jobs without a `stage:` in the stage named `test`.
const DEFAULT_STAGE: &str = "test";

pub(super) fn travis(doc: &Node, source: &str, model: &mut CiModel) {
    let root: Vec<Json> = Vec::new();
    let global = travis_env(doc.get("env"), &[key("env")]);
    let global_refs = env_refs(doc.get("env"), &[key("env")], source);
    let include = ["jobs", "matrix"].into_iter().find_map(|field| {
        let node = doc.get(field)?.get("include")?.as_seq()?;
        Some((node, vec![key(field), key("include")]))
    });
    if doc.get("script").is_some() || include.is_none() {
        let job = Job {
            id: "test".into(),
            name: "test".into(),
            stage: Some(DEFAULT_STAGE.into()),
            variables: global.clone(),
            secrets: global_refs.clone(),
            ..Job::default()
        };
        add_job(job, doc, &root, doc, source, model);
    }
    let mut stage = DEFAULT_STAGE.to_owned();
    for (i, entry) in include
        .iter()
        .flat_map(|(entries, _)| entries.iter().enumerate())
    {
        let path = include
            .as_ref()
            .map_or_else(Vec::new, |(_, p)| child(p, json!(i)));
        if let Some(s) = entry.get("stage").and_then(Node::as_str) {
            s.clone_into(&mut stage);
        }
        let name = entry
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or(&stage)
            .to_owned();
        let mut variables = global.clone();
        variables.extend(travis_env(entry.get("env"), &child(&path, key("env"))));
        let mut secrets = global_refs.clone();
        secrets.extend(env_refs(
            entry.get("env"),
            &child(&path, key("env")),
            source,
        ));
        if let Some(deploy) = entry.get("deploy") {
            let deploy_path = child(&path, key("deploy"));
            collect_refs(deploy, &deploy_path, source, RefStyle::Dollar, &mut secrets);
        }
        let (triggers, scheduled) = condition(entry.get("if"));
        let job = Job {
            id: format!("{stage}/{name}"),
            name,
            stage: Some(stage.clone()),
            variables,
            secrets,
            triggers,
            scheduled,
            ..Job::default()
        };
        add_job(job, entry, &path, doc, source, model);
    }
    if let Some(deploy) = doc.get("deploy") {
        let provider = (deploy.as_seq().and_then(|s| s.first()))
            .unwrap_or(deploy)
            .get("provider")
            .and_then(Node::as_str)
            .unwrap_or("script");
        let mut job = Job {
            id: "deploy".into(),
            name: format!("deploy ({provider})"),
            stage: Some("deploy".into()),
            variables: global,
            secrets: global_refs,
            ..Job::default()
        };
        let index = model.jobs.len();
        collect_refs(
            deploy,
            &[key("deploy")],
            source,
            RefStyle::Dollar,
            &mut job.secrets,
        );
        if let Some(script) = deploy.get("script") {
            scripts(
                script,
                &[key("deploy"), key("script")],
                source,
                index,
                model,
            );
        }
        for phase in ["before_deploy", "after_deploy"] {
            if let Some(node) = doc.get(phase) {
                scripts(node, &[key(phase)], source, index, model);
            }
        }
        job.path = vec![key("deploy")];
        model.jobs.push(job);
    }
}

/// Adds `job` with the commands of its phases: its own (`entry` at `path`), else the build's.
fn add_job(
    mut job: Job,
    entry: &Node,
    path: &[Json],
    doc: &Node,
    source: &str,
    model: &mut CiModel,
) {
    let index = model.jobs.len();
    for phase in PHASES {
        let (node, phase_path) = match entry.get(phase) {
            Some(node) => (node, child(path, key(phase))),
            None => match doc.get(phase) {
                Some(node) => (node, vec![key(phase)]),
                None => continue,
            },
        };
        collect_refs(
            node,
            &phase_path,
            source,
            RefStyle::Dollar,
            &mut job.secrets,
        );
        scripts(node, &phase_path, source, index, model);
    }
    job.path = path.to_vec();
    model.jobs.push(job);
}

/// `env:` as Travis writes it: `NAME=value …` strings, a list of them, or
/// `{global: […], jobs: […]}`; every assignment is a variable located at its entry.
fn travis_env(node: Option<&Node>, path: &[Json]) -> Vec<Variable> {
    let Some(node) = node else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(map) = node.as_map() {
        for (k, v) in map {
            match k.name.as_str() {
                "global" | "jobs" | "matrix" => {
                    out.extend(travis_env(Some(v), &child(path, key(&k.name))))
                }
                // `env: {NAME: value}` (a map of variables, as some configs write it).
                "secure" => {}
                name => out.push(variable(name, v.to_json(), child(path, key(name)))),
            }
        }
    } else if let Some(items) = node.as_seq() {
        for (i, item) in items.iter().enumerate() {
            out.extend(travis_env(Some(item), &child(path, json!(i))));
        }
    } else if let Some(text) = node.as_str() {
        for (name, value) in assignments(text) {
            out.push(variable(&name, json!(value), path.to_vec()));
        }
    }
    out
}

/// The variables `env:` values read (`TOKEN=$SHIPPO_LIVE_TOKEN`).
fn env_refs(node: Option<&Node>, path: &[Json], source: &str) -> Vec<SecretRef> {
    let mut refs = Vec::new();
    if let Some(node) = node {
        collect_refs(node, path, source, RefStyle::Dollar, &mut refs);
    }
    refs
}

fn variable(name: &str, value: Json, path: Vec<Json>) -> Variable {
    Variable {
        name: name.to_owned(),
        value,
        path,
        env: env_of_secret_name(name),
        origin: None,
        span: None,
    }
}

/// `A=1 B="two words"` → `[(A, 1), (B, two words)]`.
fn assignments(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let Some((name, after)) = rest.split_once('=') else {
            break;
        };
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            break;
        }
        let (value, next) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &after[1..];
                let end = body.find(q).unwrap_or(body.len());
                (&body[..end], body.get(end + 1..).unwrap_or(""))
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        out.push((name.to_owned(), value.to_owned()));
        rest = next.trim_start();
    }
    out
}

/// A job's `if:` condition: the event types it admits (`type = pull_request`,
/// `type IN (cron)`) when it names them without negation, and whether it runs on cron.
fn condition(node: Option<&Node>) -> (Vec<String>, bool) {
    let Some(text) = node.and_then(Node::as_str) else {
        return (Vec::new(), false);
    };
    let lower = text.to_ascii_lowercase();
    if lower.contains("not ") || lower.contains("!=") || lower.contains(" or ") {
        return (Vec::new(), false);
    }
    let types: Vec<String> = ["pull_request", "push", "cron", "api"]
        .into_iter()
        .filter(|t| lower.contains("type") && lower.contains(t))
        .map(str::to_owned)
        .collect();
    let scheduled = types.iter().any(|t| t == "cron");
    (types, scheduled)
}

#[cfg(test)]
mod tests {
    use super::assignments;

    #[test]
    fn env_words_are_assignments() {
        assert_eq!(
            assignments("A=1 B=\"two words\" C='x'"),
            [
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "x".into())
            ]
        );
        assert!(assignments("not an assignment").is_empty());
    }
}
