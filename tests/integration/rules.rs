//! Every rule's fixtures, found by walking `testdata/<rule-id>/{bad,good}`:
//! `bad/` must produce findings of that rule (snapshot of human and JSON output),
//! `good/` (lookalikes) must produce no finding at all.

use std::fs;

use crate::common::{blastwall, stable_json, testdata};

fn rule_dirs() -> Vec<String> {
    let mut ids: Vec<String> = fs::read_dir(testdata())
        .expect("testdata")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("bad").is_dir() || e.path().join("good").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn every_rule_has_bad_and_good_fixtures() {
    let listed = blastwall(&testdata(), &["rules"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let ids: Vec<&str> = listed
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(!ids.is_empty());
    let dirs = rule_dirs();
    for id in ids {
        assert!(
            dirs.iter().any(|d| d == id),
            "rule `{id}` has no testdata/{id}/ fixtures"
        );
        assert!(
            testdata().join(id).join("bad").is_dir(),
            "rule `{id}` has no bad/ fixture"
        );
        assert!(
            testdata().join(id).join("good").is_dir(),
            "rule `{id}` has no good/ (lookalike) fixture"
        );
    }
}

#[test]
fn bad_fixtures_fire_their_rule_at_snapshotted_locations() {
    for id in rule_dirs() {
        let dir = testdata().join(&id).join("bad");
        if !dir.is_dir() {
            continue;
        }
        let json_run = blastwall(&dir, &["lint", "--format", "json"]);
        assert_eq!(
            json_run.code, 1,
            "{id}: expected findings (exit 1)\n{}{}",
            json_run.stdout, json_run.stderr
        );
        let json = stable_json(&json_run);
        let findings = json["findings"].as_array().expect("findings");
        assert!(
            findings.iter().any(|f| f["rule"] == id.as_str()),
            "{id}: bad/ fixtures did not trigger the rule:\n{json:#}"
        );
        for f in findings {
            assert!(
                f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1,
                "{id}: unlocated finding {f}"
            );
        }
        assert_eq!(
            json["errors"],
            serde_json::json!([]),
            "{id}: fixtures must parse"
        );
        let human = blastwall(&dir, &["lint"]);
        insta::assert_snapshot!(format!("{id}__human"), human.stdout);
        insta::assert_json_snapshot!(format!("{id}__json"), json);
    }
}

#[test]
fn good_fixtures_are_silent() {
    for id in rule_dirs() {
        let dir = testdata().join(&id).join("good");
        if !dir.is_dir() {
            continue;
        }
        let run = blastwall(&dir, &["lint", "--format", "json"]);
        let json = run.json();
        assert_eq!(
            json["findings"],
            serde_json::json!([]),
            "{id}: lookalikes in good/ must not be flagged:\n{json:#}"
        );
        assert_eq!(
            json["errors"],
            serde_json::json!([]),
            "{id}: fixtures must parse"
        );
        assert_eq!(run.code, 0);
    }
}
