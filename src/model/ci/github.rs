//! GitHub Actions workflows: `jobs.<id>` with `steps[].run`, `${{ secrets.X }}`, `environment:`.

use serde_json::{json, Value as Json};

use super::job::Invocation;
use super::{
    child, collect_refs, environment_name, key, pipeline_env, string_list, variables, CiModel, Job,
    RefStyle, SecretRef, Step,
};
use crate::model::environment::{env_of_name, env_of_secret_name};
use crate::model::script::{extract_commands, ScriptMap};
use crate::parse::node::Node;

pub(super) fn github(doc: &Node, source: &str, model: &mut CiModel) {
    let triggers: Vec<String> = match doc.get("on") {
        Some(on) => match (on.as_str(), on.as_seq(), on.as_map()) {
            (Some(s), _, _) => vec![s.to_owned()],
            (_, Some(items), _) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            (_, _, Some(map)) => map.iter().map(|(k, _)| k.name.clone()).collect(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    let scheduled = triggers.iter().any(|t| t == "schedule");
    let (workflow_vars, workflow_refs) = pipeline_env(doc, "env", source, RefStyle::GitHub);
    let Some(jobs) = doc.get("jobs").and_then(Node::as_map) else {
        return;
    };
    for (k, node) in jobs {
        let path = vec![key("jobs"), key(&k.name)];
        let index = model.jobs.len();
        let mut job = Job {
            id: k.name.clone(),
            name: node
                .get("name")
                .and_then(Node::as_str)
                .unwrap_or(&k.name)
                .to_owned(),
            environment: environment_name(node.get("environment")),
            scheduled,
            triggers: triggers.clone(),
            needs: string_list(node.get("needs")),
            variables: workflow_vars.to_vec(),
            ..Job::default()
        };
        job.variables
            .extend(variables(node.get("env"), &child(&path, key("env"))));
        job.secrets.extend(workflow_refs.iter().cloned());
        // Everything in the job body except nested `steps[].run` text, which is scanned below
        // with the rest of the step, counts as a reference site.
        collect_refs(node, &path, source, RefStyle::GitHub, &mut job.secrets);
        matrix_selected_secrets(node, &path, source, &mut job.secrets);
        if let Some(uses) = node.get("uses").and_then(Node::as_str) {
            // A reusable-workflow call: its `with:`/`secrets:` are the job's inputs.
            job.steps.push(Step {
                path: path.clone(),
                name: None,
                uses: Some(uses.to_owned()),
                with: node.get("with").map_or(Json::Null, Node::to_json),
            });
        }
        if let Some(steps) = node.get("steps") {
            run_steps(
                steps,
                &child(&path, key("steps")),
                source,
                index,
                &mut job,
                model,
            );
        }
        job.path = path;
        let legs = matrix_legs(node, &job, index);
        model.jobs.push(job);
        model.jobs.extend(legs);
    }
}

/// More legs than this are not expanded: past it, a matrix names no few environments.
const MAX_MATRIX_LEGS: usize = 16;

/// A job whose environment (or name) is a matrix value (`environment: ${{ matrix.env }}`)
/// runs once per value: each leg is a job of its own that deploys where its value says.
fn matrix_legs(node: &Node, job: &Job, index: usize) -> Vec<Job> {
    let matrix = node.get("strategy").and_then(|s| s.get("matrix"));
    let written = job.environment.as_deref().unwrap_or(&job.name);
    let Some(at) = written.find("matrix.") else {
        return Vec::new();
    };
    let key: String = written[at + "matrix.".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let values = matrix_values(matrix, &key);
    if values.len() > MAX_MATRIX_LEGS {
        return Vec::new();
    }
    let substitute = |text: &str, value: &str| {
        let reference = matrix_reference(text, &key);
        reference.map_or_else(|| text.to_owned(), |r| text.replace(&r, value))
    };
    values
        .iter()
        .map(|value| Job {
            id: format!("{} ({value})", job.id),
            // Named for its value when the name does not say it.
            name: match substitute(&job.name, value) {
                same if same == job.name => format!("{same} ({value})"),
                named => named,
            },
            environment: job.environment.as_deref().map(|e| substitute(e, value)),
            path: job.path.clone(),
            needs: job.needs.clone(),
            triggers: job.triggers.clone(),
            scheduled: job.scheduled,
            invokes: Some(Invocation {
                definition: index,
                passed_env: env_of_name(value),
            }),
            ..Job::default()
        })
        .collect()
}

/// The `${{ matrix.key }}` expression (as written, spaces included) in `text`.
fn matrix_reference(text: &str, key: &str) -> Option<String> {
    let at = text.find(&format!("matrix.{key}"))?;
    let open = text[..at].rfind("${{")?;
    let close = at + text[at..].find("}}")? + 2;
    Some(text[open..close].to_owned())
}

/// A composite action (`action.yml` with `runs.using: composite`): its steps are
/// one job, named for the action, that the workflows using it run.
pub(super) fn composite_action(doc: &Node, source: &str, file: &str, model: &mut CiModel) {
    let Some(steps) = doc.get("runs").and_then(|r| r.get("steps")) else {
        return;
    };
    let directory = file.rsplit_once('/').map_or(file, |(dir, _)| dir);
    let id = directory.rsplit('/').next().unwrap_or(directory).to_owned();
    let index = model.jobs.len();
    let mut job = Job {
        name: doc
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or(&id)
            .to_owned(),
        id,
        ..Job::default()
    };
    run_steps(
        steps,
        &[key("runs"), key("steps")],
        source,
        index,
        &mut job,
        model,
    );
    job.path = vec![key("runs")];
    model.jobs.push(job);
}

/// `steps[]`: `run:` scripts become the job's commands, `env:` its variables.
fn run_steps(
    steps: &Node,
    path: &[Json],
    source: &str,
    index: usize,
    job: &mut Job,
    model: &mut CiModel,
) {
    for (i, step) in steps.as_seq().unwrap_or_default().iter().enumerate() {
        let step_path = child(path, json!(i));
        if let Some(run) = step.get("run") {
            if let Some(text) = run.as_str() {
                let map = ScriptMap::new(source, run.span, text);
                extract_commands(
                    text,
                    &map,
                    (
                        Some(index),
                        Some(job.steps.len()),
                        child(&step_path, key("run")),
                    ),
                    &mut model.commands,
                );
            }
        }
        job.variables
            .extend(variables(step.get("env"), &child(&step_path, key("env"))));
        job.steps.push(Step {
            path: step_path,
            name: step.get("name").and_then(Node::as_str).map(str::to_owned),
            uses: step.get("uses").and_then(Node::as_str).map(str::to_owned),
            with: step.get("with").map_or(Json::Null, Node::to_json),
        });
    }
}

/// `${{ secrets[format('{0}_API_TOKEN', matrix.prefix)] }}` or `${{ secrets[matrix.key] }}`:
/// the job reads one secret per value its matrix gives, each named in full and located at
/// the expression.
fn matrix_selected_secrets(job: &Node, path: &[Json], source: &str, out: &mut Vec<SecretRef>) {
    let text = source.get(job.span.start..job.span.end).unwrap_or_default();
    if !text.contains("secrets[") {
        return;
    }
    let matrix = job.get("strategy").and_then(|s| s.get("matrix"));
    for (at, _) in text.match_indices("secrets[") {
        let Some(len) = text[at..].find(']') else {
            continue;
        };
        let inner = text[at + "secrets[".len()..at + len].trim();
        let (format, key) = match inner.strip_prefix("format(") {
            Some(args) => {
                let Some((format, key)) = args.trim_end_matches(')').split_once(',') else {
                    continue;
                };
                (format.trim().trim_matches('\''), key.trim())
            }
            None => ("{0}", inner),
        };
        let Some(key) = key.strip_prefix("matrix.") else {
            continue;
        };
        let start = job.span.start + at;
        for value in matrix_values(matrix, key) {
            let name = format.replace("{0}", &value);
            out.push(SecretRef {
                env: env_of_secret_name(&name),
                name,
                path: path.to_vec(),
                span: [start, start + len + 1],
                variable: None,
                origin: None,
            });
        }
    }
}

/// The values a matrix gives `key`: its list, and the `include:` entries that set it.
fn matrix_values(matrix: Option<&Node>, key: &str) -> Vec<String> {
    let Some(matrix) = matrix else {
        return Vec::new();
    };
    let listed = (matrix.get(key).and_then(Node::as_seq)).unwrap_or_default();
    let included = (matrix.get("include").and_then(Node::as_seq)).unwrap_or_default();
    let values = listed
        .iter()
        .chain(included.iter().filter_map(|entry| entry.get(key)));
    values
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}
