//! Secrets a job's commands fetch from a secret store at run time
//! (`aws ssm get-parameter --name /shop/prod/stripe_key`,
//! `aws secretsmanager get-secret-value --secret-id prod/db`,
//! `gcloud secrets versions access latest --secret=db-prod`, `vault kv get
//! secret/prod/db`, `az keyvault secret show --vault-name kv-prod --name db`): the
//! job reads them as surely as a `${{ secrets.X }}` it names, so they join its
//! `secrets`, located at the secret's name.

use super::{Job, SecretRef};
use crate::model::environment::env_of_secret_name;
use crate::model::script::ModelCommand;
use crate::parse::shell::Word;

pub(super) fn add_store_reads(jobs: &mut [Job], commands: &[ModelCommand]) {
    for command in commands {
        let Some(job) = command.job.and_then(|j| jobs.get_mut(j)) else {
            continue;
        };
        let words = &command.command.words;
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        let Some(start) = texts
            .iter()
            .position(|w| matches!(*w, "aws" | "gcloud" | "vault" | "az"))
        else {
            continue;
        };
        for word in secret_names(&words[start..], &texts[start..]) {
            if word.text.contains('$') {
                continue;
            }
            let name = word.text.trim_start_matches("--secret=");
            job.secrets.push(SecretRef {
                name: name.to_owned(),
                path: command.path.clone(),
                span: [word.span.start, word.span.end],
                env: env_of_secret_name(name),
                variable: None,
                origin: None,
            });
        }
    }
}

/// The words naming the secrets a secret-store command reads.
fn secret_names<'w>(words: &'w [Word], texts: &[&str]) -> Vec<&'w Word> {
    let has = |sub: &[&str]| texts.windows(sub.len()).any(|w| w == sub);
    let flag = |name: &str| -> Vec<&'w Word> {
        let mut found = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            if *text == name {
                found.extend(words.get(i + 1));
            }
        }
        found
    };
    match texts[0] {
        "aws" if has(&["ssm", "get-parameter"]) => flag("--name"),
        "aws" if has(&["ssm", "get-parameters"]) => {
            let at = texts.iter().position(|t| *t == "--names");
            let values = at.map_or(&words[..0], |at| &words[at + 1..]);
            values
                .iter()
                .take_while(|w| !w.text.starts_with('-'))
                .collect()
        }
        "aws" if has(&["ssm", "get-parameters-by-path"]) => flag("--path"),
        "aws" if has(&["secretsmanager", "get-secret-value"]) => flag("--secret-id"),
        "gcloud" if has(&["secrets", "versions", "access"]) => {
            let named = words.iter().find(|w| w.text.starts_with("--secret="));
            let path = words.iter().find(|w| w.text.contains("/secrets/"));
            named.or(path).into_iter().collect()
        }
        "vault" if has(&["kv", "get"]) || has(&["read"]) => {
            let verb = texts
                .iter()
                .position(|t| *t == "get" || *t == "read")
                .unwrap_or(0);
            (words[verb + 1..].iter())
                .find(|w| !w.text.starts_with('-'))
                .into_iter()
                .collect()
        }
        "az" if has(&["keyvault", "secret", "show"]) => {
            let mut found = flag("--vault-name");
            found.extend(flag("--name"));
            found
        }
        _ => Vec::new(),
    }
}
