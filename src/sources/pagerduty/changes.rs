//! PagerDuty change events on a PagerDuty source (`change_events = true`): `GET
//! /change_events?since=&until=`, every page as the server reports it, and `GET
//! /incidents/{id}/related_change_events`, PagerDuty's own correlation of changes with a page.
//!
//! A change event names its services by reference, often without a name; the names the
//! incidents use are looked up once per service (`GET /services/{id}`) and kept, so a
//! change and a page of the same service meet. A change event has no kind: it is read from
//! its custom details (`kind`, `type`, `change_type`) or its summary's words (rollback,
//! revert, config, flag, scale), else it is a deploy.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::PagerdutySource;
use super::api::{Api, Paged, segment, success};
use crate::config::SourceConfig;
use crate::model::{Change, ChangeKind, ChangeSnapshot};
use crate::sources::SourceError;

/// Service names looked up per poll at most; the rest wait for the next poll.
const LOOKUPS_PER_POLL: usize = 20;

/// Related change events asked for: PagerDuty's documented page maximum.
const RELATED_LIMIT: usize = 100;

#[derive(Deserialize)]
struct WirePage {
    #[serde(default)]
    change_events: Vec<WireChange>,
    #[serde(default)]
    more: Option<bool>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    offset: Option<usize>,
}

#[derive(Deserialize, Clone)]
struct WireChange {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    services: Vec<WireRef>,
    #[serde(default)]
    links: Vec<WireLink>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    custom_details: Option<Value>,
    #[serde(default)]
    correlation_reason: Option<WireReason>,
}

#[derive(Deserialize, Clone)]
struct WireRef {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    summary: Option<String>,
}

#[derive(Deserialize, Clone)]
struct WireLink {
    #[serde(default)]
    href: Option<String>,
}

#[derive(Deserialize, Clone)]
struct WireReason {
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Deserialize)]
struct WireService {
    service: WireServiceBody,
}

#[derive(Deserialize)]
struct WireServiceBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    summary: Option<String>,
}

fn parse_page(body: &[u8]) -> Result<Paged<WireChange>, SourceError> {
    let page: WirePage = serde_json::from_slice(body)
        .map_err(|e| SourceError::Malformed(format!("change events: {e}")))?;
    Ok(Paged {
        items: page.change_events,
        more: page.more.unwrap_or(false),
        limit: page.limit,
        offset: page.offset,
    })
}

/// A PagerDuty source's change events.
#[derive(Clone)]
pub struct PagerdutyChanges {
    name: String,
    api: Api,
    /// Service id → name, filled as change events name services by id alone.
    names: Arc<Mutex<HashMap<String, String>>>,
}

impl PagerdutyChanges {
    /// The change events of the PagerDuty account `source` reads.
    pub fn new(source: &SourceConfig, user: &str) -> Result<Self, SourceError> {
        let pd = PagerdutySource::new(source, user)?;
        Ok(Self {
            name: pd.name,
            api: pd.api,
            names: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    /// Every change event between `since` and `until`, every page.
    pub async fn fetch(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<ChangeSnapshot, SourceError> {
        let query = [
            ("since", since.to_rfc3339_opts(SecondsFormat::Secs, true)),
            ("until", until.to_rfc3339_opts(SecondsFormat::Secs, true)),
        ];
        let gathered = self
            .api
            .gather("/change_events", &query, "change events", parse_page, |e| {
                e.id.clone()
                    .unwrap_or_else(|| format!("{:?}{:?}", e.timestamp, e.summary))
            })
            .await?;
        let mut snapshot = ChangeSnapshot::default();
        snapshot.warnings.extend(gathered.warning);
        let (changes, warnings) = self.changes(gathered.items).await;
        snapshot.changes = changes;
        snapshot.warnings.extend(warnings);
        Ok(snapshot)
    }

    /// The change events PagerDuty relates to incident `id`, with its reason in each summary.
    pub async fn related(&self, id: &str) -> Result<Vec<Change>, SourceError> {
        let path = format!("/incidents/{}/related_change_events", segment(id));
        let query = [("limit", RELATED_LIMIT.to_string())];
        let reply = self
            .api
            .http
            .send(self.api.read(&path).query(&query))
            .await?;
        if reply.status == 404 {
            return Err(SourceError::Rejected(format!(
                "PagerDuty has no incident {id}"
            )));
        }
        let page = parse_page(&success(reply)?)?;
        let (changes, _) = self.changes(page.items).await;
        Ok(changes)
    }

    /// The events as changes, one per service each names.
    async fn changes(&self, events: Vec<WireChange>) -> (Vec<Change>, Vec<String>) {
        let mut warnings = Vec::new();
        let unnamed: Vec<String> = {
            let known = self.names.lock().unwrap_or_else(PoisonError::into_inner);
            let mut ids: Vec<String> = events
                .iter()
                .flat_map(|e| &e.services)
                .filter(|s| s.summary.is_none())
                .filter_map(|s| s.id.clone())
                .filter(|id| !known.contains_key(id))
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        if unnamed.len() > LOOKUPS_PER_POLL {
            warnings.push(format!(
                "{} services of change events not named yet (ondeck looks up {LOOKUPS_PER_POLL} per refresh)",
                unnamed.len() - LOOKUPS_PER_POLL
            ));
        }
        for id in unnamed.into_iter().take(LOOKUPS_PER_POLL) {
            match self.service_name(&id).await {
                Ok(name) => {
                    self.names
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(id, name);
                }
                Err(e) => warnings.push(format!("service {id} of a change event: {e}")),
            }
        }
        let names = self
            .names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut undated = 0;
        let mut out = Vec::new();
        for event in events {
            let Some(at) = event
                .timestamp
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
            else {
                undated += 1;
                continue;
            };
            let services: Vec<String> = event
                .services
                .iter()
                .filter_map(|s| {
                    s.summary
                        .clone()
                        .or_else(|| s.id.as_ref().and_then(|id| names.get(id).cloned()))
                        .or_else(|| s.id.clone())
                })
                .collect();
            let services = if services.is_empty() {
                vec![event.source.clone().unwrap_or_else(|| "—".to_string())]
            } else {
                services
            };
            for service in services {
                out.push(self.change(&event, at, service));
            }
        }
        if undated > 0 {
            warnings.push(format!(
                "{undated} change events without a timestamp left out"
            ));
        }
        (out, warnings)
    }

    fn change(&self, event: &WireChange, at: DateTime<Utc>, service: String) -> Change {
        let details = event.custom_details.as_ref();
        let detail = |keys: &[&str]| -> Option<String> {
            let details = details?;
            keys.iter().find_map(|k| match details.get(*k)? {
                Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let mut summary = event.summary.clone().unwrap_or_default();
        if let Some(reason) = event
            .correlation_reason
            .as_ref()
            .and_then(|r| r.reason.clone())
        {
            summary = format!(
                "{summary} (PagerDuty relates it: {})",
                reason.replace('_', " ")
            );
        }
        let kind = detail(&["kind", "type", "change_type"])
            .and_then(|k| ChangeKind::parse(&k.to_lowercase()))
            .unwrap_or_else(|| kind_from_words(event.summary.as_deref().unwrap_or_default()));
        Change {
            source: self.name.clone(),
            id: format!(
                "{}:{service}",
                event
                    .id
                    .clone()
                    .unwrap_or_else(|| at.timestamp().to_string())
            ),
            at,
            service,
            kind,
            summary,
            from: detail(&["from", "previous_version", "previous_revision"]),
            to: detail(&["to", "version", "revision"]),
            link: event
                .links
                .iter()
                .find_map(|l| l.href.clone())
                .or_else(|| event.html_url.clone()),
            author: detail(&["author", "user", "deployer", "triggered_by"]),
        }
    }

    async fn service_name(&self, id: &str) -> Result<String, SourceError> {
        let path = format!("/services/{}", segment(id));
        let reply = self.api.http.send(self.api.read(&path)).await?;
        let body = success(reply)?;
        let service: WireService = serde_json::from_slice(&body)
            .map_err(|e| SourceError::Malformed(format!("service {id}: {e}")))?;
        service
            .service
            .name
            .or(service.service.summary)
            .ok_or_else(|| SourceError::Malformed(format!("service {id} has no name")))
    }
}

/// A change event's kind from its summary's words; a deploy when none says otherwise.
pub fn kind_from_words(summary: &str) -> ChangeKind {
    let text = summary.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if has(&["rollback", "roll back", "rolled back", "revert"]) {
        ChangeKind::Rollback
    } else if has(&["feature flag", "flag "]) {
        ChangeKind::Flag
    } else if has(&["config", "configuration", "setting"]) {
        ChangeKind::Config
    } else if has(&["scale", "scaled", "replicas", "autoscal"]) {
        ChangeKind::Scale
    } else {
        ChangeKind::Deploy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_events_kind_comes_from_its_words() {
        assert_eq!(
            kind_from_words("Rolled back checkout to 1.42"),
            ChangeKind::Rollback
        );
        assert_eq!(
            kind_from_words("Revert \"bump pool size\""),
            ChangeKind::Rollback
        );
        assert_eq!(kind_from_words("Config: pool 50 → 80"), ChangeKind::Config);
        assert_eq!(
            kind_from_words("Feature flag new-cart on"),
            ChangeKind::Flag
        );
        assert_eq!(
            kind_from_words("Scaled checkout to 6 replicas"),
            ChangeKind::Scale
        );
        assert_eq!(
            kind_from_words("Build Success - Increase snapshot create timeout to 30 seconds"),
            ChangeKind::Deploy
        );
    }
}
