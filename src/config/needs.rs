//! What a run reads besides the config file — each source's token, basic-auth password and
//! CA file — and where the file names each one. Loading never reads them (a config can be
//! checked on a machine without the secrets, and a run starts every source it can);
//! `check-config` tries them all and reports each that cannot be read at the field that
//! names it. A secret is read and dropped at once, never printed.

use std::ops::Range;
use std::path::PathBuf;

use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, Locator, Place};
use super::model::{Config, SourceConfig};
use super::secret::SecretRef;

/// Something a run reads, and where the config names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunNeed {
    /// The source that needs it.
    pub source: String,
    /// What is read.
    pub what: Needed,
    /// The field that names it.
    pub place: Place,
}

/// What a source reads when it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Needed {
    /// A token or password.
    Secret(SecretRef),
    /// A CA certificate file.
    CaFile(PathBuf),
}

impl RunNeed {
    /// Reads it now and drops it: the error a run would meet, at the field that names it.
    pub fn check(&self) -> Result<(), ConfigError> {
        let why = match &self.what {
            Needed::Secret(secret) => secret.resolve().err().map(|e| e.to_string()),
            Needed::CaFile(path) => std::fs::read(path)
                .err()
                .map(|e| format!("cannot read CA file {}: {e}", path.display())),
        };
        match why {
            None => Ok(()),
            Some(why) => Err(self.place.error(format!(
                "{why}: source `{}` cannot start without it",
                self.source
            ))),
        }
    }
}

/// The span of `key`'s value in the `index`-th `[[source]]` table.
fn value_span(root: &DeTable<'_>, index: usize, key: &str) -> Option<Range<usize>> {
    let (_, sources) = root.iter().find(|(k, _)| k.get_ref() == "source")?;
    let DeValue::Array(items) = sources.get_ref() else {
        return None;
    };
    let table = items.get(index)?.get_ref().as_table()?;
    table
        .iter()
        .find(|(k, _)| k.get_ref() == key)
        .map(|(_, v)| v.span())
}

/// Everything the validated `sources` read when they start, each placed at the field that
/// names it. `sources` are the `[[source]]` tables in file order, as validation keeps them.
pub(crate) fn locate(sources: &[SourceConfig], at: &Locator<'_>) -> Vec<RunNeed> {
    let Some(root) = at.root else {
        return Vec::new();
    };
    let place = |index: usize, keys: &[&str]| {
        at.place(keys.iter().find_map(|key| value_span(root, index, key)))
    };
    let mut needs = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        let mut need = |what, keys: &[&str]| {
            needs.push(RunNeed {
                source: source.name.clone(),
                what,
                place: place(index, keys),
            });
        };
        if let Some(token) = &source.token {
            need(Needed::Secret(token.clone()), &["token_env", "token_file"]);
        }
        if let Some(basic) = &source.http.basic_auth {
            need(
                Needed::Secret(basic.password.clone()),
                &["password_env", "password_file"],
            );
        }
        if let Some(ca) = &source.http.ca_file {
            need(Needed::CaFile(ca.clone()), &["ca_file"]);
        }
    }
    needs
}

impl Config {
    /// Reads every secret and file a run needs and drops it: one error per one that cannot
    /// be read, each at its field. Empty when a run would start every source.
    pub fn check_run_needs(&self) -> Vec<ConfigError> {
        self.run_needs
            .iter()
            .filter_map(|need| need.check().err())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::load::parse;

    const TEXT: &str = r#"
[[source]]
name = "demo"
kind = "demo"

[[source]]
name = "prom"
kind = "prometheus"
url = "http://127.0.0.1:9090"
token_env = "ONDECK_TEST_SURELY_UNSET_TOKEN"

[[source]]
name = "pd"
kind = "pagerduty"
from_email = "oncall@example.com"
token_file = "no-such-dir/pd.token"
"#;

    #[test]
    fn every_unreadable_secret_is_reported_at_its_field() {
        let config = parse(TEXT, Path::new("/nonexistent/ondeck.toml")).unwrap();
        let errors: Vec<String> = config
            .check_run_needs()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_eq!(
            errors[0],
            "/nonexistent/ondeck.toml:10:13: source[1].token_env: ONDECK_TEST_SURELY_UNSET_TOKEN \
             is not set in the environment: source `prom` cannot start without it"
        );
        assert!(
            errors[1].starts_with(
                "/nonexistent/ondeck.toml:16:14: source[2].token_file: cannot read \
                 /nonexistent/no-such-dir/pd.token: "
            ),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn a_readable_secret_passes_and_is_never_shown() {
        let dir = std::env::temp_dir().join(format!("ondeck-needs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pd.token"), "s3cr3t-value\n").unwrap();
        std::fs::write(dir.join("empty.token"), "\n").unwrap();
        let pd = |name: &str, file: &str| {
            format!(
                "[[source]]\nname = \"{name}\"\nkind = \"pagerduty\"\n\
                 from_email = \"oncall@example.com\"\ntoken_file = \"{file}\"\n\n"
            )
        };
        let text = pd("pd", "pd.token") + &pd("pd2", "empty.token");
        let config = parse(&text, &dir.join("ondeck.toml")).unwrap();
        let errors = config.check_run_needs();
        assert_eq!(errors.len(), 1, "{errors:?}");
        let text = errors[0].to_string();
        assert!(text.contains("source[1].token_file: file "), "{text}");
        assert!(text.contains("empty.token is empty"), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
