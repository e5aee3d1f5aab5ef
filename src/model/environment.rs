//! Environment inference: which deployment environment a name points at.
//!
//! One function family is shared by every rule family, so "is this production?"
//! has one answer everywhere: path segments (`envs/prod/`), file names
//! (`prod.tfvars`, `.env.test`), job and stage names, `environment:` keys and
//! secret names (`PROD_DB_URL`) are split into words and matched against the
//! vocabulary below (extended by `.blastwall.yaml`).

use std::sync::OnceLock;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Env {
    Prod,
    Staging,
    Dev,
    Test,
}

impl Env {
    pub fn as_str(self) -> &'static str {
        match self {
            Env::Prod => "prod",
            Env::Staging => "staging",
            Env::Dev => "dev",
            Env::Test => "test",
        }
    }
}

/// An estate's own vocabulary (`.blastwall.yaml` `environments:`), consulted
/// before the built-in one. Installed once per process, before parsing.
pub trait Overrides: Send + Sync {
    fn word(&self, word: &str) -> Option<Env>;
    fn path(&self, path: &str) -> Option<Env>;
    fn secret_name(&self, name: &str) -> Option<Env>;
}

static OVERRIDES: OnceLock<Box<dyn Overrides>> = OnceLock::new();

/// Installs the estate's vocabulary; later calls are ignored.
pub fn configure(overrides: Box<dyn Overrides>) {
    let _ = OVERRIDES.set(overrides);
}

fn overridden(ask: impl FnOnce(&dyn Overrides) -> Option<Env>) -> Option<Env> {
    OVERRIDES.get().and_then(|o| ask(o.as_ref()))
}

/// The environment a single word names, if any. Words are lower-case.
fn env_of_word(word: &str) -> Option<Env> {
    if let Some(env) = overridden(|o| o.word(word)) {
        return Some(env);
    }
    Some(match word {
        "prod" | "production" | "prd" | "prdn" => Env::Prod,
        "staging" | "stage" | "stg" | "preprod" | "uat" => Env::Staging,
        // Gruntwork-style `live/non-prod/` holds every non-production account.
        "dev" | "development" | "sandbox" | "sbx" | "nonprod" | "nonproduction" => Env::Dev,
        "test" | "tests" | "testing" | "ci" | "qa" | "e2e" | "integration" | "spec" => Env::Test,
        _ => return None,
    })
}

/// Splits `PROD_DB-url.v2` / `prodDbUrl` into lower-case words.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    let mut prev_digit = false;
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            prev_digit = false;
            continue;
        }
        // camelCase boundary: `prodDb` → prod, db; `ec2Instance` → ec2, instance. A last
        // capital after a digit ends an acronym instead: `E2E`, `K8S`.
        let acronym_end = prev_digit && !chars.peek().is_some_and(char::is_ascii_alphanumeric);
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() && !acronym_end {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        prev_digit = c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    // `non-prod`, `non_production`: the negation belongs to the word it precedes.
    let mut merged: Vec<String> = Vec::with_capacity(out.len());
    for word in out {
        match merged.last_mut() {
            Some(prev) if prev == "non" => prev.push_str(&word),
            _ => merged.push(word),
        }
    }
    merged
}

/// The environment a name (job, stage, environment key, directory) declares.
/// Conflicting words (`prod-to-staging-sync`) give no answer rather than a guess.
pub fn env_of_name(name: &str) -> Option<Env> {
    let mut found: Option<Env> = None;
    for word in words(name) {
        if let Some(env) = env_of_word(&word) {
            match found {
                Some(prev) if prev != env => return None,
                _ => found = Some(env),
            }
        }
    }
    found
}

/// The environment of a file from its path: the file name first, then the
/// nearest directory that names one (`envs/prod/network/main.tf` → prod).
pub fn env_of_path(path: &str) -> Option<Env> {
    if let Some(env) = overridden(|o| o.path(path)) {
        return Some(env);
    }
    let mut segments: Vec<&str> = path.split('/').collect();
    let file = segments.pop().unwrap_or("");
    // `main.tf` says nothing, `prod.tfvars` and `.env.test` do; extensions never.
    let stem_words: Vec<String> = file
        .split('.')
        .filter(|part| {
            !matches!(
                *part,
                "yml"
                    | "yaml"
                    | "json"
                    | "tf"
                    | "tfvars"
                    | "hcl"
                    | "sh"
                    | "ini"
                    | "cfg"
                    | "properties"
                    | "env"
            )
        })
        .flat_map(words)
        .collect();
    if let Some(env) = unambiguous(&stem_words) {
        return Some(env);
    }
    segments.iter().rev().find_map(|segment| {
        // `.github`, `.circleci` are tooling, not environments.
        if segment.starts_with('.') {
            return None;
        }
        env_of_name(segment)
    })
}

fn unambiguous(words: &[String]) -> Option<Env> {
    let mut found = None;
    for env in words.iter().filter_map(|w| env_of_word(w)) {
        match found {
            Some(prev) if prev != env => return None,
            _ => found = Some(env),
        }
    }
    found
}

/// The environment a secret or variable name points at (`PROD_DB_URL`,
/// `AWS_PRODUCTION_KEY`, `LIVE_STRIPE_KEY`). Stricter than [`env_of_name`]:
/// `live` counts here (payment and API keys), and only whole words do, so
/// `PRODUCT_ID`, `PRODUCER_URL` and `production_ready` are not production.
pub fn env_of_secret_name(name: &str) -> Option<Env> {
    if let Some(env) = overridden(|o| o.secret_name(name)) {
        return Some(env);
    }
    let words = words(name);
    // Feature flags and booleans about production are not credentials.
    if words.iter().any(|w| {
        matches!(
            w.as_str(),
            "ready" | "like" | "mode" | "build" | "enabled" | "flag"
        )
    }) {
        return None;
    }
    let mut found = None;
    for word in &words {
        let env = match word.as_str() {
            "live" => Some(Env::Prod),
            // What a secret is for, not whose (`CI_TOKEN`, `SPEC_URL`, `PROD_E2E_TOKEN`).
            "ci" | "spec" | "integration" | "e2e" => None,
            w => env_of_word(w),
        };
        if let Some(env) = env {
            match found {
                Some(prev) if prev != env => return None,
                _ => found = Some(env),
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(env_of_path("envs/prod/main.tf"), Some(Env::Prod));
        assert_eq!(
            env_of_path("environments/staging/network/main.tf"),
            Some(Env::Staging)
        );
        assert_eq!(env_of_path("live/dev/terragrunt.hcl"), Some(Env::Dev));
        assert_eq!(env_of_path("terraform/prod.tfvars"), Some(Env::Prod));
        assert_eq!(env_of_path(".env.test"), Some(Env::Test));
        assert_eq!(env_of_path("config/test.yml"), Some(Env::Test));
        assert_eq!(
            env_of_path("src/main/resources/application-test.yml"),
            Some(Env::Test)
        );
        assert_eq!(env_of_path("tests/fixtures/settings.yml"), Some(Env::Test));
        assert_eq!(env_of_path(".github/workflows/deploy.yml"), None);
        assert_eq!(
            env_of_path("live/non-prod/us-east-1/terragrunt.hcl"),
            Some(Env::Dev)
        );
        assert_eq!(env_of_path("accounts/nonprod/main.tf"), Some(Env::Dev));
        assert_eq!(env_of_path(".circleci/config.yml"), None);
        assert_eq!(env_of_path("modules/rds/main.tf"), None);
        // The file name outranks the directory.
        assert_eq!(env_of_path("envs/prod/test.tfvars"), Some(Env::Test));
    }

    #[test]
    fn names() {
        assert_eq!(env_of_name("integration-tests"), Some(Env::Test));
        assert_eq!(env_of_name("deploy-production"), Some(Env::Prod));
        assert_eq!(env_of_name("promote-staging-to-prod"), None);
        assert_eq!(env_of_name("build"), None);
        assert_eq!(words("prodDbURL_v2"), vec!["prod", "db", "url", "v2"]);
        assert_eq!(words("E2E (release gate)"), vec!["e2e", "release", "gate"]);
        assert_eq!(
            words("K8S-deploy ec2Instance S3Bucket"),
            vec!["k8s", "deploy", "ec2", "instance", "s3", "bucket"]
        );
    }

    #[test]
    fn secret_names() {
        assert_eq!(env_of_secret_name("PROD_DB_URL"), Some(Env::Prod));
        assert_eq!(
            env_of_secret_name("AWS_PRODUCTION_ACCESS_KEY_ID"),
            Some(Env::Prod)
        );
        assert_eq!(env_of_secret_name("LIVE_STRIPE_KEY"), Some(Env::Prod));
        assert_eq!(env_of_secret_name("STAGING_DB_URL"), Some(Env::Staging));
        assert_eq!(env_of_secret_name("TEST_DB_URL"), Some(Env::Test));
        assert_eq!(env_of_secret_name("PRODUCT_ID"), None);
        assert_eq!(env_of_secret_name("PRODUCER_URL"), None);
        assert_eq!(env_of_secret_name("production_ready"), None);
        assert_eq!(env_of_secret_name("CI_TOKEN"), None);
    }
}
