//! Which files blastwall reads, and as what, decided from the path alone
//! (content sniffing happens in `model::classify`, after parsing).

use std::path::Path;

use crate::parse::Format;

/// The format to parse `path` as, or `None` when blastwall has no use for it.
pub fn format_of(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "yml" | "yaml" => return Some(Format::Yaml),
        "tf" | "tfvars" | "hcl" => return Some(Format::Hcl),
        "sh" | "bash" => return Some(Format::Shell),
        "properties" => return Some(Format::Dotenv),
        "ini" => return Some(Format::Ini),
        "mk" => return Some(Format::Make),
        "json" => {
            // Lock files and editor/tooling manifests never hold deploy config
            // (`package.json` does: its scripts run the tests).
            let skip = lower.ends_with("-lock.json")
                || lower.ends_with(".lock.json")
                || matches!(
                    lower.as_str(),
                    "tsconfig.json" | "composer.json" | "jsconfig.json"
                )
                || lower.ends_with(".map.json");
            return (!skip).then_some(Format::Json);
        }
        _ => {}
    }
    if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
        // `.envrc` is direnv shell, not dotenv; `.env.example`-style files are still
        // read: teams do paste real values into them.
        return Some(Format::Dotenv);
    }
    // `Jenkinsfile`, `Jenkinsfile.deploy`, `deploy.jenkinsfile`; Gradle's Groovy build
    // scripts are the same nested calls (`test { environment 'K', 'v' }`), and so are its
    // Kotlin ones as far as blastwall reads them (`tasks.test { environment("K", "v") }`).
    if lower == "jenkinsfile" || lower.starts_with("jenkinsfile.") || ext == "jenkinsfile" {
        return Some(Format::Groovy);
    }
    if ext == "gradle" || lower.ends_with(".gradle.kts") {
        return Some(Format::Groovy);
    }
    if matches!(lower.as_str(), "makefile" | "gnumakefile") {
        return Some(Format::Make);
    }
    if matches!(lower.as_str(), "setup.cfg" | "tox.ini" | "pytest.ini") {
        return Some(Format::Ini);
    }
    // Only the TOML files blastwall has a use for: a monorepo's many
    // `Cargo.toml`s and tool configs would cost parse time for nothing.
    if matches!(lower.as_str(), "pyproject.toml" | "samconfig.toml") {
        return Some(Format::Toml);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names() {
        let f = |p: &str| format_of(Path::new(p));
        assert_eq!(f(".github/workflows/ci.yml"), Some(Format::Yaml));
        assert_eq!(f("envs/prod/main.tf"), Some(Format::Hcl));
        assert_eq!(f("envs/prod/prod.tfvars"), Some(Format::Hcl));
        assert_eq!(f("envs/prod/prod.tfvars.json"), Some(Format::Json));
        assert_eq!(f("live/dev/terragrunt.hcl"), Some(Format::Hcl));
        assert_eq!(f(".env.test"), Some(Format::Dotenv));
        assert_eq!(f("config/ci.env"), Some(Format::Dotenv));
        assert_eq!(
            f("src/main/resources/application-test.properties"),
            Some(Format::Dotenv)
        );
        assert_eq!(f("setup.cfg"), Some(Format::Ini));
        assert_eq!(f("pyproject.toml"), Some(Format::Toml));
        assert_eq!(f("services/api/samconfig.toml"), Some(Format::Toml));
        assert_eq!(f("crates/core/Cargo.toml"), None);
        assert_eq!(f("scripts/cleanup.sh"), Some(Format::Shell));
        assert_eq!(f("Makefile"), Some(Format::Make));
        assert_eq!(f("Jenkinsfile"), Some(Format::Groovy));
        assert_eq!(f("services/billing/build.gradle"), Some(Format::Groovy));
        assert_eq!(f("payouts/build.gradle.kts"), Some(Format::Groovy));
        assert_eq!(f("ci/Jenkinsfile.release"), Some(Format::Groovy));
        assert_eq!(f("deploy.jenkinsfile"), Some(Format::Groovy));
        assert_eq!(f("infra/GNUmakefile"), Some(Format::Make));
        assert_eq!(f("make/terraform.mk"), Some(Format::Make));
        assert_eq!(f("Makefile.am"), None);
        assert_eq!(f("iam/ci-policy.json"), Some(Format::Json));
        assert_eq!(f("package-lock.json"), None);
        assert_eq!(f("package.json"), Some(Format::Json));
        assert_eq!(f(".envrc"), None);
        assert_eq!(f("README.md"), None);
    }
}
