//! Reading config.example.toml as a user does: its settings are commented out, ready to
//! uncomment.

/// Lines like `#key = value` or `#[table]` are commented-out settings; `# text` is prose.
pub fn uncomment_settings(text: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix('#') {
            Some(rest) if !rest.is_empty() && !rest.starts_with([' ', '#']) => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}
