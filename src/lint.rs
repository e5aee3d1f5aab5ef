//! The pipeline, end to end: discover → parse → model → engine → report.

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
use crate::model::ci::GitlabIncludes;
use crate::model::classify::classify;
use crate::model::terraform::Scopes;
use crate::model::{build_document_in, Document};
use crate::parse::{self, node::Span, Format, Node};
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
    let gitlab = gitlab_includes(files);
    // Scripts are never context-only for facts (no collector reads `shell`), so
    // their callers need no place in the cache's context fingerprints.
    let callers = script_callers(files, &gitlab);
    let mut cache = open_cache(engine, &discovered, cache_dir);
    let contexts = match cache {
        Some(_) => context_fingerprints(files, &gitlab),
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
                        scan_file(engine, worker, file, &terraform, &gitlab, &callers)
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
    for raw in raw {
        if let Some(finding) = repository_finding(engine, &raw, &report) {
            report.findings.push(finding);
        }
    }
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
}

/// Per file, a fingerprint of the names and stamps of its dependencies'
/// files: any of them added, removed or changed changes it.
fn context_fingerprints(files: &[SourceFile], gitlab: &GitlabIncludes) -> Vec<u64> {
    let dependencies: Vec<Vec<Dependency>> = files
        .iter()
        .map(|file| {
            let directory = Scopes::reads(&file.display)
                .then(|| Dependency::TerraformDirectory(directory_of(&file.display).to_owned()));
            let pipeline = gitlab
                .pipeline_root(&file.display)
                .map(Dependency::GitlabPipeline);
            directory.into_iter().chain(pipeline).collect()
        })
        .collect();
    let mut members: std::collections::BTreeMap<&Dependency, Vec<Vec<u8>>> = Default::default();
    for (file, dependencies) in files.iter().zip(&dependencies) {
        for dependency in dependencies {
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

/// GitLab templates resolve across a pipeline's included files (see `model::ci`).
fn gitlab_includes(files: &[SourceFile]) -> GitlabIncludes {
    let by_display: std::collections::BTreeMap<&str, &Path> = files
        .iter()
        .map(|f| (f.display.as_str(), f.path.as_path()))
        .collect();
    let displays: Vec<&str> = by_display.keys().copied().collect();
    GitlabIncludes::collect(&displays, |display| {
        read_text(by_display.get(display)?).ok()
    })
}

fn is_action_file(display: &str) -> bool {
    matches!(
        display.rsplit('/').next(),
        Some("action.yml" | "action.yaml")
    )
}

/// Runs one file's scan so that a panic in it becomes that file's internal error:
/// the other files' findings are still reported, and the run exits 2. The worker
/// engine is replaced, as the panic may have left it mid-evaluation.
fn isolated(
    engine: &Engine,
    worker: &mut regorus::Engine,
    file: &SourceFile,
    scan: impl FnOnce(&mut regorus::Engine) -> FileOutcome,
) -> FileOutcome {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan(worker))) {
        Ok(outcome) => outcome,
        Err(panic) => {
            *worker = engine.worker();
            let reason = (panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            let mut outcome = FileOutcome {
                reported: file.reported,
                ..FileOutcome::default()
            };
            outcome.errors.push(FileError {
                file: file.display.clone(),
                line: 1,
                column: 1,
                message: format!(
                    "internal error while scanning this file ({reason}); please report it"
                ),
                kind: ErrorKind::Internal,
                span: None,
            });
            outcome
        }
    }
}

/// The CI jobs that run each shell script and composite action of the scan.
fn script_callers(files: &[SourceFile], gitlab: &GitlabIncludes) -> Callers {
    let by_display: std::collections::BTreeMap<&str, &Path> = files
        .iter()
        .map(|f| (f.display.as_str(), f.path.as_path()))
        .collect();
    let listed: Vec<(&str, Format)> = files
        .iter()
        .map(|f| (f.display.as_str(), f.format))
        .collect();
    let scripts: Vec<&str> = (files.iter())
        .filter(|f| f.format == Format::Shell || is_action_file(&f.display))
        .map(|f| f.display.as_str())
        .collect();
    Callers::collect(&listed, &scripts, gitlab, |display| {
        read_text(by_display.get(display)?).ok()
    })
}

fn scan_file(
    engine: &Engine,
    worker: &mut regorus::Engine,
    file: &SourceFile,
    terraform: &Scopes,
    gitlab: &GitlabIncludes,
    callers: &Callers,
) -> FileOutcome {
    let mut outcome = FileOutcome {
        reported: file.reported,
        ..FileOutcome::default()
    };
    let error = |kind: ErrorKind, message: String| FileError {
        file: file.display.clone(),
        line: 1,
        column: 1,
        message,
        kind,
        span: None,
    };
    let text = match read_text(&file.path) {
        Ok(text) => text,
        Err(message) => {
            outcome.errors.push(error(ErrorKind::Read, message));
            return outcome;
        }
    };
    let text: Arc<str> = Arc::from(text);
    if file.reported {
        outcome.suppressions = crate::suppress::scan(&text);
    }
    let clock = Instant::now();
    let parsed = parse::parse(file.format, &text);
    outcome.spent.parse = clock.elapsed();
    let nodes = match parsed {
        Ok(nodes) => nodes,
        Err(_) if is_unrendered_template(file.format, &text) => return outcome,
        Err(e) => {
            let (line, column) = line_col(&text, e.offset);
            let span = Span::new(e.offset, e.offset);
            outcome.errors.push(FileError {
                file: file.display.clone(),
                line,
                column,
                message: e.message,
                kind: ErrorKind::Parse,
                span: Some(span),
            });
            outcome.source = Some((file.display.clone(), text));
            return outcome;
        }
    };
    for (index, node) in nodes.into_iter().enumerate() {
        let clock = Instant::now();
        let mut document =
            build_document_in(&file.display, file.format, &text, index, node, gitlab);
        terraform.annotate(&mut document.input);
        callers.annotate(&mut document.input);
        outcome.spent.model += clock.elapsed();
        let clock = Instant::now();
        let (raw, facts, eval_errors) = engine.eval_document(
            worker,
            document.kind,
            &document.input,
            file.reported,
            &mut outcome.spent.policies,
        );
        outcome.spent.evaluate += clock.elapsed();
        outcome.spent.documents += 1;
        for raw in raw {
            outcome.findings.push(document_finding(
                engine,
                &raw,
                &document,
                &file.display,
                &text,
            ));
        }
        for fact in facts {
            outcome
                .facts
                .push(located_fact(fact, &document, &file.display, &text));
        }
        for e in eval_errors {
            outcome.errors.push(error(
                ErrorKind::Policy,
                format!("policy `{}` failed on this file: {}", e.package, e.message),
            ));
        }
    }
    if !outcome.findings.is_empty()
        || !outcome.facts.is_empty()
        || !outcome.errors.is_empty()
        || !outcome.suppressions.is_empty()
    {
        outcome.source = Some((file.display.clone(), text));
    }
    outcome
}

/// A context-only file counts only through its facts. Outside YAML and JSON
/// the path alone decides the kind (`classify` reads no content), so a file
/// whose kind no collector selects is not even read: this keeps a pre-commit
/// run over a few named files from parsing the whole repository.
fn may_hold_facts(engine: &Engine, file: &SourceFile) -> bool {
    match file.format {
        Format::Yaml | Format::Json => true,
        format => {
            let unread = Node::str("", Span::default());
            engine.collects(classify(&file.display, format, &unread))
        }
    }
}

/// A YAML or JSON file that does not parse because it is a Go or Jinja
/// template (a Helm chart's `templates/`, `*.gotmpl`-style helmfiles, Ansible
/// and cookiecutter trees): not config until rendered, so not an error
/// either. GitHub's `${{ … }}` expressions are not template markers.
fn is_unrendered_template(format: Format, text: &str) -> bool {
    let go_or_jinja = text.contains("{%")
        || text
            .match_indices("{{")
            .any(|(at, _)| !text[..at].ends_with('$'));
    matches!(format, Format::Yaml | Format::Json) && go_or_jinja
}

/// A bar on stderr for long scans, only on a terminal and never under CI.
fn progress_bar(files: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if files < 2000 || !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(files as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Reads a file as UTF-8 text, refusing what is not config.
/// Reads a regular file of at most `MAX_FILE_BYTES`, bounded by the bytes actually
/// read: a FIFO is never opened (it would block), a device never read to the end.
fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file (a FIFO, socket or device); skipped".into());
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "file is over the {MAX_FILE_BYTES} byte limit; skipped"
        ));
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("binary file (contains NUL bytes); skipped".into());
    }
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (invalid byte at offset {}); skipped",
            e.utf8_error().valid_up_to()
        )
    })
}

fn message_of(result: &Json) -> String {
    result
        .get("msg")
        .or_else(|| result.get("message"))
        .and_then(Json::as_str)
        .unwrap_or("policy violation")
        .to_owned()
}

fn severity_of(result: &Json, default: Severity) -> Severity {
    result
        .get("severity")
        .and_then(|s| serde_json::from_value(s.clone()).ok())
        .unwrap_or(default)
}

fn document_finding(
    engine: &Engine,
    raw: &RawFinding,
    document: &Document,
    file: &str,
    text: &str,
) -> Finding {
    let rule = &engine.set.rules[raw.rule];
    let span = locate(&document.input, &document.node, &path_of(&raw.result));
    let related = related_of(&raw.result, |item| {
        // An origin the model located in another file (`at`: file, line, column, span).
        if let Some(at) = item.get("at") {
            let (file, span) = fact_location(at)?;
            let number = |k: &str| at.get(k).and_then(Json::as_u64).unwrap_or(1) as usize;
            return Some(Related {
                file,
                line: number("line"),
                column: number("column"),
                message: message_of(item),
                span,
            });
        }
        let span = locate(&document.input, &document.node, &path_of(item));
        let (line, column) = line_col(text, span.start);
        Some(Related {
            file: file.to_owned(),
            line,
            column,
            message: message_of(item),
            span,
        })
    });
    let fix = crate::fix::resolve(&raw.result, text, |fix| {
        let path = fix.get("path")?.as_array()?;
        Some(locate(&document.input, &document.node, path))
    });
    Finding {
        fix,
        ..finding(rule, &raw.result, file, text, span, related)
    }
}

fn finding(
    rule: &crate::engine::registry::Rule,
    result: &Json,
    file: &str,
    text: &str,
    span: Span,
    related: Vec<Related>,
) -> Finding {
    let (line, column) = line_col(text, span.start);
    let (end_line, end_column) = line_col(text, span.end);
    Finding {
        rule: rule.id.clone(),
        category: rule.category.clone(),
        severity: severity_of(result, rule.severity),
        file: file.to_owned(),
        line,
        column,
        end_line,
        end_column,
        message: message_of(result),
        help: result
            .get("help")
            .and_then(Json::as_str)
            .map_or_else(|| rule.help.clone(), str::to_owned),
        related,
        span,
        label: result
            .get("label")
            .and_then(Json::as_str)
            .unwrap_or(&rule.title)
            .to_owned(),
        fix: None,
        suppressed: false,
        suppression_reason: None,
    }
}

/// Facts are located where they are collected: repository rules only see facts.
fn located_fact(mut fact: Json, document: &Document, file: &str, text: &str) -> Json {
    let span = locate(&document.input, &document.node, &path_of(&fact));
    let (line, column) = line_col(text, span.start);
    if let Json::Object(map) = &mut fact {
        map.insert("file".into(), json!(file));
        map.insert("document".into(), json!(document.index));
        map.insert("line".into(), json!(line));
        map.insert("column".into(), json!(column));
        map.insert("span".into(), json!([span.start, span.end]));
        map.entry("environment")
            .or_insert_with(|| document.input["environment"].clone());
    }
    fact
}

/// A repository finding sits at `result.at` (a fact); `related[].at` likewise.
fn repository_finding(engine: &Engine, raw: &RawFinding, report: &Report) -> Option<Finding> {
    let rule = &engine.set.rules[raw.rule];
    let at = raw.result.get("at")?;
    let (file, span) = fact_location(at)?;
    let text = report.sources.get(&file)?;
    let related = related_of(&raw.result, |item| {
        let (file, span) = fact_location(item.get("at")?)?;
        let (line, column) = line_col(report.sources.get(&file)?, span.start);
        Some(Related {
            file,
            line,
            column,
            message: message_of(item),
            span,
        })
    });
    // A repository rule's fix names a fact (`fix.at`) in the finding's file.
    let fix = crate::fix::resolve(&raw.result, text, |fix| {
        fact_location(fix.get("at")?).and_then(|(at, span)| (at == file).then_some(span))
    });
    Some(Finding {
        fix,
        ..finding(rule, &raw.result, &file, text, span, related)
    })
}

/// A result's or fact's `path` into the input (empty: the whole document).
fn path_of(value: &Json) -> Vec<Json> {
    value
        .get("path")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default()
}

/// A result's `related` entries, each placed by `place`; entries it cannot place are dropped.
fn related_of(result: &Json, place: impl Fn(&Json) -> Option<Related>) -> Vec<Related> {
    result
        .get("related")
        .and_then(Json::as_array)
        .map(|items| items.iter().filter_map(place).collect())
        .unwrap_or_default()
}

fn fact_location(fact: &Json) -> Option<(String, Span)> {
    let file = fact.get("file")?.as_str()?.to_owned();
    let span = fact.get("span")?.as_array()?;
    let start = span.first()?.as_u64()? as usize;
    let end = span.get(1)?.as_u64()? as usize;
    Some((file, Span::new(start, end)))
}

/// Files modelled per batch by [`inspect`]: enough to keep every core busy,
/// few enough that memory stays flat however large the repository.
const INSPECT_BATCH: usize = 256;

/// Writes the input model of every document under `targets` to `out`,
/// without evaluating policies: `{"documents": [...], "errors": [...]}`,
/// pretty-printed. Documents are written batch by batch as they are
/// modelled, so memory does not grow with the repository.
pub fn inspect(
    targets: &[PathBuf],
    cwd: &Path,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let discovered = discover(targets, cwd);
    let plans: Vec<Plan> = (discovered.files.iter())
        .map(|f| if f.reported { Plan::Scan } else { Plan::Skip })
        .collect();
    let terraform = terraform_scopes(&discovered.files, &plans);
    let gitlab = gitlab_includes(&discovered.files);
    let callers = script_callers(&discovered.files, &gitlab);
    // Files read only for context (around a named file) are not printed.
    let reported: Vec<&SourceFile> = discovered.files.iter().filter(|f| f.reported).collect();
    let mut errors = Vec::new();
    let mut written = 0;
    out.write_all(b"{\n  \"documents\": [")?;
    for batch in reported.chunks(INSPECT_BATCH) {
        let results: Vec<(Vec<String>, Option<FileError>)> = batch
            .par_iter()
            .map(|file| inspect_file(file, &terraform, &gitlab, &callers))
            .collect();
        for (documents, error) in results {
            for document in documents {
                out.write_all(if written == 0 { b"\n" } else { b",\n" })?;
                out.write_all(document.as_bytes())?;
                written += 1;
            }
            errors.extend(error);
        }
    }
    out.write_all(if written == 0 { b"]" } else { b"\n  ]" })?;
    // Nested one level down: every line after the first moves two spaces in.
    // Through a `Value`, as every object printed: keys sorted.
    let errors = serde_json::to_value(&errors)
        .and_then(|errors| serde_json::to_string_pretty(&errors))
        .map_err(std::io::Error::other)?;
    writeln!(out, ",\n  \"errors\": {}\n}}", errors.replace('\n', "\n  "))
}

/// One file's documents as pretty JSON indented to sit in `documents`, or
/// the error that stopped it. JSON strings hold no raw newlines, so
/// indenting line by line is exact.
fn inspect_file(
    file: &SourceFile,
    terraform: &Scopes,
    gitlab: &GitlabIncludes,
    callers: &Callers,
) -> (Vec<String>, Option<FileError>) {
    let error = |line, column, kind, message| FileError {
        file: file.display.clone(),
        line,
        column,
        message,
        kind,
        span: None,
    };
    let text = match read_text(&file.path) {
        Ok(text) => text,
        Err(message) => return (Vec::new(), Some(error(1, 1, ErrorKind::Read, message))),
    };
    let nodes = match parse::parse(file.format, &text) {
        Ok(nodes) => nodes,
        Err(_) if is_unrendered_template(file.format, &text) => return (Vec::new(), None),
        Err(e) => {
            let (line, column) = line_col(&text, e.offset);
            return (
                Vec::new(),
                Some(error(line, column, ErrorKind::Parse, e.message)),
            );
        }
    };
    let documents = nodes
        .into_iter()
        .enumerate()
        .map(|(i, node)| {
            let mut input =
                build_document_in(&file.display, file.format, &text, i, node, gitlab).input;
            terraform.annotate(&mut input);
            callers.annotate(&mut input);
            let pretty = serde_json::to_string_pretty(&input).unwrap_or_default();
            format!("    {}", pretty.replace('\n', "\n    "))
        })
        .collect();
    (documents, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::format_of;
    use crate::engine::registry::PolicySet;

    #[test]
    fn a_panic_in_one_file_is_that_files_internal_error() {
        let engine = Engine::new(PolicySet::default(), Default::default(), false).unwrap();
        let mut worker = engine.worker();
        let file = SourceFile {
            display: "ci/deploy.sh".into(),
            path: "ci/deploy.sh".into(),
            format: Format::Shell,
            reported: true,
            stamp: None,
        };
        let outcome = isolated(&engine, &mut worker, &file, |_| panic!("boom at byte 7"));
        let error = &outcome.errors[0];
        assert_eq!(
            (error.file.as_str(), error.kind),
            ("ci/deploy.sh", ErrorKind::Internal)
        );
        assert!(
            error.message.contains("boom at byte 7"),
            "{}",
            error.message
        );
        let fine = isolated(&engine, &mut worker, &file, |_| FileOutcome::default());
        assert!(fine.errors.is_empty());
    }

    /// `may_hold_facts` skips unread context files on the promise that the
    /// path alone decides the kind outside YAML and JSON.
    #[test]
    fn kinds_outside_yaml_and_json_come_from_the_path_alone() {
        let samples = [
            (
                "envs/prod/main.tf",
                "provider \"aws\" {\n  region = \"x\"\n}\n",
            ),
            ("live/prod/terragrunt.hcl", "inputs = {\n  a = 1\n}\n"),
            ("envs/prod/prod.tfvars", "account_id = \"111111111111\"\n"),
            ("scripts/deploy.sh", "kubectl delete pods --all\n"),
            (".env.test", "DATABASE_URL=postgres://db\n"),
            ("config/app.env", "A=1\n"),
            ("setup.cfg", "[tool:pytest]\naddopts = -q\n"),
            ("config/app.ini", "[db]\nhost = x\n"),
            (
                "pyproject.toml",
                "[tool.pytest.ini_options]\naddopts = \"-q\"\n",
            ),
            (
                "samconfig.toml",
                "[default.deploy.parameters]\nstack_name = \"x\"\n",
            ),
        ];
        for (path, text) in samples {
            let format = format_of(Path::new(path)).expect(path);
            assert!(!matches!(format, Format::Yaml | Format::Json), "{path}");
            let nodes = parse::parse(format, text).expect(path);
            let unread = Node::str("", Span::default());
            assert_eq!(
                classify(path, format, &nodes[0]),
                classify(path, format, &unread),
                "{path}"
            );
        }
    }
}
