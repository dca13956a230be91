//! The four Alertmanager API v2 calls ondeck makes, over the shared [`HttpClient`]: list
//! alerts, list silences, create or update a silence, expire a silence.

use reqwest::Method;

use super::wire::{
    Alert, GettableSilence, PostableSilence, parse_alerts, parse_silence_id, parse_silences,
};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Reply};

/// Every alert still firing, whether it notifies, is silenced, inhibited or not yet routed.
const ALERTS: &str = "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true";
const SILENCES: &str = "/api/v2/silences";

/// An Alertmanager API v2 client bound to one base URL.
#[derive(Clone)]
pub struct Api {
    http: HttpClient,
}

impl Api {
    /// A client over `http`, whose base is the Alertmanager URL (without `/api/v2`).
    pub fn new(http: HttpClient) -> Self {
        Self { http }
    }

    /// `GET /api/v2/alerts`: every firing alert.
    pub async fn alerts(&self) -> Result<Vec<Alert>, SourceError> {
        let reply = self.http.send(self.http.get(ALERTS)).await?;
        parse_alerts(success(&reply)?)
    }

    /// `GET /api/v2/silences`: every silence, expired ones included.
    pub async fn silences(&self) -> Result<Vec<GettableSilence>, SourceError> {
        let reply = self.http.send(self.http.get(SILENCES)).await?;
        parse_silences(success(&reply)?)
    }

    /// `POST /api/v2/silences`: creates a silence, or updates the one `silence.id` names.
    /// Returns the silence id Alertmanager answers with.
    pub async fn post_silence(&self, silence: &PostableSilence) -> Result<String, SourceError> {
        let request = self.http.request(Method::POST, SILENCES).json(silence);
        let reply = self.http.send(request).await?;
        parse_silence_id(success(&reply)?)
    }

    /// `DELETE /api/v2/silence/{id}`: expires the silence. A silence that is already gone
    /// counts as expired, so a retried un-acknowledge succeeds.
    pub async fn expire(&self, id: &str) -> Result<(), SourceError> {
        let path = format!("/api/v2/silence/{}", encode_segment(id));
        let reply = self
            .http
            .send(self.http.request(Method::DELETE, &path))
            .await?;
        if reply.is_success() || is_not_found(&reply) {
            return Ok(());
        }
        Err(reply.error())
    }
}

/// The body of a 2xx reply; any other status is its [`Reply::error`] (4xx not retried, 5xx
/// and 429 retried).
fn success(reply: &Reply) -> Result<&[u8], SourceError> {
    if reply.is_success() {
        Ok(&reply.body)
    } else {
        Err(reply.error())
    }
}

/// Alertmanager 0.25 answers an unknown silence id with HTTP 500 "silence not found";
/// newer releases with 404. Either way there is nothing left to expire.
fn is_not_found(reply: &Reply) -> bool {
    reply.status == 404
        || (reply.status == 500 && String::from_utf8_lossy(&reply.body).contains("not found"))
}

/// Percent-encodes everything but letters, digits, `-`, `_` and `~` (dots too, so an id
/// cannot be a `..` segment): an id cannot change the path.
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'~') {
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
    fn silence_ids_cannot_escape_their_path_segment() {
        assert_eq!(
            encode_segment("81209f0b-84ca-464a-839a-13b4378e4d54"),
            "81209f0b-84ca-464a-839a-13b4378e4d54"
        );
        assert_eq!(encode_segment("../alerts?x=1"), "%2E%2E%2Falerts%3Fx%3D1");
    }

    #[test]
    fn a_silence_already_gone_is_not_an_error() {
        let reply = |status, body: &str| Reply {
            status,
            content_type: None,
            retry_after: None,
            location: None,
            link: None,
            body: body.as_bytes().to_vec(),
        };
        assert!(is_not_found(&reply(500, "\"silence not found\"")));
        assert!(is_not_found(&reply(404, "")));
        assert!(!is_not_found(&reply(500, "\"internal error\"")));
    }
}
