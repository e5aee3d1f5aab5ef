//! `blastwall test`: runs Rego unit tests (`test_*` rules), like `opa test`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Result};

use super::registry::{package_of, PolicySet};
use super::Engine;

/// A `test_*` rule: its package, name and 1-based line.
struct TestCase {
    file: String,
    package: String,
    name: String,
    line: usize,
}

pub fn run_tests(dirs: &[PathBuf]) -> Result<ExitCode> {
    let mut set = PolicySet::builtin().map_err(|e| anyhow!("{}", format_errors(&e)))?;
    for dir in dirs {
        set.add_dir(dir)
            .map_err(|e| anyhow!("{}", format_errors(&e)))?;
    }
    let cases: Vec<TestCase> = set
        .files
        .iter()
        .filter(|f| f.is_test)
        .flat_map(|f| {
            let package = package_of(&f.source).unwrap_or_default();
            test_rules(&f.source)
                .into_iter()
                .map(move |(name, line)| TestCase {
                    file: f.path.clone(),
                    package: package.clone(),
                    name,
                    line,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let engine =
        Engine::new(set, Default::default(), true).map_err(|e| anyhow!("{}", format_errors(&e)))?;
    let mut worker = engine.worker();
    // `print()` output is shown under a failing test, as `opa test` does.
    worker.set_gather_prints(true);
    let mut failed = 0;
    let mut out = String::new();
    for case in &cases {
        let outcome = worker.eval_rule(format!("data.{}.{}", case.package, case.name));
        let prints = worker.take_prints().unwrap_or_default();
        let verdict = match outcome {
            Ok(v) if v == regorus::Value::from(true) => None,
            Ok(regorus::Value::Undefined) => {
                Some("undefined (a condition did not hold)".to_owned())
            }
            Ok(v) => Some(format!("evaluated to {v}")),
            Err(e) => Some(format!("error: {e}")),
        };
        match verdict {
            None => out.push_str(&format!("PASS {}.{}\n", case.package, case.name)),
            Some(why) => {
                failed += 1;
                out.push_str(&format!(
                    "FAIL {}.{} ({}:{}): {why}\n",
                    case.package, case.name, case.file, case.line
                ));
                for line in prints {
                    out.push_str(&format!("  | {line}\n"));
                }
            }
        }
    }
    out.push_str(&format!(
        "{} passed, {} failed, {} tests\n",
        cases.len() - failed,
        failed,
        cases.len()
    ));
    print!("{out}");
    Ok(ExitCode::from(u8::from(failed > 0)))
}

fn format_errors(errors: &[super::registry::PolicyError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rule heads named `test_*` at the start of a line.
pub fn test_rules(source: &str) -> Vec<(String, usize)> {
    let mut seen = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let Some(rest) = line.strip_prefix("test_") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let name = format!("test_{name}");
        if !seen.iter().any(|(n, _)| n == &name) {
            seen.push((name, i + 1));
        }
    }
    seen
}
