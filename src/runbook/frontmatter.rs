//! The front matter that names a runbook: TOML between `+++` lines, or a flat YAML subset
//! between `---` lines.
//!
//! The YAML subset is `key: value` lines for `id` and `title`, and `match:` followed by
//! `- matcher` items, one per line. Values may be bare, 'single-' or "double-quoted".
//! `#` starts a comment line. Anything else is an error, so a typo never silently drops a
//! matcher.

use serde::Deserialize;
use toml::Spanned;

use super::matcher::Matcher;

/// The identity a runbook declares.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FrontMatter {
    pub id: String,
    pub title: String,
    pub matchers: Vec<Matcher>,
}

/// An error at a 1-based line of the file.
pub(super) type LineError = (usize, String);

/// Splits the front matter off `lines`; returns it and the index of the first body line.
pub(super) fn split(lines: &[&str]) -> Result<(FrontMatter, usize), LineError> {
    let first = lines.first().map_or("", |l| l.trim_end());
    let delimiter = match first {
        "+++" | "---" => first,
        _ => {
            return Err((
                1,
                "missing front matter: start the file with +++ (TOML) or --- (YAML) and give id and title".into(),
            ));
        }
    };
    let close = lines
        .iter()
        .skip(1)
        .position(|l| l.trim_end() == delimiter)
        .map(|i| i + 1)
        .ok_or_else(|| {
            (
                1,
                format!("front matter opened with {delimiter} at line 1 is never closed"),
            )
        })?;
    let inner = &lines[1..close];
    let front = if delimiter == "+++" {
        toml_front(inner)?
    } else {
        yaml_front(inner)?
    };
    Ok((front, close + 1))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToml {
    id: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    #[serde(rename = "match", default)]
    matchers: Vec<Spanned<String>>,
}

fn toml_front(inner: &[&str]) -> Result<FrontMatter, LineError> {
    let text = inner.join("\n");
    // Line 1 is the opening delimiter, so TOML line n is file line n + 1.
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 2;
    let raw: RawToml = toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(2, |s| line_of(s.start));
        (line, format!("front matter: {}", e.message()))
    })?;
    let field = |v: Option<Spanned<String>>, name: &str| match v {
        Some(v) if !v.get_ref().trim().is_empty() => Ok(v.into_inner()),
        Some(v) => Err((
            line_of(v.span().start),
            format!("front matter: {name} must not be empty"),
        )),
        None => Err((1, format!("front matter: {name} is missing"))),
    };
    let id = field(raw.id, "id")?;
    let title = field(raw.title, "title")?;
    let matchers = raw
        .matchers
        .into_iter()
        .map(|m| {
            let line = line_of(m.span().start);
            Matcher::parse(m.get_ref()).map_err(|e| (line, e))
        })
        .collect::<Result<_, _>>()?;
    finish(id, title, matchers)
}

fn unquote(value: &str) -> String {
    let v = value.trim();
    if let Some(inner) = v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        return inner.replace("''", "'");
    }
    if let Some(inner) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        return inner.replace("\\\"", "\"").replace("\\\\", "\\");
    }
    v.to_string()
}

fn yaml_front(inner: &[&str]) -> Result<FrontMatter, LineError> {
    let (mut id, mut title, mut matchers) = (None, None, Vec::new());
    let mut in_match = false;
    for (i, raw) in inner.iter().enumerate() {
        let line = i + 2;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(item) = trimmed.strip_prefix("- ") {
            if !in_match {
                return Err((
                    line,
                    "front matter: a `- ` item must follow `match:`".into(),
                ));
            }
            matchers.push(Matcher::parse(&unquote(item)).map_err(|e| (line, e))?);
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            return Err((
                line,
                format!("front matter: expected `key: value`, found `{trimmed}`"),
            ));
        };
        in_match = false;
        match key.trim() {
            "id" => id = Some((line, unquote(value))),
            "title" => title = Some((line, unquote(value))),
            "match" if value.trim().is_empty() => in_match = true,
            "match" => {
                return Err((
                    line,
                    "front matter: write each matcher on its own `- ` line under `match:`".into(),
                ));
            }
            other => {
                return Err((
                    line,
                    format!("front matter: unknown key `{other}`; keys are id, title, match"),
                ));
            }
        }
    }
    let field = |v: Option<(usize, String)>, name: &str| match v {
        Some((_, v)) if !v.is_empty() => Ok(v),
        Some((line, _)) => Err((line, format!("front matter: {name} must not be empty"))),
        None => Err((1, format!("front matter: {name} is missing"))),
    };
    finish(field(id, "id")?, field(title, "title")?, matchers)
}

fn finish(id: String, title: String, matchers: Vec<Matcher>) -> Result<FrontMatter, LineError> {
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err((
            1,
            format!("front matter: id `{id}` may only hold letters, digits, - and _"),
        ));
    }
    Ok(FrontMatter {
        id,
        title,
        matchers,
    })
}
