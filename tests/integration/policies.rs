//! The Rego unit tests beside each policy run through `blastwall test`, as users run theirs.

use crate::common::{blastwall, repo_root};

#[test]
fn builtin_policy_unit_tests_pass() {
    let run = blastwall(&repo_root(), &["test"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(" 0 failed"), "{}", run.stdout);
    assert!(!run.stdout.contains("FAIL"), "{}", run.stdout);
}
