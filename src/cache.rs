//! The cache of what each file contributed to cross-file rules, so a scan
//! naming a few changed files (a pre-commit hook) does not re-read the rest
//! of the repository every time.
//!
//! It lives in `.blastwall-cache/` at the repository root (git-ignored by a
//! `.gitignore` of its own, safe to delete at any moment) and is used only by
//! scans that read files for context. Per file it keeps the located facts,
//! under the file's size and modification time and a fingerprint of the
//! files its model depends on (see `lint::context_fingerprints`); it also
//! keeps the last repository-rule results under a hash of every fact. The
//! whole cache is void when blastwall, the policies or the configuration
//! change. Anything unreadable is treated as empty: the cache can make a
//! scan faster, never different.

use std::collections::BTreeMap;
use std::hash::Hasher as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value as Json;

use crate::hash::StableHasher;

/// Where a scan keeps its cache.
#[derive(Clone, Debug, Default)]
pub enum CacheDir {
    /// `.blastwall-cache/` at the root of the repository read for context.
    #[default]
    Repository,
    At(PathBuf),
    Off,
}

/// The default directory name; discovery never walks into it.
pub const DIR_NAME: &str = ".blastwall-cache";
const FILE_NAME: &str = "facts-v1.json";

/// Files modified this close to the start of a scan are not cached: a later
/// edit within the file system's timestamp granularity could keep the same
/// size and time (git's "racily clean" problem).
const SETTLE: Duration = Duration::from_secs(2);

/// A file's size and modification time, as nanoseconds since the epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    modified: u128,
}

impl Stamp {
    pub fn from(meta: &std::fs::Metadata) -> Option<Stamp> {
        let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: modified.as_nanos(),
        })
    }

    pub fn to_bytes(self) -> [u8; 24] {
        let mut bytes = [0; 24];
        bytes[..8].copy_from_slice(&self.len.to_le_bytes());
        bytes[8..].copy_from_slice(&self.modified.to_le_bytes());
        bytes
    }
}

/// A file's facts stay JSON text until a repository rule needs them: a
/// repeat run only hashes them.
#[derive(Clone, Serialize, Deserialize)]
struct FileEntry {
    stamp: Stamp,
    context: u64,
    facts: Box<RawValue>,
}

/// Repository-rule results (`rule` id, result) over `count` facts hashing to `facts`.
#[derive(Clone, Serialize, Deserialize)]
struct RepositoryEntry {
    facts: u64,
    count: usize,
    results: Vec<(String, Json)>,
}

#[derive(Default, Serialize, Deserialize)]
struct Stored {
    key: String,
    files: BTreeMap<String, FileEntry>,
    repository: Option<RepositoryEntry>,
}

pub struct FactCache {
    file: PathBuf,
    stored: Stored,
    /// What this scan saw: written back by [`FactCache::save`].
    next: Stored,
    settled_before: u128,
}

impl FactCache {
    /// Opens the cache in `dir` for a scan whose policies and configuration
    /// hash to `key`. A missing, unreadable or foreign cache starts empty.
    pub fn open(dir: &Path, key: String) -> FactCache {
        let file = dir.join(FILE_NAME);
        let stored = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|stored| stored.key == key)
            .unwrap_or_default();
        let settled_before = SystemTime::now()
            .checked_sub(SETTLE)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        FactCache {
            file,
            next: Stored {
                key,
                ..Stored::default()
            },
            stored,
            settled_before,
        }
    }

    /// The facts (a JSON array) `file` contributed when it last had this
    /// stamp and context.
    pub fn facts(&mut self, file: &str, stamp: Stamp, context: u64) -> Option<Box<RawValue>> {
        let entry = self.stored.files.get(file)?;
        if entry.stamp != stamp || entry.context != context {
            return None;
        }
        self.next.files.insert(file.to_owned(), entry.clone());
        Some(entry.facts.clone())
    }

    /// Records the facts (a JSON array) a scan of `file` produced.
    pub fn record(&mut self, file: &str, stamp: Stamp, context: u64, facts: Box<RawValue>) {
        if stamp.modified < self.settled_before {
            let entry = FileEntry {
                stamp,
                context,
                facts,
            };
            self.next.files.insert(file.to_owned(), entry);
        }
    }

    /// The repository-rule results last computed over facts hashing to
    /// `facts`, and how many facts that was.
    pub fn repository(&mut self, facts: u64) -> Option<(usize, Vec<(String, Json)>)> {
        let entry = self.stored.repository.as_ref()?;
        if entry.facts != facts {
            return None;
        }
        self.next.repository = Some(entry.clone());
        Some((entry.count, entry.results.clone()))
    }

    pub fn record_repository(&mut self, facts: u64, count: usize, results: Vec<(String, Json)>) {
        self.next.repository = Some(RepositoryEntry {
            facts,
            count,
            results,
        });
    }

    /// Writes what this scan saw, atomically, unless nothing changed. A
    /// cache that cannot be written (read-only checkout) is skipped silently.
    pub fn save(self) {
        let unchanged = self.stored.key == self.next.key
            && self.stored.files.len() == self.next.files.len()
            && self.stored.repository.as_ref().map(|r| r.facts)
                == self.next.repository.as_ref().map(|r| r.facts)
            && self.next.files.iter().all(|(file, entry)| {
                self.stored
                    .files
                    .get(file)
                    .is_some_and(|old| same(old, entry))
            });
        if unchanged {
            return;
        }
        let Some(dir) = self.file.parent() else {
            return;
        };
        let _ = write_atomically(dir, &self.file, &self.next);
    }
}

fn same(a: &FileEntry, b: &FileEntry) -> bool {
    a.stamp == b.stamp && a.context == b.context && a.facts.get() == b.facts.get()
}

fn write_atomically(dir: &Path, file: &Path, stored: &Stored) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(
            &ignore,
            "# Written by blastwall: the cache is never committed.\n*\n",
        )?;
        std::fs::write(
            dir.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# blastwall cache: safe to delete.\n",
        )?;
    }
    // A name per process: concurrent scans never write into one temporary file.
    let temporary = dir.join(format!("{FILE_NAME}.{}.tmp", std::process::id()));
    let bytes = serde_json::to_vec(stored).map_err(std::io::Error::other)?;
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, file).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

/// Hashes a value for a cache key or fingerprint.
pub fn fingerprint(parts: impl IntoIterator<Item = impl AsRef<[u8]>>) -> u64 {
    let mut hasher = StableHasher::default();
    for part in parts {
        let part = part.as_ref();
        hasher.write_u64(part.len() as u64);
        hasher.write(part);
    }
    hasher.finish()
}
