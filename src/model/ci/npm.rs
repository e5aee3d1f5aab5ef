//! `package.json` scripts: each entry of `scripts` is a job named for it
//! (`test:e2e`, `test:contract`), whose shell command line is its commands and
//! whose `$VAR`s are its references, so a test script that passes a live key to
//! the runner is a test job reading a production secret.

use serde_json::Value as Json;

use super::{collect_refs, key, scripts, CiModel, Job, RefStyle};
use crate::parse::node::Node;

pub(super) fn package_scripts(doc: &Node, source: &str, model: &mut CiModel) {
    let Some(entries) = doc.get("scripts").and_then(Node::as_map) else {
        return;
    };
    for (k, script) in entries {
        if script.as_str().is_none() {
            continue;
        }
        let path: Vec<Json> = vec![key("scripts"), key(&k.name)];
        let index = model.jobs.len();
        let mut job = Job {
            id: k.name.clone(),
            name: k.name.clone(),
            ..Job::default()
        };
        collect_refs(script, &path, source, RefStyle::Dollar, &mut job.secrets);
        scripts(script, &path, source, index, model);
        job.path = path;
        model.jobs.push(job);
    }
}
