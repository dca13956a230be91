//! Jaeger as a tracing source, over its query HTTP API (the one the Jaeger UI uses):
//! trace search (`query`), trace by id, the dependency graph, and service and operation
//! names. `wire` holds the JSON shapes, `parse` maps answers to the model without IO.

pub mod parse;
pub mod query;
mod wire;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use reqwest::RequestBuilder;

use crate::config::SourceConfig;
use crate::model::{Dependency, Trace, TraceSearch, TraceSummary};
use crate::sources::http::{HttpClient, options_for, scheme};
use crate::sources::tracing_wire::{path_segment, trace_id_for_path};
use crate::sources::{SourceError, TraceSource};

pub use parse::{
    parse_dependencies, parse_error, parse_names, parse_search, parse_trace, parse_traces,
};

/// A configured Jaeger source.
#[derive(Clone)]
pub struct JaegerSource {
    http: HttpClient,
}

impl JaegerSource {
    /// Builds the client from the source's config: `url` is the query service (e.g.
    /// `http://jaeger:16686`, with any UI base path), a token is sent as `Bearer`.
    pub fn new(source: &SourceConfig) -> Result<Self, SourceError> {
        let base = source
            .url
            .as_deref()
            .ok_or_else(|| SourceError::Rejected(format!("source `{}` has no url", source.name)))?;
        Ok(Self {
            http: HttpClient::new(base, options_for(source, scheme::BEARER)?)?,
        })
    }

    /// The body of a 2xx reply; other replies become errors with Jaeger's own message.
    async fn body(&self, request: RequestBuilder) -> Result<Vec<u8>, SourceError> {
        let reply = self.http.send(request).await?;
        if reply.is_success() {
            return Ok(reply.body);
        }
        if reply.status == 429 || (300..400).contains(&reply.status) {
            return Err(reply.error());
        }
        Err(parse_error(reply.status, &reply.body).unwrap_or_else(|| reply.error()))
    }

    /// Every service Jaeger has spans of, sorted.
    pub async fn services(&self) -> Result<Vec<String>, SourceError> {
        parse_names(&self.body(self.http.get("/api/services")).await?)
    }

    /// Every operation (span name) of `service`, sorted.
    pub async fn operations(&self, service: &str) -> Result<Vec<String>, SourceError> {
        let path = format!("/api/services/{}/operations", path_segment(service));
        parse_names(&self.body(self.http.get(&path)).await?)
    }
}

impl TraceSource for JaegerSource {
    async fn search_traces(
        &self,
        search: &TraceSearch,
        at: DateTime<Utc>,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        let request = self
            .http
            .get("/api/traces")
            .query(&query::search_params(search, at));
        parse_search(&self.body(request).await?, search.kind, search.limit)
    }

    async fn fetch_trace(&self, trace_id: &str) -> Result<Trace, SourceError> {
        // Jaeger ids are 16 or 32 hex digits; keep what was given rather than padding.
        let id = trace_id_for_path(trace_id, 0)?;
        parse_trace(
            &self
                .body(self.http.get(&format!("/api/traces/{id}")))
                .await?,
        )
    }

    async fn dependencies(&self, at: DateTime<Utc>) -> Result<Vec<Dependency>, SourceError> {
        let lookback = query::DEFAULT_LOOKBACK.num_milliseconds();
        let request = self.http.get("/api/dependencies").query(&[
            ("endTs", at.timestamp_millis().to_string()),
            ("lookback", lookback.to_string()),
        ]);
        parse_dependencies(&self.body(request).await?)
    }
}
