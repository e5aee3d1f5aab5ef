//! `.blastwall.yaml` through the binary: discovery, every key's effect, and
//! located errors.

use std::fs;
use std::path::Path;

use crate::common::blastwall;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A test job reading a production secret: `prod-secret-in-test-job` at 8:24.
const LEAKY: &str = "on: pull_request\njobs:\n  unit-tests:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n        env:\n          API_KEY: ${{ secrets.PROD_API_KEY }}\n";

fn leaky_repo(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/test.yml", LEAKY);
    write(dir.path(), ".blastwall.yaml", config);
    dir
}

fn rules_of(run: &crate::common::Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn ignore_by_id_and_by_category() {
    for name in ["prod-secret-in-test-job", "prod-credentials-in-test"] {
        let dir = leaky_repo(&format!("ignore: [{name}]\n"));
        let run = blastwall(dir.path(), &["lint", "--format", "json"]);
        assert_eq!(run.code, 0, "{name}: {}{}", run.stdout, run.stderr);
        assert!(rules_of(&run).is_empty(), "{name}: {}", run.stdout);
    }
}

#[test]
fn select_keeps_only_what_it_names() {
    let dir = leaky_repo("select: [unbounded-delete]\n");
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    assert!(rules_of(&run).is_empty(), "{}", run.stdout);
    let dir = leaky_repo("select: [prod-credentials-in-test]\n");
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(rules_of(&run), ["prod-secret-in-test-job"]);
}

#[test]
fn severity_override_and_fail_on_threshold() {
    let dir = leaky_repo("severity:\n  prod-secret-in-test-job: note\n");
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(run.json()["findings"][0]["severity"], "note");
    // The default threshold is warning: a note passes.
    assert_eq!(run.code, 0);
    let dir = leaky_repo("severity:\n  prod-secret-in-test-job: note\nfail-on: note\n");
    assert_eq!(blastwall(dir.path(), &["lint"]).code, 1);
    // The flag wins over the file.
    assert_eq!(
        blastwall(dir.path(), &["lint", "--fail-on", "error"]).code,
        0
    );
    // A category applies to its rules; the rule's own entry wins.
    let dir = leaky_repo("severity:\n  prod-credentials-in-test: note\n");
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(run.json()["findings"][0]["severity"], "note");
    let dir = leaky_repo(
        "severity:\n  prod-credentials-in-test: note\n  prod-secret-in-test-job: warning\n",
    );
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(run.json()["findings"][0]["severity"], "warning");
    let dir = leaky_repo("fail-on: never\n");
    assert_eq!(blastwall(dir.path(), &["lint"]).code, 0);
}

#[test]
fn exclude_and_per_file_ignores_match_paths_from_the_config_directory() {
    let dir = leaky_repo("exclude: [\".github/**\"]\n");
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(run.json()["summary"]["files_scanned"], 0, "{}", run.stdout);

    let dir = leaky_repo(
        "per-file-ignores:\n  \".github/workflows/test.yml\": [prod-credentials-in-test]\n",
    );
    write(dir.path(), ".github/workflows/other.yml", LEAKY);
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    let files: Vec<_> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(files, [".github/workflows/other.yml"]);
}

#[test]
fn the_config_file_itself_is_not_scanned() {
    let dir = leaky_repo("environments:\n  prod:\n    accounts: [\"111111111111\"]\n");
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(run.json()["summary"]["files_scanned"], 1, "{}", run.stdout);
}

#[test]
fn found_by_walking_up_from_the_target_or_named_with_config() {
    let dir = leaky_repo("ignore: [prod-secret-in-test-job]\n");
    // Run from elsewhere: the file is found above the target, not the cwd.
    let outside = tempfile::tempdir().unwrap();
    let target = dir.path().join(".github/workflows");
    let run = blastwall(outside.path(), &["lint", target.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stdout);

    let other = outside.path().join("strict.yaml");
    fs::write(&other, "fail-on: error\n").unwrap();
    let run = blastwall(dir.path(), &["lint", "--config", other.to_str().unwrap()]);
    // `--config` replaces the discovered file: the rule is back on.
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn environments_feed_inference_of_paths_names_and_secret_names() {
    let dir = leaky_repo(
        "environments:\n  prod:\n    paths: [\"estate/blue/**\"]\n    names: [crown]\n    secrets: [\"*_JEWELS\"]\n",
    );
    write(dir.path(), "estate/blue/app/values.yml", "replicas: 2\n");
    write(dir.path(), "crown/values.yml", "replicas: 2\n");
    let run = blastwall(dir.path(), &["inspect", "estate", "crown"]);
    let json = run.json();
    let envs: Vec<_> = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["file"].as_str().unwrap(), d["environment"].as_str()))
        .collect();
    assert_eq!(
        envs,
        [
            ("crown/values.yml", Some("prod")),
            ("estate/blue/app/values.yml", Some("prod")),
        ]
    );
    // A secret whose name only the estate knows is production.
    write(
        dir.path(),
        ".github/workflows/test.yml",
        &LEAKY.replace("PROD_API_KEY", "BANK_JEWELS"),
    );
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    assert_eq!(
        rules_of(&run),
        ["prod-secret-in-test-job"],
        "{}",
        run.stdout
    );
}

#[test]
fn environment_identifiers_reach_policies_as_data() {
    // A user policy that reports what it sees in `data.blastwall.config`.
    let dir = leaky_repo(
        "environments:\n  prod:\n    accounts: [\"111111111111\"]\n    projects: [acme-prod]\n    subscriptions: [sub-1]\n    hosts: [\"*.prod.acme.io\"]\n    secrets: [\"PRD_*\"]\nallow-shared-nonprod: true\npolicies: [team-policies]\n",
    );
    write(
        dir.path(),
        "team-policies/echo_config.rego",
        "# METADATA\n# title: Echo the configuration\n# custom:\n#   id: echo-config\n#   category: team\n#   severity: note\n#   kinds: [github-actions]\npackage team.echo_config\n\nimport rego.v1\n\ndeny contains {\"msg\": json.marshal(data.blastwall.config), \"path\": [\"content\", \"on\"]}\n",
    );
    let run = blastwall(dir.path(), &["lint", "--format", "json"]);
    let echo = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "echo-config")
        .cloned()
        .unwrap_or_else(|| panic!("{}{}", run.stdout, run.stderr));
    let seen: serde_json::Value = serde_json::from_str(echo["message"].as_str().unwrap()).unwrap();
    assert_eq!(
        seen,
        serde_json::json!({
            "environments": {"prod": {
                "accounts": ["111111111111"],
                "projects": ["acme-prod"],
                "subscriptions": ["sub-1"],
                "hosts": ["*.prod.acme.io"],
                "secrets": ["PRD_*"],
            }},
            "allow_shared_nonprod": true,
        })
    );
    assert_eq!(
        (echo["line"].as_u64(), echo["column"].as_u64()),
        (Some(1), Some(5))
    );
}

#[test]
fn without_a_config_policies_still_see_the_defaults() {
    let dir = leaky_repo("");
    write(
        dir.path(),
        "p/echo_config.rego",
        "# METADATA\n# title: Echo\n# custom:\n#   id: echo-config\n#   category: team\n#   severity: note\n#   kinds: [github-actions]\npackage team.echo_config\n\nimport rego.v1\n\ndeny contains {\"msg\": json.marshal(data.blastwall.config), \"path\": []}\n",
    );
    let run = blastwall(dir.path(), &["lint", "--format", "json", "--policy", "p"]);
    let json = run.json();
    let echo = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "echo-config")
        .unwrap();
    assert_eq!(
        echo["message"],
        "{\"allow_shared_nonprod\":false,\"environments\":{}}"
    );
}

#[test]
fn unknown_keys_and_bad_values_are_located_errors() {
    let dir = leaky_repo("select: []\nignroe: [x]\n");
    let run = blastwall(dir.path(), &["lint"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(".blastwall.yaml:2:1: unknown field `ignroe`, expected one of"),
        "{}",
        run.stderr
    );
    // The snippet points at the key.
    assert!(run.stderr.contains("2 │ ignroe: [x]"), "{}", run.stderr);

    let dir = leaky_repo("environments:\n  production:\n    accounts: [\"1\"]\n");
    let run = blastwall(dir.path(), &["lint"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(".blastwall.yaml:2:3: environments: unknown variant `production`"),
        "{}",
        run.stderr
    );

    let dir = leaky_repo("ignore:\n  - prod-secret-in-tset-job\n");
    let run = blastwall(dir.path(), &["lint"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(".blastwall.yaml:2:5: unknown rule id or category `prod-secret-in-tset-job`"),
        "{}",
        run.stderr
    );

    let dir = leaky_repo("policies: [missing]\n");
    let run = blastwall(dir.path(), &["lint"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing"), "{}", run.stderr);
}

#[test]
fn config_show_prints_the_effective_configuration_and_its_origin() {
    let dir = leaky_repo("ignore: [kubectl-delete-all]\nallow-shared-nonprod: true\n");
    let run = blastwall(dir.path(), &["config", "--show"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("# from .blastwall.yaml\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("ignore:\n- kubectl-delete-all\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("allow-shared-nonprod: true\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("exclude: []\n"), "{}", run.stdout);

    let empty = tempfile::tempdir().unwrap();
    let run = blastwall(empty.path(), &["config", "--show"]);
    assert!(
        run.stdout.starts_with("# no .blastwall.yaml found"),
        "{}",
        run.stdout
    );
}
