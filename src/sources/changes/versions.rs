//! Which way a version moved: release numbers compare by their numeric parts (`1.9` before
//! `1.10`), anything else (a git hash) cannot be ordered, and a version that was deployed
//! before in the same history is a step back whatever its spelling. A rollback is a version
//! going back.

use std::cmp::Ordering;

/// The parts of a version that order it: runs of digits by value, runs of anything else by
/// text; `None` for what does not look like a release number (no digit, or a hex hash).
fn parts(version: &str) -> Option<Vec<Result<u64, &str>>> {
    let v = version.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    if !v.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let hash = v.len() >= 7 && v.bytes().all(|b| b.is_ascii_hexdigit());
    let dotted = v.contains('.');
    if hash && !dotted {
        return None;
    }
    let mut out = Vec::new();
    let mut rest = v;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            out.push(rest[..digits].parse::<u64>().map_err(|_| &rest[..digits]));
            rest = &rest[digits..];
            continue;
        }
        let text = rest
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let word = rest[..text].trim_matches(['.', '-', '+', '_']);
        if !word.is_empty() {
            out.push(Err(word));
        }
        rest = &rest[text..];
    }
    Some(out)
}

/// How `a` compares with `b` as release numbers; `None` when either is not one.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (parts(a)?, parts(b)?);
    for (x, y) in a.iter().zip(&b) {
        let order = match (x, y) {
            (Ok(x), Ok(y)) => x.cmp(y),
            (Err(x), Err(y)) => x.cmp(y),
            // A number outranks a word: 1.43 is after 1.43-rc.
            (Ok(_), Err(_)) => Ordering::Greater,
            (Err(_), Ok(_)) => Ordering::Less,
        };
        if order != Ordering::Equal {
            return Some(order);
        }
    }
    // 1.43 comes after 1.43-rc1 (a pre-release suffix), before 1.43.1.
    Some(
        match (a.len().cmp(&b.len()), a.get(b.len()), b.get(a.len())) {
            (Ordering::Greater, Some(Err(_)), _) => Ordering::Less,
            (Ordering::Less, _, Some(Err(_))) => Ordering::Greater,
            (order, _, _) => order,
        },
    )
}

/// Whether moving from `from` to `to` goes back, given the versions deployed before `from`
/// (`earlier`, any order): a lower release number, or a version already seen.
pub fn goes_back(from: &str, to: &str, earlier: &[&str]) -> bool {
    match compare(to, from) {
        Some(Ordering::Less) => true,
        Some(_) => false,
        None => to != from && earlier.contains(&to),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_numbers_compare_by_their_numbers() {
        assert_eq!(compare("1.9", "1.10"), Some(Ordering::Less));
        assert_eq!(compare("v1.43", "1.42"), Some(Ordering::Greater));
        assert_eq!(compare("1.43", "1.43.1"), Some(Ordering::Less));
        assert_eq!(compare("1.43-rc1", "1.43"), Some(Ordering::Less));
        assert_eq!(
            compare("2024.11.03-2", "2024.11.03-10"),
            Some(Ordering::Less)
        );
        assert_eq!(compare("3f2a9c1", "1.42"), None, "a hash has no order");
        assert_eq!(compare("main", "1.42"), None);
    }

    #[test]
    fn going_back_is_a_lower_number_or_a_revision_seen_before() {
        assert!(goes_back("1.43", "1.42", &[]));
        assert!(
            !goes_back("1.42", "1.43", &["1.43"]),
            "numbers decide when they can"
        );
        assert!(goes_back("b2c3d4e5", "a1b2c3d4", &["a1b2c3d4"]));
        assert!(!goes_back("a1b2c3d4", "b2c3d4e5", &["a1b2c3d4"]));
    }
}
