//! The HTTP client ondeck talks to a Prometheus-compatible API with: POST form bodies to
//! `/api/v1/query` and `/api/v1/query_range`, authentication, extra headers and a private CA,
//! with the options read from a source's config ([`options_for`]).
//!
//! Errors never carry a secret: the token lives only in a sensitive default header, basic
//! auth is set per request (reqwest marks it sensitive), and header values are never echoed.

use std::time::Duration;

use super::api::{Answer, RangeAnswer, parse_range_response, parse_response};
use crate::config::{Secret, SourceConfig};
use crate::sources::SourceError;

/// How requests authenticate. The secrets are only ever put into sensitive headers.
#[derive(Debug, Clone, Default)]
pub enum Auth {
    /// No `Authorization` header.
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
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

/// An HTTP client bound to one Prometheus base URL.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    query_url: String,
    range_url: String,
    base: String,
    timeout: Duration,
    basic: Option<(String, Secret)>,
}

/// The HTTP client's options: secrets and the CA file are read now, when the source starts.
/// Errors name the source and where the secret comes from, never the secret.
pub fn options_for(source: &SourceConfig) -> Result<ClientOptions, SourceError> {
    let rejected =
        |e: &dyn std::fmt::Display| SourceError::Rejected(format!("source `{}`: {e}", source.name));
    let auth = match (&source.token, &source.http.basic_auth) {
        (Some(token), _) => Auth::Bearer(token.resolve().map_err(|e| rejected(&e))?),
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

impl Api {
    /// A client for `base` (e.g. `http://prom:9090` or `https://mimir/prometheus`) with
    /// authentication, extra headers and extra CA certificates. Errors name what is wrong,
    /// never a secret or a header value.
    pub fn new(base: &str, options: ClientOptions) -> Result<Self, SourceError> {
        use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
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
            Auth::Bearer(token) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| header_error("the token"))?;
                value.set_sensitive(true);
                headers.insert(AUTHORIZATION, value);
            }
            Auth::Basic { username, password } => basic = Some((username, password)),
        }
        let mut builder = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
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
        let base = base.trim_end_matches('/').to_string();
        Ok(Self {
            client,
            query_url: format!("{base}/api/v1/query"),
            range_url: format!("{base}/api/v1/query_range"),
            base,
            timeout: options.timeout,
            basic,
        })
    }

    /// Evaluates `promql` at `time` (unix seconds, as text).
    pub async fn instant(&self, promql: &str, time: &str) -> Result<Answer, SourceError> {
        let mut request = self.client.post(&self.query_url);
        if let Some((username, password)) = &self.basic {
            // reqwest marks the basic auth header sensitive.
            request = request.basic_auth(username, Some(password.expose()));
        }
        let request = request.form(&[("query", promql), ("time", time)]);
        self.post(request, parse_response).await
    }

    /// Evaluates `promql` from `start` to `end` every `step` (unix seconds and seconds, as
    /// text), with the same authentication as instant queries.
    pub async fn range(
        &self,
        promql: &str,
        start: &str,
        end: &str,
        step: &str,
    ) -> Result<RangeAnswer, SourceError> {
        let mut request = self.client.post(&self.range_url);
        if let Some((username, password)) = &self.basic {
            request = request.basic_auth(username, Some(password.expose()));
        }
        let form = [
            ("query", promql),
            ("start", start),
            ("end", end),
            ("step", step),
        ];
        self.post(request.form(&form), parse_range_response).await
    }

    /// Sends `request` and parses the body with `parse`, whatever the status: Prometheus
    /// explains its errors in the body.
    async fn post<T>(
        &self,
        request: reqwest::RequestBuilder,
        parse: fn(u16, &[u8]) -> Result<T, SourceError>,
    ) -> Result<T, SourceError> {
        let response = request.send().await.map_err(|e| self.transport(&e))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| self.transport(&e))?;
        parse(status, &body)
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

/// The innermost error message (e.g. "Connection refused (os error 111)"), which says more
/// than reqwest's "error sending request".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}
