//! `blastwall inspect`: the input model of every document, as the policies see it.

use super::*;

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
    let linked = linked_files(&discovered.files);
    let callers = script_callers(&discovered.files, &linked);
    // Files read only for context (around a named file) are not printed.
    let reported: Vec<&SourceFile> = discovered.files.iter().filter(|f| f.reported).collect();
    let mut errors = Vec::new();
    let mut written = 0;
    out.write_all(b"{\n  \"documents\": [")?;
    for batch in reported.chunks(INSPECT_BATCH) {
        let results: Vec<(Vec<String>, Option<FileError>)> = batch
            .par_iter()
            .map(|file| inspect_file(file, &terraform, &linked, &callers))
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
    linked: &Linked,
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
        Err(_) if is_unrendered_template(file.format, &file.display, &text) => {
            return (Vec::new(), None)
        }
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
                build_document_in(&file.display, file.format, &text, i, node, linked).input;
            terraform.annotate(&mut input);
            callers.annotate(&mut input);
            let pretty = serde_json::to_string_pretty(&input).unwrap_or_default();
            format!("    {}", pretty.replace('\n', "\n    "))
        })
        .collect();
    (documents, None)
}
