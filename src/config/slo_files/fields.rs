//! Reading one YAML document by hand, so every field ondeck does not use can be named in a
//! warning (`file: document 2 (…): slos[0].sli.plugin: …`) instead of being dropped silently,
//! and every missing or mistyped one in a problem naming the file, document and field.

use std::path::Path;

use serde_yaml_ng::Value;

/// Where warnings about one document go, and how it is named in them.
pub(super) struct Ctx<'a> {
    /// The SLO file.
    pub(super) file: &'a Path,
    /// The document as messages name it: `document 2 (apiVersion openslo/v1, kind SLO)`.
    pub(super) document: String,
    /// Warnings collected so far, each naming the file, document and field.
    pub(super) warnings: &'a mut Vec<String>,
}

/// Why a document, or one SLO of it, cannot be loaded: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Problem {
    /// Dotted path of the field in the document, empty for the document itself.
    pub(super) field: String,
    /// What is wrong and how to fix it.
    pub(super) message: String,
}

impl Ctx<'_> {
    /// A problem with `field` of this document.
    pub(super) fn error(&self, field: &str, message: impl Into<String>) -> Problem {
        Problem {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// Records a warning about `field` of this document.
    pub(super) fn warn(&mut self, field: &str, message: impl AsRef<str>) {
        let line = self.line(field, message.as_ref());
        self.warnings.push(line);
    }

    /// `file: document: field: message`, leaving out an empty field.
    pub(super) fn line(&self, field: &str, message: &str) -> String {
        let field = if field.is_empty() {
            String::new()
        } else {
            format!(" {field}:")
        };
        format!(
            "{}: {}:{field} {message}",
            self.file.display(),
            self.document
        )
    }

    /// Records `problem` as a warning that says what was skipped because of it.
    pub(super) fn skip(&mut self, problem: &Problem, skipped: &str) {
        let line = self.line(
            &problem.field,
            &format!("{} — {skipped} skipped", problem.message),
        );
        self.warnings.push(line);
    }
}

/// A value and its dotted path in the document.
#[derive(Clone)]
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

    /// The dotted path of its child `key`.
    pub(super) fn at(&self, key: &str) -> String {
        child(&self.path, key)
    }

    /// The child under `key`, if this is a mapping that has it (and it is not null).
    pub(super) fn field(&self, key: &str) -> Option<Node<'v>> {
        self.get(key).filter(|v| !v.is_null()).map(|value| Node {
            value,
            path: child(&self.path, key),
        })
    }

    /// The child that must be there.
    pub(super) fn required(&self, key: &str, ctx: &Ctx<'_>) -> Result<Node<'v>, Problem> {
        self.field(key)
            .ok_or_else(|| ctx.error(&self.at(key), "is required"))
    }

    /// The items of the sequence under `key`; an absent key is empty, another type an error.
    pub(super) fn items(&self, key: &str, ctx: &Ctx<'_>) -> Result<Vec<Node<'v>>, Problem> {
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
    pub(super) fn str(&self, key: &str, ctx: &Ctx<'_>) -> Result<Option<String>, Problem> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(ctx.error(&self.at(key), "must be a string")),
        }
    }

    /// A string field that must be there and not be blank.
    pub(super) fn required_str(&self, key: &str, ctx: &Ctx<'_>) -> Result<String, Problem> {
        match self.str(key, ctx)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(ctx.error(&self.at(key), "is required")),
        }
    }

    /// A number field, also when written as a string (`target: "99.9"`, as Kubernetes
    /// resources often quote numbers); another type is an error.
    pub(super) fn f64(&self, key: &str, ctx: &Ctx<'_>) -> Result<Option<f64>, Problem> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ctx.error(&self.at(key), format!("`{s}` is not a number"))),
            Some(_) => Err(ctx.error(&self.at(key), "must be a number")),
        }
    }

    /// A boolean field; another type is an error.
    pub(super) fn bool(&self, key: &str, ctx: &Ctx<'_>) -> Result<Option<bool>, Problem> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ctx.error(&self.at(key), "must be true or false")),
        }
    }

    /// A list of strings (`grouping: [handler]`); another type is an error.
    pub(super) fn strings(&self, key: &str, ctx: &Ctx<'_>) -> Result<Vec<String>, Problem> {
        self.items(key, ctx)?
            .into_iter()
            .map(|item| match item.value {
                Value::String(s) => Ok(s.clone()),
                _ => Err(ctx.error(&item.path, "must be a string")),
            })
            .collect()
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
}
