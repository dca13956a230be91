//! The PagerDuty REST API v2 over the shared [`HttpClient`]: the versioned `Accept` header on
//! every request, `From:` on writes, offset paging with a page cap.

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::{Method, RequestBuilder};

use super::oncall::parse_oncalls;
use super::parse::{IncidentPage, parse_incident, parse_incidents, parse_user_id};
use super::wire::WireOncall;
use crate::model::Incident;
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Reply};

/// The versioning header PagerDuty's REST API v2 expects on every request.
pub const ACCEPT: &str = "application/vnd.pagerduty+json;version=2";
/// Incidents per page: PagerDuty's maximum.
pub(crate) const PAGE_LIMIT: usize = 100;
/// Incident pages read per poll at most (1,000 open incidents), so one poll stays a handful
/// of requests against the ~960 requests/minute account limit.
pub(crate) const MAX_PAGES: usize = 10;
/// On-call pages read per request at most.
const MAX_ONCALL_PAGES: usize = 3;

/// Which incidents a poll lists.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    pub services: Vec<String>,
    pub teams: Vec<String>,
    pub users: Vec<String>,
}

/// Every open incident (triggered or acknowledged) matching the filters, and a warning when
/// the page cap cut the list short.
pub(crate) struct Listing {
    pub page: IncidentPage,
    pub warning: Option<String>,
}

/// A PagerDuty API client bound to one account.
#[derive(Clone)]
pub(crate) struct Api {
    http: HttpClient,
    from: Option<String>,
    source: String,
}

impl Api {
    pub(crate) fn new(http: HttpClient, from: Option<String>, source: &str) -> Self {
        Self {
            http,
            from,
            source: source.to_string(),
        }
    }

    fn read(&self, path: &str) -> RequestBuilder {
        self.http.get(path).header(reqwest::header::ACCEPT, ACCEPT)
    }

    /// A write request: PagerDuty refuses writes without the acting user's email.
    fn write(&self, method: Method, path: &str) -> Result<RequestBuilder, SourceError> {
        let from = self.from.as_deref().ok_or_else(|| {
            SourceError::Rejected(format!(
                "source `{}` has no from_email; PagerDuty needs the acting user's email on writes",
                self.source
            ))
        })?;
        Ok(self
            .http
            .request(method, path)
            .header(reqwest::header::ACCEPT, ACCEPT)
            .header(reqwest::header::FROM, from))
    }

    /// `GET /incidents?statuses[]=triggered&statuses[]=acknowledged…` until `more` is false.
    pub(crate) async fn incidents(&self, filters: &Filters) -> Result<Listing, SourceError> {
        let mut all = IncidentPage {
            incidents: Vec::new(),
            more: false,
            holders: Vec::new(),
        };
        let mut seen = HashSet::new();
        for page in 0..MAX_PAGES {
            let mut query: Vec<(&str, String)> = vec![
                ("statuses[]", "triggered".into()),
                ("statuses[]", "acknowledged".into()),
                // Without it PagerDuty lists only the last month: an older open page would vanish.
                ("date_range", "all".into()),
                ("limit", PAGE_LIMIT.to_string()),
                ("offset", (page * PAGE_LIMIT).to_string()),
            ];
            query.extend(
                filters
                    .services
                    .iter()
                    .map(|s| ("service_ids[]", s.clone())),
            );
            query.extend(filters.teams.iter().map(|t| ("team_ids[]", t.clone())));
            query.extend(filters.users.iter().map(|u| ("user_ids[]", u.clone())));
            let reply = self
                .http
                .send(self.read("/incidents").query(&query))
                .await?;
            let body = success(reply)?;
            let found = parse_incidents(&body, &self.source)?;
            // Offset paging shifts while incidents change: skip ones already listed.
            for (incident, holder) in found.incidents.into_iter().zip(found.holders) {
                if seen.insert(incident.id.clone()) {
                    all.incidents.push(incident);
                    all.holders.push(holder);
                }
            }
            if !found.more {
                return Ok(Listing {
                    page: all,
                    warning: None,
                });
            }
        }
        all.more = true;
        Ok(Listing {
            warning: Some(format!(
                "more than {} open incidents: showing the first {}",
                MAX_PAGES * PAGE_LIMIT,
                all.incidents.len()
            )),
            page: all,
        })
    }

    /// `GET /oncalls?<filter>=id…&since=…&until=…`, all pages up to a cap.
    pub(crate) async fn oncalls(
        &self,
        filter: &str,
        ids: &[String],
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<WireOncall>, SourceError> {
        let mut entries = Vec::new();
        for page in 0..MAX_ONCALL_PAGES {
            let mut query: Vec<(&str, String)> =
                ids.iter().map(|id| (filter, id.clone())).collect();
            query.push(("since", since.to_rfc3339_opts(SecondsFormat::Secs, true)));
            query.push(("until", until.to_rfc3339_opts(SecondsFormat::Secs, true)));
            query.push(("limit", PAGE_LIMIT.to_string()));
            query.push(("offset", (page * PAGE_LIMIT).to_string()));
            let reply = self.http.send(self.read("/oncalls").query(&query)).await?;
            let found = parse_oncalls(&success(reply)?)?;
            let more = found.more;
            entries.extend(found.entries);
            if !more {
                break;
            }
        }
        Ok(entries)
    }

    /// The id of the PagerDuty user with this email (`GET /users?query=<email>`).
    pub(crate) async fn user_id(&self, email: &str) -> Result<String, SourceError> {
        let reply = self
            .http
            .send(self.read("/users").query(&[("query", email)]))
            .await?;
        parse_user_id(&success(reply)?, email)?.ok_or_else(|| {
            SourceError::Rejected(format!(
                "no PagerDuty user has the email {email} (assigned_to_me needs from_email to be one)"
            ))
        })
    }

    /// `GET /incidents/{id}`.
    pub(crate) async fn incident(&self, id: &str) -> Result<Incident, SourceError> {
        let path = format!("/incidents/{}", segment(id));
        let reply = self.http.send(self.read(&path)).await?;
        if reply.status == 404 {
            return Err(self.unknown(id));
        }
        parse_incident(&success(reply)?, &self.source)
    }

    /// `PUT /incidents/{id}` with a new status; the reply is returned whatever its status,
    /// so the caller can tell "already there" from a real refusal.
    pub(crate) async fn set_status(&self, id: &str, status: &str) -> Result<Reply, SourceError> {
        let path = format!("/incidents/{}", segment(id));
        let body = serde_json::json!({
            "incident": { "type": "incident_reference", "status": status }
        });
        self.http
            .send(self.write(Method::PUT, &path)?.json(&body))
            .await
    }

    /// `POST /incidents/{id}/notes`.
    pub(crate) async fn note(&self, id: &str, content: &str) -> Result<(), SourceError> {
        let path = format!("/incidents/{}/notes", segment(id));
        let body = serde_json::json!({ "note": { "content": content } });
        let reply = self
            .http
            .send(self.write(Method::POST, &path)?.json(&body))
            .await?;
        if reply.status == 404 {
            return Err(self.unknown(id));
        }
        success(reply).map(drop)
    }

    /// `GET /incidents/{id}/notes`: the contents of the incident's notes (the endpoint is not
    /// paged).
    pub(crate) async fn note_contents(&self, id: &str) -> Result<Vec<String>, SourceError> {
        #[derive(serde::Deserialize)]
        struct Notes {
            notes: Vec<Note>,
        }
        #[derive(serde::Deserialize)]
        struct Note {
            #[serde(default)]
            content: String,
        }
        let path = format!("/incidents/{}/notes", segment(id));
        let reply = self.http.send(self.read(&path)).await?;
        if reply.status == 404 {
            return Err(self.unknown(id));
        }
        let body = success(reply)?;
        let notes: Notes = serde_json::from_slice(&body)
            .map_err(|e| SourceError::Malformed(format!("notes of incident {id}: {e}")))?;
        Ok(notes.notes.into_iter().map(|n| n.content).collect())
    }

    /// The error for an incident id PagerDuty does not know: not worth retrying.
    pub(crate) fn unknown(&self, id: &str) -> SourceError {
        SourceError::Rejected(format!("PagerDuty has no incident {id}"))
    }
}

/// The body of a 2xx reply, else the reply's error (429 → rate limited with Retry-After).
pub(crate) fn success(reply: Reply) -> Result<Vec<u8>, SourceError> {
    if reply.is_success() {
        Ok(reply.body)
    } else {
        Err(reply.error())
    }
}

/// Percent-encodes one URL path segment, so an id can never change the path or query.
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
