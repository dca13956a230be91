//! What runbook steps may reach: `runbook_trusted_urls`, the https places whose runbooks may
//! run when an alert links them (every other fetched runbook is view-only), and
//! `runbook_env`, the variables of ondeck's own environment a step gets besides the few every
//! shell needs (every other variable — tokens first — stays out of reach).

use toml::Spanned;

use super::error::{ConfigError, Locator};

/// Checks `runbook_trusted_urls`: each an https URL, normalised to a prefix ending in `/`.
pub(crate) fn trusted_urls(
    raw: Option<Vec<Spanned<String>>>,
    at: &Locator<'_>,
) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::new();
    for entry in raw.unwrap_or_default() {
        let parsed = reqwest::Url::parse(entry.get_ref()).ok();
        match parsed {
            Some(url) if url.scheme() == "https" && url.host_str().is_some() => {
                out.push(crate::runbook::provenance::trusted_prefix(url.as_str()));
            }
            _ => {
                return Err(at.at(
                    Some(entry.span()),
                    format!(
                        "runbook_trusted_urls entry `{}` must be an https URL, e.g. \
                         \"https://runbooks.example.com/\": a runbook fetched over plain http \
                         could be swapped on the way",
                        entry.get_ref()
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// Checks `runbook_env`: each a variable name (letters, digits and `_`, not starting with a
/// digit).
pub(crate) fn env_names(
    raw: Option<Vec<Spanned<String>>>,
    at: &Locator<'_>,
) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::new();
    for name in raw.unwrap_or_default() {
        let text = name.get_ref();
        let valid = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(at.at(
                Some(name.span()),
                format!(
                    "runbook_env entry `{text}` is not a variable name (letters, digits and _)"
                ),
            ));
        }
        out.push(text.clone());
    }
    Ok(out)
}
