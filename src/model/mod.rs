//! Stage 3 of the pipeline: parsed documents → the input model policies see.
//! The model is documented in `docs/input-schema.md`; keep the two in step.

pub mod callers;
pub mod ci;
pub mod classify;
pub mod cloudformation;
pub mod environment;
pub mod identities;
pub mod make;
pub mod script;
pub mod settings;
pub mod stages;
pub mod terraform;

use serde_json::{json, Map, Value as Json};

use crate::parse::node::Node;
use crate::parse::Format;
use ci::{ci_model, Linked};
use environment::{env_of_path, Env};
use script::{argv_commands, extract_commands, ModelCommand, ScriptMap};

/// One parsed document with its classification and policy input.
pub struct Document {
    pub kind: &'static str,
    pub index: usize,
    pub node: Node,
    pub input: Json,
}

/// Every top-level field of a document's input (docs/input-schema.md); a
/// rule's `reads` set names some of them.
pub const INPUT_FIELDS: &[&str] = &[
    "file",
    "format",
    "kind",
    "document",
    "environment",
    "test_context",
    "content",
    "jobs",
    "settings",
    "commands",
    "scheduled",
    "stages",
    "includes",
    "secret_refs",
    "resolved",
    "callers",
    "identities",
    "deployments",
];

/// Builds the policy input for document `index` of the file at `path`, alone.
pub fn build_document(
    path: &str,
    format: Format,
    source: &str,
    index: usize,
    node: Node,
) -> Document {
    build_document_in(path, format, source, index, node, &Linked::default())
}

/// Builds the policy input for document `index` of the file at `path`, with
/// what the repository's other files contribute (GitLab includes).
pub fn build_document_in(
    path: &str,
    format: Format,
    source: &str,
    index: usize,
    node: Node,
    linked: &Linked,
) -> Document {
    let kind = match classify::classify(path, format, &node) {
        "yaml" if linked.gitlab.is_included(path) => "gitlab-ci",
        kind => kind,
    };
    debug_assert!(crate::kinds::is_kind(kind), "unlisted kind `{kind}`");
    let environment = env_of_path(path);
    let test_config = match kind {
        "kubernetes" => test_workload(&node, environment),
        _ => kind == "test-config" || environment == Some(Env::Test),
    };

    let mut input = Map::new();
    input.insert("file".into(), json!(path));
    input.insert("format".into(), json!(format.as_str()));
    input.insert("kind".into(), json!(kind));
    input.insert("document".into(), json!(index));
    input.insert("environment".into(), json!(environment));
    input.insert("test_context".into(), json!(test_config));
    // The sections that configure one environment: every stage of a SAM, Serverless or
    // CloudFormation config; elsewhere only where a file has them (a Pulumi stack, `cdk.json`,
    // a Terraform map keyed by environment). Computed once: test settings read them too.
    let stages = match kind {
        "samconfig" | "serverless" | "cloudformation" | "yaml" | "json" | "terraform"
        | "terraform-vars" | "terragrunt" | "hcl" => stages::stages(kind, path, &node),
        _ => Vec::new(),
    };
    let settings = if format == Format::Toml {
        settings::pytest_env_settings(&node, source)
    } else if format == Format::Groovy && kind == "test-config" {
        settings::gradle_test_settings(&node)
    } else if test_config && path.rsplit('/').next() == Some("tox.ini") {
        settings::tox_settings(&node, source)
    } else if test_config && settings::is_config_kind(kind) {
        settings::settings(&node, source)
    } else if test_config && kind == "kubernetes" {
        settings::container_env_settings(&node)
    } else if matches!(kind, "yaml" | "json")
        && classify::is_environment_config(path) == Some(Env::Test)
    {
        // A test environment's own configuration: `Pulumi.test.yaml`,
        // `inventories/test/group_vars/all.yml`, `config/environments/test.json`.
        settings::settings(&node, source)
    } else if matches!(kind, "yaml" | "json") {
        let top = settings::test_section_settings(&node, source);
        if top.is_empty() {
            settings::stage_settings(&node, source, &stages)
        } else {
            top
        }
    } else {
        Vec::new()
    };
    input.insert("settings".into(), json!(settings));
    if matches!(
        kind,
        "kubernetes" | "helm-values" | "yaml" | "json" | "docker-compose"
    ) {
        input.insert(
            "identities".into(),
            json!(identities::identities(&node, source)),
        );
    }
    if matches!(kind, "kubernetes" | "helm-values") {
        let secrets = if test_config {
            settings::workload_secrets(&node)
        } else {
            Vec::new()
        };
        input.insert("secret_refs".into(), json!(secrets));
    }
    if kind == "cloudformation" && !linked.cloudformation.is_empty() {
        input.insert(
            "deployments".into(),
            json!(linked.cloudformation.deployments(&node)),
        );
    }
    if matches!(kind, "samconfig" | "serverless" | "cloudformation") || !stages.is_empty() {
        input.insert("stages".into(), json!(stages));
    }

    let mut commands: Vec<ModelCommand> = Vec::new();
    let mut jobs = Json::Array(Vec::new());
    match kind {
        "shell" if format == Format::Make => {
            let (make, includes) = make::make_model(node.as_str().unwrap_or_default());
            commands = make.commands;
            jobs = serde_json::to_value(make.jobs).unwrap_or_default();
            input.insert("includes".into(), json!(includes));
        }
        "shell" => {
            if let Some(text) = node.as_str() {
                extract_commands(
                    text,
                    &ScriptMap::identity(),
                    (None, None, Vec::new()),
                    &mut commands,
                );
            }
        }
        "kubernetes" => {
            input.insert(
                "scheduled".into(),
                json!(matches!(
                    node.get("kind").and_then(Node::as_str),
                    Some("CronJob" | "CronWorkflow")
                )),
            );
            container_commands(&node, &mut Vec::new(), source, &mut commands);
        }
        _ => {
            let ci = ci_model(kind, &node, source, path, linked);
            commands = ci.commands;
            jobs = serde_json::to_value(ci.jobs).unwrap_or_default();
        }
    }
    debug_assert!(commands.is_empty() || crate::kinds::has_commands(kind));
    input.insert("jobs".into(), jobs);
    input.insert(
        "commands".into(),
        serde_json::to_value(commands).unwrap_or_default(),
    );
    input.insert("content".into(), node.to_json());
    debug_assert!(input.keys().all(|k| INPUT_FIELDS.contains(&k.as_str())));
    Document {
        kind,
        index,
        node,
        input: Json::Object(input),
    }
}

/// A Kubernetes object for tests: in a test namespace (`test`, `ci`, `e2e`, `qa`) outside
/// another environment's directory, or in a test directory (`overlays/test/`) without
/// naming another environment's namespace.
fn test_workload(node: &Node, path_env: Option<Env>) -> bool {
    let namespace = node
        .get("metadata")
        .and_then(|m| m.get("namespace"))
        .and_then(Node::as_str);
    match namespace.and_then(environment::env_of_name) {
        Some(Env::Test) => matches!(path_env, None | Some(Env::Test)),
        Some(_) => false,
        None => path_env == Some(Env::Test),
    }
}

/// Kubernetes containers (`command:` + `args:`, anywhere in a Pod, Job or CronJob spec),
/// Tekton steps (`script:`) and Argo Workflows templates (`container:`, `script.source`).
fn container_commands(
    node: &Node,
    path: &mut Vec<Json>,
    source: &str,
    out: &mut Vec<ModelCommand>,
) {
    if path.len() > 32 {
        return;
    }
    if let Some(map) = node.as_map() {
        for (k, v) in map {
            path.push(json!(k.name));
            // Pod `containers`, Tekton `steps`/`sidecars`, Argo `container`/`script` templates.
            let containers = match k.name.as_str() {
                "containers" | "initContainers" | "steps" | "sidecars" => v.as_seq(),
                "container" | "script" if v.get("image").is_some() => Some(std::slice::from_ref(v)),
                _ => None,
            };
            if let Some(containers) = containers {
                for (i, container) in containers.iter().enumerate() {
                    let single = v.as_map().is_some();
                    if !single {
                        path.push(json!(i));
                    }
                    container_command(container, path, source, out);
                    if !single {
                        path.pop();
                    }
                }
            } else {
                container_commands(v, path, source, out);
            }
            path.pop();
        }
    } else if let Some(seq) = node.as_seq() {
        for (i, v) in seq.iter().enumerate() {
            path.push(json!(i));
            container_commands(v, path, source, out);
            path.pop();
        }
    }
}

fn container_command(container: &Node, path: &[Json], source: &str, out: &mut Vec<ModelCommand>) {
    // Tekton `script:` and Argo `source:`: a script the image's shell runs.
    for field in ["script", "source"] {
        if let Some(script) = container.get(field).filter(|s| s.as_str().is_some()) {
            let text = script.as_str().unwrap_or_default();
            let map = ScriptMap::new(source, script.span, text);
            extract_commands(text, &map, (None, None, child_path(path, field)), out);
            return;
        }
    }
    let strings = |field: &str| -> Vec<(&Node, Vec<Json>)> {
        let field_path = child_path(path, field);
        container
            .get(field)
            .and_then(Node::as_seq)
            .map(|s| {
                s.iter()
                    .filter(|n| n.as_str().is_some())
                    .map(|n| (n, field_path.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let parts: Vec<(&Node, Vec<Json>)> = strings("command")
        .into_iter()
        .chain(strings("args"))
        .collect();
    argv_commands(&parts, source, None, out);
}

fn child_path(path: &[Json], field: &str) -> Vec<Json> {
    let mut p = path.to_vec();
    p.push(json!(field));
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_context(path: &str, namespace: &str) -> bool {
        let src = format!("apiVersion: v1\nkind: Pod\nmetadata:\n  namespace: {namespace}\n");
        let node = crate::parse::parse(Format::Yaml, &src)
            .expect("parses")
            .remove(0);
        build_document(path, Format::Yaml, &src, 0, node).input["test_context"] == json!(true)
    }

    #[test]
    fn helmfile_environment_values_are_helm_values() {
        let src = "externalDatabase:\n  host: db.prod.acme.net\nenv:\n  - name: LOG_LEVEL\n    value: debug\n";
        let doc = |path: &str| {
            let node = crate::parse::parse(Format::Yaml, src)
                .expect("parses")
                .remove(0);
            build_document(path, Format::Yaml, src, 0, node).input
        };
        let test = doc("deploy/environments/test/values.yaml");
        assert_eq!(test["kind"], json!("helm-values"));
        assert_eq!(test["test_context"], json!(true));
        assert_eq!(test["settings"][0]["name"], json!("externalDatabase.host"));
        let prod = doc("envs/production/values.yaml");
        assert_eq!(prod["kind"], json!("helm-values"));
        assert_eq!(prod["settings"], json!([]));
        assert_eq!(doc("config/values.yaml")["kind"], json!("yaml"));
    }

    #[test]
    fn kubernetes_test_namespaces_and_directories() {
        assert!(test_context("k8s/pod.yaml", "e2e"));
        assert!(test_context("k8s/overlays/ci/pod.yaml", "orders"));
        assert!(!test_context("k8s/overlays/ci/pod.yaml", "production"));
        assert!(!test_context("k8s/overlays/prod/pod.yaml", "qa"));
        assert!(!test_context("k8s/pod.yaml", "orders"));
    }
}
