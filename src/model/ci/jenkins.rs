//! Jenkins pipelines (`parse::groovy`'s statement tree): each stage that runs steps
//! is a job, staged in its parent stage. Declarative `environment {}` blocks (the
//! pipeline's reach every stage) set variables, and `credentials('id')` in them binds
//! a credential; `withCredentials([...])`, `withAWS(credentials: …)` and any other
//! `credentialsId:` bind one for their closure. `sh`/`bat`/`powershell` scripts are
//! commands; `triggers { cron(…) }` makes the stages scheduled, `when {
//! changeRequest() }` makes one start from pull requests. Scripted pipelines
//! (`node { stage('x') { … } }`) read the same way.

use serde_json::{json, Value as Json};

use super::{child, collect_refs, key, scripts, CiModel, Job, RefStyle, SecretRef, Variable};
use crate::model::environment::env_of_secret_name;
use crate::parse::node::Node;

/// Steps whose (first or `script:`) argument is a shell script.
const SCRIPT_STEPS: &[&str] = &["sh", "bat", "powershell", "pwsh"];

/// Named arguments that name a stored credential.
const CREDENTIAL_ARGS: &[&str] = &["credentialsId", "credentials", "credentialId"];

/// What a stage inherits from the blocks around it.
#[derive(Clone, Default)]
struct Scope {
    variables: Vec<Variable>,
    secrets: Vec<SecretRef>,
    scheduled: bool,
    parent: Option<String>,
}

pub(super) fn jenkins(doc: &Node, source: &str, model: &mut CiModel) {
    let Some(statements) = doc.as_seq() else {
        return;
    };
    let mut scope = Scope::default();
    // Declarative: `pipeline { environment {…} triggers {…} stages {…} }`.
    let pipeline = statements
        .iter()
        .enumerate()
        .find(|(_, s)| step_name(s) == Some("pipeline"));
    let (body, path) =
        match pipeline.and_then(|(i, s)| Some((s.get("body")?, vec![json!(i), key("body")]))) {
            Some(found) => found,
            None => (doc, Vec::new()),
        };
    for (i, statement) in body.as_seq().unwrap_or_default().iter().enumerate() {
        let at = child(&path, json!(i));
        match step_name(statement) {
            Some("environment") => environment(statement, &at, source, &mut scope),
            Some("triggers") => scope.scheduled |= has_cron(statement),
            // `properties([pipelineTriggers([cron('H 2 * * *')])])` in scripted pipelines.
            Some("properties") => scope.scheduled |= has_cron(statement),
            _ => {}
        }
    }
    stages(body, &path, source, &scope, model);
}

fn step_name(statement: &Node) -> Option<&str> {
    statement.get("step").and_then(Node::as_str)
}

/// Every `stage(…)` under `block` (through `stages {}`, `parallel {}`, `node {}`, `matrix`…).
fn stages(block: &Node, path: &[Json], source: &str, scope: &Scope, model: &mut CiModel) {
    for (i, statement) in block.as_seq().unwrap_or_default().iter().enumerate() {
        let at = child(path, json!(i));
        let Some(body) = statement.get("body") else {
            continue;
        };
        let body_path = child(&at, key("body"));
        if step_name(statement) == Some("stage") {
            stage(statement, &at, source, scope, model);
        } else if !matches!(
            step_name(statement),
            Some("environment" | "post" | "triggers" | "options")
        ) {
            stages(body, &body_path, source, scope, model);
        }
    }
}

fn stage(statement: &Node, path: &[Json], source: &str, outer: &Scope, model: &mut CiModel) {
    let name = (statement.get("args").and_then(Node::as_seq))
        .and_then(|args| args.first())
        .and_then(|a| a.as_str().or_else(|| a.get("name").and_then(Node::as_str)))
        .unwrap_or("stage")
        .to_owned();
    let body = statement.get("body");
    let body_path = child(path, key("body"));
    let mut scope = outer.clone();
    let entries = body.and_then(Node::as_seq).unwrap_or_default();
    for (i, entry) in entries.iter().enumerate() {
        if step_name(entry) == Some("environment") {
            environment(entry, &child(&body_path, json!(i)), source, &mut scope);
        }
    }
    // Nested stages (`stages {}`, `parallel {}`, `matrix { stages {} }`) are the jobs.
    let nested = entries
        .iter()
        .any(|e| matches!(step_name(e), Some("stages" | "parallel" | "matrix")));
    let mut inner = scope.clone();
    inner.parent = Some(name.clone());
    if nested {
        stages(body.unwrap_or(statement), &body_path, source, &inner, model);
    }
    let when = entries.iter().find(|e| step_name(e) == Some("when"));
    let steps: Vec<(usize, &Node)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            !matches!(
                step_name(e),
                Some(
                    "stages"
                        | "parallel"
                        | "matrix"
                        | "environment"
                        | "when"
                        | "options"
                        | "agent"
                        | "input"
                )
            )
        })
        .collect();
    if steps.is_empty() {
        return;
    }
    let index = model.jobs.len();
    let mut job = Job {
        id: name.clone(),
        name,
        stage: outer.parent.clone(),
        scheduled: scope.scheduled || when.is_some_and(|w| mentions(w, "TimerTrigger")),
        triggers: if when.is_some_and(|w| mentions(w, "changeRequest")) {
            vec!["pull_request".to_owned()]
        } else {
            Vec::new()
        },
        variables: scope.variables,
        secrets: scope.secrets,
        ..Job::default()
    };
    for (i, entry) in steps {
        walk_steps(
            entry,
            &child(&body_path, json!(i)),
            None,
            source,
            index,
            &mut job,
            model,
        );
    }
    job.path = path.to_vec();
    model.jobs.push(job);
}

/// `environment { NAME = 'value'; DB = credentials('db-prod') }`.
fn environment(block: &Node, path: &[Json], source: &str, scope: &mut Scope) {
    let body_path = child(path, key("body"));
    for (i, entry) in block
        .get("body")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let (Some(name), Some(value)) =
            (entry.get("set").and_then(Node::as_str), entry.get("value"))
        else {
            continue;
        };
        let value_path = child(&child(&body_path, json!(i)), key("value"));
        let bound = value.get("call").and_then(Node::as_str) == Some("credentials");
        match value
            .get("args")
            .and_then(Node::as_seq)
            .and_then(|a| a.first())
        {
            Some(id) if bound => {
                if let Some(text) = id.as_str() {
                    scope.secrets.push(credential(
                        text,
                        name,
                        child(&child(&value_path, key("args")), json!(0)),
                        id,
                    ));
                }
            }
            _ => {
                collect_refs(
                    value,
                    &value_path,
                    source,
                    RefStyle::Dollar,
                    &mut scope.secrets,
                );
                scope.variables.push(Variable {
                    name: name.to_owned(),
                    value: value.to_json(),
                    path: value_path,
                    env: env_of_secret_name(name),
                    origin: None,
                    span: None,
                });
            }
        }
    }
}

fn credential(id: &str, variable: &str, path: Vec<Json>, node: &Node) -> SecretRef {
    SecretRef {
        name: id.to_owned(),
        path,
        span: [node.span.start, node.span.end],
        env: env_of_secret_name(id),
        variable: (!variable.is_empty()).then(|| variable.to_owned()),
        origin: None,
    }
}

/// A stage's steps: scripts become commands, credential bindings secrets, wherever
/// they are nested (`steps {}`, `script {}`, `withCredentials(…) {}`, `dir {}`, `if`).
/// `call` is the step or call whose arguments `node` is part of.
fn walk_steps(
    node: &Node,
    path: &[Json],
    call: Option<&str>,
    source: &str,
    index: usize,
    job: &mut Job,
    model: &mut CiModel,
) {
    if let Some(map) = node.as_map() {
        let name = node
            .get("step")
            .or_else(|| node.get("call"))
            .and_then(Node::as_str);
        if let (Some(step), Some(args)) = (name, node.get("args").and_then(Node::as_seq)) {
            if SCRIPT_STEPS.contains(&step) {
                let args_path = child(path, key("args"));
                for (i, arg) in args.iter().enumerate() {
                    let (script, script_path) = match arg.get("script") {
                        Some(s) => (s, child(&child(&args_path, json!(i)), key("script"))),
                        None => (arg, child(&args_path, json!(i))),
                    };
                    if script.as_str().is_some() {
                        collect_refs(
                            script,
                            &script_path,
                            source,
                            RefStyle::Dollar,
                            &mut job.secrets,
                        );
                        scripts(script, &script_path, source, index, model);
                        break;
                    }
                }
                return;
            }
            if step == "credentials" {
                if let Some(id) = args.first().filter(|a| a.as_str().is_some()) {
                    let at = child(&child(path, key("args")), json!(0));
                    job.secrets
                        .push(credential(id.as_str().unwrap_or_default(), "", at, id));
                }
            }
        }
        for (k, v) in map {
            walk_steps(
                v,
                &child(path, key(&k.name)),
                name.or(call),
                source,
                index,
                job,
                model,
            );
        }
    } else if let Some(items) = node.as_seq() {
        // Named arguments are one-entry maps side by side: `string(credentialsId: 'x',
        // variable: 'T')`, `[$class: 'AmazonWebServicesCredentialsBinding', credentialsId: 'x']`.
        let variable = bound_variable(items, call);
        for (i, item) in items.iter().enumerate() {
            let at = child(path, json!(i));
            match item.as_map() {
                Some([(k, v)])
                    if CREDENTIAL_ARGS.contains(&k.name.as_str()) && v.as_str().is_some() =>
                {
                    let id = v.as_str().unwrap_or_default();
                    job.secrets.push(credential(
                        id,
                        variable.unwrap_or_default(),
                        child(&at, key(&k.name)),
                        v,
                    ));
                }
                _ => walk_steps(item, &at, call, source, index, job, model),
            }
        }
    }
}

/// The variable a credential binding sets: the one it names, or the one the binding
/// sets by itself (`withAWS`, the AWS binding → `AWS_ACCESS_KEY_ID`; `withKubeConfig`
/// → `KUBECONFIG`).
fn bound_variable<'a>(args: &'a [Node], call: Option<&str>) -> Option<&'a str> {
    let named = |name: &str| args.iter().find_map(|a| a.get(name).and_then(Node::as_str));
    named("variable")
        .or_else(|| named("passwordVariable"))
        .or_else(|| named("accessKeyVariable"))
        .or_else(|| named("keyFileVariable"))
        .or_else(|| {
            let aws = named("$class").is_some_and(|c| c.contains("AmazonWebServices"))
                || call == Some("withAWS");
            aws.then_some("AWS_ACCESS_KEY_ID")
        })
        .or_else(|| {
            matches!(call, Some("withKubeConfig" | "withKubeCredentials")).then_some("KUBECONFIG")
        })
}

/// Whether a `triggers {}` block (or `properties([…])`) schedules the pipeline.
fn has_cron(node: &Node) -> bool {
    mentions(node, "cron") || mentions(node, "parameterizedCron")
}

/// Whether a step or call named `name` appears anywhere under `node`.
fn mentions(node: &Node, name: &str) -> bool {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        if let Some(map) = node.as_map() {
            if [node.get("step"), node.get("call")]
                .into_iter()
                .flatten()
                .any(|n| n.as_str() == Some(name))
            {
                return true;
            }
            stack.extend(map.iter().map(|(_, v)| v));
        } else if let Some(items) = node.as_seq() {
            stack.extend(items);
        }
    }
    false
}
