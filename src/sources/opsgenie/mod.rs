//! Opsgenie as an incident source. (Skeleton: the API mapping is being written.)

use crate::config::SourceConfig;
use crate::model::{Incident, IncidentAction};
use crate::sources::{IncidentSource, SourceError};

/// A configured Opsgenie source.
#[derive(Clone)]
pub struct OpsgenieSource {
    name: String,
}

impl OpsgenieSource {
    /// Builds the client from the source's config; `user` is who acts (the config's `user`).
    pub fn new(source: &SourceConfig, user: &str) -> Result<Self, SourceError> {
        let _ = user;
        Ok(Self {
            name: source.name.clone(),
        })
    }
}

impl IncidentSource for OpsgenieSource {
    async fn fetch_incidents(&self) -> Result<Vec<Incident>, SourceError> {
        Err(SourceError::Rejected(format!(
            "{}: not implemented yet",
            self.name
        )))
    }

    async fn apply(
        &self,
        _incident_id: &str,
        _action: IncidentAction,
        _note: Option<&str>,
    ) -> Result<(), SourceError> {
        Err(SourceError::Rejected(format!(
            "{}: not implemented yet",
            self.name
        )))
    }
}
