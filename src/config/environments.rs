//! `environments:`: how this estate names its environments, taught to the
//! shared inference in `model::environment` before anything is parsed.

use std::path::{Path, PathBuf};

use globset::{GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use super::{located, Config, ConfigError, EnvName};
use crate::model::environment::{self, words, Env};

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnvConfig {
    /// Files in this environment (globs relative to the config file).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Extra words that name it in job, stage, environment and file names.
    #[serde(default)]
    pub names: Vec<String>,
    /// Cloud identifiers that belong to it (read by policies).
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub projects: Vec<String>,
    #[serde(default)]
    pub subscriptions: Vec<String>,
    /// Host globs (`*.prod.example.com`), read by policies.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Secret and variable name globs (`PRD_*`), case-insensitive.
    #[serde(default)]
    pub secrets: Vec<String>,
}

fn env(name: EnvName) -> Env {
    match name {
        EnvName::Prod => Env::Prod,
        EnvName::Staging => Env::Staging,
        EnvName::Dev => Env::Dev,
        EnvName::Test => Env::Test,
    }
}

/// Validates globs and names up front, so a mistake is a located error.
pub(super) fn check_globs(config: &Config, shown: &str, text: &str) -> Result<(), ConfigError> {
    for spec in config.environments.values() {
        for glob in spec.paths.iter().chain(&spec.hosts).chain(&spec.secrets) {
            super::glob(glob).map_err(|e| located(shown, text, glob, &e))?;
        }
        for name in &spec.names {
            if words(name).len() != 1 {
                return Err(located(
                    shown,
                    text,
                    name,
                    &format!(
                        "`{name}` is not one word: `names` lists single words (letters and digits)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The configured vocabulary, consulted before the built-in one.
struct Estate {
    /// Per environment, in `prod, staging, dev, test` order: the first match wins.
    paths: Vec<(GlobSet, Env)>,
    secrets: Vec<(GlobSet, Env)>,
    words: Vec<(String, Env)>,
    root: PathBuf,
    cwd: PathBuf,
}

impl environment::Overrides for Estate {
    fn word(&self, word: &str) -> Option<Env> {
        self.words.iter().find(|(w, _)| w == word).map(|(_, e)| *e)
    }

    fn path(&self, path: &str) -> Option<Env> {
        let absolute = self.cwd.join(path);
        let relative = absolute.strip_prefix(&self.root).unwrap_or(Path::new(path));
        let relative = relative.to_string_lossy().replace('\\', "/");
        first_match(&self.paths, &relative)
    }

    fn secret_name(&self, name: &str) -> Option<Env> {
        first_match(&self.secrets, name)
    }
}

fn first_match(sets: &[(GlobSet, Env)], text: &str) -> Option<Env> {
    sets.iter()
        .find(|(set, _)| set.is_match(text))
        .map(|(_, e)| *e)
}

pub(super) fn install(config: &Config, root: PathBuf) {
    if config.environments.is_empty() {
        return;
    }
    let build = |globs: &[String], case_insensitive: bool| {
        let mut builder = GlobSetBuilder::new();
        for glob in globs {
            // Already validated by `check_globs`.
            if let Ok(glob) = globset::GlobBuilder::new(glob)
                .literal_separator(true)
                .case_insensitive(case_insensitive)
                .build()
            {
                builder.add(glob);
            }
        }
        builder.build().unwrap_or_else(|_| GlobSet::empty())
    };
    let mut estate = Estate {
        paths: Vec::new(),
        secrets: Vec::new(),
        words: Vec::new(),
        root: root.canonicalize().unwrap_or(root),
        cwd: std::env::current_dir()
            .and_then(|d| d.canonicalize())
            .unwrap_or_default(),
    };
    for (name, spec) in &config.environments {
        let env = env(*name);
        estate.paths.push((build(&spec.paths, false), env));
        estate.secrets.push((build(&spec.secrets, true), env));
        estate
            .words
            .extend(spec.names.iter().map(|n| (n.to_ascii_lowercase(), env)));
    }
    environment::configure(Box::new(estate));
}
