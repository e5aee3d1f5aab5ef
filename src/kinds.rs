//! Document kinds: the one list of the names `input.kind` takes.
//!
//! Classification (`model::classify`) only returns names from here, the model
//! extracts commands for [`COMMAND_KINDS`], and policy METADATA is validated
//! against [`KINDS`] and may name a whole family ([`expand`]), so a new CI
//! system is one entry in [`CI_KINDS`] and every CI rule runs on it.

/// The CI systems read into the job model (`input.jobs`).
pub const CI_KINDS: &[&str] = &[
    "github-actions",
    "gitlab-ci",
    "circleci",
    "azure-pipelines",
    "bitbucket-pipelines",
    "buildkite",
    "jenkins",
    "cloud-build",
    "codebuild",
    "drone",
    "woodpecker",
    "travis-ci",
];

/// Every other document kind.
const OTHER_KINDS: &[&str] = &[
    "shell",
    "kubernetes",
    "terraform",
    "terraform-vars",
    "terragrunt",
    "hcl",
    "cloudformation",
    "helm-values",
    "docker-compose",
    "iam-policy",
    "package-json",
    "test-config",
    "samconfig",
    "serverless",
    "dotenv",
    "ini",
    "toml",
    "yaml",
    "json",
];

/// A family name a policy may list in `kinds` instead of its members.
pub const CI_FAMILY: &str = "ci";

/// Whether `kind` is a document kind blastwall produces.
pub fn is_kind(kind: &str) -> bool {
    CI_KINDS.contains(&kind) || OTHER_KINDS.contains(&kind)
}

/// Whether `kind` is a CI system's kind.
pub fn is_ci(kind: &str) -> bool {
    CI_KINDS.contains(&kind)
}

/// Whether documents of `kind` carry shell commands (`input.commands`).
pub fn has_commands(kind: &str) -> bool {
    is_ci(kind) || matches!(kind, "shell" | "kubernetes" | "package-json")
}

/// The kinds a METADATA `kinds` entry names: a family expands to its members,
/// `*` and kinds (optionally narrowed, `kubernetes/ClusterRole`) stand for themselves.
/// An unknown kind is an error, so a typo cannot make a rule that never runs.
pub fn expand(listed: &str) -> Result<Vec<String>, String> {
    let kind = listed.split_once('/').map_or(listed, |(kind, _)| kind);
    if listed == CI_FAMILY {
        Ok(CI_KINDS.iter().map(|k| (*k).to_owned()).collect())
    } else if kind == "*" || is_kind(kind) {
        Ok(vec![listed.to_owned()])
    } else {
        Err(format!(
            "unknown document kind `{kind}` in METADATA custom.kinds (known: `{CI_FAMILY}`, `{}`, `{}`)",
            CI_KINDS.join("`, `"),
            OTHER_KINDS.join("`, `")
        ))
    }
}

/// Expands every entry of a METADATA `kinds` list (see [`expand`]).
pub fn expand_all(listed: &[String]) -> Result<Vec<String>, String> {
    let mut kinds = Vec::new();
    for entry in listed {
        for kind in expand(entry)? {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    Ok(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_expand_and_typos_are_errors() {
        let ci = expand_all(&["ci".into(), "shell".into()]).expect("known");
        assert_eq!(ci.len(), CI_KINDS.len() + 1);
        assert!(ci.contains(&"jenkins".to_owned()));
        assert_eq!(
            expand("kubernetes/ClusterRole").expect("narrowed"),
            ["kubernetes/ClusterRole"]
        );
        let typo = expand("githb-actions").expect_err("unknown");
        assert!(typo.contains("`githb-actions`"), "{typo}");
    }

    #[test]
    fn command_kinds_are_ci_shell_and_kubernetes() {
        assert!(has_commands("travis-ci") && has_commands("shell"));
        assert!(!has_commands("terraform") && !is_kind("githb-actions"));
    }
}
