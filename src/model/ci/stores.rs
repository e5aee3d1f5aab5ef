//! Secrets a job's commands fetch from a secret store at run time
//! (`aws ssm get-parameter --name /shop/prod/stripe_key`,
//! `aws secretsmanager get-secret-value --secret-id prod/db`,
//! `gcloud secrets versions access latest --secret=db-prod`, `vault kv get
//! secret/prod/db`, `az keyvault secret show --vault-name kv-prod --name db`): the
//! job reads them as surely as a `${{ secrets.X }}` it names, so they join its
//! `secrets`, located at the secret's name. So does a hosted environment's whole set of
//! variables pulled by its CLI (`vercel pull --environment=production`).

use super::{Job, SecretRef};
use crate::model::environment::{env_of_name, env_of_secret_name};
use crate::model::script::ModelCommand;
use crate::parse::shell::Word;

pub(super) fn add_store_reads(jobs: &mut [Job], commands: &[ModelCommand]) {
    for command in commands {
        let Some(job) = command.job.and_then(|j| jobs.get_mut(j)) else {
            continue;
        };
        let words = &command.command.words;
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        if let Some((word, tool, value)) = environment_pull(words, &texts) {
            // The whole environment's variables: named for the tool and environment.
            let name = format!("{tool} {value} environment");
            job.secrets.push(SecretRef {
                env: env_of_name(value),
                name,
                path: command.path.clone(),
                span: [word.span.start, word.span.end],
                variable: None,
                origin: None,
            });
            continue;
        }
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

/// A command that pulls every variable of a hosted environment into the job, or runs a
/// command with them: `vercel pull --environment=production`, `vercel env pull
/// --environment production`, `doppler run --config prd -- …`, `doppler secrets download
/// -c prd`, `infisical run --env=prod -- …`, `infisical export --env prod`, `railway run
/// --environment production`. Returns the word naming the environment, the tool, the name.
fn environment_pull<'w>(
    words: &'w [Word],
    texts: &[&'w str],
) -> Option<(&'w Word, &'static str, &'w str)> {
    // `/usr/local/bin/vercel`, `npx vercel@34`.
    let program = |w: &str| -> String {
        let base = w.rsplit('/').next().unwrap_or(w);
        base.split('@').next().unwrap_or(base).to_owned()
    };
    let start = texts.iter().position(|w| {
        matches!(
            program(w).as_str(),
            "vercel" | "doppler" | "infisical" | "railway"
        )
    })?;
    let (words, texts) = (&words[start..], &texts[start..]);
    let tool = match program(texts[0]).as_str() {
        "vercel" if texts.get(1) == Some(&"pull") || texts.get(1..3) == Some(&["env", "pull"]) => {
            "vercel"
        }
        "doppler"
            if texts.get(1) == Some(&"run")
                || texts.get(1..3) == Some(&["secrets", "download"]) =>
        {
            "doppler"
        }
        "infisical" if matches!(texts.get(1), Some(&("run" | "export"))) => "infisical",
        "railway" if texts.get(1) == Some(&"run") => "railway",
        _ => return None,
    };
    let flags: &[&str] = match tool {
        "doppler" => &["--config", "-c"],
        "infisical" => &["--env", "-e"],
        _ => &["--environment", "-e"],
    };
    // Options end at `--`: what follows is the command run with the variables.
    let options = texts.iter().position(|t| *t == "--").unwrap_or(texts.len());
    (0..options).find_map(|i| {
        let text = texts[i];
        flags.iter().find_map(|flag| {
            let value = match text.strip_prefix(flag) {
                Some("") => texts.get(i + 1).filter(|_| i + 1 < options).copied()?,
                Some(rest) => rest.strip_prefix('=')?,
                None => return None,
            };
            let word = if text == *flag {
                &words[i + 1]
            } else {
                &words[i]
            };
            (!value.contains('$')).then_some((word, tool, value))
        })
    })
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
