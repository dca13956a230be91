//! Builds the change backend of one configured source: its change queries, change events or
//! its whole self (the change-only kinds). The demo registers its own with its other feeds.

use super::ChangeBackend;
use super::argocd::ArgoChanges;
use super::command::CommandChanges;
use super::github::GithubChanges;
use super::grafana::GrafanaChanges;
use super::prometheus::PrometheusChanges;
use crate::config::{Config, SourceConfig, SourceKind};
use crate::sources::pagerduty::PagerdutyChanges;
use crate::sources::{Backends, SourceError};

/// Registers `source`'s changes feed, if it has one.
pub fn add(
    backends: &mut Backends,
    source: &SourceConfig,
    config: &Config,
) -> Result<(), SourceError> {
    let backend = match source.kind {
        SourceKind::Prometheus => ChangeBackend::Prometheus(PrometheusChanges::new(source)?),
        SourceKind::Pagerduty => {
            ChangeBackend::Pagerduty(PagerdutyChanges::new(source, &config.user)?)
        }
        SourceKind::Grafana => ChangeBackend::Grafana(GrafanaChanges::new(source)?),
        SourceKind::Github => ChangeBackend::Github(GithubChanges::new(source)?),
        SourceKind::Argocd => ChangeBackend::Argocd(ArgoChanges::new(source)?),
        SourceKind::Command => ChangeBackend::Command(CommandChanges::new(source)),
        _ => return Ok(()),
    };
    backends.changes.push((crate::setup::meta(source), backend));
    Ok(())
}
