//! Alerta's REST API over the shared [`HttpClient`]: list pages of alerts, read one alert,
//! post an action or a note, and turn Alerta's error answers into [`SourceError`]s that say
//! what to fix and never carry the API key (Alerta echoes a rejected key in its message).

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Method;
use serde_json::json;

use super::history::{HistoryPage, parse_history};
use super::map::{AlertPage, parse_alert, parse_alerts};
use crate::config::Secret;
use crate::model::Incident;
use crate::sources::SourceError;
use crate::sources::http::{Auth, ClientOptions, HttpClient, Reply};

/// Alerts asked for per page. With `show-history` each alert carries up to 100 history
/// entries, so a page stays far below the client's response cap.
pub(super) const PAGE_SIZE: u32 = 100;

/// What a write got back, before the caller decides whether it counts as done.
pub(super) enum WriteOutcome {
    /// 2xx.
    Done,
    /// 409: Alerta refuses the transition from the alert's current status; its reason.
    Conflict(String),
}

/// An Alerta API client bound to one source.
#[derive(Clone)]
pub(super) struct Api {
    http: HttpClient,
    source: String,
    key: Option<Secret>,
    has_credentials: bool,
    /// Alerts asked for per page ([`PAGE_SIZE`] unless a test asks for fewer).
    pub page_size: u32,
}

impl Api {
    /// A client for `base` on behalf of the source named `source`.
    pub fn new(base: &str, options: ClientOptions, source: &str) -> Result<Self, SourceError> {
        let (key, has_credentials) = match &options.auth {
            Auth::Token { token, .. } => (Some(token.clone()), true),
            Auth::Basic { .. } => (None, true),
            Auth::None => (None, false),
        };
        Ok(Self {
            http: HttpClient::new(base, options)?,
            source: source.to_string(),
            key,
            has_credentials,
            page_size: PAGE_SIZE,
        })
    }

    /// One page (1-based) of open and acknowledged alerts with their history, or `None` when
    /// the page no longer exists because alerts closed while paging (Alerta answers 416).
    pub async fn alerts_page(&self, page: u32) -> Result<Option<AlertPage>, SourceError> {
        let query = [
            ("status", "open".to_string()),
            ("status", "ack".to_string()),
            ("show-history", "true".to_string()),
            ("page-size", self.page_size.to_string()),
            ("page", page.to_string()),
        ];
        let reply = self
            .http
            .send(self.http.get("/alerts").query(&query))
            .await?;
        if reply.status == 416 && page > 1 {
            return Ok(None);
        }
        if !reply.is_success() {
            return Err(self.error(&reply));
        }
        parse_alerts(&reply.body, &self.source).map(Some)
    }

    /// One page (1-based) of every alert last received after `since`, whatever its status,
    /// with its history; `None` past the last page (Alerta answers 416).
    pub async fn history_page(
        &self,
        since: DateTime<Utc>,
        page: u32,
    ) -> Result<Option<HistoryPage>, SourceError> {
        let query = [
            // Alerta reads dates only in this one shape.
            (
                "from-date",
                since.to_rfc3339_opts(SecondsFormat::Millis, true),
            ),
            ("show-history", "true".to_string()),
            ("page-size", self.page_size.to_string()),
            ("page", page.to_string()),
        ];
        let reply = self
            .http
            .send(self.http.get("/alerts").query(&query))
            .await?;
        if reply.status == 416 && page > 1 {
            return Ok(None);
        }
        if !reply.is_success() {
            return Err(self.error(&reply));
        }
        parse_history(&reply.body).map(Some)
    }

    /// The alert with this id as it stands now.
    pub async fn alert(&self, id: &str) -> Result<Incident, SourceError> {
        let path = format!("/alert/{}", segment(id)?);
        let reply = self.http.send(self.http.get(&path)).await?;
        if reply.status == 404 {
            return Err(no_alert(id));
        }
        if !reply.is_success() {
            return Err(self.error(&reply));
        }
        parse_alert(&reply.body, &self.source)
    }

    /// `PUT /alert/{id}/action` with `{"action", "text"}`.
    pub async fn action(
        &self,
        id: &str,
        action: &str,
        text: &str,
    ) -> Result<WriteOutcome, SourceError> {
        let path = format!("/alert/{}/action", segment(id)?);
        let body = json!({ "action": action, "text": text });
        self.write(id, &path, &body).await
    }

    /// `GET /alert/{id}/notes`: the texts of the alert's notes.
    pub async fn note_texts(&self, id: &str) -> Result<Vec<String>, SourceError> {
        #[derive(serde::Deserialize)]
        struct Notes {
            #[serde(default)]
            notes: Vec<Note>,
        }
        #[derive(serde::Deserialize)]
        struct Note {
            #[serde(default)]
            text: String,
        }
        let path = format!("/alert/{}/notes", segment(id)?);
        let reply = self
            .http
            .send(self.http.request(Method::GET, &path))
            .await?;
        match reply.status {
            status if (200..300).contains(&status) => {
                let notes: Notes = serde_json::from_slice(&reply.body)
                    .map_err(|e| SourceError::Malformed(format!("notes of alert {id}: {e}")))?;
                Ok(notes.notes.into_iter().map(|n| n.text).collect())
            }
            404 => Err(no_alert(id)),
            _ => Err(self.error(&reply)),
        }
    }

    /// `PUT /alert/{id}/note` with `{"text"}`.
    pub async fn note(&self, id: &str, text: &str) -> Result<WriteOutcome, SourceError> {
        let path = format!("/alert/{}/note", segment(id)?);
        self.write(id, &path, &json!({ "text": text })).await
    }

    async fn write(
        &self,
        id: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<WriteOutcome, SourceError> {
        let request = self.http.request(Method::PUT, path).json(body);
        let reply = self.http.send(request).await?;
        match reply.status {
            status if (200..300).contains(&status) => Ok(WriteOutcome::Done),
            404 => Err(no_alert(id)),
            409 => match self.error(&reply) {
                SourceError::Http { message, .. } => Ok(WriteOutcome::Conflict(message)),
                other => Err(other),
            },
            _ => Err(self.error(&reply)),
        }
    }

    /// The error for a non-2xx reply: Alerta's own `message`, with the key scrubbed out, and
    /// for 401 a message that says which setting to fix.
    fn error(&self, reply: &Reply) -> SourceError {
        if reply.status == 401 {
            let message = if self.has_credentials {
                format!(
                    "Alerta did not accept the API key of source `{}`: check its token",
                    self.source
                )
            } else {
                format!(
                    "Alerta requires an API key: set a token for source `{}`",
                    self.source
                )
            };
            return SourceError::Http {
                status: 401,
                message,
            };
        }
        match reply.error() {
            SourceError::Http { status, message } => SourceError::Http {
                status,
                message: self.scrub(&message),
            },
            other => other,
        }
    }

    fn scrub(&self, text: &str) -> String {
        match &self.key {
            Some(key) if !key.expose().is_empty() => text.replace(key.expose(), "***"),
            _ => text.to_string(),
        }
    }
}

fn no_alert(id: &str) -> SourceError {
    SourceError::Rejected(format!("no alert {id}"))
}

/// Percent-encodes an alert id for use as one path segment, so an id can never reach
/// another endpoint. Empty and dot-only ids are refused: URL parsers treat `..` (even
/// encoded) as "go up".
pub(super) fn segment(id: &str) -> Result<String, SourceError> {
    if id.chars().all(|c| c == '.') {
        return Err(no_alert(id));
    }
    let mut out = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(out)
}
