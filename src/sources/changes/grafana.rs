//! Grafana annotations as changes: `GET /api/annotations?from=&to=&type=annotation&tags=…
//! &limit=` (epoch milliseconds), authenticated with a service account token (`Bearer`).
//!
//! The API has no offset: it answers the newest annotations first, at most `limit` of them.
//! The reader pages by time — the next request ends (`to`) at the oldest annotation seen —
//! and stops only when a page brings nothing new, so a server (or proxy) that answers fewer
//! than asked never cuts the list short unnoticed. The service is the value of the
//! `<service_label>:<name>` tag (default `service:`); the kind is a tag naming one
//! (`rollback`, `config`, `flag`, `scale` before `deploy`, which is often every annotation's
//! filter tag), else a deploy; the version, `version:` and `from:` tags.

use std::collections::HashSet;

use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;

use crate::config::SourceConfig;
use crate::model::{Change, ChangeKind, ChangeSnapshot};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, options_for, scheme};
use crate::sources::paging::Budget;

/// Annotations asked for per request.
pub const PAGE_LIMIT: usize = 100;

/// A Grafana source.
#[derive(Clone)]
pub struct GrafanaChanges {
    name: String,
    http: HttpClient,
    tags: Vec<String>,
    service_label: String,
}

#[derive(Deserialize)]
struct WireAnnotation {
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    time: Option<i64>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    login: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(rename = "dashboardUID", default)]
    dashboard_uid: Option<String>,
    #[serde(rename = "panelId", default)]
    panel_id: Option<i64>,
}

impl GrafanaChanges {
    /// The annotations `source` reads.
    pub fn new(source: &SourceConfig) -> Result<Self, SourceError> {
        let url = source.url.as_deref().unwrap_or_default();
        Ok(Self {
            name: source.name.clone(),
            http: HttpClient::new(url, options_for(source, scheme::BEARER)?)?,
            tags: source.changes.tags.clone(),
            service_label: source
                .changes
                .service_label
                .clone()
                .unwrap_or_else(|| "service".to_string()),
        })
    }

    /// Every annotation between `since` and `until` carrying the configured tags.
    pub async fn fetch(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<ChangeSnapshot, SourceError> {
        let mut budget = Budget::default();
        let mut seen = HashSet::new();
        let mut snapshot = ChangeSnapshot::default();
        let mut to = until.timestamp_millis();
        let from = since.timestamp_millis();
        let mut untagged = 0;
        loop {
            if budget.full(seen.len()) || !budget.take_request() {
                snapshot
                    .warnings
                    .push(budget.cut_short(seen.len(), "annotations"));
                break;
            }
            let mut query: Vec<(&str, String)> = vec![
                ("from", from.to_string()),
                ("to", to.to_string()),
                ("type", "annotation".to_string()),
                ("limit", PAGE_LIMIT.to_string()),
            ];
            query.extend(self.tags.iter().map(|t| ("tags", t.clone())));
            let reply = self
                .http
                .send(self.http.get("/api/annotations").query(&query))
                .await?;
            let page: Vec<WireAnnotation> = reply.json()?;
            let mut fresh = 0;
            let mut oldest = to;
            for annotation in page {
                let Some(time) = annotation.time else {
                    continue;
                };
                oldest = oldest.min(time);
                let key = annotation.id.map_or_else(
                    || format!("{time}:{:?}", annotation.text),
                    |id| id.to_string(),
                );
                if !seen.insert(key.clone()) {
                    continue;
                }
                fresh += 1;
                match self.change(&annotation, key, time) {
                    Some(change) if change.at >= since && change.at <= until => {
                        snapshot.changes.push(change);
                    }
                    Some(_) => {}
                    None => untagged += 1,
                }
            }
            if fresh == 0 {
                break;
            }
            // The next page ends at the oldest seen: annotations at that same millisecond
            // come again and are skipped by id.
            to = oldest;
        }
        if untagged > 0 {
            snapshot.warnings.push(format!(
                "{untagged} annotations without a `{}:` tag naming their service left out",
                self.service_label
            ));
        }
        Ok(snapshot)
    }

    fn change(&self, a: &WireAnnotation, key: String, time: i64) -> Option<Change> {
        let tag = |name: &str| {
            let prefix = format!("{name}:");
            a.tags
                .iter()
                .find_map(|t| t.strip_prefix(&prefix).map(|v| v.trim().to_string()))
                .filter(|v| !v.is_empty())
        };
        let service = tag(&self.service_label)?;
        // `deploy` is often the tag every annotation of the query carries; a more specific
        // kind beside it wins.
        let kind = a
            .tags
            .iter()
            .filter_map(|t| ChangeKind::parse(&t.to_lowercase()))
            .chain(tag("kind").and_then(|k| ChangeKind::parse(&k.to_lowercase())))
            .max_by_key(|k| match k {
                ChangeKind::Deploy => 0,
                other => 1 + other.weight(),
            })
            .unwrap_or(ChangeKind::Deploy);
        let at = Utc.timestamp_millis_opt(time).single()?;
        let link = a.dashboard_uid.as_ref().map(|uid| {
            let panel = a
                .panel_id
                .map_or(String::new(), |p| format!("&viewPanel={p}"));
            format!(
                "{}/d/{uid}?from={}&to={}{panel}",
                self.http.base(),
                time - 3_600_000,
                time + 3_600_000
            )
        });
        Some(Change {
            source: self.name.clone(),
            id: key,
            at,
            service,
            kind,
            summary: a.text.clone().unwrap_or_default(),
            from: tag("from"),
            to: tag("version").or_else(|| tag("to")),
            link,
            author: a.login.clone().or_else(|| a.email.clone()),
        })
    }
}
