//! Document kinds: what a parsed document is, from its path and its content.

use super::environment::{env_of_path, Env};
use crate::parse::{Format, Node};

/// Returns the kind name policies select on (`input.kind`).
pub fn classify(path: &str, format: Format, doc: &Node) -> &'static str {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let in_dir = |dir: &str| lower.starts_with(dir) || lower.contains(&format!("/{dir}"));
    match format {
        // A Makefile's recipes are shell command lines: every shell rule applies.
        Format::Shell | Format::Make => "shell",
        // A Gradle build script is read for its test tasks' environment only.
        Format::Groovy if name.ends_with(".gradle") || name.ends_with(".gradle.kts") => {
            "test-config"
        }
        Format::Groovy => "jenkins",
        Format::Hcl => {
            if name == "terragrunt.hcl" {
                "terragrunt"
            } else if name.ends_with(".tfvars") {
                "terraform-vars"
            } else if name.ends_with(".tf") {
                "terraform"
            } else {
                "hcl"
            }
        }
        Format::Dotenv => {
            if is_test_config_name(&lower) {
                "test-config"
            } else {
                "dotenv"
            }
        }
        Format::Ini => {
            if is_test_config_name(&lower) {
                "test-config"
            } else {
                "ini"
            }
        }
        // pyproject.toml is read for pytest's settings only (`model::settings`).
        Format::Toml => match name {
            "samconfig.toml" => "samconfig",
            "pyproject.toml" => "test-config",
            _ => "toml",
        },
        Format::Yaml | Format::Json => {
            if in_dir(".github/workflows/") && format == Format::Yaml {
                return "github-actions";
            }
            // A composite action runs its steps in the workflow job that uses it.
            let composite = doc
                .get("runs")
                .and_then(|r| r.get("using"))
                .and_then(Node::as_str);
            if matches!(name, "action.yml" | "action.yaml") && composite == Some("composite") {
                return "github-actions";
            }
            if name == ".gitlab-ci.yml" || name.ends_with(".gitlab-ci.yml") || in_dir(".gitlab/ci/")
            {
                return "gitlab-ci";
            }
            if in_dir(".circleci/") {
                return "circleci";
            }
            if name.starts_with("azure-pipelines")
                || in_dir(".azure-pipelines/")
                || in_dir(".azuredevops/")
            {
                return "azure-pipelines";
            }
            if name == "bitbucket-pipelines.yml" {
                return "bitbucket-pipelines";
            }
            if in_dir(".buildkite/") {
                return "buildkite";
            }
            // `cloudbuild.yaml`, `cloudbuild-release.yaml`, or any config in a `cloudbuild/` directory.
            let cloud_build_path = name.starts_with("cloudbuild") || in_dir("cloudbuild/");
            if cloud_build_path && doc.get("steps").is_some_and(|s| s.as_seq().is_some()) {
                return "cloud-build";
            }
            if name.starts_with("buildspec") && doc.get("phases").is_some() {
                return "codebuild";
            }
            if matches!(name, ".drone.yml" | ".drone.yaml") {
                return "drone";
            }
            if matches!(name, ".woodpecker.yml" | ".woodpecker.yaml") || in_dir(".woodpecker/") {
                return "woodpecker";
            }
            if matches!(name, ".travis.yml" | ".travis.yaml") {
                return "travis-ci";
            }
            if name == "package.json" && format == Format::Json {
                return "package-json";
            }
            if name.ends_with(".tf.json") {
                return "terraform";
            }
            if name.ends_with(".tfvars.json") && format == Format::Json {
                return "terraform-vars";
            }
            // SAM CLI also reads `samconfig.yaml`; Serverless Framework
            // services may keep one config per stage (`serverless.prod.yml`).
            if name.starts_with("samconfig.") {
                return "samconfig";
            }
            if name.starts_with("serverless.") && doc.get("provider").is_some() {
                return "serverless";
            }
            if name.starts_with("docker-compose")
                || name.starts_with("compose.")
                || name.starts_with("compose-")
            {
                return "docker-compose";
            }
            if doc.get("AWSTemplateFormatVersion").is_some() || has_cfn_resources(doc) {
                return "cloudformation";
            }
            if doc.get("apiVersion").and_then(Node::as_str).is_some()
                && doc.get("kind").and_then(Node::as_str).is_some()
            {
                return "kubernetes";
            }
            if doc.get("Statement").is_some() && doc.get("Version").is_some() {
                return "iam-policy";
            }
            if is_test_config_name(&lower) {
                return "test-config";
            }
            // Charts keep values beside them; helmfile and Argo CD layouts keep one
            // per environment (`environments/test/values.yaml`, `envs/prod/values.yaml`).
            if name.starts_with("values")
                && (in_dir("charts/")
                    || in_dir("helm/")
                    || in_dir("chart/")
                    || in_dir("environments/")
                    || in_dir("envs/"))
            {
                return "helm-values";
            }
            if format == Format::Yaml && is_azure_pipeline(doc) {
                return "azure-pipelines";
            }
            if format == Format::Yaml {
                "yaml"
            } else {
                "json"
            }
        }
    }
}

/// An Azure Pipelines file wherever it lives (`pipelines/nightly.yml`, a `jobs`/`steps`
/// template): `stages:` of `- stage:` items, `jobs:` of `- job:`/`- deployment:` items, or
/// `steps:` holding a `- task:`, `- bash:`, `- pwsh:` or `- checkout:` step. GitLab's
/// `stages:` are names, GitHub's and CircleCI's `jobs:` are maps, Buildkite steps say `command:`.
pub fn is_azure_pipeline(doc: &Node) -> bool {
    let items = |key: &str| doc.get(key).and_then(Node::as_seq).unwrap_or_default();
    let any_has = |key: &str, fields: &[&str]| {
        items(key)
            .iter()
            .any(|item| fields.iter().any(|f| item.get(f).is_some()))
    };
    // A pipeline made of templates (`stages: [{template: stages/test.yml}]`) is one too:
    // GitLab's `stages:` are names, and no other CI system lists `jobs:` or `steps:` entries.
    any_has("stages", &["stage", "template"])
        || any_has("jobs", &["job", "deployment", "template"])
        || any_has(
            "steps",
            &["task", "bash", "pwsh", "powershell", "checkout", "template"],
        )
}

/// `.env.test`, `config/test.yml`, `application-test.yml`, `pytest.ini`, config files under `tests/`.
pub fn is_test_config_name(lower_path: &str) -> bool {
    let name = lower_path.rsplit('/').next().unwrap_or(lower_path);
    let stem = name.split('.').next().unwrap_or(name);
    matches!(
        name,
        "pytest.ini" | "tox.ini" | "setup.cfg" | ".env.test" | ".env.ci" | ".env.testing"
    ) || name.starts_with(".env.test")
        || matches!(
            stem,
            "application-test" | "application-ci" | "application-integration"
        )
        || (lower_path.contains("config/")
            && (stem == "test" || stem.starts_with("test_") || stem.starts_with("test-")))
        || matches!(
            name,
            "docker-compose.test.yml"
                | "docker-compose.ci.yml"
                | "docker-compose.test.yaml"
                | "docker-compose.ci.yaml"
        )
        || (in_test_dir(lower_path) && is_config_like(name))
}

/// The environment a YAML or JSON file configures, when its path names one outside a
/// test-suite directory: a Pulumi stack file (`Pulumi.test.yaml`), an Ansible
/// inventory (`inventories/test/group_vars/all.yml`), `environments/test.json`. Under
/// `tests/` or `spec/` files are fixtures and suite settings, read as `test-config`.
pub fn is_environment_config(path: &str) -> Option<Env> {
    let lower = path.to_ascii_lowercase();
    // `inventories/test/`, `overlays/test/`: an environment named `test`, not a suite.
    let per_environment = [
        "inventories/",
        "inventory/",
        "environments/",
        "envs/",
        "overlays/",
        "stacks/",
        "group_vars/",
        "host_vars/",
    ]
    .iter()
    .any(|d| lower.starts_with(d) || lower.contains(&format!("/{d}")));
    let fixture = !per_environment && in_test_dir(&lower)
        || ["spec/", "fixtures/", "testdata/", "__fixtures__/"]
            .iter()
            .any(|d| lower.starts_with(d) || lower.contains(&format!("/{d}")));
    (!fixture).then(|| env_of_path(path)).flatten()
}

fn in_test_dir(lower_path: &str) -> bool {
    ["tests/", "test/"]
        .iter()
        .any(|d| lower_path.starts_with(d) || lower_path.contains(&format!("/{d}")))
}

/// Under `tests/`, settings files configure the suite; the rest (recorded
/// responses, sample inputs) is data the tests read, not configuration.
fn is_config_like(name: &str) -> bool {
    name.starts_with(".env")
        || name.ends_with(".ini")
        || name.ends_with(".cfg")
        || name.ends_with(".properties")
        || ["config", "settings", "database", "application", "compose"]
            .iter()
            .any(|w| name.contains(w))
}

fn has_cfn_resources(doc: &Node) -> bool {
    doc.get("Resources")
        .and_then(Node::as_map)
        .is_some_and(|resources| {
            !resources.is_empty()
                && resources.iter().all(|(_, r)| {
                    r.get("Type")
                        .and_then(Node::as_str)
                        .is_some_and(|t| t.contains("::"))
                })
        })
}
