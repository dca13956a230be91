//! The Opsgenie Alert and Who-Is-On-Call APIs over the shared [`HttpClient`]: offset paging
//! with a cap, alert actions answered `202 Accepted`, and the request-status check that
//! tells whether an accepted action was carried out.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::{Method, RequestBuilder};

use super::parse::{
    RequestStatus, parse_accepted, parse_alert, parse_alerts, parse_next_on_calls, parse_on_calls,
    parse_request_status,
};
use crate::model::Incident;
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Reply};

/// Alerts per page: Opsgenie's maximum.
pub(crate) const PAGE_LIMIT: usize = 100;
/// Alert pages read per poll at most (1,000 open alerts).
pub(crate) const MAX_PAGES: usize = 10;
/// The `source` ondeck names itself as on every action.
pub const SOURCE: &str = "ondeck";

/// How often, and how far apart, an accepted request's status is asked for before giving
/// up. Opsgenie usually processes a request within a second.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatusPolling {
    pub tries: u32,
    pub delay: Duration,
}

impl Default for StatusPolling {
    fn default() -> Self {
        Self {
            tries: 6,
            delay: Duration::from_millis(250),
        }
    }
}

/// An Opsgenie API client bound to one account.
#[derive(Clone)]
pub(crate) struct Api {
    http: HttpClient,
    user: String,
    source: String,
    pub polling: StatusPolling,
}

/// Every open alert, and a warning when the page cap cut the list short.
pub(crate) struct Listing {
    pub incidents: Vec<Incident>,
    pub warning: Option<String>,
}

impl Api {
    pub(crate) fn new(http: HttpClient, user: &str, source: &str) -> Self {
        Self {
            http,
            user: user.to_string(),
            source: source.to_string(),
            polling: StatusPolling::default(),
        }
    }

    /// `GET /v2/alerts?query=status:open…`, newest first, until a page comes back short.
    pub(crate) async fn alerts(&self) -> Result<Listing, SourceError> {
        let mut incidents = Vec::new();
        let mut seen = HashSet::new();
        for page in 0..MAX_PAGES {
            let query = [
                ("query", "status:open".to_string()),
                ("limit", PAGE_LIMIT.to_string()),
                ("offset", (page * PAGE_LIMIT).to_string()),
                ("sort", "createdAt".to_string()),
                ("order", "desc".to_string()),
            ];
            let reply = self
                .http
                .send(self.http.get("/v2/alerts").query(&query))
                .await?;
            let found = parse_alerts(&success(reply)?, &self.source)?;
            let full = found.len() >= PAGE_LIMIT;
            // New alerts shift offset pages while we read: skip ones already listed.
            incidents.extend(found.into_iter().filter(|i| seen.insert(i.id.clone())));
            if !full {
                return Ok(Listing {
                    incidents,
                    warning: None,
                });
            }
        }
        Ok(Listing {
            warning: Some(format!(
                "more than {} open alerts: showing the newest {}",
                MAX_PAGES * PAGE_LIMIT,
                incidents.len()
            )),
            incidents,
        })
    }

    /// `GET /v2/alerts/{id}?identifierType=id`.
    pub(crate) async fn alert(&self, id: &str) -> Result<Incident, SourceError> {
        let path = format!("/v2/alerts/{}", segment(id));
        let reply = self
            .http
            .send(self.http.get(&path).query(&[("identifierType", "id")]))
            .await?;
        if reply.status == 404 {
            return Err(unknown(id));
        }
        parse_alert(&success(reply)?, &self.source)
    }

    /// `POST /v2/alerts/{id}/<verb>?identifierType=id` with `{user, source, note}`; the
    /// accepted request's id.
    pub(crate) async fn act(
        &self,
        id: &str,
        verb: &str,
        note: Option<&str>,
    ) -> Result<String, SourceError> {
        let path = format!("/v2/alerts/{}/{verb}", segment(id));
        let mut body = serde_json::json!({ "user": self.user, "source": SOURCE });
        if let Some(note) = note {
            body["note"] = serde_json::Value::from(note);
        }
        let request = self
            .http
            .request(Method::POST, &path)
            .query(&[("identifierType", "id")])
            .json(&body);
        let reply = self.http.send(request).await?;
        if reply.status == 404 {
            return Err(unknown(id));
        }
        parse_accepted(&success(reply)?)
    }

    /// Asks for an accepted request's outcome until Opsgenie has processed it (it answers
    /// 404 until then). Still unprocessed after the last try is a timeout, which the outbox
    /// retries; actions are idempotent, so a retry is safe.
    pub(crate) async fn outcome(&self, request_id: &str) -> Result<RequestStatus, SourceError> {
        let path = format!("/v2/alerts/requests/{}", segment(request_id));
        for attempt in 0..self.polling.tries {
            if attempt > 0 {
                tokio::time::sleep(self.polling.delay).await;
            }
            let reply = self.http.send(self.http.get(&path)).await?;
            if reply.status == 404 {
                continue;
            }
            return parse_request_status(&success(reply)?);
        }
        let waited = self.polling.delay * self.polling.tries.saturating_sub(1);
        Err(SourceError::Timeout(
            u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
        ))
    }

    /// Who is on call now for the schedule named `schedule`.
    pub(crate) async fn on_calls(&self, schedule: &str) -> Result<Vec<String>, SourceError> {
        let reply = self.http.send(self.schedule(schedule, "on-calls")).await?;
        parse_on_calls(&success(reply)?)
    }

    /// Who is on call next for the schedule named `schedule`.
    pub(crate) async fn next_on_calls(&self, schedule: &str) -> Result<Vec<String>, SourceError> {
        let reply = self
            .http
            .send(self.schedule(schedule, "next-on-calls"))
            .await?;
        parse_next_on_calls(&success(reply)?)
    }

    fn schedule(&self, name: &str, what: &str) -> RequestBuilder {
        let path = format!("/v2/schedules/{}/{what}", segment(name));
        self.http
            .get(&path)
            .query(&[("scheduleIdentifierType", "name"), ("flat", "true")])
    }
}

impl Api {
    /// `GET /v2/alerts/{id}/notes?identifierType=id&order=desc&limit=100`: the newest notes'
    /// texts — enough to tell whether a note sent a moment ago arrived.
    pub(crate) async fn recent_notes(&self, id: &str) -> Result<Vec<String>, SourceError> {
        #[derive(serde::Deserialize)]
        struct Notes {
            #[serde(default)]
            data: Vec<Note>,
        }
        #[derive(serde::Deserialize)]
        struct Note {
            #[serde(default)]
            note: String,
        }
        let path = format!("/v2/alerts/{}/notes", segment(id));
        let query = [
            ("identifierType", "id"),
            ("order", "desc"),
            ("limit", "100"),
        ];
        let reply = self.http.send(self.http.get(&path).query(&query)).await?;
        if reply.status == 404 {
            return Err(unknown(id));
        }
        let body = success(reply)?;
        let notes: Notes = serde_json::from_slice(&body)
            .map_err(|e| SourceError::Malformed(format!("notes of alert {id}: {e}")))?;
        Ok(notes.data.into_iter().map(|n| n.note).collect())
    }
}

/// The error for an alert id Opsgenie does not know: not worth retrying.
pub(crate) fn unknown(id: &str) -> SourceError {
    SourceError::Rejected(format!("Opsgenie has no alert {id}"))
}

/// The body of a 2xx reply, else the reply's error (429 → rate limited with Retry-After).
fn success(reply: Reply) -> Result<Vec<u8>, SourceError> {
    if reply.is_success() {
        Ok(reply.body)
    } else {
        Err(reply.error())
    }
}

/// Percent-encodes one URL path segment, so an id or schedule name cannot change the path.
pub(crate) fn segment(text: &str) -> String {
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
