//! `ConfigError`: what is wrong with a config file and exactly where — file, line, column and
//! field — in the one-line form editors and terminals can jump to.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::DeTable;

use super::spans::{line_column, path_at};

/// A config file that cannot be used. Displays as `<path>:<line>:<column>: <field>: <message>`,
/// leaving out the parts that are unknown.
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line of the offending text.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the offending text.
    pub column: Option<usize>,
    /// Dotted field, e.g. `slo[0].objective`.
    pub field: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
    /// Set when the file could not be read at all (missing, unreadable, not UTF-8).
    pub io: Option<std::io::Error>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl ConfigError {
    /// The file could not be read.
    pub fn unreadable(path: &Path, io: std::io::Error) -> Self {
        Self {
            path: path.to_path_buf(),
            line: None,
            column: None,
            field: None,
            message: format!("cannot read the config file: {io}"),
            io: Some(io),
        }
    }

    /// True when the file could not be read, as opposed to being invalid.
    pub fn is_unreadable(&self) -> bool {
        self.io.is_some()
    }
}

/// Where in a config file something is written: the file, line, column and field a
/// [`ConfigError`] about it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column, in characters.
    pub column: Option<usize>,
    /// Dotted field, e.g. `source[0].token_env`.
    pub field: Option<String>,
}

impl Place {
    /// An error about what is written here.
    pub fn error(&self, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: self.path.clone(),
            line: self.line,
            column: self.column,
            field: self.field.clone(),
            message: message.into(),
            io: None,
        }
    }
}

/// Builds errors for one document: knows its text (for line/column) and, once it parsed,
/// its spanned tree (for field paths).
pub(crate) struct Locator<'a> {
    pub(crate) path: &'a Path,
    pub(crate) text: &'a str,
    pub(crate) root: Option<&'a DeTable<'a>>,
}

impl Locator<'_> {
    /// An error at `span`, its field found from the document.
    pub(crate) fn at(&self, span: Option<Range<usize>>, message: impl Into<String>) -> ConfigError {
        self.place(span).error(message)
    }

    /// Where `span` is: line, column and the field found from the document.
    pub(crate) fn place(&self, span: Option<Range<usize>>) -> Place {
        let (line, column) = match &span {
            Some(span) => {
                let (line, column) = line_column(self.text, span.start);
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        let field = match (self.root, &span) {
            (Some(root), Some(span)) => path_at(root, span.start),
            _ => None,
        };
        Place {
            path: self.path.to_path_buf(),
            line,
            column,
            field,
        }
    }

    /// An error for a field a table lacks, reported on the table with the field's name.
    pub(crate) fn missing(&self, table: Range<usize>, field: &str, message: &str) -> ConfigError {
        let mut out = self.at(Some(table), message);
        out.field = Some(match out.field {
            Some(parent) => format!("{parent}.{field}"),
            None => field.to_string(),
        });
        out
    }

    /// Converts a toml deserialization error. A missing field is reported on the table that
    /// lacks it, with the field's name appended to the path.
    pub(crate) fn toml_error(&self, error: &toml::de::Error) -> ConfigError {
        let mut message = error.message().trim().to_string();
        if let Some(suggestion) = did_you_mean(&message) {
            message.push_str(&format!(" (did you mean `{suggestion}`?)"));
        }
        let mut out = self.at(error.span(), message.clone());
        if let Some(missing) = quoted_after(&message, "missing field `") {
            out.field = Some(match out.field {
                Some(parent) => format!("{parent}.{missing}"),
                None => missing.to_string(),
            });
        }
        out
    }
}

/// The text between `prefix` and the next backtick, as serde quotes field names.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next()
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (and "unknown variant"), the
/// expected name closest to the typo, if it is close enough to be what the user meant.
fn did_you_mean(message: &str) -> Option<&str> {
    let typo = quoted_after(message, "unknown field `")
        .or_else(|| quoted_after(message, "unknown variant `"))?;
    let (_, expected) = message.split_once("expected ")?;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|candidate| (edit_distance(typo, candidate), candidate))
        .filter(|(distance, _)| *distance <= 2 && *distance < typo.chars().count())
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(line: Option<usize>, column: Option<usize>, field: Option<&str>) -> ConfigError {
        ConfigError {
            path: PathBuf::from("a/config.toml"),
            line,
            column,
            field: field.map(str::to_string),
            message: "bad".to_string(),
            io: None,
        }
    }

    #[test]
    fn display_leaves_out_what_is_unknown() {
        assert_eq!(
            error(Some(7), Some(13), Some("slo[0].objective")).to_string(),
            "a/config.toml:7:13: slo[0].objective: bad"
        );
        assert_eq!(
            error(Some(2), Some(1), None).to_string(),
            "a/config.toml:2:1: bad"
        );
        assert_eq!(error(None, None, None).to_string(), "a/config.toml: bad");
    }

    #[test]
    fn unreadable_files_say_so() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let err = ConfigError::unreadable(Path::new("x.toml"), io);
        assert!(err.is_unreadable());
        assert_eq!(err.to_string(), "x.toml: cannot read the config file: gone");
    }

    #[test]
    fn typos_get_the_closest_expected_name() {
        let unknown =
            "unknown field `refesh`, expected one of `name`, `kind`, `refresh`, `timeout`";
        assert_eq!(did_you_mean(unknown), Some("refresh"));
        let variant = "unknown variant `prometeus`, expected one of `demo`, `prometheus`";
        assert_eq!(did_you_mean(variant), Some("prometheus"));
        assert_eq!(
            did_you_mean("unknown variant `grafana`, expected one of `demo`, `tempo`"),
            None
        );
        assert_eq!(did_you_mean("missing field `name`"), None);
    }
}
