//! Log sources behind one trait: Loki, Elasticsearch/OpenSearch, the systemd journal and the
//! demo answer the same [`LogQuery`] with a [`LogBatch`]. Logs are read on demand — when the
//! logs panel opens, and on the source's refresh while it follows — never polled otherwise.
//!
//! [`fetch`] is the one path from a request to an answer, for the cockpit and for
//! `ondeck logs` alike. `text` reads levels and trace ids out of lines; `cap` asks again for
//! fewer lines when an answer would pass the source's byte cap.

pub mod cap;
pub mod text;

use std::future::Future;

use chrono::{DateTime, Utc};

use super::demo::DemoSource;
use super::elasticsearch::ElasticsearchSource;
use super::journal::JournalSource;
use super::loki::LokiSource;
use super::unstarted::Unstarted;
use super::{Backends, Clock, SourceError, SourceMeta};
use crate::model::{LogBatch, LogLine, LogQuery};

/// A source of log lines.
pub trait LogSource: Send + Sync + 'static {
    /// The newest lines answering `query`, at most `query.limit` (and the source's own cap),
    /// newest first, each checked against the query.
    fn query_logs(
        &self,
        query: &LogQuery,
    ) -> impl Future<Output = Result<LogBatch, SourceError>> + Send;
}

/// A log backend.
#[derive(Clone)]
pub enum LogBackend {
    /// The built-in demo fleet.
    Demo(DemoSource),
    /// Grafana Loki.
    Loki(LokiSource),
    /// Elasticsearch or OpenSearch.
    Elasticsearch(ElasticsearchSource),
    /// systemd-journal-gatewayd.
    Journal(JournalSource),
    /// A configured source that could not start.
    Unstarted(Unstarted),
}

impl LogSource for LogBackend {
    async fn query_logs(&self, query: &LogQuery) -> Result<LogBatch, SourceError> {
        match self {
            LogBackend::Demo(s) => s.query_logs(query).await,
            LogBackend::Loki(s) => s.query_logs(query).await,
            LogBackend::Elasticsearch(s) => s.query_logs(query).await,
            LogBackend::Journal(s) => s.query_logs(query).await,
            LogBackend::Unstarted(s) => s.query_logs(query).await,
        }
    }
}

impl LogSource for Unstarted {
    async fn query_logs(&self, _query: &LogQuery) -> Result<LogBatch, SourceError> {
        Err(self.error())
    }
}

/// One question for one log source, as `update` asks it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRequest {
    /// The configured log source.
    pub source: String,
    /// What is asked.
    pub query: LogQuery,
    /// Which opening of the logs panel asked: an answer for an older one is dropped.
    pub generation: u64,
    /// A follow poll (its lines are added to those shown) rather than a fresh look.
    pub follow: bool,
}

/// What one log source answered.
#[derive(Debug, Clone, PartialEq)]
pub struct LogAnswer {
    /// The request it answers.
    pub request: LogRequest,
    /// When the answer came.
    pub at: DateTime<Utc>,
    /// The lines, or why none.
    pub outcome: Result<LogBatch, SourceError>,
}

/// Asks `request.source` its question, bounded by the source's cycle limit (a few request
/// timeouts: paging may take several requests). Never fails: the outcome says why.
pub async fn fetch(backends: &Backends, clock: Clock, request: LogRequest) -> LogAnswer {
    let found = backends.logs.iter().find(|(m, _)| m.name == request.source);
    let outcome = match found {
        Some((meta, backend)) => bounded(meta, backend.query_logs(&request.query)).await,
        None => Err(SourceError::Rejected(format!(
            "no log source named {}",
            request.source
        ))),
    };
    LogAnswer {
        request,
        at: clock.now(),
        outcome,
    }
}

async fn bounded(
    meta: &SourceMeta,
    work: impl Future<Output = Result<LogBatch, SourceError>>,
) -> Result<LogBatch, SourceError> {
    let limit = super::poller::cycle_limit(meta.timeout);
    tokio::time::timeout(limit, work)
        .await
        .unwrap_or(Err(SourceError::Timeout(limit.as_millis() as u64)))
}

/// The answer a source gives from the lines it read: only those the query admits (so a
/// backend that ignored part of the request cannot widen the answer), each once, newest
/// first, at most `limit`. A cut says so: more lines than `limit`, or `more` (the source
/// stopped reading while the backend had more).
pub fn finish(
    lines: Vec<LogLine>,
    query: &LogQuery,
    limit: usize,
    more: bool,
    mut batch: LogBatch,
) -> LogBatch {
    let mut kept: Vec<LogLine> = lines.into_iter().filter(|l| query.admits(l)).collect();
    kept.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.key.cmp(&b.key)));
    kept.dedup_by(|a, b| a.key == b.key && a.at == b.at);
    if kept.len() > limit || (more && kept.len() >= limit) {
        batch.warnings.push(cut_warning(limit));
        kept.truncate(limit);
    }
    batch.lines = kept;
    batch
}

/// The words for an answer that holds the newest `limit` lines of a window with more.
pub fn cut_warning(limit: usize) -> String {
    format!("showing the newest {limit} lines of the window; older ones are not read")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::{LogLevel, LogTarget};

    fn line(second: u32, key: &str) -> LogLine {
        LogLine {
            at: Utc.with_ymd_and_hms(2026, 11, 21, 3, 10, second).unwrap(),
            level: LogLevel::Info,
            source: "loki".into(),
            message: format!("line {key}"),
            labels: Vec::new(),
            trace_id: None,
            key: key.into(),
        }
    }

    #[test]
    fn an_answer_is_newest_first_each_line_once_and_says_when_it_was_cut() {
        let query = LogQuery {
            target: LogTarget::Service("checkout".into()),
            since: Utc.with_ymd_and_hms(2026, 11, 21, 3, 10, 1).unwrap(),
            until: Utc.with_ymd_and_hms(2026, 11, 21, 3, 10, 30).unwrap(),
            grep: None,
            limit: 2,
            trouble_only: false,
        };
        let lines = vec![
            line(0, "a"),
            line(5, "b"),
            line(9, "c"),
            line(5, "b"),
            line(7, "d"),
        ];
        let batch = finish(lines, &query, 2, false, LogBatch::default());
        let keys: Vec<&str> = batch.lines.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["c", "d"]);
        assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
        let whole = finish(
            vec![line(5, "b"), line(5, "b")],
            &query,
            2,
            false,
            LogBatch::default(),
        );
        assert_eq!(whole.lines.len(), 1);
        assert!(whole.warnings.is_empty());
    }
}
