//! Command-line interface: raw clap arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "blastwall",
    version,
    about = "Policy-as-code linter for deploy configs: test contexts that reach production, accounts shared across environments, unbounded deletes."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan files and directories (default: the current directory).
    Lint(LintArgs),
    /// Print the input model the policies see, as JSON (like `conftest parse`).
    Inspect(InspectArgs),
    /// List the rules: id, category, severity, title.
    Rules(PolicyArgs),
    /// Print a rule's documentation.
    Explain {
        /// The rule id, e.g. `prod-secret-in-test-job`.
        rule: String,
        #[command(flatten)]
        policies: PolicyArgs,
    },
    /// Record today's findings, so `lint --baseline FILE` reports only new ones.
    Baseline(BaselineArgs),
    /// Print the effective configuration and the file it came from.
    Config {
        /// Required: what to do with the configuration.
        #[arg(long)]
        show: bool,
        /// Where to look for `.blastwall.yaml` (walking up from it).
        #[arg(default_value = ".")]
        path: PathBuf,
        #[command(flatten)]
        policies: PolicyArgs,
    },
    /// Run Rego unit tests (`test_*` rules) of the built-in and user policies.
    Test {
        /// Extra policy directories whose tests run alongside the built-in ones.
        dirs: Vec<PathBuf>,
    },
    /// Generate the rule reference (`docs/rules/*.md`) from the policies' METADATA.
    Docs {
        /// Rewrite the files; without it, list the stale ones and exit 1 if any.
        #[arg(long)]
        write: bool,
        #[arg(long, value_name = "DIR", default_value = "docs/rules")]
        out: PathBuf,
    },
}

#[derive(clap::Args, Debug, Default)]
pub struct PolicyArgs {
    /// Load user policies from DIR, alongside the built-in ones (repeatable).
    #[arg(long = "policy", value_name = "DIR")]
    pub policy: Vec<PathBuf>,
    /// Read this configuration file instead of the nearest `.blastwall.yaml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Files and directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with 1 when a finding has at least this severity
    /// [default: `fail-on` in .blastwall.yaml, else warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Print where the time went (per phase, with file and rule counts) to
    /// stderr, and add `summary.timings_ms` to JSON output.
    #[arg(long)]
    pub timings: bool,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also write every finding (before `--baseline` filtering) to this baseline file.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings on lines added or changed since REV (reads `git diff`).
    #[arg(long, value_name = "REV")]
    pub diff_base: Option<String>,
    /// Do not fail the run for files that cannot be read or parsed (they are still
    /// reported) [default: `allow-file-errors` in .blastwall.yaml, else false].
    #[arg(long)]
    pub allow_file_errors: bool,
    /// Print each suggested fix as a unified diff under its finding; writes nothing.
    #[arg(long)]
    pub fix_suggest: bool,
    /// Apply the suggested fixes marked safe (atomically per file), then lint again.
    #[arg(long, conflicts_with = "fix_suggest")]
    pub fix: bool,
    #[command(flatten)]
    pub policies: PolicyArgs,
    #[command(flatten)]
    pub cache: CacheArgs,
}

/// A scan that names files inside a repository caches what the rest of the
/// repository contributes (docs/performance.md).
#[derive(clap::Args, Debug)]
pub struct CacheArgs {
    /// Neither read nor write the cache.
    #[arg(long, env = "BLASTWALL_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_cache: bool,
    /// Keep the cache in DIR [default: .blastwall-cache at the repository root].
    #[arg(
        long,
        value_name = "DIR",
        env = "BLASTWALL_CACHE_DIR",
        conflicts_with = "no_cache"
    )]
    pub cache_dir: Option<PathBuf>,
}

impl CacheArgs {
    pub fn dir(&self) -> crate::cache::CacheDir {
        use crate::cache::CacheDir;
        match (&self.cache_dir, self.no_cache) {
            (_, true) => CacheDir::Off,
            (Some(dir), false) => CacheDir::At(dir.clone()),
            (None, false) => CacheDir::Repository,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct BaselineArgs {
    /// Files and directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Where to write the baseline.
    #[arg(
        short,
        long,
        value_name = "FILE",
        default_value = ".blastwall-baseline.json"
    )]
    pub output: PathBuf,
    #[command(flatten)]
    pub policies: PolicyArgs,
    #[command(flatten)]
    pub cache: CacheArgs,
}

#[derive(clap::Args, Debug)]
pub struct InspectArgs {
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (inline pull request annotations).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}
