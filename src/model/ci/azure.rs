//! Azure Pipelines: stages, jobs, deployment jobs, variable groups, service connections.

use serde_json::{json, Value as Json};

use super::{
    child, collect_refs, environment_name, key, scripts, string_list, variables, CiModel, Job,
    RefStyle, Reference, Variable,
};
use crate::model::environment::{env_of_name, env_of_secret_name};
use crate::parse::node::Node;

pub(super) fn azure(doc: &Node, source: &str, model: &mut CiModel) {
    // stages[].jobs[] | jobs[] | steps[] at the top; each job with its stage's node and path.
    type AzureJob<'a> = (Vec<Json>, &'a Node, Option<(&'a Node, Vec<Json>)>);
    let mut job_nodes: Vec<AzureJob> = Vec::new();
    if let Some(stages) = doc.get("stages").and_then(Node::as_seq) {
        for (s, stage) in stages.iter().enumerate() {
            let stage_path = vec![key("stages"), json!(s)];
            for (j, job) in stage
                .get("jobs")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                job_nodes.push((
                    child(&child(&stage_path, key("jobs")), json!(j)),
                    job,
                    Some((stage, stage_path.clone())),
                ));
            }
        }
    }
    for (j, job) in doc
        .get("jobs")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        job_nodes.push((vec![key("jobs"), json!(j)], job, None));
    }
    if doc.get("steps").is_some() {
        job_nodes.push((Vec::new(), doc, None));
    }
    // `- template: x.yml` entries are jobs of the templates module, which reads the file.
    job_nodes.retain(|(_, node, _)| node.get("template").is_none());
    for (path, node, stage) in job_nodes {
        let index = model.jobs.len();
        let id = node
            .get("deployment")
            .or_else(|| node.get("job"))
            .and_then(Node::as_str)
            .unwrap_or("pipeline")
            .to_owned();
        let mut job = Job {
            name: node
                .get("displayName")
                .and_then(Node::as_str)
                .unwrap_or(&id)
                .to_owned(),
            id,
            environment: environment_name(node.get("environment")),
            stage: stage
                .as_ref()
                .and_then(|(s, _)| s.get("stage"))
                .and_then(Node::as_str)
                .map(str::to_owned),
            needs: string_list(node.get("dependsOn")),
            scheduled: doc.get("schedules").is_some(),
            triggers: triggers(doc),
            ..Job::default()
        };
        // Pipeline- and stage-level `variables:` reach every job below them; the job's
        // own come last, as Azure lets the innermost definition win.
        let mut scopes: Vec<(&Node, Vec<Json>)> = Vec::new();
        if !path.is_empty() {
            scopes.push((doc, Vec::new()));
        }
        scopes.extend(stage);
        for (scope, scope_path) in &scopes {
            if let Some(vars) = scope.get("variables") {
                let vars_path = child(scope_path, key("variables"));
                collect_refs(vars, &vars_path, source, RefStyle::Azure, &mut job.secrets);
                azure_variables(vars, &vars_path, &mut job);
            }
        }
        if let Some(vars) = node.get("variables") {
            azure_variables(vars, &child(&path, key("variables")), &mut job);
        }
        collect_refs(node, &path, source, RefStyle::Azure, &mut job.secrets);
        let deploy_steps = ["strategy", "runOnce", "deploy", "steps"];
        let (steps, steps_path) = match node.get("steps") {
            Some(steps) => (Some(steps), child(&path, key("steps"))),
            None => (
                deploy_steps.iter().try_fold(node, |n, k| n.get(k)),
                deploy_steps
                    .iter()
                    .fold(path.clone(), |p, k| child(&p, key(k))),
            ),
        };
        for (i, step) in steps
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let step_path = child(&steps_path, json!(i));
            for field in ["script", "bash"] {
                if let Some(script) = step.get(field) {
                    scripts(script, &child(&step_path, key(field)), source, index, model);
                }
            }
            service_connections(step, &step_path, &mut job);
            if let Some((field, script)) = inline_bash(step).or_else(|| script_file(step)) {
                let script_path = child(&child(&step_path, key("inputs")), key(field));
                scripts(script, &script_path, source, index, model);
            }
        }
        job.path = path;
        model.jobs.push(job);
    }
}

/// What starts the pipeline: `trigger:` (CI pushes; on by default), `pr:` (pull requests;
/// on by default), `schedules:`; `none` turns one off.
pub(super) fn triggers(doc: &Node) -> Vec<String> {
    let on = |k: &str| doc.get(k).and_then(Node::as_str) != Some("none");
    let mut triggers = Vec::new();
    if on("trigger") {
        triggers.push("push".to_owned());
    }
    if on("pr") {
        triggers.push("pull_request".to_owned());
    }
    if doc.get("schedules").is_some() {
        triggers.push("schedule".to_owned());
    }
    triggers
}

/// Azure `variables:` at any level: a map, or a list of `- name: X` / `value: Y` items and
/// `- group: G` variable groups (credentials attached wholesale, like a CircleCI context).
fn azure_variables(vars: &Node, path: &[Json], job: &mut Job) {
    let Some(items) = vars.as_seq() else {
        job.variables.extend(variables(Some(vars), path));
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let at = child(path, json!(i));
        if let Some(group) = item.get("group").and_then(Node::as_str) {
            job.contexts.push(Reference {
                name: group.to_owned(),
                path: child(&at, key("group")),
                env: env_of_name(group),
                via: "variable group",
                origin: None,
            });
        } else if let Some(name) = item.get("name").and_then(Node::as_str) {
            job.variables.push(Variable {
                name: name.to_owned(),
                value: item.get("value").map_or(Json::Null, Node::to_json),
                path: child(&at, key("value")),
                env: env_of_secret_name(name),
                origin: None,
                span: None,
            });
        }
    }
}

/// Task inputs that name an Azure DevOps service connection to a cloud or cluster. Registry
/// connections (`containerRegistry`, `dockerRegistryServiceConnection`) are left out: they
/// pull and push images, they reach no environment's data.
const SERVICE_CONNECTION_INPUTS: &[&str] = &[
    "azuresubscription",
    "connectedservicename",
    "connectedservicenamearm",
    "azureresourcemanagerconnection",
    "environmentservicenameazurerm",
    "backendservicearm",
    "kubernetesserviceconnection",
    "kubernetesserviceendpoint",
    "awscredentials",
];

/// The inline bash script of an `AzureCLI@2` (`scriptType: bash`) or `Bash@3` task:
/// tasks are how many pipelines run their shell, often with a service connection's identity.
fn inline_bash(step: &Node) -> Option<(&'static str, &Node)> {
    let task = step
        .get("task")
        .and_then(Node::as_str)?
        .to_ascii_lowercase();
    let inputs = step.get("inputs")?;
    let input = |k: &str| inputs.get(k).and_then(Node::as_str);
    if task.starts_with("azurecli@") && input("scriptType") == Some("bash") {
        return inputs.get("inlineScript").map(|s| ("inlineScript", s));
    }
    if task.starts_with("bash@")
        && input("targetType").is_some_and(|t| t.eq_ignore_ascii_case("inline"))
    {
        return inputs.get("script").map(|s| ("script", s));
    }
    None
}

/// The script file a `Bash@3`, `AzureCLI@2` or `ShellScript@2` task runs (`filePath:`,
/// `scriptPath:`): read as the command that runs it, so the script's callers include the job.
fn script_file(step: &Node) -> Option<(&'static str, &Node)> {
    let task = step
        .get("task")
        .and_then(Node::as_str)?
        .to_ascii_lowercase();
    let inputs = step.get("inputs")?;
    let field = ["filePath", "scriptPath"]
        .into_iter()
        .find(|k| inputs.get(k).is_some())?;
    let runs_shell = task.starts_with("bash@")
        || task.starts_with("shellscript@")
        || (task.starts_with("azurecli@")
            && inputs.get("scriptType").and_then(Node::as_str) == Some("bash"));
    runs_shell.then(|| inputs.get(field).map(|s| (field, s)))?
}

/// A task's service connection hands its identity to every command the task runs, like a
/// variable group hands over its secrets.
fn service_connections(step: &Node, step_path: &[Json], job: &mut Job) {
    let Some(inputs) = step.get("inputs").and_then(Node::as_map) else {
        return;
    };
    for (k, v) in inputs {
        let Some(name) = v.as_str() else { continue };
        if SERVICE_CONNECTION_INPUTS.contains(&k.name.to_ascii_lowercase().as_str()) {
            job.contexts.push(Reference {
                name: name.to_owned(),
                path: child(&child(step_path, key("inputs")), key(&k.name)),
                env: env_of_name(name),
                via: "service connection",
                origin: None,
            });
        }
    }
}
