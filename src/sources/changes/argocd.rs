//! Argo CD application history as changes: `GET /api/v1/applications` (`project=` for each
//! configured project), authenticated with an API token (`Bearer`). The list is not paged.
//!
//! Each entry of an application's `status.history` is one sync that went live at its
//! `deployedAt`: `from` is the revision of the entry before it, and a revision going back to
//! one the history held before is a rollback (Argo CD's own rollback syncs an old entry
//! again). The application's current sync status goes in the newest change's summary, so
//! "OutOfSync" is seen beside the deploy it drifted from. The service is the application's
//! `service_label` label, else its name.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::versions::goes_back;
use crate::config::SourceConfig;
use crate::model::{Change, ChangeKind, ChangeSnapshot};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, options_for, scheme};

/// An Argo CD server's applications.
#[derive(Clone)]
pub struct ArgoChanges {
    name: String,
    http: HttpClient,
    projects: Vec<String>,
    service_label: Option<String>,
}

#[derive(Deserialize)]
struct WireList {
    #[serde(default)]
    items: Option<Vec<WireApp>>,
}

#[derive(Deserialize)]
struct WireApp {
    #[serde(default)]
    metadata: WireMeta,
    #[serde(default)]
    status: WireStatus,
}

#[derive(Deserialize, Default)]
struct WireMeta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    labels: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Deserialize, Default)]
struct WireStatus {
    #[serde(default)]
    history: Option<Vec<WireHistory>>,
    #[serde(default)]
    sync: Option<WireSync>,
}

#[derive(Deserialize)]
struct WireSync {
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct WireHistory {
    /// A number in Argo CD's JSON, a string through some gateways.
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    revision: Option<String>,
    #[serde(default)]
    revisions: Option<Vec<String>>,
    #[serde(rename = "deployedAt", default)]
    deployed_at: Option<DateTime<Utc>>,
    #[serde(rename = "initiatedBy", default)]
    initiated_by: Option<WireInitiator>,
}

#[derive(Deserialize)]
struct WireInitiator {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    automated: Option<bool>,
}

impl ArgoChanges {
    /// The applications `source` reads.
    pub fn new(source: &SourceConfig) -> Result<Self, SourceError> {
        let url = source.url.as_deref().unwrap_or_default();
        Ok(Self {
            name: source.name.clone(),
            http: HttpClient::new(url, options_for(source, scheme::BEARER)?)?,
            projects: source.changes.projects.clone(),
            service_label: source.changes.service_label.clone(),
        })
    }

    /// Every history entry that went live in `[since, until]`.
    pub async fn fetch(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<ChangeSnapshot, SourceError> {
        let query: Vec<(&str, String)> = self
            .projects
            .iter()
            .map(|p| ("project", p.clone()))
            .collect();
        let reply = self
            .http
            .send(self.http.get("/api/v1/applications").query(&query))
            .await?;
        let list: WireList = reply.json()?;
        let mut snapshot = ChangeSnapshot::default();
        let mut undated = 0;
        for app in list.items.unwrap_or_default() {
            let Some(name) = app.metadata.name.clone() else {
                continue;
            };
            let service = self
                .service_label
                .as_ref()
                .and_then(|l| app.metadata.labels.as_ref()?.get(l).cloned())
                .unwrap_or_else(|| name.clone());
            let sync = app.status.sync.and_then(|s| s.status);
            let mut history = app.status.history.unwrap_or_default();
            undated += history.iter().filter(|h| h.deployed_at.is_none()).count();
            history.retain(|h| h.deployed_at.is_some());
            history.sort_by_key(|h| (h.deployed_at, id_number(h.id.as_ref())));
            let newest = history.len().saturating_sub(1);
            let mut seen: Vec<String> = Vec::new();
            for (i, entry) in history.iter().enumerate() {
                let revision = entry
                    .revision
                    .clone()
                    .or_else(|| entry.revisions.as_ref().map(|r| r.join(",")));
                let from = seen.last().cloned();
                let earlier: Vec<&str> = seen.iter().rev().skip(1).map(String::as_str).collect();
                let back = match (&from, &revision) {
                    (Some(from), Some(to)) => goes_back(from, to, &earlier),
                    _ => false,
                };
                if let Some(revision) = &revision {
                    seen.push(revision.clone());
                }
                let Some(at) = entry.deployed_at.filter(|at| *at >= since && *at <= until) else {
                    continue;
                };
                let mut summary = format!("{name} synced");
                if i == newest
                    && let Some(sync) = &sync
                {
                    summary.push_str(&format!(" (now {sync})"));
                }
                let author = entry.initiated_by.as_ref().and_then(|by| {
                    by.username.clone().filter(|u| !u.is_empty()).or_else(|| {
                        by.automated
                            .filter(|a| *a)
                            .map(|_| "automated sync".to_string())
                    })
                });
                snapshot.changes.push(Change {
                    source: self.name.clone(),
                    id: format!(
                        "{name}:{}",
                        entry
                            .id
                            .as_ref()
                            .map_or_else(|| at.timestamp().to_string(), ToString::to_string)
                    ),
                    at,
                    service: service.clone(),
                    kind: if back {
                        ChangeKind::Rollback
                    } else {
                        ChangeKind::Deploy
                    },
                    summary,
                    from,
                    to: revision,
                    link: Some(format!("{}/applications/{name}", self.http.base())),
                    author,
                });
            }
        }
        if undated > 0 {
            snapshot.warnings.push(format!(
                "{undated} history entries without deployedAt left out"
            ));
        }
        Ok(snapshot)
    }
}

fn id_number(id: Option<&Value>) -> i64 {
    match id {
        Some(Value::Number(n)) => n.as_i64().unwrap_or_default(),
        Some(Value::String(s)) => s.parse().unwrap_or_default(),
        _ => 0,
    }
}
