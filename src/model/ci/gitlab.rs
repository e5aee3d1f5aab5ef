//! GitLab CI: jobs, hidden templates, `extends:`, `include: local` and `rules:` schedules.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{json, Value as Json};

use super::{
    child, collect_refs, environment_name, key, pipeline_env, scripts, string_list, variables,
    CiModel, Job, Origin, RefStyle,
};
use crate::parse::node::Node;

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
        // `ci/terraform.gitlab-ci.yml` is named like a pipeline but is usually included by
        // one: pipelines named `.gitlab-ci.yml` are read first, shallowest first, so what
        // they include belongs to their pipeline.
        queue.sort_by_key(|(p, _)| {
            (
                p.ends_with("/.gitlab-ci.yml") || p == ".gitlab-ci.yml",
                std::cmp::Reverse(p.matches('/').count()),
            )
        });
        let mut done: BTreeSet<String> = BTreeSet::new();
        let mut out = GitlabIncludes::default();
        while let Some((file, root)) = queue.pop() {
            if !done.insert(file.clone()) {
                continue;
            }
            let Some(text) = read(&file) else { continue };
            let Ok(docs) = crate::parse::yaml::parse_yaml(&text) else {
                continue;
            };
            let source: Arc<str> = Arc::from(text);
            for doc in docs {
                for include in local_includes(&doc) {
                    let path = format!("{root}{include}");
                    let first = !done.contains(&path) && !out.included.contains_key(&path);
                    if known.contains(path.as_str()) && first {
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
        self.included
            .get(path)
            .cloned()
            .or_else(|| gitlab_root(path))
    }

    /// A template of `path`'s pipeline, wherever it is defined.
    fn pipeline_template(&self, path: &str, name: &str) -> Option<&Template> {
        self.templates
            .get(&(self.pipeline_root(path)?, name.to_owned()))
    }

    /// A template of `path`'s pipeline defined in another file.
    fn template(&self, path: &str, name: &str) -> Option<&Template> {
        self.pipeline_template(path, name)
            .filter(|t| t.file != path)
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

pub(super) fn gitlab(
    doc: &Node,
    source: &str,
    file: &str,
    includes: &GitlabIncludes,
    model: &mut CiModel,
) {
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
            // An unresolved `!reference` is read below, from the file it names.
            let own = (link.node.get("variables"))
                .filter(|v| v.get(crate::parse::yaml::REFERENCE_KEY).is_none());
            let mut vars = variables(own, &child(&at, key("variables")));
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
        // `variables: !reference [.env:production, variables]` naming a template of another
        // file: its variables and secrets are the job's, reported at the `!reference`.
        if let Some((t, found, reference)) = external_reference(node, "variables", file, includes) {
            let at = child(&path, key("variables"));
            let span = [reference.span.start, reference.span.end];
            for mut v in variables(Some(found), &at) {
                let written = found
                    .get(&v.name)
                    .map_or(span, |n| [n.span.start, n.span.end]);
                v.origin = Some(origin(t, written));
                v.path.clone_from(&at);
                job.variables.push(v);
            }
            referenced_secrets(t, found, &at, span, &mut job.secrets);
        }
        // One variable's `!reference [.template, variables, NAME]`.
        let own_variables = node
            .get("variables")
            .and_then(Node::as_map)
            .unwrap_or_default();
        for (name, value) in own_variables {
            let Some((t, found, reference)) = resolve_reference(value, file, includes) else {
                continue;
            };
            let at = child(&child(&path, key("variables")), key(&name.name));
            let span = [reference.span.start, reference.span.end];
            if let Some(v) = job.variables.iter_mut().find(|v| v.path == at) {
                v.value = found.to_json();
                v.origin = Some(origin(t, [found.span.start, found.span.end]));
            }
            referenced_secrets(t, found, &at, span, &mut job.secrets);
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
            // An inherited script is the job's through its `extends:`; its spans stay
            // where the template writes it.
            let own = std::ptr::eq(link.node, node);
            let script_path = child(&path, key(if own { field } else { "extends" }));
            scripts(script, &script_path, source, index, model);
        }
        job.path = path;
        model.jobs.push(job);
    }
}

/// A job's `field: !reference [.template, key, …]` that the YAML reader could not resolve in
/// this file: the template of the pipeline's other files it names, the node it points at,
/// and the reference as written.
fn external_reference<'a>(
    job: &'a Node,
    field: &str,
    file: &str,
    includes: &'a GitlabIncludes,
) -> Option<(&'a Template, &'a Node, &'a Node)> {
    resolve_reference(job.get(field)?, file, includes)
}

/// A `!reference [.template, key, …]` node resolved in the pipeline's other files.
fn resolve_reference<'a>(
    reference: &'a Node,
    file: &str,
    includes: &'a GitlabIncludes,
) -> Option<(&'a Template, &'a Node, &'a Node)> {
    let names = reference.get(crate::parse::yaml::REFERENCE_KEY)?.as_seq()?;
    let (template, keys) = names.split_first()?;
    let t = includes.template(file, template.as_str()?)?;
    let found = keys
        .iter()
        .try_fold(&t.node, |node, k| node.get(k.as_str()?))?;
    Some((t, found, reference))
}

/// The secrets `found` (in the template file `t`) reads, reported at the job's reference.
fn referenced_secrets(
    t: &Template,
    found: &Node,
    at: &[Json],
    span: [usize; 2],
    out: &mut Vec<crate::model::ci::SecretRef>,
) {
    let mut refs = Vec::new();
    collect_refs(found, at, &t.source, RefStyle::Dollar, &mut refs);
    for mut r in refs {
        r.origin = Some(origin(t, r.span));
        r.path = at.to_vec();
        r.span = span;
        out.push(r);
    }
}

fn origin(template: &Template, span: [usize; 2]) -> Origin {
    let (line, column) = crate::parse::node::line_col(&template.source, span[0]);
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
                // An included template's parents may sit beside it in its own file.
                let external = match from {
                    Some(_) => includes.pipeline_template(here, &parent),
                    None => includes.template(here, &parent),
                };
                let found = match local {
                    Some(p) => Some((p, None)),
                    None => external.map(|t| (&t.node, Some(t))),
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
