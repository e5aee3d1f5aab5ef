//! Reading one file through parse, model and evaluation, isolated from the others,
//! and the repository-wide context computed before any file is scanned.

use super::*;

/// What CI files take from the repository's other files (see `model::ci`): GitLab
/// templates across a pipeline's included files, and what called templates and reusable
/// workflows do with their parameters.
pub(super) fn linked_files(files: &[SourceFile]) -> Linked {
    let by_display: std::collections::BTreeMap<&str, &Path> = files
        .iter()
        .map(|f| (f.display.as_str(), f.path.as_path()))
        .collect();
    let read = |display: &str| read_text(by_display.get(display)?).ok();
    let displays: Vec<&str> = by_display.keys().copied().collect();
    let listed: Vec<(&str, Format)> = files
        .iter()
        .map(|f| (f.display.as_str(), f.format))
        .collect();
    Linked {
        gitlab: GitlabIncludes::collect(&displays, read),
        templates: Templates::collect(&listed, read),
        cloudformation: CfnParameters::collect(&listed, read),
    }
}

pub(super) fn is_action_file(display: &str) -> bool {
    matches!(
        display.rsplit('/').next(),
        Some("action.yml" | "action.yaml")
    )
}

/// Runs one file's scan so that a panic in it becomes that file's internal error:
/// the other files' findings are still reported, and the run exits 2. The worker
/// engine is replaced, as the panic may have left it mid-evaluation.
pub(super) fn isolated(
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

/// The CI jobs that run each shell script, Makefile and composite action of the scan.
pub(super) fn script_callers(files: &[SourceFile], linked: &Linked) -> Callers {
    let by_display: std::collections::BTreeMap<&str, &Path> = files
        .iter()
        .map(|f| (f.display.as_str(), f.path.as_path()))
        .collect();
    let listed: Vec<(&str, Format)> = files
        .iter()
        .map(|f| (f.display.as_str(), f.format))
        .collect();
    let scripts: Vec<&str> = (files.iter())
        .filter(|f| matches!(f.format, Format::Shell | Format::Make) || is_action_file(&f.display))
        .map(|f| f.display.as_str())
        .collect();
    Callers::collect(&listed, &scripts, linked, |display| {
        read_text(by_display.get(display)?).ok()
    })
}

pub(super) fn scan_file(
    engine: &Engine,
    worker: &mut regorus::Engine,
    file: &SourceFile,
    terraform: &Scopes,
    linked: &Linked,
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
        Err(_) if is_unrendered_template(file.format, &file.display, &text) => return outcome,
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
    let lines = LineIndex::new(&text);
    for (index, node) in nodes.into_iter().enumerate() {
        let clock = Instant::now();
        let mut document =
            build_document_in(&file.display, file.format, &text, index, node, linked);
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
                &lines,
            ));
        }
        for fact in facts {
            outcome
                .facts
                .push(located_fact(fact, &document, &file.display, &lines));
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
pub(super) fn may_hold_facts(engine: &Engine, file: &SourceFile) -> bool {
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
/// either. GitHub's `${{ … }}` expressions are not template markers, and a CI
/// system's own file (`.circleci/config.yml` with `{{ checksum … }}` cache keys)
/// is read as it is, so its parse error is one, unless its path is itself templated.
pub(super) fn is_unrendered_template(format: Format, path: &str, text: &str) -> bool {
    // Jinja/Go `{{ }}` and `{% %}`, and Terraform `templatefile()` directives (`%{ for … }`).
    let markers = |s: &str| {
        s.contains("{%")
            || s.contains("%{")
            || s.match_indices("{{").any(|(at, _)| !s[..at].ends_with('$'))
    };
    let unread = Node::str("", Span::default());
    let read_as_is = crate::kinds::is_ci(classify(path, format, &unread)) && !markers(path);
    matches!(format, Format::Yaml | Format::Json) && markers(text) && !read_as_is
}

/// Text saved as UTF-16 with a byte-order mark (Windows editors do): decoded, as
/// YAML and JSON readers must accept it.
fn utf16_text(bytes: &[u8]) -> Option<Result<String, String>> {
    let (units, little_endian) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, true),
        [0xFE, 0xFF, rest @ ..] => (rest, false),
        _ => return None,
    };
    let units: Vec<u16> = (units.chunks(2))
        .map(|pair| {
            let pair = [pair[0], pair.get(1).copied().unwrap_or(0)];
            if little_endian {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        })
        .collect();
    Some(String::from_utf16(&units).map_err(|_| "not valid UTF-16; skipped".to_owned()))
}

/// A bar on stderr for long scans, only on a terminal and never under CI.
pub(super) fn progress_bar(files: usize) -> indicatif::ProgressBar {
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
pub(super) fn read_text(path: &Path) -> Result<String, String> {
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
    if let Some(text) = utf16_text(&bytes) {
        return text;
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
