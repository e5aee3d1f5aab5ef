//! Team-owned policy: user policies and their tests, the identity contract of
//! the built-in rules, `rules`/`explain` output, and the generated rule docs.

use std::fs;
use std::path::Path;

use blastwall::engine::registry::PolicySet;

use crate::common::{blastwall, repo_root};

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A team rule: GitHub jobs must not run on `ubuntu-latest` (pin the image).
const TEAM_POLICY: &str = r#"# METADATA
# title: Job runs on a floating runner image
# description: |
#   `ubuntu-latest` moves under you.
# custom:
#   id: floating-runner-image
#   category: team-hygiene
#   severity: warning
#   kinds: [github-actions]
#   help: Pin the runner, e.g. `ubuntu-24.04`.
package team.hygiene.floating_runner_image

import rego.v1

deny contains result if {
	some name, job in input.content.jobs
	job["runs-on"] == "ubuntu-latest"
	result := {
		"msg": sprintf("job `%s` runs on `ubuntu-latest`", [name]),
		"path": ["content", "jobs", name, "runs-on"],
	}
}
"#;

const TEAM_TEST: &str = r#"package team.hygiene.floating_runner_image_test

import rego.v1

import data.team.hygiene.floating_runner_image as rule

test_floating_image_is_flagged if {
	count(rule.deny) == 1 with input as {"content": {"jobs": {"a": {"runs-on": "ubuntu-latest"}}}}
}

test_pinned_image_passes if {
	count(rule.deny) == 0 with input as {"content": {"jobs": {"a": {"runs-on": "ubuntu-24.04"}}}}
}
"#;

const WORKFLOW: &str =
    "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";

#[test]
fn user_policy_is_loaded_and_its_findings_are_located() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "team/floating_runner_image.rego", TEAM_POLICY);
    write(
        dir.path(),
        "team/floating_runner_image_test.rego",
        TEAM_TEST,
    );
    write(dir.path(), "repo/.github/workflows/ci.yml", WORKFLOW);
    let run = blastwall(
        dir.path(),
        &["lint", "repo", "--policy", "team", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "floating-runner-image");
    assert_eq!(finding["category"], "team-hygiene");
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["file"], "repo/.github/workflows/ci.yml");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(4), Some(14))
    );
    assert_eq!(finding["help"], "Pin the runner, e.g. `ubuntu-24.04`.");

    // The same policies through `policies:` in the config (a directory inside the
    // repository: the config a pull request edits loads nothing from outside it);
    // `rules` lists them.
    write(
        dir.path(),
        "repo/policies/floating_runner_image.rego",
        TEAM_POLICY,
    );
    write(dir.path(), "repo/.blastwall.yaml", "policies: [policies]\n");
    let run = blastwall(&dir.path().join("repo"), &["lint", "--format", "json"]);
    assert_eq!(run.json()["findings"][0]["rule"], "floating-runner-image");
    let run = blastwall(&dir.path().join("repo"), &["rules"]);
    assert!(
        run.stdout.contains("floating-runner-image"),
        "{}",
        run.stdout
    );
}

#[test]
fn user_policy_tests_run_with_blastwall_test() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "team/floating_runner_image.rego", TEAM_POLICY);
    write(
        dir.path(),
        "team/floating_runner_image_test.rego",
        TEAM_TEST,
    );
    let run = blastwall(dir.path(), &["test", "team"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for name in ["test_floating_image_is_flagged", "test_pinned_image_passes"] {
        assert!(
            run.stdout.contains(&format!(
                "PASS team.hygiene.floating_runner_image_test.{name}\n"
            )),
            "{}",
            run.stdout
        );
    }

    // A failing test names the rule and where it is, shows print() output,
    // and fails the run.
    write(
        dir.path(),
        "team/floating_runner_image_test.rego",
        &format!(
            "{TEAM_TEST}\ntest_wrong if {{\n\tprint(\"deny was\", rule.deny) with input as {{}}\n\tcount(rule.deny) == 1 with input as {{}}\n}}\n"
        ),
    );
    let run = blastwall(dir.path(), &["test", "team"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "FAIL team.hygiene.floating_runner_image_test.test_wrong (team/floating_runner_image_test.rego:15): undefined"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  | team/floating_runner_image_test.rego:16: deny was {}"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(" 1 failed,"), "{}", run.stdout);

    // With no directory, `policies:` of the nearest `.blastwall.yaml` are tested.
    write(dir.path(), ".blastwall.yaml", "policies: [team]\n");
    let run = blastwall(dir.path(), &["test"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("FAIL team.hygiene."), "{}", run.stdout);
}

#[test]
fn user_policy_syntax_error_is_located_in_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "team/floating_runner_image.rego",
        &TEAM_POLICY.replace(
            "job[\"runs-on\"] == \"ubuntu-latest\"",
            "job[\"runs-on\"] == == \"ubuntu-latest\"",
        ),
    );
    write(dir.path(), "repo/ci.yml", WORKFLOW);
    for args in [
        &["lint", "repo", "--policy", "team"][..],
        &["test", "team"][..],
    ] {
        let run = blastwall(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("team/floating_runner_image.rego:17:"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn every_builtin_rule_follows_the_identity_contract() {
    let mut set = PolicySet::default();
    set.add_dir(&repo_root().join("policies"))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!set.rules.is_empty());
    for rule in &set.rules {
        let path = Path::new(&rule.file);
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let folder = path
            .parent()
            .and_then(Path::file_name)
            .unwrap()
            .to_str()
            .unwrap();
        let id_snake = rule.id.replace('-', "_");
        let category_snake = rule.category.replace('-', "_");
        assert_eq!(stem, id_snake, "{}: id is the file stem", rule.file);
        assert_eq!(
            folder, category_snake,
            "{}: folder is the category",
            rule.file
        );
        assert_eq!(
            rule.package,
            format!("blastwall.{category_snake}.{id_snake}"),
            "{}: package",
            rule.file
        );
        let test = path.with_file_name(format!("{stem}_test.rego"));
        assert!(
            test.is_file(),
            "{}: no {} beside it",
            rule.file,
            test.display()
        );
    }
}

#[test]
fn rules_lists_every_rule() {
    let run = blastwall(&repo_root(), &["rules"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("rules", run.stdout);
}

#[test]
fn explain_prints_what_why_examples_and_how_to_suppress() {
    let run = blastwall(&repo_root(), &["explain", "kubectl-delete-all"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for section in [
        "## What it detects",
        "## Why it matters",
        "## Flagged",
        "## Not flagged",
        "## Suppressing",
    ] {
        assert!(run.stdout.contains(section), "{section}:\n{}", run.stdout);
    }
    insta::assert_snapshot!("explain_kubectl_delete_all", run.stdout);
    let run = blastwall(&repo_root(), &["explain", "no-such-rule"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown rule `no-such-rule`"),
        "{}",
        run.stderr
    );
}

#[test]
fn generated_rule_docs_are_up_to_date() {
    let run = blastwall(&repo_root(), &["docs"]);
    assert_eq!(
        run.code, 0,
        "docs/rules is stale; run `cargo run -- docs --write`:\n{}",
        run.stderr
    );
}

/// A rule's `programs` set: documents whose commands run none of them are skipped
/// without evaluating the rule (even a body that would match them).
const PROGRAMS_POLICY: &str = r#"# METADATA
# title: Script fetches over plain HTTP
# custom:
#   id: plain-http-fetch
#   category: team-hygiene
#   severity: note
#   kinds: [shell]
package team.hygiene.plain_http_fetch

import rego.v1

programs := {"curl", "wget"}

deny contains result if {
	some c, cmd in input.commands
	result := {"msg": sprintf("runs `%s`", [cmd.program]), "path": ["commands", c]}
}
"#;

#[test]
fn a_rule_runs_only_on_documents_running_its_programs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "team/plain_http_fetch.rego", PROGRAMS_POLICY);
    write(dir.path(), "repo/build.sh", "#!/bin/sh\nmake all\n");
    write(
        dir.path(),
        "repo/fetch.sh",
        "#!/bin/sh\nset -e\ncurl -fsSL http://example.com/x.tgz -o x.tgz\n",
    );
    let run = blastwall(
        dir.path(),
        &["lint", "repo", "--policy", "team", "--format", "json"],
    );
    let findings: Vec<(String, String)> = (run.json()["findings"].as_array().unwrap().iter())
        .filter(|f| f["rule"] == "plain-http-fetch")
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // Both commands of fetch.sh (the body matches any command), none of build.sh.
    assert_eq!(
        findings,
        [
            ("repo/fetch.sh", "runs `set`"),
            ("repo/fetch.sh", "runs `curl`")
        ]
        .map(|(f, m)| (f.to_owned(), m.to_owned())),
        "{}",
        run.stdout
    );

    // A set computed from the input cannot steer dispatch, and `reads` must name
    // fields of the input model (a typo would skip every document): both are
    // errors at their line.
    for (definition, named) in [
        (
            "programs := {cmd.program | some cmd in input.commands}",
            "`programs`",
        ),
        (r#"reads := {"command"}"#, "`command`"),
    ] {
        let policy = PROGRAMS_POLICY.replace(r#"programs := {"curl", "wget"}"#, definition);
        write(dir.path(), "team/plain_http_fetch.rego", &policy);
        let run = blastwall(dir.path(), &["lint", "repo", "--policy", "team"]);
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("team/plain_http_fetch.rego:12:") && run.stderr.contains(named),
            "{}",
            run.stderr
        );
    }
}
