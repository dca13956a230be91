//! Elasticsearch or OpenSearch as a log source: `POST /<index pattern>/_search` with a bool
//! query (service, time range, trace id, levels, text), newest first, paged with
//! `search_after`. Field names are configurable and default to ECS (`@timestamp`,
//! `service.name`, `log.level`, `message`, `trace.id`). A token is sent as an API key
//! (`Authorization: ApiKey …`), or basic auth. A partial answer (shards that failed or timed
//! out) is shown with a warning, never as whole.

pub mod query;
mod wire;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use crate::config::{LogOptions, SourceConfig};
use crate::model::{LogBatch, LogLevel, LogLine, LogQuery};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Reply, options_for};
use crate::sources::logs::text::{TraceFinder, level_in_text};
use crate::sources::logs::{LogSource, cap, finish};

/// How Elasticsearch API keys are sent.
const API_KEY: &str = "ApiKey ";
/// Hits asked for per page (Elasticsearch refuses more than `index.max_result_window`,
/// 10 000 by default).
pub const PAGE_LINES: usize = 1000;
/// Pages one query reads at most.
pub const MAX_PAGES: usize = 20;

/// A configured Elasticsearch or OpenSearch source.
#[derive(Clone)]
pub struct ElasticsearchSource {
    name: String,
    http: HttpClient,
    options: LogOptions,
    finder: TraceFinder,
}

impl ElasticsearchSource {
    /// Builds the client from the source's config.
    pub fn new(source: &SourceConfig) -> Result<Self, SourceError> {
        let base = source
            .url
            .as_deref()
            .ok_or_else(|| SourceError::Rejected(format!("source `{}` has no url", source.name)))?;
        Ok(Self {
            name: source.name.clone(),
            http: HttpClient::new(base, options_for(source, API_KEY)?)?,
            finder: TraceFinder::new(&source.logs)?,
            options: source.logs.clone(),
        })
    }

    /// The error for a refused search, in Elasticsearch's own words where it gave them.
    fn refused(reply: &Reply) -> SourceError {
        if reply.status == 429 || (300..400).contains(&reply.status) {
            return reply.error();
        }
        match wire::refusal(&reply.body) {
            Some(reason) => SourceError::Http {
                status: reply.status,
                message: reason,
            },
            None => reply.error(),
        }
    }

    /// One hit as a line; `None` without a timestamp ondeck can read.
    fn line(&self, hit: wire::Hit, missing_message: &mut usize) -> Option<LogLine> {
        let source = hit.source.unwrap_or(Value::Null);
        let at = wire::field(&source, &self.options.timestamp_field)
            .and_then(parse_time)
            .or_else(|| hit.sort.as_ref().and_then(|s| s.get(0)).and_then(sort_time))?;
        let message = match wire::field(&source, &self.options.message_field) {
            Some(value) => wire::text(value),
            None => {
                *missing_message += 1;
                String::new()
            }
        };
        let labels = wire::leaves(&source);
        let level = wire::field(&source, &self.options.level_field)
            .and_then(|v| LogLevel::parse(&wire::text(v)))
            .unwrap_or_else(|| level_in_text(&message));
        let trace_id = self.finder.find(&message, &labels);
        Some(LogLine {
            at,
            level,
            source: self.name.clone(),
            message,
            labels,
            trace_id,
            key: format!("{}/{}", hit.index, hit.id),
        })
    }

    /// Why a plain service search found nothing, when the mapping can say: no index has
    /// the service field, or it is a `text` field a `term` query cannot match.
    async fn why_empty(&self, query: &LogQuery) -> Option<String> {
        query.target.service()?;
        if query.grep.is_some() || query.trouble_only || query.target.trace_id().is_some() {
            return None;
        }
        let field = &self.options.service_field;
        let path = format!(
            "/{}/_mapping/field/{}",
            query::index_path(&self.options.index),
            query::index_path(field)
        );
        let mapping: Value = self.http.json(self.http.get(&path)).await.ok()?;
        let types: Vec<String> = mapping
            .as_object()?
            .values()
            .filter_map(|index| index.get("mappings")?.get(field)?.get("mapping"))
            .filter_map(|m| m.as_object()?.values().next()?.get("type")?.as_str())
            .map(str::to_string)
            .collect();
        if types.is_empty() {
            return Some(format!(
                "no index matching {} has a field {field}: set this source's service_field",
                self.options.index
            ));
        }
        types.iter().any(|t| t == "text").then(|| {
            format!("{field} is a text field, which a term query cannot match: set service_field = \"{field}.keyword\"")
        })
    }
}

/// A timestamp as documents write it: RFC 3339 (any precision), a date-time without zone
/// (taken as UTC), or epoch milliseconds.
fn parse_time(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
                    .iter()
                    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
                    .map(|t| t.and_utc())
            }),
        Value::Number(n) => n.as_i64().and_then(DateTime::from_timestamp_millis),
        _ => None,
    }
}

/// A sort value of the timestamp: epoch milliseconds (`date`) or nanoseconds (`date_nanos`).
fn sort_time(value: &Value) -> Option<DateTime<Utc>> {
    let n = value.as_i64()?;
    if n > 100_000_000_000_000 {
        Some(DateTime::from_timestamp_nanos(n))
    } else {
        DateTime::from_timestamp_millis(n)
    }
}

impl LogSource for ElasticsearchSource {
    async fn query_logs(&self, query: &LogQuery) -> Result<LogBatch, SourceError> {
        let limit = query.limit.min(self.options.max_lines).max(1);
        let path = query::search_path(&self.options.index);
        let mut batch = LogBatch::default();
        let mut lines = Vec::new();
        let mut seen = HashSet::new();
        let mut after: Option<Value> = None;
        let (mut partial, mut missing_message, mut pages, mut more) = (None, 0, 0, false);
        // Hits a page holds at most; fewer once an answer passed the byte cap.
        let mut page_lines = PAGE_LINES;
        loop {
            if pages == MAX_PAGES {
                batch.warnings.push(format!(
                    "incomplete: the index has more lines in the window; ondeck reads at most {MAX_PAGES} pages"
                ));
                break;
            }
            pages += 1;
            let want = (limit - lines.len()).min(page_lines);
            let page = cap::ask(want, self.options.max_bytes, |size| {
                let body = query::body(query, &self.options, size, after.as_ref());
                let request = self.http.request(reqwest::Method::POST, &path).json(&body);
                self.http.send_capped(request, self.options.max_bytes)
            })
            .await?;
            if let Some(shrunk) = page.shrunk {
                page_lines = page.asked;
                batch.warnings.push(shrunk);
            }
            if !page.reply.is_success() {
                return Err(Self::refused(&page.reply));
            }
            let answer: wire::SearchAnswer = page.reply.json()?;
            let failed = answer.shards.as_ref().filter(|s| s.failed > 0);
            if answer.timed_out || failed.is_some() {
                partial = Some(match failed {
                    Some(s) => format!(
                        "incomplete: {} of {} shards failed; their lines are missing",
                        s.failed, s.total
                    ),
                    None => {
                        "incomplete: the search timed out on some shards; their lines are missing"
                            .to_string()
                    }
                });
            }
            let next = answer.hits.hits.last().and_then(|h| h.sort.clone());
            let before = lines.len();
            for hit in answer.hits.hits {
                if let Some(line) = self.line(hit, &mut missing_message)
                    && seen.insert(line.key.clone())
                {
                    lines.push(line);
                }
            }
            // A short page may still be followed by more (a shard answering late), so only a
            // page with nothing new, or no sort values to continue from, ends the reading.
            if lines.len() == before || next.is_none() {
                break;
            }
            if lines.len() >= limit {
                more = true;
                break;
            }
            after = next;
        }
        batch.warnings.extend(partial);
        if missing_message > 0 {
            batch.warnings.push(format!(
                "{missing_message} documents have no {} field: set this source's message_field",
                self.options.message_field
            ));
        }
        let mut batch = finish(lines, query, limit, more, batch);
        if batch.lines.is_empty() {
            batch.hint = self.why_empty(query).await;
        }
        Ok(batch)
    }
}
