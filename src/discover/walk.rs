//! Gitignore-aware parallel walk (the `ignore` crate, as in ripgrep).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use super::format::format_of;
use crate::cache::Stamp;
use crate::parse::Format;

/// Directories that hold generated or third-party copies, never the team's config.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".terraform",
    ".terragrunt-cache",
    "node_modules",
    "vendor",
    "third_party",
    ".venv",
    "venv",
    "__pycache__",
    "target",
    ".blastwall-cache",
];

#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as shown to users: relative to the working directory when
    /// under it, `/`-separated.
    pub display: String,
    /// The path used to read the file.
    pub path: PathBuf,
    pub format: Format,
    /// Findings are reported only for files the user asked about; the others
    /// are read for cross-file context (e.g. pre-commit passing changed files).
    pub reported: bool,
    /// Size and modification time, taken when files are named (the cache
    /// keys what the repository around them contributes on it).
    pub stamp: Option<Stamp>,
}

/// A file or directory that could not be walked.
#[derive(Clone, Debug)]
pub struct WalkError {
    pub display: String,
    pub message: String,
}

#[derive(Default)]
pub struct Discovered {
    /// Sorted by display path; each file once.
    pub files: Vec<SourceFile>,
    pub errors: Vec<WalkError>,
    /// The repository walked for context around named files (the first, if
    /// they lie in several).
    pub context_root: Option<PathBuf>,
}

/// Finds the files to scan. Directories are walked; files are taken as given.
/// When files are named explicitly, the repository around them (the nearest
/// ancestor holding `.git`) is walked too, for context only.
pub fn discover(targets: &[PathBuf], cwd: &Path) -> Discovered {
    let mut found: BTreeMap<String, SourceFile> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut context_roots: Vec<PathBuf> = Vec::new();

    for target in targets {
        let path = if target.is_absolute() {
            target.clone()
        } else {
            cwd.join(target)
        };
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk(&path, cwd, true, &mut found, &mut errors),
            Ok(meta) => {
                let Some(format) = format_of(&path) else {
                    continue;
                };
                let display = display_path(&path, cwd);
                found.insert(
                    display.clone(),
                    SourceFile {
                        display,
                        path: path.clone(),
                        format,
                        reported: true,
                        stamp: Stamp::from(&meta),
                    },
                );
                if let Some(root) = repository_root(&path) {
                    if !context_roots.contains(&root) {
                        context_roots.push(root);
                    }
                }
            }
            Err(err) => errors.push(WalkError {
                display: display_path(&path, cwd),
                message: format!("cannot read: {err}"),
            }),
        }
    }
    for root in &context_roots {
        walk(root, cwd, false, &mut found, &mut errors);
    }
    Discovered {
        files: found.into_values().collect(),
        errors,
        context_root: context_roots.into_iter().next(),
    }
}

fn walk(
    root: &Path,
    cwd: &Path,
    reported: bool,
    found: &mut BTreeMap<String, SourceFile>,
    errors: &mut Vec<WalkError>,
) {
    let collected: Mutex<(Vec<SourceFile>, Vec<WalkError>)> = Mutex::default();
    WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir())
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n)))
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        if entry.file_type().is_some_and(|t| t.is_file()) {
                            if let Some(format) = format_of(entry.path()) {
                                // Walking in parallel, the walker's threads take the stamps.
                                let stamp = match reported {
                                    true => None,
                                    false => entry.metadata().ok().and_then(|m| Stamp::from(&m)),
                                };
                                let path = entry.into_path();
                                let display = display_path(&path, cwd);
                                let file = SourceFile {
                                    display,
                                    path,
                                    format,
                                    reported,
                                    stamp,
                                };
                                collected.lock().expect("walk collector").0.push(file);
                            }
                        }
                    }
                    Err(err) => {
                        let display = match &err {
                            ignore::Error::WithPath { path, .. } => display_path(path, cwd),
                            _ => display_path(root, cwd),
                        };
                        let message = format!("cannot walk: {err}");
                        collected
                            .lock()
                            .expect("walk collector")
                            .1
                            .push(WalkError { display, message });
                    }
                }
                WalkState::Continue
            })
        });
    let (files, walk_errors) = collected.into_inner().expect("walk collector");
    for file in files {
        // A file named explicitly keeps `reported: true` when the context walk meets it again.
        found.entry(file.display.clone()).or_insert(file);
    }
    errors.extend(walk_errors);
}

fn repository_root(file: &Path) -> Option<PathBuf> {
    file.ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Relative to `cwd` when under it, else as given; always `/`-separated.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    let text = shown.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text).to_owned();
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}
