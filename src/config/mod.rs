//! `.blastwall.yaml`: the team's estate (environments and their identifiers),
//! rule selection, severities, path ignores and extra policy directories.
//!
//! Found by walking up from the scan target, or named with `--config`. Every
//! unknown key or bad value is an error located in the file: a typo that
//! silently disables a setting is worse than no setting.

mod environments;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::cli::FailOn;
use crate::engine::registry::{PolicySet, Severity};
use crate::report::Report;

pub use environments::EnvConfig;

/// The file names looked for, in order, in each directory.
pub const FILE_NAMES: &[&str] = &[".blastwall.yaml", ".blastwall.yml"];

/// The environments blastwall reasons about; the keys of `environments:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvName {
    Prod,
    Staging,
    Dev,
    Test,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// How to recognise each environment, and the identifiers that belong to it.
    #[serde(default)]
    pub environments: BTreeMap<EnvName, EnvConfig>,
    /// Rule ids or categories to run (empty: all).
    #[serde(default)]
    pub select: Vec<String>,
    /// Rule ids or categories never to run.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Severity per rule id or category.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// The lowest severity that fails the run (`--fail-on` wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<FailOn>,
    /// Paths never scanned (globs relative to the config file).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rule ids or categories ignored in the files a glob matches.
    #[serde(default)]
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
    /// Extra policy directories, relative to the config file.
    #[serde(default)]
    pub policies: Vec<PathBuf>,
    /// Accept one account shared by dev/test/staging (never with prod).
    #[serde(default)]
    pub allow_shared_nonprod: bool,
    /// Files that cannot be read or parsed are reported but do not fail the run
    /// (for repositories that keep deliberately broken fixtures).
    #[serde(default)]
    pub allow_file_errors: bool,
}

/// The configuration in force, where it came from, and its compiled globs.
pub struct Loaded {
    pub config: Config,
    /// The file read, or `None` for the defaults.
    pub file: Option<PathBuf>,
    /// Globs and policy directories are relative to this directory.
    pub root: PathBuf,
    exclude: GlobSet,
    per_file: Vec<(GlobSet, Vec<String>)>,
    /// Rules `select`/`ignore` turned off (see [`Loaded::select`]).
    disabled: Vec<String>,
    /// The file's text, to locate values checked after parsing.
    text: String,
}

impl Default for Loaded {
    fn default() -> Loaded {
        Loaded {
            config: Config::default(),
            file: None,
            root: PathBuf::from("."),
            exclude: GlobSet::empty(),
            per_file: Vec::new(),
            disabled: Vec::new(),
            text: String::new(),
        }
    }
}

/// A configuration problem, already rendered with its location.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Loaded {
    /// `--config FILE` when given, else the nearest `.blastwall.yaml` at or
    /// above the first target, else the defaults rooted at `cwd`.
    pub fn find(
        explicit: Option<&Path>,
        targets: &[PathBuf],
        cwd: &Path,
    ) -> Result<Loaded, ConfigError> {
        if let Some(file) = explicit {
            return Loaded::read(&cwd.join(file), cwd);
        }
        let start = targets
            .first()
            .map_or_else(|| cwd.to_path_buf(), |t| cwd.join(t));
        let start = if start.is_dir() {
            start
        } else {
            start
                .parent()
                .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
        };
        let start = start.canonicalize().unwrap_or(start);
        for dir in start.ancestors() {
            for name in FILE_NAMES {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Loaded::read(&candidate, cwd);
                }
            }
        }
        Loaded::new(Config::default(), None, cwd.to_path_buf(), "")
    }

    /// Reads `file`, shown relative to `cwd` in messages.
    pub fn read(file: &Path, cwd: &Path) -> Result<Loaded, ConfigError> {
        let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
        let file = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
        let shown = file.strip_prefix(&cwd).unwrap_or(&file).to_path_buf();
        let text = std::fs::read_to_string(&file)
            .map_err(|e| ConfigError(format!("{}: cannot read: {e}", shown.display())))?;
        let config = parse(&text, &shown.display().to_string())?;
        let root = file.parent().map_or_else(PathBuf::new, Path::to_path_buf);
        Loaded::new(config, Some(shown), root, &text)
    }

    fn new(
        config: Config,
        file: Option<PathBuf>,
        root: PathBuf,
        text: &str,
    ) -> Result<Loaded, ConfigError> {
        let shown = file
            .as_ref()
            .map_or_else(String::new, |f| f.display().to_string());
        let glob_set = |globs: &[String]| -> Result<GlobSet, ConfigError> {
            let mut builder = GlobSetBuilder::new();
            for glob in globs {
                builder.add(self::glob(glob).map_err(|e| located(&shown, text, glob, &e))?);
            }
            builder
                .build()
                .map_err(|e| ConfigError(format!("{shown}: {e}")))
        };
        let exclude = glob_set(&config.exclude)?;
        let per_file = config
            .per_file_ignores
            .iter()
            .map(|(glob, rules)| Ok((glob_set(std::slice::from_ref(glob))?, rules.clone())))
            .collect::<Result<_, ConfigError>>()?;
        environments::check_globs(&config, &shown, text)?;
        Ok(Loaded {
            config,
            file,
            root: root.canonicalize().unwrap_or(root),
            exclude,
            per_file,
            disabled: Vec::new(),
            text: text.to_owned(),
        })
    }

    /// Extra policy directories, resolved against the config file's directory.
    /// The extra policy directories, each inside the directory of the config file:
    /// a `.blastwall.yaml` a pull request edits must not load code from elsewhere
    /// (`policies: ["../../.."]`, `/etc`).
    pub fn policy_dirs(&self) -> Result<Vec<PathBuf>, ConfigError> {
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        (self.config.policies.iter())
            .map(|dir| {
                let path = self.root.join(dir);
                let resolved = path.canonicalize().unwrap_or_else(|_| path.clone());
                let escapes = dir.is_absolute()
                    || dir.components().any(|c| c == std::path::Component::ParentDir)
                    || !resolved.starts_with(&root);
                match escapes {
                    true => Err(ConfigError(format!(
                        "policies: `{}` is outside the directory of the configuration file; only directories inside it are loaded",
                        dir.display()
                    ))),
                    false => Ok(path),
                }
            })
            .collect()
    }

    /// Every rule id or category named in the file must exist, or a typo
    /// would silently keep a noisy rule on.
    pub fn check_rules(&self, set: &PolicySet) -> Result<(), ConfigError> {
        let known = |name: &str| {
            crate::suppress::META_RULES
                .iter()
                .any(|(id, _)| *id == name)
                || name == crate::suppress::CATEGORY
                || set.rules.iter().any(|r| r.id == name || r.category == name)
        };
        let text = &self.text;
        let shown = self
            .file
            .as_ref()
            .map_or_else(String::new, |f| f.display().to_string());
        let named = self
            .config
            .select
            .iter()
            .chain(&self.config.ignore)
            .chain(self.config.severity.keys())
            .chain(self.config.per_file_ignores.values().flatten());
        for name in named {
            if !known(name) {
                return Err(located(
                    &shown,
                    text,
                    name,
                    &format!("unknown rule id or category `{name}` (see `blastwall rules`)"),
                ));
            }
        }
        Ok(())
    }

    /// Whether `select`/`ignore` keep a rule (by id or category) on.
    pub fn enabled(&self, id: &str, category: &str) -> bool {
        let named = |list: &[String]| list.iter().any(|n| n == id || n == category);
        (self.config.select.is_empty() || named(&self.config.select)) && !named(&self.config.ignore)
    }

    /// Drops the rules `select`/`ignore` turn off, remembering their ids so a
    /// suppression naming one is not mistaken for a typo.
    pub fn select(&mut self, set: &mut PolicySet) {
        let (kept, dropped) = std::mem::take(&mut set.rules)
            .into_iter()
            .partition(|r| self.enabled(&r.id, &r.category));
        set.rules = kept;
        self.disabled = dropped.into_iter().map(|r| r.id).collect();
    }

    /// `path` relative to the config's directory, `/`-separated, for glob matching.
    /// `root` is canonical (see [`Loaded::new`]); `path` is canonicalized only
    /// when it is not plainly under it.
    fn relative(&self, path: &Path) -> String {
        let shown = match path.strip_prefix(&self.root) {
            Ok(inside) => inside.to_path_buf(),
            Err(_) => {
                let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
                path.strip_prefix(&self.root)
                    .map_or(path.clone(), Path::to_path_buf)
            }
        };
        shown.to_string_lossy().replace('\\', "/")
    }

    /// Whether `exclude:` keeps the file out of the scan. The config file
    /// itself is never scanned: its accounts and hosts are not deployments.
    pub fn excludes(&self, path: &Path) -> bool {
        let is_config = self.file.is_some()
            && path
                .file_name()
                .is_some_and(|n| FILE_NAMES.iter().any(|f| n == *f))
            && self.relative(path).len() == path.file_name().map_or(0, |n| n.len());
        is_config || (!self.config.exclude.is_empty() && self.exclude.is_match(self.relative(path)))
    }

    /// After evaluation: inline suppressions, then `per-file-ignores` and
    /// `severity:` (which apply to the suppression rules too).
    pub fn settle(
        &self,
        report: &mut Report,
        set: &PolicySet,
        suppressions: &BTreeMap<String, Vec<crate::suppress::Suppression>>,
    ) {
        let meta = |id: &str| crate::suppress::META_RULES.iter().any(|(m, _)| *m == id);
        crate::suppress::apply(
            report,
            suppressions,
            |id| set.rule(id).is_some() || self.disabled.iter().any(|d| d == id) || meta(id),
            |id| {
                set.rule(id).is_some() || (meta(id) && self.enabled(id, crate::suppress::CATEGORY))
            },
        );
        if !self.per_file.is_empty() {
            report.findings.retain(|f| {
                let relative = self.relative(Path::new(&f.file));
                !self.per_file.iter().any(|(globs, rules)| {
                    globs.is_match(&relative)
                        && rules.iter().any(|r| *r == f.rule || *r == f.category)
                })
            });
        }
        for finding in &mut report.findings {
            let severity = self.config.severity.get(&finding.rule);
            // A rule's own entry wins over its category's.
            if let Some(severity) = severity.or_else(|| self.config.severity.get(&finding.category))
            {
                finding.severity = *severity;
            }
        }
    }

    /// `data.blastwall.config`, the part of the configuration policies read.
    pub fn rego_data(&self) -> Json {
        let environments: serde_json::Map<String, Json> = self
            .config
            .environments
            .iter()
            .map(|(name, env)| {
                let key = serde_json::to_value(name)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                (
                    key,
                    json!({
                        "accounts": env.accounts,
                        "projects": env.projects,
                        "subscriptions": env.subscriptions,
                        "hosts": env.hosts,
                        "secrets": env.secrets,
                    }),
                )
            })
            .collect();
        json!({
            "blastwall": {
                "config": {
                    "environments": environments,
                    "allow_shared_nonprod": self.config.allow_shared_nonprod,
                }
            }
        })
    }

    /// Teaches environment inference this estate's paths, words and secret names.
    pub fn configure_environments(&self) {
        environments::install(&self.config, self.root.clone());
    }

    /// The effective configuration as YAML, headed by where it came from.
    pub fn show(&self) -> String {
        let origin = match &self.file {
            Some(file) => format!("# from {}\n", file.display()),
            None => "# no .blastwall.yaml found: defaults\n".to_owned(),
        };
        let body = serde_yaml::to_string(&self.config).unwrap_or_default();
        format!("{origin}{}\n", body.trim_end())
    }
}

/// Parses the text of a config file named `shown`.
pub fn parse(text: &str, shown: &str) -> Result<Config, ConfigError> {
    // An empty file (or only comments) is the defaults, not an error.
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(Config::default());
    }
    // The span-keeping reader caps nesting (and aliases) first: serde_yaml takes
    // minutes and gigabytes on a hostile 100k-deep file before its own error.
    if let Err(e) = crate::parse::yaml::parse_yaml(text) {
        return Err(render(shown, text, e.offset, 1, &e.message));
    }
    serde_yaml::from_str(text).map_err(|e| {
        let offset = e.location().map_or(0, |l| l.index());
        render(shown, text, offset, 1, &e.to_string())
    })
}

/// Globs are matched against `/`-separated relative paths; `*` stays in one segment.
pub(crate) fn glob(glob: &str) -> Result<Glob, String> {
    globset::GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("invalid glob `{glob}`: {}", e.kind()))
}

/// An error at the first occurrence of `token` in the file (values lose
/// their position once deserialized).
fn located(shown: &str, text: &str, token: &str, message: &str) -> ConfigError {
    let offset = text.find(token).unwrap_or(0);
    render(shown, text, offset, token.len().max(1), message)
}

/// `file:line:col: message`, then the annotated snippet.
fn render(shown: &str, text: &str, offset: usize, len: usize, message: &str) -> ConfigError {
    let (line, column) = crate::report::diagnostic::line_col(text, offset);
    // serde_yaml appends "at line N column M"; the header already says where.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    let header = format!("{shown}:{line}:{column}: {message}");
    if text.is_empty() {
        return ConfigError(header);
    }
    let diagnostic = miette::MietteDiagnostic::new(message.clone())
        .with_code("blastwall::config")
        .with_label(miette::LabeledSpan::at(
            offset..(offset + len).min(text.len()),
            "here",
        ))
        .with_help("every key is documented in docs/configuration.md");
    let report = miette::Report::new(diagnostic)
        .with_source_code(miette::NamedSource::new(shown, text.to_owned()).with_language("yaml"));
    let mut snippet = String::new();
    let _ = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_links(false)
        .render_report(&mut snippet, report.as_ref());
    ConfigError(format!("{header}\n{snippet}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse(text, ".blastwall.yaml").unwrap_err().0
    }

    #[test]
    fn empty_file_is_the_defaults() {
        let config = parse("# nothing yet\n", "f").unwrap();
        assert!(config.environments.is_empty() && !config.allow_shared_nonprod);
    }

    #[test]
    fn every_key_parses() {
        let config = parse(
            r#"
environments:
  prod:
    paths: ["live/**"]
    names: [live]
    accounts: ["111111111111"]
    projects: [acme-prod]
    subscriptions: ["00000000-0000-0000-0000-000000000001"]
    hosts: ["*.prod.acme.internal"]
    secrets: ["PRD_*"]
select: [prod-credentials-in-test]
ignore: [kubectl-delete-all]
severity:
  prod-secret-in-test-job: warning
fail-on: error
exclude: ["vendor/**"]
per-file-ignores:
  "sandbox/**": [unbounded-delete]
policies: [policies]
allow-shared-nonprod: true
"#,
            "f",
        )
        .unwrap();
        let prod = &config.environments[&EnvName::Prod];
        assert_eq!(prod.paths, ["live/**"]);
        assert_eq!(prod.names, ["live"]);
        assert_eq!(prod.accounts, ["111111111111"]);
        assert_eq!(prod.projects, ["acme-prod"]);
        assert_eq!(prod.subscriptions.len(), 1);
        assert_eq!(prod.hosts, ["*.prod.acme.internal"]);
        assert_eq!(prod.secrets, ["PRD_*"]);
        assert_eq!(config.select, ["prod-credentials-in-test"]);
        assert_eq!(config.ignore, ["kubectl-delete-all"]);
        assert_eq!(
            config.severity["prod-secret-in-test-job"],
            Severity::Warning
        );
        assert_eq!(config.fail_on, Some(FailOn::Error));
        assert_eq!(config.exclude, ["vendor/**"]);
        assert_eq!(config.per_file_ignores["sandbox/**"], ["unbounded-delete"]);
        assert_eq!(config.policies, [PathBuf::from("policies")]);
        assert!(config.allow_shared_nonprod);
    }

    #[test]
    fn unquoted_account_ids_keep_their_digits() {
        let config = parse(
            "environments:\n  prod:\n    accounts: [011111111111, 2]\n",
            "f",
        )
        .unwrap();
        assert_eq!(
            config.environments[&EnvName::Prod].accounts,
            ["011111111111", "2"]
        );
    }

    #[test]
    fn unknown_keys_are_located_errors() {
        let e = error("select: []\nignroe: [x]\n");
        assert!(
            e.starts_with(".blastwall.yaml:2:1: unknown field `ignroe`"),
            "{e}"
        );
        assert!(e.contains("expected one of"), "{e}");
        let e = error("environments:\n  prod:\n    acounts: [\"1\"]\n");
        assert!(e.starts_with(".blastwall.yaml:3:5:"), "{e}");
        assert!(e.contains("unknown field `acounts`"), "{e}");
    }

    #[test]
    fn bad_values_are_located_errors() {
        let e = error("environments:\n  production: {}\n");
        assert!(e.starts_with(".blastwall.yaml:2:3:"), "{e}");
        assert!(e.contains("expected one of `prod`"), "{e}");
        let e = error("fail-on: sometimes\n");
        assert!(e.starts_with(".blastwall.yaml:1:10:"), "{e}");
        let e = error("severity:\n  kubectl-delete-all: fatal\n");
        assert!(e.starts_with(".blastwall.yaml:2:23:"), "{e}");
        let e = error("allow-shared-nonprod: maybe\n");
        assert!(e.starts_with(".blastwall.yaml:1:"), "{e}");
    }

    #[test]
    fn invalid_globs_are_located() {
        let text = "exclude:\n  - \"a/[b\"\n";
        let config = parse(text, "f").unwrap();
        let e = Loaded::new(config, Some("f".into()), PathBuf::new(), text)
            .err()
            .unwrap()
            .0;
        assert!(e.starts_with("f:2:6: invalid glob `a/[b`"), "{e}");
    }

    #[test]
    fn rego_data_has_the_documented_shape() {
        let config = parse(
            "environments:\n  staging:\n    accounts: [\"2\"]\nallow-shared-nonprod: true\n",
            "f",
        )
        .unwrap();
        let loaded = Loaded::new(config, None, PathBuf::new(), "").unwrap();
        assert_eq!(
            loaded.rego_data(),
            json!({"blastwall": {"config": {
                "environments": {"staging": {
                    "accounts": ["2"], "projects": [], "subscriptions": [], "hosts": [], "secrets": []
                }},
                "allow_shared_nonprod": true,
            }}})
        );
    }

    #[test]
    fn selection_by_id_and_category() {
        let config = parse(
            "select: [unbounded-delete, prod-secret-in-test-job]\nignore: [kubectl-delete-all]\n",
            "f",
        )
        .unwrap();
        let loaded = Loaded::new(config, None, PathBuf::new(), "").unwrap();
        assert!(loaded.enabled("prod-secret-in-test-job", "prod-credentials-in-test"));
        assert!(loaded.enabled("rm-rf", "unbounded-delete"));
        assert!(!loaded.enabled("kubectl-delete-all", "unbounded-delete"));
        assert!(!loaded.enabled("same-account-in-prod-and-nonprod", "shared-account"));
    }
}
