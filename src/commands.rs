//! One function per subcommand; each returns the exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::cli::{BaselineArgs, Color, Command, FailOn, Format, LintArgs, PolicyArgs};
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
        Command::Test { dirs } => crate::engine::testing::run_tests(&dirs),
    }
}

fn policy_set(args: &PolicyArgs) -> Result<PolicySet> {
    let mut set = PolicySet::builtin().map_err(policy_errors)?;
    for dir in &args.policy {
        set.add_dir(dir).map_err(policy_errors)?;
    }
    Ok(set)
}

fn policy_errors(errors: Vec<PolicyError>) -> anyhow::Error {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message))
        .collect();
    anyhow::anyhow!("invalid policy:\n{}", lines.join("\n"))
}

fn lint(args: LintArgs) -> Result<ExitCode> {
    let set = policy_set(&args.policies)?;
    let engine = Engine::new(set).map_err(policy_errors)?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let scan = || -> Result<report::Report> {
        let mut report = crate::lint::lint(&engine, &args.paths, &cwd);
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
        Format::Sarif => report::sarif::render(&report, &engine.set.rules),
        Format::Github => report::github::render(&report),
        Format::Gitlab => report::gitlab::render(&report),
    };
    write_stdout(&rendered)?;
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| {
        report
            .findings
            .iter()
            .any(|f| f.severity.rank() >= t.rank())
    });
    Ok(ExitCode::from(u8::from(failed)))
}

fn baseline(args: BaselineArgs) -> Result<ExitCode> {
    let engine = Engine::new(policy_set(&args.policies)?).map_err(policy_errors)?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let report = crate::lint::lint(&engine, &args.paths, &cwd);
    write_file(&args.output, &crate::baseline::render(&report))?;
    eprintln!(
        "blastwall: recorded {} finding(s) in {}",
        report.findings.len(),
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
    let documents = crate::lint::inspect(paths, &cwd);
    let mut out = serde_json::to_string_pretty(&documents)?;
    out.push('\n');
    write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn rules(args: &PolicyArgs) -> Result<ExitCode> {
    let set = policy_set(args)?;
    let mut rules: Vec<_> = set.rules.iter().collect();
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
    let Some(rule) = set.rule(id) else {
        bail!("unknown rule `{id}` (see `blastwall rules`)");
    };
    write_stdout(&crate::docs::rule_markdown(rule))?;
    Ok(ExitCode::SUCCESS)
}
