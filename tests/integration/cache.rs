//! The fact cache behind the pre-commit shape: a scan naming files inside a
//! repository reuses what the other files contributed, and never reports
//! anything a scan without the cache would not.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::common::{blastwall, stable_json};

const PROD: &str = "provider \"aws\" {\n  allowed_account_ids = [local.account_id]\n}\n";
const DEV: &str = "provider \"aws\" {\n  allowed_account_ids = [\"111111111111\"]\n}\n";

/// Writes `text` with a modification time `age` in the past: the cache
/// skips files modified in the last seconds (their time may not yet tell
/// a later edit apart).
fn write_aged(root: &Path, path: &str, text: &str, age: Duration) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    let file = fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(SystemTime::now() - age).unwrap();
}

const HOUR: Duration = Duration::from_secs(3600);

/// A repository where `envs/dev/main.tf` targets the account production
/// reaches through `local.account_id` (defined in a sibling file).
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    let locals = "locals {\n  account_id = \"111111111111\"\n}\n";
    write_aged(dir.path(), "envs/prod/locals.tf", locals, HOUR);
    write_aged(dir.path(), "envs/prod/main.tf", PROD, HOUR);
    write_aged(dir.path(), "envs/dev/main.tf", DEV, HOUR);
    dir
}

fn lint_dev(root: &Path, extra: &[&str]) -> (serde_json::Value, String) {
    let mut args = vec!["lint", "envs/dev/main.tf", "--format", "json", "--timings"];
    args.extend_from_slice(extra);
    let run = blastwall(root, &args);
    let mut json = stable_json(&run);
    json["summary"]
        .as_object_mut()
        .unwrap()
        .remove("timings_ms");
    (json, run.stderr)
}

fn rules(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["rule"], f["file"]))
        .collect()
}

fn related_files(json: &serde_json::Value) -> Vec<&str> {
    json["findings"][0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect()
}

#[test]
fn a_repeat_run_takes_context_facts_from_the_cache_and_reports_the_same() {
    let dir = repository();
    let (first, stderr) = lint_dev(dir.path(), &[]);
    assert!(stderr.contains("0 files' facts from the cache"), "{stderr}");
    assert_eq!(
        rules(&first),
        ["\"same-account-in-prod-and-nonprod\" \"envs/dev/main.tf\""]
    );
    let cache = dir.path().join(".blastwall-cache");
    assert_eq!(
        fs::read_to_string(cache.join(".gitignore"))
            .unwrap()
            .lines()
            .last(),
        Some("*")
    );
    assert!(cache.join("CACHEDIR.TAG").is_file());

    let (second, stderr) = lint_dev(dir.path(), &[]);
    assert!(stderr.contains("2 files' facts from the cache"), "{stderr}");
    // The related location in prod is still rendered from the file itself.
    assert_eq!(first, second);
    assert!(
        related_files(&second).contains(&"envs/prod/main.tf"),
        "{second:#}"
    );
}

#[test]
fn an_edited_context_file_is_read_again() {
    let dir = repository();
    lint_dev(dir.path(), &[]);
    let moved = "locals {\n  account_id = \"222222222222\"\n}\n";
    write_aged(dir.path(), "envs/prod/locals.tf", moved, HOUR / 2);
    // `main.tf` itself is unchanged, but its value resolves through `locals.tf`.
    let (json, stderr) = lint_dev(dir.path(), &[]);
    assert!(stderr.contains("0 files' facts from the cache"), "{stderr}");
    assert!(rules(&json).is_empty(), "{json:#}");
}

#[test]
fn a_file_added_beside_cached_terraform_is_read_with_it() {
    let dir = repository();
    fs::remove_file(dir.path().join("envs/prod/locals.tf")).unwrap();
    // `local.account_id` resolves nowhere: no account to compare.
    let (json, _) = lint_dev(dir.path(), &[]);
    assert!(rules(&json).is_empty(), "{json:#}");
    // `main.tf` is unchanged, but a new sibling now defines the local.
    let locals = "locals {\n  account_id = \"111111111111\"\n}\n";
    write_aged(dir.path(), "envs/prod/locals.tf", locals, HOUR);
    let (json, _) = lint_dev(dir.path(), &[]);
    assert!(
        related_files(&json).contains(&"envs/prod/main.tf"),
        "{json:#}"
    );
}

/// Production deploys through a stage template with the connection staging also uses.
const PRODUCTION: &str = "trigger: [main]\nstages:\n  - template: ../templates/deploy.yml\n    parameters:\n      stageName: DeployProduction\n      connection: sc-orders\n";
const STAGING: &str = "trigger: [main]\nstages:\n  - stage: DeployStaging\n    jobs:\n      - job: deploy\n        steps:\n          - task: AzureCLI@2\n            inputs:\n              azureSubscription: sc-orders\n              inlineScript: az webapp deploy --name orders-staging\n";
const DEPLOY: &str = "parameters:\n  - name: connection\nstages:\n  - stage: ${{ parameters.stageName }}\n    jobs:\n      - job: deploy\n        steps:\n          - task: AzureCLI@2\n            inputs:\n              azureSubscription: ${{ parameters.connection }}\n              inlineScript: az webapp deploy --name orders\n";

#[test]
fn an_edited_template_is_read_again_with_its_callers() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    write_aged(dir.path(), "pipelines/production.yml", PRODUCTION, HOUR);
    write_aged(dir.path(), "pipelines/staging.yml", STAGING, HOUR);
    write_aged(dir.path(), "templates/deploy.yml", DEPLOY, HOUR);
    let lint = || {
        let run = blastwall(
            dir.path(),
            &["lint", "pipelines/staging.yml", "--format", "json"],
        );
        rules(&stable_json(&run))
    };
    let shared = ["\"same-credential-in-prod-and-nonprod\" \"pipelines/staging.yml\""];
    assert_eq!(lint(), shared);
    assert_eq!(lint(), shared);
    // `production.yml` is unchanged, but the template no longer binds the connection passed.
    let own = DEPLOY.replace("${{ parameters.connection }}", "sc-orders-prod");
    write_aged(dir.path(), "templates/deploy.yml", &own, HOUR / 2);
    assert!(lint().is_empty());
}

#[test]
fn a_damaged_cache_is_ignored_and_rewritten() {
    let dir = repository();
    let (first, _) = lint_dev(dir.path(), &[]);
    let file = dir.path().join(".blastwall-cache/facts-v1.json");
    fs::write(&file, b"{\"key\": 7, \xff").unwrap();
    let (second, _) = lint_dev(dir.path(), &[]);
    assert_eq!(first, second);
    let (_, stderr) = lint_dev(dir.path(), &[]);
    assert!(stderr.contains("2 files' facts from the cache"), "{stderr}");
}

#[test]
fn files_modified_moments_ago_are_not_cached() {
    let dir = repository();
    fs::write(dir.path().join("envs/prod/main.tf"), PROD).unwrap();
    lint_dev(dir.path(), &[]);
    let (_, stderr) = lint_dev(dir.path(), &[]);
    assert!(stderr.contains("1 files' facts from the cache"), "{stderr}");
}

#[test]
fn no_cache_and_whole_directory_scans_write_nothing() {
    let dir = repository();
    let (json, _) = lint_dev(dir.path(), &["--no-cache"]);
    assert_eq!(rules(&json).len(), 1);
    let run = blastwall(dir.path(), &["lint", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!dir.path().join(".blastwall-cache").exists());
}

#[test]
fn the_cache_can_live_elsewhere() {
    let dir = repository();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("blastwall");
    lint_dev(dir.path(), &["--cache-dir", target.to_str().unwrap()]);
    assert!(target.join("facts-v1.json").is_file());
    assert!(!dir.path().join(".blastwall-cache").exists());
}
