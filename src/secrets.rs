//! Every secret value this process has read (tokens, passwords, from the environment or a
//! file), so text that leaves ondeck can be masked: a runbook step that prints its
//! environment, a note sent to a backend, an audit line, a log line. Secrets register
//! themselves where they are read ([`crate::config::SecretRef::resolve`]).

use std::borrow::Cow;
use std::sync::RwLock;

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// Shorter values are not masked: a three-letter "secret" would mask ordinary words.
const MIN_LEN: usize = 4;

static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Remembers a secret value read by this process.
pub fn remember(value: &str) {
    if value.len() < MIN_LEN {
        return;
    }
    let mut known = KNOWN.write().unwrap_or_else(|p| p.into_inner());
    if !known.iter().any(|k| k == value) {
        known.push(value.to_string());
        // Longest first, so a secret that contains another is masked whole.
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }
}

/// `text` with every known secret replaced by [`MASK`].
pub fn mask(text: &str) -> Cow<'_, str> {
    let known = KNOWN.read().unwrap_or_else(|p| p.into_inner());
    if !known.iter().any(|k| text.contains(k.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for secret in known.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), MASK);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_secret_is_masked_wherever_it_appears() {
        remember("s3cr3t-token-for-prom");
        remember("s3cr3t");
        remember("abc");
        assert_eq!(
            mask("PROM_TOKEN=s3cr3t-token-for-prom and s3cr3t again, abc stays"),
            "PROM_TOKEN=*** and *** again, abc stays"
        );
        assert!(matches!(mask("nothing here"), Cow::Borrowed(_)));
    }
}
