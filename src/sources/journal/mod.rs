//! The systemd journal as a log source, over systemd-journal-gatewayd's HTTP API:
//! `GET /entries` with `Accept: application/json`, field matches as query parameters
//! (`_SYSTEMD_UNIT=checkout.service`, `PRIORITY=0…4` for trouble lines, `TRACE_ID=…`; one
//! field's values are ORed, different fields ANDed), and a `Range` header.
//!
//! The time window is not sent as `Range: realtime=…`: gatewayd before systemd 256 (Debian
//! 12 ships 252) ignores that form and answers with the whole journal from its head. Pages
//! are read backwards from the tail by cursor instead — `Range: entries=:-(n-1):n` is the
//! newest `n` entries, `entries=<cursor>:-n:n` the `n` before a cursor — until the window's
//! start is passed, and every entry is checked against the window here. Text filters run
//! here too: gatewayd cannot search messages.

mod wire;

use std::collections::HashSet;

use chrono::DateTime;

use crate::config::{LogOptions, SourceConfig};
use crate::model::{LogBatch, LogLevel, LogLine, LogQuery};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, options_for, scheme};
use crate::sources::logs::text::{TraceFinder, level_in_text};
use crate::sources::logs::{LogSource, cap, finish};

/// Entries asked for per page.
pub const PAGE_ENTRIES: usize = 500;
/// Pages one query reads at most.
pub const MAX_PAGES: usize = 40;

/// A configured journal source.
#[derive(Clone)]
pub struct JournalSource {
    name: String,
    http: HttpClient,
    options: LogOptions,
    finder: TraceFinder,
}

/// The `Range` header of a page of `n` entries: the newest, or those before `cursor`.
pub fn range(cursor: Option<&str>, n: usize) -> String {
    let n = n.max(2);
    match cursor {
        // From the tail gatewayd steps back one entry past the last: skipping n-1 lands on
        // the n-th newest.
        None => format!("entries=:-{}:{n}", n - 1),
        Some(cursor) => format!("entries={cursor}:-{n}:{n}"),
    }
}

impl JournalSource {
    /// Builds the client from the source's config: `url` is gatewayd (port 19531 by
    /// default), usually behind a proxy that takes a `Bearer` token or basic auth.
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

    /// The field matches of `query`.
    fn matches(&self, query: &LogQuery) -> Vec<(String, String)> {
        let mut matches = Vec::new();
        if let Some(service) = query.target.service() {
            matches.push(self.options.journal_match_for(service));
        }
        if let (Some(id), Some(field)) = (query.target.trace_id(), &self.options.trace_field) {
            matches.push((field.clone(), id.to_string()));
        }
        if query.trouble_only {
            matches.extend((0..=4).map(|p| ("PRIORITY".to_string(), p.to_string())));
        }
        matches
    }

    /// One entry as a line; `None` without a cursor or a timestamp.
    fn line(&self, entry: wire::Entry) -> Option<LogLine> {
        let cursor = entry.get("__CURSOR").map(wire::text)?;
        let micros: i64 = entry
            .get("__REALTIME_TIMESTAMP")
            .map(wire::text)?
            .parse()
            .ok()?;
        let message = entry.get("MESSAGE").map(wire::text).unwrap_or_default();
        let level = entry
            .get("PRIORITY")
            .map(wire::text)
            .and_then(|p| p.trim().parse::<u8>().ok())
            .map_or_else(|| level_in_text(&message), LogLevel::from_syslog);
        let labels: Vec<(String, String)> = entry
            .iter()
            .filter(|(k, _)| !k.starts_with("__") && k.as_str() != "MESSAGE")
            .map(|(k, v)| (k.clone(), wire::text(v)))
            .collect();
        let trace_id = self.finder.find(&message, &labels);
        Some(LogLine {
            at: DateTime::from_timestamp_micros(micros)?,
            level,
            source: self.name.clone(),
            message,
            labels,
            trace_id,
            key: cursor,
        })
    }

    /// Why a plain service query found nothing: the journal holds no entry with the match
    /// (gatewayd lists a field's values at `/fields/<FIELD>`).
    async fn why_empty(&self, query: &LogQuery) -> Option<String> {
        let service = query.target.service()?;
        if query.grep.is_some() || query.trouble_only || query.target.trace_id().is_some() {
            return None;
        }
        let (field, value) = self.options.journal_match_for(service);
        let path = format!(
            "/fields/{}",
            crate::sources::tracing_wire::path_segment(&field)
        );
        let reply = self.http.send(self.http.get(&path)).await.ok()?;
        if !reply.is_success() {
            return None;
        }
        let text = String::from_utf8_lossy(&reply.body);
        let values: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        (!values.contains(&value.as_str())).then(|| {
            let shown: Vec<&str> = values.iter().take(12).copied().collect();
            format!(
                "the journal has no entry with {field}={value} (it has {}): set this source's match",
                shown.join(", ")
            )
        })
    }
}

impl LogSource for JournalSource {
    async fn query_logs(&self, query: &LogQuery) -> Result<LogBatch, SourceError> {
        let limit = query.limit.min(self.options.max_lines).max(1);
        let matches = self.matches(query);
        let mut batch = LogBatch::default();
        let mut lines: Vec<LogLine> = Vec::new();
        let mut seen = HashSet::new();
        let mut cursor: Option<String> = None;
        let (mut pages, mut bad, mut more) = (0, 0, false);
        // Entries a page holds at most; fewer once an answer passed the byte cap.
        let mut page_entries = PAGE_ENTRIES.min(limit);
        loop {
            if pages == MAX_PAGES {
                batch.warnings.push(format!(
                    "incomplete: the journal has more entries in the window; ondeck reads at most {MAX_PAGES} pages"
                ));
                break;
            }
            pages += 1;
            let page = cap::ask(page_entries, self.options.max_bytes, |n| {
                let request = self
                    .http
                    .get("/entries")
                    .query(&matches)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .header(reqwest::header::RANGE, range(cursor.as_deref(), n));
                self.http.send_capped(request, self.options.max_bytes)
            })
            .await?;
            if let Some(shrunk) = page.shrunk {
                page_entries = page.asked;
                batch.warnings.push(shrunk);
            }
            if !page.reply.is_success() {
                return Err(page.reply.error());
            }
            let (entries, unreadable) = wire::entries(&page.reply.body);
            bad += unreadable;
            // Entries come oldest first; the first is where the next page ends.
            let first = entries
                .first()
                .and_then(|e| e.get("__CURSOR"))
                .map(wire::text);
            let mut oldest = None;
            let mut new = 0;
            for entry in entries {
                if let Some(line) = self.line(entry) {
                    oldest = Some(
                        oldest.map_or(line.at, |o: chrono::DateTime<chrono::Utc>| o.min(line.at)),
                    );
                    if seen.insert(line.key.clone()) {
                        if query.admits(&line) {
                            lines.push(line);
                        }
                        new += 1;
                    }
                }
            }
            if new == 0 || first.is_none() {
                break;
            }
            if lines.len() >= limit {
                more = true;
                break;
            }
            if oldest.is_some_and(|o| o < query.since) {
                break;
            }
            cursor = first;
        }
        if bad > 0 {
            batch
                .warnings
                .push(format!("{bad} journal entries could not be read"));
        }
        let mut batch = finish(lines, query, limit, more, batch);
        if batch.lines.is_empty() {
            batch.hint = self.why_empty(query).await;
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_step_back_from_the_tail_by_cursor() {
        assert_eq!(range(None, 500), "entries=:-499:500");
        assert_eq!(range(Some("s=ab;i=4"), 500), "entries=s=ab;i=4:-500:500");
        assert_eq!(range(None, 1), "entries=:-1:2");
    }
}
