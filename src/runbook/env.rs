//! The context a step's command gets: the incident's fields and labels as `ONDECK_*`
//! environment variables. Values are never spliced into the command text, so a label like
//! `$(rm -rf ~)` reaches the shell as inert data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Incident;

/// The incident a runbook is open for, as its steps see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentContext {
    /// Source name.
    pub source: String,
    /// Incident id within the source.
    pub id: String,
    /// One-line summary.
    pub title: String,
    /// Affected service.
    pub service: String,
    /// Labels from the backend.
    pub labels: BTreeMap<String, String>,
}

impl IncidentContext {
    /// The context of an incident.
    pub fn of(incident: &Incident) -> Self {
        Self {
            source: incident.source.clone(),
            id: incident.id.clone(),
            title: incident.title.clone(),
            service: incident.service.clone(),
            labels: incident.labels.clone(),
        }
    }

    /// The variables a step's command runs with, sorted by name.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut vars: BTreeMap<String, String> = self
            .labels
            .iter()
            .map(|(k, v)| (format!("ONDECK_LABEL_{}", env_name(k)), v.clone()))
            .collect();
        vars.insert("ONDECK_INCIDENT_ID".into(), self.id.clone());
        vars.insert("ONDECK_INCIDENT_TITLE".into(), self.title.clone());
        vars.insert("ONDECK_SERVICE".into(), self.service.clone());
        vars.insert("ONDECK_SOURCE".into(), self.source.clone());
        vars.into_iter().collect()
    }
}

/// A label name as an environment variable suffix: upper-cased, anything but ASCII letters
/// and digits turned into `_`.
pub fn env_name(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_upper_case_variables_with_safe_names() {
        assert_eq!(env_name("k8s.io/app-name"), "K8S_IO_APP_NAME");
        let ctx = IncidentContext {
            source: "demo".into(),
            id: "DEMO-1".into(),
            title: "t".into(),
            service: "checkout".into(),
            labels: [("alertname".to_string(), "HighErrorRate".to_string())].into(),
        };
        let env = ctx.env();
        assert!(env.contains(&("ONDECK_LABEL_ALERTNAME".into(), "HighErrorRate".into())));
        assert!(env.contains(&("ONDECK_SERVICE".into(), "checkout".into())));
        assert_eq!(env.len(), 5);
    }
}
