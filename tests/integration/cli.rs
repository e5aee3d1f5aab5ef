//! The command-line contract: exit codes, JSON shape, paths, explicit files.

use std::fs;

use crate::common::{blastwall, testdata};

fn write(root: &std::path::Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const LEAKY_WORKFLOW: &str = "on: pull_request\njobs:\n  unit-tests:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n        env:\n          API_KEY: ${{ secrets.PROD_API_KEY }}\n";

#[test]
fn json_output_follows_the_v1_contract() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/test.yml", LEAKY_WORKFLOW);
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(run.code, 1);
    let json = run.json();
    assert_eq!(json["version"], 1);
    let finding = &json["findings"][0];
    for field in [
        "rule",
        "category",
        "severity",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "help",
    ] {
        assert!(!finding[field].is_null(), "missing {field}: {finding}");
    }
    assert_eq!(finding["rule"], "prod-secret-in-test-job");
    assert_eq!(finding["category"], "prod-credentials-in-test");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["file"], ".github/workflows/test.yml");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(8), Some(24))
    );
    assert_eq!(
        (finding["end_line"].as_u64(), finding["end_column"].as_u64()),
        (Some(8), Some(44))
    );
    let summary = &json["summary"];
    assert_eq!(summary["files_scanned"], 1);
    assert_eq!(summary["findings"], 1);
    assert_eq!(summary["errors"], 0);
    assert!(summary["duration_ms"].is_u64());
}

#[test]
fn clean_repository_exits_zero_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/test.yml",
        &LEAKY_WORKFLOW.replace("PROD_API_KEY", "TEST_API_KEY"),
    );
    let run = blastwall(dir.path(), &["lint"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "No findings in 1 file.\n");
}

#[test]
fn fail_on_threshold_controls_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/test.yml", LEAKY_WORKFLOW);
    assert_eq!(
        blastwall(dir.path(), &["lint", "--fail-on", "never"]).code,
        0
    );
    assert_eq!(
        blastwall(dir.path(), &["lint", "--fail-on", "error"]).code,
        1
    );
}

#[test]
fn usage_errors_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(blastwall(dir.path(), &["lint", "--format", "xml"]).code, 2);
    assert_eq!(blastwall(dir.path(), &["frobnicate"]).code, 2);
    let run = blastwall(dir.path(), &["lint", "--policy", "no-such-dir"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-dir"), "{}", run.stderr);
}

#[test]
fn paths_are_relative_to_the_working_directory_with_slashes() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "repo/.github/workflows/test.yml",
        LEAKY_WORKFLOW,
    );
    let run = blastwall(dir.path(), &["lint", "repo", "--format", "json"]);
    assert_eq!(
        run.json()["findings"][0]["file"],
        "repo/.github/workflows/test.yml"
    );
}

#[test]
fn unparseable_files_are_located_errors_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/test.yml", LEAKY_WORKFLOW);
    write(
        dir.path(),
        ".gitlab-ci.yml",
        "test:\n  script: [pytest\n  stage: test\n",
    );
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(run.code, 1);
    let json = run.json();
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
    let error = &json["errors"][0];
    assert_eq!(error["file"], ".gitlab-ci.yml");
    assert!(error["line"].as_u64().unwrap() >= 2, "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("YAML"),
        "{error}"
    );
}

#[test]
fn named_files_report_only_themselves_but_see_the_whole_repository() {
    // The pre-commit shape: only `envs/dev/main.tf` changed, yet the prod account
    // it shares lives in `envs/prod/main.tf`.
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        "envs/prod/main.tf",
        "provider \"aws\" {\n  allowed_account_ids = [\"111111111111\"]\n}\n",
    );
    write(
        dir.path(),
        "envs/dev/main.tf",
        "provider \"aws\" {\n  allowed_account_ids = [\"111111111111\"]\n}\n",
    );
    write(dir.path(), ".github/workflows/test.yml", LEAKY_WORKFLOW);
    let run = blastwall(
        dir.path(),
        &["lint", "envs/dev/main.tf", "--format", "json"],
    );
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json:#}");
    assert_eq!(findings[0]["file"], "envs/dev/main.tf");
    assert_eq!(findings[0]["related"][0]["file"], "envs/prod/main.tf");
    // Files given that blastwall does not read are ignored, not errors.
    write(dir.path(), "README.md", "# infra\n");
    let run = blastwall(dir.path(), &["lint", "README.md", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_named_tfvars_file_is_compared_with_values_resolved_elsewhere() {
    // Only `envs/dev/terraform.tfvars` changed; prod's account is behind
    // `local.account_id` in another file, and dev's provider reads `var.account_id`.
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        "envs/prod/locals.tf",
        "locals {\n  account_id = \"111111111111\"\n}\n",
    );
    write(
        dir.path(),
        "envs/prod/main.tf",
        "provider \"aws\" {\n  allowed_account_ids = [local.account_id]\n}\n",
    );
    write(
        dir.path(),
        "envs/dev/main.tf",
        "variable \"account_id\" {}\n\nprovider \"aws\" {\n  allowed_account_ids = [var.account_id]\n}\n",
    );
    write(
        dir.path(),
        "envs/dev/terraform.tfvars",
        "account_id = \"111111111111\"\n",
    );
    let run = blastwall(
        dir.path(),
        &["lint", "envs/dev/terraform.tfvars", "--format", "json"],
    );
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json:#}");
    assert_eq!(findings[0]["rule"], "same-account-in-prod-and-nonprod");
    assert_eq!(findings[0]["file"], "envs/dev/terraform.tfvars");
    // Prod's provider is located on the expression as written, `local.account_id`.
    let related = findings[0]["related"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["file"] == "envs/prod/main.tf" && r["line"] == 2 && r["column"] == 26),
        "{json:#}"
    );
    // A whole-repository run reports the id once, where dev writes it: dev's
    // provider only refers to it through `var.account_id`, one fix away.
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    let files: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(files, ["envs/dev/terraform.tfvars"]);
}

#[test]
fn output_is_byte_identical_across_runs() {
    let first = blastwall(&testdata(), &["lint"]);
    let second = blastwall(&testdata(), &["lint"]);
    assert_eq!(first.stdout, second.stdout);
    assert!(!first.stdout.is_empty());
}

#[test]
fn timings_are_reported_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/test.yml", LEAKY_WORKFLOW);
    let plain = blastwall(dir.path(), &["lint", "--format", "json"]);
    assert!(plain.json()["summary"].get("timings_ms").is_none());
    assert!(!plain.stderr.contains("timings"), "{}", plain.stderr);

    let timed = blastwall(dir.path(), &["lint", "--format", "json", "--timings"]);
    let timings = &timed.json()["summary"]["timings_ms"];
    for phase in [
        "compile",
        "discover",
        "context",
        "parse",
        "model",
        "evaluate",
        "scan",
        "repository",
        "report",
        "total",
    ] {
        assert!(timings[phase].is_u64(), "missing {phase}: {timings}");
    }
    assert!(timed.stderr.contains("(1 files)"), "{}", timed.stderr);
    assert!(
        timed
            .stderr
            .contains("(1 documents; 0 files' facts from the cache)"),
        "{}",
        timed.stderr
    );
    assert_eq!(timed.json()["findings"], plain.json()["findings"]);
}

#[test]
fn inspect_streams_every_document_in_order_and_the_errors_after_them() {
    // More files than one batch of the streaming writer.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..300 {
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-{i}\n---\nkind: Namespace\n"
        );
        write(dir.path(), &format!("k8s/app-{i:03}.yaml"), &text);
    }
    write(dir.path(), "k8s/broken.yaml", "items: [\n");
    let run = blastwall(dir.path(), &["inspect"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    let documents = json["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 600);
    let places: Vec<(String, u64)> = documents
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["document"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = places.clone();
    sorted.sort();
    assert_eq!(places, sorted);
    assert_eq!(places[599], ("k8s/app-299.yaml".to_owned(), 1));
    assert_eq!(json["errors"][0]["file"], "k8s/broken.yaml");
    assert_eq!(json["errors"][0]["line"], 2);
    // Pretty-printed as one document, as `serde_json` would print it whole.
    let whole = serde_json::to_string_pretty(&json).unwrap() + "\n";
    assert!(
        run.stdout == whole,
        "streamed output differs from the whole document printed at once"
    );
}

#[test]
fn no_cache_env_var_accepts_one_and_true_as_the_readme_spells_it() {
    for value in ["1", "true", "yes"] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ".github/workflows/test.yml", LEAKY_WORKFLOW);
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_blastwall"))
            .args(["lint", ".github/workflows/test.yml"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("BLASTWALL_NO_CACHE", value)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(
            run.status.code(),
            Some(1),
            "BLASTWALL_NO_CACHE={value}: {stderr}"
        );
        assert!(
            !dir.path().join(".blastwall-cache").exists(),
            "BLASTWALL_NO_CACHE={value} still wrote the cache"
        );
    }
}
