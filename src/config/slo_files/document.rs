//! One SLO file as documents: a YAML stream (`---`) whose documents may each be a single
//! object or a list of objects (as OpenSLO's tools write them), and what each document is.

use serde::Deserialize;
use serde_yaml_ng::Value;

/// One object of a file.
pub(super) struct Document {
    /// How messages name it: `document 2`, or `document 1, item 3` inside a list.
    pub(super) label: String,
    /// The object.
    pub(super) value: Value,
    /// What it is.
    pub(super) kind: Kind,
}

/// The formats ondeck reads, told apart by `version`, `apiVersion` and `kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    /// Sloth `version: prometheus/v1`.
    Sloth,
    /// Sloth `apiVersion: sloth.slok.dev/v1`, `kind: PrometheusServiceLevel`.
    SlothKubernetes,
    /// Sloth `apiVersion: sloth.slok.dev/v1`, `kind: AlertWindows`.
    AlertWindows,
    /// OpenSLO `apiVersion: openslo/v1` of this kind (`SLO`, `SLI`, `DataSource`, …).
    OpenSlo(String),
    /// Pyrra `apiVersion: pyrra.dev/v1alpha1`, `kind: ServiceLevelObjective`.
    Pyrra,
    /// Anything else; the text says what was found.
    Unknown(String),
}

/// Why a file could not be read as YAML: the message and, when known, line and column.
pub(super) struct YamlError {
    pub(super) message: String,
    pub(super) line: Option<(usize, usize)>,
}

/// Every object of `text`, in order, and the YAML error that stopped reading, if one did
/// (the objects before it are kept).
pub(super) fn split(text: &str) -> (Vec<Document>, Option<YamlError>) {
    let mut out = Vec::new();
    for (n, document) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let value = match Value::deserialize(document) {
            Ok(value) => value,
            Err(e) => {
                let error = YamlError {
                    message: e.to_string(),
                    line: e.location().map(|l| (l.line(), l.column())),
                };
                return (out, Some(error));
            }
        };
        let label = format!("document {}", n + 1);
        match value {
            Value::Null => {}
            Value::Sequence(items) => {
                for (i, item) in items.into_iter().enumerate() {
                    let label = format!("{label}, item {}", i + 1);
                    out.push(Document {
                        kind: kind(&item),
                        label,
                        value: item,
                    });
                }
            }
            value => out.push(Document {
                kind: kind(&value),
                label,
                value,
            }),
        }
    }
    (out, None)
}

fn text<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

/// What an object is.
pub(super) fn kind(value: &Value) -> Kind {
    let version = text(value, "version");
    let api = text(value, "apiVersion");
    let kind = text(value, "kind");
    match (version, api, kind) {
        (Some("prometheus/v1"), _, _) => Kind::Sloth,
        (_, Some("sloth.slok.dev/v1"), Some("PrometheusServiceLevel")) => Kind::SlothKubernetes,
        (_, Some("sloth.slok.dev/v1"), Some("AlertWindows")) => Kind::AlertWindows,
        (_, Some("openslo/v1"), Some(kind)) => Kind::OpenSlo(kind.to_string()),
        (_, Some("pyrra.dev/v1alpha1"), Some("ServiceLevelObjective")) => Kind::Pyrra,
        _ => Kind::Unknown(found(value)),
    }
}

/// `apiVersion openslo/v1, kind SLO` (or `version prometheus/v1`): what a message says was
/// found, with absent fields said to be absent.
pub(super) fn found(value: &Value) -> String {
    let show = |key: &str| match value.get(key) {
        None | Some(Value::Null) => format!("no {key}"),
        Some(Value::String(s)) => format!("{key} {s}"),
        Some(other) => format!(
            "{key} {}",
            serde_yaml_ng::to_string(other).unwrap_or_default().trim()
        ),
    };
    if value.get("version").is_some() && value.get("apiVersion").is_none() {
        return show("version");
    }
    if !value.is_mapping() {
        return "not a mapping".to_string();
    }
    format!("{}, {}", show("apiVersion"), show("kind"))
}

impl Document {
    /// The label with what was found: `document 2 (apiVersion openslo/v1, kind SLO)`.
    pub(super) fn described(&self) -> String {
        format!("{} ({})", self.label, found(&self.value))
    }
}

/// What a document of an unknown kind gets told.
pub(super) const EXPECTED: &str = "ondeck reads Sloth (version: prometheus/v1; apiVersion: sloth.slok.dev/v1 with kind PrometheusServiceLevel or AlertWindows), OpenSLO (apiVersion: openslo/v1) and Pyrra (apiVersion: pyrra.dev/v1alpha1, kind: ServiceLevelObjective)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_and_lists_become_numbered_objects() {
        let text = "- apiVersion: openslo/v1\n  kind: Service\n- apiVersion: openslo/v1\n  kind: SLO\n---\nversion: prometheus/v1\n---\napiVersion: foo\nkind: Bar\n";
        let (docs, error) = split(text);
        assert!(error.is_none());
        let labels: Vec<String> = docs.iter().map(Document::described).collect();
        assert_eq!(
            labels,
            [
                "document 1, item 1 (apiVersion openslo/v1, kind Service)",
                "document 1, item 2 (apiVersion openslo/v1, kind SLO)",
                "document 2 (version prometheus/v1)",
                "document 3 (apiVersion foo, kind Bar)",
            ]
        );
        assert_eq!(docs[1].kind, Kind::OpenSlo("SLO".into()));
        assert_eq!(docs[2].kind, Kind::Sloth);
        assert!(matches!(docs[3].kind, Kind::Unknown(_)));
    }

    #[test]
    fn a_yaml_error_keeps_the_documents_before_it() {
        let (docs, error) = split("version: prometheus/v1\n---\nversion: [unclosed\n");
        assert_eq!(docs.len(), 1);
        let error = error.unwrap();
        assert_eq!(error.line, Some((4, 1)));
    }
}
