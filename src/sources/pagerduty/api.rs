//! The PagerDuty REST API v2 over the shared [`HttpClient`]: the versioned `Accept` header on
//! every request, `From:` on writes, and classic offset paging that follows the `limit`,
//! `offset` and `more` each answer reports, under the shared safety cap.

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::{Method, RequestBuilder};

use super::history::{first_ack, parse_log_entries};
use super::oncall::parse_oncalls;
use super::parse::{Holder, IncidentPage, parse_incident, parse_incidents, user_page};
use super::wire::WireOncall;
use crate::model::Incident;
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Reply};
use crate::sources::paging::{Budget, next_offset};

/// The versioning header PagerDuty's REST API v2 expects on every request.
pub const ACCEPT: &str = "application/vnd.pagerduty+json;version=2";
/// Items asked for per page: PagerDuty's documented maximum. The server may use fewer; the
/// listing follows the `limit`/`offset` it reports ([`paging::next_offset`]).
pub(crate) const PAGE_LIMIT: usize = 100;

/// Which incidents a poll lists.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    pub services: Vec<String>,
    pub teams: Vec<String>,
    pub users: Vec<String>,
}

/// Every open incident (triggered or acknowledged) matching the filters, and a warning when
/// the safety cap cut the list short.
pub(crate) struct Listing {
    pub page: IncidentPage,
    pub warning: Option<String>,
}

/// One page of any list, as the paging loop needs it.
pub(super) struct Paged<T> {
    pub(super) items: Vec<T>,
    pub(super) more: bool,
    pub(super) limit: Option<usize>,
    pub(super) offset: Option<usize>,
}

/// Everything a paged list gave, and the warning when it could not be read to its end.
pub(super) struct Gathered<T> {
    pub(super) items: Vec<T>,
    pub(super) warning: Option<String>,
}

/// A PagerDuty API client bound to one account.
#[derive(Clone)]
pub(crate) struct Api {
    pub(super) http: HttpClient,
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

    pub(super) fn read(&self, path: &str) -> RequestBuilder {
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

    /// Reads a classic offset-paged list to its end: each next page starts where the server
    /// says this one ended, until `more` is false. Items already listed (offset pages shift
    /// while incidents change) are kept once, by `key`. Stops at the [`Budget`] with a
    /// warning naming `what`.
    pub(super) async fn gather<T>(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
        parse: impl Fn(&[u8]) -> Result<Paged<T>, SourceError>,
        key: impl Fn(&T) -> String,
    ) -> Result<Gathered<T>, SourceError> {
        let mut budget = Budget::default();
        let mut items = Vec::new();
        let mut seen = HashSet::new();
        let mut offset = 0;
        loop {
            if budget.full(items.len()) || !budget.take_request() {
                let warning = budget.cut_short(items.len(), what);
                return Ok(Gathered {
                    items,
                    warning: Some(warning),
                });
            }
            let mut page_query = query.to_vec();
            page_query.push(("limit", PAGE_LIMIT.to_string()));
            page_query.push(("offset", offset.to_string()));
            let reply = self.http.send(self.read(path).query(&page_query)).await?;
            let page = parse(&success(reply)?)?;
            let returned = page.items.len();
            items.extend(page.items.into_iter().filter(|item| seen.insert(key(item))));
            if !page.more {
                return Ok(Gathered {
                    items,
                    warning: None,
                });
            }
            match next_offset(offset, page.offset, page.limit, returned) {
                Some(next) => offset = next,
                None => {
                    let warning = format!(
                        "incomplete: PagerDuty said more {what} follow but its page at offset \
                         {offset} gave no way on; showing {}",
                        items.len()
                    );
                    return Ok(Gathered {
                        items,
                        warning: Some(warning),
                    });
                }
            }
        }
    }

    /// `GET /incidents?statuses[]=triggered&statuses[]=acknowledged…`, every page.
    pub(crate) async fn incidents(&self, filters: &Filters) -> Result<Listing, SourceError> {
        let mut query: Vec<(&str, String)> = vec![
            ("statuses[]", "triggered".into()),
            ("statuses[]", "acknowledged".into()),
            // Without it PagerDuty lists only the last month: an older open page would vanish.
            ("date_range", "all".into()),
        ];
        query.extend(filters.query());
        let gathered = self
            .gather(
                "/incidents",
                &query,
                "open incidents",
                self.incident_page(),
                |(i, _)| i.id.clone(),
            )
            .await?;
        let (incidents, holders) = gathered.items.into_iter().unzip();
        Ok(Listing {
            page: IncidentPage {
                incidents,
                more: gathered.warning.is_some(),
                limit: None,
                offset: None,
                holders,
            },
            warning: gathered.warning,
        })
    }

    /// Every incident created between `since` and `until` whatever its status now (the
    /// history MTTA and MTTR are measured over), every page.
    pub(crate) async fn incidents_created(
        &self,
        filters: &Filters,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<(Vec<Incident>, Option<String>), SourceError> {
        let mut query: Vec<(&str, String)> = vec![
            ("statuses[]", "triggered".into()),
            ("statuses[]", "acknowledged".into()),
            ("statuses[]", "resolved".into()),
            ("since", since.to_rfc3339_opts(SecondsFormat::Secs, true)),
            ("until", until.to_rfc3339_opts(SecondsFormat::Secs, true)),
        ];
        query.extend(filters.query());
        let gathered = self
            .gather(
                "/incidents",
                &query,
                "incidents of the history window",
                self.incident_page(),
                |(i, _)| i.id.clone(),
            )
            .await?;
        let incidents = gathered.items.into_iter().map(|(i, _)| i).collect();
        Ok((incidents, gathered.warning))
    }

    fn incident_page(
        &self,
    ) -> impl Fn(&[u8]) -> Result<Paged<(Incident, Holder)>, SourceError> + use<'_> {
        |body| {
            let page = parse_incidents(body, &self.source)?;
            Ok(Paged {
                items: page.incidents.into_iter().zip(page.holders).collect(),
                more: page.more,
                limit: page.limit,
                offset: page.offset,
            })
        }
    }

    /// `GET /oncalls?<filter>=id…&since=…&until=…`, every page; the warning when the cap
    /// stopped it.
    pub(crate) async fn oncalls(
        &self,
        filter: &str,
        ids: &[String],
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<(Vec<WireOncall>, Option<String>), SourceError> {
        let mut query: Vec<(&str, String)> = ids.iter().map(|id| (filter, id.clone())).collect();
        query.push(("since", since.to_rfc3339_opts(SecondsFormat::Secs, true)));
        query.push(("until", until.to_rfc3339_opts(SecondsFormat::Secs, true)));
        let parse = |body: &[u8]| {
            let page = parse_oncalls(body)?;
            Ok(Paged {
                items: page.entries,
                more: page.more,
                limit: page.limit,
                offset: page.offset,
            })
        };
        let gathered = self
            .gather("/oncalls", &query, "on-call shifts", parse, shift_key)
            .await?;
        Ok((gathered.items, gathered.warning))
    }

    /// When incident `id` was first acknowledged, from its log (`None`: never was).
    pub(crate) async fn first_acknowledgement(
        &self,
        id: &str,
    ) -> Result<Option<DateTime<Utc>>, SourceError> {
        let path = format!("/incidents/{}/log_entries", segment(id));
        let query = [("is_overview", "true".to_string())];
        let parse = |body: &[u8]| {
            let page = parse_log_entries(body)?;
            Ok(Paged {
                items: page.log_entries,
                more: page.paging.more,
                limit: page.paging.limit,
                offset: page.paging.offset,
            })
        };
        let gathered = self
            .gather(&path, &query, "log entries", parse, |e| {
                format!("{}|{}", e.kind, e.created_at)
            })
            .await?;
        Ok(first_ack(&gathered.items))
    }

    /// The id of the PagerDuty user with this email (`GET /users?query=<email>`), reading on
    /// while the match is not on the page and PagerDuty has more.
    pub(crate) async fn user_id(&self, email: &str) -> Result<String, SourceError> {
        let mut budget = Budget::default();
        let mut offset = 0;
        while budget.take_request() {
            let query = [("query", email.to_string()), ("offset", offset.to_string())];
            let reply = self.http.send(self.read("/users").query(&query)).await?;
            let (found, paging, returned) = user_page(&success(reply)?, email)?;
            if let Some(id) = found {
                return Ok(id);
            }
            if !paging.more {
                break;
            }
            match next_offset(offset, paging.offset, paging.limit, returned) {
                Some(next) => offset = next,
                None => break,
            }
        }
        Err(SourceError::Rejected(format!(
            "no PagerDuty user has the email {email} (assigned_to_me needs from_email to be one)"
        )))
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

    /// A write (`PUT`/`POST` with a JSON body, the `From` header of the acting user); the
    /// reply whatever its status.
    pub(crate) async fn send_write(
        &self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<Reply, SourceError> {
        self.http.send(self.write(method, path)?.json(body)).await
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

impl Filters {
    /// The filters as `/incidents` query parameters.
    fn query(&self) -> Vec<(&'static str, String)> {
        let services = self.services.iter().map(|s| ("service_ids[]", s.clone()));
        let teams = self.teams.iter().map(|t| ("team_ids[]", t.clone()));
        let users = self.users.iter().map(|u| ("user_ids[]", u.clone()));
        services.chain(teams).chain(users).collect()
    }
}

/// What makes one on-call shift distinct, so a shift seen on two shifting pages counts once.
fn shift_key(entry: &WireOncall) -> String {
    let id = |r: &Option<super::wire::Reference>| {
        r.as_ref().and_then(|r| r.id.clone()).unwrap_or_default()
    };
    format!(
        "{}|{}|{}|{:?}|{:?}|{:?}",
        id(&entry.user),
        id(&entry.schedule),
        id(&entry.escalation_policy),
        entry.escalation_level,
        entry.start,
        entry.end
    )
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
