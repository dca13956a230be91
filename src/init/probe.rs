//! Probing a backend before writing it into the config: does it answer, does it accept the
//! credentials, which version is it. Each probe asks one cheap question the backend's API
//! documents, with the same client and credentials the configured source will use.

use serde_json::Value;

use crate::config::{SourceConfig, SourceKind};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, options_for, scheme};

/// What one probe found.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The source's name.
    pub source: String,
    /// Whether the backend answered and accepted the credentials.
    pub ok: bool,
    /// The version it reported, or why it did not answer, in words.
    pub detail: String,
}

/// The path a backend answers cheaply, and the JSON pointer of its version (if it has one).
fn question(kind: SourceKind) -> Option<(&'static str, Option<&'static str>, &'static str)> {
    match kind {
        SourceKind::Prometheus => Some((
            "/api/v1/status/buildinfo",
            Some("/data/version"),
            scheme::BEARER,
        )),
        SourceKind::Alertmanager => Some((
            "/api/v2/status",
            Some("/versionInfo/version"),
            scheme::BEARER,
        )),
        SourceKind::Pagerduty => Some(("/incidents?limit=1", None, scheme::PAGERDUTY)),
        _ => None,
    }
}

/// Asks `source` its question.
pub async fn probe(source: &SourceConfig) -> Probe {
    let outcome = ask(source).await;
    let (ok, detail) = match outcome {
        Ok(Some(version)) => (true, format!("answers, version {version}")),
        Ok(None) => (true, "answers and accepts the token".to_string()),
        Err(SourceError::Http { status, .. }) if status == 401 || status == 403 => (
            false,
            format!(
                "refused the credentials (HTTP {status}): check the token's variable{}",
                source
                    .token
                    .as_ref()
                    .map(|t| format!(" ({})", t.describe()))
                    .unwrap_or_default()
            ),
        ),
        Err(error) => (false, error.to_string()),
    };
    Probe {
        source: source.name.clone(),
        ok,
        detail,
    }
}

async fn ask(source: &SourceConfig) -> Result<Option<String>, SourceError> {
    let Some((path, version, token_scheme)) = question(source.kind) else {
        return Ok(None);
    };
    let url = source.url.as_deref().unwrap_or_default();
    let http = HttpClient::new(url, options_for(source, token_scheme)?)?;
    let mut request = http.get(path);
    if source.kind == SourceKind::Pagerduty {
        request = request.header(
            reqwest::header::ACCEPT,
            "application/vnd.pagerduty+json;version=2",
        );
    }
    let reply = http.send(request).await?;
    if !reply.is_success() {
        return Err(reply.error());
    }
    let Some(pointer) = version else {
        return Ok(None);
    };
    let body: Value = reply.json()?;
    Ok(body
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string))
}
