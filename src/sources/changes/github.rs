//! GitHub Deployments as changes: `GET /repos/{owner}/{repo}/deployments` (newest first,
//! paged by the `Link` header's `rel="next"`, never by guessing page numbers) and, for each
//! deployment in the window, `GET /repos/{owner}/{repo}/deployments/{id}/statuses` for when
//! it went live (its first `success`) or how it failed.
//!
//! `from` is the commit of the previous deployment that went live to the same environment; a
//! deployment of a commit that was live before is a rollback. A deployment that never went
//! live is listed with its state, at its creation. Requests carry GitHub's documented
//! `Accept: application/vnd.github+json` and `X-GitHub-Api-Version`, and a token as `Bearer`.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::versions::goes_back;
use crate::config::SourceConfig;
use crate::config::changes::GITHUB_API;
use crate::model::{Change, ChangeKind, ChangeSnapshot};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Reply, options_for, scheme};
use crate::sources::paging::Budget;

/// The media type GitHub documents for its REST API.
pub const ACCEPT: &str = "application/vnd.github+json";
/// The REST API version ondeck is written against.
pub const API_VERSION: &str = "2022-11-28";
/// Items asked for per page: GitHub's maximum.
const PER_PAGE: usize = 100;
/// Older deployments read past the window to find the one live before it.
const BEFORE_WINDOW: usize = 5;

/// A GitHub repository's deployments.
#[derive(Clone)]
pub struct GithubChanges {
    name: String,
    http: HttpClient,
    repo: String,
    environment: Option<String>,
    service: String,
}

#[derive(Deserialize, Clone)]
struct WireDeployment {
    id: i64,
    #[serde(default)]
    sha: Option<String>,
    #[serde(rename = "ref", default)]
    git_ref: Option<String>,
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    creator: Option<WireUser>,
    created_at: DateTime<Utc>,
}

#[derive(Deserialize, Clone)]
struct WireUser {
    #[serde(default)]
    login: Option<String>,
}

#[derive(Deserialize)]
struct WireStatus {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    log_url: Option<String>,
    #[serde(default)]
    target_url: Option<String>,
}

/// What a deployment's statuses say.
struct Outcome {
    /// Its first `success`: when it went live.
    live_at: Option<DateTime<Utc>>,
    /// Its latest state.
    state: String,
    /// A link to its log.
    link: Option<String>,
}

/// The `rel="next"` target of a `Link` header, if any.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

impl GithubChanges {
    /// The deployments of `source`'s repository.
    pub fn new(source: &SourceConfig) -> Result<Self, SourceError> {
        let url = source.url.as_deref().unwrap_or(GITHUB_API);
        let repo = source.changes.repo.clone().unwrap_or_default();
        let service = source
            .changes
            .service
            .clone()
            .or_else(|| repo.split('/').nth(1).map(str::to_string))
            .unwrap_or_default();
        Ok(Self {
            name: source.name.clone(),
            http: HttpClient::new(url, options_for(source, scheme::BEARER)?)?,
            repo,
            environment: source.changes.environment.clone(),
            service,
        })
    }

    async fn get(&self, path: &str) -> Result<Reply, SourceError> {
        let request = self
            .http
            .get(path)
            .header(reqwest::header::ACCEPT, ACCEPT)
            .header("X-GitHub-Api-Version", API_VERSION);
        let reply = self.http.send(request).await?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(reply.error())
        }
    }

    /// The deployments created since `since` (newest first), and a few before it.
    async fn deployments(
        &self,
        since: DateTime<Utc>,
        budget: &mut Budget,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<WireDeployment>, SourceError> {
        let mut path = format!("/repos/{}/deployments?per_page={PER_PAGE}", self.repo);
        if let Some(environment) = &self.environment {
            path.push_str("&environment=");
            path.push_str(&encode(environment));
        }
        let mut out: Vec<WireDeployment> = Vec::new();
        loop {
            if budget.full(out.len()) || !budget.take_request() {
                warnings.push(budget.cut_short(out.len(), "deployments"));
                return Ok(out);
            }
            let reply = self.get(&path).await?;
            let page: Vec<WireDeployment> = reply.json()?;
            out.extend(
                page.into_iter()
                    .filter(|d| self.environment.is_none() || d.environment == self.environment),
            );
            let older = out.iter().filter(|d| d.created_at < since).count();
            if older >= BEFORE_WINDOW {
                return Ok(out);
            }
            let Some(next) = reply.link.as_deref().and_then(next_link) else {
                return Ok(out);
            };
            match next.strip_prefix(self.http.base()) {
                Some(rest) if rest.starts_with('/') => path = rest.to_string(),
                _ => {
                    // The token goes only to the configured host.
                    warnings.push(format!(
                        "GitHub's next page of deployments is not under {}; not followed",
                        self.http.base()
                    ));
                    return Ok(out);
                }
            }
        }
    }

    async fn outcome(&self, id: i64) -> Result<Outcome, SourceError> {
        let path = format!(
            "/repos/{}/deployments/{id}/statuses?per_page={PER_PAGE}",
            self.repo
        );
        let statuses: Vec<WireStatus> = self.get(&path).await?.json()?;
        let dated = statuses.iter().filter_map(|s| Some((s.created_at?, s)));
        let latest = dated.clone().max_by_key(|(at, _)| *at).map(|(_, s)| s);
        let live_at = dated
            .clone()
            .filter(|(_, s)| s.state.as_deref() == Some("success"))
            .map(|(at, _)| at)
            .min();
        Ok(Outcome {
            live_at,
            state: latest
                .and_then(|s| s.state.clone())
                .unwrap_or_else(|| "no status".to_string()),
            link: latest.and_then(|s| s.log_url.clone().or_else(|| s.target_url.clone())),
        })
    }

    /// Every deployment in `[since, until]`.
    pub async fn fetch(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<ChangeSnapshot, SourceError> {
        let mut budget = Budget::default();
        let mut snapshot = ChangeSnapshot::default();
        let mut deployments = self
            .deployments(since, &mut budget, &mut snapshot.warnings)
            .await?;
        deployments.retain(|d| d.created_at <= until);
        // Oldest first, so each knows what was live before it.
        deployments.sort_by_key(|d| (d.created_at, d.id));
        let mut live: Vec<String> = Vec::new();
        for deployment in deployments {
            if !budget.take_request() {
                snapshot
                    .warnings
                    .push(budget.cut_short(snapshot.changes.len(), "deployment statuses"));
                break;
            }
            let outcome = self.outcome(deployment.id).await?;
            let sha = deployment.sha.clone().unwrap_or_default();
            let from = live.last().cloned();
            let at = outcome.live_at.unwrap_or(deployment.created_at);
            if at >= since && at <= until {
                snapshot
                    .changes
                    .push(self.change(&deployment, &outcome, at, from, &live));
            }
            if outcome.live_at.is_some() && !sha.is_empty() {
                live.push(sha);
            }
        }
        Ok(snapshot)
    }

    fn change(
        &self,
        d: &WireDeployment,
        outcome: &Outcome,
        at: DateTime<Utc>,
        from: Option<String>,
        live: &[String],
    ) -> Change {
        let to = d.sha.clone();
        let earlier: Vec<&str> = live.iter().rev().skip(1).map(String::as_str).collect();
        let back = match (&from, &to) {
            (Some(from), Some(to)) => goes_back(from, to, &earlier),
            _ => false,
        };
        let kind = if back {
            ChangeKind::Rollback
        } else {
            ChangeKind::Deploy
        };
        let environment = d.environment.clone().unwrap_or_default();
        let git_ref = d.git_ref.clone().unwrap_or_default();
        let mut summary = format!("{git_ref} to {environment}");
        if let Some(description) = d.description.as_deref().filter(|t| !t.trim().is_empty()) {
            summary.push_str(&format!(": {description}"));
        }
        if outcome.live_at.is_none() {
            summary.push_str(&format!(" ({}, never live)", outcome.state));
        }
        Change {
            source: self.name.clone(),
            id: d.id.to_string(),
            at,
            service: self.service.clone(),
            kind,
            summary,
            from,
            to,
            link: outcome.link.clone(),
            author: d.creator.as_ref().and_then(|c| c.login.clone()),
        }
    }
}

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_is_the_link_marked_next() {
        let header = "<https://api.github.com/repositories/1/deployments?per_page=100&page=2>; \
                      rel=\"next\", <https://api.github.com/repositories/1/deployments?per_page=100&page=5>; rel=\"last\"";
        assert_eq!(
            next_link(header).as_deref(),
            Some("https://api.github.com/repositories/1/deployments?per_page=100&page=2")
        );
        assert_eq!(next_link("<https://x/?page=1>; rel=\"prev\""), None);
        assert_eq!(encode("prod east"), "prod%20east");
    }
}
