//! Inline suppressions through the binary: same line, line above, wrong rule
//! id, missing reason, unused, and how suppressed findings are reported.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::{blastwall, Run};

fn repo(path: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    dir
}

fn lint_json(dir: &Path) -> (Run, Vec<Value>) {
    let run = blastwall(dir, &["lint", "--format", "json"]);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    (run, findings)
}

/// `(rule, line, column, suppressed)` of each finding.
fn summary(findings: &[Value]) -> Vec<(String, u64, u64, bool)> {
    findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["suppressed"] == true,
            )
        })
        .collect()
}

const WORKFLOW: &str = ".github/workflows/test.yml";

fn workflow(env_lines: &str) -> String {
    format!("on: pull_request\njobs:\n  unit-tests:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n        env:\n{env_lines}")
}

#[test]
fn same_line_suppression_with_a_reason_silences_the_finding() {
    let dir = repo(
        WORKFLOW,
        &workflow("          API_KEY: ${{ secrets.PROD_API_KEY }}  # blastwall: ignore[prod-secret-in-test-job] read-only smoke key, CAB-1234\n"),
    );
    let (run, findings) = lint_json(dir.path());
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        summary(&findings),
        [("prod-secret-in-test-job".into(), 8, 24, true)]
    );
    assert_eq!(
        findings[0]["suppression_reason"],
        "read-only smoke key, CAB-1234"
    );
    // Human output neither shows nor counts it.
    let human = blastwall(dir.path(), &["lint"]);
    assert_eq!(human.stdout, "No findings in 1 file.\n");
}

#[test]
fn suppression_on_the_line_above_covers_the_next_line_only() {
    let dir = repo(
        WORKFLOW,
        &workflow("          # blastwall: ignore[prod-secret-in-test-job] -- shared sandbox key, see SEC-88\n          API_KEY: ${{ secrets.PROD_API_KEY }}\n          OTHER: ${{ secrets.PROD_OTHER }}\n"),
    );
    let (run, findings) = lint_json(dir.path());
    assert_eq!(
        summary(&findings),
        [
            ("prod-secret-in-test-job".into(), 9, 24, true),
            ("prod-secret-in-test-job".into(), 10, 22, false),
        ]
    );
    assert_eq!(
        findings[0]["suppression_reason"],
        "shared sandbox key, see SEC-88"
    );
    assert!(findings[1].get("suppressed").is_none(), "{}", findings[1]);
    assert!(findings[1].get("suppression_reason").is_none());
    assert_eq!(run.code, 1);
    let human = blastwall(dir.path(), &["lint"]);
    assert!(
        human
            .stdout
            .ends_with("Found 1 finding (1 error, 0 warning, 0 note) in 1 file.\n"),
        "{}",
        human.stdout
    );
}

#[test]
fn wrong_rule_id_suppresses_nothing_and_is_reported_unused() {
    let dir = repo(
        WORKFLOW,
        &workflow("          API_KEY: ${{ secrets.PROD_API_KEY }}  # blastwall: ignore[kubectl-delete-all] wrong rule\n"),
    );
    let (run, findings) = lint_json(dir.path());
    assert_eq!(run.code, 1);
    assert_eq!(
        summary(&findings),
        [
            ("prod-secret-in-test-job".into(), 8, 24, false),
            ("blastwall-unused-suppression".into(), 8, 69, false),
        ]
    );
    assert_eq!(findings[1]["severity"], "warning");
    assert!(
        findings[1]["message"]
            .as_str()
            .unwrap()
            .contains("no `kubectl-delete-all` finding"),
        "{}",
        findings[1]
    );
}

#[test]
fn unknown_rule_id_is_reported() {
    let dir = repo(
        "deploy.sh",
        "#!/bin/sh\n# blastwall: ignore[no-such-rule] legacy\necho hi\n",
    );
    let (_, findings) = lint_json(dir.path());
    assert_eq!(
        summary(&findings),
        [("blastwall-unused-suppression".into(), 2, 21, false)]
    );
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("`no-such-rule` is not a rule"));
}

#[test]
fn missing_reason_still_suppresses_but_is_reported() {
    let dir = repo(
        WORKFLOW,
        &workflow("          API_KEY: ${{ secrets.PROD_API_KEY }}  # blastwall: ignore[prod-secret-in-test-job]\n"),
    );
    let (run, findings) = lint_json(dir.path());
    assert_eq!(
        summary(&findings),
        [
            ("prod-secret-in-test-job".into(), 8, 24, true),
            ("blastwall-suppression-without-reason".into(), 8, 49, false),
        ]
    );
    assert!(findings[0].get("suppression_reason").is_none());
    // A warning fails the default threshold; `fail-on: error` lets it pass.
    assert_eq!(run.code, 1);
    assert_eq!(
        blastwall(dir.path(), &["lint", "--fail-on", "error"]).code,
        0
    );
}

#[test]
fn unused_suppression_in_a_clean_file_is_reported() {
    let dir = repo(
        WORKFLOW,
        &workflow("          # blastwall: ignore[prod-secret-in-test-job] was needed before the key rotation\n          API_KEY: ${{ secrets.TEST_API_KEY }}\n"),
    );
    let (run, findings) = lint_json(dir.path());
    assert_eq!(run.code, 1);
    assert_eq!(
        summary(&findings),
        [("blastwall-unused-suppression".into(), 8, 31, false)]
    );
    // The meta rules obey `ignore:` like any other.
    fs::write(
        dir.path().join(".blastwall.yaml"),
        "ignore: [blastwall-unused-suppression]\n",
    )
    .unwrap();
    let (run, findings) = lint_json(dir.path());
    assert_eq!(run.code, 0);
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn several_ids_and_hcl_comment_styles() {
    let dir = repo(
        "envs/dev/main.tf",
        "provider \"aws\" {\n  // blastwall: ignore[kubectl-delete-all, no-such-rule] exploring\n  region = \"eu-west-1\"\n}\n",
    );
    let (_, findings) = lint_json(dir.path());
    let rules: Vec<_> = summary(&findings)
        .into_iter()
        .map(|(r, l, c, _)| (r, l, c))
        .collect();
    assert_eq!(
        rules,
        [
            ("blastwall-unused-suppression".into(), 2, 24),
            ("blastwall-unused-suppression".into(), 2, 44),
        ]
    );
}

#[test]
fn suppressing_a_rule_disabled_by_config_is_not_unused() {
    let dir = repo(
        WORKFLOW,
        &workflow("          API_KEY: ${{ secrets.PROD_API_KEY }}  # blastwall: ignore[prod-secret-in-test-job] smoke key\n"),
    );
    fs::write(
        dir.path().join(".blastwall.yaml"),
        "ignore: [prod-secret-in-test-job]\n",
    )
    .unwrap();
    let (run, findings) = lint_json(dir.path());
    assert_eq!(run.code, 0);
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn sarif_marks_suppressed_results_in_source_with_the_reason() {
    let dir = repo(
        WORKFLOW,
        &workflow("          API_KEY: ${{ secrets.PROD_API_KEY }}  # blastwall: ignore[prod-secret-in-test-job] smoke key, SEC-9\n          # blastwall: ignore[kubectl-delete-all] stale\n          OTHER: ${{ secrets.TEST_OTHER }}\n"),
    );
    let run = blastwall(dir.path(), &["lint", "--format", "sarif"]);
    let sarif = run.json();
    let run0 = &sarif["runs"][0];
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{sarif:#}");
    assert_eq!(results[0]["ruleId"], "prod-secret-in-test-job");
    assert_eq!(
        results[0]["suppressions"],
        serde_json::json!([{"kind": "inSource", "justification": "smoke key, SEC-9"}])
    );
    assert_eq!(results[1]["ruleId"], "blastwall-unused-suppression");
    assert!(results[1].get("suppressions").is_none());
    // Every result's ruleIndex points at its own rule, the built-in suppression rules included.
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            run0["tool"]["driver"]["rules"][index]["id"],
            result["ruleId"]
        );
    }
    // A suppressed finding does not fail the run; the unused suppression does.
    assert_eq!(run.code, 1);
}
