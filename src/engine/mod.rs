//! Stage 4 of the pipeline: Rego evaluation with regorus.

pub mod input;
pub mod locate;
pub mod registry;
pub mod testing;

use serde_json::Value as Json;

use crate::model;

use registry::{Dispatch, PolicyError, PolicySet, Scope};

/// The compiled policy set. Clone [`Engine::worker`] once per thread: clones
/// share the compiled policies.
pub struct Engine {
    base: regorus::Engine,
    pub set: PolicySet,
    /// The `.blastwall.yaml` in force (see [`Engine::configure`]).
    pub config: crate::config::Loaded,
    /// Per document kind, the document rules and collectors whose `kinds`
    /// name it: dispatch tests only these against each document.
    candidates: std::collections::HashMap<String, Candidates>,
}

/// Indices into `set.rules` (document scope) and `set.collectors`.
#[derive(Default)]
struct Candidates {
    rules: Vec<usize>,
    collectors: Vec<usize>,
}

/// A raw result of one rule on one input, before location.
#[derive(Debug)]
pub struct RawFinding {
    /// Index into `set.rules`.
    pub rule: usize,
    pub result: Json,
}

/// Evaluation time per policy, summed over threads: slot `i` is rule `i`,
/// slot `rules.len() + j` collector `j` (`--timings` names the slowest).
#[derive(Clone, Debug, Default)]
pub struct Profile(Vec<(std::time::Duration, usize)>);

impl Profile {
    fn add(&mut self, slot: usize, spent: std::time::Duration) {
        if self.0.len() <= slot {
            self.0.resize(slot + 1, Default::default());
        }
        self.0[slot].0 += spent;
        self.0[slot].1 += 1;
    }

    pub fn merge(&mut self, other: &Profile) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), Default::default());
        }
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
    }

    /// The `n` slowest policies: (rule id or collector package, time, evaluations).
    pub fn slowest(&self, engine: &Engine, n: usize) -> Vec<(String, std::time::Duration, usize)> {
        let rules = &engine.set.rules;
        let mut all: Vec<(String, std::time::Duration, usize)> = (self.0.iter().enumerate())
            .filter(|(_, &(_, count))| count > 0)
            .filter_map(|(slot, &(spent, count))| {
                let name = match rules.get(slot) {
                    Some(rule) => rule.id.clone(),
                    None => engine
                        .set
                        .collectors
                        .get(slot - rules.len())?
                        .package
                        .clone(),
                };
                Some((name, spent, count))
            })
            .collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }
}

/// A policy that failed at evaluation time (a bug in the policy, not the scan).
#[derive(Debug, Clone)]
pub struct EvalError {
    pub package: String,
    pub message: String,
}

/// The longest one policy may evaluate on one document (the slowest built-in one
/// takes milliseconds on ordinary files, about a second on 4,000 deletes in one script).
const POLICY_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Engine {
    /// Compiles the rules and libraries of `set` under `config` (policies
    /// read it as `data.blastwall.config`); its unit-test files only
    /// `with_tests` (`blastwall test`), since a scan never evaluates them.
    pub fn new(
        set: PolicySet,
        config: crate::config::Loaded,
        with_tests: bool,
    ) -> Result<Engine, Vec<PolicyError>> {
        let mut base = regorus::Engine::new();
        let mut errors = Vec::new();
        for file in set.files.iter().filter(|f| with_tests || !f.is_test) {
            if let Err(e) = base.add_policy(file.path.clone(), file.source.clone()) {
                errors.push(policy_error(&file.path, &e.to_string()));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let config_error =
            |e: anyhow::Error| vec![policy_error("data.blastwall.config", &e.to_string())];
        base.add_data(regorus::Value::from(config.rego_data()))
            .map_err(config_error)?;
        // regorus analyses the policies on first evaluation. Doing it here,
        // once, lets every worker clone share the analysed policies instead
        // of repeating the analysis per thread.
        base.eval_query("true".to_owned(), false)
            .map_err(config_error)?;
        // A policy that runs away (a comprehension over a product of ranges, a user
        // policy's mistake) is stopped and reported as that policy's error on the file.
        base.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: POLICY_TIME_LIMIT,
            check_interval: std::num::NonZeroU32::MIN.saturating_add(999),
        });
        let mut set = set;
        for i in 0..set.rules.len() {
            let rule = &set.rules[i];
            let file = set.files.iter().find(|f| f.path == rule.file);
            let Some(file) = file.filter(|_| rule.scope == Scope::Document) else {
                continue;
            };
            let at = |(line, message)| {
                vec![PolicyError {
                    file: rule.file.clone(),
                    line,
                    column: 1,
                    message,
                }]
            };
            let source = &file.source;
            let programs =
                dispatch_set(&mut base, &rule.package, source, "programs").map_err(at)?;
            let reads = reads_of(&mut base, &rule.package, source).map_err(at)?;
            set.rules[i].programs = programs;
            set.rules[i].reads = reads;
        }
        for i in 0..set.collectors.len() {
            let collector = &set.collectors[i];
            let Some(file) = set.files.iter().find(|f| f.path == collector.file) else {
                continue;
            };
            let reads = reads_of(&mut base, &collector.package, &file.source).map_err(
                |(line, message)| {
                    vec![PolicyError {
                        file: collector.file.clone(),
                        line,
                        column: 1,
                        message,
                    }]
                },
            )?;
            set.collectors[i].reads = reads;
        }
        let candidates = candidates_by_kind(&set);
        Ok(Engine {
            base,
            set,
            config,
            candidates,
        })
    }

    /// What a cached result depends on besides the files scanned: this
    /// build of blastwall, the policies and rules in force, and the
    /// configuration (which also steers environment inference in Rust).
    pub fn cache_key(&self, root: &std::path::Path) -> String {
        let policies = crate::cache::fingerprint(
            self.set
                .files
                .iter()
                .filter(|f| !f.is_test)
                .flat_map(|f| [f.path.as_bytes(), f.source.as_bytes()])
                .chain(self.set.rules.iter().map(|r| r.id.as_bytes())),
        );
        let config = serde_json::to_string(&self.config.config).unwrap_or_default();
        let config =
            crate::cache::fingerprint([config.as_bytes(), root.as_os_str().as_encoded_bytes()]);
        let build = concat!(
            env!("CARGO_PKG_VERSION"),
            "+",
            env!("BLASTWALL_SOURCE_HASH")
        );
        format!("{build} {policies:016x} {config:016x}")
    }

    pub fn worker(&self) -> regorus::Engine {
        self.base.clone()
    }

    /// Whether some fact collector selects documents of `kind`.
    pub fn collects(&self, kind: &str) -> bool {
        self.set.collectors.iter().any(|c| c.may_select(kind))
    }

    /// Runs every fact collector selecting `kind` and, `with_rules`, every
    /// document-scoped rule selecting it. Context-only files (read for
    /// cross-file facts, never reported) pass `false`: their findings would be
    /// dropped anyway. The input is converted only when something selects the kind.
    pub fn eval_document(
        &self,
        worker: &mut regorus::Engine,
        kind: &str,
        input: &Json,
        with_rules: bool,
        profile: &mut Profile,
    ) -> (Vec<RawFinding>, Vec<Json>, Vec<EvalError>) {
        let mut findings = Vec::new();
        let mut facts = Vec::new();
        let mut errors = Vec::new();
        let document = Dispatch::of(kind, input);
        let candidates = (self.candidates.get(kind)).unwrap_or_else(|| &self.candidates[ANY_KIND]);
        let rules: Vec<usize> = (candidates.rules.iter().copied())
            .filter(|&i| with_rules && self.set.rules[i].selects(&document))
            .collect();
        let collectors: Vec<usize> = (candidates.collectors.iter().copied())
            .filter(|&j| self.set.collectors[j].selects(&document))
            .collect();
        if rules.is_empty() && collectors.is_empty() {
            return (findings, facts, errors);
        }
        worker.set_input(input::rego_value(input));
        self.eval_rules(worker, rules, &mut findings, &mut errors, profile);
        for j in collectors {
            let package = self.set.collectors[j].package.as_str();
            let clock = std::time::Instant::now();
            let outcome = eval_set(worker, package, "facts");
            profile.add(self.set.rules.len() + j, clock.elapsed());
            match outcome {
                Ok(results) => facts.extend(results),
                Err(message) => errors.push(EvalError {
                    package: package.to_owned(),
                    message,
                }),
            }
        }
        (findings, facts, errors)
    }

    /// Runs the repository-scoped rules once over every collected fact.
    pub fn eval_repository(
        &self,
        facts: Vec<Json>,
        profile: &mut Profile,
    ) -> (Vec<RawFinding>, Vec<EvalError>) {
        use rayon::prelude::*;
        let repo_rules: Vec<usize> = (0..self.set.rules.len())
            .filter(|&i| self.set.rules[i].scope == Scope::Repository)
            .collect();
        if repo_rules.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let input = input::rego_value(&serde_json::json!({ "facts": facts }));
        // The rules are independent and a few dominate: one per task, so they
        // spread over the threads (workers share the input, not copies of it).
        let outcomes: Vec<(Vec<RawFinding>, Vec<EvalError>, Profile)> = repo_rules
            .par_iter()
            .map_init(
                || self.worker(),
                |worker, &rule| {
                    worker.set_input(input.clone());
                    let mut findings = Vec::new();
                    let mut errors = Vec::new();
                    let mut spent = Profile::default();
                    self.eval_rules(worker, vec![rule], &mut findings, &mut errors, &mut spent);
                    (findings, errors, spent)
                },
            )
            .collect();
        let mut findings = Vec::new();
        let mut errors = Vec::new();
        for (f, e, spent) in outcomes {
            findings.extend(f);
            errors.extend(e);
            profile.merge(&spent);
        }
        (findings, errors)
    }

    /// Evaluates the `deny` set of each rule (indices into `set.rules`) on the worker's input.
    fn eval_rules(
        &self,
        worker: &mut regorus::Engine,
        rules: Vec<usize>,
        findings: &mut Vec<RawFinding>,
        errors: &mut Vec<EvalError>,
        profile: &mut Profile,
    ) {
        for i in rules {
            let package = &self.set.rules[i].package;
            let clock = std::time::Instant::now();
            let outcome = eval_set(worker, package, "deny");
            profile.add(i, clock.elapsed());
            match outcome {
                Ok(results) => findings.extend(
                    results
                        .into_iter()
                        .map(|result| RawFinding { rule: i, result }),
                ),
                Err(message) => errors.push(EvalError {
                    package: package.clone(),
                    message,
                }),
            }
        }
    }
}

/// The key of the candidates for kinds no policy names (only `*` ones apply).
const ANY_KIND: &str = "*";

fn candidates_by_kind(set: &PolicySet) -> std::collections::HashMap<String, Candidates> {
    let listed = |kinds: &[String]| -> Vec<String> {
        let kinds = kinds.iter().map(|k| registry::listed_kind(k).0.to_owned());
        kinds.collect()
    };
    let document_rules = (0..set.rules.len()).filter(|&i| set.rules[i].scope == Scope::Document);
    let mut kinds: Vec<String> = (document_rules
        .clone()
        .flat_map(|i| listed(&set.rules[i].kinds)))
    .chain(set.collectors.iter().flat_map(|c| listed(&c.kinds)))
    .chain([ANY_KIND.to_owned()])
    .collect();
    kinds.sort();
    kinds.dedup();
    kinds
        .into_iter()
        .map(|kind| {
            let candidates = Candidates {
                rules: (document_rules.clone())
                    .filter(|&i| registry::names_kind(&set.rules[i].kinds, &kind))
                    .collect(),
                collectors: (0..set.collectors.len())
                    .filter(|&j| registry::names_kind(&set.collectors[j].kinds, &kind))
                    .collect(),
            };
            (kind, candidates)
        })
        .collect()
}

/// A document rule's dispatch set (`programs`, `reads`): a constant, non-empty
/// set of names, or empty when the rule does not define it. Errors carry the
/// line of the definition.
/// A policy's `reads` set, each a field of the input model.
fn reads_of(
    base: &mut regorus::Engine,
    package: &str,
    source: &str,
) -> Result<Vec<String>, (usize, String)> {
    let reads = dispatch_set(base, package, source, "reads")?;
    match (reads.iter()).find(|f| !model::INPUT_FIELDS.contains(&f.as_str())) {
        Some(field) => Err((
            defined_at(source, "reads").unwrap_or(1),
            format!(
                "`reads` names `{field}`, which is not a field of the input model (one of {})",
                model::INPUT_FIELDS.join(", ")
            ),
        )),
        None => Ok(reads),
    }
}

fn dispatch_set(
    base: &mut regorus::Engine,
    package: &str,
    source: &str,
    name: &str,
) -> Result<Vec<String>, (usize, String)> {
    let Some(line) = defined_at(source, name) else {
        return Ok(Vec::new());
    };
    let invalid = || {
        let message =
            format!("`{name}` must be a non-empty set of names that does not depend on the input");
        (line, message)
    };
    let value = (base.eval_rule(format!("data.{package}.{name}")))
        .map_err(|e| (line, policy_error(package, &e.to_string()).message))?;
    let regorus::Value::Set(items) = value else {
        return Err(invalid());
    };
    let names: Option<Vec<String>> = (items.iter())
        .map(|item| item.as_string().ok().map(|name| name.to_string()))
        .collect();
    names.filter(|names| !names.is_empty()).ok_or_else(invalid)
}

/// The line where a policy defines rule `name` (rules sit at column 0).
fn defined_at(source: &str, name: &str) -> Option<usize> {
    let line = source.lines().position(|l| {
        l.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with(":="))
    })?;
    Some(line + 1)
}

/// Evaluates a partial-set rule; an undefined rule is an empty set.
fn eval_set(worker: &mut regorus::Engine, package: &str, rule: &str) -> Result<Vec<Json>, String> {
    let value = worker
        .eval_rule(format!("data.{package}.{rule}"))
        .map_err(|e| {
            let error = policy_error(package, &e.to_string());
            format!(
                "{} (at {}:{}:{})",
                error.message, error.file, error.line, error.column
            )
        })?;
    if value == regorus::Value::Undefined {
        return Ok(Vec::new());
    }
    let json = serde_json::to_value(&value).map_err(|e| e.to_string())?;
    Ok(match json {
        Json::Array(items) => items,
        Json::Null => Vec::new(),
        other => vec![other],
    })
}

/// regorus reports `--> file:line:col` inside its message text.
pub fn policy_error(file: &str, message: &str) -> PolicyError {
    let mut file = file.to_owned();
    let mut line = 1;
    let mut column = 1;
    if let Some(pos) = message.find("-->") {
        let location = message[pos + 3..].lines().next().unwrap_or("").trim();
        if let Some((path, _)) = location.split_once(':') {
            file = path.to_owned();
        }
        let mut parts = location.rsplitn(3, ':');
        if let (Some(c), Some(l)) = (parts.next(), parts.next()) {
            column = c.trim().parse().unwrap_or(1);
            line = l.trim().parse().unwrap_or(1);
        }
    }
    let summary = message
        .lines()
        .find(|l| l.contains("error:"))
        .map(|l| l.trim().to_owned())
        .unwrap_or_else(|| message.lines().next().unwrap_or(message).to_owned());
    PolicyError {
        file,
        line,
        column,
        message: summary,
    }
}
