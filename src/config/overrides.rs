//! Checks the user's `[keys]` and `[theme_overrides]` against the real keymap and theme at
//! load time, so a typo is reported at its line instead of when the UI starts.

use super::error::{ConfigError, Locator};
use super::keymap::{CONTEXTS, Keymap, KeymapError};
use super::spans::{Part, span_of};
use super::theme::{Theme, ThemeError};

/// Merges each `[keys.<context>]` table over the defaults, reporting a bad binding at its line.
pub(crate) fn check_keys(keys: &toml::Table, at: &Locator<'_>) -> Result<(), ConfigError> {
    for (context, bindings) in keys {
        let mut single = toml::Table::new();
        single.insert(context.clone(), bindings.clone());
        let Err(error) = Keymap::defaults().merge_table(&single) else {
            continue;
        };
        let (span, message) = match error {
            KeymapError::Syntax(message) => {
                let part = if CONTEXTS.contains(&context.as_str()) {
                    Part::Value
                } else {
                    Part::Key
                };
                (
                    at.root.and_then(|r| span_of(r, &["keys", context], part)),
                    message,
                )
            }
            KeymapError::Binding { key, message, .. } => {
                let part = if message.starts_with("unknown action") {
                    Part::Value
                } else {
                    Part::Key
                };
                (
                    at.root
                        .and_then(|r| span_of(r, &["keys", context, &key], part)),
                    message,
                )
            }
        };
        return Err(at.at(span, message));
    }
    Ok(())
}

/// Applies the overrides to a built-in theme, reporting a bad role at its line.
pub(crate) fn check_theme_overrides(
    overrides: &toml::Table,
    at: &Locator<'_>,
) -> Result<(), ConfigError> {
    let Err(error) = Theme::monochrome().with_overrides(overrides) else {
        return Ok(());
    };
    let (role, part, message) = match &error {
        ThemeError::UnknownRole { role, .. } => (role.as_str(), Part::Key, error.to_string()),
        ThemeError::BadStyle { role, message, .. } => (role.as_str(), Part::Value, message.clone()),
        _ => ("", Part::Key, error.to_string()),
    };
    let span = at
        .root
        .and_then(|r| span_of(r, &["theme_overrides", role], part));
    Err(at.at(span, message))
}
