//! The Prometheus-compatible API over the shared [`HttpClient`]: POST form bodies to
//! `/api/v1/query` and `/api/v1/query_range`. Prometheus explains its errors in the body, so
//! every reply is parsed whatever its status.

use reqwest::Method;

use super::api::{Answer, RangeAnswer, parse_range_response, parse_response};
use crate::sources::SourceError;
use crate::sources::http::{ClientOptions, HttpClient};

pub use crate::sources::http::options_for;

/// An HTTP client bound to one Prometheus base URL.
#[derive(Clone)]
pub struct Api {
    http: HttpClient,
}

impl Api {
    /// A client for `base` (e.g. `http://prom:9090` or `https://mimir/prometheus`).
    pub fn new(base: &str, options: ClientOptions) -> Result<Self, SourceError> {
        Ok(Self {
            http: HttpClient::new(base, options)?,
        })
    }

    /// Evaluates `promql` at `time` (unix seconds, as text).
    pub async fn instant(&self, promql: &str, time: &str) -> Result<Answer, SourceError> {
        let request = self.http.request(Method::POST, "/api/v1/query");
        self.post(
            request.form(&[("query", promql), ("time", time)]),
            parse_response,
        )
        .await
    }

    /// Evaluates `promql` from `start` to `end` every `step` (unix seconds and seconds, as
    /// text).
    pub async fn range(
        &self,
        promql: &str,
        start: &str,
        end: &str,
        step: &str,
    ) -> Result<RangeAnswer, SourceError> {
        let form = [
            ("query", promql),
            ("start", start),
            ("end", end),
            ("step", step),
        ];
        let request = self.http.request(Method::POST, "/api/v1/query_range");
        self.post(request.form(&form), parse_range_response).await
    }

    /// Exemplars of the series `selector` selects, from `start` to `end` (unix seconds, as
    /// text), from `/api/v1/query_exemplars`.
    pub async fn query_exemplars(
        &self,
        selector: &str,
        start: &str,
        end: &str,
    ) -> Result<Vec<crate::model::Exemplar>, SourceError> {
        let form = [("query", selector), ("start", start), ("end", end)];
        let request = self.http.request(Method::POST, "/api/v1/query_exemplars");
        self.post(request.form(&form), super::explore::parse_exemplars)
            .await
    }

    /// Sends `request` and parses the reply off the async task: an answer for thousands of
    /// SLOs takes milliseconds to parse, and the cockpit's loop shares the task's thread.
    async fn post<T: Send + 'static>(
        &self,
        request: reqwest::RequestBuilder,
        parse: fn(u16, &[u8]) -> Result<T, SourceError>,
    ) -> Result<T, SourceError> {
        let reply = self.http.send(request).await?;
        if reply.status == 429 || (300..400).contains(&reply.status) {
            return Err(reply.error());
        }
        off_task(move || parse(reply.status, &reply.body)).await
    }
}

/// Runs CPU-bound work on the runtime's blocking threads, so the task's thread (the
/// cockpit's loop, in the cockpit) stays free for keys.
pub async fn off_task<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SourceError> + Send + 'static,
) -> Result<T, SourceError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(SourceError::Malformed(format!(
            "the parse did not finish: {e}"
        )))
    })
}
