//! The pipeline, end to end: discover → parse → model → engine → report.

mod findings;
mod inspect;
mod scan;
#[cfg(test)]
mod tests;

use findings::*;
pub use inspect::inspect;
use scan::*;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::value::RawValue;
use serde_json::{json, Value as Json};

use crate::cache::{CacheDir, FactCache};
use crate::discover::{discover, Discovered, SourceFile};
use crate::engine::locate::locate;
use crate::engine::registry::Severity;
use crate::engine::{Engine, Profile, RawFinding};
use crate::model::callers::Callers;
use crate::model::ci::{GitlabIncludes, Linked, Templates};
use crate::model::classify::classify;
use crate::model::cloudformation::CfnParameters;
use crate::model::terraform::Scopes;
use crate::model::{build_document_in, Document};
use crate::parse::{self, node::LineIndex, node::Span, Format, Node};
use crate::report::diagnostic::line_col;
use crate::report::diagnostic::ErrorKind;
use crate::report::{FileError, Finding, Related, Report};

/// Files larger than this are reported and skipped: deploy configs are small,
/// and generated blobs would cost memory and time for nothing.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// What one file contributed.
#[derive(Default)]
struct FileOutcome {
    findings: Vec<Finding>,
    facts: Vec<Json>,
    errors: Vec<FileError>,
    /// Kept only when something points into the file.
    source: Option<(String, Arc<str>)>,
    reported: bool,
    suppressions: Vec<crate::suppress::Suppression>,
    spent: Spent,
}

impl Timings {
    /// One line per phase, for stderr.
    pub fn render(&self, files: usize) -> String {
        format!(
            "timings (ms): compile {} ({} rules and collectors)\n\
             \x20 discover {} ({files} files)\n\
             \x20 context {}\n\
             \x20 scan {} wall on {} threads: parse {} + model {} + evaluate {} thread time ({} documents; {} files' facts from the cache)\n\
             \x20 repository {} ({} facts)\n\
             \x20 report {}\n\
             \x20 total {} (+ compile)\n\
             \x20 slowest policies (thread time):{}",
            self.compile,
            self.rules,
            self.discover,
            self.context,
            self.scan,
            self.threads,
            self.parse,
            self.model,
            self.evaluate,
            self.documents,
            self.cached,
            self.repository,
            self.facts,
            self.report,
            self.total,
            self.slowest
                .iter()
                .map(|(name, ms, count)| format!("\n    {name} {ms} ms ({count} evaluations)"))
                .collect::<String>(),
        )
    }
}

/// Thread time one file spent per phase.
#[derive(Default)]
struct Spent {
    parse: Duration,
    model: Duration,
    evaluate: Duration,
    documents: usize,
    policies: Profile,
}

/// Where a scan's time went (`--timings`, `summary.timings_ms`). Parse, model
/// and evaluate run interleaved on every thread, so they are thread time
/// summed over threads; the other phases are wall time.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Timings {
    /// Loading and compiling the policies (set by the caller).
    pub compile: u128,
    pub discover: u128,
    /// Reading the Terraform files whose values resolve across a directory.
    pub context: u128,
    pub parse: u128,
    pub model: u128,
    pub evaluate: u128,
    /// Wall time of the parallel parse + model + evaluate pass.
    pub scan: u128,
    /// Repository-scoped rules over the collected facts.
    pub repository: u128,
    /// Locating, suppressing and sorting findings.
    pub report: u128,
    pub total: u128,
    #[serde(skip)]
    pub threads: usize,
    #[serde(skip)]
    pub documents: usize,
    #[serde(skip)]
    pub cached: usize,
    #[serde(skip)]
    pub facts: usize,
    #[serde(skip)]
    pub rules: usize,
    /// The policies that took longest: (rule id or collector package, ms, evaluations).
    #[serde(skip)]
    pub slowest: Vec<(String, u128, usize)>,
}

pub fn lint(engine: &Engine, targets: &[PathBuf], cwd: &Path, cache_dir: &CacheDir) -> Report {
    let started = Instant::now();
    let mut timings = Timings {
        threads: rayon::current_num_threads(),
        rules: engine.set.rules.len() + engine.set.collectors.len(),
        ..Timings::default()
    };
    let mut discovered = discover(targets, cwd);
    discovered
        .files
        .retain(|f| !engine.config.excludes(&f.path));
    timings.discover = started.elapsed().as_millis();
    let phase = Instant::now();
    let files = &discovered.files;
    let linked = linked_files(files);
    // Scripts are never context-only for facts (no collector reads `shell`), so
    // their callers need no place in the cache's context fingerprints.
    let callers = script_callers(files, &linked);
    let mut cache = open_cache(engine, &discovered, cache_dir);
    let contexts = match cache {
        Some(_) => context_fingerprints(files, &linked),
        None => vec![0; files.len()],
    };
    let plans: Vec<Plan> = files
        .iter()
        .zip(&contexts)
        .map(|(file, &context)| plan(engine, file, context, cache.as_mut()))
        .collect();
    let terraform = terraform_scopes(files, &plans);
    timings.context = phase.elapsed().as_millis();
    let phase = Instant::now();
    let progress = progress_bar(files.len());
    let outcomes: Vec<Option<FileOutcome>> = files
        .par_iter()
        .zip(plans.par_iter())
        .map_init(
            || engine.worker(),
            |worker, (file, plan)| {
                let outcome = matches!(plan, Plan::Scan).then(|| {
                    isolated(engine, worker, file, |worker| {
                        scan_file(engine, worker, file, &terraform, &linked, &callers)
                    })
                });
                progress.inc(1);
                outcome
            },
        )
        .collect();
    progress.finish_and_clear();
    timings.scan = phase.elapsed().as_millis();
    let mut spent = Spent::default();
    for outcome in outcomes.iter().flatten() {
        spent.parse += outcome.spent.parse;
        spent.model += outcome.spent.model;
        spent.evaluate += outcome.spent.evaluate;
        spent.documents += outcome.spent.documents;
        spent.policies.merge(&outcome.spent.policies);
    }
    timings.parse = spent.parse.as_millis();
    timings.model = spent.model.as_millis();
    timings.evaluate = spent.evaluate.as_millis();
    timings.documents = spent.documents;
    timings.cached = plans
        .iter()
        .filter(|p| matches!(p, Plan::Cached(_)))
        .count();

    let mut report = Report {
        files_scanned: files.len(),
        ..Report::default()
    };
    for error in &discovered.errors {
        report.errors.push(FileError {
            file: error.display.clone(),
            line: 1,
            column: 1,
            message: error.message.clone(),
            kind: ErrorKind::Read,
            span: None,
        });
    }
    let mut facts = Vec::new();
    let mut suppressions = std::collections::BTreeMap::new();
    for ((file, outcome), (plan, context)) in files
        .iter()
        .zip(outcomes)
        .zip(plans.into_iter().zip(contexts))
    {
        let Some(outcome) = outcome else {
            if let Plan::Cached(cached) = plan {
                facts.push(FileFacts::Cached(cached));
            }
            continue;
        };
        match (cache.as_mut(), file.stamp) {
            // Kept as text: what the cache stores and the repository hash reads.
            (Some(cache), Some(stamp)) => {
                let text = FileFacts::text(&outcome.facts);
                cache.record(&file.display, stamp, context, text.clone());
                facts.push(FileFacts::Cached(text));
            }
            _ => facts.push(FileFacts::Fresh(outcome.facts)),
        }
        if let (false, Some((file, _))) = (outcome.suppressions.is_empty(), &outcome.source) {
            suppressions.insert(file.clone(), outcome.suppressions);
        }
        if outcome.reported {
            report.findings.extend(outcome.findings);
            report.errors.extend(outcome.errors);
        }
        if let Some((file, text)) = outcome.source {
            report.sources.insert(file, text);
        }
    }
    let reported: std::collections::BTreeSet<&str> = files
        .iter()
        .filter(|f| f.reported)
        .map(|f| f.display.as_str())
        .collect();
    let phase = Instant::now();
    let (raw, eval_errors) = repository_rules(
        engine,
        cache.as_mut(),
        facts,
        &mut timings,
        &mut spent.policies,
    );
    timings.repository = phase.elapsed().as_millis();
    timings.slowest = (spent.policies.slowest(engine, 5).into_iter())
        .map(|(name, time, count)| (name, time.as_millis(), count))
        .collect();
    // Only findings in reported files are kept; their facts may point into
    // files this scan took from the cache and did not read.
    let raw: Vec<RawFinding> = raw
        .into_iter()
        .filter(|raw| {
            let at = raw.result.get("at").and_then(fact_location);
            at.is_some_and(|(file, _)| reported.contains(file.as_str()))
        })
        .collect();
    let pointed = raw.iter().flat_map(|raw| {
        let result = &raw.result;
        let related = result.get("related").and_then(Json::as_array);
        std::iter::once(result.get("at"))
            .chain(related.into_iter().flatten().map(|r| r.get("at")))
            .filter_map(|at| Some(fact_location(at?)?.0))
    });
    let pointed: Vec<String> = pointed.collect();
    load_sources(&mut report, pointed, files);
    let sources = report.line_indexes();
    let found: Vec<Finding> = (raw.iter())
        .filter_map(|raw| repository_finding(engine, raw, &sources))
        .collect();
    drop(sources);
    report.findings.extend(found);
    for error in eval_errors {
        report.errors.push(FileError {
            file: error.package,
            line: 1,
            column: 1,
            message: error.message,
            kind: ErrorKind::Policy,
            span: None,
        });
    }
    if let Some(cache) = cache {
        cache.save();
    }
    engine
        .config
        .settle(&mut report, &engine.set, &suppressions);
    // A related location in another file (an included GitLab template) with no findings of its own.
    let related: Vec<String> = report
        .findings
        .iter()
        .flat_map(|f| f.related.iter().map(|r| r.file.clone()))
        .collect();
    load_sources(&mut report, related, files);
    // Sources nobody points at are dropped before rendering.
    let wanted: std::collections::BTreeSet<String> = report
        .findings
        .iter()
        .flat_map(|f| {
            std::iter::once(f.file.clone()).chain(f.related.iter().map(|r| r.file.clone()))
        })
        .chain(report.errors.iter().map(|e| e.file.clone()))
        .collect();
    report.sources.retain(|file, _| wanted.contains(file));
    report.sort();
    report.duration_ms = started.elapsed().as_millis();
    timings.total = report.duration_ms;
    let accounted = timings.discover + timings.context + timings.scan + timings.repository;
    timings.report = timings.total.saturating_sub(accounted);
    report.timings = Some(timings);
    report
}

/// What a scan does with one file.
enum Plan {
    /// A context-only file no fact collector can use: not even read.
    Skip,
    /// A context-only file unchanged since the cache recorded its facts.
    Cached(Box<RawValue>),
    Scan,
}

fn plan(engine: &Engine, file: &SourceFile, context: u64, cache: Option<&mut FactCache>) -> Plan {
    if file.reported {
        return Plan::Scan;
    }
    if !may_hold_facts(engine, file) {
        return Plan::Skip;
    }
    match (cache, file.stamp) {
        (Some(cache), Some(stamp)) => cache
            .facts(&file.display, stamp, context)
            .map_or(Plan::Scan, Plan::Cached),
        _ => Plan::Scan,
    }
}

/// The cache for a scan that reads a repository for context (files named
/// inside it); whole-directory scans read everything anyway and keep none.
fn open_cache(engine: &Engine, discovered: &Discovered, dir: &CacheDir) -> Option<FactCache> {
    let root = discovered.context_root.as_ref()?;
    let dir = match dir {
        CacheDir::Repository => root.join(crate::cache::DIR_NAME),
        CacheDir::At(dir) => dir.clone(),
        CacheDir::Off => return None,
    };
    Some(FactCache::open(&dir, engine.cache_key(root)))
}

/// Files whose contents a file's model reads besides its own.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Dependency {
    /// The `.tf`/`.tfvars` files of a directory (variable and local resolution).
    TerraformDirectory(String),
    /// The files of the GitLab pipeline rooted there (`include`/`extends`).
    GitlabPipeline(String),
    /// A template or reusable workflow and the files that call it with parameters.
    CalledFile(String),
    /// The CloudFormation parameter files, which deploy any YAML or JSON template.
    CfnParameterFiles,
}

/// Per file, a fingerprint of the names and stamps of its dependencies'
/// files: any of them added, removed or changed changes it.
fn context_fingerprints(files: &[SourceFile], linked: &Linked) -> Vec<u64> {
    let dependencies: Vec<Vec<Dependency>> = files
        .iter()
        .map(|file| {
            let directory = Scopes::reads(&file.display)
                .then(|| Dependency::TerraformDirectory(directory_of(&file.display).to_owned()));
            let pipeline = linked
                .gitlab
                .pipeline_root(&file.display)
                .map(Dependency::GitlabPipeline);
            let called = (linked.templates.read_by(&file.display))
                .map(|callee| Dependency::CalledFile(callee.to_owned()));
            let deployed = (!linked.cloudformation.is_empty()
                && matches!(file.format, Format::Yaml | Format::Json))
            .then_some(Dependency::CfnParameterFiles);
            directory
                .into_iter()
                .chain(pipeline)
                .chain(called)
                .chain(deployed)
                .collect()
        })
        .collect();
    let mut members: std::collections::BTreeMap<&Dependency, Vec<Vec<u8>>> = Default::default();
    for (file, dependencies) in files.iter().zip(&dependencies) {
        for dependency in dependencies {
            // Templates depend on the parameter files, which alone make the group.
            if *dependency == Dependency::CfnParameterFiles
                && !linked.cloudformation.is_parameter_file(&file.display)
            {
                members.entry(dependency).or_default();
                continue;
            }
            let mut member = file.display.as_bytes().to_vec();
            member.extend(file.stamp.map(|s| s.to_bytes()).unwrap_or_default());
            members.entry(dependency).or_default().push(member);
        }
    }
    let sums: std::collections::BTreeMap<&Dependency, u64> = members
        .into_iter()
        .map(|(dependency, members)| (dependency, crate::cache::fingerprint(members)))
        .collect();
    dependencies
        .iter()
        .map(|ds| crate::cache::fingerprint(ds.iter().map(|d| sums[d].to_le_bytes())))
        .collect()
}

/// Reads the text of `wanted` files the report has no source for.
fn load_sources(report: &mut Report, wanted: Vec<String>, files: &[SourceFile]) {
    for display in wanted {
        if report.sources.contains_key(&display) {
            continue;
        }
        let Ok(at) = files.binary_search_by(|f| f.display.as_str().cmp(&display)) else {
            continue;
        };
        if let Ok(text) = read_text(&files[at].path) {
            report.sources.insert(display, Arc::from(text));
        }
    }
}

/// What one file contributed to the repository rules.
enum FileFacts {
    Fresh(Vec<Json>),
    /// A JSON array, as the cache keeps it.
    Cached(Box<RawValue>),
}

impl FileFacts {
    fn text(facts: &[Json]) -> Box<RawValue> {
        serde_json::value::to_raw_value(facts).expect("facts serialize")
    }

    fn into_values(self) -> Vec<Json> {
        match self {
            FileFacts::Fresh(facts) => facts,
            FileFacts::Cached(text) => serde_json::from_str(text.get()).unwrap_or_default(),
        }
    }
}

/// Repository rules over every file's facts. With a cache, the results of
/// the last scan that collected exactly the same facts are reused.
fn repository_rules(
    engine: &Engine,
    cache: Option<&mut FactCache>,
    facts: Vec<FileFacts>,
    timings: &mut Timings,
    profile: &mut Profile,
) -> (Vec<RawFinding>, Vec<crate::engine::EvalError>) {
    let values = |facts: Vec<FileFacts>| -> Vec<Json> {
        facts.into_iter().flat_map(FileFacts::into_values).collect()
    };
    let Some(cache) = cache else {
        let facts = values(facts);
        timings.facts = facts.len();
        return engine.eval_repository(facts, profile);
    };
    // A repeat run hashes the cached texts in place; only files without a
    // stamp (hence not cached) are serialized here.
    let hash = crate::cache::fingerprint(facts.iter().map(|f| match f {
        FileFacts::Fresh(facts) => Cow::Owned(FileFacts::text(facts).get().as_bytes().to_vec()),
        FileFacts::Cached(text) => Cow::Borrowed(text.get().as_bytes()),
    }));
    let index = |id: &str| engine.set.rules.iter().position(|r| r.id == id);
    if let Some((count, results)) = cache.repository(hash) {
        let raw: Option<Vec<RawFinding>> = results
            .into_iter()
            .map(|(id, result)| {
                Some(RawFinding {
                    rule: index(&id)?,
                    result,
                })
            })
            .collect();
        if let Some(raw) = raw {
            timings.facts = count;
            return (raw, Vec::new());
        }
    }
    let facts = values(facts);
    timings.facts = facts.len();
    let count = facts.len();
    let (raw, errors) = engine.eval_repository(facts, profile);
    if errors.is_empty() {
        let results = raw
            .iter()
            .map(|r| (engine.set.rules[r.rule].id.clone(), r.result.clone()))
            .collect();
        cache.record_repository(hash, count, results);
    }
    (raw, errors)
}

/// Terraform values resolve across the files of a directory, so those files
/// are read before any document is modelled (see `model::terraform`); only
/// for the directories holding a file this scan reads.
fn terraform_scopes(files: &[SourceFile], plans: &[Plan]) -> Scopes {
    let scanned: std::collections::BTreeSet<&str> = files
        .iter()
        .zip(plans)
        .filter(|(f, plan)| matches!(plan, Plan::Scan) && Scopes::reads(&f.display))
        .map(|(f, _)| directory_of(&f.display))
        .collect();
    let texts: Vec<(&str, String)> = files
        .par_iter()
        .filter(|f| Scopes::reads(&f.display) && scanned.contains(directory_of(&f.display)))
        .filter_map(|f| Some((f.display.as_str(), read_text(&f.path).ok()?)))
        .collect();
    Scopes::collect(texts.into_iter())
}

fn directory_of(display: &str) -> &str {
    display.rsplit_once('/').map_or("", |(dir, _)| dir)
}
