//! One function per subcommand; each returns the exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::cli::{BaselineArgs, Color, Command, FailOn, Format, LintArgs, PolicyArgs};
use crate::config::Loaded;
use crate::engine::registry::{PolicyError, PolicySet, Severity};
use crate::engine::Engine;
use crate::report;

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Lint(args) => lint(args),
        Command::Inspect(args) => inspect(&args.paths),
        Command::Rules(policies) => rules(&policies),
        Command::Explain { rule, policies } => explain(&rule, &policies),
        Command::Baseline(args) => baseline(args),
        Command::Config {
            show,
            path,
            policies,
        } => config(show, path, &policies),
        Command::Docs { write, out } => docs(write, &out),
        Command::Test { dirs } => test(dirs),
    }
}

/// The configuration for a scan of `targets`, and every policy it and the
/// flags name (before `select`/`ignore`).
fn configured(args: &PolicyArgs, targets: &[PathBuf]) -> Result<(PolicySet, Loaded)> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let config = Loaded::find(args.config.as_deref(), targets, &cwd)?;
    let mut set = PolicySet::builtin().map_err(policy_errors)?;
    for dir in config.policy_dirs()?.iter().chain(&args.policy) {
        set.add_dir(dir).map_err(policy_errors)?;
    }
    config.check_rules(&set)?;
    Ok((set, config))
}

fn policy_set(args: &PolicyArgs) -> Result<PolicySet> {
    Ok(configured(args, &[])?.0)
}

/// The engine for a scan of `targets`, with the configuration applied.
fn engine(args: &PolicyArgs, targets: &[PathBuf]) -> Result<Engine> {
    let (mut set, mut config) = configured(args, targets)?;
    config.select(&mut set);
    config.configure_environments();
    Engine::new(set, config, false).map_err(policy_errors)
}

fn policy_errors(errors: Vec<PolicyError>) -> anyhow::Error {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message))
        .collect();
    anyhow::anyhow!("invalid policy:\n{}", lines.join("\n"))
}

fn lint(args: LintArgs) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    // A path that does not exist is a mistake in the command, not a clean scan.
    if let Some(missing) =
        (args.paths.iter()).find(|p| std::fs::symlink_metadata(cwd.join(p)).is_err())
    {
        eprintln!("blastwall: error: `{}` does not exist", missing.display());
        return Ok(ExitCode::from(2));
    }
    let compile = std::time::Instant::now();
    let engine = engine(&args.policies, &args.paths)?;
    let compile = compile.elapsed().as_millis();
    let scan = || -> Result<report::Report> {
        let mut report = crate::lint::lint(&engine, &args.paths, &cwd, &args.cache.dir());
        if let Some(path) = &args.write_baseline {
            write_file(path, &crate::baseline::render(&report))?;
        }
        if let Some(path) = &args.baseline {
            crate::baseline::filter(&mut report, &crate::baseline::read(path)?);
        }
        if let Some(rev) = &args.diff_base {
            crate::baseline::keep_changed(&mut report, &crate::baseline::changed_lines(rev, &cwd)?);
        }
        Ok(report)
    };
    let mut report = scan()?;
    if args.fix {
        let fixed = crate::fix::apply_safe(&report, &cwd).context("cannot apply fixes")?;
        if !fixed.is_empty() {
            eprintln!("blastwall: applied safe fixes to {}", fixed.join(", "));
            report = scan()?;
        }
    }
    match (&mut report.timings, args.timings) {
        (Some(timings), true) => {
            timings.compile = compile;
            eprintln!("{}", timings.render(report.files_scanned));
        }
        _ => report.timings = None,
    }
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let rendered = match args.format {
        Format::Human if args.fix_suggest => report::human::render_with_fixes(&report, color),
        Format::Human => report::human::render(&report, color),
        Format::Json => report::json::render(&report),
        Format::Sarif => {
            let mut rules = engine.set.rules.clone();
            rules.extend(crate::suppress::meta_rules());
            report::sarif::render(&report, &rules)
        }
        Format::Github => report::github::render(&report),
        Format::Gitlab => report::gitlab::render(&report),
    };
    write_stdout(&rendered)?;
    let fail_on = args.fail_on.or(engine.config.config.fail_on);
    let threshold = match fail_on.unwrap_or(FailOn::Warning) {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| report.active().any(|f| f.severity.rank() >= t.rank()));
    let allow_file_errors = args.allow_file_errors || engine.config.config.allow_file_errors;
    let code = if report.errors.iter().any(|e| e.kind.is_scan_failure()) {
        2
    } else if failed || (!allow_file_errors && !report.errors.is_empty()) {
        1
    } else {
        0
    };
    Ok(ExitCode::from(code))
}

fn baseline(args: BaselineArgs) -> Result<ExitCode> {
    let engine = engine(&args.policies, &args.paths)?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let report = crate::lint::lint(&engine, &args.paths, &cwd, &args.cache.dir());
    write_file(&args.output, &crate::baseline::render(&report))?;
    eprintln!(
        "blastwall: recorded {} finding(s) in {}",
        report.active().count(),
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn write_file(path: &std::path::Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write output"),
    }
}

fn inspect(paths: &[std::path::PathBuf]) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    // The nearest `.blastwall.yaml` shapes `environment`, as it does for `lint`.
    Loaded::find(None, paths, &cwd)?.configure_environments();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match crate::lint::inspect(paths, &cwd, &mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write output")?,
    }
    Ok(ExitCode::SUCCESS)
}

fn rules(args: &PolicyArgs) -> Result<ExitCode> {
    let set = policy_set(args)?;
    let meta = crate::suppress::meta_rules();
    let mut rules: Vec<_> = set.rules.iter().chain(&meta).collect();
    rules.sort_by(|a, b| (&a.category, &a.id).cmp(&(&b.category, &b.id)));
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for rule in rules {
        out.push_str(&format!(
            "{:width$}  {:28}  {:7}  {}\n",
            rule.id,
            rule.category,
            rule.severity.as_str(),
            rule.title
        ));
    }
    write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn explain(id: &str, args: &PolicyArgs) -> Result<ExitCode> {
    let set = policy_set(args)?;
    let meta = crate::suppress::meta_rules();
    let Some(rule) = set.rule(id).or_else(|| meta.iter().find(|r| r.id == id)) else {
        bail!("unknown rule `{id}` (see `blastwall rules`)");
    };
    write_stdout(&crate::docs::rule_markdown(rule))?;
    Ok(ExitCode::SUCCESS)
}

/// The reference of the built-in rules only: user policies document themselves.
fn docs(write: bool, out: &std::path::Path) -> Result<ExitCode> {
    let mut set = PolicySet::builtin().map_err(policy_errors)?;
    set.rules.extend(crate::suppress::meta_rules());
    let pages = crate::docs::pages(&set.rules);
    if write {
        for name in crate::docs::write(out, &pages)
            .with_context(|| format!("cannot write {}", out.display()))?
        {
            eprintln!("blastwall: wrote {}", out.join(name).display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let stale = crate::docs::stale(out, &pages);
    for name in &stale {
        eprintln!(
            "blastwall: {} is stale (run `blastwall docs --write`)",
            out.join(name).display()
        );
    }
    Ok(ExitCode::from(u8::from(!stale.is_empty())))
}

/// Without directories, the team's own: `policies:` of the nearest `.blastwall.yaml`.
fn test(dirs: Vec<PathBuf>) -> Result<ExitCode> {
    let dirs = if dirs.is_empty() {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        Loaded::find(None, &[], &cwd)?.policy_dirs()?
    } else {
        dirs
    };
    crate::engine::testing::run_tests(&dirs)
}

fn config(show: bool, path: PathBuf, policies: &PolicyArgs) -> Result<ExitCode> {
    if !show {
        bail!("nothing to do: `blastwall config --show` prints the effective configuration");
    }
    let (_, config) = configured(policies, &[path])?;
    write_stdout(&config.show())?;
    Ok(ExitCode::SUCCESS)
}
