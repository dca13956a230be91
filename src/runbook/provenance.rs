//! Where a runbook came from, which version of it, and whether its steps may run.
//!
//! Runbooks are versioned: the confirm dialog and the audit line say which version ran — a
//! file and its git commit (when the file is committed and unchanged, that commit holds
//! exactly what ran), else the file's sha256; a URL and the sha256 of the body fetched.
//!
//! Trust is explicit. Anyone who can post an alert chooses its `runbook_url` and `runbook`
//! labels, so a runbook reached that way is shown but never run, unless it comes from a
//! place the config vouches for: the shipped runbooks, files under `runbook_dirs`, and https
//! URLs under one of `runbook_trusted_urls`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

/// A file's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    /// Committed and unchanged: the commit at which the repository holds exactly this file.
    Git(String),
    /// Not in git, or changed since its last commit: its content's sha256.
    Sha256(String),
}

/// Where a runbook came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// Shipped inside ondeck.
    Embedded {
        /// File name.
        name: String,
    },
    /// A file on this machine.
    File {
        /// The file.
        path: PathBuf,
        /// Which version.
        version: Version,
        /// Whether it lies under one of the configured `runbook_dirs`.
        in_runbook_dirs: bool,
    },
    /// Fetched from a URL an alert links.
    Fetched {
        /// The URL the body came from (after redirects).
        url: String,
        /// The body's sha256.
        sha256: String,
    },
}

impl Provenance {
    /// One line for the confirm dialog and the audit log.
    pub fn describe(&self) -> String {
        match self {
            Provenance::Embedded { name } => {
                format!(
                    "shipped runbook {name} (ondeck {})",
                    env!("CARGO_PKG_VERSION")
                )
            }
            Provenance::File { path, version, .. } => match version {
                Version::Git(commit) => format!("{} at git commit {commit}", path.display()),
                Version::Sha256(sha) => format!("{} sha256 {sha}", path.display()),
            },
            Provenance::Fetched { url, sha256 } => format!("{url} sha256 {sha256}"),
        }
    }

    /// Whether the runbook's steps may run; if not, why, in words for the view.
    pub fn may_run(&self, trusted_urls: &[String]) -> Result<(), String> {
        match self {
            Provenance::Embedded { .. } => Ok(()),
            Provenance::File {
                in_runbook_dirs: true,
                ..
            } => Ok(()),
            Provenance::File { path, .. } => Err(format!(
                "view-only: {} is not under runbook_dirs, and only runbooks from there run",
                path.display()
            )),
            Provenance::Fetched { url, .. } if url_trusted(url, trusted_urls) => Ok(()),
            Provenance::Fetched { url, .. } => Err(format!(
                "view-only: {url} is not under runbook_trusted_urls (https only), so its \
                 steps do not run"
            )),
        }
    }
}

/// Whether `url` is https and under one of the trusted prefixes (each ending in `/`, so
/// `https://runbooks.example/` does not vouch for `https://runbooks.example.evil/`). The
/// URL is compared in its normalised form, so `..` cannot climb out of a trusted path.
pub fn url_trusted(url: &str, trusted: &[String]) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    parsed.scheme() == "https"
        && trusted
            .iter()
            .any(|prefix| parsed.as_str().starts_with(&trusted_prefix(prefix)))
}

/// A `runbook_trusted_urls` entry as a prefix: normalised, ending in `/`.
pub fn trusted_prefix(entry: &str) -> String {
    let normal = reqwest::Url::parse(entry).map_or_else(|_| entry.to_string(), String::from);
    if normal.ends_with('/') {
        normal
    } else {
        format!("{normal}/")
    }
}

/// The hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What git says about the files of one directory: asked once per directory, not per file.
#[derive(Debug, Default)]
pub struct GitDir {
    /// The repository's top level, canonical.
    top: Option<PathBuf>,
    /// `HEAD`.
    head: Option<String>,
    /// Tracked files, relative to the top level.
    tracked: BTreeSet<PathBuf>,
    /// Files that differ from `HEAD` (changed, staged or untracked), relative to the top.
    changed: BTreeSet<PathBuf>,
}

fn git(dir: &Path, args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

fn nul_paths(bytes: &[u8], porcelain: bool) -> BTreeSet<PathBuf> {
    bytes
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            // Porcelain v1 entries are `XY path`; renames add the old path as its own entry.
            let p = if porcelain {
                p.get(3..).filter(|_| p.get(2) == Some(&b' '))?
            } else {
                p
            };
            Some(PathBuf::from(String::from_utf8_lossy(p).into_owned()))
        })
        .collect()
}

impl GitDir {
    /// Asks git about `dir` (three commands); empty when git or a repository is missing.
    pub fn probe(dir: &Path) -> Self {
        let Some(top) = git(dir, &["rev-parse", "--show-toplevel"]) else {
            return Self::default();
        };
        let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
        let Ok(top) = top.canonicalize() else {
            return Self::default();
        };
        let head = git(&top, &["rev-parse", "HEAD"])
            .map(|h| String::from_utf8_lossy(&h).trim().to_string())
            .filter(|h| !h.is_empty());
        let tracked =
            git(&top, &["ls-files", "-z"]).map_or_else(BTreeSet::new, |b| nul_paths(&b, false));
        let changed = git(
            &top,
            &["status", "--porcelain=v1", "-z", "--untracked-files=all"],
        )
        .map_or_else(BTreeSet::new, |b| nul_paths(&b, true));
        Self {
            top: Some(top),
            head,
            tracked,
            changed,
        }
    }

    /// The commit that holds `file` exactly as it is on disk: `HEAD`, when the file is
    /// tracked and unchanged; `None` otherwise.
    pub fn commit_of(&self, file: &Path) -> Option<String> {
        let top = self.top.as_ref()?;
        let head = self.head.as_ref()?;
        let relative = file
            .canonicalize()
            .ok()?
            .strip_prefix(top)
            .ok()?
            .to_path_buf();
        (self.tracked.contains(&relative) && !self.changed.contains(&relative))
            .then(|| head.clone())
    }
}

/// Whether `file` lies under one of `dirs` (both canonical: symlinks and `..` resolved).
pub fn under_dirs(file: &Path, dirs: &[PathBuf]) -> bool {
    let Ok(file) = file.canonicalize() else {
        return false;
    };
    dirs.iter()
        .filter_map(|d| d.canonicalize().ok())
        .any(|dir| file.starts_with(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_urls_under_a_trusted_prefix_may_run() {
        let trusted = vec!["https://runbooks.example.com".to_string()];
        let ok = |url: &str| url_trusted(url, &trusted);
        assert!(ok("https://runbooks.example.com/disk.md"));
        assert!(!ok("http://runbooks.example.com/disk.md"), "plain http");
        assert!(!ok("https://runbooks.example.com.evil.net/disk.md"));
        assert!(!ok("https://evil.net/https://runbooks.example.com/x.md"));
        let scoped = vec!["https://git.example.com/team/runbooks/".to_string()];
        assert!(url_trusted(
            "https://git.example.com/team/runbooks/a.md",
            &scoped
        ));
        assert!(!url_trusted(
            "https://git.example.com/team/runbooks/../../evil/a.md",
            &scoped
        ));
        assert!(!url_trusted(
            "https://git.example.com/team/runbooks-evil/a.md",
            &scoped
        ));
    }

    #[test]
    fn a_file_outside_runbook_dirs_is_view_only() {
        let file = Provenance::File {
            path: "/tmp/x.md".into(),
            version: Version::Sha256("ab".into()),
            in_runbook_dirs: false,
        };
        assert!(
            file.may_run(&[])
                .unwrap_err()
                .starts_with("view-only: /tmp/x.md")
        );
        let fetched = Provenance::Fetched {
            url: "http://wiki/x.md".into(),
            sha256: "cd".into(),
        };
        assert!(fetched.may_run(&["http://wiki/".into()]).is_err());
        assert_eq!(fetched.describe(), "http://wiki/x.md sha256 cd");
    }

    #[test]
    fn sha256_is_the_standard_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
