//! Reading one YAML document by hand, so every field ondeck does not use can be named in a
//! warning (`file: slos[0].sli.plugin: …`) instead of being dropped silently, and every
//! missing or mistyped one in an error naming the file and field.

use std::path::Path;

use serde_yaml_ng::Value;

use crate::config::ConfigError;

/// Where warnings and errors about one file go.
pub(super) struct Ctx<'a> {
    /// The SLO file.
    pub(super) file: &'a Path,
    /// Warnings collected so far, each naming the file and field.
    pub(super) warnings: &'a mut Vec<String>,
}

impl Ctx<'_> {
    /// An error about `field` of this file.
    pub(super) fn error(&self, field: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: self.file.to_path_buf(),
            line: None,
            column: None,
            field: (!field.is_empty()).then(|| field.to_string()),
            message: message.into(),
            io: None,
        }
    }

    /// Records a warning about `field` of this file.
    pub(super) fn warn(&mut self, field: &str, message: impl AsRef<str>) {
        self.warnings.push(format!(
            "{}: {field}: {}",
            self.file.display(),
            message.as_ref()
        ));
    }
}

/// A value and its dotted path in the document.
pub(super) struct Node<'v> {
    /// The value.
    pub(super) value: &'v Value,
    path: String,
}

/// A child node's path: `slos[0]` + `sli` → `slos[0].sli`.
pub(super) fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'v> Node<'v> {
    /// The document root.
    pub(super) fn root(value: &'v Value) -> Self {
        Self {
            value,
            path: String::new(),
        }
    }

    /// Its dotted path.
    pub(super) fn path(&self) -> &str {
        &self.path
    }

    /// The child under `key`, if this is a mapping that has it (and it is not null).
    pub(super) fn field(&self, key: &str) -> Option<Node<'v>> {
        self.get(key).filter(|v| !v.is_null()).map(|value| Node {
            value,
            path: child(&self.path, key),
        })
    }

    /// The items of the sequence under `key`; an absent key is empty, another type an error.
    pub(super) fn items(&self, key: &str, ctx: &Ctx<'_>) -> Result<Vec<Node<'v>>, ConfigError> {
        let Some(node) = self.field(key) else {
            return Ok(Vec::new());
        };
        let Some(seq) = node.value.as_sequence() else {
            return Err(ctx.error(&node.path, "must be a list"));
        };
        Ok(seq
            .iter()
            .enumerate()
            .map(|(i, value)| Node {
                value,
                path: format!("{}[{i}]", node.path),
            })
            .collect())
    }

    /// The value under `key`, if this is a mapping that has it.
    pub(super) fn get(&self, key: &str) -> Option<&'v Value> {
        self.value.as_mapping().and_then(|m| m.get(key))
    }

    /// A string field; a value of another type is an error.
    pub(super) fn str(&self, key: &str, ctx: &Ctx<'_>) -> Result<Option<String>, ConfigError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(ctx.error(&child(&self.path, key), "must be a string")),
        }
    }

    /// A string field that must be there and not be blank.
    pub(super) fn required_str(&self, key: &str, ctx: &Ctx<'_>) -> Result<String, ConfigError> {
        match self.str(key, ctx)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(ctx.error(&child(&self.path, key), "is required")),
        }
    }

    /// A number field; a value of another type is an error.
    pub(super) fn f64(&self, key: &str, ctx: &Ctx<'_>) -> Result<Option<f64>, ConfigError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => Err(ctx.error(&child(&self.path, key), "must be a number")),
        }
    }

    /// Warns about every key of this mapping not in `known`.
    pub(super) fn warn_unknown(&self, known: &[&str], ctx: &mut Ctx<'_>) {
        let Some(map) = self.value.as_mapping() else {
            return;
        };
        for key in map.keys() {
            let name = key
                .as_str()
                .map_or_else(|| format!("{key:?}"), str::to_string);
            if !known.contains(&name.as_str()) {
                ctx.warn(
                    &child(&self.path, &name),
                    "is not a field ondeck knows: ignored",
                );
            }
        }
    }

    /// Warns that `key`, if present, is not honoured, saying why.
    pub(super) fn warn_ignored(&self, key: &str, why: &str, ctx: &mut Ctx<'_>) {
        if self.get(key).is_some() {
            ctx.warn(&child(&self.path, key), format!("not supported: {why}"));
        }
    }
}
