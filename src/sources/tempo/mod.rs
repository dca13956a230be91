//! Grafana Tempo as a tracing source: TraceQL search (`traceql`, answers parsed by
//! `search`), trace by id in OTLP JSON (`otlp`, v2 endpoint first, v1 as the fallback), and
//! a service dependency graph derived from the spans of recent traces. A tenant's
//! `X-Scope-OrgID` comes from the source's configured headers.

mod any_value;
pub mod otlp;
pub mod search;
pub mod traceql;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use reqwest::header::ACCEPT;

use crate::config::SourceConfig;
use crate::model::{Dependency, Trace, TraceKind, TraceSearch, TraceSummary};
use crate::sources::http::{HttpClient, Reply, options_for, scheme};
use crate::sources::tracing_wire::{rank, service_edges, trace_id_for_path};
use crate::sources::{SourceError, TraceSource};

pub use any_value::any_value_text;
pub use otlp::parse_trace;
pub use search::parse_search;
pub use traceql::traceql;

/// How far back a search without a range, and the dependency sample, look.
const LOOKBACK: Duration = Duration::hours(1);
/// How many recent traces the dependency graph is derived from.
const DEPENDENCY_SAMPLE: usize = 20;
/// How many of those traces are fetched at once, to spare the querier.
const FETCH_CONCURRENCY: usize = 4;

/// A configured Tempo source.
#[derive(Clone)]
pub struct TempoSource {
    http: HttpClient,
}

impl TempoSource {
    /// Builds the client from the source's config: `url` is Tempo's HTTP API (e.g.
    /// `http://tempo:3200`, or a gateway path), a token is sent as `Bearer`, and configured
    /// headers such as `X-Scope-OrgID` go with every request.
    pub fn new(source: &SourceConfig) -> Result<Self, SourceError> {
        let base = source
            .url
            .as_deref()
            .ok_or_else(|| SourceError::Rejected(format!("source `{}` has no url", source.name)))?;
        Ok(Self {
            http: HttpClient::new(base, options_for(source, scheme::BEARER)?)?,
        })
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Reply, SourceError> {
        let request = self
            .http
            .get(path)
            .query(query)
            .header(ACCEPT, "application/json");
        self.http.send(request).await
    }

    /// Runs a TraceQL search over `[start, end]` (sent as epoch seconds).
    async fn search(
        &self,
        query: &str,
        kind: TraceKind,
        limit: usize,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<TraceSummary>, SourceError> {
        let params = [
            ("q", query.to_string()),
            ("limit", limit.max(1).to_string()),
            ("start", start.timestamp().to_string()),
            ("end", end.timestamp().to_string()),
        ];
        let reply = self.get("/api/search", &params).await?;
        if !reply.is_success() {
            return Err(reply.error());
        }
        parse_search(&reply.body, kind)
    }
}

impl TraceSource for TempoSource {
    async fn search_traces(
        &self,
        search: &TraceSearch,
        at: DateTime<Utc>,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        let range = search.range.unwrap_or((at - LOOKBACK, at));
        let found = self
            .search(&traceql(search), search.kind, search.limit, range)
            .await?;
        Ok(rank(found, search.kind, search.limit))
    }

    /// Asks the v2 endpoint first; a 404 there (an older Tempo, or a trace it has not got)
    /// falls back to v1.
    async fn fetch_trace(&self, trace_id: &str) -> Result<Trace, SourceError> {
        let id = trace_id_for_path(trace_id, 32)?;
        let mut reply = self.get(&format!("/api/v2/traces/{id}"), &[]).await?;
        if reply.status == 404 {
            reply = self.get(&format!("/api/traces/{id}"), &[]).await?;
        }
        if !reply.is_success() {
            return Err(reply.error());
        }
        parse_trace(&reply.body, &id)
    }

    /// Tempo has no dependency API: the edges come from up to 20 traces of the last hour.
    /// Traces that fail to load are skipped; if all fail, the first error is returned.
    async fn dependencies(&self, at: DateTime<Utc>) -> Result<Vec<Dependency>, SourceError> {
        let found = self
            .search(
                "{}",
                TraceKind::Slow,
                DEPENDENCY_SAMPLE,
                (at - LOOKBACK, at),
            )
            .await?;
        let ids = found.into_iter().map(|summary| summary.trace_id);
        let results: Vec<Result<Trace, SourceError>> = futures_util::stream::iter(ids)
            .map(|id| async move { self.fetch_trace(&id).await })
            .buffer_unordered(FETCH_CONCURRENCY)
            .collect()
            .await;
        let mut first_error = None;
        let mut traces = Vec::new();
        for result in results {
            match result {
                Ok(trace) => traces.push(trace),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(error) if traces.is_empty() => Err(error),
            _ => Ok(service_edges(&traces)),
        }
    }
}
