//! The runbooks ondeck knows: the shipped examples (embedded, so the demo always has them)
//! overlaid by the files in the configured directories, and how an incident finds its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::model::{Runbook, RunbookError};
use super::parse::parse;
use super::provenance::{GitDir, Provenance, Version, under_dirs};
use crate::model::Incident;

/// The shipped runbooks, by file name.
const EMBEDDED: [(&str, &str); 5] = [
    (
        "high-error-rate.md",
        include_str!("../../assets/runbooks/high-error-rate.md"),
    ),
    (
        "latency-burn.md",
        include_str!("../../assets/runbooks/latency-burn.md"),
    ),
    (
        "disk-full.md",
        include_str!("../../assets/runbooks/disk-full.md"),
    ),
    (
        "cert-expiry.md",
        include_str!("../../assets/runbooks/cert-expiry.md"),
    ),
    (
        "dependency-outage.md",
        include_str!("../../assets/runbooks/dependency-outage.md"),
    ),
];

/// Every loaded runbook, plus the files that failed to load (shown, never fatal).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Library {
    /// Runbooks by id; a file in a configured directory replaces a shipped one of the same id.
    pub runbooks: Vec<Runbook>,
    /// Files that could not be read or parsed.
    pub errors: Vec<RunbookError>,
}

/// How an incident's runbook was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// The incident named it (by id or path).
    Named,
    /// Its `match` rules fit the incident's labels; the number of matchers satisfied.
    Matched(usize),
}

impl Library {
    /// The shipped examples, parsed once per process.
    pub fn embedded() -> Arc<Library> {
        static EMBEDDED_LIBRARY: OnceLock<Arc<Library>> = OnceLock::new();
        EMBEDDED_LIBRARY
            .get_or_init(|| {
                let mut library = Library::default();
                for (name, text) in EMBEDDED {
                    library.add(parse(&format!("embedded:{name}"), text));
                }
                Arc::new(library)
            })
            .clone()
    }

    /// The shipped examples overlaid with every `*.md` file in `dirs` (missing dirs are fine).
    /// Those files are trusted to run, each with its version from git (asked once per dir).
    pub fn load(dirs: &[PathBuf]) -> Library {
        let mut library = Library::embedded().as_ref().clone();
        for dir in dirs {
            let files = read_dir(dir);
            let git = if files.is_empty() {
                GitDir::default()
            } else {
                GitDir::probe(dir)
            };
            for (path, result) in files {
                library.add(result.map(|mut runbook| {
                    runbook.provenance = file_provenance(&path, &runbook, &git, true);
                    runbook
                }));
            }
        }
        library
    }

    fn add(&mut self, result: Result<Runbook, RunbookError>) {
        match result {
            Ok(runbook) => {
                self.runbooks.retain(|r| r.id != runbook.id);
                self.runbooks.push(runbook);
            }
            Err(error) => self.errors.push(error),
        }
    }

    /// The runbook with this id.
    pub fn get(&self, id: &str) -> Option<&Runbook> {
        self.runbooks.iter().find(|r| r.id == id)
    }

    /// The incident's runbook: the one it names, else the one whose matchers all hold for its
    /// labels (plus `service`), the most specific (most matchers) first.
    pub fn find_for(&self, incident: &Incident) -> Option<(&Runbook, Found)> {
        if let Some(named) = incident.runbook.as_deref().and_then(|r| self.get(r)) {
            return Some((named, Found::Named));
        }
        self.best_match(&incident_labels(incident))
    }

    /// The runbook whose matchers all hold for `labels`, most matchers first, then by id.
    pub fn best_match(&self, labels: &BTreeMap<String, String>) -> Option<(&Runbook, Found)> {
        self.runbooks
            .iter()
            .filter(|r| !r.matchers.is_empty() && r.matchers.iter().all(|m| m.matches(labels)))
            .max_by(|a, b| {
                a.matchers
                    .len()
                    .cmp(&b.matchers.len())
                    .then_with(|| b.id.cmp(&a.id))
            })
            .map(|r| (r, Found::Matched(r.matchers.len())))
    }
}

/// An incident's labels with its service added, as matchers see them.
pub fn incident_labels(incident: &Incident) -> BTreeMap<String, String> {
    let mut labels = incident.labels.clone();
    labels
        .entry("service".to_string())
        .or_insert_with(|| incident.service.clone());
    labels
}

/// True when an incident's runbook reference is a local file rather than an id or a URL.
pub fn is_local_path(reference: &str) -> bool {
    !reference.starts_with("http://")
        && !reference.starts_with("https://")
        && (reference.contains('/') || reference.ends_with(".md"))
}

/// The provenance of a runbook read from `path`: its version by `git` (else its sha256, which
/// parsing already recorded).
fn file_provenance(
    path: &Path,
    runbook: &Runbook,
    git: &GitDir,
    in_runbook_dirs: bool,
) -> Provenance {
    let Provenance::File { version, .. } = &runbook.provenance else {
        return runbook.provenance.clone();
    };
    let version = git
        .commit_of(path)
        .map_or_else(|| version.clone(), Version::Git);
    Provenance::File {
        path: path.canonicalize().unwrap_or_else(|_| path.to_path_buf()),
        version,
        in_runbook_dirs,
    }
}

/// Reads a runbook file an incident names by path: trusted to run only when it lies under
/// one of `dirs` (the configured `runbook_dirs`).
pub fn load_named(path: &Path, dirs: &[PathBuf]) -> Result<Runbook, RunbookError> {
    let mut runbook = load_file(path)?;
    let git = path.parent().map(GitDir::probe).unwrap_or_default();
    runbook.provenance = file_provenance(path, &runbook, &git, under_dirs(path, dirs));
    Ok(runbook)
}

/// Reads and parses one runbook file.
pub fn load_file(path: &Path) -> Result<Runbook, RunbookError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| RunbookError {
        file: origin.clone(),
        line: 1,
        message: format!("cannot read: {e}"),
    })?;
    parse(&origin, &text)
}

/// Every `*.md` file in `dir`, sorted by name, parsed.
pub fn read_dir(dir: &Path) -> Vec<(PathBuf, Result<Runbook, RunbookError>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let result = load_file(&p);
            (p, result)
        })
        .collect()
}

/// Checks every runbook in `dir` for `ondeck runbook check`: one line per file, and whether
/// all were valid. Ids used by two files are errors too.
pub fn check_dir(dir: &Path) -> (Vec<String>, bool) {
    if !dir.is_dir() {
        return (vec![format!("{}: not a directory", dir.display())], false);
    }
    let results = read_dir(dir);
    let mut lines = Vec::new();
    let mut ok = true;
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    if results.is_empty() {
        lines.push(format!("{}: no *.md runbooks found", dir.display()));
        ok = false;
    }
    for (path, result) in results {
        match result {
            Ok(runbook) => {
                if let Some(first) = seen.get(&runbook.id) {
                    ok = false;
                    lines.push(format!(
                        "{}:1: id `{}` is already used by {}",
                        path.display(),
                        runbook.id,
                        first.display()
                    ));
                    continue;
                }
                let runnable = runbook
                    .steps
                    .iter()
                    .filter(|s| s.command().is_some())
                    .count();
                lines.push(format!(
                    "{}: ok ({}, {} steps, {} executable)",
                    path.display(),
                    runbook.id,
                    runbook.steps.len(),
                    runnable
                ));
                seen.insert(runbook.id, path);
            }
            Err(error) => {
                ok = false;
                lines.push(error.to_string());
            }
        }
    }
    (lines, ok)
}
