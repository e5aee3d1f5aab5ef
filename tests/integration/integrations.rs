//! Where users run blastwall: SARIF (schema-validated), GitHub annotations,
//! GitLab Code Quality, baselines, `--fix-suggest` and `--fix`.

use std::fs;
use std::path::Path;

use blastwall::engine::registry::PolicySet;
use blastwall::engine::Engine;

use crate::common::{blastwall, repo_root, testdata};

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const WORKFLOW: &str = "on: pull_request\njobs:\n  unit-tests:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n        env:\n          API_KEY: ${{ secrets.PROD_API_KEY }}\n          MSG: \"100%, done: ok\"\n";
const CLEANUP: &str = "#!/bin/sh\nset -eu\nkubectl delete pods --all -n shared\n";

/// A repository with one finding of each fixable rule.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/test.yml", WORKFLOW);
    write(dir.path(), "scripts/cleanup.sh", CLEANUP);
    dir
}

fn sarif_validator() -> jsonschema::Validator {
    let schema = fs::read_to_string(repo_root().join("tests/fixtures/sarif-schema-2.1.0.json"))
        .expect("vendored SARIF schema");
    jsonschema::validator_for(&serde_json::from_str(&schema).unwrap()).expect("schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let validator = sarif_validator();
    // Every bad fixture: related locations, suppressions, fixes, every rule's metadata.
    let mut related = false;
    for entry in fs::read_dir(testdata()).unwrap() {
        let bad = entry.unwrap().path().join("bad");
        if !bad.is_dir() {
            continue;
        }
        let run = blastwall(&bad, &["lint", "--format", "sarif"]);
        let doc = run.json();
        let errors = schema_errors(&validator, &doc);
        assert!(errors.is_empty(), "{}: {errors:#?}", bad.display());
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{}", bad.display());
        related |= results.iter().any(|r| r.get("relatedLocations").is_some());
    }
    assert!(related, "no fixture exercised relatedLocations");
    // The validator is not vacuous: a wrong level and a 0 line are rejected.
    let run = blastwall(
        &testdata().join("prod-secret-in-test-job/bad"),
        &["lint", "--format", "sarif"],
    );
    let mut broken = run.json();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert_eq!(schema_errors(&validator, &broken).len(), 2);
}

#[test]
fn sarif_describes_rules_and_results_for_code_scanning() {
    let dir = repository();
    let run = blastwall(dir.path(), &["lint", "--format", "sarif"]);
    let doc = run.json();
    let sarif_run = &doc["runs"][0];
    assert_eq!(sarif_run["columnKind"], "unicodeCodePoints");
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in sarif_run["results"].as_array().unwrap() {
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], result["ruleId"]);
        for field in ["shortDescription", "fullDescription"] {
            assert!(rule[field]["text"].as_str().is_some_and(|t| !t.is_empty()));
        }
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## How to fix"));
        assert!(rule["defaultConfiguration"]["level"].is_string());
        assert!(rule["properties"]["tags"].as_array().unwrap().len() >= 2);
    }
    // Rule metadata and indexes change as policies are added; results are the contract.
    let mut results = sarif_run["results"].clone();
    for result in results.as_array_mut().unwrap() {
        result.as_object_mut().unwrap().remove("ruleIndex");
    }
    insta::assert_json_snapshot!("sarif_results", results);
}

#[test]
fn github_annotations_escape_per_the_runner() {
    let dir = repository();
    write(
        dir.path(),
        ".github/workflows/test.yml",
        &WORKFLOW.replace("unit-tests", "unit-tests, 100%"),
    );
    let run = blastwall(dir.path(), &["lint", "--format", "github"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("github_annotations", run.stdout);
}

#[test]
fn gitlab_code_quality_report() {
    let dir = repository();
    let run = blastwall(dir.path(), &["lint", "--format", "gitlab"]);
    assert_eq!(run.code, 1);
    insta::assert_json_snapshot!("gitlab_code_quality", run.json());
}

#[test]
fn baseline_reports_only_new_findings_and_survives_line_shifts() {
    let dir = repository();
    let root = dir.path();
    let run = blastwall(root, &["baseline", "-o", "baseline.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = blastwall(root, &["lint", "--baseline", "baseline.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.starts_with("No findings"), "{}", run.stdout);

    // Lines shift above both findings: still known.
    write(
        root,
        ".github/workflows/test.yml",
        &format!("# CI\n\nname: test\n{WORKFLOW}"),
    );
    write(
        root,
        "scripts/cleanup.sh",
        &CLEANUP.replace("set -eu\n", "set -eu\n\necho cleanup\n"),
    );
    let run = blastwall(root, &["lint", "--baseline", "baseline.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);

    // A new violation is the only one reported.
    let more = format!(
        "# CI\n\nname: test\n{WORKFLOW}  e2e-tests:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx playwright test\n        env:\n          TOKEN: ${{{{ secrets.PROD_E2E_TOKEN }}}}\n"
    );
    write(root, ".github/workflows/test.yml", &more);
    let run = blastwall(
        root,
        &["lint", "--baseline", "baseline.json", "--format", "json"],
    );
    assert_eq!(run.code, 1);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("PROD_E2E_TOKEN"));

    // --write-baseline records everything, and the same run can filter by it.
    let run = blastwall(
        root,
        &[
            "lint",
            "--write-baseline",
            "all.json",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.json()["findings"].as_array().unwrap().len(), 1);
    let run = blastwall(root, &["lint", "--baseline", "all.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn fix_suggest_prints_diffs_and_writes_nothing() {
    let dir = repository();
    let run = blastwall(dir.path(), &["lint", "--fix-suggest", "--color", "never"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("fix_suggest", run.stdout);
    assert_eq!(
        fs::read_to_string(dir.path().join(".github/workflows/test.yml")).unwrap(),
        WORKFLOW
    );
}

#[test]
fn fix_applies_safe_edits_only_and_preserves_other_bytes() {
    let dir = repository();
    let root = dir.path();
    // CRLF line ends and a BOM must survive.
    let workflow = format!("\u{feff}{}", WORKFLOW.replace('\n', "\r\n"));
    write(root, ".github/workflows/test.yml", &workflow);
    let run = blastwall(root, &["lint", "--fix", "--format", "json"]);
    assert!(run.stderr.contains("applied safe fixes"), "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(root.join(".github/workflows/test.yml")).unwrap(),
        workflow.replace("PROD_API_KEY", "TEST_API_KEY")
    );
    // The unsafe kubectl fix is left for a human; the re-lint reports it alone.
    assert_eq!(
        fs::read_to_string(root.join("scripts/cleanup.sh")).unwrap(),
        CLEANUP
    );
    let findings = run.json()["findings"].as_array().unwrap().clone();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["kubectl-delete-all"]);
    assert_eq!(run.code, 1);

    // A finding suppressed inline is kept as written.
    let suppressed = WORKFLOW.replace(
        "PROD_API_KEY }}",
        "PROD_API_KEY }}  # blastwall: ignore[prod-secret-in-test-job] read-only key",
    );
    write(root, ".github/workflows/test.yml", &suppressed);
    blastwall(root, &["lint", "--fix"]);
    assert_eq!(
        fs::read_to_string(root.join(".github/workflows/test.yml")).unwrap(),
        suppressed
    );
}

/// Every suggested edit, safe or not, applied to its bad fixture yields a file
/// that still parses and no longer triggers that rule there.
#[test]
fn every_suggested_fix_resolves_its_finding() {
    let engine = Engine::new(PolicySet::builtin().unwrap(), Default::default(), false).unwrap();
    let mut fixes = 0;
    for entry in fs::read_dir(testdata()).unwrap() {
        let bad = entry.unwrap().path().join("bad");
        if !bad.is_dir() {
            continue;
        }
        let report = blastwall::lint::lint(
            &engine,
            std::slice::from_ref(&bad),
            &bad,
            &Default::default(),
        );
        for finding in report.findings.iter().filter(|f| f.fix.is_some()) {
            fixes += 1;
            let text = &report.sources[&finding.file];
            let fixed = blastwall::fix::apply(text, finding.fix.as_ref());
            let copy = tempfile::tempdir().unwrap();
            copy_tree(&bad, copy.path());
            fs::write(copy.path().join(&finding.file), &fixed).unwrap();
            let after = blastwall::lint::lint(
                &engine,
                &[copy.path().to_path_buf()],
                copy.path(),
                &Default::default(),
            );
            let context = format!("{}: {} ({})", bad.display(), finding.file, finding.rule);
            assert!(
                !after.errors.iter().any(|e| e.file == finding.file),
                "{context}: fixed file does not parse: {:?}",
                after.errors
            );
            let count = |r: &blastwall::report::Report| {
                r.findings
                    .iter()
                    .filter(|f| f.file == finding.file && f.rule == finding.rule)
                    .count()
            };
            assert_eq!(count(&after), count(&report) - 1, "{context}\n{fixed}");
        }
    }
    assert!(fixes >= 3, "only {fixes} fixes exercised");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn diff_base_reports_only_changed_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.email=ci@example.com", "-c", "user.name=ci"])
            .args(args)
            .current_dir(root)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    write(root, ".github/workflows/test.yml", WORKFLOW);
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "legacy"]);
    let added = format!(
        "# moved down\n{WORKFLOW}  e2e-tests:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx playwright test\n        env:\n          TOKEN: ${{{{ secrets.PROD_E2E_TOKEN }}}}\n"
    );
    write(root, ".github/workflows/test.yml", &added);
    let run = blastwall(root, &["lint", "--diff-base", "HEAD", "--format", "json"]);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("PROD_E2E_TOKEN"));
    let run = blastwall(root, &["lint", "--diff-base", "no-such-rev"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn the_pre_commit_hook_passes_exactly_the_files_blastwall_reads() {
    let hooks = fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    let pattern = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("files: "))
        .expect("a files pattern");
    let files = regex::Regex::new(pattern).unwrap();
    let names = [
        ".github/workflows/ci.yml",
        "k8s/deploy.YAML",
        "envs/prod/main.tf",
        "envs/prod/prod.tfvars",
        "envs/prod/prod.tfvars.json",
        "live/terragrunt.hcl",
        "scripts/cleanup.sh",
        "scripts/nuke.bash",
        "Makefile",
        "infra/GNUmakefile",
        "make/terraform.mk",
        ".env",
        ".env.test",
        "config/ci.env",
        "src/main/resources/application-test.properties",
        "tox.ini",
        "setup.cfg",
        "pyproject.toml",
        "services/api/samconfig.toml",
        "iam/ci-policy.json",
        // Not read: the hook must not pass them either.
        "README.md",
        "Cargo.toml",
        "Makefile.am",
        "src/main.rs",
        "Dockerfile",
    ];
    for name in names {
        // `format_of` also skips lock files and tool manifests the pattern lets
        // through; blastwall ignores a named file it does not read.
        let read = blastwall::discover::format_of(Path::new(name)).is_some();
        assert_eq!(files.is_match(name), read, "{name}");
    }
}
