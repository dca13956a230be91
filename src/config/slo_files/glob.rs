//! `slo_files` entries: a path, or a glob whose components may hold `*` (any run of
//! characters) and `?` (one character). Like a shell, a wildcard does not match a leading
//! dot, and matches come back sorted so SLOs load in a stable order.

use std::path::{Component, Path, PathBuf};

/// Whether `pattern` has a wildcard.
pub(super) fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// The files `pattern` names, relative paths starting at `base`. A plain path is returned
/// as is (its absence is reported when it is read); a glob yields the regular files that
/// match, possibly none.
pub(super) fn expand(pattern: &str, base: Option<&Path>) -> Vec<PathBuf> {
    let path = Path::new(pattern);
    let full = match base {
        Some(base) if path.is_relative() => base.join(path),
        _ => path.to_path_buf(),
    };
    if !is_glob(pattern) {
        return vec![full];
    }
    let mut found = vec![PathBuf::new()];
    for component in full.components() {
        let text = match component {
            Component::Normal(part) => part.to_string_lossy(),
            other => {
                found.iter_mut().for_each(|p| p.push(other.as_os_str()));
                continue;
            }
        };
        if !is_glob(&text) {
            found.iter_mut().for_each(|p| p.push(text.as_ref()));
            continue;
        }
        let mut next = Vec::new();
        for dir in &found {
            let list = if dir.as_os_str().is_empty() {
                std::fs::read_dir(".")
            } else {
                std::fs::read_dir(dir)
            };
            let Ok(entries) = list else { continue };
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| wildcard_match(&text, name))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|name| dir.join(name)));
        }
        found = next;
    }
    found.retain(|p| p.is_file());
    found
}

/// Whether `name` matches `pattern` (`*` and `?`), never matching a leading dot with a
/// wildcard.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    if name.starts_with('.') && !pattern.starts_with('.') {
        return false;
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    // Where the last `*` was, and how much of the name it has taken so far.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_a_shell() {
        assert!(wildcard_match("*.yaml", "checkout.yaml"));
        assert!(wildcard_match("slo-?.yml", "slo-1.yml"));
        assert!(wildcard_match("*", "a"));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("*.yaml", "checkout.yml"));
        assert!(!wildcard_match("*.yaml", ".hidden.yaml"));
        assert!(!wildcard_match("slo-?.yml", "slo-10.yml"));
    }

    #[test]
    fn a_glob_lists_matching_files_in_order_relative_to_the_base() {
        let dir = std::env::temp_dir().join(format!("ondeck-glob-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("slos/team-a")).unwrap();
        for file in [
            "slos/b.yaml",
            "slos/a.yaml",
            "slos/c.txt",
            "slos/team-a/x.yaml",
        ] {
            std::fs::write(dir.join(file), "").unwrap();
        }
        let found = expand("slos/*.yaml", Some(&dir));
        assert_eq!(found, [dir.join("slos/a.yaml"), dir.join("slos/b.yaml")]);
        let nested = expand("slos/*/*.yaml", Some(&dir));
        assert_eq!(nested, [dir.join("slos/team-a/x.yaml")]);
        assert!(expand("nothing/*.yaml", Some(&dir)).is_empty());
        assert_eq!(expand("plain.yaml", Some(&dir)), [dir.join("plain.yaml")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
