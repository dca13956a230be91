//! Grafana Loki as a log source, over its HTTP API: `GET /loki/api/v1/query_range` with
//! LogQL, newest first, paged backwards by moving `end` to the oldest line read (Loki
//! caps one answer at its `max_entries_limit_per_query`, 5000 by default, so pages are at
//! most [`PAGE_LINES`]), and `/loki/api/v1/labels` to say why an answer is empty when the
//! selector names a label Loki does not have. Tenants go in `X-Scope-OrgID` (the source's
//! `headers`), a token as `Bearer`, or basic auth.

pub mod query;
mod wire;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::config::{LogOptions, SourceConfig};
use crate::model::{LogBatch, LogLevel, LogLine, LogQuery};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Reply, options_for, scheme};
use crate::sources::logs::text::{TraceFinder, level_in_text};
use crate::sources::logs::{LogSource, cap, finish};

/// Lines asked for per page.
pub const PAGE_LINES: usize = 1000;
/// Pages one query reads at most.
pub const MAX_PAGES: usize = 20;

/// A configured Loki source.
#[derive(Clone)]
pub struct LokiSource {
    name: String,
    http: HttpClient,
    options: LogOptions,
    finder: TraceFinder,
}

impl LokiSource {
    /// Builds the client from the source's config: `url` is Loki (or its gateway), a token
    /// is sent as `Bearer`.
    pub fn new(source: &SourceConfig) -> Result<Self, SourceError> {
        let base = source
            .url
            .as_deref()
            .ok_or_else(|| SourceError::Rejected(format!("source `{}` has no url", source.name)))?;
        Ok(Self {
            name: source.name.clone(),
            http: HttpClient::new(base, options_for(source, scheme::BEARER)?)?,
            finder: TraceFinder::new(&source.logs)?,
            options: source.logs.clone(),
        })
    }

    /// One page: at most `limit` lines before `end_ns` (exclusive), within the byte cap.
    async fn page(
        &self,
        logql: &str,
        since: DateTime<Utc>,
        end_ns: i64,
        limit: usize,
    ) -> Result<(wire::QueryRange, cap::Page), SourceError> {
        let page = cap::ask(limit, self.options.max_bytes, |limit| {
            let request = self
                .http
                .get("/loki/api/v1/query_range")
                .query(&query::page_params(logql, since, end_ns, limit));
            self.http.send_capped(request, self.options.max_bytes)
        })
        .await?;
        let answer = parse(&page.reply)?;
        Ok((answer, page))
    }

    /// The lines of one answer, in the model.
    fn lines(&self, answer: wire::QueryRange) -> Vec<LogLine> {
        let mut out = Vec::new();
        for stream in answer.data.map(|d| d.result).unwrap_or_default() {
            for entry in stream.values {
                let Some(ns) = entry.ns else { continue };
                let mut labels: Vec<(String, String)> = stream
                    .stream
                    .iter()
                    .chain(entry.metadata.iter())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                labels.sort();
                labels.dedup_by(|a, b| a.0 == b.0);
                let level = [self.options.level_field.as_str(), "detected_level", "level"]
                    .iter()
                    .find_map(|name| {
                        labels
                            .iter()
                            .find(|(k, _)| k == name)
                            .and_then(|(_, v)| LogLevel::parse(v))
                    })
                    .unwrap_or_else(|| level_in_text(&entry.line));
                let trace_id = self.finder.find(&entry.line, &labels);
                let key = format!("{ns}:{:016x}", fingerprint(&labels, &entry.line));
                out.push(LogLine {
                    at: DateTime::from_timestamp_nanos(ns),
                    level,
                    source: self.name.clone(),
                    message: entry.line,
                    labels,
                    trace_id,
                    key,
                });
            }
        }
        out
    }

    /// Why a plain service query found nothing, when Loki can say: the selector's label is
    /// unknown to Loki, or has no such value.
    async fn why_empty(&self, query: &LogQuery) -> Option<String> {
        let service = query.target.service()?;
        if !query::is_plain_service(query) || self.options.selectors.contains_key(service) {
            return None;
        }
        let window = [
            ("start", query::nanos(query.since).to_string()),
            ("end", query::nanos(query.until).to_string()),
        ];
        let request = self.http.get("/loki/api/v1/labels").query(&window);
        let known: wire::Names = self.http.json(request).await.ok()?;
        let selector = self.options.selector_for(service);
        let listed = |names: &[String]| {
            let shown: Vec<&str> = names.iter().take(12).map(String::as_str).collect();
            shown.join(", ")
        };
        if let Some(missing) = query::selector_labels(&selector)
            .into_iter()
            .find(|name| !known.data.contains(name))
        {
            return Some(format!(
                "Loki has no label `{missing}` in this window (it has {}): set this source's selector",
                listed(&known.data)
            ));
        }
        let label = query::service_label(&self.options)?;
        let path = format!(
            "/loki/api/v1/label/{}/values",
            crate::sources::tracing_wire::path_segment(&label)
        );
        let values: wire::Names = self
            .http
            .json(self.http.get(&path).query(&window))
            .await
            .ok()?;
        (!values.data.iter().any(|v| v == service)).then(|| {
            format!(
                "Loki's label `{label}` has no value `{service}` in this window (it has {})",
                listed(&values.data)
            )
        })
    }
}

/// A stable hash of a line and its labels, so the same line read twice is kept once.
fn fingerprint(labels: &[(String, String)], line: &str) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash = (hash ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
        hash = (hash ^ 0xff).wrapping_mul(0x100_0000_01b3);
    };
    for (k, v) in labels {
        eat(k.as_bytes());
        eat(v.as_bytes());
    }
    eat(line.as_bytes());
    hash
}

/// A query answer, or Loki's own reason for refusing it.
fn parse(reply: &Reply) -> Result<wire::QueryRange, SourceError> {
    let answer: wire::QueryRange = reply.json()?;
    if answer.status != "success" {
        return Err(SourceError::Rejected(
            answer
                .error
                .unwrap_or_else(|| format!("status {}", answer.status)),
        ));
    }
    if let Some(data) = &answer.data
        && data.result_type != "streams"
    {
        return Err(SourceError::Rejected(format!(
            "Loki answered with {}, not log lines: the selector must select streams",
            data.result_type
        )));
    }
    Ok(answer)
}

impl LogSource for LokiSource {
    async fn query_logs(&self, query: &LogQuery) -> Result<LogBatch, SourceError> {
        let limit = query.limit.min(self.options.max_lines).max(1);
        let logql = query::logql(query, &self.options);
        let mut batch = LogBatch::default();
        let mut lines: Vec<LogLine> = Vec::new();
        let mut seen = HashSet::new();
        let mut end_ns = query::nanos(query.until).saturating_add(1);
        let mut pages = 0;
        let mut more = false;
        // Lines a page holds at most; fewer once an answer passed the byte cap.
        let mut page_lines = PAGE_LINES;
        // Lines already read at the instant the next page ends on: `end` is exclusive, so
        // they come again and take room in the page.
        let mut overlap = 0;
        loop {
            if pages == MAX_PAGES {
                batch.warnings.push(format!(
                    "incomplete: Loki has more lines in the window; ondeck reads at most {MAX_PAGES} pages"
                ));
                break;
            }
            pages += 1;
            let want = (limit - lines.len()).min(page_lines) + overlap;
            let (answer, page) = self.page(&logql, query.since, end_ns, want).await?;
            for warning in answer.warnings.iter().map(|w| format!("Loki: {w}")) {
                if !batch.warnings.contains(&warning) {
                    batch.warnings.push(warning);
                }
            }
            if let Some(shrunk) = page.shrunk {
                page_lines = page.asked.saturating_sub(overlap).max(1);
                batch.warnings.push(shrunk);
            }
            let found = self.lines(answer);
            let oldest = found.iter().map(|l| l.at).min();
            let before = lines.len();
            for line in found {
                if seen.insert(line.key.clone()) {
                    lines.push(line);
                }
            }
            // Loki may answer with fewer lines than asked while it has more (a frontend
            // splitting the range), so only an answer with nothing new ends the reading.
            let Some(oldest) = oldest.filter(|_| lines.len() > before) else {
                break;
            };
            if lines.len() >= limit {
                more = true;
                break;
            }
            if oldest <= query.since {
                break;
            }
            // `end` is exclusive: lines at the oldest instant are asked again, and the ones
            // already read are known by their key.
            end_ns = query::nanos(oldest).saturating_add(1);
            overlap = lines.iter().filter(|l| l.at == oldest).count();
        }
        let mut batch = finish(lines, query, limit, more, batch);
        if batch.lines.is_empty() {
            batch.hint = self.why_empty(query).await;
        }
        Ok(batch)
    }
}
