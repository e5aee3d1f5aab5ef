//! AWS CodeBuild buildspecs: one build per file, named for it (`buildspec-e2e.yml`),
//! whose `phases.*.commands` run with `env.variables`, and `env.parameter-store` /
//! `env.secrets-manager` values bound to variables. A parameter or secret is named by
//! its id (`/prod/db/url`, `prod/payments:apiKey`), which says whose it is, with the
//! variable it is bound to beside it.

use serde_json::Value as Json;

use super::{child, collect_refs, key, scripts, variables, CiModel, Job, RefStyle, SecretRef};
use crate::model::environment::env_of_secret_name;
use crate::parse::node::Node;

const PHASES: &[&str] = &["install", "pre_build", "build", "post_build"];

pub(super) fn codebuild(doc: &Node, source: &str, file: &str, model: &mut CiModel) {
    let Some(phases) = doc.get("phases") else {
        return;
    };
    let name = file
        .rsplit('/')
        .next()
        .and_then(|n| n.split('.').next())
        .unwrap_or("buildspec")
        .to_owned();
    let env = doc.get("env");
    let env_path = [key("env")];
    let mut job = Job {
        id: name.clone(),
        name,
        variables: variables(
            env.and_then(|e| e.get("variables")),
            &child(&env_path, key("variables")),
        ),
        ..Job::default()
    };
    for store in ["parameter-store", "secrets-manager"] {
        let store_path = child(&env_path, key(store));
        for (k, v) in env
            .and_then(|e| e.get(store))
            .and_then(Node::as_map)
            .unwrap_or_default()
        {
            // The stored secret is the identity; the variable is only where the job reads it.
            let Some(id) = v.as_str() else {
                continue;
            };
            job.secrets.push(SecretRef {
                name: id.to_owned(),
                path: child(&store_path, key(&k.name)),
                span: [v.span.start, v.span.end],
                env: env_of_secret_name(id).or_else(|| env_of_secret_name(&k.name)),
                variable: Some(k.name.clone()),
                origin: None,
            });
        }
    }
    let index = model.jobs.len();
    for phase in PHASES {
        let Some(node) = phases.get(phase) else {
            continue;
        };
        let path = vec![key("phases"), key(phase)];
        for field in ["commands", "finally"] {
            if let Some(commands) = node.get(field) {
                let commands_path = child(&path, key(field));
                collect_refs(
                    commands,
                    &commands_path,
                    source,
                    RefStyle::Dollar,
                    &mut job.secrets,
                );
                scripts(commands, &commands_path, source, index, model);
            }
        }
    }
    job.path = Vec::<Json>::new();
    model.jobs.push(job);
}
