//! CI pipelines → a common job model (`input.jobs`), whatever the CI system.
//!
//! Every system says "job", "script", "environment" and "secret" differently;
//! policies should not have to. Each job records whether it is a test context
//! and why, which environment it deploys to, the secrets and variables it reads
//! (with exact spans) and the commands its scripts run.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value as Json};

use super::environment::{env_of_name, env_of_secret_name, words, Env};
use super::script::{extract_commands, ModelCommand, ScriptMap};
use crate::parse::node::Node;

#[derive(Debug, Default, Serialize)]
pub struct Job {
    pub id: String,
    pub name: String,
    /// Content path of the job's mapping.
    pub path: Vec<Json>,
    /// The raw `environment:` name, when declared.
    pub environment: Option<String>,
    /// The deployment environment this job targets: from `environment:`, else its name.
    pub env: Option<Env>,
    /// A test context: runs tests, is named or staged as a test, or is triggered only by pull requests.
    pub test: bool,
    pub test_reasons: Vec<String>,
    /// Indices into `input.commands` of the test-runner invocations this job makes.
    pub test_commands: Vec<usize>,
    /// Deploys or releases: declares an environment or is named deploy/release/publish.
    pub deploy: bool,
    /// Runs unattended on a schedule (cron).
    pub scheduled: bool,
    pub triggers: Vec<String>,
    pub needs: Vec<String>,
    pub stage: Option<String>,
    pub steps: Vec<Step>,
    /// Secrets and CI variables referenced by the job (`${{ secrets.X }}`, `$X`).
    pub secrets: Vec<SecretRef>,
    /// Variables the job sets (`env:`, `variables:`), own or inherited.
    pub variables: Vec<Variable>,
    /// CircleCI contexts / Azure variable groups attached to the job.
    pub contexts: Vec<Reference>,
}

#[derive(Debug, Default, Serialize)]
pub struct Step {
    pub path: Vec<Json>,
    pub name: Option<String>,
    pub uses: Option<String>,
    pub with: Json,
}

#[derive(Clone, Debug, Serialize)]
pub struct SecretRef {
    pub name: String,
    /// Content path of the scalar that references it.
    pub path: Vec<Json>,
    /// Exact byte span of the reference (e.g. `secrets.PROD_DB_URL`).
    pub span: [usize; 2],
    pub env: Option<Env>,
    /// Where an inherited reference is written when that is another file (a GitLab
    /// template from `include: local`); `path`/`span` then name the job's `extends:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Variable {
    pub name: String,
    pub value: Json,
    pub path: Vec<Json>,
    pub env: Option<Env>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A location in another file.
#[derive(Clone, Debug, Serialize)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub span: [usize; 2],
}

#[derive(Debug, Serialize)]
pub struct Reference {
    pub name: String,
    pub path: Vec<Json>,
    pub env: Option<Env>,
    /// What the CI system calls it: `context`, `variable group` or `service connection`.
    pub via: &'static str,
}

/// What a CI document contributes to the input model.
#[derive(Default)]
pub struct CiModel {
    pub jobs: Vec<Job>,
    pub commands: Vec<ModelCommand>,
}

pub(crate) const TEST_WORDS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "e2e",
    "integration",
    "spec",
    "specs",
    "unit",
    "unittest",
    "rspec",
    "pytest",
    "jest",
    "cypress",
    "playwright",
    "acceptance",
    "functional",
];
const DEPLOY_WORDS: &[&str] = &[
    "deploy",
    "deployment",
    "release",
    "publish",
    "promote",
    "rollout",
    "ship",
    "provision",
    "apply",
];
/// Pull-request jobs that are not tests by their trigger alone.
const NON_TEST_PR_WORDS: &[&str] = &["plan", "preview", "diff", "label", "labeler", "triage"];
const PR_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "merge_request_event",
    "merge_group",
];

/// Builds the job model for a CI document of `kind`.
pub fn ci_model(
    kind: &str,
    doc: &Node,
    source: &str,
    file: &str,
    includes: &GitlabIncludes,
) -> CiModel {
    let mut model = CiModel::default();
    match kind {
        "github-actions" => github(doc, source, &mut model),
        "gitlab-ci" => gitlab(doc, source, file, includes, &mut model),
        "circleci" => circleci(doc, source, &mut model),
        "azure-pipelines" => azure(doc, source, &mut model),
        "bitbucket-pipelines" => bitbucket(doc, source, &mut model),
        "buildkite" => buildkite(doc, source, &mut model),
        _ => {}
    }
    for job in &mut model.jobs {
        infer_contexts(job);
    }
    mark_test_runners(&mut model.jobs, &model.commands);
    model
}

fn key(k: &str) -> Json {
    Json::String(k.to_owned())
}

fn child(path: &[Json], seg: Json) -> Vec<Json> {
    let mut p = path.to_vec();
    p.push(seg);
    p
}

/// How a CI system spells a reference to a secret or variable.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RefStyle {
    /// `${{ secrets.X }}`
    GitHub,
    /// `$X` / `${X}`
    Dollar,
    /// Azure macros `$(X)` as well as `$X` / `${X}` in scripts.
    Azure,
}

/// Collects the secret and variable references in every scalar under `node`.
fn collect_refs(
    node: &Node,
    path: &[Json],
    source: &str,
    style: RefStyle,
    out: &mut Vec<SecretRef>,
) {
    let mut stack = vec![(node, path.to_vec())];
    while let Some((node, path)) = stack.pop() {
        if let Some(map) = node.as_map() {
            for (k, v) in map.iter().rev() {
                stack.push((v, child(&path, key(&k.name))));
            }
        } else if let Some(seq) = node.as_seq() {
            for (i, v) in seq.iter().enumerate().rev() {
                stack.push((v, child(&path, json!(i))));
            }
        } else if let Some(text) = node.as_str() {
            let region = source.get(node.span.start..node.span.end).unwrap_or("");
            for (name, offset, len) in references(text, region, style) {
                let span = match offset {
                    Some(o) => [node.span.start + o, node.span.start + o + len],
                    None => [node.span.start, node.span.end],
                };
                out.push(SecretRef {
                    env: env_of_secret_name(&name),
                    name,
                    path: path.clone(),
                    span,
                    origin: None,
                });
            }
        }
    }
}

/// Finds references in a scalar's value; offsets are located in its source region.
fn references(text: &str, region: &str, style: RefStyle) -> Vec<(String, Option<usize>, usize)> {
    let mut out = Vec::new();
    let mut search_from = 0;
    if style == RefStyle::GitHub {
        for (idx, _) in text.match_indices("secrets.") {
            // `${{ secrets.X }}` but not `foosecrets.X`, and only inside an expression:
            // `echo "rotate secrets.PROD_DB"` is a mention, not a read.
            if idx > 0 && text.as_bytes()[idx - 1].is_ascii_alphanumeric() {
                continue;
            }
            let open = text[..idx].rfind("${{");
            let close = text[..idx].rfind("}}");
            if open.is_none() || close > open {
                continue;
            }
            let rest = &text[idx + 8..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            if name.is_empty() {
                continue;
            }
            let needle = format!("secrets.{name}");
            let located = region
                .get(search_from..)
                .and_then(|r| r.find(&needle))
                .map(|o| o + search_from);
            if let Some(o) = located {
                search_from = o + needle.len();
            }
            out.push((name, located, needle.len()));
        }
    } else {
        let bytes = text.as_bytes();
        let mut i = 0;
        // Tracked as the scan goes (one pass, linear in the text): whether the current
        // line so far is a shell comment.
        let mut in_comment = false;
        let mut line_has_text = false;
        while i < bytes.len() {
            let byte = bytes[i];
            if byte == b'\n' {
                in_comment = false;
                line_has_text = false;
            } else if !line_has_text && !byte.is_ascii_whitespace() {
                line_has_text = true;
                in_comment = byte == b'#';
            }
            if byte == b'$' && in_comment {
                // A shell comment mentions a variable; it does not read it.
                i += 1;
            } else if byte == b'$' {
                // `$(cmd)` is command substitution in a shell but a variable macro in Azure.
                let macro_ = style == RefStyle::Azure && bytes.get(i + 1) == Some(&b'(');
                let braced = macro_ || bytes.get(i + 1) == Some(&b'{');
                let start = i + 1 + usize::from(braced);
                let name: String = text[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || (macro_ && *c == '.'))
                    .collect();
                if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) {
                    let needle = &text[i..start + name.len()];
                    let located = region
                        .get(search_from..)
                        .and_then(|r| r.find(needle))
                        .map(|o| o + search_from);
                    if let Some(o) = located {
                        search_from = o + needle.len();
                    }
                    out.push((
                        name.clone(),
                        located.map(|o| o + usize::from(braced) + 1),
                        name.len(),
                    ));
                }
                i = start + name.len();
            } else {
                // Step over a whole character so every index stays on a char boundary.
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out
}

/// The variables a pipeline sets for every job under its top-level `name`
/// (`env:`, `variables:`), and the secrets they reference.
fn pipeline_env(
    doc: &Node,
    name: &str,
    source: &str,
    style: RefStyle,
) -> (Vec<Variable>, Vec<SecretRef>) {
    let path = [key(name)];
    let mut refs = Vec::new();
    if let Some(node) = doc.get(name) {
        collect_refs(node, &path, source, style, &mut refs);
    }
    (variables(doc.get(name), &path), refs)
}

fn variables(node: Option<&Node>, path: &[Json]) -> Vec<Variable> {
    let Some(map) = node.and_then(Node::as_map) else {
        return Vec::new();
    };
    map.iter()
        .map(|(k, v)| {
            // GitLab allows `VAR: {value: x, description: y}`.
            let value = v.get("value").unwrap_or(v);
            Variable {
                name: k.name.clone(),
                value: value.to_json(),
                path: child(path, key(&k.name)),
                env: env_of_secret_name(&k.name),
                origin: None,
            }
        })
        .collect()
}

/// Scripts given as a string or a list of strings (GitLab `script:`, Bitbucket, Buildkite).
fn scripts(node: &Node, path: &[Json], source: &str, job: usize, model: &mut CiModel) {
    match node.as_seq() {
        Some(items) => {
            for (i, item) in items.iter().enumerate() {
                scripts(item, &child(path, json!(i)), source, job, model);
            }
        }
        None => {
            if let Some(text) = node.as_str() {
                let map = ScriptMap::new(source, node.span, text);
                extract_commands(
                    text,
                    &map,
                    (Some(job), None, path.to_vec()),
                    &mut model.commands,
                );
            }
        }
    }
}

fn environment_name(node: Option<&Node>) -> Option<String> {
    let node = node?;
    node.as_str()
        .map(str::to_owned)
        .or_else(|| node.get("name").and_then(Node::as_str).map(str::to_owned))
}

fn string_list(node: Option<&Node>) -> Vec<String> {
    match node {
        Some(n) => match (n.as_str(), n.as_seq()) {
            (Some(s), _) => vec![s.to_owned()],
            (_, Some(items)) => items
                .iter()
                .filter_map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .or_else(|| i.get("job").and_then(Node::as_str).map(str::to_owned))
                })
                .collect(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    }
}

fn github(doc: &Node, source: &str, model: &mut CiModel) {
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
        if let Some(uses) = node.get("uses").and_then(Node::as_str) {
            // A reusable-workflow call: its `with:`/`secrets:` are the job's inputs.
            job.steps.push(Step {
                path: path.clone(),
                name: None,
                uses: Some(uses.to_owned()),
                with: node.get("with").map_or(Json::Null, Node::to_json),
            });
        }
        if let Some(steps) = node.get("steps").and_then(Node::as_seq) {
            for (i, step) in steps.iter().enumerate() {
                let step_path = child(&child(&path, key("steps")), json!(i));
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
        job.path = path;
        model.jobs.push(job);
    }
}

const GITLAB_RESERVED: &[&str] = &[
    "stages",
    "variables",
    "include",
    "default",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "pages_config",
    "spec",
];

/// A GitLab template (or job) defined in a pipeline file.
struct Template {
    file: String,
    source: Arc<str>,
    node: Node,
}

/// GitLab pipelines spread over files: `include: local` files and `.gitlab/ci/`
/// hold templates that jobs elsewhere `extend`. Read once per scan, before any
/// document is modelled (like Terraform's directory scopes), and keyed by the
/// pipeline's root directory so separate repositories in one scan never mix.
#[derive(Default)]
pub struct GitlabIncludes {
    /// Included file → the root directory of the pipeline that includes it.
    included: BTreeMap<String, String>,
    /// (root, template name) → where it is defined.
    templates: BTreeMap<(String, String), Template>,
}

/// The pipeline root of a GitLab file by its path: the directory of
/// `.gitlab-ci.yml`, or the one holding `.gitlab/ci/`.
fn gitlab_root(path: &str) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".gitlab-ci.yml") {
        return Some(path[..path.len() - name.len()].to_owned());
    }
    let at = if path.starts_with(".gitlab/ci/") {
        0
    } else {
        path.find("/.gitlab/ci/")? + 1
    };
    Some(path[..at].to_owned())
}

/// The local files a pipeline includes (`include: path`, `- local: path`),
/// relative to the root; remote, project, template and glob includes are not read.
fn local_includes(doc: &Node) -> Vec<String> {
    let Some(include) = doc.get("include") else {
        return Vec::new();
    };
    let entries: Vec<&Node> = match include.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![include],
    };
    entries
        .into_iter()
        .filter_map(|entry| match entry.as_str() {
            Some(s) => (!s.contains("://")).then_some(s),
            None => entry.get("local").and_then(Node::as_str),
        })
        .filter(|p| !p.contains('*') && !p.contains('$'))
        .map(|p| p.trim_start_matches('/').to_owned())
        .collect()
}

impl GitlabIncludes {
    /// Reads the pipeline files among `paths` and, transitively, the local files they include.
    pub fn collect(paths: &[&str], read: impl Fn(&str) -> Option<String>) -> Self {
        let known: BTreeSet<&str> = paths.iter().copied().collect();
        let mut queue: Vec<(String, String)> = paths
            .iter()
            .filter_map(|p| Some((p.to_string(), gitlab_root(p)?)))
            .collect();
        let mut seen: BTreeSet<String> = queue.iter().map(|(p, _)| p.clone()).collect();
        let mut out = GitlabIncludes::default();
        while let Some((file, root)) = queue.pop() {
            let Some(text) = read(&file) else { continue };
            let Ok(docs) = crate::parse::yaml::parse_yaml(&text) else {
                continue;
            };
            let source: Arc<str> = Arc::from(text);
            for doc in docs {
                for include in local_includes(&doc) {
                    let path = format!("{root}{include}");
                    if known.contains(path.as_str()) && seen.insert(path.clone()) {
                        out.included.insert(path.clone(), root.clone());
                        queue.push((path, root.clone()));
                    }
                }
                let Some(top) = doc.as_map() else { continue };
                for (k, node) in top {
                    if GITLAB_RESERVED.contains(&k.name.as_str()) || node.as_map().is_none() {
                        continue;
                    }
                    out.templates
                        .entry((root.clone(), k.name.clone()))
                        .or_insert_with(|| Template {
                            file: file.clone(),
                            source: source.clone(),
                            node: node.clone(),
                        });
                }
            }
        }
        out
    }

    /// A file another pipeline file includes: modelled as GitLab CI whatever its name.
    pub fn is_included(&self, path: &str) -> bool {
        self.included.contains_key(path)
    }

    /// The root directory of the pipeline a file belongs to, if it is a
    /// pipeline file or included by one.
    pub fn pipeline_root(&self, path: &str) -> Option<String> {
        gitlab_root(path).or_else(|| self.included.get(path).cloned())
    }

    /// A template of `path`'s pipeline defined in another file.
    fn template(&self, path: &str, name: &str) -> Option<&Template> {
        let t = self
            .templates
            .get(&(self.pipeline_root(path)?, name.to_owned()))?;
        (t.file != path).then_some(t)
    }
}

/// One link of a job's `extends` chain: a key of this document, or a template of another file.
struct Link<'a> {
    name: String,
    node: &'a Node,
    external: Option<&'a Template>,
    /// The entry of the job's own `extends:` this link is inherited through.
    via: usize,
}

fn gitlab(doc: &Node, source: &str, file: &str, includes: &GitlabIncludes, model: &mut CiModel) {
    let Some(top) = doc.as_map() else { return };
    let (global_vars, global_refs) = pipeline_env(doc, "variables", source, RefStyle::Dollar);
    for (k, node) in top {
        if k.name.starts_with('.')
            || GITLAB_RESERVED.contains(&k.name.as_str())
            || node.as_map().is_none()
        {
            continue;
        }
        let chain = gitlab_extends(doc, file, includes, &k.name, node);
        let has_script = ["script", "trigger", "run"]
            .iter()
            .any(|s| chain.iter().any(|l| l.node.get(s).is_some()));
        if !has_script {
            continue;
        }
        let path = vec![key(&k.name)];
        let index = model.jobs.len();
        let first = |field: &str| chain.iter().find_map(|l| l.node.get(field));
        let rules_text = first("rules")
            .map(|r| r.to_json().to_string())
            .unwrap_or_default();
        let mut triggers = Vec::new();
        if rules_text.contains("merge_request_event") && !rules_text.contains("CI_COMMIT_BRANCH") {
            triggers.push("merge_request_event".to_owned());
        }
        if runs_on_schedule(first("rules")) {
            triggers.push("schedule".to_owned());
        }
        let mut job = Job {
            id: k.name.clone(),
            name: k.name.clone(),
            environment: environment_name(first("environment")),
            stage: first("stage").and_then(Node::as_str).map(str::to_owned),
            needs: string_list(first("needs")),
            scheduled: triggers.iter().any(|t| t == "schedule"),
            triggers,
            variables: global_vars.to_vec(),
            ..Job::default()
        };
        // Own keys first so their spans are the ones reported; inherited ones
        // are located in the template that declares them, in this file or another.
        for link in &chain {
            let at = vec![key(&link.name)];
            let mut vars = variables(link.node.get("variables"), &child(&at, key("variables")));
            let mut refs = Vec::new();
            let text = link.external.map_or(source, |t| &t.source);
            collect_refs(link.node, &at, text, RefStyle::Dollar, &mut refs);
            if let (Some(t), Some((ext_path, ext_span))) =
                (link.external, extends_site(node, &path, link.via))
            {
                for v in &mut vars {
                    let span = link.node.get("variables").and_then(|m| m.get(&v.name));
                    v.origin = span.map(|n| origin(t, [n.span.start, n.span.end]));
                    v.path.clone_from(&ext_path);
                }
                for r in &mut refs {
                    r.origin = Some(origin(t, r.span));
                    r.path.clone_from(&ext_path);
                    r.span = ext_span;
                }
            }
            job.variables.extend(vars);
            job.secrets.extend(refs);
        }
        job.secrets.extend(global_refs.iter().cloned());
        // `$VAR` defined in the pipeline itself is configuration, not a secret.
        job.secrets.retain(|r| {
            !job.variables.iter().any(|v| v.name == r.name) && !is_gitlab_predefined(&r.name)
        });
        for field in ["before_script", "script", "after_script"] {
            let Some(link) = chain.iter().find(|l| l.node.get(field).is_some()) else {
                continue;
            };
            // A script inherited from another file has no offsets in this one.
            let (Some(script), None) = (link.node.get(field), link.external) else {
                continue;
            };
            let own = std::ptr::eq(link.node, node);
            let script_path = if own {
                child(&path, key(field))
            } else {
                path.clone()
            };
            scripts(script, &script_path, source, index, model);
        }
        job.path = path;
        model.jobs.push(job);
    }
}

fn origin(template: &Template, span: [usize; 2]) -> Origin {
    let (line, column) = crate::report::diagnostic::line_col(&template.source, span[0]);
    Origin {
        file: template.file.clone(),
        line,
        column,
        span,
    }
}

/// Entry `via` of the job's `extends:` (path and span): where inheriting from another file is
/// reported.
fn extends_site(job: &Node, path: &[Json], via: usize) -> Option<(Vec<Json>, [usize; 2])> {
    let extends = job.get("extends")?;
    let at = child(path, key("extends"));
    Some(match extends.as_seq().and_then(|items| items.get(via)) {
        Some(item) => (child(&at, json!(via)), [item.span.start, item.span.end]),
        None => (at, [extends.span.start, extends.span.end]),
    })
}

/// A GitLab `rules:` entry that runs the job for scheduled pipelines
/// (`if: $CI_PIPELINE_SOURCE == "schedule"`, not `when: never`).
fn runs_on_schedule(rules: Option<&Node>) -> bool {
    rules
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .any(|rule| {
            let condition = rule.get("if").and_then(Node::as_str).unwrap_or_default();
            let never = rule.get("when").and_then(Node::as_str) == Some("never");
            !never
                && condition.contains("CI_PIPELINE_SOURCE")
                && condition.contains("==")
                && (condition.contains("\"schedule\"") || condition.contains("'schedule'"))
        })
}

fn is_gitlab_predefined(name: &str) -> bool {
    name.starts_with("CI_") || name.starts_with("GITLAB_") || name.starts_with("RUNNER_")
}

/// The job followed by the templates it `extends` (with their keys), nearest first (bounded
/// depth); a name this document lacks is looked up among the pipeline's other files.
fn gitlab_extends<'a>(
    doc: &'a Node,
    file: &str,
    includes: &'a GitlabIncludes,
    name: &str,
    job: &'a Node,
) -> Vec<Link<'a>> {
    let mut chain = vec![Link {
        name: name.to_owned(),
        node: job,
        external: None,
        via: 0,
    }];
    let mut frontier = vec![(job, None::<&Template>, None)];
    for _ in 0..8 {
        let mut next = Vec::new();
        for (node, from, via) in frontier {
            for (i, parent) in string_list(node.get("extends")).into_iter().enumerate() {
                let via = via.unwrap_or(i);
                // A template inherited from another file looks its own parents up there.
                let here = from.map_or(file, |t| t.file.as_str());
                let local = if from.is_none() {
                    doc.get(&parent)
                } else {
                    None
                };
                let found = match local {
                    Some(p) => Some((p, None)),
                    None => includes.template(here, &parent).map(|t| (&t.node, Some(t))),
                };
                let Some((p, external)) = found else { continue };
                if !chain.iter().any(|l| std::ptr::eq(l.node, p)) {
                    chain.push(Link {
                        name: parent,
                        node: p,
                        external,
                        via,
                    });
                    next.push((p, external, Some(via)));
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    chain
}

fn circleci(doc: &Node, source: &str, model: &mut CiModel) {
    let jobs = doc
        .get("jobs")
        .and_then(Node::as_map)
        .map(|m| m.iter().collect::<Vec<_>>())
        .unwrap_or_default();
    // Contexts are attached where a workflow lists the job.
    let mut contexts: Vec<(String, Reference)> = Vec::new();
    let mut scheduled_jobs: Vec<String> = Vec::new();
    // Orb jobs (`node/test`, `cypress/run`) are defined by the orb, not under `jobs:`: each
    // workflow entry is the whole job as this config sees it.
    let mut orb_jobs: Vec<Job> = Vec::new();
    if let Some(workflows) = doc.get("workflows").and_then(Node::as_map) {
        for (wk, workflow) in workflows {
            let scheduled = workflow
                .get("triggers")
                .is_some_and(|t| t.to_json().to_string().contains("schedule"));
            let Some(entries) = workflow.get("jobs").and_then(Node::as_seq) else {
                continue;
            };
            for (i, entry) in entries.iter().enumerate() {
                let Some((job_key, config)) = entry.as_map().and_then(|m| m.first()) else {
                    if scheduled {
                        scheduled_jobs.extend(entry.as_str().map(str::to_owned));
                    }
                    continue;
                };
                if scheduled {
                    scheduled_jobs.push(job_key.name.clone());
                }
                let base = vec![
                    key("workflows"),
                    key(&wk.name),
                    key("jobs"),
                    json!(i),
                    key(&job_key.name),
                    key("context"),
                ];
                let context = config.get("context");
                let names: Vec<(String, Vec<Json>)> = match (
                    context.and_then(Node::as_str),
                    context.and_then(Node::as_seq),
                ) {
                    (Some(s), _) => vec![(s.to_owned(), base.clone())],
                    (_, Some(items)) => items
                        .iter()
                        .enumerate()
                        .filter_map(|(j, c)| {
                            c.as_str().map(|s| (s.to_owned(), child(&base, json!(j))))
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let refs = names.into_iter().map(|(name, path)| Reference {
                    env: env_of_name(&name),
                    name,
                    path,
                    via: "context",
                });
                if job_key.name.contains('/') && !jobs.iter().any(|(k, _)| k.name == job_key.name) {
                    let path = vec![
                        key("workflows"),
                        key(&wk.name),
                        key("jobs"),
                        json!(i),
                        key(&job_key.name),
                    ];
                    let mut job = Job {
                        id: job_key.name.clone(),
                        name: config
                            .get("name")
                            .and_then(Node::as_str)
                            .unwrap_or(&job_key.name)
                            .to_owned(),
                        scheduled,
                        contexts: refs.collect(),
                        ..Job::default()
                    };
                    collect_refs(config, &path, source, RefStyle::Dollar, &mut job.secrets);
                    job.path = path;
                    orb_jobs.push(job);
                    continue;
                }
                contexts.extend(refs.map(|r| (job_key.name.clone(), r)));
            }
        }
    }
    for (k, node) in jobs {
        let path = vec![key("jobs"), key(&k.name)];
        let index = model.jobs.len();
        let mut job = Job {
            id: k.name.clone(),
            name: k.name.clone(),
            scheduled: scheduled_jobs.contains(&k.name),
            variables: variables(node.get("environment"), &child(&path, key("environment"))),
            ..Job::default()
        };
        collect_refs(node, &path, source, RefStyle::Dollar, &mut job.secrets);
        for (job_name, reference) in &contexts {
            if job_name == &k.name {
                job.contexts.push(Reference {
                    name: reference.name.clone(),
                    path: reference.path.clone(),
                    env: reference.env,
                    via: reference.via,
                });
            }
        }
        if let Some(steps) = node.get("steps").and_then(Node::as_seq) {
            for (i, step) in steps.iter().enumerate() {
                let step_path = child(&child(&path, key("steps")), json!(i));
                let Some(run) = step.get("run") else { continue };
                let (script, script_path) = match run.get("command") {
                    Some(command) => (
                        command,
                        child(&child(&step_path, key("run")), key("command")),
                    ),
                    None => (run, child(&step_path, key("run"))),
                };
                if let Some(text) = script.as_str() {
                    let map = ScriptMap::new(source, script.span, text);
                    extract_commands(
                        text,
                        &map,
                        (Some(index), Some(i), script_path),
                        &mut model.commands,
                    );
                }
            }
        }
        job.path = path;
        model.jobs.push(job);
    }
    model.jobs.extend(orb_jobs);
}

fn azure(doc: &Node, source: &str, model: &mut CiModel) {
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
            if let Some((field, script)) = inline_bash(step) {
                let script_path = child(&child(&step_path, key("inputs")), key(field));
                scripts(script, &script_path, source, index, model);
            }
        }
        job.path = path;
        model.jobs.push(job);
    }
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
            });
        } else if let Some(name) = item.get("name").and_then(Node::as_str) {
            job.variables.push(Variable {
                name: name.to_owned(),
                value: item.get("value").map_or(Json::Null, Node::to_json),
                path: child(&at, key("value")),
                env: env_of_secret_name(name),
                origin: None,
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
            });
        }
    }
}

fn bitbucket(doc: &Node, source: &str, model: &mut CiModel) {
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
}

fn buildkite(doc: &Node, source: &str, model: &mut CiModel) {
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

/// Test, deploy and environment inference shared by every CI system.
fn infer_contexts(job: &mut Job) {
    let name_words: Vec<String> = words(&job.id).into_iter().chain(words(&job.name)).collect();
    let env_from_key = job.environment.as_deref().and_then(env_of_name);
    let name_env = env_of_name(&job.id).or_else(|| env_of_name(&job.name));
    // A stage named for an environment (Azure `Production`, GitLab `staging`) is where its
    // jobs run against, unless their own names say where; `test` in a name or stage says
    // what a job does, not where (`SmokeTests` in stage `Production` checks production).
    let stage_env = job
        .stage
        .as_deref()
        .and_then(env_of_name)
        .filter(|e| *e != Env::Test);
    job.env = env_from_key.or(match name_env {
        None | Some(Env::Test) => stage_env.or(name_env),
        named => named,
    });
    job.deploy = job.environment.is_some()
        || name_words
            .iter()
            .any(|w| DEPLOY_WORDS.contains(&w.as_str()));

    if name_words.iter().any(|w| TEST_WORDS.contains(&w.as_str())) {
        job.test_reasons.push(format!("job name `{}`", job.name));
    }
    if let Some(stage) = &job.stage {
        if words(stage)
            .iter()
            .any(|w| TEST_WORDS.contains(&w.as_str()))
        {
            job.test_reasons.push(format!("stage `{stage}`"));
        }
    }
    // A pull-request trigger alone makes checks tests, not previews, plans or deploys
    // (`terraform plan` on a pull request is not a test suite).
    let not_a_check = job.deploy
        || name_words
            .iter()
            .any(|w| NON_TEST_PR_WORDS.contains(&w.as_str()));
    if !not_a_check
        && !job.triggers.is_empty()
        && job
            .triggers
            .iter()
            .all(|t| PR_TRIGGERS.contains(&t.as_str()))
    {
        job.test_reasons
            .push(format!("triggered by `{}`", job.triggers.join("`, `")));
    }
    // An explicit deployment environment that is not a test one makes it a deploy, not a test.
    let deploys_to_non_test = env_from_key.is_some_and(|e| e != Env::Test);
    job.test = !job.test_reasons.is_empty() && !deploys_to_non_test;
    if env_from_key == Some(Env::Test) && job.test_reasons.is_empty() {
        job.test_reasons.push(format!(
            "environment `{}`",
            job.environment.as_deref().unwrap_or_default()
        ));
        job.test = true;
    }
}

/// Marks jobs that run test commands (`pytest`, `go test`, …); called once commands exist.
fn mark_test_runners(jobs: &mut [Job], commands: &[ModelCommand]) {
    for (c, command) in commands.iter().enumerate() {
        let Some(job) = command.job.and_then(|j| jobs.get_mut(j)) else {
            continue;
        };
        if let Some(runner) = test_runner(&command.command.argv) {
            job.test_commands.push(c);
            let reason = format!("runs `{runner}`");
            if !job.test_reasons.contains(&reason) {
                job.test_reasons.push(reason);
            }
            let deploys_to_non_test = job
                .environment
                .as_deref()
                .and_then(env_of_name)
                .is_some_and(|e| e != Env::Test);
            job.test = !deploys_to_non_test && !job.deploy;
        }
    }
}

/// The test runner an argv invokes, if it is one.
fn test_runner(argv: &[String]) -> Option<String> {
    let mut args: Vec<&str> = argv.iter().map(String::as_str).collect();
    while let Some(first) = args.first() {
        if matches!(
            *first,
            "sudo" | "env" | "bundle" | "poetry" | "pipenv" | "uv" | "npx" | "pnpx" | "time"
        ) || first.contains('=')
        {
            args.remove(0);
            if args.first() == Some(&"exec") || args.first() == Some(&"run") {
                args.remove(0);
            }
        } else {
            break;
        }
    }
    let program = args.first()?.rsplit('/').next()?;
    let sub = args.get(1).copied().unwrap_or("");
    let runner = match program {
        "pytest" | "py.test" | "rspec" | "jest" | "vitest" | "mocha" | "phpunit" | "tox"
        | "nox" | "ctest" | "karma" => program.to_owned(),
        "go" | "cargo" | "dotnet" | "mix" | "swift" if sub == "test" => format!("{program} test"),
        "npm" | "yarn" | "pnpm" | "bun"
            if sub == "test"
                || (sub == "run" && args.get(2).is_some_and(|s| s.starts_with("test"))) =>
        {
            format!("{program} test")
        }
        "mvn" | "./mvnw" | "mvnw" if args.iter().any(|a| matches!(*a, "test" | "verify")) => {
            format!("{program} test")
        }
        "gradle" | "./gradlew" | "gradlew"
            if args
                .iter()
                .any(|a| a.ends_with("test") || a.ends_with("Test")) =>
        {
            format!("{program} test")
        }
        "make"
            if args
                .iter()
                .skip(1)
                .any(|a| a.starts_with("test") || *a == "check") =>
        {
            "make test".to_owned()
        }
        "python" | "python3"
            if args
                .windows(2)
                .any(|w| w == ["-m", "pytest"] || w == ["-m", "unittest"]) =>
        {
            "python -m pytest".to_owned()
        }
        "cypress" if sub == "run" => "cypress run".to_owned(),
        "playwright" if sub == "test" => "playwright test".to_owned(),
        _ => return None,
    };
    Some(runner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse_yaml;

    fn model(kind: &str, src: &str) -> CiModel {
        let docs = parse_yaml(src).expect("parses");
        ci_model(
            kind,
            &docs[0],
            src,
            ".gitlab-ci.yml",
            &GitlabIncludes::default(),
        )
    }

    fn job<'a>(m: &'a CiModel, id: &str) -> &'a Job {
        m.jobs.iter().find(|j| j.id == id).expect("job")
    }

    #[test]
    fn references_survive_non_ascii_text() {
        // Multi-byte characters before, between and after variables (a crash once).
        let text = "echo \"Build failed ☠️ Grüße\" $PROD_DB_URL ü${TOKEN}é\n# ☠ $COMMENTED\n";
        let refs = references(text, text, RefStyle::Dollar);
        let names: Vec<&str> = refs.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(names, ["PROD_DB_URL", "TOKEN"]);
        let first = refs[0].1.expect("located");
        assert_eq!(&text[first..first + refs[0].2], "PROD_DB_URL");
        let azure = "Write-Host 'ÄÖÜ' $(prod.sp.secret) ✓";
        assert_eq!(
            references(azure, azure, RefStyle::Azure)[0].0,
            "prod.sp.secret"
        );
    }

    #[test]
    fn test_contexts_from_names_triggers_and_runners() {
        let src = "on: pull_request\njobs:\n  check:\n    steps:\n      - run: go test ./...\n  plan:\n    steps:\n      - run: terraform plan\n  deploy:\n    environment: production\n    steps:\n      - run: npm test && ./deploy.sh\n";
        let m = model("github-actions", src);
        let check = job(&m, "check");
        assert!(check.test);
        assert_eq!(check.test_commands, vec![0]);
        assert!(check.test_reasons.iter().any(|r| r == "runs `go test`"));
        // A plan on a pull request is not a test suite; a deploy that runs tests stays a deploy.
        assert!(!job(&m, "plan").test);
        let deploy = job(&m, "deploy");
        assert!(!deploy.test && deploy.deploy);
        assert_eq!(deploy.env, Some(Env::Prod));
    }

    #[test]
    fn gitlab_scheduled_pipelines_mark_jobs_scheduled() {
        let src = "nightly-cleanup:\n  script: [./cleanup.sh]\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\nbuild:\n  script: [make]\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\n      when: never\n    - when: always\n";
        let m = model("gitlab-ci", src);
        assert!(job(&m, "nightly-cleanup").scheduled);
        assert!(!job(&m, "build").scheduled);
    }

    #[test]
    fn gitlab_template_references_are_located_in_the_template() {
        let src = ".db:\n  variables:\n    DATABASE_URL: $PROD_DATABASE_URL\nrspec:\n  extends: .db\n  stage: test\n  script:\n    - |\n      # $PROD_TOKEN is for deploys only\n      bundle exec rspec\n";
        let m = model("gitlab-ci", src);
        let spec = job(&m, "rspec");
        assert!(spec.test);
        let names: Vec<&str> = spec.secrets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["PROD_DATABASE_URL"]);
        let [start, end] = spec.secrets[0].span;
        assert_eq!(&src[start..end], "PROD_DATABASE_URL");
        assert_eq!(spec.secrets[0].path[0], json!(".db"));
    }

    #[test]
    fn gitlab_templates_from_included_files_are_located_there() {
        let root = "include:\n  - local: /ci/db.yml\n  - remote: https://x.io/t.yml\nrspec:\n  extends: .db\n  stage: test\n  script: [bundle exec rspec]\n";
        let db = ".db:\n  variables:\n    DATABASE_URL: $PROD_DATABASE_URL\n";
        let files = [
            ("app/.gitlab-ci.yml", root),
            ("app/ci/db.yml", db),
            ("other/ci/db.yml", db),
        ];
        let includes = GitlabIncludes::collect(&files.map(|(p, _)| p), |p| {
            files
                .iter()
                .find(|(f, _)| *f == p)
                .map(|(_, t)| t.to_string())
        });
        assert!(includes.is_included("app/ci/db.yml"));
        assert!(!includes.is_included("other/ci/db.yml"));
        let docs = parse_yaml(root).expect("parses");
        let m = ci_model("gitlab-ci", &docs[0], root, "app/.gitlab-ci.yml", &includes);
        let spec = job(&m, "rspec");
        assert!(spec.test);
        let secret = &spec.secrets[0];
        assert_eq!(secret.name, "PROD_DATABASE_URL");
        // Reported at the job's `extends:`, with the template's reference as its origin.
        assert_eq!(&root[secret.span[0]..secret.span[1]], ".db");
        let origin = secret.origin.as_ref().expect("origin");
        assert_eq!(origin.file, "app/ci/db.yml");
        assert_eq!(&db[origin.span[0]..origin.span[1]], "PROD_DATABASE_URL");
        assert_eq!((origin.line, origin.column), (3, 20));
        // Another repository's pipeline does not see these templates.
        let alone = ci_model("gitlab-ci", &docs[0], root, "x/.gitlab-ci.yml", &includes);
        assert!(job(&alone, "rspec").secrets.is_empty());
    }

    #[test]
    fn azure_macros_are_references_but_shell_substitutions_are_not() {
        let src = "jobs:\n  - job: Test\n    steps:\n      - script: pytest --url $(ProdApiUrl) --date $(date)\n";
        let m = model("azure-pipelines", src);
        let names: Vec<&str> = m.jobs[0].secrets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["ProdApiUrl", "date"]);
        assert_eq!(m.jobs[0].secrets[0].env, Some(Env::Prod));
        let gitlab = model("gitlab-ci", "t:\n  script:\n    - echo $(date)\n");
        assert!(gitlab.jobs[0].secrets.is_empty());
    }

    #[test]
    fn azure_service_connections_are_contexts_registries_are_not() {
        let src = "jobs:\n  - job: Test\n    steps:\n      - task: AzureCLI@2\n        inputs:\n          azureSubscription: sc-prod-subscription\n          inlineScript: pytest\n      - task: Docker@2\n        inputs:\n          containerRegistry: acr-prod\n      - task: Kubernetes@1\n        inputs:\n          kubernetesServiceEndpoint: aks-staging\n";
        let m = model("azure-pipelines", src);
        let got: Vec<(&str, Option<Env>, &str)> = m.jobs[0]
            .contexts
            .iter()
            .map(|c| (c.name.as_str(), c.env, c.via))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "sc-prod-subscription",
                    Some(Env::Prod),
                    "service connection"
                ),
                ("aks-staging", Some(Env::Staging), "service connection"),
            ]
        );
        assert_eq!(
            m.jobs[0].contexts[0].path,
            vec![
                json!("jobs"),
                json!(0),
                json!("steps"),
                json!(0),
                json!("inputs"),
                json!("azureSubscription")
            ]
        );
        let deploy = "jobs:\n  - deployment: Deploy\n    environment: production\n    strategy:\n      runOnce:\n        deploy:\n          steps:\n            - task: AzureWebApp@1\n              inputs:\n                azureSubscription: sc-prod\n";
        let m = model("azure-pipelines", deploy);
        let path: Vec<Json> = [
            "jobs",
            "0",
            "strategy",
            "runOnce",
            "deploy",
            "steps",
            "0",
            "inputs",
            "azureSubscription",
        ]
        .iter()
        .map(|s| s.parse::<u64>().map_or_else(|_| json!(s), |i| json!(i)))
        .collect();
        assert_eq!(m.jobs[0].contexts[0].path, path);
    }

    #[test]
    fn azure_inline_bash_tasks_are_scripts() {
        let src = "jobs:\n  - job: Infra\n    steps:\n      - task: AzureCLI@2\n        inputs:\n          azureSubscription: sc-dev\n          scriptType: bash\n          scriptLocation: inlineScript\n          inlineScript: |\n            terraform init\n            pytest tests/infra\n      - task: AzureCLI@2\n        inputs:\n          scriptType: pscore\n          inlineScript: Remove-Item -Recurse C:/x\n      - task: Bash@3\n        inputs:\n          targetType: inline\n          script: kubectl get pods\n      - task: Bash@3\n        inputs:\n          filePath: scripts/run.sh\n";
        let m = model("azure-pipelines", src);
        let argv: Vec<String> = m
            .commands
            .iter()
            .map(|c| c.command.argv.join(" "))
            .collect();
        assert_eq!(
            argv,
            vec!["terraform init", "pytest tests/infra", "kubectl get pods"]
        );
        assert!(m.jobs[0].test_commands == vec![1]);
        let span = m.commands[1].command.span;
        assert_eq!(&src[span.start..span.end], "pytest tests/infra");
    }

    #[test]
    fn environment_stages_name_the_target_of_their_jobs() {
        let src = "stages:\n  - stage: Production\n    jobs:\n      - job: SmokeTests\n        steps:\n          - script: npx playwright test\n      - job: DeployDev\n        steps:\n          - script: ./deploy.sh dev\n  - stage: Test\n    jobs:\n      - job: IntegrationTests\n        steps:\n          - script: dotnet test\n      - job: Lint\n        steps:\n          - script: make lint\n";
        let m = model("azure-pipelines", src);
        let envs: Vec<(&str, Option<Env>, bool)> = m
            .jobs
            .iter()
            .map(|j| (j.id.as_str(), j.env, j.test))
            .collect();
        assert_eq!(
            envs,
            vec![
                ("SmokeTests", Some(Env::Prod), true),
                ("DeployDev", Some(Env::Dev), false),
                ("IntegrationTests", Some(Env::Test), true),
                ("Lint", None, true),
            ]
        );
    }

    #[test]
    fn azure_pipeline_and_stage_variables_reach_their_jobs() {
        let src = "variables:\n  - group: shared-tools\nstages:\n  - stage: Test\n    variables:\n      - group: prod-secrets\n      - name: SPRING_PROFILES_ACTIVE\n        value: prod\n      - name: DB\n        value: $(ProdDbUrl)\n    jobs:\n      - job: Verify\n        variables:\n          LOG_LEVEL: debug\n        steps:\n          - script: mvn verify\n  - stage: Other\n    jobs:\n      - job: Lint\n        steps:\n          - script: make lint\n";
        let m = model("azure-pipelines", src);
        let verify = job(&m, "Verify");
        let groups: Vec<&str> = verify.contexts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(groups, vec!["shared-tools", "prod-secrets"]);
        assert_eq!(
            verify.contexts[1].path,
            vec![
                json!("stages"),
                json!(0),
                json!("variables"),
                json!(0),
                json!("group")
            ]
        );
        let vars: Vec<(&str, &Json)> = verify
            .variables
            .iter()
            .map(|v| (v.name.as_str(), &v.value))
            .collect();
        assert_eq!(
            vars,
            vec![
                ("SPRING_PROFILES_ACTIVE", &json!("prod")),
                ("DB", &json!("$(ProdDbUrl)")),
                ("LOG_LEVEL", &json!("debug"))
            ]
        );
        assert_eq!(
            verify
                .secrets
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            vec!["ProdDbUrl"]
        );
        let lint = job(&m, "Lint");
        assert_eq!(
            lint.contexts
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            vec!["shared-tools"]
        );
        assert!(lint.variables.is_empty() && lint.secrets.is_empty());
    }

    #[test]
    fn circleci_orb_jobs_are_jobs_with_their_own_contexts() {
        let src = "version: 2.1\norbs:\n  node: circleci/node@5.1.0\nworkflows:\n  ci:\n    jobs:\n      - node/test:\n          context: production\n      - node/test:\n          name: test-staging\n          context: [staging-aws]\n      - aws-ecr/build-and-push-image:\n          context: prod-aws\n";
        let m = model("circleci", src);
        let ids: Vec<(&str, &str, bool)> = m
            .jobs
            .iter()
            .map(|j| (j.id.as_str(), j.name.as_str(), j.test))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("node/test", "node/test", true),
                ("node/test", "test-staging", true),
                (
                    "aws-ecr/build-and-push-image",
                    "aws-ecr/build-and-push-image",
                    false
                )
            ]
        );
        let contexts: Vec<&str> = m.jobs[1].contexts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(contexts, vec!["staging-aws"]);
        assert_eq!(
            m.jobs[0].contexts[0].path,
            vec![
                json!("workflows"),
                json!("ci"),
                json!("jobs"),
                json!(0),
                json!("node/test"),
                json!("context")
            ]
        );
    }

    #[test]
    fn bitbucket_stage_deployment_and_name_hold_for_its_steps() {
        let src = "pipelines:\n  branches:\n    main:\n      - stage:\n          name: Deploy to production\n          deployment: production\n          steps:\n            - step:\n                name: Smoke tests\n                script: [npm run test:smoke]\n      - step:\n          name: Notify\n          script: [./notify.sh]\n";
        let m = model("bitbucket-pipelines", src);
        let smoke = job(&m, "Smoke tests");
        assert_eq!(smoke.environment.as_deref(), Some("production"));
        assert_eq!(smoke.stage.as_deref(), Some("Deploy to production"));
        assert_eq!(smoke.env, Some(Env::Prod));
        let notify = job(&m, "Notify");
        assert!(notify.environment.is_none() && notify.stage.is_none());
    }

    #[test]
    fn buildkite_group_steps_are_jobs() {
        let src = "steps:\n  - group: Tests\n    steps:\n      - label: rspec\n        command: bundle exec rspec\n        env:\n          DATABASE_URL: $PROD_DATABASE_URL\n  - wait\n  - label: deploy\n    command: bin/deploy\n";
        let m = model("buildkite", src);
        let rspec = job(&m, "rspec");
        assert!(rspec.test);
        assert_eq!(
            rspec.path,
            vec![json!("steps"), json!(0), json!("steps"), json!(0)]
        );
        assert_eq!(rspec.secrets[0].name, "PROD_DATABASE_URL");
        assert_eq!(m.commands[0].command.argv, vec!["bundle", "exec", "rspec"]);
        assert!(!job(&m, "deploy").test);
    }

    #[test]
    fn buildkite_pipeline_env_reaches_every_step() {
        let src = "env:\n  RAILS_ENV: production\n  TOKEN: $PROD_TOKEN\nsteps:\n  - label: specs\n    command: bundle exec rspec\n    env:\n      CI_NODE: \"1\"\n";
        let m = model("buildkite", src);
        let names: Vec<&str> = m.jobs[0]
            .variables
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(names, vec!["RAILS_ENV", "TOKEN", "CI_NODE"]);
        assert_eq!(m.jobs[0].secrets[0].name, "PROD_TOKEN");
        assert_eq!(
            m.jobs[0].secrets[0].path,
            vec![json!("env"), json!("TOKEN")]
        );
    }
}
