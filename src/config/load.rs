//! Where the config file is and how it becomes a [`Config`]: `--config`, else `ONDECK_CONFIG`,
//! else the XDG config dir; a missing default file means the built-in demo.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use toml::de::DeTable;

use super::error::{ConfigError, Locator};
use super::file::RawConfig;
use super::model::Config;
use super::spans::all_keys;
use super::validate::validate;

/// The config file ondeck reads, and why that one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigLocation {
    /// Named by `--config` or `ONDECK_CONFIG`: it must exist.
    Explicit(PathBuf),
    /// The XDG default (`~/.config/ondeck/config.toml` on Linux): may be absent. Empty when
    /// the platform has no home directory.
    Default(PathBuf),
}

impl ConfigLocation {
    /// The file's path.
    pub fn path(&self) -> &Path {
        match self {
            ConfigLocation::Explicit(path) | ConfigLocation::Default(path) => path,
        }
    }

    /// True when the user named the file, so its absence is an error.
    pub fn is_explicit(&self) -> bool {
        matches!(self, ConfigLocation::Explicit(_))
    }
}

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "ondeck")
}

/// Finds the config file: `cli` (from `--config`), else `$ONDECK_CONFIG`, else the XDG default.
pub fn resolve_path(cli: Option<&Path>) -> ConfigLocation {
    let env = std::env::var_os("ONDECK_CONFIG");
    let default = project_dirs().map(|dirs| dirs.config_dir().join("config.toml"));
    resolve_path_from(cli, env.as_deref(), default)
}

/// [`resolve_path`] with the environment passed in, so the precedence can be tested without
/// touching the process environment. An empty `ONDECK_CONFIG` counts as unset.
pub fn resolve_path_from(
    cli: Option<&Path>,
    env: Option<&OsStr>,
    default: Option<PathBuf>,
) -> ConfigLocation {
    if let Some(path) = cli {
        return ConfigLocation::Explicit(path.to_path_buf());
    }
    match env {
        Some(value) if !value.is_empty() => ConfigLocation::Explicit(PathBuf::from(value)),
        _ => ConfigLocation::Default(default.unwrap_or_default()),
    }
}

/// The directory for ondeck's state (log, journal): the XDG state dir, else the local data dir.
pub fn state_dir() -> Option<PathBuf> {
    let dirs = project_dirs()?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf(),
    )
}

/// The log file, `ondeck.log` in the state dir.
pub fn log_path() -> Option<PathBuf> {
    state_dir().map(|dir| dir.join("ondeck.log"))
}

/// Reads and validates the config. A missing default file yields [`Config::demo`]; a missing
/// explicit file is an error.
pub fn load(location: &ConfigLocation) -> Result<Config, ConfigError> {
    let path = location.path();
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path),
        Err(error)
            if !location.is_explicit()
                && (path.as_os_str().is_empty()
                    || error.kind() == std::io::ErrorKind::NotFound) =>
        {
            Ok(Config::demo())
        }
        Err(error) => Err(ConfigError::unreadable(path, error)),
    }
}

/// Keys that would hold a secret in the file itself.
const SECRET_KEYS: [&str; 3] = ["token", "password", "api_key"];

/// Parses and validates config text; `path` names the file in errors and anchors relative
/// `token_file` paths. An empty text is valid and has no sources (the app then runs the demo).
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let syntax_only = Locator {
        path,
        text,
        root: None,
    };
    let tree = DeTable::parse(text).map_err(|e| syntax_only.toml_error(&e))?;
    let at = Locator {
        path,
        text,
        root: Some(tree.get_ref()),
    };
    if let Some((key, span)) = all_keys(tree.get_ref())
        .into_iter()
        .filter(|(key, _)| SECRET_KEYS.iter().any(|s| key.eq_ignore_ascii_case(s)))
        .min_by_key(|(_, span)| span.start)
    {
        return Err(at.at(
            Some(span),
            format!(
                "`{key}` would put a secret in the config file: use token_env = \"VARIABLE\" or token_file = \"path\" instead"
            ),
        ));
    }
    let raw: RawConfig = toml::from_str(text).map_err(|e| at.toml_error(&e))?;
    let mut config = validate(raw, path.parent(), &at)?;
    config.run_needs = super::needs::locate(&config.sources, &at);
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_beats_env_beats_default() {
        let default = Some(PathBuf::from("/home/u/.config/ondeck/config.toml"));
        let env = Some(OsStr::new("/etc/ondeck.toml"));
        assert_eq!(
            resolve_path_from(Some(Path::new("mine.toml")), env, default.clone()),
            ConfigLocation::Explicit(PathBuf::from("mine.toml"))
        );
        assert_eq!(
            resolve_path_from(None, env, default.clone()),
            ConfigLocation::Explicit(PathBuf::from("/etc/ondeck.toml"))
        );
        assert_eq!(
            resolve_path_from(None, Some(OsStr::new("")), default.clone()),
            ConfigLocation::Default(PathBuf::from("/home/u/.config/ondeck/config.toml"))
        );
        assert_eq!(resolve_path_from(None, None, None).path(), Path::new(""));
    }

    #[test]
    fn a_missing_default_file_is_the_demo_but_a_missing_explicit_file_is_an_error() {
        let missing = PathBuf::from("/nonexistent/ondeck/config.toml");
        let demo = load(&ConfigLocation::Default(missing.clone())).unwrap();
        assert_eq!(demo.sources, Config::demo().sources);
        let err = load(&ConfigLocation::Explicit(missing)).unwrap_err();
        assert!(err.is_unreadable());
        assert!(
            err.to_string()
                .starts_with("/nonexistent/ondeck/config.toml: cannot read the config file"),
            "{err}"
        );
    }

    #[test]
    fn a_secret_is_refused_without_echoing_it() {
        let err = parse(
            "[[source]]\nname = \"p\"\nkind = \"prometheus\"\nPassword = \"hunter2\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("c.toml:4:1: source[0].Password: `Password` would put a secret"),
            "{text}"
        );
        assert!(!text.contains("hunter2"));
    }
}
