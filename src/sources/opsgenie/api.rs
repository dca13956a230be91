//! The Opsgenie Alert and Who-Is-On-Call APIs over the shared [`HttpClient`]: alert lists
//! read by following `paging.next` under the shared cap, alert actions answered
//! `202 Accepted`, and the request-status check that tells whether an accepted action was
//! carried out.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{Method, RequestBuilder, Url};

use super::parse::{
    AlertPage, RequestStatus, parse_accepted, parse_alert, parse_alert_page, parse_history_page,
    parse_next_on_calls, parse_on_calls, parse_request_status,
};
use crate::model::{Incident, PastIncident};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Reply};
use crate::sources::paging::Budget;

/// Alerts asked for per page: Opsgenie's documented maximum. The server may send fewer;
/// the listing follows `paging.next`, not the page size.
pub(crate) const PAGE_LIMIT: usize = 100;
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

    /// `GET /v2/alerts?query=status:open…`, newest first, every page.
    pub(crate) async fn alerts(&self) -> Result<Listing, SourceError> {
        let query = [("query", "status:open".to_string())];
        let (incidents, warning) = self
            .gather(&query, "open alerts", |body| {
                parse_alert_page(body, &self.source)
            })
            .await?;
        Ok(Listing { incidents, warning })
    }

    /// Every alert created after `since` whatever its status now, with when it was
    /// acknowledged and closed: the history MTTA and MTTR are measured over.
    pub(crate) async fn alerts_created(
        &self,
        since: DateTime<Utc>,
    ) -> Result<(Vec<PastIncident>, Option<String>), SourceError> {
        // Opsgenie's search takes epoch milliseconds for `createdAt`.
        let query = [(
            "query",
            format!("createdAt >= {}", since.timestamp_millis()),
        )];
        self.gather(&query, "alerts of the history window", parse_history_page)
            .await
    }

    /// Reads `/v2/alerts` page after page by following each answer's `paging.next`, never by
    /// the size of a page: Opsgenie (or a proxy) may answer with fewer alerts than asked.
    /// The link's query is sent to the configured host (the link names Opsgenie's public
    /// host, which a proxy in front of it is not, and the key must not go anywhere else).
    /// An answer without `paging` is read on by offset until a page comes back empty.
    async fn gather<T: Keyed>(
        &self,
        first: &[(&str, String)],
        what: &str,
        parse: impl Fn(&[u8]) -> Result<AlertPage<T>, SourceError>,
    ) -> Result<(Vec<T>, Option<String>), SourceError> {
        let mut query: Vec<(String, String)> = first
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        query.extend([
            ("limit".to_string(), PAGE_LIMIT.to_string()),
            ("offset".to_string(), "0".to_string()),
            ("sort".to_string(), "createdAt".to_string()),
            ("order".to_string(), "desc".to_string()),
        ]);
        let mut budget = Budget::default();
        let mut items: Vec<T> = Vec::new();
        let mut seen = HashSet::new();
        loop {
            if budget.full(items.len()) || !budget.take_request() {
                let warning = budget.cut_short(items.len(), what);
                return Ok((items, Some(warning)));
            }
            let reply = self
                .http
                .send(self.http.get("/v2/alerts").query(&query))
                .await?;
            let page = parse(&success(reply)?)?;
            let returned = page.items.len();
            // New alerts shift offset pages while we read: keep each id once.
            items.extend(page.items.into_iter().filter(|i| seen.insert(i.key())));
            let next = match (page.next, page.paged) {
                (Some(link), _) => match link_query(&link) {
                    Some(next) if next != query => next,
                    Some(_) => {
                        let warning = format!(
                            "incomplete: Opsgenie linked the page just read as the next one; \
                             showing {} {what}",
                            items.len()
                        );
                        return Ok((items, Some(warning)));
                    }
                    None => {
                        let warning = format!(
                            "incomplete: Opsgenie's next-page link is not a URL; showing {} {what}",
                            items.len()
                        );
                        return Ok((items, Some(warning)));
                    }
                },
                (None, true) => return Ok((items, None)),
                (None, false) if returned == 0 => return Ok((items, None)),
                (None, false) => advance(query, returned),
            };
            query = next;
        }
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

/// What makes a listed item distinct, so an alert seen on two shifting pages counts once.
pub(crate) trait Keyed {
    fn key(&self) -> String;
}

impl Keyed for Incident {
    fn key(&self) -> String {
        self.id.clone()
    }
}

impl Keyed for PastIncident {
    fn key(&self) -> String {
        self.id.clone()
    }
}

/// The query of a `paging.next` link, absolute or relative; `None` when it is not a URL.
fn link_query(link: &str) -> Option<Vec<(String, String)>> {
    let url = match Url::parse(link) {
        Ok(url) => url,
        Err(_) => Url::parse("http://opsgenie.invalid/")
            .ok()?
            .join(link)
            .ok()?,
    };
    Some(url.query_pairs().into_owned().collect())
}

/// The same query one page further by offset: for answers without `paging` only.
fn advance(mut query: Vec<(String, String)>, returned: usize) -> Vec<(String, String)> {
    let offset = query
        .iter()
        .find(|(k, _)| k == "offset")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    query.retain(|(k, _)| k != "offset");
    query.push(("offset".to_string(), (offset + returned).to_string()));
    query
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
