//! The HTTP client every remote backend talks through: authentication, extra headers, a
//! private CA, one timeout, a cap on response size, and errors a responder can act on.
//!
//! Secrets only ever go into sensitive headers (the token in a default header, basic auth per
//! request); header values are never echoed in errors, so no secret reaches a log or screen.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;

use crate::config::{Secret, SourceConfig};
use crate::sources::SourceError;

/// The largest response body read from any backend. Larger answers fail the request as
/// malformed instead of growing memory without bound.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// How requests authenticate. The secrets are only ever put into sensitive headers.
#[derive(Debug, Clone, Default)]
pub enum Auth {
    /// No `Authorization` header.
    #[default]
    None,
    /// `Authorization: <scheme> <token>`, e.g. `Bearer`, `Key` (Alerta), `GenieKey`
    /// (Opsgenie), `Token token=` (PagerDuty: the scheme carries its own `=`, no space).
    Token {
        /// Written before the token.
        scheme: &'static str,
        /// The token.
        token: Secret,
    },
    /// HTTP basic auth.
    Basic {
        /// The user.
        username: String,
        /// The password.
        password: Secret,
    },
}

/// Everything about the HTTP client besides the base URL.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Per-request timeout (connect included).
    pub timeout: Duration,
    /// Authentication.
    pub auth: Auth,
    /// Extra headers, e.g. `X-Scope-OrgID`.
    pub headers: Vec<(String, String)>,
    /// PEM certificates trusted besides the system's (a private CA).
    pub ca_pem: Option<Vec<u8>>,
}

/// The `Authorization` scheme of each backend's token.
pub mod scheme {
    /// Prometheus, Jaeger, Tempo behind a proxy.
    pub const BEARER: &str = "Bearer ";
    /// PagerDuty REST API v2.
    pub const PAGERDUTY: &str = "Token token=";
    /// Alerta API keys.
    pub const ALERTA: &str = "Key ";
    /// Opsgenie API integration keys.
    pub const OPSGENIE: &str = "GenieKey ";
}

/// The HTTP client's options: secrets and the CA file are read now, when the source starts.
/// `token_scheme` is how this backend writes its token (see [`scheme`]). Errors
/// ([`SourceError::NotStarted`]) name where the secret comes from, never the secret.
pub fn options_for(
    source: &SourceConfig,
    token_scheme: &'static str,
) -> Result<ClientOptions, SourceError> {
    // Nothing was sent: the source cannot start until the secret or file is there.
    let rejected = |e: &dyn std::fmt::Display| SourceError::NotStarted(e.to_string());
    let auth = match (&source.token, &source.http.basic_auth) {
        (Some(token), _) => Auth::Token {
            scheme: token_scheme,
            token: token.resolve().map_err(|e| rejected(&e))?,
        },
        (None, Some(basic)) => Auth::Basic {
            username: basic.username.clone(),
            password: basic.password.resolve().map_err(|e| rejected(&e))?,
        },
        (None, None) => Auth::None,
    };
    let ca_pem = match &source.http.ca_file {
        Some(path) => Some(
            std::fs::read(path)
                .map_err(|e| rejected(&format!("cannot read CA file {}: {e}", path.display())))?,
        ),
        None => None,
    };
    Ok(ClientOptions {
        timeout: source.timeout,
        auth,
        headers: source.http.headers.clone(),
        ca_pem,
    })
}

fn header_error(what: &str) -> SourceError {
    SourceError::Rejected(format!(
        "{what} contains characters not allowed in an HTTP header"
    ))
}

/// A reply read in full (up to [`MAX_RESPONSE_BYTES`]).
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type`, if sent.
    pub content_type: Option<String>,
    /// `Retry-After` in seconds, if sent as seconds.
    pub retry_after: Option<u64>,
    /// `Location` of a redirect, which is reported rather than followed.
    pub location: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error for a non-2xx reply: 429 becomes [`SourceError::RateLimited`], others
    /// [`SourceError::Http`] with the start of the body as the reason (JSON `message`/`error`
    /// fields are preferred when present).
    pub fn error(&self) -> SourceError {
        if self.status == 429 {
            return SourceError::RateLimited(self.retry_after);
        }
        if (300..400).contains(&self.status) {
            let to = self
                .location
                .as_deref()
                .map(clip)
                .unwrap_or_else(|| "elsewhere".into());
            return SourceError::Http {
                status: self.status,
                message: format!("redirected to {to}; set the source url to the final address"),
            };
        }
        SourceError::Http {
            status: self.status,
            message: reason(&self.body),
        }
    }

    /// Parses a 2xx body as JSON; any other status is [`Reply::error`].
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, SourceError> {
        if !self.is_success() {
            return Err(self.error());
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            let kind = self.content_type.as_deref().unwrap_or("no content type");
            SourceError::Malformed(format!("{e} (HTTP {}, {kind})", self.status))
        })
    }
}

/// A short reason from an error body: a JSON `message`/`error`/`errorMessage` field, else
/// the first line of text, at most 200 characters — as the server wrote them. Control and
/// escape characters are kept: the screen and the subcommands show them escaped (`\e]52;…`),
/// where dropping them here would leave the rest of an escape sequence looking like words.
pub(crate) fn reason(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let field = |v: &serde_json::Value| -> Option<String> {
            ["message", "error", "errorMessage"]
                .iter()
                .find_map(|k| v.get(k))
                .map(|m| match m {
                    serde_json::Value::String(s) => s.clone(),
                    other => other
                        .get("message")
                        .and_then(|m| m.as_str())
                        .map(str::to_string)
                        .unwrap_or_else(|| other.to_string()),
                })
        };
        if let Some(text) = field(&value) {
            return clip(&text);
        }
    }
    let text = String::from_utf8_lossy(body);
    if text.trim_start().starts_with('<') {
        // A proxy's or load balancer's HTML error page: its words, not its markup.
        let words = html_text(&text);
        if !words.is_empty() {
            return clip(&words);
        }
    }
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    clip(first.unwrap_or("no reason given"))
}

/// The first visible words of an HTML page: tags dropped, whitespace collapsed.
fn html_text(html: &str) -> String {
    let mut words = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                words.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => words.push(c),
            _ => {}
        }
    }
    // More words than `clip` keeps would be cut anyway.
    words
        .split_whitespace()
        .take(100)
        .collect::<Vec<_>>()
        .join(" ")
}

fn clip(text: &str) -> String {
    let kept: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        format!("{kept}…")
    } else {
        kept
    }
}

/// An HTTP client bound to one backend base URL.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    base: String,
    timeout: Duration,
    basic: Option<(String, Secret)>,
}

impl HttpClient {
    /// A client for `base` (e.g. `http://am:9093` or `https://api.pagerduty.com`) with
    /// authentication, extra headers and extra CA certificates. Redirects are not followed:
    /// a backend that redirects is misconfigured, and following could carry the token away.
    pub fn new(base: &str, options: ClientOptions) -> Result<Self, SourceError> {
        let mut headers = HeaderMap::new();
        for (name, value) in &options.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| header_error(&format!("header name `{name}`")))?;
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| header_error(&format!("the value of header `{name}`")))?;
            // Tenant ids are not secret, but other headers may be: keep them all out of logs.
            value.set_sensitive(true);
            headers.insert(header, value);
        }
        let mut basic = None;
        match options.auth {
            Auth::None => {}
            Auth::Token { scheme, token } => {
                let mut value = HeaderValue::from_str(&format!("{scheme}{}", token.expose()))
                    .map_err(|_| header_error("the token"))?;
                value.set_sensitive(true);
                headers.insert(AUTHORIZATION, value);
            }
            Auth::Basic { username, password } => basic = Some((username, password)),
        }
        let mut builder = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .user_agent(concat!("ondeck/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &options.ca_pem {
            let certificates = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                SourceError::Rejected(format!("the CA file is not PEM certificates: {e}"))
            })?;
            if certificates.is_empty() {
                return Err(SourceError::Rejected(
                    "the CA file holds no PEM certificate".to_string(),
                ));
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let client = builder
            .build()
            .map_err(|e| SourceError::Rejected(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_string(),
            timeout: options.timeout,
            basic,
        })
    }

    /// The base URL, without a trailing `/`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A request to `base + path` (`path` starts with `/`) with authentication applied.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.base));
        match &self.basic {
            // reqwest marks the basic auth header sensitive.
            Some((username, password)) => request.basic_auth(username, Some(password.expose())),
            None => request,
        }
    }

    /// A GET of `base + path`.
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    /// Sends a request and reads the whole reply, whatever its status, up to
    /// [`MAX_RESPONSE_BYTES`]. Transport failures become `Timeout`/`Unreachable`.
    pub async fn send(&self, request: RequestBuilder) -> Result<Reply, SourceError> {
        let mut response = request.send().await.map_err(|e| self.transport(&e))?;
        let status = response.status().as_u16();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let retry_after = header(RETRY_AFTER).and_then(|v| v.trim().parse::<u64>().ok());
        let location = header(reqwest::header::LOCATION);
        if let Some(length) = response.content_length()
            && length > MAX_RESPONSE_BYTES as u64
        {
            return Err(too_large());
        }
        // The chunks are kept as received and joined once at the end: growing one buffer
        // would reallocate (and briefly hold twice) up to the cap for a body refused anyway.
        let mut chunks = Vec::new();
        let mut length = 0usize;
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(&e))? {
            length += chunk.len();
            if length > MAX_RESPONSE_BYTES {
                return Err(too_large());
            }
            chunks.push(chunk);
        }
        let body = chunks.concat();
        Ok(Reply {
            status,
            content_type,
            retry_after,
            location,
            body,
        })
    }

    /// Sends a request and parses a 2xx JSON reply ([`Reply::json`]).
    pub async fn json<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<T, SourceError> {
        self.send(request).await?.json()
    }

    fn transport(&self, e: &reqwest::Error) -> SourceError {
        if e.is_timeout() {
            return SourceError::Timeout(
                u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            );
        }
        let cause = root_cause(e);
        if e.is_connect() {
            SourceError::Unreachable(format!("cannot connect to {}: {cause}", self.base))
        } else {
            SourceError::Unreachable(format!("{}: {cause}", self.base))
        }
    }
}

fn too_large() -> SourceError {
    SourceError::Malformed(format!(
        "response larger than {} MiB",
        MAX_RESPONSE_BYTES / (1024 * 1024)
    ))
}

/// The innermost error message (e.g. "Connection refused (os error 111)"), which says more
/// than reqwest's "error sending request".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_reasons_prefer_the_json_message_and_stay_short() {
        assert_eq!(
            reason(br#"{"error":{"message":"Incident Not Found","code":5001}}"#),
            "Incident Not Found"
        );
        assert_eq!(
            reason(br#"{"message":"Could not authenticate"}"#),
            "Could not authenticate"
        );
        assert_eq!(reason(b"\n<html>bad gateway</html>\n"), "bad gateway");
        assert!(reason(&[b'x'; 500]).chars().count() <= 201);
        assert_eq!(
            reason(b"<html><body><h1>Service Unavailable</h1>\n<p>upstream is on fire</p></body></html>"),
            "Service Unavailable upstream is on fire"
        );
        // As sent: what shows it makes it inert, and shows that it was an escape sequence.
        assert_eq!(
            reason(b"{\"message\":\"\\u001b]52;c;eA==\\u0007 denied\"}"),
            "\u{1b}]52;c;eA==\u{7} denied"
        );
    }

    #[test]
    fn rate_limits_carry_retry_after() {
        let reply = Reply {
            status: 429,
            content_type: None,
            retry_after: Some(30),
            location: None,
            body: vec![],
        };
        assert_eq!(reply.error(), SourceError::RateLimited(Some(30)));
        assert!(reply.error().is_transient());
    }
}
