//! OpenSLO documents other documents refer to by name: `kind: SLI` (an SLO's `indicatorRef`)
//! and `kind: DataSource` (a metric source's `metricSourceRef`). Names are looked up across
//! every file `slo_files` loads, so a team's SLIs, data sources and SLOs may live in
//! separate files of one directory.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_yaml_ng::Value;

/// Where a named document was found, for messages.
#[derive(Debug, Clone)]
pub(in crate::config::slo_files) struct Place {
    /// The file.
    pub(in crate::config::slo_files) file: PathBuf,
    /// `document 2 (…)`.
    pub(in crate::config::slo_files) document: String,
}

impl Place {
    /// `file: document 2 (…)`.
    pub(in crate::config::slo_files) fn describe(&self) -> String {
        format!("{}: {}", self.file.display(), self.document)
    }
}

/// Named SLI and DataSource documents.
#[derive(Debug, Default)]
pub(in crate::config::slo_files) struct Registry {
    /// `kind: SLI` documents by `metadata.name`: the document and where it is.
    pub(in crate::config::slo_files) slis: BTreeMap<String, (Value, Place)>,
    /// `kind: DataSource` documents by `metadata.name`.
    pub(in crate::config::slo_files) data_sources: BTreeMap<String, (Value, Place)>,
}

/// `metadata.name`, if it is a string.
pub(in crate::config::slo_files) fn name_of(doc: &Value) -> Option<&str> {
    doc.get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
}

impl Registry {
    /// Adds a named document of `kind` (`SLI` or `DataSource`); the place of the one already
    /// registered under that name when it is a duplicate.
    pub(in crate::config::slo_files) fn add(
        &mut self,
        kind: &str,
        doc: &Value,
        place: Place,
    ) -> Result<(), String> {
        let map = match kind {
            "SLI" => &mut self.slis,
            _ => &mut self.data_sources,
        };
        let Some(name) = name_of(doc) else {
            return Err("metadata.name is required: other documents refer to it by name".into());
        };
        if let Some((_, first)) = map.get(name) {
            return Err(format!(
                "a {kind} named `{name}` is already defined in {}; names must be unique",
                first.describe()
            ));
        }
        map.insert(name.to_string(), (doc.clone(), place));
        Ok(())
    }

    /// The `spec.type` of the DataSource `name`, if there is such a document.
    pub(in crate::config::slo_files) fn data_source_type(&self, name: &str) -> Option<String> {
        let (doc, _) = self.data_sources.get(name)?;
        doc.get("spec")
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }
}
