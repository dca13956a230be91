//! Secrets are never written in the config file: the file says where a token comes from
//! (an environment variable or a file), and the token is read only when a source needs it.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a source's token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// `token_env = "NAME"`: the environment variable `NAME`.
    Env(String),
    /// `token_file = "path"`: the whole file, without surrounding whitespace. A relative path
    /// is resolved against the config file's directory when the config is loaded.
    File(PathBuf),
}

/// A token read from its [`SecretRef`]. Debug and Display print `***`, so a secret cannot
/// reach a log, the screen or a panic message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// Why a secret could not be read. Never contains the secret itself.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The environment variable is not set, or not valid UTF-8.
    #[error("{0} is not set in the environment")]
    EnvMissing(String),
    /// The environment variable or file is empty.
    #[error("{0} is empty")]
    Empty(String),
    /// The token or password file could not be read.
    #[error("cannot read {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
}

impl SecretRef {
    /// Reads the secret now. Called when a source starts, not when the config is loaded, so
    /// `check-config` works without the secrets being present.
    pub fn resolve(&self) -> Result<Secret, SecretError> {
        let value = match self {
            SecretRef::Env(name) => {
                std::env::var(name).map_err(|_| SecretError::EnvMissing(name.clone()))?
            }
            SecretRef::File(path) => {
                std::fs::read_to_string(path).map_err(|source| SecretError::File {
                    path: path.clone(),
                    source,
                })?
            }
        };
        let value = value.trim();
        if value.is_empty() {
            return Err(SecretError::Empty(self.describe()));
        }
        // Whatever ondeck says or sends from now on masks it.
        crate::secrets::remember(value);
        Ok(Secret(value.to_string()))
    }

    /// Where the secret comes from, for `check-config` and error messages: `env PROM_TOKEN`
    /// or `file /etc/ondeck/pd.token`.
    pub fn describe(&self) -> String {
        match self {
            SecretRef::Env(name) => format!("env {name}"),
            SecretRef::File(path) => format!("file {}", path.display()),
        }
    }

    /// A file reference with a relative path made relative to `base` (the config's directory).
    pub(crate) fn file_relative_to(path: &str, base: Option<&Path>) -> Self {
        let path = PathBuf::from(path);
        match base {
            Some(base) if path.is_relative() => SecretRef::File(base.join(path)),
            _ => SecretRef::File(path),
        }
    }
}

impl Secret {
    /// The secret itself, for the one place that sends it (an HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_its_value() {
        let secret = Secret("hunter2".to_string());
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(***)");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn a_missing_file_names_the_file_not_the_value() {
        let missing = SecretRef::file_relative_to("no-such.token", Some(Path::new("/nonexistent")));
        assert_eq!(
            missing,
            SecretRef::File(PathBuf::from("/nonexistent/no-such.token"))
        );
        let err = missing.resolve().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/no-such.token: "),
            "{err}"
        );
    }

    #[test]
    fn absolute_token_files_stay_where_they_are() {
        let absolute = SecretRef::file_relative_to("/run/secrets/pd", Some(Path::new("/home/a")));
        assert_eq!(absolute.describe(), "file /run/secrets/pd");
    }
}
